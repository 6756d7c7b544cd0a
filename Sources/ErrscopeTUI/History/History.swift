import ErrscopeCore
import ErrscopeProbe
import Foundation

/// A probe from the journal, as the probe pane's history list and diff read it (already masked:
/// the journal keeps only masked requests and responses).
public struct ProbeHistoryItem: Sendable, Equatable {
    public var id: Int64
    public var time: Date
    /// `endpoint` or `endpoint/request`, when the probe came from the config.
    public var label: String?
    public var method: String
    public var url: String
    public var requestHeaders: [(name: String, value: String)]
    public var requestBody: String?
    public var status: Int?
    public var summary: String
    public var responseHeaders: [(name: String, value: String)]
    public var body: [UInt8]

    public init(id: Int64, time: Date, label: String?, method: String, url: String, requestHeaders: [(name: String, value: String)],
                requestBody: String?, status: Int?, summary: String, responseHeaders: [(name: String, value: String)], body: [UInt8]) {
        self.id = id; self.time = time; self.label = label; self.method = method; self.url = url; self.requestHeaders = requestHeaders
        self.requestBody = requestBody; self.status = status; self.summary = summary; self.responseHeaders = responseHeaders; self.body = body
    }

    public static func == (a: ProbeHistoryItem, b: ProbeHistoryItem) -> Bool { a.id == b.id && a.time == b.time }

    /// The picker's line: `#12 14:03:07 429 bodhi-demo/chat · summary`.
    var pickerText: String {
        "#\(id) \(ProbePane.clock(time)) \(status.map(String.init) ?? "---") \(label ?? "\(method) \(url)")"
    }
}

enum HistoryUpdate {
    /// The journal's probes arrived: open the picker over them (to re-open one, or to diff).
    static func loaded(_ s: inout AppState, _ items: [ProbeHistoryItem], diff: Bool) {
        s.probe.history = items
        guard !items.isEmpty else {
            s.message = StatusMessage(text: "no probes in the journal yet", isError: true)
            return
        }
        if diff && s.probe.result?.outcome.response == nil {
            s.message = StatusMessage(text: "send a probe first: D compares its answer with one from the history", isError: true)
            return
        }
        let pickerItems = items.enumerated().map { i, h in
            PickerState.Item(text: TerminalText.singleLine(h.pickerText, limit: 200), detail: TerminalText.singleLine(h.summary, limit: 200), row: i)
        }
        s.picker = PickerState(title: diff ? "a probe to compare with this answer" : "a probe to re-open", purpose: .history(diff: diff), items: pickerItems)
    }

    /// Puts a past probe back in the form: the endpoint and saved request it came from when they
    /// still exist (their headers, with their secret templates), its method, URL and body.
    static func reopen(_ s: inout AppState, _ h: ProbeHistoryItem) {
        let parts = (h.label ?? "").split(separator: "/", maxSplits: 1).map(String.init)
        if let name = parts.first, let ei = s.probe.config.endpoints.firstIndex(where: { $0.name == name }) {
            let ri = parts.count > 1 ? s.probe.config.endpoints[ei].requests.firstIndex { $0.name == parts[1] } : nil
            s.probe.select(endpoint: ei, request: ri)
        } else {
            s.probe.select(endpoint: nil, request: nil)
            // An ad hoc probe: its headers as recorded, without the masked credentials.
            s.probe.draft.headers = h.requestHeaders.filter { !Redactor.isSensitiveHeader($0.name) && !$0.value.contains("[redacted]") }
        }
        s.probe.draft.method = h.method
        s.probe.draft.url = h.url
        s.probe.draft.body = h.requestBody
        s.probe.row = .send
        s.focus = .probe
        s.message = StatusMessage(text: "re-opened probe #\(h.id) from the journal: s sends it again", isError: false)
    }
}

/// Two answers side by side (`D`): status, headers and body, lines that differ marked `≠`.
public struct ProbeDiff: Sendable, Equatable {
    public var old: ProbeHistoryItem
    public var scroll = 0
}

enum DiffView {
    typealias Line = ProbePane.Line

    /// Rows of (left, right) text aligned by a longest common subsequence of lines.
    static func align(_ a: [String], _ b: [String]) -> [(String?, String?)] {
        let a = Array(a.prefix(400)), b = Array(b.prefix(400))
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        // Walk the table: equal lines pair up; a run of removed lines next to a run of added
        // ones pairs row by row (a changed line), the rest stand alone.
        var out: [(String?, String?)] = []
        var removed: [String] = [], added: [String] = []
        func flush() {
            for k in 0..<max(removed.count, added.count) {
                out.append((k < removed.count ? removed[k] : nil, k < added.count ? added[k] : nil))
            }
            removed = []; added = []
        }
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                flush()
                out.append((a[i], b[j])); i += 1; j += 1
            } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                added.append(b[j]); j += 1
            } else {
                removed.append(a[i]); i += 1
            }
        }
        flush()
        return out
    }

    static func text(_ lines: [Line]) -> [String] { lines.map { $0.map(\.0).joined() } }

    static func lines(_ s: AppState, _ d: ProbeDiff, _ res: ProbeResult, width: Int) -> [Line] {
        let t = s.theme
        let o = res.outcome
        let colW = max(10, (width - 3) / 2)
        var out: [Line] = []
        func row(_ l: String?, _ r: String?) {
            let same = l == r
            let mark = same ? " " : "≠"
            let st = same ? t.normal : t.badgeWarn
            out.append([(DisplayWidth.truncate(l ?? "", to: colW).rightPad(colW), l == nil ? t.dim : st), (" \(mark) ", same ? t.dim : t.error),
                        (DisplayWidth.truncate(r ?? "", to: colW), r == nil ? t.dim : st)])
        }
        out.append([("── diff: probe #\(d.old.id) at \(ProbePane.clock(d.old.time)) (left) and this answer (right) · Esc closes", t.border)])
        row("status \(d.old.status.map(String.init) ?? "none")", "status \(o.response?.status.description ?? "none")")
        let oldH = d.old.responseHeaders.map { "\($0.name.lowercased()): \($0.value)" }.sorted()
        let newH = o.displayResponseHeaders.map { "\($0.name.lowercased()): \($0.value)" }.sorted()
        out.append([("── headers", t.border)])
        for (l, r) in align(oldH.map { TerminalText.singleLine($0, limit: 300) }, newH.map { TerminalText.singleLine($0, limit: 300) }) { row(l, r) }
        out.append([("── body", t.border)])
        let oldBody = text(ProbeResult.layout(d.old.body, truncated: false, theme: t))
        let newBody = text(res.bodyLines(theme: t))
        for (l, r) in align(oldBody, newBody) { row(l, r) }
        return out
    }
}
