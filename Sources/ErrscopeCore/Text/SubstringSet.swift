import Foundation

/// Finds which of many byte strings occur in a text, in one pass over the text (the summary's
/// message fingerprints: dozens of texts against every message).
///
/// Texts of four bytes or more are indexed by their first four bytes: each position of the
/// text loads four bytes, hashes them and tests one bit of a 64 Kibit filter, so an English
/// message (whose common pairs, "in", "re", "co", start many texts) almost never reaches a
/// comparison. Shorter texts are indexed by their first byte or two. The reference is
/// `RuleBank.find` per text; a differential test compares them.
final class SubstringSet: Sendable {
    let patterns: [[UInt8]]
    /// The patterns' bytes end to end and where each starts (`starts[i]..<starts[i + 1]`).
    private let bytes: [UInt8]
    private let starts: [Int]
    private let empty: [Int]
    /// Patterns of 4+ bytes: a bit per hashed four-byte prefix, and the candidates of each
    /// prefix as a range of `quadFlat`.
    private let quadBits: [UInt64]
    private let quadRanges: [UInt32: (Int32, Int32)]
    private let quadFlat: [Int32]
    /// Patterns of 1-3 bytes: a bit per first byte, candidates by that byte.
    private let shortBits: [UInt64]
    private let shortByByte: [UInt8: [Int32]]
    private let hasShort: Bool

    @inline(__always) static func quadHash(_ q: UInt32) -> Int { Int((q &* 0x9E37_79B1) >> 16) }

    init(_ patterns: [[UInt8]]) {
        self.patterns = patterns
        var quads: [UInt32: [Int32]] = [:], short: [UInt8: [Int32]] = [:], empty: [Int] = []
        for (i, p) in patterns.enumerated() {
            if p.isEmpty {
                empty.append(i)
            } else if p.count < 4 {
                short[p[0], default: []].append(Int32(i))
            } else {
                let q = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
                quads[q, default: []].append(Int32(i))
            }
        }
        self.empty = empty
        var qb = [UInt64](repeating: 0, count: 1024), sb = [UInt64](repeating: 0, count: 4)
        var flat: [Int32] = [], ranges: [UInt32: (Int32, Int32)] = [:]
        for (q, list) in quads {
            let h = Self.quadHash(q)
            qb[h >> 6] |= 1 << UInt64(h & 63)
            ranges[q] = (Int32(flat.count), Int32(flat.count + list.count))
            flat += list
        }
        for b in short.keys { sb[Int(b >> 6)] |= 1 << UInt64(b & 63) }
        quadBits = qb; quadRanges = ranges; quadFlat = flat
        shortBits = sb; shortByByte = short; hasShort = !short.isEmpty
        bytes = patterns.flatMap { $0 }
        var st = [0]
        for p in patterns { st.append(st.last! + p.count) }
        starts = st
    }

    var isEmpty: Bool { patterns.isEmpty }

    /// Words of a bit set with a bit per pattern.
    var wordCount: Int { (patterns.count + 63) / 64 }

    /// Calls `found` once for each pattern that occurs in `hay` (in no particular order).
    func forEachMatch(in hay: UnsafeBufferPointer<UInt8>, _ found: (Int) -> Void) {
        guard !patterns.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: wordCount) { seen in
            seen.initialize(repeating: 0)
            scan(hay, seen: seen.baseAddress!, found)
        }
    }

    /// The one pass: a pattern is reported when first found and its bit set in `seen` (a bit per
    /// pattern, so a found one is not compared again).
    private func scan(_ hay: UnsafeBufferPointer<UInt8>, seen: UnsafeMutablePointer<UInt64>, _ found: (Int) -> Void) {
        for i in empty where seen[i >> 6] & (1 << UInt64(i & 63)) == 0 {
            seen[i >> 6] |= 1 << UInt64(i & 63)
            found(i)
        }
        guard let h = hay.baseAddress, !hay.isEmpty else { return }
        let n = hay.count
        let raw = UnsafeRawPointer(h)
        quadBits.withUnsafeBufferPointer { qbits in
            bytes.withUnsafeBufferPointer { pb in
                starts.withUnsafeBufferPointer { st in
                    quadFlat.withUnsafeBufferPointer { qf in
                        @inline(__always) func check(_ p: Int, at: Int) {
                            let word = p >> 6, bit: UInt64 = 1 << UInt64(p & 63)
                            if seen[word] & bit != 0 { return }
                            let len = st[p + 1] - st[p]
                            guard at + len <= n, memcmp(h + at, pb.baseAddress! + st[p], len) == 0 else { return }
                            seen[word] |= bit
                            found(p)
                        }
                        if n >= 4 {
                            for at in 0...(n - 4) {
                                let q = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
                                let hv = Self.quadHash(q)
                                guard qbits[hv >> 6] & (1 << UInt64(hv & 63)) != 0, let (lo, hi) = quadRanges[q] else { continue }
                                for k in Int(lo)..<Int(hi) { check(Int(qf[k]), at: at) }
                            }
                        }
                        if hasShort {
                            for at in 0..<n {
                                let b = h[at]
                                guard shortBits[Int(b >> 6)] & (1 << UInt64(b & 63)) != 0, let list = shortByByte[b] else { continue }
                                for p in list { check(Int(p), at: at) }
                            }
                        }
                    }
                }
            }
        }
    }
}
