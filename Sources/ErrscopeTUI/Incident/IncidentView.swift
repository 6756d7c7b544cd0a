import ErrscopeCore
import Foundation

/// The incident pane: the log's errors as a live table.
enum IncidentPane {
    static let sparks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` buckets as a sparkline (a blank for an empty bucket).
    static func sparkline(_ counts: [Int], width: Int) -> String {
        let shown = Array(counts.suffix(width))
        let top = max(1, shown.max() ?? 0)
        let pad = String(repeating: " ", count: max(0, width - shown.count))
        return pad + String(shown.map { $0 == 0 ? " " : sparks[min(7, ($0 * 8 - 1) / top)] })
    }

    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect) {
        let i = s.incident
        var tabs = View.lowerTabs(s)
        let me = tabs.firstIndex(of: Panes.label(.incident)) ?? 0
        if let src = i.source {
            tabs[me] = "\(Panes.label(.incident)) · \(src == "-" ? "stdin" : (src as NSString).lastPathComponent) · \(i.summary?.total ?? 0) lines · \(String(format: "%.0f", i.linesPerSecond))/s"
        }
        View.tabbedFrame(&b, s, r, tabs: tabs, active: me, focused: s.focus == .incident)
        let inner = Rect(x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2)
        guard inner.width > 20, inner.height > 2 else { return }
        let t = s.theme
        guard i.isOpen else {
            let text = "No log open. Start with `errscope --log FILE` (or `--log -` for standard input), or type :log FILE. "
                + "Each line is read like `decode --jsonl`: a body, or a log line with the body under a field; the table counts them by system and code, live."
            for (k, line) in DisplayWidth.wrap(text, width: inner.width - 2).prefix(inner.height).enumerated() {
                b.put(line, x: inner.x + 1, y: inner.y + k, style: t.dim, clip: inner)
            }
            return
        }
        var y = inner.y
        if let st = i.status {
            b.put(" " + st + (i.skipped > 0 ? " · \(i.skipped) lines over 1 MiB skipped" : ""), x: inner.x, y: y, style: i.statusIsError ? t.error : t.dim, clip: inner)
            y += 1
        }
        let rows = i.rows()
        // Columns: count, share, rate (sparkline), http, retry, category, first, last, and the code takes the rest.
        let spark = min(IncidentState.buckets, max(8, inner.width / 8))
        let cols: [(IncidentColumn, String, Int)] = [
            (.count, "count", 7), (.share, "share", 6), (.rate, "last 5 min", spark), (.http, "http", 5), (.retry, "retry", 9),
            (.category, "category", 15), (.first, "first seen", 12), (.last, "last seen", 12),
        ]
        let fixed = cols.reduce(0) { $0 + $1.2 + 1 }
        let codeW = max(12, inner.width - fixed - 1)
        func header(_ c: IncidentColumn, _ name: String) -> String { i.sort == c ? name + (i.descending ? "▼" : "▲") : name }
        var x = inner.x + 1
        for (c, name, w) in cols.prefix(3) {
            x = b.put(header(c, name).leftPad(w) + " ", x: x, y: y, style: t.title, clip: inner)
        }
        x = b.put(DisplayWidth.truncate(header(.code, "system/code"), to: codeW).rightPad(codeW) + " ", x: x, y: y, style: t.title, clip: inner)
        for (c, name, w) in cols.dropFirst(3) {
            x = b.put(DisplayWidth.truncate(header(c, name), to: w).rightPad(w) + " ", x: x, y: y, style: t.title, clip: inner)
        }
        y += 1
        guard !rows.isEmpty else {
            b.put(" no lines yet", x: inner.x, y: y, style: t.dim, clip: inner)
            return
        }
        let visible = max(1, inner.maxY - y)
        let cursor = min(i.cursor, rows.count - 1)
        let top = min(max(0, cursor - visible + 1), max(0, rows.count - visible))
        let start = max(top, min(i.scroll, cursor))
        for (k, row) in rows.dropFirst(start).prefix(visible).enumerated() {
            let selected = start + k == cursor
            let g = row.group
            let base = selected ? (s.focus == .incident ? t.selected : t.selectedUnfocused) : t.normal
            if selected { b.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: base) }
            var x = inner.x + (selected ? 0 : 1)
            if selected { x = b.put("▶", x: x, y: y, style: base, clip: inner) }
            x = b.put(String(g.count).leftPad(7) + " ", x: x, y: y, style: base, clip: inner)
            x = b.put(String(format: "%.1f%%", row.share * 100).leftPad(6) + " ", x: x, y: y, style: base, clip: inner)
            x = b.put(sparkline(row.rate, width: spark) + " ", x: x, y: y, style: selected ? base : t.jsonNumber, clip: inner)
            let label = TerminalText.singleLine(g.label, limit: 200) + (g.rule.map { " [\($0)]" } ?? "")
            x = b.put(DisplayWidth.truncate(label, to: codeW).rightPad(codeW) + " ", x: x, y: y, style: selected ? base : (g.known ? t.title : t.badgeWarn), clip: inner)
            x = b.put((g.http.map(String.init) ?? "-").rightPad(5) + " ", x: x, y: y, style: base, clip: inner)
            let retry = g.retry?.rawValue ?? "-"
            x = b.put(retry.rightPad(9) + " ", x: x, y: y, style: selected ? base : (g.retry == .no ? t.error : t.normal), clip: inner)
            x = b.put(DisplayWidth.truncate(g.category?.rawValue ?? "-", to: 15).rightPad(15) + " ", x: x, y: y, style: base, clip: inner)
            x = b.put(DisplayWidth.truncate(shortTime(g.first), to: 12).rightPad(12) + " ", x: x, y: y, style: selected ? base : t.dim, clip: inner)
            b.put(DisplayWidth.truncate(shortTime(g.last), to: 12), x: x, y: y, style: selected ? base : t.dim, clip: inner)
            y += 1
        }
    }

    /// A log time as short as it stays readable: the clock part of an ISO 8601 time.
    static func shortTime(_ t: String?) -> String {
        guard let t = t else { return "-" }
        let clean = TerminalText.singleLine(t, limit: 40)
        if let tIndex = clean.firstIndex(of: "T") { return String(clean[clean.index(after: tIndex)...].prefix(12)) }
        return String(clean.suffix(12))
    }
}
