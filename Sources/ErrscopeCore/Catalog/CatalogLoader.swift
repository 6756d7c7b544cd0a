import Foundation
import Yams

/// Reads catalog files into a `Catalog`. A broken file or entry is reported as a `Diagnostic`
/// with file, line and column, and everything else still loads.
public struct CatalogLoader {
    public private(set) var diagnostics: [Diagnostic] = []
    var systems: [SystemInfo] = []
    var systemSlots: [String: Int] = [:]
    var envelopes: [EnvelopeDefinition] = []
    var traffic = TrafficRules()
    let store = CodeStore()
    /// Compile every regular expression at load to report a bad one (lint, the build's embed
    /// step, user files); the bundled catalogs, checked when errscope was built, skip it.
    public var checkPatterns = true

    /// Files larger than this are refused (a catalog is data, not a dump).
    public static let maxFileSize = 512 << 20

    public init() {}

    // MARK: Entry points

    /// Loads a file or every `*.yaml`, `*.yml` and `*.json` file of a folder (sorted by name).
    public mutating func load(path: String) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            report(path, 0, 0, .error, "no such file or folder")
            return
        }
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for name in names.sorted() where Self.isCatalogFileName(name) && name != "schema.json" {
                load(path: (path as NSString).appendingPathComponent(name))
            }
            return
        }
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attrs[.size] as? Int
        else {
            report(path, 0, 0, .error, "cannot read the file")
            return
        }
        if size > Self.maxFileSize {
            report(path, 0, 0, .error, "file is \(size) bytes; catalogs are read up to \(Self.maxFileSize) bytes")
            return
        }
        // Map the file rather than read it: parsing walks it once, front to back, and gives
        // back the pages it has passed (its text is copied into the store as it goes), so a
        // large catalog is never resident all at once.
        if let mapped = MappedFile(path: path) {
            // A large JSON catalog leaves its detail texts in the file (see `DeferredFile`).
            var deferTo: Int?
            if mapped.bytes.count > Self.deferredTextThreshold, let f = CodeStore.DeferredFile(path: path, duplicating: mapped.fd) {
                store.deferredFiles.append(f)
                deferTo = store.deferredFiles.count - 1
            }
            load(buffer: mapped.bytes, file: path, deferTo: deferTo) { mapped.release(upTo: $0) }
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            report(path, 0, 0, .error, "cannot read the file: \(String(cString: strerror(errno)))")
            return
        }
        defer { close(fd) }
        // Not mappable (a pipe, /dev/stdin, an empty file): read it.
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while data.count <= Self.maxFileSize {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        if data.count > Self.maxFileSize {
            report(path, 0, 0, .error, "more than \(Self.maxFileSize) bytes; catalogs are read up to that")
            return
        }
        load(bytes: data, file: path)
    }

    static func isCatalogFileName(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json"))
    }

    /// Loads catalog text; JSON (first non-space byte `{`) takes the fast path, the rest is YAML.
    public mutating func load(bytes: [UInt8], file: String) {
        bytes.withUnsafeBufferPointer { load(buffer: $0, file: file) }
    }

    /// JSON files larger than this leave their detail texts on disk.
    static let deferredTextThreshold = 1 << 20

    /// `release(n)` is told when the first `n` bytes are no longer needed.
    mutating func load(buffer: UnsafeBufferPointer<UInt8>, file: String, deferTo: Int? = nil, release: ((Int) -> Void)? = nil) {
        let first = buffer.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if first == UInt8(ascii: "{") {
            loadJSON(buffer, file: file, deferTo: deferTo, release: release)
        } else {
            loadYAML(String(decoding: buffer, as: UTF8.self), file: file)
        }
    }

    public mutating func loadYAML(_ text: String, file: String) {
        let fileIndex = addFile(file)
        let node: Node?
        do {
            node = try YAMLReader.compose(text)
        } catch {
            report(file, error.line, error.column, .error, "invalid YAML: \(error.message); the file was not loaded")
            return
        }
        guard let root = node.map(YAMLDoc.init) else {
            report(file, 1, 1, .warning, "empty catalog file")
            return
        }
        guard root.kind == .map else {
            let l = root.location()
            report(file, l.line, l.column, .error, "a catalog file must be a mapping with `errscope: 1` at the top")
            return
        }
        let firstRow = store.count
        for code in root.member("codes")?.elements() ?? [] {
            let l = code.location()
            addCode(code, file: file, fileIndex: fileIndex, line: l.line, column: l.column)
        }
        if let codes = root.member("codes"), codes.kind != .seq, codes.kind != .null {
            let l = codes.location()
            report(file, l.line, l.column, .error, "`codes` must be a list")
        }
        loadHeader(root.members().filter { $0.key != "codes" }, root: root, file: file, firstRow: firstRow)
    }

    public mutating func loadJSON(_ bytes: [UInt8], file: String) {
        bytes.withUnsafeBufferPointer { loadJSON($0, file: file, deferTo: nil, release: nil) }
    }

    /// Loads a JSON catalog. Every string the catalog keeps is copied into the store, so `buf`
    /// need not outlive the call; `release(n)` is told as the first `n` bytes stop being needed.
    mutating func loadJSON(_ buf: UnsafeBufferPointer<UInt8>, file: String, deferTo: Int?, release: ((Int) -> Void)?) {
        let fileIndex = addFile(file)
        let firstRow = store.count
        // About 300 bytes a code: reserve the columns once instead of doubling them as they grow;
        // the text is at most the file's size (pages the arena never reaches cost nothing).
        if buf.count > 1 << 20 {
            store.reserve(store.count + buf.count / 300 + 64)
            // Estimated shares of the text; an underestimate only means a realloc.
            store.reserveText(buf.count / 8, in: .code)
            store.reserveText(buf.count / 16, in: .domain)
            store.reserveText(buf.count / 4, in: .meaning)
            store.reserveText(deferTo == nil ? buf.count : buf.count / 8, in: .other)
        }
        var header: [(key: String, value: TapeDoc)] = []
        var lines = LineCursor()
        var released = 0
        do {
            let codeTape = JSONTape()
            // Walk the top-level object by hand so that `codes` streams one entry at a time.
            var i = JSONTape.skipWhitespace(buf, 0)
            if i + 2 < buf.count, buf[i] == 0xEF, buf[i + 1] == 0xBB, buf[i + 2] == 0xBF { i = JSONTape.skipWhitespace(buf, i + 3) }
            func failAt(_ e: JSONError) {
                let lc = JSONError.lineColumn(of: e.offset, in: buf)
                report(file, lc.line, lc.column, .error, "invalid JSON: \(e.message); the rest of the file was not loaded")
                // What came before still needs its system (or goes, if the file had none yet).
                if store.count > firstRow || !header.isEmpty { loadHeader(header, root: nil, file: file, firstRow: firstRow) }
            }
            func expect(_ c: Character) -> Bool {
                i = JSONTape.skipWhitespace(buf, i)
                if i < buf.count, buf[i] == c.asciiValue! { i += 1; return true }
                failAt(JSONError(message: "expected '\(c)'", offset: i, truncated: i >= buf.count))
                return false
            }
            guard expect("{") else { return }
            i = JSONTape.skipWhitespace(buf, i)
            if i < buf.count, buf[i] == UInt8(ascii: "}") { return }
            while true {
                let keyTape = JSONTape()
                do throws(JSONError) {
                    i = try keyTape.parseValue(buf, from: i)
                } catch { failAt(error); return }
                guard keyTape.kind(0) == .string else {
                    failAt(JSONError(message: "expected a string key", offset: i, truncated: false))
                    return
                }
                let key = keyTape.string(0, in: buf)
                guard expect(":") else { return }
                if key == "codes" {
                    i = JSONTape.skipWhitespace(buf, i)
                    if i < buf.count, buf[i] == UInt8(ascii: "[") {
                        i = JSONTape.skipWhitespace(buf, i + 1)
                        if i < buf.count, buf[i] == UInt8(ascii: "]") {
                            i += 1
                        } else {
                            while true {
                                i = JSONTape.skipWhitespace(buf, i)
                                lines.advance(to: i, in: buf)
                                let (line, column) = (lines.line, lines.column(of: i))
                                if i < buf.count, buf[i] == UInt8(ascii: "{"),
                                    let end = JSONCodeEntry.read(buf, at: i, into: store, file: UInt16(truncatingIfNeeded: fileIndex), line: line, column: column, deferTo: deferTo)
                                {
                                    i = end
                                } else {
                                    do throws(JSONError) {
                                        i = try codeTape.parseValue(buf, from: i)
                                    } catch { failAt(error); return }
                                    addCode(TapeDoc(tape: codeTape, index: 0, buf: buf), file: file, fileIndex: fileIndex, line: line, column: column)
                                }
                                if let release, i - released > 1 << 20 {
                                    released = i
                                    release(i)
                                }
                                i = JSONTape.skipWhitespace(buf, i)
                                guard i < buf.count else { failAt(JSONError(message: "", offset: i, truncated: true)); return }
                                if buf[i] == UInt8(ascii: ",") { i += 1; continue }
                                if buf[i] == UInt8(ascii: "]") { i += 1; break }
                                failAt(JSONError(message: "expected ',' or ']'", offset: i, truncated: false))
                                return
                            }
                        }
                    } else {
                        let t = JSONTape()
                        do throws(JSONError) { i = try t.parseValue(buf, from: i) } catch { failAt(error); return }
                        let lc = JSONError.lineColumn(of: i, in: buf)
                        report(file, lc.line, lc.column, .error, "`codes` must be a list")
                    }
                } else {
                    let t = JSONTape()
                    do throws(JSONError) { i = try t.parseValue(buf, from: i) } catch { failAt(error); return }
                    header.append((key, TapeDoc(tape: t, index: 0, buf: buf)))
                }
                i = JSONTape.skipWhitespace(buf, i)
                guard i < buf.count else { failAt(JSONError(message: "", offset: i, truncated: true)); return }
                if buf[i] == UInt8(ascii: ",") { i = JSONTape.skipWhitespace(buf, i + 1); continue }
                if buf[i] == UInt8(ascii: "}") { break }
                failAt(JSONError(message: "expected ',' or '}'", offset: i, truncated: false))
                return
            }
            loadHeader(header, root: nil, file: file, firstRow: firstRow)
        }
    }

    private mutating func addFile(_ name: String) -> Int {
        store.fileNames.append(name)
        return store.fileNames.count - 1
    }

    mutating func report(_ file: String, _ line: Int, _ col: Int, _ sev: Diagnostic.Severity, _ msg: String) {
        diagnostics.append(Diagnostic(file: file, line: line, column: col, severity: sev, message: msg))
    }

    mutating func report<N: DocNode>(_ file: String, _ node: N, _ sev: Diagnostic.Severity, _ msg: String) {
        let l = node.location()
        report(file, l.line, l.column, sev, msg)
    }

    // MARK: Header: version, system, domains, envelopes

    private mutating func loadHeader<N: DocNode>(_ members: [(key: String, value: N)], root: N?, file: String, firstRow: Int) {
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

    private mutating func loadSystem<N: DocNode>(_ node: N, file: String) -> Int? {
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

    private mutating func loadEmission<N: DocNode>(_ node: N, file: String) -> Emission? {
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

    private mutating func loadRetryRule<N: DocNode>(_ node: N, file: String) -> RetryRule? {
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

    private mutating func loadEnvelope<N: DocNode>(_ node: N, file: String) {
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

    private mutating func addCode<N: DocNode>(_ node: N, file: String, fileIndex: Int, line: Int, column: Int) {
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

    // MARK: Finish

    /// Resolves derived data (domains, default sources, retry classes), checks cross-references
    /// and returns the catalog.
    public consuming func finish() -> Catalog {
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

    private mutating func checkDuplicates() {
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

    private mutating func checkReferences() {
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
