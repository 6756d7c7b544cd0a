import ErrscopeCore

/// What a pane's update reads of the rest of the app, and what it asks of it. A pane's update is
/// `(inout ItsState, Action, inout PaneContext) -> [Effect]?`: it changes only its own state, and
/// the app applies the requests afterwards (`AppState.apply`), as bubbles' components return
/// messages for their parent.
public struct PaneContext {
    public let data: BrowserData
    /// Rows a page move covers in the pane.
    public let page: Int
    /// The selected code (the tree's cursor), and its renderings in every envelope of its system.
    public let selectedEntry: CodeEntry?
    let renderingsOf: () -> [RenderedEnvelope]
    /// The mapping pane's width (how many envelope columns fit side by side).
    public let mappingWidth: Int

    /// Requests: a status message, another pane focused, a new selection (the panes that show
    /// it start at their top).
    public var message: StatusMessage?
    public var focus: Pane?
    public var selectionChanged = false

    public var renderings: [RenderedEnvelope] { renderingsOf() }

    /// This context with a new selection requested.
    func selecting() -> PaneContext {
        var c = self
        c.selectionChanged = true
        return c
    }

    init(_ s: AppState) {
        data = s.data
        page = max(1, pageSize(s))
        selectedEntry = s.selectedEntry
        let variant = s.mapping.variant
        let data = s.data
        let entry = s.selectedEntry
        renderingsOf = { entry.map { data.renderer.render($0, options: RenderOptions(variant: variant)) } ?? [] }
        mappingWidth = s.layout.mapping.width
    }
}

extension AppState {
    /// Runs a pane's update on its own state with a context, then applies what it asked for.
    mutating func run<State>(_ state: WritableKeyPath<AppState, State>, _ action: Action,
                             _ body: (inout State, Action, inout PaneContext) -> [Effect]?) -> [Effect]? {
        var ctx = PaneContext(self)
        let effects = body(&self[keyPath: state], action, &ctx)
        apply(ctx)
        return effects
    }

    mutating func apply(_ ctx: PaneContext) {
        if ctx.selectionChanged {
            detail.scroll = 0
            mapping.scroll = 0
            mapping.column = min(mapping.column, max(0, renderings.count - 1))
        }
        if let m = ctx.message { message = m }
        if let p = ctx.focus { focus = p }
    }
}
