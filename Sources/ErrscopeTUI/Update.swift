import ErrscopeCore

/// The whole behaviour of the TUI: an event in, the new state and the effects out. No IO, no
/// clock, no randomness: tests drive it with keys and read the state.
public func update(_ s: inout AppState, _ event: Event) -> [Effect] {
    var effects: [Effect] = []
    switch event {
    case .resize(let w, let h):
        s.width = max(0, w)
        s.height = max(0, h)
    case .mouse(let m):
        effects += handleMouse(&s, m)
    case .key(let key):
        effects += handleKey(&s, key)
    case .tick(let now):
        for spec in Panes.all { if let tick = spec.tick { effects += tick(&s, now) } }
    case .probeFinished(let r):
        effects += ProbeUpdate.finished(&s, r)
    case .execFinished(let tag, let text):
        if let target = EditTarget(rawValue: tag) { effects += ProbeUpdate.editorFinished(&s, target, text) }
    case .logData(let bytes, let now):
        IncidentUpdate.ingest(&s, bytes, now: now)
    case .logStatus(let text, let isError):
        s.incident.status = text
        s.incident.statusIsError = isError
    case .command(let text):
        effects += runCommand(&s, text)
    case .historyLoaded(let items, let diff):
        HistoryUpdate.loaded(&s, items, diff: diff)
    }
    if effects.contains(.quit) {
        effects.insert(contentsOf: IncidentUpdate.flushAll(&s), at: 0)
    } else {
        effects += IncidentUpdate.flush(&s)
    }
    s.layout = Layout.compute(width: s.width, height: s.height, zoom: s.zoomed ? s.focus : nil)
    clampScroll(&s)
    return effects
}

private func handleKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    // Ctrl-C always quits, whatever mode.
    if key == .ctrl("c") { return [.quit] }
    switch s.mode.kind {
    case .help: return helpKey(&s, key)
    case .picker: return pickerKey(&s, key)
    case .command: return commandKey(&s, key)
    case .filter: return filterKey(&s, key)
    case .fieldEdit: return ProbeUpdate.editKey(&s, key)
    case .normal: if s.compare != nil { return compareKey(&s, key) }
    }
    s.message = nil
    guard let action = s.keymap.action(for: key, in: s.focus.scope) else { return [] }
    // The focused pane first; what it does not take is a global action.
    if let effects = s.focus.spec.update(&s, action) { return effects }
    return perform(&s, action)
}

private func helpKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    // A pane of its own: it scrolls, and only Esc, ? or q close it (a stray key does not).
    let page = max(1, HelpOverlay.visibleRows(s) - 1)
    let last = max(0, HelpOverlay.layout(s).rows.count - HelpOverlay.visibleRows(s))
    // Only the help scope's bindings act here (the key table's, so remappable and listed).
    switch s.keymap.modalAction(for: key, in: .help) {
    case .moveDown?: s.helpScroll += 1
    case .moveUp?: s.helpScroll -= 1
    case .pageDown?: s.helpScroll += page
    case .pageUp?: s.helpScroll -= page
    case .top?: s.helpScroll = 0
    case .bottom?: s.helpScroll = last
    case .helpClose?:
        s.mode = .normal
        s.message = nil
    default: s.message = StatusMessage(text: "help: ↑↓ PgUp/PgDn scroll · Esc, ? or q closes", isError: false)
    }
    s.helpScroll = max(0, min(s.helpScroll, last))
    return []
}

private func pickerKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    guard var p = s.picker else { return [] }
    switch PickerUpdate.key(&p, key) {
    case .stay: s.picker = p
    case .cancel: s.picker = nil
    case .choose(let item):
        s.picker = nil
        switch p.purpose {
        case .code:
            s.pushJump()
            s.reveal(row: item.row)
            s.focus = .tree
        case .probe(let send):
            return runCommand(&s, (send ? "probe! " : "probe ") + item.text)
        case .history(let diff):
            guard s.probe.history.indices.contains(item.row) else { return [] }
            let h = s.probe.history[item.row]
            if diff {
                s.probe.diff = ProbeDiff(old: h)
                s.probe.responseScroll = 0
                s.focus = .probe
            } else {
                HistoryUpdate.reopen(&s, h)
            }
        }
    }
    return []
}

private func compareKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    guard var c = s.compare else { return [] }
    if key == .char(":") { s.commandLine = LineEditor("", history: s.commandHistory); return [] }
    let action = CompareUpdate.key(&c, key, page: max(1, s.height - 6))
    s.compare = c
    switch action {
    case .none: break
    case .close: s.compare = nil
    case .open(let row):
        s.pushJump()
        s.compare = nil
        s.reveal(row: row)
        s.focus = .detail
    }
    return []
}

func perform(_ s: inout AppState, _ action: Action) -> [Effect] {
    let page = max(1, pageSize(s))
    switch action {
    case .quit: return [.quit]
    case .help:
        s.mode = .help(scroll: 0)
    case .filter:
        s.mode = .filter(LineEditor(s.tree.filterText, history: s.tree.filterEntries))
        s.focus = .tree
    case .command:
        s.commandLine = LineEditor("", history: s.commandHistory)
    case .clear:
        if s.tree.filterMatches != nil || s.filterEditing { s.clearFilter() }
        s.message = nil
    case .toggleMouse:
        s.mouse.toggle()
        s.message = StatusMessage(text: "mouse \(s.mouse ? "on: click to select, wheel to scroll" : "off")", isError: false)
        return [.setMouse(s.mouse)]
    case .nextPane, .previousPane:
        let all = Pane.allCases
        let step = action == .nextPane ? 1 : all.count - 1
        s.focus = all[(Panes.index(s.focus) + step) % all.count]
    case .zoom:
        s.zoomed.toggle()
        s.message = StatusMessage(text: s.zoomed ? "zoomed: z restores the layout" : "layout restored", isError: false)
    case .jumpBack:
        if !s.popJump() {
            s.message = StatusMessage(text: "nothing to jump back to", isError: false)
            return [.bell]
        }
    case .moveDown, .moveUp, .pageDown, .pageUp, .top, .bottom:
        let delta: Int
        switch action {
        case .moveDown: delta = 1
        case .moveUp: delta = -1
        case .pageDown: delta = page
        case .pageUp: delta = -page
        case .top: delta = Int.min / 2
        default: delta = Int.max / 2
        }
        // The focused pane's own scrolling.
        s.focus.spec.scroll(&s, delta)
    case .nextMatch, .previousMatch:
        let step = action == .nextMatch ? 1 : -1
        if let i = s.tree.firstCodeRow(from: s.tree.cursor + step, step: step) {
            s.tree.cursor = i
        } else if let i = s.tree.firstCodeRow(from: step > 0 ? 0 : s.tree.rows.count - 1, step: step) {
            s.tree.cursor = i
            s.message = StatusMessage(text: step > 0 ? "wrapped to the first match" : "wrapped to the last match", isError: false)
        }
        s.focus = .tree
        s.apply(PaneContext(s).selecting())
    default:
        // A focus action (`focus_tree`, one per pane in `Panes.all`); any other action belongs to a
        // pane or a modal scope and does nothing here.
        if let p = action.focusedPane { s.focus = p }
    }
    return []
}

/// The filter's line: the shared line editor, each edit re-filtering; ↑/↓ and the page keys
/// still move in the tree (Ctrl-P/Ctrl-N recall earlier filters).
private func filterKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    switch key {
    case .escape:
        s.clearFilter()
    case .enter:
        s.mode = .normal
        LineEditor.remember(s.tree.filterText, in: &s.tree.filterEntries)
        if s.matchCount == 0 { s.message = StatusMessage(text: "no code matches `\(s.tree.filterText)`", isError: true) }
    case .backspace where s.filterLine.isEmpty, .delete where s.filterLine.isEmpty, .ctrl("h") where s.filterLine.isEmpty:
        s.mode = .normal
    case .down, .up, .pageDown, .pageUp:
        _ = perform(&s, key == .down ? .moveDown : key == .up ? .moveUp : key == .pageDown ? .pageDown : .pageUp)
    default:
        if case .char = key, s.filterLine.text.count >= 200 { return [.bell] }
        var e = s.filterLine
        guard e.handle(key, keymap: s.keymap) != .unhandled else { return [] }
        s.filterLine = e
        if e.text != s.tree.filterText { s.tree.applyFilter(e.text) }
    }
    return []
}

/// The `:` line: the shared line editor, with the commands run before on ↑/↓.
private func commandKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    guard var e = s.commandLine else { return [] }
    // Backspace on an empty line closes it, as in vim.
    if e.isEmpty, key == .backspace || key == .delete || key == .ctrl("h") {
        s.commandLine = nil
        return []
    }
    if case .char = key, e.text.count >= 200 { return [] }
    switch e.handle(key, keymap: s.keymap) {
    case .submit:
        s.commandLine = nil
        LineEditor.remember(e.text, in: &s.commandHistory)
        return runCommand(&s, e.text)
    case .cancel: s.commandLine = nil
    default: s.commandLine = e
    }
    return []
}

private func handleMouse(_ s: inout AppState, _ m: MouseEvent) -> [Effect] {
    guard s.mouse, !s.layout.tooSmall else { return [] }
    let l = s.layout
    // The pane drawn under the pointer (from the list the view draws).
    guard let p = Panes.at(x: m.x, y: m.y, s, l) else { return [] }
    switch m.kind {
    case .wheelUp, .wheelDown:
        // Scroll the pane under the pointer without moving the focus.
        p.spec.scroll(&s, m.kind == .wheelDown ? 3 : -3)
    case .press:
        // A click elsewhere ends a form field's edit, as leaving the field would.
        if p != s.focus, s.mode.kind == .fieldEdit { s.mode = .normal }
        s.focus = p
        // Only the rows inside the frame select; the border does not.
        let r = l.rect(p.spec.place)
        if p == .tree, m.y > r.y, m.y < r.maxY - 1, m.x > r.x, m.x < r.maxX - 1 {
            let i = s.tree.scroll + (m.y - r.y - 1)
            if i >= 0, i < s.tree.rows.count {
                if i == s.tree.cursor {
                    _ = s.run(\.tree, .toggle, TreeUpdate.update)
                    s.focus = .tree
                } else {
                    s.tree.cursor = i
                    s.apply(PaneContext(s).selecting())
                }
            }
        }
    }
    return []
}

func pageSize(_ s: AppState) -> Int {
    let spec = s.focus.spec
    return max(1, s.layout.rect(spec.place).height - spec.chromeRows)
}

private func clampScroll(_ s: inout AppState) {
    let visible = max(1, s.layout.tree.height - 2)
    if s.tree.cursor < s.tree.scroll { s.tree.scroll = s.tree.cursor }
    if s.tree.cursor >= s.tree.scroll + visible { s.tree.scroll = s.tree.cursor - visible + 1 }
    s.tree.scroll = max(0, min(s.tree.scroll, max(0, s.tree.rows.count - visible)))
    s.mapping.column = min(max(0, s.mapping.column), max(0, s.renderings.count - 1))
}
