/// Finds which of many byte strings occur in a text, in one pass over the text (the summary's
/// message fingerprints: dozens of texts against every message). Candidates are indexed by
/// their first two bytes; each position of the text looks up its pair and compares only those.
/// The reference is `RuleBank.find` per text; a differential test compares them.
struct SubstringSet: Sendable {
    let patterns: [[UInt8]]
    /// Pattern indices of one byte, by that byte (longer ones are in `pairRanges`).
    private let byByte: [UInt8: [Int]]
    private let empty: [Int]
    /// One bit per two-byte prefix (and per one-byte pattern): most positions of a message start
    /// no pattern, and a bit test is far cheaper than hashing the pair into the dictionary.
    private let pairBits: [UInt64]
    private let byteBits: [UInt64]
    /// The patterns' bytes end to end and where each starts (`starts[i]..<starts[i + 1]`), and
    /// per pair its candidates as a range of `flat`: the scan reads them without retaining arrays.
    private let bytes: [UInt8]
    private let starts: [Int]
    private let flat: [Int32]
    private let pairRanges: [UInt16: (Int32, Int32)]

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
        byByte = byte; self.empty = empty
        var pb = [UInt64](repeating: 0, count: 1024), bb = [UInt64](repeating: 0, count: 4)
        for k in pair.keys { pb[Int(k >> 6)] |= 1 << UInt64(k & 63) }
        for k in byte.keys { bb[Int(k >> 6)] |= 1 << UInt64(k & 63) }
        pairBits = pb; byteBits = bb
        bytes = patterns.flatMap { $0 }
        var st = [0]
        for p in patterns { st.append(st.last! + p.count) }
        starts = st
        var f: [Int32] = [], ranges: [UInt16: (Int32, Int32)] = [:]
        for (k, list) in pair {
            ranges[k] = (Int32(f.count), Int32(f.count + list.count))
            f += list.map(Int32.init)
        }
        flat = f; pairRanges = ranges
    }

    var isEmpty: Bool { patterns.isEmpty }

    /// Calls `found` once for each pattern that occurs in `hay` (in no particular order).
    func forEachMatch(in hay: UnsafeBufferPointer<UInt8>, _ found: (Int) -> Void) {
        guard !patterns.isEmpty else { return }
        for i in empty { found(i) }
        guard let h = hay.baseAddress, !hay.isEmpty else { return }
        let n = hay.count
        let anyByte = !byByte.isEmpty
        let count = patterns.count
        pairBits.withUnsafeBufferPointer { bits in
            bytes.withUnsafeBufferPointer { pb in
                flat.withUnsafeBufferPointer { fl in
                    starts.withUnsafeBufferPointer { st in
                        // Patterns found so far: a bit each for the first 64, an array past that.
                        var seenBits: UInt64 = 0
                        var seenMore: [Bool] = []
                        for at in 0..<n {
                            let b = h[at]
                            if anyByte, byteBits[Int(b >> 6)] & (1 << UInt64(b & 63)) != 0, let one = byByte[b] {
                                for p in one {
                                    if p < 64 {
                                        if seenBits & (1 << UInt64(p)) != 0 { continue }
                                        seenBits |= 1 << UInt64(p)
                                    } else {
                                        if seenMore.isEmpty { seenMore = [Bool](repeating: false, count: count) }
                                        if seenMore[p] { continue }
                                        seenMore[p] = true
                                    }
                                    found(p)
                                }
                            }
                            guard at + 1 < n else { continue }
                            let key = UInt16(b) << 8 | UInt16(h[at + 1])
                            guard bits[Int(key >> 6)] & (1 << UInt64(key & 63)) != 0, let (lo, hi) = pairRanges[key] else { continue }
                            for k in Int(lo)..<Int(hi) {
                                let p = Int(fl[k])
                                if p < 64 ? seenBits & (1 << UInt64(p)) != 0 : (!seenMore.isEmpty && seenMore[p]) { continue }
                                let len = st[p + 1] - st[p]
                                guard at + len <= n, memcmp(h + at, pb.baseAddress! + st[p], len) == 0 else { continue }
                                if p < 64 {
                                    seenBits |= 1 << UInt64(p)
                                } else {
                                    if seenMore.isEmpty { seenMore = [Bool](repeating: false, count: count) }
                                    seenMore[p] = true
                                }
                                found(p)
                            }
                        }
                    }
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
