@testable import ErrscopeCore
import Testing

/// `JSONTape.unescape` copies runs eight bytes at a time straight into place; the reference
/// (`unescapeReference`) copies up to each backslash and appends escape by escape. On random
/// string bodies (every escape, surrogate pairs and lone halves, cut escapes at the end,
/// non-ASCII) they must write the same bytes, and the fast one must stay in its room.
@Suite("JSON unescaping agrees with its reference")
struct UnescapeDifferentialTests {
    @Test func randomBodiesAgree() {
        var r = SplitMix(state: 0x5C5C)
        let pieces = ["a", "bcdefgh", "\\n", "\\t", "\\r", "\\b", "\\f", "\\/", "\\\\", "\\\"", "\\u0041", "\\u00e9", "\\u4e2d",
                      "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\uZZZZ", "é", "中", "{\\\"error\\\":{\\\"code\\\":429}}", " ", "0123456789abcdef"]
        let endings = ["", "\\", "\\u", "\\u00", "\\ud83d\\u"]
        var compared = 0
        for _ in 0..<20_000 {
            let text = (0..<r.int(12)).map { _ in pieces[r.int(pieces.count)] }.joined() + endings[r.int(endings.count)]
            let raw = Array(text.utf8)
            var want: [UInt8] = [9, 9]  // both append after what is there
            raw.withUnsafeBufferPointer { JSONTape.unescapeReference($0, into: &want) }
            var got: [UInt8] = [9, 9]
            raw.withUnsafeBufferPointer { JSONTape.unescape($0, into: &got) }
            #expect(got == want, "\(text)")
            // The pointer form writes nothing past its room (guard bytes after it stay).
            let room = raw.count + JSONTape.unescapeSlack
            let out = UnsafeMutablePointer<UInt8>.allocate(capacity: room + 8)
            out.initialize(repeating: 0xEE, count: room + 8)
            let n = raw.withUnsafeBufferPointer { JSONTape.unescape($0, to: out) }
            #expect(n <= room && Array(UnsafeBufferPointer(start: out, count: n)) == Array(want.dropFirst(2)))
            #expect((room..<(room + 8)).allSatisfy { out[$0] == 0xEE })
            out.deallocate()
            compared += 1
        }
        #expect(compared == 20_000)
    }
}
