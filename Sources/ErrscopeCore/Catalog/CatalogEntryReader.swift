import Foundation

/// The entry reader: the reference reader of every part of a catalog document (header, system,
/// domains, envelopes and their conditions, codes), over any `DocNode` (YAML or a JSON tape).
/// It checks each field and reports what is wrong with file, line and column; `JSONCodeEntry`
/// is its fast path for plain JSON code entries and falls back to it for anything else.
extension CatalogBuild {
    // MARK: Header: version, system, domains, envelopes

    mutating func loadHeader<N: DocNode>(_ members: [(key: String, value: N)], root: N?, file: String, firstRow: Int) {
        let known: Set = ["errscope", "system", "domains", "envelopes", "codes", "$schema", "categories", "message_rules", "retry_delays", "sdks"]
        var version: N?
        for (k, v) in members {
            if k == "errscope" { version = v }
            if !known.contains(k) { report(file, v, .warning, "unknown top-level key `\(k)`") }
        }
        if let v = version {
            if v.integer != 1 { report(file, v, .error, "unsupported format version; this errscope reads `errscope: 1`") }
        } else {
            report(file, 1, 1, .warning, "missing `errscope: 1` at the top")
        }
        var slot: Int?
        if let sys = members.first(where: { $0.key == "system" })?.value {
            slot = loadSystem(sys, file: file)
        }
        if let domains = members.first(where: { $0.key == "domains" })?.value {
            if let s = slot {
                for d in domains.elements() {
                    guard let id = stringField(d, "id", file: file, required: true) else { continue }
                    if systems[s].domains.contains(where: { $0.id == id }) { continue }
                    systems[s].domains.append(DomainInfo(
                        id: id, title: stringField(d, "title", file: file), section: stringField(d, "section", file: file),
                        summary: stringField(d, "summary", file: file)))
                }
            } else {
                report(file, domains, .error, "`domains` needs a `system` in the same file")
            }
        }
        if let envs = members.first(where: { $0.key == "envelopes" })?.value {
            for e in envs.elements() { loadEnvelope(e, file: file) }
        }
        loadTraffic(members, file: file)
        if store.count > firstRow {
            if let s = slot {
                for row in firstRow..<store.count { store.system[row] = UInt16(s) }
            } else {
                report(file, 1, 1, .error, "`codes` need a `system` with an `id` in the same file; \(store.count - firstRow) codes were not loaded")
                while store.count > firstRow { store.removeLastRow() }
            }
        }
    }

    mutating func loadSystem<N: DocNode>(_ node: N, file: String) -> Int? {
        guard node.kind == .map else {
            report(file, node, .error, "`system` must be a mapping")
            return nil
        }
        guard let id = stringField(node, "id", file: file, required: true) else { return nil }
        let idOK = id.utf8.enumerated().allSatisfy { i, c in
            (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (i > 0 && (c == 46 || c == 95 || c == 45))
        }
        if !idOK || id.isEmpty {
            report(file, node.member("id")!, .error, "system id `\(id)` must be lowercase letters, digits, '.', '_' or '-'")
            return nil
        }
        let known: Set = ["id", "name", "summary", "sources", "convention", "default_envelope", "emits", "retry_rules",
                          "headers", "rate_limit", "notes", "description", "message_rules", "fingerprints"]
        for (k, v) in node.members() where !known.contains(k) {
            report(file, v, .warning, "unknown key `\(k)` in system `\(id)`")
        }
        let emits = node.member("emits")?.elements().compactMap { loadEmission($0, file: file) } ?? []
        let retryRules = node.member("retry_rules")?.elements().compactMap { loadRetryRule($0, file: file) } ?? []
        let messageRules = node.member("message_rules")?.elements().compactMap { loadMessageRule($0, system: id, file: file) } ?? []
        let fingerprints = node.member("fingerprints")?.elements().compactMap { loadFingerprint($0, file: file) } ?? []
        if let existing = systemSlots[id] {
            // A later file extends the system: codes, domains, emits and rules add up.
            systems[existing].files.append(file)
            systems[existing].emits += emits
            systems[existing].retryRules += retryRules
            systems[existing].messageRules += messageRules
            systems[existing].fingerprints += fingerprints
            let extras = node.members().map(\.key).filter { !["id", "emits", "retry_rules", "message_rules", "fingerprints"].contains($0) }
            if !extras.isEmpty {
                report(file, node, .warning, "system `\(id)` is already defined in \(systems[existing].files[0]); only its codes, domains, emits and retry_rules are added (ignored: \(extras.joined(separator: ", ")))")
            }
            return existing
        }
        guard let name = stringField(node, "name", file: file, required: true) else { return nil }
        var s = SystemInfo(id: id, name: name)
        s.summary = stringField(node, "summary", file: file) ?? stringField(node, "description", file: file)
        s.sources = node.member("sources")?.elements().compactMap { p -> SourcePage? in
            guard let pid = stringField(p, "id", file: file, required: true) else { return nil }
            return SourcePage(id: pid, title: stringField(p, "title", file: file) ?? pid, ref: stringField(p, "ref", file: file) ?? "")
        } ?? []
        if let c = node.member("convention") {
            s.convention = CodeConvention(
                pattern: stringField(c, "pattern", file: file), description: stringField(c, "description", file: file),
                domainSeparator: stringField(c, "domain_separator", file: file))
        }
        s.defaultEnvelope = stringField(node, "default_envelope", file: file)
        s.emits = emits
        s.retryRules = retryRules
        s.messageRules = messageRules
        s.fingerprints = fingerprints
        s.headers = node.member("headers")?.elements().compactMap { h -> HeaderDoc? in
            guard let n = stringField(h, "name", file: file, required: true) else { return nil }
            return HeaderDoc(name: n, meaning: stringField(h, "meaning", file: file) ?? "")
        } ?? []
        s.rateLimit = stringField(node, "rate_limit", file: file)
        s.notes = loadNotes(node.member("notes"), file: file)
        s.files = [file]
        systems.append(s)
        systemSlots[id] = systems.count - 1
        return systems.count - 1
    }

    mutating func loadNotes<N: DocNode>(_ node: N?, file: String) -> [Note] {
        guard let node else { return [] }
        if node.kind == .string, let t = node.text { return [Note(kind: .note, text: t)] }
        return node.elements().compactMap { n -> Note? in
            if n.kind == .string, let t = n.text { return Note(kind: .note, text: t) }
            guard let text = stringField(n, "text", file: file, required: true) else { return nil }
            let kindText = stringField(n, "kind", file: file) ?? "note"
            guard let kind = Note.Kind(rawValue: kindText) else {
                report(file, n, .error, "note kind `\(kindText)` must be documented, observed or ambiguity")
                return nil
            }
            return Note(kind: kind, text: text)
        }
    }

    mutating func loadMatch<N: DocNode>(_ node: N?, file: String) -> RuleMatch? {
        guard let node else { return RuleMatch(otherwise: false) }
        guard node.kind == .map else {
            report(file, node, .error, "`match` must be a mapping (http, domain, code, otherwise)")
            return nil
        }
        var m = RuleMatch()
        for (k, v) in node.members() {
            switch k {
            case "http":
                let items = v.kind == .seq ? v.elements() : [v]
                for item in items {
                    let text = item.integer.map { String($0) } ?? item.text ?? ""
                    guard let h = HTTPMatcher.parse(text) else {
                        report(file, item, .error, "`\(text)` is not an HTTP status (100-599) or class (4xx)")
                        return nil
                    }
                    m.http.append(h)
                }
            case "domain": m.domains = stringList(v)
            case "code": m.codes = stringList(v)
            case "otherwise": m.otherwise = v.boolean ?? false
            default: report(file, v, .warning, "unknown match key `\(k)`")
            }
        }
        return m
    }

    func stringList<N: DocNode>(_ v: N) -> [String] {
        v.kind == .seq ? v.elements().compactMap { $0.text ?? $0.integer.map { String($0) } } : [v.text ?? v.integer.map { String($0) } ?? ""]
    }

    mutating func loadEmission<N: DocNode>(_ node: N, file: String) -> Emission? {
        guard let env = stringField(node, "envelope", file: file, required: true) else { return nil }
        let paths = node.member("paths").map(stringList) ?? []
        let rules = node.member("rules")?.elements().compactMap { r -> MappingRule? in
            guard let match = loadMatch(r.member("match"), file: file) else { return nil }
            var variant: MappingVariant?
            if let vt = stringField(r, "variant", file: file) {
                guard let v = MappingVariant(rawValue: vt) else {
                    report(file, r.member("variant")!, .error, "variant `\(vt)` must be documented or observed")
                    return nil
                }
                variant = v
            }
            let set = r.member("set")?.json().objectValue ?? JSONObject()
            return MappingRule(match: match, variant: variant, set: set, sanitize: stringField(r, "sanitize", file: file),
                               envelope: stringField(r, "envelope", file: file), note: stringField(r, "note", file: file))
        } ?? []
        var e = Emission(envelope: env, paths: paths, carriesCode: node.member("carries_code")?.boolean ?? true, rules: rules)
        e.decodeOnly = node.member("decode_only")?.boolean ?? false
        return e
    }

    mutating func loadRetryRule<N: DocNode>(_ node: N, file: String) -> RetryRule? {
        guard let match = loadMatch(node.member("match"), file: file) else { return nil }
        guard let r = node.member("retry"), let retry = retryValue(r) else {
            report(file, node, .error, "retry rule needs `retry`: \"yes\", \"no\", \"sometimes\" or \"once\"")
            return nil
        }
        return RetryRule(match: match, retry: retry, reason: stringField(node, "reason", file: file) ?? "")
    }

    func retryValue<N: DocNode>(_ n: N) -> Retryability? {
        if let b = n.boolean { return b ? .yes : .no }
        return n.text.flatMap { Retryability(rawValue: $0.lowercased()) }
    }

    // MARK: Envelopes

    mutating func loadEnvelope<N: DocNode>(_ node: N, file: String) {
        guard let id = stringField(node, "id", file: file, required: true) else { return }
        if let prev = envelopes.firstIndex(where: { $0.id == id }) {
            report(file, node, .warning, "envelope `\(id)` is redefined (first in \(envelopes[prev].file)); the new definition wins")
            envelopes.remove(at: prev)
        }
        func conditions(_ key: String) -> [EnvelopeCondition]? {
            var out: [EnvelopeCondition] = []
            for c in node.member("detect")?.member(key)?.elements() ?? [] {
                guard let cond = condition(c, file: file) else { return nil }
                out.append(cond)
            }
            return out
        }
        guard let require = conditions("require"), let prefer = conditions("prefer") else { return }
        if require.isEmpty {
            report(file, node, .error, "envelope `\(id)` needs at least one `detect.require` condition")
            return
        }
        var fields: [(name: String, sources: [FieldSource])] = []
        for (k, v) in node.member("fields")?.members() ?? [] {
            fields.append((k, stringList(v).map(FieldSource.init)))
        }
        var translate: [(field: String, map: [(HTTPMatcher, JSONValue)])] = []
        for (field, mapNode) in node.member("translate")?.members() ?? [] {
            var map: [(HTTPMatcher, JSONValue)] = []
            for (k, v) in mapNode.members() {
                guard let h = HTTPMatcher.parse(k) else {
                    report(file, v, .error, "translate key `\(k)` is not an HTTP status or class")
                    continue
                }
                map.append((h, v.json()))
            }
            translate.append((field, map))
        }
        guard let template = node.member("template")?.json(), template.objectValue != nil else {
            report(file, node, .error, "envelope `\(id)` needs a `template` mapping")
            return
        }
        var order: Int?
        if let o = node.member("translation_order") {
            guard let n = o.integer, n >= 0 else {
                report(file, o, .error, "`translation_order` must be a whole number (0 or more)")
                return
            }
            order = Int(n)
        }
        envelopes.append(EnvelopeDefinition(
            id: id, name: stringField(node, "name", file: file) ?? id, summary: stringField(node, "summary", file: file),
            unwrapArray: node.member("unwrap_array")?.boolean ?? false,
            mediaTypes: node.member("media_types").map(stringList) ?? ["application/json"],
            require: require, prefer: prefer, fields: fields, template: template, translate: translate, translationOrder: order, file: file))
    }

    mutating func condition<N: DocNode>(_ node: N, file: String) -> EnvelopeCondition? {
        let source: FieldSource
        if let p = stringField(node, "path", file: file) {
            source = .path(FieldPath(p))
        } else if let h = stringField(node, "header", file: file) {
            source = .header(h.lowercased())
        } else {
            report(file, node, .error, "a condition needs `path` or `header`")
            return nil
        }
        if let k = node.member("is") {
            var kinds: [JSONKind] = []
            for name in stringList(k) {
                guard let kind = JSONKind(name: name) else {
                    report(file, k, .error, "`is: \(name)` is not a JSON kind (\(JSONKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                    return nil
                }
                kinds.append(kind)
            }
            return EnvelopeCondition(source: source, test: .kind(kinds))
        }
        if let e = node.member("equals") { return EnvelopeCondition(source: source, test: .equals(e.json())) }
        if let o = node.member("one_of") { return EnvelopeCondition(source: source, test: .oneOf(o.json().arrayValue ?? [])) }
        if node.member("present")?.boolean == true { return EnvelopeCondition(source: source, test: .present) }
        if node.member("absent")?.boolean == true { return EnvelopeCondition(source: source, test: .absent) }
        if let c = stringField(node, "contains", file: file) { return EnvelopeCondition(source: source, test: .contains(c.lowercased())) }
        if let m = node.member("matches"), let pattern = m.text {
            do {
                return EnvelopeCondition(source: source, test: .matches(try SharedRegex(pattern, check: checkPatterns)))
            } catch {
                report(file, m, .error, "`\(pattern)` is not a valid regular expression")
                return nil
            }
        }
        if case .header = source { return EnvelopeCondition(source: source, test: .present) }
        report(file, node, .error, "a condition needs one of is, equals, one_of, present, absent, matches, contains")
        return nil
    }

    // MARK: Codes

    static let codeKeys: Set = ["code", "domain", "http", "type", "grpc", "grpc_number", "meaning", "when", "cause", "fix",
                                "retry", "retry_reason", "fields", "parent", "aliases", "source", "notes", "example", "category"]

    mutating func addCode<N: DocNode>(_ node: N, file: String, fileIndex: Int, line: Int, column: Int) {
        guard node.kind == .map else {
            report(file, node, .error, "a code entry must be a mapping")
            return
        }
        let row = store.appendRow()
        var bad = false
        var extras = CodeExtras()
        var hasExtras = false
        var sawCode = false, sawMeaning = false, sawHTTP = false
        func text(_ v: N, _ key: String, _ column: TextColumn = .other) -> TextRef? {
            if let r = v.textRef(in: store, column: column) { return r }
            if v.kind == .int || v.kind == .double || v.kind == .bool { return store.intern(v.text ?? v.json().scalarText ?? "", in: column) }
            report(file, v, .error, "`\(key)` must be a string, not \(v.kind.rawValue)")
            bad = true
            return nil
        }
        for (key, v) in node.members() {
            switch key {
            case "code":
                sawCode = true
                if v.kind == .int, let i = v.integer {
                    store.code[row] = store.intern(String(i), in: .code)
                } else if let r = text(v, key, .code) {
                    store.code[row] = r
                }
                let isWild = store.withBytes(store.code[row]) { b -> Bool in
                    guard let star = b.firstIndex(of: UInt8(ascii: "*")) else { return false }
                    return star == b.count - 1
                }
                let hasStar = store.withBytes(store.code[row]) { $0.contains(UInt8(ascii: "*")) }
                if hasStar && !isWild {
                    report(file, v, .error, "a wildcard `*` may only end a code")
                    bad = true
                }
                if store.code[row].isEmpty { report(file, v, .error, "`code` is empty"); bad = true }
                if isWild { store.flags[row] |= CodeStore.wildcardFlag }
            case "domain": if let r = text(v, key, .domain) { store.domain[row] = r }
            case "meaning": sawMeaning = true; if let r = text(v, key, .meaning) { store.meaning[row] = r }
            case "when": if let r = text(v, key) { store.when[row] = r }
            case "cause": if let r = text(v, key) { store.cause[row] = r }
            case "fix": if let r = text(v, key) { store.fix[row] = r }
            case "retry_reason": if let r = text(v, key) { store.retryReason[row] = r }
            case "source": if let r = text(v, key) { store.source[row] = r }
            case "type": if let r = text(v, key) { store.type[row] = r }
            case "grpc": if let r = text(v, key) { store.grpc[row] = r }
            case "example": if let r = text(v, key) { store.example[row] = r }
            case "http":
                sawHTTP = true
                switch v.kind {
                case .int:
                    let s = v.integer ?? 0
                    if (100...599).contains(s) { store.http[row] = Int16(s) } else {
                        report(file, v, .error, "http \(s) is not a status code (100-599)")
                        bad = true
                    }
                case .seq:
                    let alts = v.elements().compactMap { $0.integer.map(Int.init) }
                    if alts.count != v.elements().count || alts.isEmpty || alts.contains(where: { !(100...599).contains($0) }) {
                        report(file, v, .error, "http alternatives must be status codes (100-599)")
                        bad = true
                    } else if alts.count == 1 {
                        store.http[row] = Int16(alts[0])
                    } else {
                        store.http[row] = -1
                        extras.httpAlternatives = alts
                        hasExtras = true
                    }
                default:
                    if v.text?.lowercased() == "unknown" { store.http[row] = 0 } else if let t = v.text, let s = Int(t), (100...599).contains(s) {
                        store.http[row] = Int16(s)
                    } else {
                        report(file, v, .error, "`http` must be a status code (100-599), a list of them, or `unknown`")
                        bad = true
                    }
                }
            case "retry":
                if let r = retryValue(v) { store.retry[row] = r.code } else {
                    report(file, v, .error, "`retry` must be \"yes\", \"no\", \"sometimes\" or \"once\"")
                    bad = true
                }
            case "category":
                if let c = v.text.flatMap(ErrorCategory.init(rawValue:)) { store.category[row] = c.code } else {
                    report(file, v, .error, "`category` must be one of \(ErrorCategory.allCases.map(\.rawValue).joined(separator: ", "))")
                    bad = true
                }
            case "grpc_number":
                if let n = v.integer { extras.grpcNumber = Int(n); hasExtras = true }
            case "fields": extras.fields = stringList(v); hasExtras = true
            case "aliases": extras.aliases = stringList(v); hasExtras = true
            case "parent": extras.parent = v.text; hasExtras = true
            case "notes":
                extras.notes = loadNotes(v, file: file); hasExtras = true
            default:
                report(file, v, .warning, "unknown key `\(key)` in a code entry")
            }
        }
        if !sawCode { report(file, node, .error, "code entry without `code`"); bad = true }
        if sawCode && !sawMeaning { report(file, node, .error, "code `\(store.string(store.code[row]))` has no `meaning`"); bad = true }
        if sawCode && !sawHTTP { report(file, node, .error, "code `\(store.string(store.code[row]))` has no `http` (write `unknown` if the source gives none)"); bad = true }
        if bad {
            store.removeLastRow()
            return
        }
        if hasExtras { store.extras[Int32(row)] = extras }
        store.file[row] = UInt16(truncatingIfNeeded: fileIndex)
        store.line[row] = UInt32(clamping: line)
        store.column[row] = UInt16(clamping: column)
    }

    mutating func stringField<N: DocNode>(_ node: N, _ key: String, file: String, required: Bool = false) -> String? {
        guard let v = node.member(key), v.kind != .null else {
            if required { report(file, node, .error, "missing `\(key)`") }
            return nil
        }
        if let t = v.text { return t }
        if let s = v.json().scalarText { return s }
        report(file, v, .error, "`\(key)` must be a string, not \(v.kind.rawValue)")
        return nil
    }

}
