import ErrscopeCore
import Foundation

enum MappingPane {
    static let minColumnWidth = 28

    /// How many of `count` envelope columns fit side by side in a pane `width` wide (its frame
    /// included); the view draws that many and the update pages by it.
    static func visibleColumns(count: Int, width: Int) -> Int {
        max(1, min(count, (width - 2) / minColumnWidth))
    }

    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect, tabs: Bool) {
        let focused = s.focus == .mapping
        let renderings = s.renderings
        let visible = visibleColumns(count: renderings.count, width: r.width)
        let first = renderings.isEmpty ? 0 : min(max(0, s.mapping.column - visible + 1), renderings.count - visible)
        let first2 = max(0, min(first, s.mapping.column))
        var title = "\(Panes.label(.mapping)) · \(s.mapping.variant.rawValue)"
        if renderings.count > visible { title += " · \(first2 + 1)-\(first2 + visible) of \(renderings.count) (Tab/←→)" }
        var tabs = View.lowerTabs(s)
        let me = tabs.firstIndex(of: Panes.label(.mapping)) ?? 0
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
            let selected = idx == s.mapping.column
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
            if rr.differsByVariant { badges.append((s.mapping.variant == .documented ? "observed differs" : "documented differs", s.theme.badgeInfo)) }
            var bx = x0
            var by = inner.y + 1
            for (text, style) in badges {
                let w2 = DisplayWidth.of(text) + 2
                if bx + w2 > col.maxX, bx > x0 { bx = x0; by += 1 }
                bx = b.put(" \(text) ", x: bx, y: by, style: style, clip: col) + 1
            }
            let jsonTop = by + (badges.isEmpty ? 0 : 1)
            let lines = JSONLines.wrap(JSONLines.lines(rr.body, theme: s.theme), width: w - 1)
            let start = min(s.mapping.scroll, max(0, lines.count - 1))
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
