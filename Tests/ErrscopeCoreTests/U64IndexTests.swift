@testable import ErrscopeCore
import Testing

/// `U64Index` (the summary's hash-keyed index) against `Dictionary` on random keys, including
/// keys that collide in the low bits, replaced values and growth past the first capacity.
@Suite struct U64IndexTests {
    @Test func agreesWithADictionary() {
        var r = SplitMix(state: 0x64_1DE7)
        var index = U64Index(capacity: 4)
        var reference: [UInt64: Int32] = [:]
        for step in 0..<20_000 {
            // Half the keys share their low 16 bits, so probing chains form.
            let key = r.int(2) == 0 ? r.next() : (UInt64(r.int(64)) << 16) | 0xBEEF
            if r.int(3) > 0 {
                let v = Int32(step)
                index.set(key, v)
                reference[key] = v
            }
            let probe = r.int(2) == 0 ? key : r.next()
            #expect(index.find(probe) == (reference[probe] ?? -1))
        }
        #expect(index.count == reference.count)
        for (k, v) in reference { #expect(index.find(k) == v) }
    }
}
