import Foundation

/// The finisher: derives what entries leave out (domains from the system's convention,
/// categories from the HTTP status, retry classes from retry rules, default sources), checks
/// cross-references (duplicates, envelopes, mappings, sources) and returns the `Catalog`.
extension CatalogBuild {
    // MARK: Finish

    /// Resolves derived data (domains, default sources, retry classes), checks cross-references
    /// and returns the catalog.
    consuming func finish() -> Catalog {
        for (slot, sys) in systems.enumerated() {
            let sep = sys.convention?.domainSeparator
            var ruleReasons: [Int: TextRef] = [:]
            for row in 0..<store.count where Int(store.system[row]) == slot {
                if store.domain[row].isEmpty {
                    let code = store.string(store.code[row])
                    if let sep, !sep.isEmpty, let r = code.range(of: sep), r.lowerBound > code.startIndex {
                        store.domain[row] = store.intern(String(code[..<r.lowerBound]), in: .domain)
                    } else {
                        let loc = store.location(row)
                        report(loc.file, loc.line, loc.column, .error, "code `\(code)` has no `domain` and system `\(sys.id)` does not derive one")
                        store.domain[row] = store.intern("(none)", in: .domain)
                    }
                }
                if store.category[row] == 0 {
                    // No category of its own: the HTTP status says what it can (flagged as derived).
                    let h = store.httpSpec(row).primary
                    if let c = h.flatMap(ErrorCategory.fromHTTP) { store.category[row] = c.code | CodeStore.derivedRetryBit }
                }
                if store.retry[row] == 0 {
                    let entry = (http: store.httpSpec(row), domain: store.string(store.domain[row]), code: store.string(store.code[row]))
                    if let r = sys.retryRules.lastIndex(where: { Self.matches($0.match, http: entry.http.primary, domain: entry.domain, code: entry.code) }) {
                        let rule = sys.retryRules[r]
                        store.retry[row] = rule.retry.code | CodeStore.derivedRetryBit
                        if store.retryReason[row].isEmpty {
                            store.retryReason[row] = ruleReasons[r] ?? {
                                let t = store.intern(rule.reason, in: .other)
                                ruleReasons[r] = t
                                return t
                            }()
                        }
                    } else {
                        let loc = store.location(row)
                        report(loc.file, loc.line, loc.column, .warning, "code `\(entry.code)` has no `retry` and no retry rule of `\(sys.id)` covers it")
                    }
                }
            }
        }
        // A code without a source cites its system's first one (kept once, not per code).
        store.defaultSource = systems.map { $0.sources.first.map { store.intern($0.id, in: .other) } ?? .empty }
        checkDuplicates()
        checkReferences()
        let ids = systems.map(\.id)
        store.freeze()
        let index = CodeIndex(store: store, systemIDs: ids)
        var catalog = Catalog(systems: systems, envelopes: envelopes, diagnostics: diagnostics, store: store, index: index)
        catalog.traffic = traffic
        return catalog
    }

    static func matches(_ m: RuleMatch, http: Int?, domain: String, code: String) -> Bool {
        if !m.http.isEmpty && !m.http.contains(where: { $0.matches(http) }) { return false }
        if !m.domains.isEmpty && !m.domains.contains(domain) { return false }
        if !m.codes.isEmpty && !m.codes.contains(code) { return false }
        return true
    }

    mutating func checkDuplicates() {
        // Chains hold only earlier rows when a row is checked, the most recent first.
        var seen = RowChains(count: store.count)
        for row in 0..<store.count {
            let domain = store.pointer(store.domain[row]), code = store.pointer(store.code[row])
            var h = wordHash(domain, seed: UInt64(store.system[row]) &+ 0x9E37_79B9_7F4A_7C15)
            h = wordHash(code, seed: h ^ 0xFF)
            var r = seen.first(h)
            while r >= 0 {
                let o = Int(r)
                if store.system[o] == store.system[row] && store.equals(store.domain[o], domain) && store.equals(store.code[o], code) {
                    let a = store.location(row), b = store.location(o)
                    report(a.file, a.line, a.column, .warning,
                           "duplicate code `\(store.string(store.code[row]))` in \(systems[Int(store.system[row])].id)/\(store.string(store.domain[row])) (first at \(b.file):\(b.line)); both are kept")
                    break
                }
                r = seen.next(o)
            }
            seen.push(row, hash: h)
        }
    }

    mutating func checkReferences() {
        let envIDs = Set(envelopes.map(\.id))
        // The HTTP statuses each system's codes use, gathered in one pass.
        var statusesBySlot = [Set<Int>](repeating: [], count: systems.count)
        var seenStatus = [Bool](repeating: false, count: systems.count * 600)
        for row in 0..<store.count {
            let slot = Int(store.system[row]), h = Int(store.http[row])
            if h > 0 && h < 600 {
                if !seenStatus[slot * 600 + h] { seenStatus[slot * 600 + h] = true; statusesBySlot[slot].insert(h) }
            } else if h < 0 {
                statusesBySlot[slot].formUnion(store.httpSpec(row).statuses)
            }
        }
        for sys in systems {
            let file = sys.files.first ?? "?"
            if let d = sys.defaultEnvelope, !envIDs.contains(d) {
                report(file, 0, 0, .error, "system `\(sys.id)`: default_envelope `\(d)` is not a known envelope")
            }
            let statuses = statusesBySlot[systemSlots[sys.id]!]
            for e in sys.emits {
                if !envIDs.contains(e.envelope) {
                    report(file, 0, 0, .error, "system `\(sys.id)` emits unknown envelope `\(e.envelope)`")
                }
                for r in e.rules {
                    if let other = r.envelope, !envIDs.contains(other) {
                        report(file, 0, 0, .error, "system `\(sys.id)`: a rule for `\(e.envelope)` sends errors in unknown envelope `\(other)`")
                    }
                }
                // Incomplete mapping: rules that set a field by status must cover every status the system uses.
                let setRules = e.rules.filter { !$0.set.isEmpty && !$0.match.http.isEmpty }
                guard !setRules.isEmpty, !e.rules.contains(where: { $0.match.otherwise && $0.variant != .observed }) else { continue }
                for variant in MappingVariant.allCases {
                    let rules = setRules.filter { $0.variant == nil || $0.variant == variant }
                    for s in statuses.sorted() where !rules.contains(where: { $0.match.http.contains { $0.matches(s) } }) {
                        if variant == .observed, e.rules.contains(where: { $0.match.otherwise && $0.variant == .observed }) { continue }
                        report(file, 0, 0, .warning,
                               "incomplete mapping: system `\(sys.id)` has codes with HTTP \(s) but its `\(e.envelope)` rules (\(variant.rawValue)) do not map that status; rendering falls back to the generic translation")
                    }
                }
            }
        }
        // Sources a code names must be its system's (one pass; bytes compared, no strings).
        let sourceIDs = systems.map { $0.sources.map { Array($0.id.utf8) } }
        for row in 0..<store.count {
            let ids = sourceIDs[Int(store.system[row])]
            let src = store.pointer(store.source[row])
            guard !src.isEmpty, !ids.isEmpty else { continue }
            if !ids.contains(where: { id in id.count == src.count && id.withUnsafeBufferPointer { memcmp($0.baseAddress!, src.baseAddress!, src.count) == 0 } }) {
                let loc = store.location(row)
                report(loc.file, loc.line, loc.column, .warning,
                       "source `\(store.string(store.source[row]))` is not one of `\(systems[Int(store.system[row])].id)`'s sources")
            }
        }
    }
}
