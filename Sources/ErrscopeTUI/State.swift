import ErrscopeCore
import ErrscopeProbe

/// A visible row of the tree.
/// One place in the jump list: what was selected, which pane had the focus, an open compare view.
public struct JumpPoint: Sendable {
    public var row: TreeRow?
    public var focus: Pane
    public var compare: CompareState?
    public var detailScroll: Int
    public var mappingColumn: Int
}

public enum TreeRow: Hashable, Sendable {
    case system(Int)
    case domain(Int, Int)
    case code(Int, Int, Int32)

    /// kind (2 bits) | system (10) | domain (20) | catalog row (32).
    var packed: UInt64 {
        switch self {
        case .system(let s): return UInt64(s & 0x3FF) << 52
        case .domain(let s, let d): return 1 << 62 | UInt64(s & 0x3FF) << 52 | UInt64(d & 0xF_FFFF) << 32
        case .code(let s, let d, let r): return 2 << 62 | UInt64(s & 0x3FF) << 52 | UInt64(d & 0xF_FFFF) << 32 | UInt64(UInt32(bitPattern: r))
        }
    }

    init(packed p: UInt64) {
        let s = Int(p >> 52 & 0x3FF), d = Int(p >> 32 & 0xF_FFFF)
        switch p >> 62 {
        case 0: self = .system(s)
        case 1: self = .domain(s, d)
        default: self = .code(s, d, Int32(bitPattern: UInt32(truncatingIfNeeded: p)))
        }
    }
}

/// The visible rows, 8 bytes each: a filter that matches a million codes lists a million rows,
/// and as an array of `TreeRow` (24 bytes, with a tag to compare) building and searching them
/// was most of a keystroke.
public struct TreeRows: RandomAccessCollection, Equatable, Sendable {
    var packed: [UInt64] = []

    public var startIndex: Int { 0 }
    public var endIndex: Int { packed.count }
    public subscript(i: Int) -> TreeRow { TreeRow(packed: packed[i]) }

    mutating func append(_ row: TreeRow) { packed.append(row.packed) }
    mutating func reserveCapacity(_ n: Int) { packed.reserveCapacity(n) }

    /// Compares packed words, without decoding each row.
    public func firstIndex(of row: TreeRow) -> Int? {
        let p = row.packed
        return packed.withUnsafeBufferPointer { b in b.firstIndex(of: p) }
    }
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
    public var expandedSystems: Set<Int> = []
    public var expandedDomains: Set<Int> = []
    public private(set) var rows = TreeRows()
    public var cursor = 0
    public var treeScroll = 0
    public var filterText = ""
    /// Rows matching the filter (nil: no filter).
    public private(set) var filterMatches: [Int32]?
    /// (query, matches) for each filter prefix typed: Backspace pops instead of rescanning.
    var filterHistory: [(String, [Int32])] = []
    /// What was run on the `:` line before (↑/↓ recall it).
    var commandHistory: [String] = []
    /// The filters kept before.
    var filterEntries: [String] = []
    public var variant: MappingVariant = .documented
    public var mappingColumn = 0
    public var mappingScroll = 0
    public var detailScroll = 0
    /// Which keys mean what: an overlay or a line being edited takes them before the panes do.
    /// The one source of truth for those, each case holding its own data.
    public var mode: Mode = .normal
    /// The compare view (`:compare 429`, `:category quota`), drawn over the panes while open.
    public var compare: CompareState?
    /// The incident pane (`--log`, `:log`).
    public var incident = IncidentState()
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
    public var probe: ProbeState

    public init(data: BrowserData, width: Int, height: Int, theme: Theme = Theme.named("dark")!, keymap: KeyMap = .default,
                endpoints: EndpointsConfig = EndpointsConfig())
    {
        self.data = data
        probe = ProbeState(config: endpoints)
        self.width = width
        self.height = height
        self.theme = theme
        self.keymap = keymap
        // Start with every system closed: all of them (25 and more) visible at a glance, even in
        // the tree's six rows at 80×24; Enter or → opens one.
        rebuildRows()
        layout = Layout.compute(width: width, height: height)
    }

    // MARK: Derived

    public var selectedRow: TreeRow? { rows.indices.contains(cursor) ? rows[cursor] : nil }

    public var selectedEntry: CodeEntry? {
        if case .code(_, _, let r)? = selectedRow { return data.catalog.entry(Int(r)) }
        return nil
    }

    public var matchCount: Int? { filterMatches?.count }

    static func domainKey(_ s: Int, _ d: Int) -> Int { s << 20 | d }

    /// Recomputes the visible rows from the tree, the expansion state and the filter.
    mutating func rebuildRows() {
        let tree = data.tree
        var out = TreeRows()
        if let matches = filterMatches {
            // Matches under their system and domain: one pass over the tree with a bitset
            // (linear in the catalog, no per-match hashing).
            var mark = [Bool](repeating: false, count: data.catalog.codeCount)
            for r in matches { mark[Int(r)] = true }
            out.reserveCapacity(matches.count + 64)
            for (si, sys) in tree.systems.enumerated() {
                var systemShown = false
                for (di, dom) in sys.domains.enumerated() {
                    var domainShown = false
                    for r in dom.rows where mark[Int(r)] {
                        if !systemShown { out.append(.system(si)); systemShown = true }
                        if !domainShown { out.append(.domain(si, di)); domainShown = true }
                        out.append(.code(si, di, r))
                    }
                }
            }
        } else {
            out.reserveCapacity(tree.systems.count * 8)
            for (si, sys) in tree.systems.enumerated() {
                out.append(.system(si))
                guard expandedSystems.contains(si) else { continue }
                for (di, dom) in sys.domains.enumerated() {
                    out.append(.domain(si, di))
                    guard expandedDomains.contains(Self.domainKey(si, di)) else { continue }
                    for r in dom.rows { out.append(.code(si, di, r)) }
                }
            }
        }
        rows = out
        cursor = min(max(0, cursor), max(0, rows.count - 1))
    }

    /// When the runner should next send a tick (the probe's clock, the incident's buckets).
    public func wakeup(lastTick: UInt64) -> UInt64? {
        Panes.all.compactMap { $0.wakeup?(self, lastTick) }.min()
    }

    /// Remembers where the user is before a jump.
    mutating func pushJump() {
        jumps.append(JumpPoint(row: selectedRow, focus: focus, compare: compare, detailScroll: detailScroll, mappingColumn: mappingColumn))
        if jumps.count > Self.jumpLimit { jumps.removeFirst(jumps.count - Self.jumpLimit) }
    }

    /// Goes back to where the last jump started; false when there is none.
    mutating func popJump() -> Bool {
        guard let j = jumps.popLast() else { return false }
        if let row = j.row {
            switch row {
            case .code(_, _, let r): reveal(row: Int(r))
            case .domain(let si, let di):
                expandedSystems.insert(si)
                rebuildRows()
                select(.domain(si, di))
            case .system(let si): select(.system(si))
            }
        }
        focus = j.focus
        compare = j.compare
        detailScroll = j.detailScroll
        mappingColumn = j.mappingColumn
        return true
    }

    /// Selects `target` if it is visible.
    mutating func select(_ target: TreeRow) {
        if let i = rows.firstIndex(of: target) { cursor = i }
    }

    /// Opens the tree down to a code and selects it.
    public mutating func reveal(row: Int) {
        let (s, d) = data.tree.location(of: row)
        if filterMatches != nil, !(filterMatches!.contains(Int32(row))) { clearFilter() }
        expandedSystems.insert(s)
        expandedDomains.insert(Self.domainKey(s, d))
        rebuildRows()
        select(.code(s, d, Int32(row)))
        detailScroll = 0
        mappingScroll = 0
    }

    mutating func applyFilter(_ text: String) {
        filterText = text
        if text.allSatisfy { $0 == " " } {
            filterMatches = nil
            filterHistory = []
        } else if let last = filterHistory.last, text.hasPrefix(last.0) {
            // Narrowing: only the previous matches can still match.
            let m = data.filter.matches(text, within: last.1)
            filterHistory.append((text, m))
            filterMatches = m
        } else {
            while let last = filterHistory.last, !text.hasPrefix(last.0) { filterHistory.removeLast() }
            if let last = filterHistory.last, last.0 == text {
                filterMatches = last.1
            } else {
                let m = data.filter.matches(text, within: filterHistory.last?.1)
                filterHistory.append((text, m))
                filterMatches = m
            }
        }
        let keep = selectedRow
        rebuildRows()
        if let k = keep, let i = rows.firstIndex(of: k) { cursor = i } else { cursor = firstCodeRow() ?? 0 }
    }

    mutating func clearFilter() {
        let keep = selectedRow
        filterText = ""
        filterMatches = nil
        filterHistory = []
        if case .filter = mode { mode = .normal }
        if case .code(let s, let d, _)? = keep {
            expandedSystems.insert(s)
            expandedDomains.insert(Self.domainKey(s, d))
        }
        rebuildRows()
        if let k = keep { select(k) }
    }

    func firstCodeRow(from start: Int = 0, step: Int = 1) -> Int? {
        var i = start
        while i >= 0 && i < rows.count {
            if case .code = rows[i] { return i }
            i += step
        }
        return nil
    }

    /// Renderings of the selected code for the mapping pane.
    public var renderings: [RenderedEnvelope] {
        guard let e = selectedEntry else { return [] }
        return data.renderer.render(e, options: RenderOptions(variant: variant))
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
        get { if case .filter(let e) = mode { return e } else { return LineEditor(filterText) } }
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
