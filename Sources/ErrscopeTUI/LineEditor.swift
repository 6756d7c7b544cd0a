/// The one single-line editor: the `:` line, the filter and the probe form's fields all edit
/// through it, so they share the keys: ←/→, Home/End and Ctrl-A/E, Backspace/Delete, Ctrl-U
/// (to the start), Ctrl-K (to the end), Ctrl-W (the word before the cursor), and ↑/↓ through
/// the history of what was entered before (the `:` line and the filter keep one each).
public struct LineEditor: Sendable, Equatable {
    public var text: String
    /// In characters.
    public var cursor: Int
    /// Older entries, oldest first, and where ↑/↓ are in them (`history.count`: the line itself).
    var history: [String] = []
    var historyIndex = 0
    var draft = ""
    static let maxLength = 8192

    public init(_ t: String, history: [String] = []) {
        text = t
        cursor = t.count
        self.history = history
        historyIndex = history.count
    }

    /// What a key did.
    public enum Result: Equatable { case edited, moved, submit, cancel, unhandled }

    /// A key, read through the key table's `edit` bindings (so they show in help and can be
    /// remapped); an unbound character is typed.
    public mutating func handle(_ key: Key, keymap: KeyMap = .default) -> Result {
        guard let action = keymap.modalAction(for: key, in: .edit) else {
            guard case .char(let c) = key, text.count < Self.maxLength, !c.isNewline else { return .unhandled }
            insert(c)
            return .edited
        }
        switch action {
        case .editSubmit: return .submit
        case .editCancel: return .cancel
        case .editBackspace: backspace(); return .edited
        case .editDelete: delete(); return .edited
        case .editLeft: cursor = max(0, cursor - 1); return .moved
        case .editRight: cursor = min(text.count, cursor + 1); return .moved
        case .editStart: cursor = 0; return .moved
        case .editEnd: cursor = text.count; return .moved
        case .editKillToStart:
            text.removeFirst(cursor)
            cursor = 0
            return .edited
        case .editKillToEnd:
            text = String(text.prefix(cursor))
            return .edited
        case .editKillWord:
            var start = cursor
            let chars = Array(text)
            while start > 0 && chars[start - 1] == " " { start -= 1 }
            while start > 0 && chars[start - 1] != " " { start -= 1 }
            text = String(chars[..<start] + chars[cursor...])
            cursor = start
            return .edited
        case .editOlder:
            guard historyIndex > 0 else { return .moved }
            if historyIndex == history.count { draft = text }
            historyIndex -= 1
            text = history[historyIndex]
            cursor = text.count
            return .edited
        case .editNewer:
            guard historyIndex < history.count else { return .moved }
            historyIndex += 1
            text = historyIndex == history.count ? draft : history[historyIndex]
            cursor = text.count
            return .edited
        default: return .unhandled
        }
    }

    public var isEmpty: Bool { text.isEmpty }

    mutating func insert(_ c: Character) {
        let i = text.index(text.startIndex, offsetBy: cursor)
        text.insert(c, at: i)
        cursor += 1
    }
    mutating func backspace() {
        guard cursor > 0 else { return }
        text.remove(at: text.index(text.startIndex, offsetBy: cursor - 1))
        cursor -= 1
    }
    mutating func delete() {
        guard cursor < text.count else { return }
        text.remove(at: text.index(text.startIndex, offsetBy: cursor))
    }

    /// `entry` appended to `history` (not twice in a row, at most 100 kept).
    static func remember(_ entry: String, in history: inout [String]) {
        guard !entry.isEmpty, history.last != entry else { return }
        history.append(entry)
        if history.count > 100 { history.removeFirst(history.count - 100) }
    }
}
