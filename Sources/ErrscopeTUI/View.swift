import ErrscopeCore
import Foundation

/// Draws the state into a cell buffer. Pure: the same state always gives the same cells.
public enum View {
    public static func render(_ s: AppState) -> ScreenBuffer {
        var b = ScreenBuffer(width: s.width, height: s.height)
        let t = s.theme
        b.fill(Rect(x: 0, y: 0, width: s.width, height: s.height), style: t.normal)
        let l = Layout.compute(width: s.width, height: s.height, zoom: s.zoomed ? s.focus : nil)
        if l.tooSmall {
            drawTooSmall(&b, s)
            return b
        }
        drawTitle(&b, s, l.title)
        if let z = l.zoom {
            switch z {
            case .tree: TreePane.draw(&b, s, l.tree)
            case .detail: DetailPane.draw(&b, s, l.detail, tabs: false)
            case .mapping: MappingPane.draw(&b, s, l.mapping, tabs: true)
            case .probe: ProbePane.draw(&b, s, l.mapping, tabs: true)
            case .incident: IncidentPane.draw(&b, s, l.mapping)
            }
        } else {
            drawPanes(&b, s, l)
        }
        drawStatus(&b, s, l.status)
        if let c = s.compare {
            let body = Rect(x: 0, y: 1, width: s.width, height: max(0, s.height - 2))
            CompareView.draw(&b, s, c, in: body)
        }
        if s.showHelp { HelpOverlay.draw(&b, s) }
        if let p = s.picker { PickerView.draw(&b, s, p) }
        return b
    }

    static func drawPanes(_ b: inout ScreenBuffer, _ s: AppState, _ l: Layout) {
        TreePane.draw(&b, s, l.tree)
        if l.stacked {
            switch s.focus {
            case .mapping: MappingPane.draw(&b, s, l.mapping, tabs: true)
            case .probe: ProbePane.draw(&b, s, l.mapping, tabs: true)
            case .incident: IncidentPane.draw(&b, s, l.mapping)
            default: DetailPane.draw(&b, s, l.detail, tabs: true)
            }
        } else {
            DetailPane.draw(&b, s, l.detail, tabs: false)
            switch s.focus {
            case .probe: ProbePane.draw(&b, s, l.mapping, tabs: true)
            case .incident: IncidentPane.draw(&b, s, l.mapping)
            default: MappingPane.draw(&b, s, l.mapping, tabs: true)
            }
        }
    }

    static func drawTooSmall(_ b: inout ScreenBuffer, _ s: AppState) {
        let msg = "errscope needs \(Layout.minWidth)×\(Layout.minHeight); this terminal is \(s.width)×\(s.height). Enlarge it, or q to quit."
        let lines = DisplayWidth.wrap(msg, width: max(1, s.width))
        let top = max(0, (s.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < s.height {
            b.put(line, x: max(0, (s.width - DisplayWidth.of(line)) / 2), y: top + i, style: s.theme.title)
        }
    }

    static func drawTitle(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect) {
        let t = s.theme
        b.fill(r, style: t.statusBar)
        var x = b.put(" errscope ", x: 0, y: r.y, style: t.statusKey, clip: r)
        let c = s.data.catalog
        x = b.put("\(c.systems.count) systems · \(c.codeCount) codes · \(c.envelopes.count) envelopes", x: x + 1, y: r.y, style: t.statusBar, clip: r)
        if let n = s.matchCount {
            x = b.put("  filter “\(DisplayWidth.truncate(s.filterText, to: 30))”: \(n) match\(n == 1 ? "" : "es")", x: x, y: r.y, style: t.statusKey, clip: r)
        }
        let variant = (s.zoomed ? "[zoom: z restores] " : "") + "[\(s.variant.rawValue)]" + (s.mouse ? " [mouse]" : "")
        if x + DisplayWidth.of(variant) + 2 < r.maxX {
            b.put(variant, x: r.maxX - DisplayWidth.of(variant) - 1, y: r.y, style: t.statusBar, clip: r)
        }
    }

    static func drawStatus(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect) {
        let t = s.theme
        b.fill(r, style: t.statusBar)
        if let cmd = s.commandLine {
            b.put(":" + cmd.text, x: 0, y: r.y, style: t.statusBar, clip: r)
            b.cursor = (min(1 + DisplayWidth.of(String(cmd.text.prefix(cmd.cursor))), r.maxX - 1), r.y)
            return
        }
        if s.filterEditing {
            let x = b.put("/" + s.filterText, x: 0, y: r.y, style: t.statusBar, clip: r)
            b.cursor = (min(1 + DisplayWidth.of(String(s.filterLine.text.prefix(s.filterLine.cursor))), r.maxX - 1), r.y)
            let count = "\(s.matchCount ?? 0) matches · Enter keep · Esc clear"
            if x + DisplayWidth.of(count) + 3 < r.maxX { b.put(count, x: r.maxX - DisplayWidth.of(count) - 1, y: r.y, style: t.statusBar, clip: r) }
            return
        }
        if let m = s.message {
            b.put(" " + m.text, x: 0, y: r.y, style: m.isError ? Style(fg: t.error.fg, bg: t.statusBar.bg, bold: true) : t.statusBar, clip: r)
            return
        }
        if s.focus == .probe, s.probe.editing != nil {
            // Editing a field: the keys that do something now, not the pane's.
            var x = b.put(" EDITING ", x: 0, y: r.y, style: t.statusKey, clip: r)
            for (k, h) in [("Enter", "keep"), ("Esc", "drop"), ("←/→", "move"), ("Ctrl-A/E", "start/end"), ("Ctrl-U", "clear")] {
                x = b.put(" " + k, x: x, y: r.y, style: t.statusKey, clip: r)
                x = b.put(" " + h + " ", x: x, y: r.y, style: t.statusBar, clip: r)
            }
            return
        }
        var x = 1
        for binding in s.keymap.bindings where binding.hint && (binding.scope == s.focus.scope || binding.scope == .global) {
            guard !binding.keys.isEmpty else { continue }
            let label = binding.keys.prefix(2).map(\.label).joined(separator: "/")
            let help = shortHelp(binding.help)
            // Skip a hint that does not fit; a shorter one later may.
            if x + DisplayWidth.of(label) + DisplayWidth.of(help) + 3 > r.maxX { continue }
            x = b.put(label, x: x, y: r.y, style: t.statusKey, clip: r)
            x = b.put(" " + help + "  ", x: x, y: r.y, style: t.statusBar, clip: r)
        }
    }

    static func shortHelp(_ h: String) -> String {
        h.split(separator: "(").first.map { TerminalText.trimSpaces(String($0)) } ?? h
    }

    /// A box whose title is a tab strip: the tab on show is marked `▶` when its pane has the focus
    /// and `▷` when not, right before its name, so which tab shows is plain without colour.
    /// `detail`: the narrow layout, where Detail shares the place too.
    static func tabbedFrame(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect, tabs: [String], active: Int, focused: Bool) {
        let strip = tabs.enumerated().map { i, t in i == active ? (focused ? "▶ " : "▷ ") + t : t }.joined(separator: " │ ")
        frame(&b, s, r, title: strip, focused: focused, marker: false)
    }

    /// The tabs that share the lower place: Detail too in the narrow (stacked) layout.
    static func lowerTabs(_ s: AppState) -> [String] {
        (s.width < 100 ? ["2 Detail"] : []) + ["3 Mapping", "4 Probe", "5 Incident"]
    }

    /// A box with a title; focused panes get the focus colour and a `▶` marker (not colour alone).
    static func frame(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect, title: String, focused: Bool, marker: Bool = true) {
        guard r.width >= 2, r.height >= 2 else { return }
        let st = focused ? s.theme.borderFocused : s.theme.border
        for x in r.x..<r.maxX {
            b.put("─", x: x, y: r.y, style: st)
            b.put("─", x: x, y: r.maxY - 1, style: st)
        }
        for y in r.y..<r.maxY {
            b.put("│", x: r.x, y: y, style: st)
            b.put("│", x: r.maxX - 1, y: y, style: st)
        }
        b.put("┌", x: r.x, y: r.y, style: st)
        b.put("┐", x: r.maxX - 1, y: r.y, style: st)
        b.put("└", x: r.x, y: r.maxY - 1, style: st)
        b.put("┘", x: r.maxX - 1, y: r.maxY - 1, style: st)
        let label = (focused && marker ? "▶ " : " ") + title + " "
        b.put(DisplayWidth.truncate(label, to: r.width - 4), x: r.x + 2, y: r.y, style: focused ? s.theme.borderFocused : s.theme.title)
    }
}

enum TreePane {
    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect) {
        let focused = s.focus == .tree
        View.frame(&b, s, r, title: "1 Catalog" + (s.matchCount.map { " · \($0) matches" } ?? ""), focused: focused)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        let tree = s.data.tree
        let catalog = s.data.catalog
        if s.rows.isEmpty {
            b.put(s.filterMatches != nil ? "no code matches “\(s.filterText)”" : "no catalogs loaded", x: inner.x + 1, y: inner.y, style: s.theme.dim, clip: inner)
            return
        }
        for i in 0..<inner.height {
            let idx = s.treeScroll + i
            guard idx < s.rows.count else { break }
            let y = inner.y + i
            let selected = idx == s.cursor
            let rowStyle = selected ? (focused ? s.theme.selected : s.theme.selectedUnfocused) : s.theme.normal
            if selected { b.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: rowStyle) }
            let filtering = s.filterMatches != nil
            switch s.rows[idx] {
            case .system(let si):
                let sys = tree.systems[si]
                let open = filtering || s.expandedSystems.contains(si)
                let x = b.put((open ? "▾ " : "▸ ") + sys.id, x: inner.x, y: y, style: selected ? rowStyle : s.theme.title, clip: inner)
                b.put("  \(sys.codeCount)", x: x, y: y, style: selected ? rowStyle : s.theme.dim, clip: inner)
            case .domain(let si, let di):
                let d = tree.systems[si].domains[di]
                let open = filtering || s.expandedDomains.contains(AppState.domainKey(si, di))
                let x = b.put("  " + (open ? "▾ " : "▸ ") + d.id, x: inner.x, y: y, style: rowStyle, clip: inner)
                b.put("  \(d.rows.count)", x: x, y: y, style: selected ? rowStyle : s.theme.dim, clip: inner)
            case .code(_, _, let row):
                let e = catalog.entry(Int(row))
                let http = e.http.description
                let httpW = max(7, DisplayWidth.of(http) + 1)
                let codeText = TerminalText.singleLine(e.code, limit: 200) + (e.isWildcard ? " (wildcard)" : "")
                let base = selected ? rowStyle : (e.isWildcard ? s.theme.jsonLiteral : s.theme.normal)
                let room = inner.width - 6 - httpW
                if filtering, !s.filterText.allSatisfy({ $0 == " " }) {
                    // Why the row matched: the code's matched characters underlined and bold (not
                    // colour alone), and where the other terms matched, after the code.
                    let why = s.data.filter.explain(row: Int(row), query: s.filterText)
                    let tail = why.reasons.isEmpty ? "" : "  ← " + why.reasons.joined(separator: ", ")
                    let shown = DisplayWidth.truncate(codeText, to: max(1, room - min(DisplayWidth.of(tail), room / 2)))
                    var x = b.put("      ", x: inner.x, y: y, style: base, clip: inner)
                    var mark = base
                    mark.bold = true
                    mark.underline = true
                    if !selected { mark.fg = s.theme.jsonKey.fg }
                    for (i, ch) in shown.enumerated() {
                        x = b.put(String(ch), x: x, y: y, style: why.codeMatches.contains(i) ? mark : base, clip: inner)
                    }
                    if !tail.isEmpty {
                        b.put(DisplayWidth.truncate(tail, to: max(0, inner.x + 6 + room - x)), x: x, y: y, style: selected ? rowStyle : s.theme.dim, clip: inner)
                    }
                } else {
                    b.put("      " + DisplayWidth.truncate(codeText, to: room), x: inner.x, y: y, style: base, clip: inner)
                }
                b.put(http, x: inner.maxX - DisplayWidth.of(http), y: y, style: selected ? rowStyle : httpStyle(s, e.http), clip: inner)
            }
        }
        if s.rows.count > inner.height {
            let pos = "\(s.cursor + 1)/\(s.rows.count)"
            b.put(pos, x: r.maxX - DisplayWidth.of(pos) - 2, y: r.maxY - 1, style: s.theme.dim, clip: r)
        }
    }

    static func httpStyle(_ s: AppState, _ h: HTTPStatusSpec) -> Style {
        guard let p = h.primary else { return s.theme.dim }
        return p >= 500 ? s.theme.error : p == 429 ? s.theme.jsonNumber : s.theme.dim
    }
}

enum DetailPane {
    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect, tabs: Bool) {
        if tabs && s.width < 100 {
            View.tabbedFrame(&b, s, r, tabs: View.lowerTabs(s), active: 0, focused: s.focus == .detail)
        } else {
            View.frame(&b, s, r, title: "2 Detail", focused: s.focus == .detail)
        }
        let inner = Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: r.height - 2)
        guard !inner.isEmpty else { return }
        let lines = s.data.detailCache.lines(row: s.selectedRow, width: inner.width, theme: s.theme.name) { content(s, width: inner.width) }
        let start = min(s.detailScroll, max(0, lines.count - inner.height))
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

enum MappingPane {
    static let minColumnWidth = 28

    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect, tabs: Bool) {
        let focused = s.focus == .mapping
        let renderings = s.renderings
        let visible = max(1, min(renderings.count, (r.width - 2) / minColumnWidth))
        let first = renderings.isEmpty ? 0 : min(max(0, s.mappingColumn - visible + 1), renderings.count - visible)
        let first2 = max(0, min(first, s.mappingColumn))
        var title = "3 Mapping · \(s.variant.rawValue)"
        if renderings.count > visible { title += " · \(first2 + 1)-\(first2 + visible) of \(renderings.count) (Tab/←→)" }
        var tabs = View.lowerTabs(s)
        let me = tabs.firstIndex(of: "3 Mapping")!
        tabs[me] = title
        View.tabbedFrame(&b, s, r, tabs: tabs, active: me, focused: focused)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        guard !renderings.isEmpty else {
            b.put("Select a code to see it in every envelope of its system.", x: inner.x + 1, y: inner.y, style: s.theme.dim, clip: inner)
            return
        }
        let colW = inner.width / visible
        let documentedHTTP = s.selectedEntry?.http.primary
        for c in 0..<visible {
            let idx = first2 + c
            guard idx < renderings.count else { break }
            let rr = renderings[idx]
            let x0 = inner.x + c * colW
            let w = c == visible - 1 ? inner.maxX - x0 : colW - 1
            let col = Rect(x: x0, y: inner.y, width: w, height: inner.height)
            if c > 0 { for y in inner.y..<inner.maxY { b.put("│", x: x0 - 1, y: y, style: s.theme.border) } }
            let selected = idx == s.mappingColumn
            let headStyle = selected && focused ? s.theme.selected : s.theme.title
            if selected { b.fill(Rect(x: x0, y: inner.y, width: w, height: 1), style: headStyle) }
            var x = b.put((selected ? "▸" : " ") + rr.envelope, x: x0, y: inner.y, style: headStyle, clip: col)
            let http = rr.http.map { "HTTP \($0)" } ?? "HTTP ?"
            let changed = rr.http != documentedHTTP
            x = b.put(" " + http + (changed ? "≠" : ""), x: x, y: inner.y, style: selected && focused ? headStyle : (changed ? s.theme.badgeWarn : s.theme.dim), clip: col)
            // Badges: words, so that meaning never rests on colour alone.
            var badges: [(String, Style)] = []
            if rr.kind == .translation { badges.append(("translation", s.theme.badgeInfo)) }
            if !rr.carriesCode { badges.append(("no code", s.theme.badgeWarn)) }
            if rr.sanitized { badges.append(("sanitized", s.theme.badgeWarn)) }
            if rr.sentAs != rr.envelope { badges.append(("sent as \(rr.sentAs)", s.theme.badgeWarn)) }
            if rr.differsByVariant { badges.append((s.variant == .documented ? "observed differs" : "documented differs", s.theme.badgeInfo)) }
            var bx = x0
            var by = inner.y + 1
            for (text, style) in badges {
                let w2 = DisplayWidth.of(text) + 2
                if bx + w2 > col.maxX, bx > x0 { bx = x0; by += 1 }
                bx = b.put(" \(text) ", x: bx, y: by, style: style, clip: col) + 1
            }
            let jsonTop = by + (badges.isEmpty ? 0 : 1)
            let lines = JSONLines.wrap(JSONLines.lines(rr.body, theme: s.theme), width: w - 1)
            let start = min(s.mappingScroll, max(0, lines.count - 1))
            for (i, line) in lines.dropFirst(start).enumerated() {
                let y = jsonTop + i
                if y >= col.maxY { break }
                var lx = x0 + 1
                for (text, style) in line { lx = b.put(text, x: lx, y: y, style: style, clip: col) }
            }
            if let note = rr.notes.first, jsonTop + lines.count + 1 < col.maxY {
                let wrapped = DisplayWidth.wrap(TerminalText.singleLine(note, limit: 300), width: max(8, w - 2))
                for (i, l) in wrapped.prefix(col.maxY - (jsonTop + lines.count + 1)).enumerated() {
                    b.put(l, x: x0 + 1, y: jsonTop + lines.count + 1 + i, style: s.theme.dim, clip: col)
                }
            }
        }
    }
}

enum HelpOverlay {
    /// The help's rows: (keys or command, what it does); a row with no text is a heading.
    static func lines(_ s: AppState) -> [(String, String)] {
        var lines: [(String, String)] = []
        for scope in [Scope.global, .tree, .mapping, .detail, .probe, .incident, .edit, .help] {
            let bs = s.keymap.bindings.filter { $0.scope == scope && !$0.keys.isEmpty }
            guard !bs.isEmpty else { continue }
            lines.append(("", ""))
            lines.append((scope.title, ""))
            for binding in bs { lines.append((binding.keys.map(\.label).joined(separator: " "), binding.help)) }
        }
        lines.append(("", ""))
        lines.append(("Commands (type : then the command)", ""))
        for c in Commands.table { lines.append((c.usage, c.help)) }
        lines.append(("", ""))
        lines.append(("Filter", ""))
        lines.append(("/ TERMS", "terms all match: fuzzy in the code, text in domain/meaning, prefix of HTTP status, type, gRPC status or category"))
        return lines
    }

    static func rect(_ s: AppState) -> Rect {
        let w = min(s.width - 4, 100)
        let h = s.height - 2
        return Rect(x: (s.width - w) / 2, y: (s.height - h) / 2, width: w, height: h)
    }

    /// The rows laid out for the overlay's width: the key column as wide as its widest entry (at
    /// most half the box), each description wrapped under its own column, never into the keys.
    static func layout(_ s: AppState) -> (rows: [(String, String, Bool)], keyWidth: Int) {
        let inner = rect(s).inset(1)
        let items = lines(s)
        let widest = items.filter { !$0.1.isEmpty }.map { DisplayWidth.of($0.0) }.max() ?? 10
        let keyW = min(widest + 4, max(12, inner.width / 2))
        var rows: [(String, String, Bool)] = []
        for (k, v) in items {
            if v.isEmpty { rows.append((k, "", true)); continue }
            let keys = DisplayWidth.wrap(k, width: max(4, keyW - 3))
            let text = DisplayWidth.wrap(v, width: max(10, inner.width - keyW - 1))
            for i in 0..<max(keys.count, text.count) {
                rows.append((i < keys.count ? keys[i] : "", i < text.count ? text[i] : "", false))
            }
        }
        return (rows, keyW)
    }

    static func visibleRows(_ s: AppState) -> Int { max(1, rect(s).height - 2) }

    static func draw(_ b: inout ScreenBuffer, _ s: AppState) {
        let r = rect(s)
        guard r.width > 20, r.height > 4 else { return }
        let (rows, keyW) = layout(s)
        b.fill(r, style: s.theme.normal)
        View.frame(&b, s, r, title: "Help · ↑↓ PgUp/PgDn scroll · Esc, ? or q closes", focused: true)
        let inner = r.inset(1)
        let start = min(s.helpScroll, max(0, rows.count - inner.height))
        if rows.count > inner.height {
            let more = "\(start + 1)-\(min(rows.count, start + inner.height))/\(rows.count)"
            b.put(more, x: r.maxX - DisplayWidth.of(more) - 2, y: r.maxY - 1, style: s.theme.borderFocused, clip: r)
        }
        for (i, (k, v, heading)) in rows.dropFirst(start).prefix(inner.height).enumerated() {
            let y = inner.y + i
            if heading {
                b.put(" " + k, x: inner.x, y: y, style: s.theme.title, clip: inner)
            } else {
                b.put("  " + k, x: inner.x, y: y, style: s.theme.jsonKey, clip: Rect(x: inner.x, y: y, width: keyW, height: 1))
                b.put(v, x: inner.x + keyW, y: y, style: s.theme.normal, clip: inner)
            }
        }
    }
}

/// Pretty JSON as coloured segments per line, from the value itself (no re-parsing).
enum JSONLines {
    typealias Line = [(String, Style)]

    /// Breaks lines wider than `width` at token boundaries (a key, `: `, a value, punctuation),
    /// never inside a token that fits on a line of its own; a string longer than a whole line is
    /// broken after a space where it has one, else where it must. Continuation lines start with
    /// `↪` under the line's indent, so a wrapped value is never mistaken for a new member.
    static func wrap(_ lines: [Line], width: Int) -> [Line] {
        guard width > 8 else { return lines }
        var out: [Line] = []
        for line in lines {
            let indent = min(line.first.map { $0.0.prefix { $0 == " " }.count } ?? 0, width / 2)
            let mark = String(repeating: " ", count: indent) + "↪ "
            let markW = indent + 2
            var cur: Line = []
            var w = 0
            var lineStart = 0  // the width before the first token of this line (indent or mark)
            var first = true
            func breakLine(_ style: Style) {
                out.append(cur)
                cur = [(mark, style)]
                w = markW
                lineStart = markW
            }
            for (text, style) in line {
                var rest = Substring(text)
                if first {
                    // The leading indent is part of the first segment.
                    first = false
                    lineStart = min(indent, DisplayWidth.of(text))
                }
                while !rest.isEmpty {
                    let tw = DisplayWidth.of(String(rest))
                    if w + tw <= width { cur.append((String(rest), style)); w += tw; break }
                    // Does not fit here: a token that fits on a fresh line moves there whole
                    // (unless nothing is on this line yet but its indent).
                    if markW + tw <= width, w > lineStart { breakLine(style); continue }
                    // Longer than a line: as much as fits, cut after a space (or an identifier's
                    // joint) when there is one.
                    let room = width - w
                    var take = "", takeW = 0, lastSpace: (String.Index, Int)? = nil
                    var i = rest.startIndex
                    while i < rest.endIndex {
                        let cw = DisplayWidth.of(rest[i])
                        if takeW + cw > room { break }
                        take.append(rest[i])
                        takeW += cw
                        // A break may follow a space, or the joints of an identifier (- _ / . :).
                        if " -_/.:".contains(rest[i]) { lastSpace = (rest.index(after: i), takeW) }
                        i = rest.index(after: i)
                    }
                    if let (at, sw) = lastSpace, sw > room / 3, at < rest.endIndex {
                        take = String(rest[rest.startIndex..<at])
                        takeW = sw
                        i = at
                    }
                    if take.isEmpty {
                        // Not even one character fits after the mark: put it anyway.
                        take = String(rest[rest.startIndex])
                        i = rest.index(after: rest.startIndex)
                        takeW = DisplayWidth.of(take)
                    }
                    cur.append((take, style))
                    w += takeW
                    rest = rest[i...]
                    if !rest.isEmpty { breakLine(style) }
                }
            }
            out.append(cur)
        }
        return out
    }

    static func lines(_ v: JSONValue, theme t: Theme) -> [Line] {
        var out: [Line] = [[]]
        func emit(_ s: String, _ st: Style) { out[out.count - 1].append((s, st)) }
        func newline(_ indent: Int) { out.append([(String(repeating: "  ", count: indent), t.normal)]) }
        func walk(_ v: JSONValue, _ indent: Int) {
            switch v {
            case .object(let o):
                if o.pairs.isEmpty { emit("{}", t.jsonPunct); return }
                emit("{", t.jsonPunct)
                for (i, p) in o.pairs.enumerated() {
                    newline(indent + 1)
                    emit(TerminalText.singleLine(JSONWriter.quoted(p.key), limit: 200), t.jsonKey)
                    emit(": ", t.jsonPunct)
                    walk(p.value, indent + 1)
                    if i < o.pairs.count - 1 { emit(",", t.jsonPunct) }
                }
                newline(indent)
                emit("}", t.jsonPunct)
            case .array(let a):
                if a.isEmpty { emit("[]", t.jsonPunct); return }
                emit("[", t.jsonPunct)
                for (i, item) in a.enumerated() {
                    newline(indent + 1)
                    walk(item, indent + 1)
                    if i < a.count - 1 { emit(",", t.jsonPunct) }
                }
                newline(indent)
                emit("]", t.jsonPunct)
            case .string(let s): emit(TerminalText.singleLine(JSONWriter.quoted(s), limit: 400), t.jsonString)
            case .int, .double: emit(v.compactText, t.jsonNumber)
            case .bool, .null: emit(v.compactText, t.jsonLiteral)
            }
        }
        walk(v, 0)
        return out
    }
}
