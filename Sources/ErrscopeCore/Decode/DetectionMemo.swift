import Foundation

/// Envelope and fingerprint verdicts of the summary's detector, kept by exactly what the
/// detector read: the body's structure (its kinds, counts and keys, byte for byte) and the bytes
/// of the scalars its conditions tested. The detector is a pure function of those, so a body
/// with the same structure whose tested scalars hold the same bytes gets the same scores and
/// roots without evaluating a condition. Values no condition tests (messages, request ids,
/// timestamps, token counts) do not enter the key: a gateway log of one shape with a new
/// request id on every line is answered from here, which is what makes this a replay of the
/// detector and not a memo of bodies.
///
/// The reference is the detector itself: `BatchSummary` with the memo off must give the same
/// summary line by line (DetectionMemoDifferentialTests); a condition evaluated the reference
/// way counts as testing every scalar under its path.
///
/// Two levels: a skeleton has a few *probes* (the list of nodes the detector tested, which
/// depends on what it found: usually one or two lists per skeleton); a probe's verdicts are
/// found by the hash of the tested bytes and confirmed by comparing them.
final class DetectionMemo {
    /// A skeleton and the nodes the detector tested on a body of it.
    struct Probe {
        var skeleton: [UInt8]
        var nodes: [Int32]
        /// The next probe whose skeleton has the same hash, or -1.
        var next: Int32
    }
    struct Entry {
        var probe: Int32
        /// The tested nodes' bytes, one after another, and where each ends.
        var values: [UInt8]
        var ends: [Int32]
        /// Envelope scores then fingerprint scores; envelope roots.
        var scores: [Int32]
        var roots: [Int32]
        /// The next entry with the same key, or -1.
        var next: Int32
    }

    /// First probe by skeleton hash, first entry by key (chains through `next`).
    private var probesBySkeleton = U64Index()
    private var probes: [Probe] = []
    private var entriesByKey = U64Index()
    private var entries: [Entry] = []
    static let entryLimit = 4096, probesPerSkeleton = 8, skeletonLimit = 4096, valueLimit = 1024

    /// The current body's skeleton (valid after `prepare` returned true) and its hash.
    private let skeleton = UnsafeMutablePointer<UInt8>.allocate(capacity: DetectionMemo.skeletonLimit + 16)
    private var length = 0
    private var hash: UInt64 = 0
    private(set) var hits = 0
    private(set) var misses = 0

    deinit { skeleton.deallocate() }

    /// Builds the skeleton of the subtree at `base`; false when it is too large to keep.
    func prepare(_ tape: JSONTape, base: Int, _ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        length = 0
        put32(UInt32(truncatingIfNeeded: base))
        guard walk(tape, base, buf) >= 0 else { return false }
        hash = wordHash(UnsafeBufferPointer(start: skeleton, count: length))
        return true
    }

    @inline(__always) private func put(_ b: UInt8) {
        skeleton[length] = b
        length += 1
    }

    @inline(__always) private func put32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { for b in $0 { put(b) } }
    }

    /// Appends the structure of entry `i`; returns the entry after it, or -1 past the limit.
    private func walk(_ tape: JSONTape, _ i: Int, _ buf: UnsafeBufferPointer<UInt8>) -> Int {
        if length > Self.skeletonLimit { return -1 }
        let e = tape.entry(i)
        put(e.kind.rawValue | (e.flag ? 0x80 : 0))
        switch e.kind {
        case .object:
            put32(e.a)
            var k = i + 1
            let end = Int(e.b)
            while k < end {
                let key = tape.entry(k)
                let n = Int(key.b - key.a)
                if length + n + 5 > Self.skeletonLimit { return -1 }
                put(key.flag ? 1 : 0)
                put32(UInt32(n))
                if n > 0 { (skeleton + length).update(from: buf.baseAddress! + Int(key.a), count: n) }
                length += n
                k = walk(tape, k + 1, buf)
                if k < 0 { return -1 }
            }
            return end
        case .array:
            put32(e.a)
            var k = i + 1
            let end = Int(e.b)
            while k < end {
                k = walk(tape, k, buf)
                if k < 0 { return -1 }
            }
            return end
        default:
            return i + 1
        }
    }

    /// The stored verdict for the prepared body, if one's tested bytes match.
    @inline(__always) private func sameSkeleton(_ p: Int32) -> Bool {
        probes[Int(p)].skeleton.withUnsafeBufferPointer { $0.count == length && memcmp($0.baseAddress!, skeleton, length) == 0 }
    }

    /// The hash of the bytes of `nodes` on this body, and the key of its entries.
    @inline(__always) private func key(_ probe: Int32, _ nodes: [Int32], _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = hash &+ UInt64(probe) &* 0x9E37_79B9_7F4A_7C15
        for n in nodes { h = wordHash(tape.rawBytes(Int(n), in: buf), seed: h) }
        return h
    }

    /// Copies the stored verdict for the prepared body into `scores` and `roots` when one's
    /// tested bytes match; false otherwise.
    func load(_ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>, scores: UnsafeMutablePointer<Int32>,
              roots: UnsafeMutablePointer<Int32>) -> Bool
    {
        var p = probesBySkeleton.find(hash)
        while p >= 0 {
            if sameSkeleton(p) {
                var i = entriesByKey.find(key(p, probes[Int(p)].nodes, tape, buf))
                while i >= 0 {
                    if entries[Int(i)].probe == p && sameValues(Int(i), probes[Int(p)].nodes, tape, buf) {
                        entries[Int(i)].scores.withUnsafeBufferPointer { scores.update(from: $0.baseAddress!, count: $0.count) }
                        entries[Int(i)].roots.withUnsafeBufferPointer { roots.update(from: $0.baseAddress!, count: $0.count) }
                        hits += 1
                        return true
                    }
                    i = entries[Int(i)].next
                }
            }
            p = probes[Int(p)].next
        }
        misses += 1
        return false
    }

    @inline(__always) private func sameValues(_ i: Int, _ nodes: [Int32], _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        entries[i].values.withUnsafeBufferPointer { v in
            var start = 0
            for k in nodes.indices {
                let end = Int(entries[i].ends[k])
                let bytes = tape.rawBytes(Int(nodes[k]), in: buf)
                if bytes.count != end - start || (end > start && memcmp(v.baseAddress! + start, bytes.baseAddress!, end - start) != 0) {
                    return false
                }
                start = end
            }
            return true
        }
    }

    /// Keeps the verdict the detector just gave the prepared body, with the nodes it read.
    func store(_ detector: CompiledDetector, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>,
               scores: UnsafePointer<Int32>, scoreCount: Int, roots: UnsafePointer<Int32>, rootCount: Int)
    {
        guard !detector.unreplayable, entries.count < Self.entryLimit else { return }
        var nodes: [Int32] = []
        var ends: [Int32] = []
        var values: [UInt8] = []
        for k in 0..<detector.readCount {
            let n = detector.readNodes[k]
            if nodes.contains(n) { continue }
            values.append(contentsOf: tape.rawBytes(Int(n), in: buf))
            if values.count > Self.valueLimit { return }
            nodes.append(n)
            ends.append(Int32(values.count))
        }
        let first = probesBySkeleton.find(hash)
        var probe: Int32 = -1, chain = 0
        var p = first
        while p >= 0 {
            if probes[Int(p)].nodes == nodes && sameSkeleton(p) { probe = p }
            chain += 1
            p = probes[Int(p)].next
        }
        if probe < 0 {
            guard chain < Self.probesPerSkeleton else { return }
            probes.append(Probe(skeleton: Array(UnsafeBufferPointer(start: skeleton, count: length)), nodes: nodes, next: first))
            probe = Int32(probes.count - 1)
            probesBySkeleton.set(hash, probe)
        }
        let k = key(probe, nodes, tape, buf)
        entries.append(Entry(probe: probe, values: values, ends: ends,
                             scores: Array(UnsafeBufferPointer(start: scores, count: scoreCount)),
                             roots: Array(UnsafeBufferPointer(start: roots, count: rootCount)), next: entriesByKey.find(k)))
        entriesByKey.set(k, Int32(entries.count - 1))
    }
}
