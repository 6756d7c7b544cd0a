import ArgumentParser
import ErrscopeCore
import Foundation

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode an error body or a raw HTTP response (as `curl -si` prints it).",
        discussion: """
            Reads FILE, or standard input when FILE is `-` or absent (at most 16 MiB).
            Exit 0 when the envelope and code are known or the response is a success (2xx, no
            error), 1 when the body is of no known shape or its code is not in any catalog.

            --jsonl FILE decodes one body per line; with --summary it prints counts by system,
            envelope and code: what is failing, and how much.
            """).topLevel

    @Argument(help: "A file with the body or response; - for standard input.")
    var file: String?

    @Option(help: "The HTTP status, when the input is a bare body.")
    var status: Int?

    @OptionGroup var headerOptions: HeaderOptions
    var headers: [String] { headerOptions.headers }

    @Option(help: "The endpoint path, to know which envelope to expect (e.g. /anthropic/v1/messages).")
    var path: String?

    @OptionGroup var systemOption: SystemOption
    var system: String? { systemOption.system }

    @Flag(name: Spelling.json.names, help: "Print JSON.")
    var json = false

    @Option(help: ArgumentHelp("Decode one JSON body per line of FILE.", valueName: "file"))
    var jsonl: String?

    @Flag(help: "With --jsonl: per system/code: count, share, category, HTTP status, retry class, first and last seen.")
    var summary = false

    @Option(help: ArgumentHelp("With --jsonl: the field holding the HTTP status (default: status, status_code, http_status).", valueName: "name"))
    var statusField: String?

    @Option(help: ArgumentHelp("With --jsonl: the field holding the response body (default: body, response, response_body, error).", valueName: "name"))
    var bodyField: String?

    @Option(help: ArgumentHelp("With --jsonl: the field holding the time (default: ts, time, timestamp, @timestamp).", valueName: "name"))
    var timeField: String?

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws { try request.validate() }

    func run() throws { try request.run() }

    var request: DecodeRequest {
        DecodeRequest(file: file, status: status, headers: headers, path: path, system: system, json: json, jsonl: jsonl, summary: summary,
                      statusField: statusField, bodyField: bodyField, timeField: timeField,
                      catalogPaths: catalogOptions.paths, noUserCatalogs: catalogOptions.noUserCatalogs)
    }
}

/// A parsed `errscope decode`: ArgumentParser's `Decode` and the start-up fast path
/// (`DecodeRequest.fastParse`) both end here.
struct DecodeRequest: Equatable {
    var file: String?
    var status: Int?
    var headers: [String] = []
    var path: String?
    var system: String?
    var json = false
    var jsonl: String?
    var summary = false
    var statusField: String?
    var bodyField: String?
    var timeField: String?
    var catalogPaths: [String] = []
    var noUserCatalogs = false

    static let maxInput = 16 << 20

    /// Parses the common shapes of `decode` arguments without ArgumentParser, whose reflection
    /// of the command's properties was 15 % of a one-line `decode --jsonl --summary` process in
    /// a profile (docs/PERFORMANCE.md). The caller runs `validate` (ArgumentParser's path does). Returns nil for anything it does not read exactly as ArgumentParser
    /// would (help, `-` for standard input, `--`, `--opt=value`, bundled short flags, repeats,
    /// unknown options, a status that is not a number): those go through ArgumentParser. A test
    /// checks that both parse every shape here into the same request.
    static func fastParse(_ args: [String]) -> DecodeRequest? {
        let options: [Spelling] = [.system, .header, .catalog, .status, .path, .jsonl, .statusField, .bodyField, .timeField]
        guard let a = PlainArguments(args, flags: Spelling.table([.json, .summary, .noUserCatalogs]), options: Spelling.table(options),
                                     repeatable: [Spelling.catalog.long, Spelling.header.long]),
            a.positionals.count <= 1
        else { return nil }
        var status: Int?
        if let s = a.option("status") {
            guard let n = Int(s) else { return nil }
            status = n
        }
        return DecodeRequest(file: a.positionals.first, status: status, headers: a.options["header"] ?? [], path: a.option("path"),
                             system: a.option("system"), json: a.flags["json"] != nil, jsonl: a.option("jsonl"),
                             summary: a.flags["summary"] != nil, statusField: a.option("status-field"), bodyField: a.option("body-field"),
                             timeField: a.option("time-field"), catalogPaths: a.options["catalog"] ?? [],
                             noUserCatalogs: a.flags["no-user-catalogs"] != nil)
    }

    func validate() throws {
        if summary && jsonl == nil { throw ValidationError("--summary goes with --jsonl FILE") }
        if jsonl == nil, statusField != nil || bodyField != nil || timeField != nil {
            throw ValidationError("--status-field, --body-field and --time-field go with --jsonl FILE")
        }
        if jsonl != nil && file != nil { throw ValidationError("give either FILE or --jsonl FILE, not both") }
        if let s = status, !(100...999).contains(s) { throw ValidationError("--status must be a three-digit HTTP status (100-999)") }
        for h in headers where !h.contains(":") { throw ValidationError("-H takes 'Name: value', got `\(h)`") }
    }

    func run() throws {
        let catalog = CatalogOptions.load(paths: catalogPaths, noUserCatalogs: noUserCatalogs)
        if let s = system, catalog.system(s) == nil {
            throw ValidationError("unknown system `\(s)`; known: \(catalog.systems.map(\.id).joined(separator: ", "))")
        }
        let extraHeaders = headers.map { h -> (name: String, value: String) in
            let i = h.firstIndex(of: ":")!
            return (String(h[..<i]).trimmingCharacters(in: .whitespaces), String(h[h.index(after: i)...]).trimmingCharacters(in: .whitespaces))
        }
        if let jsonl {
            try decodeLines(jsonl, catalog: catalog, headers: extraHeaders)
            return
        }
        if file == nil && Terminal.stdinIsTerminal {
            throw ValidationError("give a FILE, or pipe a body or `curl -si` output into errscope decode")
        }
        let (bytes, cut) = try readInput(file)
        var traffic = TrafficInput.read(bytes)
        if let s = status { traffic.response.status = s }
        traffic.response.headers += extraHeaders
        var input = DecodeInput(traffic: traffic, path: path, system: system)
        input.truncatedAt = cut
        let verdict = ErrorDecoder(catalog: catalog).decode(input)
        if json {
            Output.line(VerdictJSON.make(verdict).prettyText)
        } else {
            VerdictText.print(verdict)
        }
        // A success is a definite answer (nothing failed); else the envelope and code must be known.
        if !verdict.success, verdict.envelope == ErrorDecoder.envelopeNone || !verdict.known { throw ExitCode.notFound }
    }

    func readInput(_ path: String?) throws -> ([UInt8], Int?) {
        let handle: FileHandle
        if path == nil || path == "-" {
            handle = Output.stdinReader()
        } else if let h = FileHandle(forReadingAtPath: path!) {
            handle = h
        } else {
            Output.warn("cannot read \(path!)")
            throw ExitCode.noInput
        }
        var data = Data()
        while data.count <= Self.maxInput {
            let chunk = handle.readData(ofLength: min(1 << 20, Self.maxInput + 1 - data.count))
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        if data.count > Self.maxInput {
            Output.warn("input is larger than 16 MiB; decoding the first 16 MiB")
            return ([UInt8](data.prefix(Self.maxInput)), Self.maxInput)
        }
        return ([UInt8](data), nil)
    }

    /// `--jsonl`: a verdict per line, or (`--summary`) the counts, each summary worker with its
    /// own decoder (none is built here for a summary: it would be a third).
    func decodeLines(_ path: String, catalog: Catalog, headers: [(name: String, value: String)]) throws {
        // A file is mapped, not copied into the heap (8 MB of bodies is 8 MB of page faults);
        // standard input, or a file that cannot be mapped, is read.
        let mapped = path == "-" ? nil : MappedFile(path: path)
        var data = Data()
        if mapped == nil {
            guard let d = path == "-" ? Output.stdinReader().readDataToEndOfFile() : FileManager.default.contents(atPath: path) else {
                Output.warn("cannot read \(path)")
                throw ExitCode.noInput
            }
            data = d
        }
        func withInput<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
            if let mapped { return try body(mapped.bytes) }
            return try data.withUnsafeBytes { try body($0.bindMemory(to: UInt8.self)) }
        }
        if summary {
            let fields = LogFields.named(status: statusField, body: bodyField, time: timeField)
            let s = withInput { BatchSummary.summarize(lines: $0, catalog: catalog, system: system, fields: fields) }
            if json { Output.line(s.json.prettyText) } else { SummaryText.print(s) }
            return
        }
        let decoder = ErrorDecoder(catalog: catalog)
        withInput { decodeEach(lines: $0, decoder: decoder, headers: headers) }
    }

    /// One verdict per line, in order.
    private func decodeEach(lines input: UnsafeBufferPointer<UInt8>, decoder: ErrorDecoder, headers: [(name: String, value: String)]) {
        var lineNumber = 0
        let fields = LogFields.named(status: statusField, body: bodyField, time: timeField)
        for line in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            let record = LogLine.read([UInt8](line), fields: fields, headers: headers, status: status, path: self.path, system: system)
            let v = decoder.decode(record.input)
            if json {
                var o = VerdictJSON.make(v)
                if case .object(var obj) = o {
                    obj.pairs.insert(("line", .int(Int64(lineNumber))), at: 0)
                    if let t = record.time { obj.pairs.insert(("time", .string(t)), at: 1) }
                    o = .object(obj)
                }
                Output.line(o.compactText)
            } else {
                let what = v.bestMatch.flatMap { $0.basis <= .type ? "\($0.entry.system)/\($0.entry.code)" : nil } ?? v.code ?? v.type ?? v.status ?? "-"
                var text = "\(lineNumber): \(v.envelope) \(Present.safe(what, limit: 80))"
                if let c = v.category { text += " · \(c.rawValue)" }
                if let h = v.http { text += " · HTTP \(h)" }
                if !v.known { text += " (unknown)" }
                Output.line(text)
            }
        }
    }
}

/// The `--json` shape of a verdict (documented in the README).
enum VerdictJSON {
    static func make(_ v: DecodeResult) -> JSONValue {
        var o = JSONObject()
        o["http"] = v.http.map { .int(Int64($0)) } ?? .null
        o["envelope"] = .string(v.envelope)
        o["alternatives"] = .array(v.alternatives.map { .string($0) })
        o["expected_envelope"] = v.expectedEnvelope.map { .string($0) } ?? .null
        o["code"] = v.code.map { .string($0) } ?? .null
        o["type"] = v.type.map { .string($0) } ?? .null
        o["status"] = v.status.map { .string($0) } ?? .null
        o["message"] = v.message.map { .string($0) } ?? .null
        o["request_id"] = v.requestID.map { .string($0) } ?? .null
        o["sanitized"] = .bool(v.sanitized)
        o["known"] = .bool(v.known)
        o["success"] = .bool(v.success)
        o["code_inferred"] = v.inference.map { inf in
            .object(JSONObject([
                ("basis", .string(inf.basis.rawValue)),
                ("candidates", .array(inf.candidates.map { m in
                    .object(JSONObject([("system", .string(m.entry.system)), ("code", .string(m.entry.code)),
                                        ("message_shape", .int(Int64(m.messageShape))),
                                        ("example", m.entry.example.map { .string($0) } ?? .null)]))
                })),
                ("distinguished_by", inf.distinguishedBy.map { .string($0) } ?? .null),
            ]))
        } ?? .null
        o["system"] = v.system.map { .string($0) } ?? .null
        o["category"] = v.category.map { .string($0.rawValue) } ?? .null
        o["what_to_do"] = whatToDo(v).map { .string($0) } ?? .null
        o["category_basis"] = v.categoryBasis.map { .string($0) } ?? .null
        o["message_rule"] = v.messageRule.map { r in
            .object(JSONObject([("id", .string(r.id)), ("system", r.system.map { .string($0) } ?? .null),
                                ("category", .string(r.category.rawValue)), ("note", r.note.map { .string($0) } ?? .null),
                                ("source", r.source.map { .string($0) } ?? .null)]))
        } ?? .null
        o["form"] = .string(v.form.rawValue)
        o["exception"] = v.exception.map { .string($0) } ?? .null
        o["stream"] = v.stream.map { s in
            .object(JSONObject([("format", .string(s.format.rawValue)), ("events", .int(Int64(s.events))),
                                ("error_index", s.errorIndex.map { .int(Int64($0)) } ?? .null),
                                ("bytes_before_error", s.bytesBeforeError.map { .int(Int64($0)) } ?? .null),
                                ("error_event", s.errorEvent.map { .string($0) } ?? .null)]))
        } ?? .null
        o["upstream"] = v.upstream.map(upstreamJSON) ?? .null
        var retry = JSONObject()
        retry["retryable"] = v.retry.retryable.map { .bool($0) } ?? .null
        retry["class"] = v.retry.retryClass.map { .string($0.rawValue) } ?? .null
        retry["after_seconds"] = v.retry.afterSeconds.map { .double($0) } ?? .null
        retry["delay_source"] = v.retry.delaySource.map { .string($0) } ?? .null
        retry["basis"] = .string(v.retry.basis.rawValue)
        retry["reason"] = .string(v.retry.reason)
        o["retry"] = .object(retry)
        o["sdk"] = .array(v.sdks.map { a in
            var s = JSONObject([("sdk", .string(a.sdk)), ("exception", a.exception.map { .string($0) } ?? .null),
                                ("retries", .bool(a.retries)), ("detail", .string(a.detail))])
            if let n = a.attempts { s["max_retries"] = .int(Int64(n)) }
            if let d = a.firstDelaySeconds { s["first_delay_seconds"] = .double(d) }
            if let ver = a.version { s["version"] = .string(ver) }
            return .object(s)
        })
        o["matches"] = .array(v.matches.prefix(25).map { m in
            ["system": .string(m.entry.system), "domain": .string(m.entry.domain), "code": .string(m.entry.code),
             "http": Present.httpJSON(m.entry.http), "basis": .string(m.basis.rawValue)]
        })
        o["body"] = ["kind": .string(v.bodyKind.rawValue), "bytes": .int(Int64(v.bodyBytes)),
                     "truncated_at": v.truncatedAt.map { .int(Int64($0)) } ?? .null]
        o["fields"] = .object(v.fields)
        o["notes"] = .array(v.notes.map { .string($0) })
        return .object(o)
    }
}

extension VerdictJSON {
    static func whatToDo(_ v: DecodeResult) -> String? { v.whatToDo }

    /// The inner decode of a wrapped error: envelope, system, code, category, message, its own upstream.
    static func upstreamJSON(_ u: DecodeResult) -> JSONValue {
        var o = JSONObject()
        o["http"] = u.http.map { .int(Int64($0)) } ?? .null
        o["envelope"] = .string(u.envelope)
        o["system"] = u.system.map { .string($0) } ?? .null
        // The identifier the inner body carries: its code, else its type or gRPC status (Anthropic
        // and Gemini bodies have no code); `catalog_code` is the catalog entry it resolved to.
        o["code"] = (u.code ?? u.type ?? u.status).map { .string($0) } ?? .null
        o["catalog_code"] = u.bestMatch.flatMap { $0.basis <= .type ? $0.entry.code : nil }.map { .string($0) } ?? .null
        o["type"] = u.type.map { .string($0) } ?? .null
        o["category"] = u.category.map { .string($0.rawValue) } ?? .null
        o["message"] = u.message.map { .string($0) } ?? .null
        o["retryable"] = u.retry.retryable.map { .bool($0) } ?? .null
        o["after_seconds"] = u.retry.afterSeconds.map { .double($0) } ?? .null
        o["upstream"] = u.upstream.map(upstreamJSON) ?? .null
        return .object(o)
    }
}

/// The human form of a verdict.
enum VerdictText {
    static func print(_ v: DecodeResult) {
        func row(_ k: String, _ s: String) {
            Output.line(k.rightPad(10) + Present.wrap(s, indent: 10))
        }
        var head = v.http.map { "HTTP \($0)" + (HTTPReason.phrase($0).map { " \($0)" } ?? "") } ?? "HTTP status unknown"
        head += " · \(v.envelope == ErrorDecoder.envelopeNone ? "no known envelope (\(v.bodyKind.rawValue))" : "\(v.envelope) envelope")"
        if !v.alternatives.isEmpty { head += " (also fits: \(v.alternatives.joined(separator: ", ")))" }
        Output.line(head)
        if v.success {
            row("result", "success: the response carries no error; nothing to explain or retry")
        }
        if let c = v.code { row("code", Present.safe(c)) }
        if let t = v.type { row("type", Present.safe(t)) }
        if let s = v.status { row("status", Present.safe(s)) }
        let inference = v.inference
        if let inf = inference, let top = inf.candidates.first {
            // The wire carried no code: say so, and how sure the first candidate is.
            let n = inf.candidates.count
            var text = n == 1 ? "inferred, not sent: \(top.entry.system)/\(Present.safe(top.entry.code))"
                : "inferred, not sent: \(n) candidates; first \(top.entry.system)/\(Present.safe(top.entry.code))"
            text += inf.distinguishedBy.map { " (\($0))" } ?? (n > 1 ? " (nothing in the response tells them apart)" : "")
            row("code", text)
        }
        if let m = v.message { row("message", Present.safe(m, limit: 400) + (v.sanitized ? "  [sanitized: the real reason is hidden]" : "")) }
        if let r = v.requestID { row("request", Present.safe(r)) }
        if let s = v.stream {
            var t = "\(s.format.rawValue), \(s.events) event\(s.events == 1 ? "" : "s")"
            if let i = s.errorIndex { t += "; the error is event \(i + 1)" + (s.bytesBeforeError.map { ", after \($0) bytes" } ?? "") + " (the status line said 200 OK)" }
            else { t += "; no error event" }
            row("stream", t)
        }
        if v.form != .body && v.form != .httpResponse { row("read as", v.form.rawValue + (v.exception.map { " (\(Present.safe($0)))" } ?? "")) }
        if let sys = v.system { row("system", sys + (v.systemBasis.map { " (\($0))" } ?? "")) }
        if let c = v.category {
            row("category", c.rawValue + (v.categoryBasis.map { " (from \($0))" } ?? ""))
            if let w = VerdictJSON.whatToDo(v) { row("do", w) }
        }
        var layer = v.upstream
        var depth = 1
        while let u = layer {
            let what = u.bestMatch.flatMap { $0.basis <= .messageRule ? "\($0.entry.system)/\($0.entry.code)" : nil } ?? u.code ?? u.type ?? u.status ?? "?"
            row(depth == 1 ? "upstream" : "", String(repeating: "  ", count: depth - 1) + "\(u.envelope) envelope · \(Present.safe(what))" + (u.category.map { " · \($0.rawValue)" } ?? "") + (u.http.map { " · HTTP \($0)" } ?? ""))
            if let m = u.message { row("", String(repeating: "  ", count: depth - 1) + Present.safe(m, limit: 300)) }
            layer = u.upstream
            depth += 1
        }
        if v.success {
            // Nothing to look up: the catalog rows a success status relates to are noise here.
        } else if let inf = inference, inf.candidates.count > 1 {
            row("known", "\(inf.candidates.count) candidates, best first (\(inf.basis.rawValue)):")
            for m in inf.candidates.prefix(8) {
                let e = m.entry
                let mark = m.messageShape == 10 ? "✓ " : "  "
                Output.line("        \(mark)\(e.system)/\(Present.safe(e.code)) · HTTP \(e.http) — \(Present.safe(e.meaning, limit: max(20, Output.width - 60)))")
                if let ex = e.example { Output.line("            e.g. \(Present.safe(ex, limit: max(20, Output.width - 20)))") }
            }
            if inf.candidates.count > 8 { Output.line("          … \(inf.candidates.count - 8) more (--json for all)") }
        } else if v.matches.isEmpty {
            row("known", "no: not in any catalog")
        } else {
            row("known", v.known ? "yes" : "no exact entry; related:")
            for m in v.matches.prefix(8) {
                let e = m.entry
                Output.line("          \(e.system)/\(Present.safe(e.code)) · HTTP \(e.http) · \(m.basis.rawValue) — \(Present.safe(e.meaning, limit: max(20, Output.width - 60)))")
            }
            if v.matches.count > 8 { Output.line("          … \(v.matches.count - 8) more (--json for all)") }
        }
        var retry: String
        switch v.retry.retryable {
        case .some(true): retry = "yes"
        case .some(false): retry = "no"
        case .none: retry = "unknown"
        }
        if let c = v.retry.retryClass, c != .yes, c != .no { retry = c.rawValue }
        retry += " — " + Present.safe(v.retry.reason)
        if let s = v.retry.afterSeconds {
            retry += "; wait \(formatSeconds(s)) (\(v.retry.delaySource ?? ""))"
        }
        if !v.success { row("retry", retry) }
        for s in v.sdks { row(s.sdk == v.sdks.first?.sdk ? "sdks" : "", "\(s.sdk): \(s.detail)") }
        for n in v.notes { row("note", Present.safe(n)) }
    }

    static func formatSeconds(_ s: Double) -> String {
        if s < 1 { return String(format: "%.0f ms", s * 1000) }
        if s < 120 { return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s) }
        return "\(Int(s) / 60) min \(Int(s) % 60) s"
    }
}

enum SummaryText {
    static func print(_ s: BatchSummary) {
        Output.line("\(s.total) lines · \(s.recognised) in a known envelope · \(s.known) with a known code")
        func section(_ title: String, _ counts: [(String, Int)]) {
            Output.line()
            Output.line(title)
            for (k, n) in counts.prefix(20) {
                let pct = s.total > 0 ? Double(n) * 100 / Double(s.total) : 0
                Output.line("  " + String(n).leftPad(8) + "  " + String(format: "%5.1f%%", pct) + "  " + Present.safe(k, limit: 100))
            }
            if counts.count > 20 { Output.line("  … \(counts.count - 20) more (--json for all)") }
        }
        section("by system", s.bySystem)
        section("by envelope", s.byEnvelope)
        section("by category", s.byCategory)
        Output.line()
        Output.line("by code")
        let rows = s.rows
        let head = ["count", "share", "system/code", "category", "http", "retry", "first seen", "last seen"]
        var table: [[String]] = [head]
        for g in rows.prefix(30) {
            let pct = s.total > 0 ? Double(g.count) * 100 / Double(s.total) : 0
            table.append([String(g.count), String(format: "%.1f%%", pct), Present.safe(g.label, limit: 60) + (g.rule.map { " [\($0)]" } ?? ""),
                          g.category?.rawValue ?? "-", g.http.map(String.init) ?? "-", g.retry?.rawValue ?? "-",
                          g.first.map { Present.safe($0, limit: 30) } ?? "-", g.last.map { Present.safe($0, limit: 30) } ?? "-"])
        }
        let widths = head.indices.map { c in table.map { $0[c].columns }.max() ?? 0 }
        for row in table {
            let text = "  " + row.enumerated().map { c, t in c < 2 ? t.leftPad(widths[c]) : t.rightPad(widths[c]) }.joined(separator: "  ")
            Output.line(String(text.reversed().drop { $0 == " " }.reversed()))
        }
        if rows.count > 30 { Output.line("  … \(rows.count - 30) more (--json for all)") }
    }
}
