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
    let codeSources: [[FieldPath]]
    let typeSources: [[FieldPath]]
    let statusSources: [[FieldPath]]

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
        codeSources = paths("code")
        typeSources = paths("type")
        statusSources = paths("status")
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
        for (i, env) in catalog.envelopes.enumerated() {
            var root = 0
            if env.unwrapArray, tape.kind(0) == .array, tape.count(0) == 1 { root = 1 }
            guard tape.kind(root) == .object else { continue }
            var ok = true
            for c in env.require where !decoder.holds(c, root: root, buf: body, headers: []) { ok = false; break }
            guard ok else { continue }
            var score = 0
            for c in env.prefer where decoder.holds(c, root: root, buf: body, headers: []) { score += 2 }
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
        for (sources, salt) in [(codeSources[best], UInt64(11)), (typeSources[best], 13), (statusSources[best], 17)] {
            for p in sources {
                if let n = p.resolve(tape, root: bestRoot, in: body), tape.kind(n) == .string, !tape.isEscaped(n),
                    tape.entries[n].b > tape.entries[n].a
                {
                    node = n
                    kindSalt = salt
                    break
                }
            }
            if node != nil { break }
        }
        guard let n = node else {
            unknownSystem += 1
            count(label: "\(catalog.envelopes[best].id): (no code)", key: 5 &+ UInt64(best) << 8)
            return
        }
        let bytes = tape.rawBytes(n, in: body)
        // Catalog row: exact code, preferring a system that emits this envelope.
        var row = -1
        if kindSalt == 11 {
            let store = catalog.store
            let mask = emitters[best]
            if var r = catalog.index.heads[fnv1aLower(bytes)] {
                while r >= 0 {
                    let ri = Int(r)
                    if store.equals(store.code[ri], bytes) {
                        let sys = Int(store.system[ri])
                        if row < 0 || (sys < 64 && mask & (1 << UInt64(sys)) != 0) { row = ri }
                        if let h = systemHint, sys == h { row = ri; break }
                    }
                    r = catalog.index.chain[ri]
                }
            }
            if row < 0 {
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
