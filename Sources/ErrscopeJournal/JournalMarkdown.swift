import ErrscopeCore
import Foundation

extension Journal {
    /// How much of each body the Markdown timeline shows, in bytes.
    public static let markdownBodyLimit = 2048

    /// An incident timeline in Markdown, oldest first: a table (time UTC, endpoint, request,
    /// status, code, total ms, summary) then one section per probe with the request, response
    /// headers, the body (fenced, cut to `markdownBodyLimit` bytes with a note) and the verdict.
    /// Everything from the journal is stripped of terminal control characters; table cells
    /// escape `|`.
    public static func markdown(_ entries: [JournalEntry], incident: [IncidentSample] = [], title: String = "errscope probe timeline") -> String {
        let sorted = entries.enumerated().sorted { a, b in
            if a.element.time != b.element.time { return a.element.time < b.element.time }
            if let x = a.element.id, let y = b.element.id, x != y { return x < y }
            return a.offset < b.offset
        }.map(\.element)
        var md = MarkdownWriter()
        md.line("# " + MarkdownText.inline(title))
        md.blank()
        if let first = sorted.first, let last = sorted.last {
            let n = sorted.count
            md.line("\(n) probe\(n == 1 ? "" : "s") from \(utc(first.time)) to \(utc(last.time)) UTC.")
        } else {
            md.line("No probes recorded.")
            if incident.isEmpty { return md.text }
        }
        if !incident.isEmpty { timeline(sorted, incident, into: &md) }
        if sorted.isEmpty { return md.text }
        md.blank()
        md.line("| # | Time (UTC) | Endpoint | Request | Status | Code | Total ms | Summary |")
        md.line("| ---: | --- | --- | --- | --- | --- | ---: | --- |")
        for e in sorted {
            let cells = [
                e.id.map(String.init) ?? "",
                utc(e.time),
                e.endpoint.map(MarkdownText.cell) ?? "_ad hoc_",
                MarkdownText.codeSpan("\(e.method) \(e.url)", inTable: true),
                e.status.map(String.init) ?? (e.failure != nil ? "failed" : "—"),
                e.code.map { MarkdownText.codeSpan($0, inTable: true) } ?? "",
                e.totalMs.map(ms) ?? "",
                MarkdownText.cell(e.summary),
            ]
            md.line("| " + cells.joined(separator: " | ") + " |")
        }
        for e in sorted { section(e, into: &md) }
        return md.text
    }

    /// The probes and what the incident pane counted in the followed logs, minute by minute, in
    /// one table ordered by time: what the log said next to what the probes answered.
    private static func timeline(_ probes: [JournalEntry], _ samples: [IncidentSample], into md: inout MarkdownWriter) {
        struct Minute: Hashable { var minute: Int; var source: String; var label: String }
        var counts: [Minute: (sample: IncidentSample, count: Int)] = [:]
        for s in samples {
            let k = Minute(minute: Int(s.time.timeIntervalSince1970) / 60, source: s.source, label: s.label)
            counts[k, default: (s, 0)].count += s.count
        }
        var rows: [(time: Date, order: Int, cells: [String])] = []
        for (k, v) in counts {
            let s = v.sample
            var what = "\(v.count)× " + MarkdownText.codeSpan(s.label, inTable: true)
            let detail = [s.http.map(String.init), s.category].compactMap { $0 }
            if !detail.isEmpty { what += " (" + detail.joined(separator: ", ") + ")" }
            rows.append((Date(timeIntervalSince1970: Double(k.minute * 60)), 0,
                         [utc(Date(timeIntervalSince1970: Double(k.minute * 60))).prefix(16) + " (minute)", "log " + MarkdownText.cell(k.source), what]))
        }
        for p in probes {
            let status = p.status.map(String.init) ?? (p.failure != nil ? "failed" : "—")
            rows.append((p.time, 1, [utc(p.time), "probe " + (p.id.map { "#\($0)" } ?? "") + " " + (p.endpoint.map(MarkdownText.cell) ?? "ad hoc"),
                                     status + " · " + MarkdownText.cell(p.summary)]))
        }
        rows.sort { a, b in a.time != b.time ? a.time < b.time : a.order != b.order ? a.order < b.order : a.cells[2] < b.cells[2] }
        md.blank()
        md.line("## Timeline: logs and probes")
        md.blank()
        let total = samples.reduce(0) { $0 + $1.count }
        let sources = Set(samples.map(\.source)).sorted()
        md.line("\(total) error line\(total == 1 ? "" : "s") counted by the incident pane in \(sources.map { MarkdownText.codeSpan($0, inTable: false) }.joined(separator: ", ")), by minute, with the probes between them.")
        md.blank()
        md.line("| Time (UTC) | Source | What |")
        md.line("| --- | --- | --- |")
        for r in rows { md.line("| " + r.cells.joined(separator: " | ") + " |") }
    }

    private static func section(_ e: JournalEntry, into md: inout MarkdownWriter) {
        md.blank()
        var heading = "## "
        if let id = e.id { heading += "#\(id) · " }
        heading += "\(utc(e.time)) UTC · " + (e.endpoint.map(MarkdownText.inline) ?? "ad hoc")
        md.line(heading)
        md.blank()
        if !e.summary.isEmpty {
            md.line("**Summary:** " + MarkdownText.inline(e.summary))
            md.blank()
        }
        md.line("**Request:** " + MarkdownText.codeSpan("\(e.method) \(e.url)"))
        if !e.requestHeaders.isEmpty {
            md.blank()
            md.fenced(headerLines(e.requestHeaders))
        }
        if let body = e.requestBody, !body.isEmpty {
            md.blank()
            md.line("Request body:")
            md.blank()
            md.fenced(cut(body, limit: markdownBodyLimit).text, language: looksLikeJSON(body) ? "json" : "")
        }
        md.blank()
        if let status = e.status {
            var response = "**Response:** \(status)"
            var facts: [String] = []
            if let s = e.system { facts.append("system " + MarkdownText.codeSpan(s)) }
            if let env = e.envelope { facts.append("envelope " + MarkdownText.codeSpan(env)) }
            if let c = e.code { facts.append("code " + MarkdownText.codeSpan(c) + (e.known ? "" : " (not in the catalogs)")) }
            if !facts.isEmpty { response += " · " + facts.joined(separator: " · ") }
            md.line(response)
        }
        if let failure = e.failure {
            md.line((e.status == nil ? "**No response:** " : "**Failure:** ") + MarkdownText.inline(failure))
        }
        let timings = [("connect", e.connectMs), ("first byte", e.firstByteMs), ("total", e.totalMs)]
            .compactMap { name, v in v.map { "\(name) \(ms($0)) ms" } }
        if !timings.isEmpty {
            md.blank()
            md.line("**Timings:** " + timings.joined(separator: " · "))
        }
        if !e.responseHeaders.isEmpty {
            md.blank()
            md.line("Response headers:")
            md.blank()
            md.fenced(headerLines(e.responseHeaders))
        }
        if e.status != nil || !e.body.isEmpty {
            md.blank()
            bodyBlock(e, into: &md)
        }
        if !e.verdict.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            md.blank()
            md.line("Verdict:")
            md.blank()
            md.fenced(e.verdict, language: "json")
        }
    }

    private static func bodyBlock(_ e: JournalEntry, into md: inout MarkdownWriter) {
        guard !e.body.isEmpty else {
            md.line(e.bodyBytes > 0 ? "Body: \(e.bodyBytes) bytes, not kept." : "Body: empty.")
            return
        }
        let text = String(decoding: e.body, as: UTF8.self)
        let shown = cut(text, limit: markdownBodyLimit)
        md.line("Body (\(e.bodyBytes) byte\(e.bodyBytes == 1 ? "" : "s")):")
        md.blank()
        let contentType = e.responseHeaders.first { $0.first?.lowercased() == "content-type" }?.dropFirst().first ?? ""
        let json = contentType.lowercased().contains("json") || looksLikeJSON(text)
        md.fenced(shown.text, language: json ? "json" : "")
        var notes: [String] = []
        if shown.cut { notes.append("showing the first \(shown.bytes) of \(e.bodyBytes) bytes") }
        else if e.bodyIsCapped { notes.append("the journal kept the first \(e.body.count) of \(e.bodyBytes) bytes") }
        if String(validating: e.body, as: UTF8.self) == nil && !e.bodyIsCapped {
            notes.append("not valid UTF-8: invalid bytes shown as \u{FFFD}")
        }
        if !notes.isEmpty {
            md.blank()
            md.line("_Body truncated: " + notes.joined(separator: "; ") + "._")
        }
    }

    private static func headerLines(_ headers: [[String]]) -> String {
        headers.map { pair in
            let name = pair.first ?? ""
            let value = pair.dropFirst().joined(separator: ", ")
            return "\(name): \(value)"
        }.joined(separator: "\n")
    }

    /// The first `limit` UTF-8 bytes of `s`, cut at a character boundary.
    private static func cut(_ s: String, limit: Int) -> (text: String, cut: Bool, bytes: Int) {
        let utf8 = s.utf8
        if utf8.count <= limit { return (s, false, utf8.count) }
        var end = s.startIndex
        var bytes = 0
        for i in s.indices {
            let next = s.index(after: i)
            let size = s.utf8.distance(from: i, to: next)
            if bytes + size > limit { break }
            bytes += size
            end = next
        }
        return (String(s[..<end]), true, bytes)
    }

    private static func looksLikeJSON(_ s: String) -> Bool {
        guard let c = s.unicodeScalars.first(where: { !$0.properties.isWhitespace }) else { return false }
        return c == "{" || c == "["
    }

    private static func ms(_ v: Double) -> String { String(format: "%.1f", v) }

    /// "2025-01-02 15:04:05.123", in UTC.
    static func utc(_ date: Date) -> String { utcFormatter.string(from: date) }

    /// Made once: an export formats a time per probe.
    nonisolated(unsafe) static let utcFormatter = Journal.formatter("yyyy-MM-dd HH:mm:ss.SSS", zone: TimeZone(identifier: "UTC")!)

    /// A fixed-format (POSIX locale) date formatter.
    public static func formatter(_ format: String, zone: TimeZone) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = format
        return f
    }
}

/// Accumulates Markdown lines.
private struct MarkdownWriter {
    private(set) var text = ""

    mutating func line(_ s: String) { text += s + "\n" }

    mutating func blank() {
        if !text.isEmpty && !text.hasSuffix("\n\n") { text += "\n" }
    }

    /// A fenced block longer than any run of backticks in `content`, which is sanitized.
    mutating func fenced(_ content: String, language: String = "") {
        let clean = MarkdownText.clean(content, keepNewlines: true)
        let fence = String(repeating: "`", count: max(3, MarkdownText.longestBacktickRun(clean) + 1))
        line(fence + language)
        line(clean.hasSuffix("\n") ? String(clean.dropLast()) : clean)
        line(fence)
    }
}

/// Makes untrusted text (bodies and headers come from the network) safe to paste: terminal
/// escape sequences are removed whole and other control characters dropped, so a timeline
/// printed with `cat` cannot clear the screen or retitle the window; bidi overrides go too.
enum MarkdownText {
    static func clean(_ s: String, keepNewlines: Bool) -> String {
        // The same neutralisation as the screen's (one implementation, one set of tests).
        TerminalText.sanitize(s, keepNewlines: keepNewlines)
    }

    /// One line of running text: cleaned, newlines folded, `<` escaped so HTML never renders.
    static func inline(_ s: String) -> String {
        clean(s, keepNewlines: false).replacingOccurrences(of: "<", with: "&lt;")
    }

    /// A table cell: `inline`, with `|` escaped.
    static func cell(_ s: String) -> String {
        inline(s).replacingOccurrences(of: "|", with: "\\|")
    }

    /// A code span whose delimiter outlasts any backtick run inside. In a table, `|` must
    /// still be escaped (GFM splits cells before it parses code spans).
    static func codeSpan(_ s: String, inTable: Bool = false) -> String {
        var body = clean(s, keepNewlines: false)
        if inTable { body = body.replacingOccurrences(of: "|", with: "\\|") }
        if body.isEmpty { return "" }
        let ticks = String(repeating: "`", count: longestBacktickRun(body) + 1)
        let pad = body.hasPrefix("`") || body.hasSuffix("`") ? " " : ""
        return ticks + pad + body + pad + ticks
    }

    static func longestBacktickRun(_ s: String) -> Int {
        var longest = 0, run = 0
        for u in s.utf8 {
            if u == UInt8(ascii: "`") { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        return longest
    }
}
