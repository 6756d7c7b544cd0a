import ArgumentParser
import ErrscopeCore
import Foundation

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Show a code as it goes out in every envelope of its system.",
        discussion: """
            Without --envelope or --all: the envelopes the system emits (plus translations into the
            common envelopes when it has only one). --observed shows what the real service sends where
            that differs from its documentation.
            """).topLevel

    @Argument(help: "The code (a wildcard renders an example code).")
    var code: String

    @OptionGroup var systemOption: SystemOption
    var system: String? { systemOption.system }

    @Option(help: "The domain, when the code exists in several domains of a system.")
    var domain: String?

    @Option(name: .shortAndLong, help: "Only this envelope.")
    var envelope: String?

    @Flag(help: "Emitted envelopes and translations into every common envelope.")
    var all = false

    @Flag(help: "Render what the real service sends (observed) instead of the documented mapping.")
    var observed = false

    @Option(name: .shortAndLong, help: "The message to put in the body.")
    var message: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A param (repeatable).", valueName: "key=value"))
    var params: [String] = []

    @Flag(help: "Print JSON: an array of renderings.")
    var json = false

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        if envelope != nil && all { throw ValidationError("--envelope and --all exclude each other") }
        for p in params where !p.contains("=") { throw ValidationError("--param takes key=value, got `\(p)`") }
    }

    func run() throws {
        let catalog = catalogOptions.load()
        var entries = catalog.resolve(code: code, system: system)
        if entries.isEmpty { entries = catalog.lookup(code, system: system).filter { $0.basis <= .alias }.map(\.entry) }
        if let d = domain { entries = entries.filter { $0.domain == d } }
        guard let entry = entries.first else {
            Output.err("errscope: no code `\(Present.safe(code, limit: 80))`\(system.map { " in \($0)" } ?? "")")
            let near = catalog.suggestions(for: code)
            if !near.isEmpty { Output.err("did you mean: " + near.map { "\($0.code) (\($0.system))" }.joined(separator: ", ")) }
            throw ExitCode.notFound
        }
        if entries.count > 1 {
            Output.err("errscope: `\(code)` is in \(entries.count) places; rendering \(entry.system)/\(entry.domain). Others: "
                + entries.dropFirst().map { "\($0.system)/\($0.domain)" }.joined(separator: ", ") + " (use --system / --domain)")
        }
        if let e = envelope, catalog.envelope(e) == nil {
            throw ValidationError("unknown envelope `\(e)`; known: \(catalog.envelopes.map(\.id).joined(separator: ", "))")
        }
        let renderer = Renderer(catalog: catalog)
        var options = RenderOptions(variant: observed ? .observed : .documented)
        options.message = message
        options.params = params.map { p in
            let i = p.firstIndex(of: "=")!
            return (String(p[..<i]), String(p[p.index(after: i)...]))
        }
        var renderings: [RenderedEnvelope]
        if let e = envelope {
            renderings = renderer.render(entry, envelope: e, options: options).map { [$0] } ?? []
        } else {
            renderings = renderer.render(entry, options: options)
            if all {
                let have = Set(renderings.map(\.envelope))
                for t in renderer.translationTargets where !have.contains(t) {
                    if let r = renderer.render(entry, envelope: t, options: options) { renderings.append(r) }
                }
            }
        }
        if json {
            Output.line(JSONValue.array(renderings.map(Self.json)).prettyText)
            return
        }
        Output.line("\(entry.system)/\(Present.safe(entry.domain))/\(Present.safe(entry.code)) · HTTP \(entry.http) · \(options.variant.rawValue)")
        for r in renderings {
            Output.line()
            var head = "── \(Present.safe(r.envelopeName)) [\(Present.safe(r.envelope))]"
            head += r.http.map { " · HTTP \($0)" } ?? " · HTTP unknown"
            head += r.kind == .translation ? " · translation" : ""
            if r.sentAs != r.envelope { head += " · sent as \(Present.safe(r.sentAs))" }
            if r.sanitized { head += " · message sanitized" }
            if !r.carriesCode { head += " · no code" }
            if r.differsByVariant { head += " · \(options.variant == .documented ? "observed" : "documented") differs" }
            Output.line(head)
            if !r.paths.isEmpty { Output.line("   paths: " + Present.safe(r.paths.joined(separator: " "))) }
            if !r.body.isNull { Output.line(TerminalText.sanitize(r.body.prettyText)) }
            for n in r.notes { Output.line("   note: " + Present.safe(n)) }
        }
    }

    static func json(_ r: RenderedEnvelope) -> JSONValue {
        [
            "envelope": .string(r.envelope), "sent_as": .string(r.sentAs), "kind": .string(r.kind.rawValue),
            "variant": .string(r.variant.rawValue), "http": r.http.map { .int(Int64($0)) } ?? .null, "body": r.body,
            "carries_code": .bool(r.carriesCode), "sanitized": .bool(r.sanitized),
            "differs_by_variant": .bool(r.differsByVariant), "notes": .array(r.notes.map { .string($0) }),
            "paths": .array(r.paths.map { .string($0) }),
        ]
    }
}

struct Envelopes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelopes",abstract: "List the envelopes: their shape, how they are detected, who emits them.").topLevel

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        let catalog = catalogOptions.load()
        var items: [JSONValue] = []
        for env in catalog.envelopes {
            let emitters = catalog.systems.filter { $0.emission(for: env.id) != nil }.map(\.id)
            if json {
                items.append([
                    "id": .string(env.id), "name": .string(env.name), "shape": .string(env.shape),
                    "summary": env.summary.map { .string($0) } ?? .null,
                    "emitted_by": .array(emitters.map { .string($0) }), "file": .string(env.file),
                ])
                continue
            }
            Output.line("\(Present.safe(env.id))  —  \(Present.safe(env.name))")
            Output.line("  shape   \(Present.safe(env.shape))")
            if let s = env.summary { Output.line("  about   " + Present.wrap(Present.safe(s), indent: 10)) }
            Output.line("  detect  " + Present.safe(env.require.map(Self.describe).joined(separator: " and ")))
            if !emitters.isEmpty { Output.line("  systems " + Present.safe(emitters.joined(separator: ", "))) }
            Output.line()
        }
        if json {
            items.append(["id": "none", "name": "no known envelope", "shape": "HTML, text, empty, binary or JSON of no known shape",
                          "summary": .null, "emitted_by": [], "file": .null])
            Output.line(JSONValue.array(items).prettyText)
        } else {
            Output.line("none  —  no known envelope")
            Output.line("  shape   HTML from a proxy, plain text, empty, binary, truncated or unrecognised JSON")
        }
    }

    static func describe(_ c: EnvelopeCondition) -> String {
        let what: String
        switch c.test {
        case .kind(let k): what = "is \(k.map(\.rawValue).joined(separator: "|"))"
        case .equals(let v): what = "= \(v.compactText)"
        case .oneOf(let vs): what = "in \(vs.count) values"
        case .present: what = "present"
        case .absent: what = "absent"
        case .matches(let r): what = "~ /\(r.pattern)/"
        case .contains(let t): what = "contains \(t)"
        }
        return "\(c.source) \(what)"
    }
}
