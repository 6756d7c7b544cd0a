import Foundation

/// A code as it goes out in one envelope.
public struct RenderedEnvelope: Sendable {
    public enum Kind: String, Sendable {
        /// The system really emits this envelope.
        case emitted
        /// Not emitted by the system: what a generic HTTP mapping would give.
        case translation
    }
    /// The envelope the rendering is for (the column).
    public var envelope: String
    public var envelopeName: String
    /// The envelope the body is actually in, when a rule sends it elsewhere (Bodhi auth failures).
    public var sentAs: String
    public var kind: Kind
    public var variant: MappingVariant
    public var http: Int?
    public var body: JSONValue
    /// The envelope keeps the granular code.
    public var carriesCode: Bool
    public var sanitized: Bool
    /// The observed rendering differs from the documented one.
    public var differsByVariant: Bool
    public var notes: [String]
    public var paths: [String]
}

public struct RenderOptions: Sendable {
    public var message: String?
    public var params: [(key: String, value: String)]
    public var requestID: String?
    public var timestamp: String?
    public var variant: MappingVariant
    /// Add translations into the common envelopes for systems with one native envelope.
    public var translations: Bool

    public init(message: String? = nil, params: [(key: String, value: String)] = [], requestID: String? = nil,
                timestamp: String? = nil, variant: MappingVariant = .documented, translations: Bool = true)
    {
        self.message = message; self.params = params; self.requestID = requestID; self.timestamp = timestamp
        self.variant = variant; self.translations = translations
    }
}

/// Renders catalog codes into envelopes: the inverse of decoding.
public struct Renderer: Sendable {
    public let catalog: Catalog
    /// Envelopes a single-envelope system is translated into.
    /// The envelopes a system with one native envelope is also shown in: those with a
    /// `translation_order` in envelopes.yaml, in that order (data, like every envelope).
    public var translationTargets: [String] {
        catalog.envelopes.filter { $0.translationOrder != nil }.sorted { ($0.translationOrder!, $0.id) < ($1.translationOrder!, $1.id) }.map(\.id)
    }

    public init(catalog: Catalog) { self.catalog = catalog }

    /// Every envelope the code's system emits (and translations when it has one native envelope).
    public func render(_ entry: CodeEntry, options: RenderOptions = RenderOptions()) -> [RenderedEnvelope] {
        guard let sys = catalog.system(entry.system) else { return [] }
        // Decode-only emissions (a gateway's own shape for a few errors) are not rendered for every code.
        var out = sys.emits.filter { !$0.decodeOnly }.compactMap { renderEmitted(entry, system: sys, emission: $0, options: options) }
        if options.translations && sys.emits.count <= 1 {
            let have = Set(sys.emits.map(\.envelope))
            for target in translationTargets where !have.contains(target) {
                if let r = renderTranslation(entry, envelope: target, options: options) { out.append(r) }
            }
        }
        return out
    }

    /// One envelope: emitted when the system emits it, otherwise a translation.
    public func render(_ entry: CodeEntry, envelope: String, options: RenderOptions = RenderOptions()) -> RenderedEnvelope? {
        if let sys = catalog.system(entry.system), let em = sys.emission(for: envelope) {
            return renderEmitted(entry, system: sys, emission: em, options: options)
        }
        return renderTranslation(entry, envelope: envelope, options: options)
    }

    // MARK: Emitted

    struct Outcome {
        var context: JSONObject
        var envelope: String
        var sanitized: Bool
        var notes: [String]
    }

    func apply(_ entry: CodeEntry, emission em: Emission, variant: MappingVariant, base: JSONObject) -> Outcome {
        var ctx = base
        var envelope = em.envelope
        var sanitized = false
        var notes: [String] = []
        var setMatched = false
        let http = entry.http.primary
        for rule in em.rules {
            if let v = rule.variant, v != variant { continue }
            let m = rule.match
            // `otherwise` applies only when no earlier rule set a field; an empty match applies to every code.
            if m.otherwise && setMatched { continue }
            if !m.http.isEmpty && !m.http.contains(where: { $0.matches(http) }) { continue }
            if !m.domains.isEmpty && !m.domains.contains(entry.domain) { continue }
            if !m.codes.isEmpty && !m.codes.contains(entry.code) { continue }
            for (k, v) in rule.set.pairs { ctx[k] = Template.substitute(v, ctx) ?? .null }
            if !rule.set.isEmpty { setMatched = true }
            if let s = rule.sanitize {
                ctx["message"] = .string(s)
                sanitized = true
            }
            if let e = rule.envelope { envelope = e }
            if let n = rule.note { notes.append("\(rule.variant?.rawValue ?? "documented"): \(n)") }
        }
        return Outcome(context: ctx, envelope: envelope, sanitized: sanitized, notes: notes)
    }

    func renderEmitted(_ entry: CodeEntry, system: SystemInfo, emission em: Emission, options: RenderOptions) -> RenderedEnvelope? {
        let base = context(entry, options: options)
        let mine = apply(entry, emission: em, variant: options.variant, base: base)
        let other = apply(entry, emission: em, variant: options.variant == .documented ? .observed : .documented, base: base)
        // A rule may send the error in another envelope: then that envelope's own code policy applies.
        func carries(_ o: Outcome) -> Bool { o.envelope == em.envelope ? em.carriesCode : (system.emission(for: o.envelope)?.carriesCode ?? true) }
        guard let (body, http, fillNotes) = build(entry, outcome: mine, carriesCode: carries(mine)) else { return nil }
        let otherBody = build(entry, outcome: other, carriesCode: carries(other))
        let differs = otherBody.map { $0.0 != body || $0.1 != http } ?? false
        let def = catalog.envelope(em.envelope)
        return RenderedEnvelope(
            envelope: em.envelope, envelopeName: def?.name ?? em.envelope, sentAs: mine.envelope, kind: .emitted,
            variant: options.variant, http: http, body: body, carriesCode: carries(mine),
            sanitized: mine.sanitized, differsByVariant: differs, notes: mine.notes + fillNotes, paths: em.paths)
    }

    /// Fills the envelope's template; fields the rules left empty come from its generic translation.
    func build(_ entry: CodeEntry, outcome: Outcome, carriesCode: Bool) -> (JSONValue, Int?, [String])? {
        guard let def = catalog.envelope(outcome.envelope) else { return nil }
        var ctx = outcome.context
        var notes: [String] = []
        let http = ctx["http"]?.intValue.map(Int.init)
        for t in def.translate where ctx[t.field] == nil || ctx[t.field]?.isNull == true {
            if let v = def.translated(t.field, http: http) {
                ctx[t.field] = v
                if entry.type == nil || t.field != "type" {
                    notes.append("\(t.field) from the generic HTTP mapping (the catalog gives no rule for HTTP \(http.map(String.init) ?? "?"))")
                }
            }
        }
        if !carriesCode { ctx["code"] = nil }
        if http == nil, ctx["reason"] == nil { ctx["reason"] = .string("Error") }
        let body = Template.render(def.template, ctx)
        return (body, http, notes)
    }

    // MARK: Translations

    func renderTranslation(_ entry: CodeEntry, envelope: String, options: RenderOptions) -> RenderedEnvelope? {
        guard let def = catalog.envelope(envelope) else { return nil }
        var ctx = context(entry, options: options)
        var notes = ["translation: \(entry.system) does not emit \(def.name); this is what a generic HTTP mapping gives"]
        guard let http = entry.http.primary else {
            notes.append("HTTP status unknown: no mapping is possible")
            return RenderedEnvelope(envelope: envelope, envelopeName: def.name, sentAs: envelope, kind: .translation,
                                    variant: options.variant, http: nil, body: .null, carriesCode: false, sanitized: false,
                                    differsByVariant: false, notes: notes, paths: [])
        }
        for t in def.translate {
            if let v = def.translated(t.field, http: http) { ctx[t.field] = v }
        }
        let carries = Template.mentions(def.template, "code")
        if !carries { notes.append("\(def.name) has no field for the code: `\(entry.code)` is lost") }
        if !carries { ctx["code"] = nil }
        return RenderedEnvelope(envelope: envelope, envelopeName: def.name, sentAs: envelope, kind: .translation,
                                variant: options.variant, http: http, body: Template.render(def.template, ctx),
                                carriesCode: carries, sanitized: false, differsByVariant: false, notes: notes, paths: [])
    }

    // MARK: Context

    func context(_ entry: CodeEntry, options: RenderOptions) -> JSONObject {
        var ctx = JSONObject()
        let h = wordHash(entry.id)
        ctx["code"] = .string(entry.code.hasSuffix("*") ? String(entry.code.dropLast()) + "example" : entry.code)
        if let t = entry.type { ctx["type"] = .string(t) }
        if let g = entry.grpc { ctx["status"] = .string(g) }
        if let http = entry.http.primary {
            ctx["http"] = .int(Int64(http))
            if let r = HTTPReason.phrase(http) { ctx["reason"] = .string(r) }
        }
        ctx["message"] = .string(options.message ?? entry.example ?? entry.meaning)
        if !options.params.isEmpty {
            ctx["params"] = .object(JSONObject(options.params.map { (key: $0.key, value: .string($0.value)) }))
            ctx["param"] = .string(options.params.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        }
        ctx["request_id"] = .string(options.requestID ?? "req_" + String(h, radix: 16).prefix(12))
        if let ts = options.timestamp { ctx["timestamp"] = .string(ts) }
        ctx["uuid"] = .string(Self.uuid(h))
        for f in entry.fields {
            let name = f.split(separator: ".").last.map(String.init) ?? f
            if ["retry_after", "retry_after_secs"].contains(name) { ctx[name] = .int(60) }
            if name == "details" || name == "errors" {
                ctx["details"] = .array([["field": "name", "message": "must not be empty"]])
            }
            if name == "need" { ctx["need"] = .string("leads:read") }
        }
        return ctx
    }

    static func uuid(_ h: UInt64) -> String {
        let a = String(format: "%016llx", h)
        let b = String(format: "%016llx", h &* 0x9E37_79B9_7F4A_7C15)
        let s = Array(a + b)
        return "\(String(s[0..<8]))-\(String(s[8..<12]))-4\(String(s[13..<16]))-a\(String(s[17..<20]))-\(String(s[20..<32]))"
    }
}

/// `${name}` placeholders in envelope templates.
enum Template {
    /// Renders a template; keys whose exact placeholder has no value are left out.
    static func render(_ t: JSONValue, _ ctx: JSONObject) -> JSONValue {
        substitute(t, ctx) ?? .null
    }

    static func substitute(_ t: JSONValue, _ ctx: JSONObject) -> JSONValue? {
        switch t {
        case .string(let s):
            if let (name, mod) = exact(s) {
                let v = ctx[name]
                switch mod {
                case "null": return v ?? .null
                case "str": return v.map { .string($0.scalarText ?? $0.compactText) }
                case "int":
                    if let i = v?.intValue ?? v?.stringValue.flatMap({ Int64($0) }) { return .int(i) }
                    return nil
                default:
                    if let v, !v.isNull { return v }
                    if let mod, !mod.isEmpty { return .string(mod) }  // ${name|default text}
                    return nil
                }
            }
            guard s.contains("${") else { return t }
            var out = ""
            var rest = Substring(s)
            while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
                out += rest[..<open.lowerBound]
                let name = String(rest[open.upperBound..<close]).split(separator: "|").first.map(String.init) ?? ""
                out += ctx[name]?.scalarText ?? ""
                rest = rest[rest.index(after: close)...]
            }
            out += rest
            return .string(out)
        case .object(let o):
            var pairs: [(key: String, value: JSONValue)] = []
            for (k, v) in o.pairs { if let r = substitute(v, ctx) { pairs.append((k, r)) } }
            return .object(JSONObject(pairs))
        case .array(let a):
            return .array(a.compactMap { substitute($0, ctx) })
        default:
            return t
        }
    }

    private static func exact(_ s: String) -> (String, String?)? {
        guard s.hasPrefix("${"), s.hasSuffix("}"), s.count > 3 else { return nil }
        let inner = s.dropFirst(2).dropLast()
        guard !inner.contains("${") else { return nil }
        let parts = inner.split(separator: "|", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : nil)
    }

    static func mentions(_ t: JSONValue, _ field: String) -> Bool {
        switch t {
        case .string(let s): return s.contains("${\(field)}") || s.contains("${\(field)|")
        case .object(let o): return o.pairs.contains { mentions($0.value, field) }
        case .array(let a): return a.contains { mentions($0, field) }
        default: return false
        }
    }
}
