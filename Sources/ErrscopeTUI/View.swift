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
        // Each place draws the pane shown there (`Panes.shown`, also what a click hits); the
        // lower place's panes and the narrow layout's shared place frame themselves as tabs.
        for (pane, rect) in Panes.shown(s, l) {
            pane.spec.draw(&b, s, rect, l.zoom == nil ? pane.spec.place != .left : pane.spec.place == .lower)
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
            x = b.put("  filter “\(DisplayWidth.truncate(s.tree.filterText, to: 30))”: \(n) match\(n == 1 ? "" : "es")", x: x, y: r.y, style: t.statusKey, clip: r)
        }
        let variant = (s.zoomed ? "[zoom: z restores] " : "") + "[\(s.mapping.variant.rawValue)]" + (s.mouse ? " [mouse]" : "")
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
            let x = b.put("/" + s.tree.filterText, x: 0, y: r.y, style: t.statusBar, clip: r)
            b.cursor = (min(1 + DisplayWidth.of(String(s.filterLine.text.prefix(s.filterLine.cursor))), r.maxX - 1), r.y)
            let count = "\(s.matchCount ?? 0) matches · Enter keep · Esc clear"
            if x + DisplayWidth.of(count) + 3 < r.maxX { b.put(count, x: r.maxX - DisplayWidth.of(count) - 1, y: r.y, style: t.statusBar, clip: r) }
            return
        }
        if let m = s.message {
            b.put(" " + m.text, x: 0, y: r.y, style: m.isError ? Style(fg: t.error.fg, bg: t.statusBar.bg, bold: true) : t.statusBar, clip: r)
            return
        }
        if s.focus == .probe, s.fieldEditor != nil {
            // Editing a field: the keys that do something now (the key table's `edit` scope, so
            // a remapped key shows as remapped).
            var x = b.put(" EDITING ", x: 0, y: r.y, style: t.statusKey, clip: r)
            for action in [Action.editSubmit, .editCancel, .editStart, .editEnd, .editKillToStart, .editKillWord] {
                guard let binding = s.keymap.bindings.first(where: { $0.scope == .edit && $0.action == action }), !binding.keys.isEmpty else { continue }
                let label = binding.keys.prefix(2).map(\.label).joined(separator: "/")
                if x + DisplayWidth.of(label) + DisplayWidth.of(binding.help) + 3 > r.maxX { break }
                x = b.put(" " + label, x: x, y: r.y, style: t.statusKey, clip: r)
                x = b.put(" " + binding.help + " ", x: x, y: r.y, style: t.statusBar, clip: r)
            }
            return
        }
        var x = 1
        // The focused pane's own keys first, then the global ones.
        let hints = s.keymap.bindings.filter { $0.hint && $0.scope == s.focus.scope } + s.keymap.bindings.filter { $0.hint && $0.scope == .global }
        func width(_ binding: Binding) -> Int {
            DisplayWidth.of(binding.keys.prefix(2).map(\.label).joined(separator: "/")) + DisplayWidth.of(shortHelp(binding.help)) + 3
        }
        // The way to help always shows, however narrow the terminal: room is kept for it until
        // it is drawn in its place.
        let helpHint = hints.first { $0.action == .help && !$0.keys.isEmpty }
        var reserve = helpHint.map(width) ?? 0
        for binding in hints {
            guard !binding.keys.isEmpty else { continue }
            let label = binding.keys.prefix(2).map(\.label).joined(separator: "/")
            let help = shortHelp(binding.help)
            let isHelp = binding.action == .help && binding.scope == helpHint?.scope
            // Skip a hint that does not fit; a shorter one later may.
            if x + width(binding) + (isHelp ? 0 : reserve) > r.maxX { continue }
            if isHelp { reserve = 0 }
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
    static func lowerTabs(_ s: AppState) -> [String] { Panes.lowerTabs(s).map(Panes.label) }

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
