import Foundation

/// Counts a stream of error bodies by system, envelope and code: the "what is failing and how
/// much" view of a log. Built for throughput: a body is parsed onto a reused tape, its envelope
/// chosen and its code looked up by hashing bytes in place, so the common case allocates nothing.
public struct BatchSummary {
    let decoder: ErrorDecoder
    let catalog: Catalog
    let systemHint: Int?
    /// Per envelope: which systems emit it (bit per system slot; 64 systems suffice for a hint).
    let emitters: [UInt64]
    /// Per envelope, the paths that identify a body (code, then type, then status), flattened:
    /// envelope i uses fieldPaths[fieldStart[i]..<fieldStart[i + 1]].
    let fieldPaths: [FieldPath]
    let fieldSalts: [UInt64]
    let fieldStart: [Int]

    let envelopeCount: Int
    public private(set) var total = 0
    public private(set) var recognised = 0
    public private(set) var known = 0
    var envelopeCounts: [Int]
    var systemCounts: [Int]
    var unknownSystem = 0
    var codeCounts: [UInt64: Int] = [:]
    var codeLabels: [UInt64: String] = [:]

    public init(catalog: Catalog, system: String? = nil) {
        self.catalog = catalog
        decoder = ErrorDecoder(catalog: catalog)
        systemHint = system.flatMap { catalog.systemIDs.firstIndex(of: $0) }
        var em = [UInt64](repeating: 0, count: catalog.envelopes.count)
        for (si, sys) in catalog.systems.enumerated() where si < 64 {
            for e in sys.emits {
                if let ei = catalog.envelopes.firstIndex(where: { $0.id == e.envelope }) { em[ei] |= 1 << UInt64(si) }
            }
        }
        emitters = em
        func paths(_ field: String) -> [[FieldPath]] {
            catalog.envelopes.map { env in
                env.sources(for: field).compactMap { if case .path(let p) = $0 { return p } else { return nil } }
            }
        }
        let code = paths("code"), type = paths("type"), status = paths("status")
        var fp: [FieldPath] = [], fs: [UInt64] = [], start: [Int] = []
        for i in 0..<catalog.envelopes.count {
            start.append(fp.count)
            for (list, salt) in [(code[i], UInt64(11)), (type[i], 13), (status[i], 17)] {
                for p in list { fp.append(p); fs.append(salt) }
            }
        }
        start.append(fp.count)
        fieldPaths = fp
        fieldSalts = fs
        fieldStart = start
        envelopeCount = catalog.envelopes.count
        envelopeCounts = [Int](repeating: 0, count: catalog.envelopes.count + 1)
        systemCounts = [Int](repeating: 0, count: catalog.systems.count)
    }

    /// Adds every non-blank line of `text` as one body.
    public mutating func add(lines text: UnsafeBufferPointer<UInt8>) {
        var start = 0
        let n = text.count
        while start < n {
            var end = start
            if let base = text.baseAddress, let p = memchr(base + start, 0x0A, n - start) {
                end = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            } else {
                end = n
            }
            var s = start, e = end
            while s < e, text[s] == 0x20 || text[s] == 0x09 { s += 1 }
            while e > s, text[e - 1] == 0x0D || text[e - 1] == 0x20 || text[e - 1] == 0x09 { e -= 1 }
            if e > s { add(body: UnsafeBufferPointer(rebasing: text[s..<e])) }
            start = end + 1
        }
    }

    public mutating func add(body: UnsafeBufferPointer<UInt8>) {
        total += 1
        let tape = decoder.tape
        do throws(JSONError) {
            try tape.parse(body)
        } catch {
            envelopeCounts[catalog.envelopes.count] += 1
            unknownSystem += 1
            count(label: error.truncated ? "(truncated JSON)" : "(not JSON)", key: error.truncated ? 1 : 2)
            return
        }
        // Best envelope, without building the candidate list.
        var best = -1, bestScore = Int.min, bestRoot = 0
        let detector = decoder.detector
        detector.reset()
        for i in 0..<envelopeCount {
            guard let (root, base) = detector.evaluate(i, tape, body, headers: [], decoder: nil) else { continue }
            var score = base
            if let h = systemHint, h < 64, emitters[i] & (1 << UInt64(h)) != 0 { score += 1 }
            if score > bestScore { best = i; bestScore = score; bestRoot = root }
        }
        guard best >= 0 else {
            envelopeCounts[catalog.envelopes.count] += 1
            unknownSystem += 1
            count(label: "(no known envelope)", key: 3)
            return
        }
        recognised += 1
        envelopeCounts[best] += 1
        // The identifying string: code, else type, else gRPC status.
        var node: Int?
        var kindSalt: UInt64 = 0
        var k = fieldStart[best]
        while k < fieldStart[best + 1] {
            if let n = fieldPaths[k].resolve(tape, root: bestRoot, in: body), tape.kind(n) == .string, !tape.isEscaped(n),
                tape.entry(n).b > tape.entry(n).a
            {
                node = n
                kindSalt = fieldSalts[k]
                break
            }
            k += 1
        }
        guard let n = node else {
            unknownSystem += 1
            count(label: "\(catalog.envelopes[best].id): (no code)", key: 5 &+ UInt64(best) << 8)
            return
        }
        let bytes = tape.rawBytes(n, in: body)
        // Catalog row: exact code, preferring a system that emits this envelope.
        var row = -1
        do {
            let store = catalog.store
            let mask = emitters[best]
            var r = catalog.index.byCode.first(fnv1aLower(bytes))
            while r >= 0 {
                let ri = Int(r)
                if store.equals(store.code[ri], bytes) {
                    let sys = Int(store.system[ri])
                    if row < 0 || (sys < 64 && mask & (1 << UInt64(sys)) != 0) { row = ri }
                    if let h = systemHint, sys == h { row = ri; break }
                }
                r = catalog.index.byCode.next(ri)
            }
            if row < 0 && kindSalt == 11 {
                for w in catalog.index.wildcardRows {
                    let prefixOK = store.withBytes(store.code[w]) { c -> Bool in
                        let p = c.count - 1
                        return bytes.count > p && memcmp(c.baseAddress!, bytes.baseAddress!, p) == 0
                    }
                    if prefixOK { row = w; break }
                }
            }
        }
        let sysSlot = row >= 0 ? Int(catalog.store.system[row]) : -1
        if row >= 0 { known += 1; systemCounts[sysSlot] += 1 } else { unknownSystem += 1 }
        var key = fnv1a(bytes, seed: kindSalt &* 0x9E37_79B9 &+ UInt64(best))
        key = key &+ UInt64(bitPattern: Int64(sysSlot)) &* 0x100_0000_01b3
        if let c = codeCounts[key] {
            codeCounts[key] = c + 1
        } else {
            codeCounts[key] = 1
            let text = String(decoding: bytes, as: UTF8.self)
            let label: String
            if row >= 0 {
                let e = catalog.entry(row)
                label = "\(e.system)/\(e.code == text ? text : "\(text) (\(e.code))")"
            } else {
                label = "\(catalog.envelopes[best].id): \(text) (unknown)"
            }
            codeLabels[key] = label
        }
    }

    /// Summarises `text` on `threads` threads (split at line boundaries) and merges the counts.
    public static func summarize(lines text: UnsafeBufferPointer<UInt8>, catalog: Catalog, system: String? = nil,
                                 threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> BatchSummary
    {
        let parts = max(1, min(threads, text.count / (256 << 10)))
        var cuts = [0]
        for p in 1..<parts {
            var c = text.count * p / parts
            while c < text.count && text[c - 1] != 0x0A { c += 1 }
            cuts.append(c)
        }
        cuts.append(text.count)
        if parts == 1 {
            var s = BatchSummary(catalog: catalog, system: system)
            s.add(lines: text)
            return s
        }
        let results = UnsafeMutableBufferPointer<BatchSummary?>.allocate(capacity: parts)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        nonisolated(unsafe) let out = results
        nonisolated(unsafe) let input = text
        let bounds = cuts
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            var s = BatchSummary(catalog: catalog, system: system)
            s.add(lines: UnsafeBufferPointer(rebasing: input[bounds[p]..<bounds[p + 1]]))
            out[p] = s
        }
        var merged = results[0]!
        for p in 1..<parts { merged.merge(results[p]!) }
        return merged
    }

    mutating func merge(_ o: BatchSummary) {
        total += o.total
        recognised += o.recognised
        known += o.known
        unknownSystem += o.unknownSystem
        for i in envelopeCounts.indices { envelopeCounts[i] += o.envelopeCounts[i] }
        for i in systemCounts.indices { systemCounts[i] += o.systemCounts[i] }
        for (k, v) in o.codeCounts { codeCounts[k, default: 0] += v }
        for (k, v) in o.codeLabels where codeLabels[k] == nil { codeLabels[k] = v }
    }

    private mutating func count(label: String, key: UInt64) {
        codeCounts[key, default: 0] += 1
        if codeLabels[key] == nil { codeLabels[key] = label }
    }

    // MARK: Results

    public var bySystem: [(String, Int)] {
        var out = zip(catalog.systems.map(\.id), systemCounts).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
        if unknownSystem > 0 { out.append(("(unknown)", unknownSystem)) }
        return out.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    public var byEnvelope: [(String, Int)] {
        let names = catalog.envelopes.map(\.id) + [ErrorDecoder.envelopeNone]
        return zip(names, envelopeCounts).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    public var byCode: [(String, Int)] {
        codeCounts.map { (codeLabels[$0.key] ?? "?", $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    public var json: JSONValue {
        func list(_ items: [(String, Int)]) -> JSONValue {
            .array(items.map { ["name": .string($0.0), "count": .int(Int64($0.1))] })
        }
        return [
            "total": .int(Int64(total)), "recognised": .int(Int64(recognised)), "known": .int(Int64(known)),
            "by_system": list(bySystem), "by_envelope": list(byEnvelope), "by_code": list(byCode),
        ]
    }
}
