/// A pane's identity. A struct, not an enum: each pane declares its own in its folder
/// (`extension Pane { static let tree = Pane("tree") }`), and everything the app knows about panes
/// comes from `Panes.all`.
public struct Pane: Hashable, Sendable, CustomStringConvertible {
    public let id: String
    public init(_ id: String) { self.id = id }
    public var description: String { id }

    /// The place where it is drawn, its title, its keys: its entry in `Panes.all`.
    var spec: PaneSpec { Panes.spec(self) }
    var scope: Scope { .pane(self) }
    /// Every pane, in focus order (Tab, and the keys 1-9).
    public static var allCases: [Pane] { Panes.all.map(\.pane) }
}

/// Where a pane is drawn. `left`: the tree's column. `side`: beside it on a wide terminal, a tab
/// of the lower place on a narrow one. `lower`: a tab of the place under (wide) or beside (narrow)
/// the tree, showing when it has the focus.
public enum PanePlace: Sendable, Equatable { case left, side, lower }

/// Everything the app needs to know about one pane. Focus order, the focus keys and their help,
/// titles and the tab strip, the help's sections, the status-line hints, key routing, scrolling,
/// the clock, zoom and mouse hit-testing are all derived from the list of these in `Panes.all`.
struct PaneSpec: Sendable {
    var pane: Pane
    var title: String
    var place: PanePlace
    /// The focus key's line in the help (`3  mapping pane`).
    var focusHelp: String
    /// Its own keys (scope `.pane(pane)`): routed to `update` first, listed in help, hinted in the
    /// status line, remappable in `config.yaml` by action name.
    var bindings: [Binding] = []
    /// Draws the pane into `rect` (`tabs`: its frame is the lower place's tab strip).
    var draw: @Sendable (inout ScreenBuffer, AppState, Rect, _ tabs: Bool) -> Void
    /// Its reaction to an action while it has the focus; nil: not its action (the global one
    /// runs). Each pane's is `s.run(\.itsState, action, ItsUpdate.update)`: the update sees only
    /// its own state and a `PaneContext`, whose requests the app applies.
    var update: @Sendable (inout AppState, Action) -> [Effect]? = { _, _ in nil }
    /// Scrolls by `delta` rows (the wheel over it, and the global movement keys).
    var scroll: @Sendable (inout AppState, Int) -> Void = { _, _ in }
    /// The clock, for panes that count time (the probe's watch, the incident's buckets).
    var tick: (@Sendable (inout AppState, UInt64) -> [Effect])? = nil
    /// When it next needs a tick.
    var wakeup: (@Sendable (AppState, UInt64) -> UInt64?)? = nil
    /// Rows of its frame and headers that a page move does not count.
    var chromeRows = 3
}

enum Panes {
    /// The panes, in focus order. Adding a pane: a folder with its state, update, view and spec,
    /// its line here, and its state's field in `AppState`.
    static let all: [PaneSpec] = [
        TreePane.spec,
        DetailPane.spec,
        MappingPane.spec,
        ProbePane.spec,
        IncidentPane.spec,
    ]

    static func spec(_ p: Pane) -> PaneSpec {
        for s in all where s.pane == p { return s }
        return all[0]
    }

    static func index(_ p: Pane) -> Int { all.firstIndex { $0.pane == p } ?? 0 }

    /// `3 Mapping`: the focus key and the title, as tabs and frames show it.
    static func label(_ p: Pane) -> String { "\(index(p) + 1) \(spec(p).title)" }

    static func first(_ place: PanePlace) -> Pane? { all.first { $0.place == place }?.pane }

    /// The pane shown in each place of the layout now: the focused one where it lives, else the
    /// first pane of that place. One function, used to draw and to hit-test a click.
    static func shown(_ s: AppState, _ l: Layout) -> [(Pane, Rect)] {
        if let z = l.zoom { return [(z, l.body)] }
        let place = s.focus.spec.place
        var out: [(Pane, Rect)] = []
        if let tree = first(.left) { out.append((tree, l.tree)) }
        if l.stacked {
            // Side and lower panes share the place beside the tree.
            if let p = place == .left ? first(.side) : s.focus { out.append((p, l.mapping)) }
        } else {
            if let d = first(.side) { out.append((d, l.detail)) }
            if let p = place == .lower ? s.focus : first(.lower) { out.append((p, l.mapping)) }
        }
        return out
    }

    /// The pane under a point, if any.
    static func at(x: Int, y: Int, _ s: AppState, _ l: Layout) -> Pane? {
        shown(s, l).first { $0.1.contains(x: x, y: y) }?.0
    }

    /// The tab strip of the lower place: its panes, and the side ones when it shares their place.
    static func lowerTabs(_ s: AppState) -> [Pane] {
        all.filter { $0.place == .lower || ($0.place == .side && s.width < Layout.wideWidth) }.map(\.pane)
    }
}
