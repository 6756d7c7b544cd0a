import ErrscopeCore
import Foundation

enum HelpOverlay {
    /// The help's rows: (keys or command, what it does); a row with no text is a heading.
    static func lines(_ s: AppState) -> [(String, String)] {
        var lines: [(String, String)] = []
        for scope in [Scope.global] + Pane.allCases.map(\.scope) + [.edit, .help] {
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
