import ErrscopeCore
import ErrscopeProbe

/// One place in the jump list: what was selected, which pane had the focus, an open compare view.
public struct JumpPoint: Sendable {
    public var row: TreeRow?
    public var focus: Pane
    public var compare: CompareState?
    public var detailScroll: Int
    public var mappingColumn: Int
}

public struct MouseEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case press, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(kind: Kind, x: Int, y: Int) { self.kind = kind; self.x = x; self.y = y }
}

public enum Event: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    case mouse(MouseEvent)
    /// The clock (monotonic nanoseconds): elapsed time, countdowns, watch mode.
    case tick(UInt64)
    case probeFinished(ProbeResult)
    /// An `.exec` program returned with its file's text (nil: it failed or was not found).
    case execFinished(tag: String, String?)
    /// The followed log grew (`now`: monotonic ns when read).
    case logData([UInt8], now: UInt64)
    /// The follower's news: opened, rotated, truncated, gone, an error.
    case logStatus(String, isError: Bool)
    /// A `:` command from outside the keyboard (the runtime's `--log FILE` is `log FILE`).
    case command(String)
    /// The journal's probes, newest first.
    case historyLoaded([ProbeHistoryItem], diff: Bool)
}

/// What the runner must do after an update: the only way the pure core asks for IO.
public enum Effect: Sendable, Equatable {
    case quit
    /// Put text on the clipboard (OSC 52).
    case copy(String)
    case setMouse(Bool)
    case bell
    /// Send this probe; answer with `.probeFinished` carrying the same id.
    case probe(ProbeSpec, id: Int)
    case cancelProbe(Int)
    /// Run a program on the terminal (the runtime hands the screen over and takes it back);
    /// answer with `.execFinished` carrying the request's tag.
    case exec(ExecRequest)
    /// Follow a log (a path, `-` for standard input) like `tail -F`, through rotation and
    /// truncation; answer with `.logData` and `.logStatus`. Replaces any log followed before.
    case followLog(String)
    /// Keep what the incident pane counted in the last stretch of `source` (the journal).
    case recordIncident([IncidentTally], source: String)
    /// Read the journal's probes; answer with `.historyLoaded` (`diff`: for `D`).
    case loadHistory(diff: Bool)
}

/// A program to run on the terminal, on a text: `$EDITOR` on the probe's body is one.
public struct ExecRequest: Sendable, Equatable {
    /// A `/bin/sh -c` command; `"$1"` names a private temporary file holding `text`, read back
    /// when the command succeeds.
    public var command: String
    public var text: String
    public var fileSuffix: String
    /// Comes back in `.execFinished`.
    public var tag: String

    public init(command: String, text: String, fileSuffix: String = "txt", tag: String) {
        self.command = command; self.text = text; self.fileSuffix = fileSuffix; self.tag = tag
    }

    /// `$VISUAL`, else `$EDITOR`, else vi, on the text. The shell reads the variables and parses
    /// them as a command (`code -w`, `vim +'set ft=json'`), so the pure core reads no environment.
    public static func editor(_ target: EditTarget, _ text: String) -> ExecRequest {
        ExecRequest(command: #"eval "${VISUAL:-${EDITOR:-vi}} \"\$1\"""#, text: text, fileSuffix: target == .body ? "json" : "txt", tag: target.rawValue)
    }
}

extension Effect {
    /// `$EDITOR` on the probe's body or headers.
    public static func edit(_ target: EditTarget, _ text: String) -> Effect { .exec(.editor(target, text)) }
}

extension Event {
    /// The editor returned (nil: it failed or was not found).
    public static func editorFinished(_ target: EditTarget, _ text: String?) -> Event { .execFinished(tag: target.rawValue, text) }
}

public struct StatusMessage: Sendable, Equatable {
    public var text: String
    public var isError: Bool
    public init(text: String, isError: Bool) { self.text = text; self.isError = isError }
}

/// Shared, immutable data behind the state (catalog, tree, filter, renderer).
public final class BrowserData: Sendable {
    public let catalog: Catalog
    public let tree: CodeTree
    public let filter: CodeFilter
    public let renderer: Renderer
    /// The detail pane's laid-out lines for the last (row, width, theme): the text of a selected
    /// entry does not change between frames, and wrapping it was a fifth of every frame's time.
    let detailCache = DetailCache()

    public init(catalog: Catalog) {
        self.catalog = catalog
        tree = CodeTree(catalog: catalog)
        filter = CodeFilter(catalog: catalog)
        renderer = Renderer(catalog: catalog)
    }
}

/// Everything the screen shows. Changed only by `update`; drawn by `View.render`.
public struct AppState: Sendable {
    public let data: BrowserData
    public var width: Int
    public var height: Int
    public var theme: Theme
    public var keymap: KeyMap
    public var focus: Pane = .tree
    /// Each pane's own state (its folder has the type, its update and its view).
    public var tree: TreeState
    public var detail = DetailState()
    public var mapping = MappingState()
    public var probe: ProbeState
    /// The incident pane (`--log`, `:log`).
    public var incident = IncidentState()
    /// What was run on the `:` line before (↑/↓ recall it).
    var commandHistory: [String] = []
    /// Which keys mean what: an overlay or a line being edited takes them before the panes do.
    /// The one source of truth for those, each case holding its own data.
    public var mode: Mode = .normal
    /// The compare view (`:compare 429`, `:category quota`), drawn over the panes while open.
    public var compare: CompareState?
    /// `z`: the focused pane has the whole screen (it follows the focus).
    public var zoomed = false
    /// Where jumps came from (`:code`, `:system`, a verdict's code, Enter in the compare view),
    /// newest last; Ctrl-O or Backspace goes back.
    public var jumps: [JumpPoint] = []
    static let jumpLimit = 50
    public var mouse = false
    public var message: StatusMessage?
    /// The pane rectangles of the last layout (for mouse hit-testing).
    public var layout = Layout.empty

    public init(data: BrowserData, width: Int, height: Int, theme: Theme = Theme.named("dark")!, keymap: KeyMap = .default,
                endpoints: EndpointsConfig = EndpointsConfig())
    {
        self.data = data
        probe = ProbeState(config: endpoints)
        self.width = width
        self.height = height
        self.theme = theme
        self.keymap = keymap
        tree = TreeState(data: data)
        layout = Layout.compute(width: width, height: height)
    }

    // MARK: Derived

    public var selectedRow: TreeRow? { tree.selectedRow }
    public var selectedEntry: CodeEntry? { tree.selectedEntry }
    public var matchCount: Int? { tree.matchCount }


    /// When the runner should next send a tick (the probe's clock, the incident's buckets).
    public func wakeup(lastTick: UInt64) -> UInt64? {
        Panes.all.compactMap { $0.wakeup?(self, lastTick) }.min()
    }

    /// Remembers where the user is before a jump.
    mutating func pushJump() {
        jumps.append(JumpPoint(row: selectedRow, focus: focus, compare: compare, detailScroll: detail.scroll, mappingColumn: mapping.column))
        if jumps.count > Self.jumpLimit { jumps.removeFirst(jumps.count - Self.jumpLimit) }
    }

    /// Goes back to where the last jump started; false when there is none.
    mutating func popJump() -> Bool {
        guard let j = jumps.popLast() else { return false }
        if let row = j.row {
            switch row {
            case .code(_, _, let r): reveal(row: Int(r))
            case .domain(let si, let di):
                tree.expandedSystems.insert(si)
                tree.rebuildRows()
                tree.select(.domain(si, di))
            case .system(let si): tree.select(.system(si))
            }
        }
        focus = j.focus
        compare = j.compare
        detail.scroll = j.detailScroll
        mapping.column = j.mappingColumn
        return true
    }


    /// Opens the tree down to a code and selects it; the detail and mapping panes start at the top.
    public mutating func reveal(row: Int) {
        if tree.filterMatches != nil, !(tree.filterMatches!.contains(Int32(row))) { clearFilter() }
        tree.reveal(row: row)
        detail.scroll = 0
        mapping.scroll = 0
    }

    /// Clears the filter (and leaves its line if it was being edited).
    mutating func clearFilter() {
        tree.clearFilter()
        if case .filter = mode { mode = .normal }
    }


    /// Renderings of the selected code for the mapping pane.
    public var renderings: [RenderedEnvelope] {
        guard let e = selectedEntry else { return [] }
        return data.renderer.render(e, options: RenderOptions(variant: mapping.variant))
    }
}

/// The modes, one at a time: normal (keys go to the focused pane, or the compare view when open),
/// the help pane, the filter's line, the `:` line, a probe form field being edited, the picker.
public enum Mode: Sendable, Equatable {
    case normal
    case help(scroll: Int)
    case filter(LineEditor)
    case command(LineEditor)
    case fieldEdit(LineEditor)
    case picker(PickerState)

    public enum Kind: String, Sendable { case normal, help, filter, command, fieldEdit = "field-edit", picker }

    public var kind: Kind {
        switch self {
        case .normal: return .normal
        case .help: return .help
        case .filter: return .filter
        case .command: return .command
        case .fieldEdit: return .fieldEdit
        case .picker: return .picker
        }
    }
}

/// Each mode's data, read (and changed) through the mode.
extension AppState {
    public var showHelp: Bool { mode.kind == .help }

    public var helpScroll: Int {
        get { if case .help(let n) = mode { return n } else { return 0 } }
        set { if case .help = mode { mode = .help(scroll: newValue) } }
    }

    /// The `:` line while it is open.
    public var commandLine: LineEditor? {
        get { if case .command(let e) = mode { return e } else { return nil } }
        set {
            if let e = newValue { mode = .command(e) } else if case .command = mode { mode = .normal }
        }
    }

    public var commandText: String? { commandLine?.text }

    /// The fuzzy picker (`:code`, `:probe` without an exact name), drawn over everything.
    public var picker: PickerState? {
        get { if case .picker(let p) = mode { return p } else { return nil } }
        set {
            if let p = newValue { mode = .picker(p) } else if case .picker = mode { mode = .normal }
        }
    }

    public var filterEditing: Bool { mode.kind == .filter }

    /// The filter's line while it is edited.
    public var filterLine: LineEditor {
        get { if case .filter(let e) = mode { return e } else { return LineEditor(tree.filterText) } }
        set { if case .filter = mode { mode = .filter(newValue) } }
    }

    /// The probe form's field being edited.
    public var fieldEditor: LineEditor? {
        get { if case .fieldEdit(let e) = mode { return e } else { return nil } }
        set {
            if let e = newValue { mode = .fieldEdit(e) } else if case .fieldEdit = mode { mode = .normal }
        }
    }
}
