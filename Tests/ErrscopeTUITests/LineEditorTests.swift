@testable import ErrscopeTUI
import ErrscopeCore
import Testing

/// Issue 12 §1: one line editor for the `:` line, the filter and the form's fields.
@Suite struct LineEditorTests {
    @Test func keysEditAsAShellLineDoes() {
        var e = LineEditor("probe bodhi-demo/chat")
        #expect(e.handle(.ctrl("w")) == .edited)
        #expect(e.text == "probe ")
        e.text = "probe abc"; e.cursor = 9
        #expect(e.handle(.ctrl("a")) == .moved && e.cursor == 0)
        #expect(e.handle(.ctrl("e")) == .moved && e.cursor == 9)
        _ = e.handle(.left); _ = e.handle(.left)
        _ = e.handle(.ctrl("k"))
        #expect(e.text == "probe a")
        _ = e.handle(.ctrl("u"))
        #expect(e.text == "" && e.cursor == 0)
        #expect(e.handle(.enter) == .submit)
        #expect(e.handle(.escape) == .cancel)
        #expect(e.handle(.f(5)) == .unhandled)
    }

    @Test func historyRecallsAndRestoresTheDraft() {
        var e = LineEditor("", history: ["code a", "system b"])
        e.insert("x")
        _ = e.handle(.up)
        #expect(e.text == "system b")
        _ = e.handle(.up)
        #expect(e.text == "code a")
        _ = e.handle(.up)
        #expect(e.text == "code a", "stops at the oldest")
        _ = e.handle(.down); _ = e.handle(.down)
        #expect(e.text == "x", "back to what was being typed")
    }

    @Test func theCommandLineUsesItAndRemembersWhatRan() {
        var s = Fixtures.state()
        s.command("system bodhi")
        s.press(.char(":"))
        s.press(.up)
        #expect(s.commandText == "system bodhi")
        // The cursor sits where editing happens.
        s.press(.ctrl("a"))
        #expect(s.screen.cursor?.x == 1)
        s.press(.ctrl("e"), .ctrl("w"))
        #expect(s.commandText == "system ")
        s.type("openai")
        s.press(.enter)
        #expect(s.selectedRow == .system(s.data.tree.systems.firstIndex { $0.id == "openai" }!))
    }

    @Test func theFilterUsesItWithCtrlWAndKeepsArrowsForTheTree() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("alias nf")
        let narrowed = s.tree.filterMatches
        s.press(.ctrl("w"))
        #expect(s.tree.filterText == "alias ")
        #expect(s.tree.filterMatches == Fixtures.data.filter.matches("alias "))
        #expect(s.tree.filterMatches != narrowed)
        let before = s.tree.cursor
        s.press(.down)
        #expect(s.tree.cursor != before || s.tree.rows.count <= 1, "↓ still moves in the tree")
        s.press(.enter)
        // A kept filter is remembered: / then Ctrl-P brings it back.
        s.press(.escape)
        s.press(.char("/"))
        s.press(.ctrl("p"))
        #expect(s.tree.filterText == "alias ")
    }
}

/// Issue 12 §1: one mode decides where keys go.
@Suite struct ModeTests {
    @Test func eachOverlayAndLineIsAMode() {
        var s = AppState(data: Fixtures.data, width: 120, height: 40, endpoints: ProbeFixtures.config)
        #expect(s.mode == .normal)
        s.press(.char("/"))
        #expect(s.mode.kind == .filter)
        s.press(.escape)
        s.press(.char(":"))
        #expect(s.mode.kind == .command)
        s.type("code")
        s.press(.enter)
        #expect(s.mode.kind == .picker)
        s.press(.char("?"))
        #expect(s.mode.kind == .picker, "? is typed into the picker's query")
        s.press(.escape)
        s.press(.char("?"))
        #expect(s.mode.kind == .help)
        s.press(.escape)
        s.command("compare quota")
        #expect(s.mode == .normal && s.compare != nil)
        s.press(.escape)
        s.press(.char("4"))
        s.probe.row = .url
        s.press(.enter)
        #expect(s.mode.kind == .fieldEdit)
        s.press(.escape)
        #expect(s.mode == .normal)
    }
}

/// Issue 12 §1: the modal keys (help's, the line editor's) live in the key table: listed in help,
/// remappable.
@Suite struct ModalKeysTests {
    @Test func helpListsTheModalKeys() {
        var s = Fixtures.state()
        s.press(.char("?"))
        let rows = HelpOverlay.layout(s).rows
        #expect(rows.contains { $0.2 && $0.0 == "Editing a line (:, /, a form field)" })
        #expect(rows.contains { $0.2 && $0.0 == "In help" })
        #expect(rows.contains { $0.0.contains("Ctrl-W") && $0.1 == "delete the word before the cursor" })
        #expect(rows.contains { $0.0.contains("Esc ? q") && $0.1 == "close help" })
    }

    @Test func editAndHelpKeysCanBeRemapped() {
        var k = KeyMap.default
        #expect(k.remap([(action: "edit_kill_word", keys: ["ctrl-t"]), (action: "help_close", keys: ["x"])]).isEmpty)
        var s = Fixtures.state(keymap: k)
        s.press(.char(":"))
        s.type("system bod")
        s.press(.ctrl("t"))
        #expect(s.commandText == "system ")
        s.press(.ctrl("w"))
        #expect(s.commandText == "system ", "Ctrl-W no longer deletes a word")
        s.press(.escape)
        s.press(.char("?"))
        s.press(.escape)
        #expect(s.showHelp, "Esc no longer closes help")
        s.press(.char("x"))
        #expect(!s.showHelp)
    }
}
