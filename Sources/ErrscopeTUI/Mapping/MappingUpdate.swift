import ErrscopeCore

extension Pane {
    public static let mapping = Pane("mapping")
}

extension Scope {
    public static var mapping: Scope { .pane(.mapping) }
}

extension Action {
    public static let toggleVariant = Action("toggle_variant"), copy = Action("copy")
}

extension MappingPane {
    static let spec = PaneSpec(
        pane: .mapping, title: "Mapping", place: .lower, focusHelp: "mapping pane",
        bindings: [
            Binding(action: .collapse, keys: [.left, .char("h")], help: "previous envelope column", scope: .pane(.mapping), hint: false),
            Binding(action: .expand, keys: [.right, .char("l")], help: "next envelope column", scope: .pane(.mapping), hint: false),
            Binding(action: .toggleVariant, keys: [.char("o")], help: "documented / observed", scope: .pane(.mapping), hint: true),
            Binding(action: .copy, keys: [.char("y")], help: "copy envelope JSON (OSC 52)", scope: .pane(.mapping), hint: true),
        ],
        draw: { b, s, r, tabs in draw(&b, s, r, tabs: tabs) },
        update: { s, a in MappingUpdate.key(&s, a) },
        scroll: { s, d in s.mappingScroll = max(0, s.mappingScroll + d) },
        chromeRows: 5)
}

/// The mapping pane's keys: move between envelope columns, switch the variant, copy a column.
enum MappingUpdate {
    static func key(_ s: inout AppState, _ action: Action) -> [Effect]? {
        switch action {
        case .collapse:
            if s.mappingColumn > 0 { s.mappingColumn -= 1 }
        case .expand:
            if s.mappingColumn < s.renderings.count - 1 { s.mappingColumn += 1 }
        case .nextPane where s.mappingColumn < s.renderings.count - 1 && columnsPaged(s):
            // Tab pages through the columns before it leaves the pane.
            s.mappingColumn += 1
        case .previousPane where s.mappingColumn > 0 && columnsPaged(s):
            s.mappingColumn -= 1
        case .toggleVariant:
            s.variant = s.variant == .documented ? .observed : .documented
            s.message = StatusMessage(text: "showing the \(s.variant.rawValue) mapping", isError: false)
        case .copy: return copy(&s)
        default: return nil
        }
        return []
    }

    static func copy(_ s: inout AppState) -> [Effect] {
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
    }
}
