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
    /// A skeleton and the nodes the detector tested on a body of it (ranges of `skeletons` and
    /// `probeNodes`).
    struct Probe {
        var skeleton: Int, skeletonLength: Int
        var nodes: Int, nodeCount: Int
        /// The next probe whose skeleton has the same hash, or -1.
        var next: Int32
    }
    /// A verdict: the tested nodes' bytes one after another (`values`) and where each ends
    /// (`ends`, one per probe node), the envelope then fingerprint scores and the envelope
    /// roots (`numbers`).
    struct Entry {
        var probe: Int32
        var values: Int
        var ends: Int
        var scores: Int, scoreCount: Int
        var roots: Int, rootCount: Int
        /// The next entry with the same key, or -1.
        var next: Int32
    }

    /// First probe by skeleton hash, first entry by key (chains through `next`).
    @exclusivity(unchecked) private var probesBySkeleton = U64Index()
    @exclusivity(unchecked) private var entriesByKey = U64Index()
    /// Everything kept lives in runs this object owns: a lookup reads them with plain loads
    /// (arrays of arrays retained and released each one on every line). A memo is one worker
    /// thread's, so its state skips the dynamic exclusivity checks.
    @exclusivity(unchecked) private var probes = RawRun<Probe>()
    @exclusivity(unchecked) private var skeletons = RawRun<UInt8>()
    @exclusivity(unchecked) private var probeNodes = RawRun<Int32>()
    @exclusivity(unchecked) private var entries = RawRun<Entry>()
    @exclusivity(unchecked) private var values = RawRun<UInt8>()
    @exclusivity(unchecked) private var numbers = RawRun<Int32>()
    static let entryLimit = 4096, probesPerSkeleton = 8, skeletonLimit = 4096, valueLimit = 1024

    /// The current body's skeleton (valid after `prepare` returned true) and its hash.
    private let skeleton = UnsafeMutablePointer<UInt8>.allocate(capacity: DetectionMemo.skeletonLimit + 16)
    @exclusivity(unchecked) private var length = 0
    @exclusivity(unchecked) private var hash: UInt64 = 0
    @exclusivity(unchecked) private(set) var hits = 0
    @exclusivity(unchecked) private(set) var misses = 0

    deinit {
        skeleton.deallocate()
        probes.free(); skeletons.free(); probeNodes.free(); entries.free(); values.free(); numbers.free()
    }

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

    /// Whether probe `p` is for the prepared body's skeleton.
    @inline(__always) private func sameSkeleton(_ p: Int32) -> Bool {
        let pr = probes[Int(p)]
        return pr.skeletonLength == length && memcmp(skeletons.base + pr.skeleton, skeleton, length) == 0
    }

    /// The hash of the bytes of probe `p`'s nodes on this body, and the key of its entries.
    @inline(__always) private func key(_ p: Int32, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let pr = probes[Int(p)]
        var h = hash &+ UInt64(p) &* 0x9E37_79B9_7F4A_7C15
        for k in 0..<pr.nodeCount { h = wordHash(tape.rawBytes(Int(probeNodes[pr.nodes + k]), in: buf), seed: h) }
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
                var i = entriesByKey.find(key(p, tape, buf))
                while i >= 0 {
                    let e = entries[Int(i)]
                    if e.probe == p && sameValues(e, tape, buf) {
                        scores.update(from: numbers.base + e.scores, count: e.scoreCount)
                        roots.update(from: numbers.base + e.roots, count: e.rootCount)
                        hits += 1
                        return true
                    }
                    i = e.next
                }
            }
            p = probes[Int(p)].next
        }
        misses += 1
        return false
    }

    @inline(__always) private func sameValues(_ e: Entry, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        let pr = probes[Int(e.probe)]
        var start = 0
        for k in 0..<pr.nodeCount {
            let end = Int(numbers[e.ends + k])
            let bytes = tape.rawBytes(Int(probeNodes[pr.nodes + k]), in: buf)
            if bytes.count != end - start || (end > start && memcmp(values.base + e.values + start, bytes.baseAddress!, end - start) != 0) {
                return false
            }
            start = end
        }
        return true
    }

    /// Keeps the verdict the detector just gave the prepared body, with the nodes it read.
    func store(_ detector: CompiledDetector, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>,
               scores: UnsafePointer<Int32>, scoreCount: Int, roots: UnsafePointer<Int32>, rootCount: Int)
    {
        guard !detector.unreplayable, entries.count < Self.entryLimit else { return }
        var nodes: [Int32] = []
        var ends: [Int32] = []
        var bytes: [UInt8] = []
        for k in 0..<detector.readCount {
            let n = detector.readNodes[k]
            if nodes.contains(n) { continue }
            bytes.append(contentsOf: tape.rawBytes(Int(n), in: buf))
            if bytes.count > Self.valueLimit { return }
            nodes.append(n)
            ends.append(Int32(bytes.count))
        }
        let first = probesBySkeleton.find(hash)
        var probe: Int32 = -1, chain = 0
        var p = first
        while p >= 0 {
            let pr = probes[Int(p)]
            if pr.nodeCount == nodes.count && (0..<nodes.count).allSatisfy({ probeNodes[pr.nodes + $0] == nodes[$0] }) && sameSkeleton(p) { probe = p }
            chain += 1
            p = pr.next
        }
        if probe < 0 {
            guard chain < Self.probesPerSkeleton else { return }
            let at = skeletons.count, nodesAt = probeNodes.count
            skeletons.append(UnsafeBufferPointer(start: skeleton, count: length))
            nodes.withUnsafeBufferPointer { probeNodes.append($0) }
            probes.append(Probe(skeleton: at, skeletonLength: length, nodes: nodesAt, nodeCount: nodes.count, next: first))
            probe = Int32(probes.count - 1)
            probesBySkeleton.set(hash, probe)
        }
        let k = key(probe, tape, buf)
        let valuesAt = values.count, endsAt = numbers.count
        bytes.withUnsafeBufferPointer { values.append($0) }
        ends.withUnsafeBufferPointer { numbers.append($0) }
        let scoresAt = numbers.count
        numbers.append(UnsafeBufferPointer(start: scores, count: scoreCount))
        let rootsAt = numbers.count
        numbers.append(UnsafeBufferPointer(start: roots, count: rootCount))
        entries.append(Entry(probe: probe, values: valuesAt, ends: endsAt, scores: scoresAt, scoreCount: scoreCount,
                             roots: rootsAt, rootCount: rootCount, next: entriesByKey.find(k)))
        entriesByKey.set(k, Int32(entries.count - 1))
    }
}

/// A growable run of plain values in memory its owner frees (`free()`, from the owner's
/// deinit): reads are plain loads, with no retain and no uniqueness check.
struct RawRun<T> {
    private(set) var base: UnsafeMutablePointer<T>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always) subscript(i: Int) -> T { base[i] }

    mutating func append(_ v: T) {
        reserve(count + 1)
        (base + count).initialize(to: v)
        count += 1
    }

    mutating func append(_ vs: UnsafeBufferPointer<T>) {
        guard let src = vs.baseAddress, !vs.isEmpty else { return }
        reserve(count + vs.count)
        (base + count).initialize(from: src, count: vs.count)
        count += vs.count
    }

    private mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        var c = capacity
        while c < n { c *= 2 }
        let bigger = UnsafeMutablePointer<T>.allocate(capacity: c)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = c
    }

    /// Frees the memory (the values are plain: nothing to deinitialise).
    func free() { base.deallocate() }
}
