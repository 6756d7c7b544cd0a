@testable import ErrscopeCore
import Testing

/// The one-pass multi-text search (`SubstringSet`) and the rules' single-text search
/// (`RuleBank.find`) against the plainest search, one text at a time.
@Suite("SubstringSet agrees with searching each text on its own")
struct SubstringSetTests {
    @Test func randomTextsAndHaystacksAgree() {
        var r = SplitMix(state: 0x5B57)
        let alphabet = Array("abcab -_.:'{}".utf8)
        func word(_ max: Int) -> [UInt8] { (0..<r.int(max)).map { _ in alphabet[r.int(alphabet.count)] } }
        var compared = 0
        for _ in 0..<2_000 {
            // Up to 70 texts (past the 64 the scan tracks in one word), short and long.
            let patterns = (0..<(1 + (r.int(10) == 0 ? r.int(70) : r.int(8)))).map { _ in word(r.int(2) == 0 ? 5 : 10) }
            let set = SubstringSet(patterns)
            for _ in 0..<5 {
                let hay = word(60)
                var got = Set<Int>()
                hay.withUnsafeBufferPointer { h in set.forEachMatch(in: h) { got.insert($0) } }
                // The plainest search there is, and `RuleBank.find` (the rules' search) beside it.
                func naive(_ p: [UInt8]) -> Bool {
                    p.isEmpty || (p.count <= hay.count && (0...(hay.count - p.count)).contains { hay[$0..<($0 + p.count)].elementsEqual(p) })
                }
                let want = Set(patterns.indices.filter { naive(patterns[$0]) })
                let byFind = Set(patterns.indices.filter { i in
                    patterns[i].withUnsafeBufferPointer { p in hay.withUnsafeBufferPointer { RuleBank.find(p, in: $0) } }
                })
                // Whichever byte `find` anchors its memchr on, the answer is the same.
                for p in patterns where !p.isEmpty {
                    let every = p.withUnsafeBufferPointer { pb in
                        hay.withUnsafeBufferPointer { h in (0..<p.count).map { RuleBank.find(pb, in: h, anchor: $0) } }
                    }
                    #expect(every.allSatisfy { $0 == naive(p) }, "anchors of \(String(decoding: p, as: UTF8.self)) in \(String(decoding: hay, as: UTF8.self))")
                }
                #expect(byFind == want, "RuleBank.find: \(patterns.map { String(decoding: $0, as: UTF8.self) }) in \(String(decoding: hay, as: UTF8.self))")
                #expect(got == want, "\(patterns.map { String(decoding: $0, as: UTF8.self) }) in \(String(decoding: hay, as: UTF8.self))")
                compared += 1
            }
        }
        #expect(compared == 10_000)
    }
}
