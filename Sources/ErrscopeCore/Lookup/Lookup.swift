import Foundation

/// One answer to a lookup, with why it matched.
public struct LookupHit: Sendable {
    public var entry: CodeEntry
    public var basis: MatchBasis
}

extension Catalog {
    /// Finds codes the way err.exe does: QUERY may be a code, a wildcard or prefix (`mcp_error-*`,
    /// `mcp_error-`), an HTTP status (`429`), a type (`not_found_error`) or a gRPC status
    /// (`NOT_FOUND`). Results across systems, strongest first; `system` restricts them.
    public func lookup(_ rawQuery: String, system: String? = nil) -> [LookupHit] {
        let query = TerminalText.trimSpaces(rawQuery)
        guard !query.isEmpty else { return [] }
        var hits: [LookupHit] = []
        var seen = Set<Int>()
        func add(_ rows: [Int], _ basis: MatchBasis) {
            for r in rows where !seen.contains(r) {
                let e = entry(r)
                if let s = system, e.system != s { continue }
                seen.insert(r)
                hits.append(LookupHit(entry: e, basis: basis))
            }
        }
        let lower = query.lowercased()

        if query.hasSuffix("*") {
            let prefix = String(lower.dropLast())
            add(rowsWithPrefix(prefix), .wildcard)
            return hits
        }
        // Exact code (exact case first; among equal codes, the entry whose gRPC status or type is
        // also the query: Gemini's canonical NOT_FOUND before another system's code of that name),
        // aliases, then wildcards that cover it.
        let exact = rows(code: query)
        add(exact.filter { r in !store.grpc[r].isEmpty && store.string(store.grpc[r]) == query }, .code)
        add(exact, .code)
        add(rows(code: query, caseInsensitive: true), .code)
        add(index.aliasRows[lower] ?? [], .alias)
        add(index.wildcardRows.filter { entry($0).covers(query) }, .wildcard)

        if let status = Int(query), (100...599).contains(status) {
            add((0..<store.count).filter { store.httpSpec($0).statuses.contains(status) }, .http)
        }
        // Types and gRPC statuses: entries carrying them, then codes the systems' rules map to them.
        add((0..<store.count).filter { r in
            !store.type[r].isEmpty && store.string(store.type[r]).lowercased() == lower
        }, .type)
        add((0..<store.count).filter { r in
            !store.grpc[r].isEmpty && store.string(store.grpc[r]).lowercased() == lower
        }, .grpc)
        for sys in systems where system == nil || sys.id == system {
            for em in sys.emits {
                for rule in em.rules {
                    guard let hit = rule.set.pairs.first(where: { ($0.key == "type" || $0.key == "status") && $0.value.stringValue?.lowercased() == lower }) else { continue }
                    let rows = entries(system: sys.id).filter { e in
                        RuleMatchEval.matches(rule.match, entry: e)
                    }.map(\.row)
                    add(rows, hit.key == "type" ? .typeMapping : .statusMapping)
                }
            }
        }
        // A category (`context_length`, `quota`): every code in it, across systems.
        if hits.isEmpty, let c = ErrorCategory(rawValue: lower) {
            add((0..<store.count).filter { store.category[$0] & 0x7F == c.code }, .category)
        }
        if hits.isEmpty { add(rowsWithPrefix(lower), .wildcard) }
        return hits
    }

    func rowsWithPrefix(_ prefix: String) -> [Int] {
        let p = Array(prefix.utf8)
        return (0..<store.count).filter { r in
            store.withBytes(store.code[r]) { b in
                b.count >= p.count && zip(b, p).allSatisfy { asciiLower($0) == $1 }
            }
        }
    }

    /// Codes whose spelling is close to `query`, for "did you mean" hints.
    public func suggestions(for query: String, limit: Int = 5) -> [CodeEntry] {
        let q = Array(query.lowercased().utf8)
        guard q.count >= 3 else { return [] }
        let maxDistance = q.count <= 6 ? 1 : (q.count <= 12 ? 2 : 3)
        var scored: [(Int, Int)] = []
        for r in 0..<store.count {
            let d = store.withBytes(store.code[r]) { b -> Int in
                guard abs(b.count - q.count) <= maxDistance else { return Int.max }
                return Levenshtein.distance(q, b.map(asciiLower), limit: maxDistance)
            }
            if d <= maxDistance { scored.append((d, r)) }
        }
        return scored.sorted { $0 < $1 }.prefix(limit).map { entry($0.1) }
    }
}

enum RuleMatchEval {
    static func matches(_ m: RuleMatch, entry e: CodeEntry) -> Bool {
        if m.otherwise { return false }
        if m.http.isEmpty && m.domains.isEmpty && m.codes.isEmpty { return false }
        if !m.http.isEmpty && !e.http.statuses.contains(where: { s in m.http.contains { $0.matches(s) } }) { return false }
        if !m.domains.isEmpty && !m.domains.contains(e.domain) { return false }
        if !m.codes.isEmpty && !m.codes.contains(e.code) { return false }
        return true
    }
}

enum Levenshtein {
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, cur[j])
            }
            if rowMin > limit { return Int.max }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
