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
        effects += ProbeUpdate.tick(&s, now)
        IncidentUpdate.tick(&s, now)
    case .probeFinished(let r):
        effects += ProbeUpdate.finished(&s, r)
    case .editorFinished(let target, let text):
        effects += ProbeUpdate.editorFinished(&s, target, text)
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

/// Which keys mean what right now: one mode, decided in one place (an overlay or a line being
/// edited takes the keys before the panes do).
public enum Mode: String, Sendable, Equatable {
    case normal, help, picker, command, filter, compare, fieldEdit = "field-edit"
}

extension AppState {
    public var mode: Mode {
        if showHelp { return .help }
        if picker != nil { return .picker }
        if commandLine != nil { return .command }
        if filterEditing { return .filter }
        if compare != nil { return .compare }
        if focus == .probe, probe.editing != nil { return .fieldEdit }
        return .normal
    }
}

private func handleKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    // Ctrl-C always quits, whatever mode.
    if key == .ctrl("c") { return [.quit] }
    switch s.mode {
    case .help: return helpKey(&s, key)
    case .picker: return pickerKey(&s, key)
    case .command: return commandKey(&s, key)
    case .filter: return filterKey(&s, key)
    case .compare: return compareKey(&s, key)
    case .fieldEdit: return ProbeUpdate.editKey(&s, key)
    case .normal: break
    }
    s.message = nil
    guard let action = s.keymap.action(for: key, in: s.focus.scope) else { return [] }
    if s.focus == .probe, let effects = ProbeUpdate.key(&s, action) { return effects }
    if s.focus == .incident, let effects = IncidentUpdate.key(&s, action) { return effects }
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
        s.showHelp = false
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
        s.showHelp = true
        s.helpScroll = 0
    case .filter:
        s.filterEditing = true
        s.filterLine = LineEditor(s.filterText, history: s.filterEntries)
        s.focus = .tree
    case .command:
        s.commandLine = LineEditor("", history: s.commandHistory)
    case .clear:
        if s.filterMatches != nil || s.filterEditing { s.clearFilter() }
        s.message = nil
    case .probeSend, .probeWatch, .probeCancel, .editExternal, .deleteHeader:
        // Probe actions outside the probe pane: open it.
        s.focus = .probe
    case .toggleMouse:
        s.mouse.toggle()
        s.message = StatusMessage(text: "mouse \(s.mouse ? "on: click to select, wheel to scroll" : "off")", isError: false)
        return [.setMouse(s.mouse)]
    case .toggleVariant:
        s.variant = s.variant == .documented ? .observed : .documented
        s.message = StatusMessage(text: "showing the \(s.variant.rawValue) mapping", isError: false)
    case .nextPane:
        if s.focus == .mapping, s.mappingColumn < s.renderings.count - 1, columnsPaged(s) {
            s.mappingColumn += 1
        } else {
            s.focus = Pane(rawValue: (s.focus.rawValue + 1) % Pane.allCases.count)!
        }
    case .previousPane:
        if s.focus == .mapping, s.mappingColumn > 0, columnsPaged(s) {
            s.mappingColumn -= 1
        } else {
            s.focus = Pane(rawValue: (s.focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
        }
    case .zoom:
        s.zoomed.toggle()
        s.message = StatusMessage(text: s.zoomed ? "zoomed: z restores the layout" : "layout restored", isError: false)
    case .jumpBack:
        if !s.popJump() {
            s.message = StatusMessage(text: "nothing to jump back to", isError: false)
            return [.bell]
        }
    case .focusTree: s.focus = .tree
    case .focusDetail: s.focus = .detail
    case .focusMapping: s.focus = .mapping
    case .focusProbe: s.focus = .probe
    case .focusIncident: s.focus = .incident
    case .incidentSort, .incidentReverse, .probeCopyCurl, .probeHistory, .probeDiff, .helpClose, .editLeft, .editRight, .editStart, .editEnd,
         .editBackspace, .editDelete, .editKillToStart, .editKillToEnd, .editKillWord, .editOlder, .editNewer, .editSubmit, .editCancel: break
    case .copy:
        let r = s.renderings
        guard r.indices.contains(s.mappingColumn) else {
            s.message = StatusMessage(text: "select a code to copy its envelope", isError: true)
            return [.bell]
        }
        let text = r[s.mappingColumn].body.prettyText
        let cap = 64 * 1024
        guard text.utf8.count <= cap else {
            s.message = StatusMessage(text: "envelope is \(text.utf8.count) bytes; the clipboard cap is \(cap)", isError: true)
            return [.bell]
        }
        s.message = StatusMessage(text: "copied the \(r[s.mappingColumn].envelope) envelope (\(text.utf8.count) bytes, OSC 52)", isError: false)
        return [.copy(text)]
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
        move(&s, delta)
    case .nextMatch, .previousMatch:
        let step = action == .nextMatch ? 1 : -1
        if let i = s.firstCodeRow(from: s.cursor + step, step: step) {
            s.cursor = i
        } else if let i = s.firstCodeRow(from: step > 0 ? 0 : s.rows.count - 1, step: step) {
            s.cursor = i
            s.message = StatusMessage(text: step > 0 ? "wrapped to the first match" : "wrapped to the last match", isError: false)
        }
        s.focus = .tree
        resetPanes(&s)
    case .collapse:
        if s.focus == .mapping {
            if s.mappingColumn > 0 { s.mappingColumn -= 1 }
            return []
        }
        collapse(&s)
    case .expand:
        if s.focus == .mapping {
            if s.mappingColumn < s.renderings.count - 1 { s.mappingColumn += 1 }
            return []
        }
        expand(&s)
    case .toggle:
        switch s.selectedRow {
        case .system(let si)?:
            if s.filterMatches == nil {
                if s.expandedSystems.contains(si) { s.expandedSystems.remove(si) } else { s.expandedSystems.insert(si) }
                s.rebuildRows()
            }
        case .domain(let si, let di)?:
            if s.filterMatches == nil {
                let k = AppState.domainKey(si, di)
                if s.expandedDomains.contains(k) { s.expandedDomains.remove(k) } else { s.expandedDomains.insert(k) }
                s.rebuildRows()
            }
        case .code?: s.focus = .mapping
        case nil: break
        }
    }
    return []
}

private func move(_ s: inout AppState, _ delta: Int) {
    switch s.focus {
    case .tree:
        let before = s.cursor
        s.cursor = min(max(0, s.cursor + delta), max(0, s.rows.count - 1))
        if s.cursor != before { resetPanes(&s) }
    case .detail: s.detailScroll = max(0, s.detailScroll + delta)
    case .mapping: s.mappingScroll = max(0, s.mappingScroll + delta)
    case .probe: s.probe.responseScroll = max(0, s.probe.responseScroll + delta)
    case .incident: s.incident.cursor = max(0, s.incident.cursor + delta)  // the wheel; clamped when drawn
    }
}

private func resetPanes(_ s: inout AppState) {
    s.detailScroll = 0
    s.mappingScroll = 0
    s.mappingColumn = min(s.mappingColumn, max(0, s.renderings.count - 1))
}

private func collapse(_ s: inout AppState) {
    switch s.selectedRow {
    case .code(let si, let di, _)?:
        s.select(.domain(si, di))
    case .domain(let si, let di)?:
        let k = AppState.domainKey(si, di)
        if s.filterMatches == nil, s.expandedDomains.contains(k) {
            s.expandedDomains.remove(k)
            s.rebuildRows()
            s.select(.domain(si, di))
        } else {
            s.select(.system(si))
        }
    case .system(let si)?:
        if s.filterMatches == nil, s.expandedSystems.contains(si) {
            s.expandedSystems.remove(si)
            s.rebuildRows()
            s.select(.system(si))
        }
    case nil: break
    }
    resetPanes(&s)
}

private func expand(_ s: inout AppState) {
    switch s.selectedRow {
    case .system(let si)?:
        if !s.expandedSystems.contains(si) && s.filterMatches == nil {
            s.expandedSystems.insert(si)
            s.rebuildRows()
            s.select(.system(si))
        } else if s.cursor + 1 < s.rows.count {
            s.cursor += 1
        }
    case .domain(let si, let di)?:
        let k = AppState.domainKey(si, di)
        if !s.expandedDomains.contains(k) && s.filterMatches == nil {
            s.expandedDomains.insert(k)
            s.rebuildRows()
            s.select(.domain(si, di))
        } else if s.cursor + 1 < s.rows.count {
            s.cursor += 1
        }
    case .code?: s.focus = .mapping
    case nil: break
    }
    resetPanes(&s)
}

/// The filter's line: the shared line editor, each edit re-filtering; ↑/↓ and the page keys
/// still move in the tree (Ctrl-P/Ctrl-N recall earlier filters).
private func filterKey(_ s: inout AppState, _ key: Key) -> [Effect] {
    switch key {
    case .escape:
        s.clearFilter()
    case .enter:
        s.filterEditing = false
        LineEditor.remember(s.filterText, in: &s.filterEntries)
        if s.matchCount == 0 { s.message = StatusMessage(text: "no code matches `\(s.filterText)`", isError: true) }
    case .backspace where s.filterLine.isEmpty, .delete where s.filterLine.isEmpty, .ctrl("h") where s.filterLine.isEmpty:
        s.filterEditing = false
    case .down, .up, .pageDown, .pageUp:
        _ = perform(&s, key == .down ? .moveDown : key == .up ? .moveUp : key == .pageDown ? .pageDown : .pageUp)
    default:
        if case .char = key, s.filterLine.text.count >= 200 { return [.bell] }
        var e = s.filterLine
        guard e.handle(key, keymap: s.keymap) != .unhandled else { return [] }
        s.filterLine = e
        if e.text != s.filterText { s.applyFilter(e.text) }
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

/// The `:` commands.
private func handleMouse(_ s: inout AppState, _ m: MouseEvent) -> [Effect] {
    guard s.mouse, !s.layout.tooSmall else { return [] }
    let l = s.layout
    let pane: Pane? = l.tree.contains(x: m.x, y: m.y) ? .tree
        : (!l.stacked && l.detail.contains(x: m.x, y: m.y)) ? .detail
        : l.mapping.contains(x: m.x, y: m.y) ? (l.stacked ? (s.focus == .tree ? .detail : s.focus) : (s.focus == .probe || s.focus == .incident ? s.focus : .mapping)) : nil
    guard let p = pane else { return [] }
    switch m.kind {
    case .wheelUp, .wheelDown:
        // Scroll the pane under the pointer without moving the focus.
        let saved = s.focus
        s.focus = p
        move(&s, m.kind == .wheelDown ? 3 : -3)
        s.focus = saved
    case .press:
        s.focus = p
        // Only the rows inside the frame select; the border does not.
        if p == .tree, m.y > l.tree.y, m.y < l.tree.maxY - 1, m.x > l.tree.x, m.x < l.tree.maxX - 1 {
            let i = s.treeScroll + (m.y - l.tree.y - 1)
            if i >= 0, i < s.rows.count {
                if i == s.cursor { _ = perform(&s, .toggle); s.focus = .tree } else { s.cursor = i; resetPanes(&s) }
            }
        }
    }
    return []
}

func pageSize(_ s: AppState) -> Int {
    switch s.focus {
    case .tree: return max(1, s.layout.tree.height - 3)
    case .detail: return max(1, s.layout.detail.height - 3)
    default: return max(1, s.layout.mapping.height - 5)
    }
}

func visibleColumns(_ s: AppState) -> Int {
    let inner = s.layout.mapping.width - 2
    return max(1, min(s.renderings.count, inner / MappingPane.minColumnWidth))
}

func columnsPaged(_ s: AppState) -> Bool { visibleColumns(s) < s.renderings.count }

private func clampScroll(_ s: inout AppState) {
    let visible = max(1, s.layout.tree.height - 2)
    if s.cursor < s.treeScroll { s.treeScroll = s.cursor }
    if s.cursor >= s.treeScroll + visible { s.treeScroll = s.cursor - visible + 1 }
    s.treeScroll = max(0, min(s.treeScroll, max(0, s.rows.count - visible)))
    s.mappingColumn = min(max(0, s.mappingColumn), max(0, s.renderings.count - 1))
}
