import ErrscopeCore

extension Pane {
    public static let tree = Pane("tree")
}

extension Scope {
    public static var tree: Scope { .pane(.tree) }
}

extension TreePane {
    static let spec = PaneSpec(
        pane: .tree, title: "Catalog", place: .left, focusHelp: "tree pane",
        bindings: [
            Binding(action: .collapse, keys: [.left, .char("h")], help: "collapse / go to parent", scope: .pane(.tree), hint: true),
            Binding(action: .expand, keys: [.right, .char("l")], help: "expand", scope: .pane(.tree), hint: true),
            Binding(action: .toggle, keys: [.enter, .char(" ")], help: "open / toggle", scope: .pane(.tree), hint: true),
        ],
        draw: { b, s, r, _ in draw(&b, s, r) },
        update: { s, a in TreeUpdate.key(&s, a) },
        scroll: { s, d in TreeUpdate.move(&s, d) })
}

/// The tree's keys: open and close systems and domains, move the cursor.
enum TreeUpdate {
    static func key(_ s: inout AppState, _ action: Action) -> [Effect]? {
        switch action {
        case .collapse: collapse(&s)
        case .expand: expand(&s)
        case .toggle: toggle(&s)
        default: return nil
        }
        return []
    }

    static func move(_ s: inout AppState, _ delta: Int) {
        let before = s.cursor
        s.cursor = min(max(0, s.cursor + delta), max(0, s.rows.count - 1))
        if s.cursor != before { resetPanes(&s) }
    }

    /// A new row is selected: the detail and mapping panes start at their top.
    static func resetPanes(_ s: inout AppState) {
        s.detailScroll = 0
        s.mappingScroll = 0
        s.mappingColumn = min(s.mappingColumn, max(0, s.renderings.count - 1))
    }

    /// Enter: open or close a system or domain; on a code, show its mapping.
    static func toggle(_ s: inout AppState) {
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

    static func collapse(_ s: inout AppState) {
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

    static func expand(_ s: inout AppState) {
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
}
