import ErrscopeCore
import Foundation

enum TreePane {
    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect) {
        let focused = s.focus == .tree
        View.frame(&b, s, r, title: Panes.label(.tree) + (s.matchCount.map { " · \($0) matches" } ?? ""), focused: focused)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        let tree = s.data.tree
        let catalog = s.data.catalog
        if s.tree.rows.isEmpty {
            b.put(s.tree.filterMatches != nil ? "no code matches “\(s.tree.filterText)”" : "no catalogs loaded", x: inner.x + 1, y: inner.y, style: s.theme.dim, clip: inner)
            return
        }
        for i in 0..<inner.height {
            let idx = s.tree.scroll + i
            guard idx < s.tree.rows.count else { break }
            let y = inner.y + i
            let selected = idx == s.tree.cursor
            let rowStyle = selected ? (focused ? s.theme.selected : s.theme.selectedUnfocused) : s.theme.normal
            if selected { b.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: rowStyle) }
            let filtering = s.tree.filterMatches != nil
            switch s.tree.rows[idx] {
            case .system(let si):
                let sys = tree.systems[si]
                let open = filtering || s.tree.expandedSystems.contains(si)
                let x = b.put((open ? "▾ " : "▸ ") + sys.id, x: inner.x, y: y, style: selected ? rowStyle : s.theme.title, clip: inner)
                b.put("  \(sys.codeCount)", x: x, y: y, style: selected ? rowStyle : s.theme.dim, clip: inner)
            case .domain(let si, let di):
                let d = tree.systems[si].domains[di]
                let open = filtering || s.tree.expandedDomains.contains(TreeState.domainKey(si, di))
                let x = b.put("  " + (open ? "▾ " : "▸ ") + d.id, x: inner.x, y: y, style: rowStyle, clip: inner)
                b.put("  \(d.rows.count)", x: x, y: y, style: selected ? rowStyle : s.theme.dim, clip: inner)
            case .code(_, _, let row):
                let e = catalog.entry(Int(row))
                let http = e.http.description
                let httpW = max(7, DisplayWidth.of(http) + 1)
                let codeText = TerminalText.singleLine(e.code, limit: 200) + (e.isWildcard ? " (wildcard)" : "")
                let base = selected ? rowStyle : (e.isWildcard ? s.theme.jsonLiteral : s.theme.normal)
                let room = inner.width - 6 - httpW
                if filtering, !s.tree.filterText.allSatisfy({ $0 == " " }) {
                    // Why the row matched: the code's matched characters underlined and bold (not
                    // colour alone), and where the other terms matched, after the code.
                    let why = s.data.filter.explain(row: Int(row), query: s.tree.filterText)
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
        if s.tree.rows.count > inner.height {
            let pos = "\(s.tree.cursor + 1)/\(s.tree.rows.count)"
            b.put(pos, x: r.maxX - DisplayWidth.of(pos) - 2, y: r.maxY - 1, style: s.theme.dim, clip: r)
        }
    }

    static func httpStyle(_ s: AppState, _ h: HTTPStatusSpec) -> Style {
        guard let p = h.primary else { return s.theme.dim }
        return p >= 500 ? s.theme.error : p == 429 ? s.theme.jsonNumber : s.theme.dim
    }
}
