import ArgumentParser
import ErrscopeCore
import ErrscopeJournal
import ErrscopeProbe
import ErrscopeProbeClient
import Foundation

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Send a request to an endpoint and decode the error that comes back.",
        discussion: """
            TARGET is ENDPOINT or ENDPOINT/REQUEST from endpoints.yaml (docs/ENDPOINTS.md), or a URL.
            The answer is decoded with the catalog: envelope, code, meaning, retry advice. Every probe
            is recorded in the journal (secrets redacted) unless --no-journal.

            Exit codes (as xh's): 0 for a 2xx answer, 3 / 4 / 5 for 3xx / 4xx / 5xx, 2 for a timeout,
            6 for a redirect loop, 1 for a connection failure or any other error, 64 for a usage
            error. With --watch, the last probe's.
            """).topLevel

    @Argument(help: ArgumentHelp("ENDPOINT[/REQUEST] or a URL.", valueName: "target"))
    var target: String

    @Option(name: [.customShort("X"), .customLong("request")], help: ArgumentHelp("The HTTP method.", valueName: "method"))
    var method: String?

    @OptionGroup var headerOptions: HeaderOptions
    var headers: [String] { headerOptions.headers }

    @Option(name: [.customShort("d"), .customLong("data")], help: ArgumentHelp("The request body; @FILE reads a file, @- standard input.", valueName: "body"))
    var data: String?

    @OptionGroup var systemOption: SystemOption
    var system: String? { systemOption.system }

    @Flag(help: "Print JSON: the decode object plus `timing`, `request`, `response` and `failure`.")
    var json = false

    @Option(help: ArgumentHelp("Repeat every SECONDS (one line per probe).", valueName: "seconds"))
    var watch: Double?

    @Option(help: "With --watch: stop after this many probes (default: until interrupted).")
    var count: Int?

    @Flag(help: "Ask for a streamed answer: sets \"stream\": true in the JSON body and reads the events as they arrive.")
    var stream = false

    @Flag(help: "Print the equivalent curl command (secrets as $VARIABLES or masked) and send nothing.")
    var curl = false

    @Option(help: ArgumentHelp("Total timeout in seconds (default: the endpoint's, else 30).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Connect timeout in seconds (default: the endpoint's, else 5).", valueName: "seconds"))
    var connectTimeout: Double?

    @Flag(name: [.customShort("k"), .long], help: "Do not verify the TLS certificate.")
    var insecure = false

    @Flag(name: [.customShort("L"), .long], help: "Follow redirects (at most 10; loops are reported).")
    var follow = false

    @Option(name: .customLong("max-body"), help: ArgumentHelp("Read at most this many bytes of the body (default 16 MiB).", valueName: "bytes"))
    var maxBody: Int?

    @Flag(name: .customLong("no-journal"), help: "Do not record this probe in the journal.")
    var noJournal = false

    @Option(help: ArgumentHelp("The journal file (default: $XDG_STATE_HOME/errscope/journal.sqlite).", valueName: "path"))
    var journal: String?

    @Option(help: ArgumentHelp("The endpoints file (default: $XDG_CONFIG_HOME/errscope/endpoints.yaml).", valueName: "path"))
    var endpoints: String?

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        if let w = watch, !(0.1...86400).contains(w) { throw ValidationError("--watch takes 0.1 to 86400 seconds") }
        if let c = count, c < 1 { throw ValidationError("--count must be at least 1") }
        if count != nil && watch == nil { throw ValidationError("--count goes with --watch SECONDS") }
        if let t = timeout, !(0.001...3600).contains(t) { throw ValidationError("--timeout takes 0.001 to 3600 seconds") }
        if let t = connectTimeout, !(0.001...3600).contains(t) { throw ValidationError("--connect-timeout takes 0.001 to 3600 seconds") }
        if let m = maxBody, m < 1 { throw ValidationError("--max-body must be at least 1 byte") }
        if let m = method, !RequestBuilder.isValidMethod(m.uppercased()) { throw ValidationError("-X `\(m)` is not an HTTP method") }
        for h in headers where RequestBuilder.parseHeader(h) == nil { throw ValidationError("-H takes 'Name: value', got `\(h)`") }
    }

    /// The spec from the target, the config and the flags.
    func makeSpec(config: EndpointsConfig) throws -> ProbeSpec {
        var spec: ProbeSpec
        if target.contains("://") {
            guard target.hasPrefix("http://") || target.hasPrefix("https://") else {
                throw ValidationError("only http:// and https:// URLs can be probed")
            }
            spec = ProbeSpec(url: target)
            // Under a configured endpoint: its base decides which path the envelope is chosen by,
            // and its system is the likely answerer (its credentials are not added).
            if let e = config.endpoint(containing: target) {
                spec.baseURL = e.url
                if spec.system == nil { spec.system = e.system }
            }
        } else {
            let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
            guard let name = parts.first, let e = config.endpoint(named: name) else {
                let known = config.endpoints.map(\.name)
                throw ValidationError("no endpoint `\(target)` in \(endpoints ?? EndpointsConfig.path())"
                    + (known.isEmpty ? " (no endpoints configured; give a URL, or see docs/ENDPOINTS.md)" : "; endpoints: \(known.joined(separator: ", "))"))
            }
            var request: SavedRequest?
            if parts.count > 1 {
                guard let r = e.request(named: parts[1]) else {
                    throw ValidationError("endpoint `\(name)` has no request `\(parts[1])`; requests: \(e.requests.map(\.name).joined(separator: ", "))")
                }
                request = r
            }
            spec = ProbeSpec(endpoint: e, request: request)
        }
        if let m = method { spec.method = m.uppercased() }
        for h in headers { spec.setHeader(RequestBuilder.parseHeader(h)!) }
        if let d = data {
            spec.body = try readBody(d)
            if method == nil, spec.method == "GET" { spec.method = "POST" }
            if (try? JSONValue.parse(spec.body ?? "")) != nil { spec.ensureJSONContentType() }
        }
        if stream {
            guard case .object(var o)? = spec.body.flatMap({ try? JSONValue.parse($0) }) else {
                throw ValidationError("--stream needs a JSON object body (give one with -d or a saved request)")
            }
            o["stream"] = true
            spec.body = JSONValue.object(o).compactText
            spec.ensureJSONContentType()
            if !spec.headers.contains(where: { $0.name.caseInsensitiveCompare("Accept") == .orderedSame }) {
                spec.headers.append(("Accept", "text/event-stream"))
            }
        }
        if let s = system { spec.system = s }
        if let t = timeout { spec.totalTimeout = t }
        if let t = connectTimeout { spec.connectTimeout = t }
        if insecure { spec.insecure = true }
        if follow { spec.followRedirects = true }
        if let m = maxBody { spec.maxBody = m }
        return spec
    }

    func readBody(_ d: String) throws -> String {
        guard d.hasPrefix("@") else { return d }
        let path = String(d.dropFirst())
        let data = path == "-" ? Output.stdinReader().readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        guard let data else {
            Output.warn("cannot read \(path)")
            throw ExitCode.noInput
        }
        return String(decoding: data, as: UTF8.self)
    }

    func run() throws {
        let configPath = endpoints ?? EndpointsConfig.path()
        let config = EndpointsConfig.load(path: configPath)
        for p in config.problems { Output.warn(p) }
        for w in config.warnings { Output.warn(w) }
        let spec = try makeSpec(config: config)
        if curl {
            Output.line(CurlCommand.make(spec))
            return
        }
        let catalog = catalogOptions.load()
        if let s = spec.system, catalog.system(s) == nil {
            throw ValidationError("unknown system `\(s)`; known: \(catalog.systems.map(\.id).joined(separator: ", "))")
        }
        let prober = Prober(catalog: catalog)
        // The journal opens on another thread while the first request is on the wire.
        let opening = noJournal ? nil : ProbeJournal.openInBackground(journal)

        var last: Int32 = 0
        var n = 0
        while true {
            n += 1
            let outcome = Blocking.run { await prober.run(spec) }
            // Recorded before anything is printed: once a verdict is shown, it is in the journal.
            let id = opening?.wait().flatMap { ProbeJournal.record(outcome, in: $0) }
            if n == 1 { for w in outcome.warnings { Output.warn(w) } }
            if watch != nil {
                if json { Output.line(ProbeJSON.make(outcome, journalID: id).compactText) } else { ProbeText.watchLine(outcome) }
            } else if json {
                Output.line(ProbeJSON.make(outcome, journalID: id).prettyText)
            } else {
                ProbeText.print(outcome, journalID: id)
            }
            Output.flush()
            last = outcome.exitCode
            guard let w = watch, count.map({ n < $0 }) ?? true else { break }
            Thread.sleep(forTimeInterval: w)
        }
        if last != 0 { throw ExitCode(last) }
    }
}

/// The journal as the probe uses it: opening it never stops a probe.
enum ProbeJournal {
    /// Kept open until the process ends, on purpose: closing the last connection makes SQLite
    /// checkpoint the WAL into the database with two fsyncs (~10 ms here), and deletes the WAL so
    /// the next run pays for recreating it. Ending without closing is what `kill -9` does, which
    /// the journal is built to survive: committed probes are in the WAL and the next open
    /// recovers them; writers checkpoint automatically as the WAL grows.
    nonisolated(unsafe) static var keptOpen: [Journal] = []

    // @unchecked Sendable: `journal` is written once before `done.signal()` and read only after `done.wait()`.
    final class Opening: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var journal: Journal?
        init(_ path: String?) {
            DispatchQueue.global(qos: .userInitiated).async {
                self.journal = ProbeJournal.open(path)
                self.done.signal()
            }
        }
        func wait() -> Journal? {
            done.wait()
            done.signal()
            return journal
        }
    }

    static func openInBackground(_ path: String?) -> Opening { Opening(path) }

    static func open(_ path: String?) -> Journal? {
        let p = path ?? Journal.defaultPath()
        do {
            let j = try Journal(path: p)
            keptOpen.append(j)
            return j
        } catch {
            Output.warn("not recording this probe: \(error)")
            return nil
        }
    }

    static func record(_ o: ProbeOutcome, in journal: Journal) -> Int64? {
        do { return try journal.record(entry(o)) } catch {
            Output.warn("could not record the probe: \(error)")
            return nil
        }
    }

    static func entry(_ o: ProbeOutcome) -> JournalEntry {
        // The outcome is masked already (ProbeOutcome): nothing is masked again here.
        let verdict = o.verdict.map { VerdictJSON.make($0).compactText } ?? "null"
        return JournalEntry(
            time: o.startedAt, endpoint: o.label, method: o.method, url: o.url,
            requestHeaders: o.requestHeaders.map { [$0.name, $0.value] }, requestBody: o.requestBody.map { String($0.prefix(64 * 1024)) },
            status: o.response?.status, failure: o.failure?.explanation,
            connectMs: o.timings.connectMs, firstByteMs: o.timings.firstByteMs, totalMs: o.timings.totalMs,
            responseHeaders: o.displayResponseHeaders.map { [$0.name, $0.value] }, body: Data(o.displayBody),
            bodyBytes: o.response?.bodyBytes ?? 0, system: o.system, envelope: o.verdict?.envelope,
            code: o.verdict.flatMap { $0.code ?? $0.type ?? $0.status }, known: o.verdict?.known ?? false,
            summary: o.summary, verdict: verdict)
    }
}

/// `probe --json`: the decode object, plus `timing`, `request`, `response`, `failure`.
enum ProbeJSON {
    static func make(_ o: ProbeOutcome, journalID: Int64?) -> JSONValue {
        var obj: JSONObject
        if let v = o.verdict, case .object(let d) = VerdictJSON.make(v) { obj = d } else { obj = JSONObject() }
        obj["timing"] = ["connect_ms": o.timings.connectMs.map { .double(round3($0)) } ?? .null,
                         "first_byte_ms": o.timings.firstByteMs.map { .double(round3($0)) } ?? .null,
                         "total_ms": .double(round3(o.timings.totalMs))]
        obj["request"] = ["endpoint": o.label.map { .string($0) } ?? .null, "method": .string(o.method), "url": .string(o.url),
                          "headers": .object(JSONObject(o.requestHeaders.map { ($0.name, .string($0.value)) })),
                          "expected_envelope_path": .string(o.envelopePath)]
        if let r = o.response {
            obj["response"] = ["status": .int(Int64(r.status)), "reason": .string(r.reason), "version": .string(r.version),
                               "headers": .object(JSONObject(o.displayResponseHeaders.map { ($0.name, .string($0.value)) })),
                               "body_bytes": .int(Int64(r.bodyBytes)), "truncated": .bool(r.truncated)]
        } else {
            obj["response"] = .null
        }
        obj["failure"] = o.failure.map { ["kind": .string($0.kind), "explanation": .string($0.explanation)] } ?? .null
        obj["exit_code"] = .int(Int64(o.exitCode))
        obj["journal_id"] = journalID.map { .int($0) } ?? .null
        return .object(obj)
    }

    static func round3(_ d: Double) -> Double { (d * 1000).rounded() / 1000 }
}

enum ProbeText {
    static func print(_ o: ProbeOutcome, journalID: Int64?) {
        Output.line("\(o.method) \(Present.safe(o.url, limit: 300))" + (o.label.map { "  (\($0))" } ?? ""))
        let timing = o.timings.text
        if let r = o.response {
            var size = "\(r.bodyBytes) B"
            if r.truncated { size += " (read up to the \(r.body.count)-byte cap)" }
            Output.line("\(r.version) \(r.status) \(Present.safe(r.reason, limit: 80)) · \(timing) · \(size)")
            if let loc = r.header("location"), (300..<400).contains(r.status) {
                Output.line("redirect  → \(Present.safe(o.redactor.url(loc), limit: 300)) (not followed; -L follows)")
            }
        } else {
            Output.line("no response · \(timing)")
        }
        if let f = o.failure { Output.line("problem   " + Present.wrap(Present.safe(f.explanation, limit: 1000), indent: 10)) }
        if let v = o.verdict, o.response != nil {
            if let exp = v.expectedEnvelope, exp != v.envelope {
                Output.line("expected  \(exp) envelope for \(o.envelopePath); the body is \(v.envelope == ErrorDecoder.envelopeNone ? "of no known envelope" : "\(v.envelope)")")
            }
            VerdictText.print(v)
        }
        if let id = journalID { Output.line("journal   #\(id) (errscope journal show \(id))") }
    }

    static func watchLine(_ o: ProbeOutcome) {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        let status = o.response.map { String($0.status) } ?? (o.failure?.kind ?? "-")
        Output.line("\(f.string(from: o.startedAt))  \(status.rightPad(4))  \(ProbeTimings.ms(o.timings.totalMs).leftPad(9))  \(Present.safe(o.summary, limit: 200))")
    }

}
