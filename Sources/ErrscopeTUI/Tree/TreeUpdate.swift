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
        update: { s, a in s.run(\.tree, a, TreeUpdate.update) },
        scroll: { s, d in
            var ctx = PaneContext(s)
            TreeUpdate.move(&s.tree, d, &ctx)
            s.apply(ctx)
        })
}

/// The tree's keys: open and close systems and domains, move the cursor.
enum TreeUpdate {
    static func update(_ t: inout TreeState, _ action: Action, _ ctx: inout PaneContext) -> [Effect]? {
        switch action {
        case .collapse: collapse(&t, &ctx)
        case .expand: expand(&t, &ctx)
        case .toggle: toggle(&t, &ctx)
        default: return nil
        }
        return []
    }

    static func move(_ t: inout TreeState, _ delta: Int, _ ctx: inout PaneContext) {
        let before = t.cursor
        t.cursor = min(max(0, t.cursor + delta), max(0, t.rows.count - 1))
        if t.cursor != before { ctx.selectionChanged = true }
    }

    /// Enter: open or close a system or domain; on a code, show its mapping.
    static func toggle(_ t: inout TreeState, _ ctx: inout PaneContext) {
        switch t.selectedRow {
        case .system(let si)?:
            if t.filterMatches == nil {
                if t.expandedSystems.contains(si) { t.expandedSystems.remove(si) } else { t.expandedSystems.insert(si) }
                t.rebuildRows()
            }
        case .domain(let si, let di)?:
            if t.filterMatches == nil {
                let k = TreeState.domainKey(si, di)
                if t.expandedDomains.contains(k) { t.expandedDomains.remove(k) } else { t.expandedDomains.insert(k) }
                t.rebuildRows()
            }
        case .code?: ctx.focus = .mapping
        case nil: break
        }
    }

    static func collapse(_ t: inout TreeState, _ ctx: inout PaneContext) {
        switch t.selectedRow {
        case .code(let si, let di, _)?:
            t.select(.domain(si, di))
        case .domain(let si, let di)?:
            let k = TreeState.domainKey(si, di)
            if t.filterMatches == nil, t.expandedDomains.contains(k) {
                t.expandedDomains.remove(k)
                t.rebuildRows()
                t.select(.domain(si, di))
            } else {
                t.select(.system(si))
            }
        case .system(let si)?:
            if t.filterMatches == nil, t.expandedSystems.contains(si) {
                t.expandedSystems.remove(si)
                t.rebuildRows()
                t.select(.system(si))
            }
        case nil: break
        }
        ctx.selectionChanged = true
    }

    static func expand(_ t: inout TreeState, _ ctx: inout PaneContext) {
        switch t.selectedRow {
        case .system(let si)?:
            if !t.expandedSystems.contains(si) && t.filterMatches == nil {
                t.expandedSystems.insert(si)
                t.rebuildRows()
                t.select(.system(si))
            } else if t.cursor + 1 < t.rows.count {
                t.cursor += 1
            }
        case .domain(let si, let di)?:
            let k = TreeState.domainKey(si, di)
            if !t.expandedDomains.contains(k) && t.filterMatches == nil {
                t.expandedDomains.insert(k)
                t.rebuildRows()
                t.select(.domain(si, di))
            } else if t.cursor + 1 < t.rows.count {
                t.cursor += 1
            }
        case .code?: ctx.focus = .mapping
        case nil: break
        }
        ctx.selectionChanged = true
    }
}
