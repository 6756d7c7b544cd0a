/// Finds which of many byte strings occur in a text, in one pass over the text (the summary's
/// message fingerprints: dozens of texts against every message). Candidates are indexed by
/// their first two bytes; each position of the text looks up its pair and compares only those.
/// The reference is `RuleBank.find` per text; a differential test compares them.
struct SubstringSet: Sendable {
    let patterns: [[UInt8]]
    /// Pattern indices by their first two bytes (patterns of one byte: by that byte).
    private let byPair: [UInt16: [Int]]
    private let byByte: [UInt8: [Int]]
    private let empty: [Int]
    /// One bit per two-byte prefix (and per one-byte pattern): most positions of a message start
    /// no pattern, and a bit test is far cheaper than hashing the pair into the dictionary.
    private let pairBits: [UInt64]
    private let byteBits: [UInt64]

    init(_ patterns: [[UInt8]]) {
        self.patterns = patterns
        var pair: [UInt16: [Int]] = [:], byte: [UInt8: [Int]] = [:], empty: [Int] = []
        for (i, p) in patterns.enumerated() {
            switch p.count {
            case 0: empty.append(i)
            case 1: byte[p[0], default: []].append(i)
            default: pair[UInt16(p[0]) << 8 | UInt16(p[1]), default: []].append(i)
            }
        }
        byPair = pair; byByte = byte; self.empty = empty
        var pb = [UInt64](repeating: 0, count: 1024), bb = [UInt64](repeating: 0, count: 4)
        for k in pair.keys { pb[Int(k >> 6)] |= 1 << UInt64(k & 63) }
        for k in byte.keys { bb[Int(k >> 6)] |= 1 << UInt64(k & 63) }
        pairBits = pb; byteBits = bb
    }

    var isEmpty: Bool { patterns.isEmpty }

    /// Calls `found` once for each pattern that occurs in `hay` (in no particular order).
    func forEachMatch(in hay: UnsafeBufferPointer<UInt8>, _ found: (Int) -> Void) {
        guard !patterns.isEmpty else { return }
        for i in empty { found(i) }
        guard let h = hay.baseAddress, !hay.isEmpty else { return }
        var seen: [Bool] = []
        let n = hay.count
        let anyByte = !byByte.isEmpty
        pairBits.withUnsafeBufferPointer { bits in
            for at in 0..<n {
                let b = h[at]
                if anyByte, byteBits[Int(b >> 6)] & (1 << UInt64(b & 63)) != 0, let one = byByte[b] {
                    if seen.isEmpty { seen = [Bool](repeating: false, count: patterns.count) }
                    for p in one where !seen[p] { seen[p] = true; found(p) }
                }
                guard at + 1 < n else { continue }
                let key = UInt16(b) << 8 | UInt16(h[at + 1])
                guard bits[Int(key >> 6)] & (1 << UInt64(key & 63)) != 0, let candidates = byPair[key] else { continue }
                if seen.isEmpty { seen = [Bool](repeating: false, count: patterns.count) }
                for p in candidates where !seen[p] {
                    let pat = patterns[p]
                    guard at + pat.count <= n else { continue }
                    if pat.withUnsafeBufferPointer({ memcmp(h + at, $0.baseAddress!, pat.count) == 0 }) { seen[p] = true; found(p) }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
