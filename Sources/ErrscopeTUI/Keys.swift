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

/// Everything a key can do; the raw value is the name used in the config file. A struct, not an
/// enum: a pane declares its own actions in its folder (`Probe/ProbePane.swift` has `probe_send`),
/// so adding a pane does not edit this file.
public struct Action: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { rawValue = name }
    public var description: String { rawValue }

    public static let moveUp = Action("move_up"), moveDown = Action("move_down"), pageUp = Action("page_up"), pageDown = Action("page_down")
    public static let top = Action("top"), bottom = Action("bottom"), collapse = Action("collapse"), expand = Action("expand")
    public static let toggle = Action("activate")
    public static let nextPane = Action("next_pane"), previousPane = Action("previous_pane")
    public static let filter = Action("filter"), nextMatch = Action("next_match"), previousMatch = Action("previous_match"), clear = Action("clear")
    public static let command = Action("command"), help = Action("help"), toggleMouse = Action("toggle_mouse")
    public static let zoom = Action("zoom"), jumpBack = Action("jump_back")
    public static let helpClose = Action("help_close")
    public static let editLeft = Action("edit_left"), editRight = Action("edit_right"), editStart = Action("edit_start"), editEnd = Action("edit_end")
    public static let editBackspace = Action("edit_backspace"), editDelete = Action("edit_delete"), editKillToStart = Action("edit_kill_to_start")
    public static let editKillToEnd = Action("edit_kill_to_end"), editKillWord = Action("edit_kill_word")
    public static let editOlder = Action("edit_older"), editNewer = Action("edit_newer")
    public static let editSubmit = Action("edit_submit"), editCancel = Action("edit_cancel")
    public static let quit = Action("quit")

    /// Gives `pane` the focus (`focus_tree`, ..., one per pane in `Panes.all`, keys 1-9).
    public static func focus(_ pane: Pane) -> Action { Action("focus_" + pane.id) }
    /// The pane a focus action names, if it is one.
    var focusedPane: Pane? {
        guard rawValue.hasPrefix("focus_") else { return nil }
        let id = String(rawValue.dropFirst(6))
        return Panes.all.first { $0.pane.id == id }?.pane
    }
}

/// Where a binding applies: everywhere, in one pane, or in a modal scope (help, a line being
/// edited: `:`, `/`, a form field), where only that scope's own bindings apply.
public enum Scope: Hashable, Sendable {
    case global, help, edit
    case pane(Pane)

    var title: String {
        switch self {
        case .global: return "Everywhere"
        case .help: return "In help"
        case .edit: return "Editing a line (:, /, a form field)"
        case .pane(let p): return p.id.prefix(1).uppercased() + p.id.dropFirst() + " pane"
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

    /// The global keys, then each pane's own (from `Panes.all`, with a focus key 1-9 each), then
    /// the modal scopes'.
    public static let `default` = KeyMap(bindings: globalBindings + Panes.all.enumerated().flatMap { i, spec in
        [Binding(action: .focus(spec.pane), keys: i < 9 ? [.char(Character(String(i + 1)))] : [], help: spec.focusHelp, scope: .global, hint: false)]
    } + Panes.all.flatMap(\.bindings) + modalBindings)

    static let globalBindings: [Binding] = [
        Binding(action: .moveDown, keys: [.down, .char("j")], help: "next row", scope: .global, hint: false),
        Binding(action: .moveUp, keys: [.up, .char("k")], help: "previous row", scope: .global, hint: false),
        Binding(action: .pageDown, keys: [.pageDown, .ctrl("f")], help: "page down", scope: .global, hint: false),
        Binding(action: .pageUp, keys: [.pageUp, .ctrl("b")], help: "page up", scope: .global, hint: false),
        Binding(action: .top, keys: [.char("g"), .home], help: "first row", scope: .global, hint: false),
        Binding(action: .bottom, keys: [.char("G"), .end], help: "last row", scope: .global, hint: false),
        Binding(action: .nextPane, keys: [.tab], help: "next pane (mapping: next columns)", scope: .global, hint: false),
        Binding(action: .previousPane, keys: [.backTab], help: "previous pane", scope: .global, hint: false),
        Binding(action: .filter, keys: [.char("/")], help: "filter codes", scope: .global, hint: true),
        Binding(action: .nextMatch, keys: [.char("n")], help: "next match", scope: .global, hint: false),
        Binding(action: .previousMatch, keys: [.char("N")], help: "previous match", scope: .global, hint: false),
        Binding(action: .clear, keys: [.escape], help: "clear filter / close", scope: .global, hint: false),
        Binding(action: .command, keys: [.char(":")], help: "command (:system :http :envelope :theme :q)", scope: .global, hint: true),
        Binding(action: .zoom, keys: [.char("z")], help: "zoom (the focused pane full screen; z again restores)", scope: .global, hint: true),
        Binding(action: .jumpBack, keys: [.ctrl("o"), .backspace], help: "jump back (after :code, :system, a verdict's code, Enter in compare)", scope: .global, hint: false),
        Binding(action: .toggleMouse, keys: [.char("m")], help: "mouse on/off", scope: .global, hint: false),
        Binding(action: .help, keys: [.char("?"), .f(1)], help: "help", scope: .global, hint: true),
        Binding(action: .quit, keys: [.char("q"), .ctrl("c")], help: "quit", scope: .global, hint: true),
    ]

    static let modalBindings: [Binding] = [
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
    ]

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
            let action = Action(name)
            guard bindings.contains(where: { $0.action == action }) else {
                var known: [String] = []
                for b in bindings where !known.contains(b.action.rawValue) { known.append(b.action.rawValue) }
                problems.append("unknown action `\(name)` (known: \(known.joined(separator: ", ")))")
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
