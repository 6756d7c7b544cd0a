import ErrscopeCore
import Foundation

enum DetailPane {
    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect, tabs: Bool) {
        let tabs = tabs ? View.lowerTabs(s) : []
        if let me = tabs.firstIndex(of: Panes.label(.detail)) {
            View.tabbedFrame(&b, s, r, tabs: tabs, active: me, focused: s.focus == .detail)
        } else {
            View.frame(&b, s, r, title: Panes.label(.detail), focused: s.focus == .detail)
        }
        let inner = Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: r.height - 2)
        guard !inner.isEmpty else { return }
        let lines = s.data.detailCache.lines(row: s.selectedRow, width: inner.width, theme: s.theme.name) { content(s, width: inner.width) }
        let start = min(s.detail.scroll, max(0, lines.count - inner.height))
        for (i, line) in lines.dropFirst(start).prefix(inner.height).enumerated() {
            var x = inner.x
            for (text, style) in line { x = b.put(text, x: x, y: inner.y + i, style: style, clip: inner) }
        }
        if lines.count > inner.height {
            let more = "\(start + 1)-\(min(lines.count, start + inner.height))/\(lines.count)"
            b.put(more, x: r.maxX - DisplayWidth.of(more) - 2, y: r.maxY - 1, style: s.theme.dim, clip: r)
        }
    }

    typealias Line = [(String, Style)]

    static func content(_ s: AppState, width: Int) -> [Line] {
        let t = s.theme
        // Fields are gathered first and laid out after: the label column is as wide as the
        // widest label plus a space, so `ambiguity` or `documented` never run into their text.
        var head: [Line] = []
        var fields: [(String, String, Style?)] = []
        func field(_ label: String, _ value: String?, _ style: Style? = nil) {
            guard let v = value, !v.isEmpty else { return }
            fields.append((label, v, style))
        }
        content(s, &head, field)
        let labelW = min(max(9, (fields.map { DisplayWidth.of($0.0) }.max() ?? 0) + 1), max(9, width / 3))
        var out = head
        for (label, v, style) in fields {
            let wrapped = DisplayWidth.wrap(TerminalText.sanitize(v, keepNewlines: false), width: max(10, width - labelW))
            for (i, w) in wrapped.enumerated() {
                out.append([((i == 0 ? DisplayWidth.truncate(label, to: labelW - 1) : "").rightPad(labelW), t.dim), (w, style ?? t.normal)])
            }
        }
        return out
    }

    /// The detail's title lines into `out`, its labelled fields through `emit`.
    static func content(_ s: AppState, _ out: inout [Line], _ emit: (String, String?, Style?) -> Void) {
        let t = s.theme
        func field(_ label: String, _ value: String?, _ style: Style? = nil) { emit(label, value, style) }
        switch s.selectedRow {
        case .code(_, _, let row)?:
            let e = s.data.catalog.entry(Int(row))
            out.append([(TerminalText.singleLine(e.code, limit: 200), t.title), ("  \(e.system) / \(e.domain)", t.dim)])
            let sources = s.data.catalog.system(e.system)?.sources ?? []
            let traffic = s.data.catalog.traffic
            for f in e.displayFields(sourceTitle: { id in sources.first { $0.id == id }.map { "\($0.title) (\($0.ref))" } },
                                     whatToDo: { traffic.info($0)?.whatToDo }) {
                var style: Style?
                var value = f.value
                switch f.role {
                case .http: style = TreePane.httpStyle(s, e.http)
                case .retry(let r):
                    style = r == .no ? t.error : t.jsonString
                    value = r.rawValue.uppercased() + value.dropFirst(r.rawValue.count)  // the class stands out
                case .note(let k): style = k == .observed ? t.jsonNumber : nil
                case .plain: break
                }
                field(f.label, value, style)
            }
        case .domain(let si, let di)?:
            let sys = s.data.tree.systems[si]
            let d = sys.domains[di]
            out.append([(d.id, t.title), ("  \(sys.id)", t.dim)])
            field("title", d.title)
            field("section", d.section)
            field("codes", "\(d.rows.count)")
            let statuses = Set(d.rows.flatMap { s.data.catalog.entry(Int($0)).http.statuses }).sorted().map(String.init)
            field("HTTP", statuses.isEmpty ? "unknown" : statuses.joined(separator: ", "))
        case .system(let si)?:
            let sys = s.data.tree.systems[si]
            let info = s.data.catalog.system(sys.id)
            out.append([(sys.name, t.title), ("  \(sys.id)", t.dim)])
            field("about", info?.summary)
            field("codes", "\(sys.codeCount) in \(sys.domains.count) domains")
            for em in info?.emits ?? [] {
                field("envelope", "\(em.envelope) on \(em.paths.joined(separator: " "))\(em.carriesCode ? "" : " (no code)")")
            }
            if info?.emits.isEmpty ?? true { field("envelope", "none of its own: shown as translations") }
            field("rate", info?.rateLimit)
            for h in info?.headers ?? [] { field("header", "\(h.name): \(h.meaning)") }
            for n in info?.notes ?? [] { field(n.kind.rawValue, n.text, n.kind == .observed ? t.jsonNumber : nil) }
            for src in info?.sources ?? [] { field("source", "\(src.title) (\(src.ref))") }
        case nil:
            out.append([("Nothing selected.", t.dim)])
        }
    }
}

/// One memoised layout of the detail pane (a pure function of the row, the width and the theme).
// @unchecked Sendable: `key` and `value` are only touched under `lock`.
final class DetailCache: @unchecked Sendable {
    private let lock = NSLock()
    private var key: (row: TreeRow?, width: Int, theme: String)?
    private var value: [DetailPane.Line] = []

    func lines(row: TreeRow?, width: Int, theme: String, make: () -> [DetailPane.Line]) -> [DetailPane.Line] {
        lock.lock()
        defer { lock.unlock() }
        if let k = key, k.row == row, k.width == width, k.theme == theme { return value }
        value = make()
        key = (row, width, theme)
        return value
    }
}
