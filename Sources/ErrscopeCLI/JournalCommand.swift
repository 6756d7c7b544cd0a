import ArgumentParser
import ErrscopeCore
import ErrscopeJournal
import Foundation

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "The probe journal: list, show and export recorded probes.",
        discussion: """
            Every probe is recorded, secrets redacted, in SQLite at the first of:
              $ERRSCOPE_STATE_DIR/journal.sqlite, else
              $XDG_STATE_HOME/errscope/journal.sqlite, else
              ~/.local/state/errscope/journal.sqlite
            (--no-journal turns recording off). `export --markdown` gives an incident
            timeline to paste into a post-mortem.
            """,
        subcommands: [List.self, Show.self, Export.self]).topLevel

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List recorded probes, newest first.")

        @Option(name: [.customShort("n"), .long], help: "At most this many probes.")
        var limit = 50

        @Option(name: .shortAndLong, help: ArgumentHelp("Only this endpoint (its config name).", valueName: "name"))
        var endpoint: String?

        @Flag(help: "Print JSON: an array of probes (without headers and bodies; see `show --json`).")
        var json = false

        @OptionGroup var journalOptions: JournalOptions

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            let path = journalOptions.resolvedPath
            guard let journal = try journalOptions.openExisting() else {
                if json { Output.line("[]") } else { Output.line("no probes recorded yet (journal: \(path))") }
                return
            }
            let entries = try journalOptions.guarded { try journal.list(limit: limit, endpoint: endpoint) }
            if json {
                Output.line(JSONValue.array(entries.map { JournalPresent.json($0, full: false) }).prettyText)
                return
            }
            if entries.isEmpty {
                if let endpoint {
                    Output.line("no probes of \(Present.safe(endpoint, limit: 80)) recorded (journal: \(path))")
                } else {
                    Output.line("no probes recorded yet (journal: \(path))")
                }
                return
            }
            JournalPresent.table(entries)
            let total = try journalOptions.guarded { try journal.count() }
            Output.line("\(entries.count) of \(total) probe\(total == 1 ? "" : "s") (journal: \(path))")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one probe in full: request, response headers, body and verdict.")

        @Argument(help: "The probe's id (see `errscope journal list`).")
        var id: Int64

        @Flag(help: "Print JSON: the whole probe, body included.")
        var json = false

        @OptionGroup var journalOptions: JournalOptions

        func run() throws {
            let path = journalOptions.resolvedPath
            guard let journal = try journalOptions.openExisting() else {
                Output.warn("no probe #\(id): no probes recorded yet (journal: \(path))")
                throw ExitCode.notFound
            }
            guard let entry = try journalOptions.guarded({ try journal.entry(id: id) }) else {
                Output.warn("no probe #\(id) in the journal (\(path)); see `errscope journal list`")
                throw ExitCode.notFound
            }
            if json {
                Output.line(JournalPresent.json(entry, full: true).prettyText)
            } else {
                JournalPresent.card(entry)
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Export probes as an incident timeline, oldest first.",
            discussion: """
                Markdown is the only format for now: a table of the probes, then one section
                per probe with the request, response headers, the body (first 2 KiB) and the
                verdict. Terminal control characters are stripped: safe to `cat` and to paste.
                """)

        @Flag(help: "Write Markdown (the only format for now; required).")
        var markdown = false

        @Option(name: [.customShort("n"), .long], help: "At most this many probes (the newest).")
        var limit = 200

        @Option(help: ArgumentHelp(
            "Only probes sent since TIME: ISO 8601 (2025-01-02T15:04:05Z; local time without a zone) or an age (90s, 30m, 1h, 2d, 1w).",
            valueName: "time"))
        var since: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("Only this endpoint (its config name).", valueName: "name"))
        var endpoint: String?

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "file"))
        var output: String?

        @OptionGroup var journalOptions: JournalOptions

        func validate() throws {
            if !markdown {
                throw ValidationError("choose a format: --markdown (Markdown is the only export format for now)")
            }
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
            if let s = since, JournalPresent.parseSince(s, now: Date()) == nil {
                throw ValidationError("--since takes an ISO 8601 time (2025-01-02T15:04:05Z, 2025-01-02) or an age (90s, 30m, 1h, 2d, 1w), got `\(Present.safe(s, limit: 60))`")
            }
        }

        func run() throws {
            let path = journalOptions.resolvedPath
            let start = since.flatMap { JournalPresent.parseSince($0, now: Date()) }
            var entries: [JournalEntry] = []
            var incident: [IncidentSample] = []
            if let journal = try journalOptions.openExisting() {
                entries = try journalOptions.guarded { try journal.list(limit: limit + 1, endpoint: endpoint, since: start) }
                // The incident pane's counts (all of them, or since --since); not for one endpoint.
                if endpoint == nil {
                    incident = try journalOptions.guarded { try journal.incidentSamples(since: start) }
                }
                if entries.count > limit {
                    entries.removeLast(entries.count - limit)
                    Output.warn("more than \(limit) probes match; exporting the newest \(limit) (use --limit or --since)")
                }
            } else {
                Output.warn("no probes recorded yet (journal: \(path))")
            }
            let text = Journal.markdown(entries, incident: incident)
            guard let output else {
                Output.line(text.hasSuffix("\n") ? String(text.dropLast()) : text)
                return
            }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                Output.warn("cannot write \(output): \(error.localizedDescription)")
                throw ExitCode.failure
            }
            Output.line("wrote \(entries.count) probe\(entries.count == 1 ? "" : "s") to \(output)")
        }
    }
}

/// Where the journal is, for every `journal` subcommand.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("journal"), help: ArgumentHelp(
        "The journal file (default: $ERRSCOPE_STATE_DIR/journal.sqlite, else $XDG_STATE_HOME/errscope/journal.sqlite).",
        valueName: "path"))
    var path: String?

    func validate() throws {
        if path?.isEmpty == true { throw ValidationError("--journal needs a path") }
    }

    var resolvedPath: String { path ?? Journal.defaultPath() }

    /// The journal, or nil when its file does not exist yet (reading never creates one).
    func openExisting() throws -> Journal? {
        let p = resolvedPath
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        return try guarded { try Journal(path: p) }
    }

    /// Runs `body`; a journal that cannot be read becomes a message and exit 66.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as JournalError {
            Output.warn(Present.safe(error.description, limit: 1000))
            throw ExitCode.noInput
        }
    }
}

/// Text and JSON presentation of journal entries. Everything from the journal came from the
/// network (or a config file) and goes through `TerminalText` before it reaches the terminal.
enum JournalPresent {
    static func table(_ entries: [JournalEntry]) {
        let rows: [[String]] = entries.map { e in
            [
                e.id.map(String.init) ?? "",
                localTime(e.time),
                Present.safe(e.target, limit: 60),
                e.status.map(String.init) ?? (e.failure != nil ? "fail" : "-"),
                Present.safe(e.code ?? "", limit: 32),
                e.totalMs.map { String(format: "%.1f", $0) } ?? "",
                Present.safe(e.summary),
            ]
        }
        let header = ["ID", "TIME", "ENDPOINT / REQUEST", "STATUS", "CODE", "TOTAL MS", "SUMMARY"]
        var widths = header.map(\.columns)
        for r in rows { for i in 0..<6 { widths[i] = max(widths[i], r[i].columns) } }
        let rightAligned: Set<Int> = [0, 5]
        func format(_ r: [String]) -> String {
            var s = ""
            for i in 0..<6 {
                s += rightAligned.contains(i) ? r[i].leftPad(widths[i]) : r[i].rightPad(widths[i])
                s += "  "
            }
            let room = Output.width - s.columns
            if room >= 12 { s += DisplayWidth.truncate(r[6], to: room) }
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        Output.line(format(header))
        for r in rows { Output.line(format(r)) }
    }

    static func card(_ e: JournalEntry) {
        Output.line("probe #\(e.id.map(String.init) ?? "?")  \(localTime(e.time)) (local)  \(isoTime(e.time))")
        func row(_ label: String, _ value: String) {
            Output.line("  " + label.rightPad(10) + value)
        }
        func rows(_ label: String, _ values: [String]) {
            for (i, v) in values.enumerated() { row(i == 0 ? label : "", v) }
        }
        row("endpoint", e.endpoint.map { Present.safe($0) } ?? "(ad hoc)")
        row("request", Present.safe("\(e.method) \(e.url)"))
        rows("headers", e.requestHeaders.map(headerText))
        if let body = e.requestBody, !body.isEmpty { row("body", Present.safe(body, limit: 500)) }
        if let status = e.status { row("status", String(status)) }
        if let failure = e.failure { row(e.status == nil ? "failure" : "error", Present.safe(failure)) }
        let timings = [("connect", e.connectMs), ("first byte", e.firstByteMs), ("total", e.totalMs)]
            .compactMap { name, v in v.map { "\(name) \(String(format: "%.1f", $0)) ms" } }
        if !timings.isEmpty { row("timings", timings.joined(separator: " · ")) }
        if !e.summary.isEmpty { row("summary", Present.safe(e.summary)) }
        var decoded: [String] = []
        if let s = e.system { decoded.append("system " + Present.safe(s, limit: 80)) }
        if let v = e.envelope { decoded.append("envelope " + Present.safe(v, limit: 80)) }
        if let c = e.code { decoded.append("code " + Present.safe(c, limit: 120) + (e.known ? "" : " (not in the catalogs)")) }
        if !decoded.isEmpty { row("decoded", decoded.joined(separator: " · ")) }
        rows("response", e.responseHeaders.map(headerText))

        Output.line()
        if e.body.isEmpty {
            Output.line(e.bodyBytes > 0 ? "body: \(e.bodyBytes) bytes, not kept" : "body: empty")
        } else {
            let kept = e.bodyIsCapped ? "; the journal kept the first \(e.body.count)" : ""
            Output.line("body (\(e.bodyBytes) byte\(e.bodyBytes == 1 ? "" : "s")\(kept)):")
            let text = TerminalText.sanitize(String(decoding: e.body, as: UTF8.self))
            Output.line(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        }
        let verdict = e.verdict.trimmingCharacters(in: .whitespacesAndNewlines)
        if !verdict.isEmpty {
            Output.line()
            Output.line("verdict:")
            let pretty = (try? JSONValue.parse(verdict).prettyText) ?? verdict
            Output.line(TerminalText.sanitize(pretty))
        }
    }

    private static func headerText(_ pair: [String]) -> String {
        Present.safe((pair.first ?? "") + ": " + pair.dropFirst().joined(separator: ", "), limit: 300)
    }

    static func json(_ e: JournalEntry, full: Bool) -> JSONValue {
        var o = JSONObject()
        o["id"] = e.id.map { .int($0) } ?? .null
        o["time"] = .string(isoTime(e.time))
        o["endpoint"] = e.endpoint.map { .string($0) } ?? .null
        o["method"] = .string(e.method)
        o["url"] = .string(e.url)
        if full {
            o["request_headers"] = headersJSON(e.requestHeaders)
            o["request_body"] = e.requestBody.map { .string($0) } ?? .null
        }
        o["status"] = e.status.map { .int(Int64($0)) } ?? .null
        o["failure"] = e.failure.map { .string($0) } ?? .null
        o["connect_ms"] = e.connectMs.map { .double($0) } ?? .null
        o["first_byte_ms"] = e.firstByteMs.map { .double($0) } ?? .null
        o["total_ms"] = e.totalMs.map { .double($0) } ?? .null
        o["system"] = e.system.map { .string($0) } ?? .null
        o["envelope"] = e.envelope.map { .string($0) } ?? .null
        o["code"] = e.code.map { .string($0) } ?? .null
        o["known"] = .bool(e.known)
        o["summary"] = .string(e.summary)
        o["body_bytes"] = .int(Int64(e.bodyBytes))
        if full {
            o["response_headers"] = headersJSON(e.responseHeaders)
            o["body_stored_bytes"] = .int(Int64(e.body.count))
            if let text = bodyText(e) {
                o["body"] = .string(text)
            } else {
                o["body_base64"] = .string(e.body.base64EncodedString())
            }
            let verdict = e.verdict.trimmingCharacters(in: .whitespacesAndNewlines)
            if verdict.isEmpty {
                o["verdict"] = .null
            } else {
                o["verdict"] = (try? JSONValue.parse(verdict)) ?? .string(e.verdict)
            }
        }
        return .object(o)
    }

    private static func headersJSON(_ headers: [[String]]) -> JSONValue {
        .array(headers.map { .array($0.map { .string($0) }) })
    }

    /// The body as text when it is UTF-8; a capped body may end inside a character, which is
    /// dropped.
    static func bodyText(_ e: JournalEntry) -> String? {
        if let s = String(validating: e.body, as: UTF8.self) { return s }
        guard e.bodyIsCapped else { return nil }
        for drop in 1...3 where e.body.count > drop {
            if let s = String(validating: e.body.dropLast(drop), as: UTF8.self) { return s }
        }
        return nil
    }

    // Made once: `list` and `--json` format a time per probe.
    nonisolated(unsafe) static let local = Journal.formatter("yyyy-MM-dd HH:mm:ss", zone: TimeZone.current)
    nonisolated(unsafe) static let iso = Journal.formatter("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", zone: TimeZone(identifier: "UTC")!)

    static func localTime(_ date: Date) -> String { local.string(from: date) }

    /// "2025-01-02T15:04:05.123Z".
    static func isoTime(_ date: Date) -> String { iso.string(from: date) }

    /// `--since`: an age (90s, 30m, 1h, 2d, 1w) before `now`, or an ISO 8601 time; without a
    /// zone it is local time, as `journal list` prints it.
    static func parseSince(_ text: String, now: Date) -> Date? {
        let s = TerminalText.trimSpaces(text)
        if let unit = s.last, let n = Int(s.dropLast()), n >= 0 {
            let seconds: Double? = switch unit {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86400
            case "w": 7 * 86400
            default: nil
            }
            if let seconds { return now.addingTimeInterval(-Double(n) * seconds) }
        }
        let zoned = ["yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX", "yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mmXXXXX"]
        let local = ["yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm",
                     "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"]
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.isLenient = false
        for format in zoned + local {
            f.dateFormat = format
            f.timeZone = zoned.contains(format) ? TimeZone(identifier: "UTC") : TimeZone.current
            if let d = f.date(from: s) { return d }
        }
        return nil
    }
}
