import ErrscopeCore
import ErrscopeProbe

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
    /// The height of the focused pane's place.
    public let placeHeight: Int
    /// The probe's endpoints (the incident pane probes a row's system with them).
    public let endpoints: EndpointsConfig

    /// Requests: a status message, another pane focused, a new selection (the panes that show
    /// it start at their top), a jump to a catalog row (Ctrl-O comes back) and the pane to focus
    /// there, a mode (a form field's editor), a `:` command to run.
    public var message: StatusMessage?
    public var focus: Pane?
    public var selectionChanged = false
    public var jump: (row: Int, focus: Pane)?
    public var mode: Mode?
    public var command: String?

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
        placeHeight = s.layout.rect(s.focus.spec.place).height
        endpoints = s.probe.config
    }
}

extension AppState {
    /// Runs a pane's update on its own state with a context, then applies what it asked for.
    mutating func run<State>(_ state: WritableKeyPath<AppState, State>, _ action: Action,
                             _ body: (inout State, Action, inout PaneContext) -> [Effect]?) -> [Effect]? {
        inPane(state) { body(&$0, action, &$1) }
    }

    /// Runs `body` on a pane's state with a context, then applies what it asked for; the
    /// commands and the clock use it to reach a pane's functions.
    mutating func inPane<State>(_ state: WritableKeyPath<AppState, State>, _ body: (inout State, inout PaneContext) -> [Effect]?) -> [Effect]? {
        var ctx = PaneContext(self)
        var effects = body(&self[keyPath: state], &ctx)
        if let more = apply(ctx) { effects = (effects ?? []) + more }
        return effects
    }

    /// Applies a pane's requests; a `:` command's effects come back.
    @discardableResult
    mutating func apply(_ ctx: PaneContext) -> [Effect]? {
        if let j = ctx.jump {
            pushJump()
            reveal(row: j.row)
            focus = j.focus
        }
        if let m = ctx.mode { mode = m }
        if ctx.selectionChanged {
            detail.scroll = 0
            mapping.scroll = 0
            mapping.column = min(mapping.column, max(0, renderings.count - 1))
        }
        if let m = ctx.message { message = m }
        if let p = ctx.focus { focus = p }
        if let c = ctx.command { return runCommand(&self, c) }
        return nil
    }
}
