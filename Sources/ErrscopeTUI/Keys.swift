/// A key press, terminal-independent.
public enum Key: Hashable, Sendable {
    case char(Character)
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case f(Int)

    /// Parses a key name as written in the config file: `j`, `down`, `ctrl-c`, `f1`, `pgdn`, `S-tab`.
    public init?(name: String) {
        let n = name.lowercased()
        switch n {
        case "up": self = .up
        case "down": self = .down
        case "left": self = .left
        case "right": self = .right
        case "pgup", "pageup": self = .pageUp
        case "pgdn", "pagedown": self = .pageDown
        case "home": self = .home
        case "end": self = .end
        case "enter", "return": self = .enter
        case "esc", "escape": self = .escape
        case "tab": self = .tab
        case "s-tab", "shift-tab", "backtab": self = .backTab
        case "backspace": self = .backspace
        case "delete", "del": self = .delete
        case "space": self = .char(" ")
        default:
            if n.hasPrefix("ctrl-"), n.count == 6 { self = .ctrl(n.last!); return }
            if n.hasPrefix("f"), let i = Int(n.dropFirst()), (1...12).contains(i) { self = .f(i); return }
            if name.count == 1 { self = .char(name.first!); return }
            return nil
        }
    }

    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "Backspace"
        case .delete: return "Del"
        case .f(let i): return "F\(i)"
        }
    }
}

/// Everything a key can do. The raw value is the name used in the config file.
public enum Action: String, Sendable, CaseIterable {
    case moveUp = "move_up", moveDown = "move_down", pageUp = "page_up", pageDown = "page_down"
    case top, bottom, collapse, expand, toggle = "activate"
    case nextPane = "next_pane", previousPane = "previous_pane"
    case focusTree = "focus_tree", focusDetail = "focus_detail", focusMapping = "focus_mapping", focusProbe = "focus_probe"
    case filter, nextMatch = "next_match", previousMatch = "previous_match", clear
    case command, help, copy, toggleMouse = "toggle_mouse", toggleVariant = "toggle_variant"
    case probeSend = "probe_send", probeWatch = "probe_watch", probeCancel = "probe_cancel"
    case editExternal = "edit_in_editor", deleteHeader = "delete_header"
    case zoom, jumpBack = "jump_back"
    case probeCopyCurl = "probe_copy_curl", probeHistory = "probe_history", probeDiff = "probe_diff"
    case helpClose = "help_close"
    case editLeft = "edit_left", editRight = "edit_right", editStart = "edit_start", editEnd = "edit_end"
    case editBackspace = "edit_backspace", editDelete = "edit_delete", editKillToStart = "edit_kill_to_start"
    case editKillToEnd = "edit_kill_to_end", editKillWord = "edit_kill_word", editOlder = "edit_older", editNewer = "edit_newer"
    case editSubmit = "edit_submit", editCancel = "edit_cancel"
    case focusIncident = "focus_incident", incidentSort = "incident_sort", incidentReverse = "incident_reverse"
    case quit
}

/// Where a binding applies.
public enum Scope: String, Sendable {
    case global, tree, detail, mapping, probe, incident
    /// The help pane's own keys, and a line being edited (`:`, `/`, a form field): modal, so only
    /// their own bindings apply there.
    case help, edit

    var title: String {
        switch self {
        case .global: return "Everywhere"
        case .help: return "In help"
        case .edit: return "Editing a line (:, /, a form field)"
        default: return rawValue.capitalized + " pane"
        }
    }
}

/// One binding: keys, what they do, and the help text shown by `?` and the status line.
public struct Binding: Sendable {
    public var action: Action
    public var keys: [Key]
    public var help: String
    public var scope: Scope
    /// Shown in the status line for its scope.
    public var hint: Bool
}

/// The single key table: it dispatches keys, writes the status-line hints and the help screen.
public struct KeyMap: Sendable {
    public private(set) var bindings: [Binding]

    public static let `default` = KeyMap(bindings: [
        Binding(action: .moveDown, keys: [.down, .char("j")], help: "next row", scope: .global, hint: false),
        Binding(action: .moveUp, keys: [.up, .char("k")], help: "previous row", scope: .global, hint: false),
        Binding(action: .pageDown, keys: [.pageDown, .ctrl("f")], help: "page down", scope: .global, hint: false),
        Binding(action: .pageUp, keys: [.pageUp, .ctrl("b")], help: "page up", scope: .global, hint: false),
        Binding(action: .top, keys: [.char("g"), .home], help: "first row", scope: .global, hint: false),
        Binding(action: .bottom, keys: [.char("G"), .end], help: "last row", scope: .global, hint: false),
        Binding(action: .collapse, keys: [.left, .char("h")], help: "collapse / go to parent", scope: .tree, hint: true),
        Binding(action: .expand, keys: [.right, .char("l")], help: "expand", scope: .tree, hint: true),
        Binding(action: .toggle, keys: [.enter, .char(" ")], help: "open / toggle", scope: .tree, hint: true),
        Binding(action: .collapse, keys: [.left, .char("h")], help: "previous envelope column", scope: .mapping, hint: false),
        Binding(action: .expand, keys: [.right, .char("l")], help: "next envelope column", scope: .mapping, hint: false),
        Binding(action: .nextPane, keys: [.tab], help: "next pane (mapping: next columns)", scope: .global, hint: false),
        Binding(action: .previousPane, keys: [.backTab], help: "previous pane", scope: .global, hint: false),
        Binding(action: .focusTree, keys: [.char("1")], help: "tree pane", scope: .global, hint: false),
        Binding(action: .focusDetail, keys: [.char("2")], help: "detail pane", scope: .global, hint: false),
        Binding(action: .focusMapping, keys: [.char("3")], help: "mapping pane", scope: .global, hint: false),
        Binding(action: .focusProbe, keys: [.char("4")], help: "probe pane", scope: .global, hint: false),
        Binding(action: .focusIncident, keys: [.char("5")], help: "incident pane (a log, live: --log FILE, :log FILE)", scope: .global, hint: false),
        Binding(action: .toggle, keys: [.enter], help: "open the row's code in the catalog", scope: .incident, hint: true),
        Binding(action: .incidentSort, keys: [.char("s")], help: "sort by the next column", scope: .incident, hint: true),
        Binding(action: .incidentReverse, keys: [.char("S")], help: "reverse the sort", scope: .incident, hint: false),
        Binding(action: .probeSend, keys: [.char("p")], help: "probe the row's endpoint (by its system)", scope: .incident, hint: true),
        Binding(action: .filter, keys: [.char("/")], help: "filter codes", scope: .global, hint: true),
        Binding(action: .nextMatch, keys: [.char("n")], help: "next match", scope: .global, hint: false),
        Binding(action: .previousMatch, keys: [.char("N")], help: "previous match", scope: .global, hint: false),
        Binding(action: .clear, keys: [.escape], help: "clear filter / close", scope: .global, hint: false),
        Binding(action: .toggleVariant, keys: [.char("o")], help: "documented / observed", scope: .mapping, hint: true),
        Binding(action: .copy, keys: [.char("y")], help: "copy envelope JSON (OSC 52)", scope: .mapping, hint: true),
        Binding(action: .toggle, keys: [.enter], help: "edit field / send / open the decoded code", scope: .probe, hint: true),
        Binding(action: .probeSend, keys: [.char("s")], help: "send the request", scope: .probe, hint: true),
        Binding(action: .probeCancel, keys: [.escape], help: "cancel the probe / stop watching", scope: .probe, hint: true),
        Binding(action: .probeWatch, keys: [.char("w")], help: "watch: repeat every 5 s (:watch N)", scope: .probe, hint: true),
        Binding(action: .editExternal, keys: [.char("e")], help: "edit body or headers in $EDITOR", scope: .probe, hint: true),
        Binding(action: .deleteHeader, keys: [.char("d"), .delete], help: "delete the header", scope: .probe, hint: false),
        Binding(action: .probeHistory, keys: [.char("H")], help: "history: past probes from the journal, to re-open one", scope: .probe, hint: true),
        Binding(action: .probeDiff, keys: [.char("D")], help: "diff this answer with a past one (status, headers, body)", scope: .probe, hint: false),
        Binding(action: .probeCopyCurl, keys: [.char("c")], help: "copy the request as curl (OSC 52; secrets stay variables)", scope: .probe, hint: true),
        Binding(action: .collapse, keys: [.left, .char("h")], help: "previous endpoint / request / method", scope: .probe, hint: false),
        Binding(action: .expand, keys: [.right, .char("l")], help: "next endpoint / request / method", scope: .probe, hint: false),
        Binding(action: .command, keys: [.char(":")], help: "command (:system :http :envelope :theme :q)", scope: .global, hint: true),
        Binding(action: .zoom, keys: [.char("z")], help: "zoom (the focused pane full screen; z again restores)", scope: .global, hint: true),
        Binding(action: .jumpBack, keys: [.ctrl("o"), .backspace], help: "jump back (after :code, :system, a verdict's code, Enter in compare)", scope: .global, hint: false),
        Binding(action: .toggleMouse, keys: [.char("m")], help: "mouse on/off", scope: .global, hint: false),
        Binding(action: .help, keys: [.char("?"), .f(1)], help: "help", scope: .global, hint: true),
        Binding(action: .quit, keys: [.char("q"), .ctrl("c")], help: "quit", scope: .global, hint: true),
        Binding(action: .moveDown, keys: [.down, .char("j")], help: "scroll down", scope: .help, hint: false),
        Binding(action: .moveUp, keys: [.up, .char("k")], help: "scroll up", scope: .help, hint: false),
        Binding(action: .pageDown, keys: [.pageDown, .char(" "), .ctrl("f")], help: "page down", scope: .help, hint: false),
        Binding(action: .pageUp, keys: [.pageUp, .ctrl("b")], help: "page up", scope: .help, hint: false),
        Binding(action: .top, keys: [.char("g"), .home], help: "top", scope: .help, hint: false),
        Binding(action: .bottom, keys: [.char("G"), .end], help: "bottom", scope: .help, hint: false),
        Binding(action: .helpClose, keys: [.escape, .char("?"), .char("q")], help: "close help", scope: .help, hint: false),
        Binding(action: .editSubmit, keys: [.enter], help: "keep / run", scope: .edit, hint: false),
        Binding(action: .editCancel, keys: [.escape], help: "drop", scope: .edit, hint: false),
        Binding(action: .editLeft, keys: [.left, .ctrl("b")], help: "cursor left", scope: .edit, hint: false),
        Binding(action: .editRight, keys: [.right, .ctrl("f")], help: "cursor right", scope: .edit, hint: false),
        Binding(action: .editStart, keys: [.home, .ctrl("a")], help: "to the start", scope: .edit, hint: false),
        Binding(action: .editEnd, keys: [.end, .ctrl("e")], help: "to the end", scope: .edit, hint: false),
        Binding(action: .editBackspace, keys: [.backspace, .ctrl("h")], help: "delete before the cursor", scope: .edit, hint: false),
        Binding(action: .editDelete, keys: [.delete, .ctrl("d")], help: "delete at the cursor", scope: .edit, hint: false),
        Binding(action: .editKillToStart, keys: [.ctrl("u")], help: "delete to the start", scope: .edit, hint: false),
        Binding(action: .editKillToEnd, keys: [.ctrl("k")], help: "delete to the end", scope: .edit, hint: false),
        Binding(action: .editKillWord, keys: [.ctrl("w")], help: "delete the word before the cursor", scope: .edit, hint: false),
        Binding(action: .editOlder, keys: [.up, .ctrl("p")], help: "an earlier entry (the filter: Ctrl-P; ↑ moves in the tree)", scope: .edit, hint: false),
        Binding(action: .editNewer, keys: [.down, .ctrl("n")], help: "a later entry", scope: .edit, hint: false),
    ])

    /// The action of `key` among `scope`'s own bindings only (modal scopes: help, edit).
    public func modalAction(for key: Key, in scope: Scope) -> Action? {
        bindings.first { $0.scope == scope && $0.keys.contains(key) }?.action
    }

    /// The action for `key` in `scope` (the pane's own bindings first, then global ones).
    public func action(for key: Key, in scope: Scope) -> Action? {
        bindings.first { $0.scope == scope && $0.keys.contains(key) }?.action
            ?? bindings.first { $0.scope == .global && $0.keys.contains(key) }?.action
    }

    public func keys(for action: Action) -> [Key] { bindings.first { $0.action == action }?.keys ?? [] }

    /// Replaces the keys of actions: `["move_down": ["j", "down"]]`. Returns what it could not use.
    public mutating func remap(_ overrides: [(action: String, keys: [String])]) -> [String] {
        var problems: [String] = []
        for (name, names) in overrides {
            guard let action = Action(rawValue: name) else {
                problems.append("unknown action `\(name)` (known: \(Action.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            var keys: [Key] = []
            for n in names {
                if let k = Key(name: n) { keys.append(k) } else { problems.append("unknown key `\(n)` for \(name)") }
            }
            guard !keys.isEmpty, bindings.contains(where: { $0.action == action }) else { continue }
            // A key moves to its new action (in every scope the action is bound).
            for j in bindings.indices { bindings[j].keys.removeAll { keys.contains($0) } }
            for j in bindings.indices where bindings[j].action == action { bindings[j].keys = keys }
        }
        if keys(for: .quit).isEmpty, let i = bindings.firstIndex(where: { $0.action == .quit }) {
            bindings[i].keys = [.ctrl("c")]
            problems.append("quit had no key left; Ctrl-C kept")
        }
        return problems
    }
}
