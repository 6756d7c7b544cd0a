import ErrscopeCore

extension Pane {
    public static let detail = Pane("detail")
}

extension Scope {
    public static var detail: Scope { .pane(.detail) }
}

extension DetailPane {
    static let spec = PaneSpec(
        pane: .detail, title: "Detail", place: .side, focusHelp: "detail pane",
        draw: { b, s, r, tabs in draw(&b, s, r, tabs: tabs) },
        scroll: { s, d in s.detail.scroll = max(0, s.detail.scroll + d) })
}

/// The detail pane's state: how far it is scrolled.
public struct DetailState: Sendable, Equatable {
    public var scroll = 0
}
