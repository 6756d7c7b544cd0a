@testable import ErrscopeCore
import Testing

/// `MessageShape.skeleton` reads ASCII text by bytes; the reference reads any text by
/// `Character`. On random ASCII (quotes, CR LF pairs, digits, ids, punctuation) they agree.
@Suite struct MessageShapeDifferentialTests {
    @Test func asciiSkeletonAgreesWithTheCharacterReading() {
        var r = SplitMix(state: 0x5E_1E70)
        let pieces = ["a", "Z", "q", "_", "-", "7", "0", " ", "  ", "\t", "\r\n", "\n", "\r", "'", "\"", "`", ".", ":", "{", "}",
                      "model", "NOT_FOUND", "01J9Z8K2QXW3", "req_abc", "é"]
        var compared = 0
        for _ in 0..<5_000 {
            var s = ""
            for _ in 0..<r.int(24) { s += r.pick(pieces) }
            guard s.utf8.allSatisfy({ $0 < 0x80 }) else {
                #expect(MessageShape.skeleton(s) == MessageShape.skeletonByCharacter(s))
                continue
            }
            #expect(MessageShape.asciiSkeleton(s) == MessageShape.skeletonByCharacter(s), "\(s.debugDescription)")
            compared += 1
        }
        #expect(compared > 3_000)
    }

    @Test func asciiWordsAgreeWithTheCharacterSplit() {
        var r = SplitMix(state: 0x0_57_0D5)
        let pieces = ["a", "Z", "q", "_", "-", "7", " ", "'_'", "#", ".", ":", "{", "ab", "abc", "model", "not_found", "x-y", "\r\n", "\t"]
        var compared = 0
        for _ in 0..<5_000 {
            var s = ""
            for _ in 0..<r.int(14) { s += pieces[r.int(pieces.count)] }
            #expect(MessageShape.asciiWords(s) == MessageShape.wordsByCharacter(s), "\(s.debugDescription)")
            compared += 1
        }
        #expect(compared == 5_000)
    }
}
