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
        update: { s, a in s.run(\.mapping, a, MappingUpdate.update) },
        scroll: { s, d in s.mapping.scroll = max(0, s.mapping.scroll + d) },
        chromeRows: 5)
}

/// The mapping pane's keys: move between envelope columns, switch the variant, copy a column.
enum MappingUpdate {
    static func update(_ m: inout MappingState, _ action: Action, _ ctx: inout PaneContext) -> [Effect]? {
        // The column count only matters for a code (and rendering it is the costly part).
        let columns = ctx.selectedEntry == nil ? 0 : ctx.renderings.count
        let paged = MappingPane.visibleColumns(count: columns, width: ctx.mappingWidth) < columns
        switch action {
        case .collapse:
            if m.column > 0 { m.column -= 1 }
        case .expand:
            if m.column < columns - 1 { m.column += 1 }
        case .nextPane where m.column < columns - 1 && paged:
            // Tab pages through the columns before it leaves the pane.
            m.column += 1
        case .previousPane where m.column > 0 && paged:
            m.column -= 1
        case .toggleVariant:
            m.variant = m.variant == .documented ? .observed : .documented
            ctx.message = StatusMessage(text: "showing the \(m.variant.rawValue) mapping", isError: false)
        case .copy: return copy(m, &ctx)
        default: return nil
        }
        return []
    }

    static func copy(_ m: MappingState, _ ctx: inout PaneContext) -> [Effect] {
        let r = ctx.renderings
        guard r.indices.contains(m.column) else {
            ctx.message = StatusMessage(text: "select a code to copy its envelope", isError: true)
            return [.bell]
        }
        let text = r[m.column].body.prettyText
        let cap = 64 * 1024
        guard text.utf8.count <= cap else {
            ctx.message = StatusMessage(text: "envelope is \(text.utf8.count) bytes; the clipboard cap is \(cap)", isError: true)
            return [.bell]
        }
        ctx.message = StatusMessage(text: "copied the \(r[m.column].envelope) envelope (\(text.utf8.count) bytes, OSC 52)", isError: false)
        return [.copy(text)]
    }
}

/// The mapping pane's state: which variant (documented or observed), the envelope column
/// selected, how far it is scrolled.
public struct MappingState: Sendable, Equatable {
    public var variant: MappingVariant = .documented
    public var column = 0
    public var scroll = 0
}
