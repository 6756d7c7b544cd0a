@testable import ErrscopeTUI
import ErrscopeCore
import Testing

/// Issue 12 §5: zoom (`z`: the focused pane full screen) and jump back (Ctrl-O / Backspace).
@Suite struct ZoomJumpTests {
    @Test func zoomGivesTheFocusedPaneTheWholeBodyAndFollowsTheFocus() {
        var s = Fixtures.state(width: 80, height: 24)
        #expect(s.layout.tree.height < 12, "at 80×24 the tree gets a few rows")
        s.press(.char("z"))
        #expect(s.zoomed)
        #expect(s.layout.tree == Rect(x: 0, y: 1, width: 80, height: 22))
        let text = s.screen.text
        #expect(text.contains("zoomed: z restores the layout"))
        // All the systems at a glance, the detail pane gone.
        for sys in ["anthropic", "bodhi", "gemini", "openai", "tgi"] { #expect(text.contains("▸ \(sys)"), "\(sys)") }
        #expect(!text.contains("2 Detail"))
        // The zoom follows the focus.
        s.press(.char("2"))
        #expect(s.layout.detail == Rect(x: 0, y: 1, width: 80, height: 22))
        #expect(s.layout.tree.width == 0)
        #expect(s.screen.text.contains("▶ 2 Detail"))
        s.press(.char("z"))
        #expect(!s.zoomed)
        #expect(s.layout == Layout.compute(width: 80, height: 24))
    }

    @Test func zoomedPanesPageByTheirWholeHeightAndClicksLandInThem() {
        var s = Fixtures.state(width: 80, height: 24)
        s.command("expand")
        s.press(.home, .char("z"), .pageDown)
        #expect(s.tree.cursor == 22 - 3, "a page is the zoomed pane's height")
        s.press(.char("m"))
        s.send(.mouse(MouseEvent(kind: .press, x: 5, y: 3)))
        #expect(s.focus == .tree)
        #expect(s.tree.cursor == s.tree.scroll + 1)
    }

    @Test func ctrlOGoesBackAfterCodeAndBackspaceToo() {
        var s = Fixtures.state()
        s.press(.char("j"), .char("j"))
        let start = s.selectedRow
        #expect(s.command("code mcp_error-mcp_not_found").isEmpty)
        #expect(s.selectedEntry?.code == "mcp_error-mcp_not_found")
        #expect(s.command("system openai").isEmpty)
        #expect(s.selectedRow == .system(s.data.tree.systems.firstIndex { $0.id == "openai" }!))
        s.press(.ctrl("o"))
        #expect(s.selectedEntry?.code == "mcp_error-mcp_not_found")
        s.press(.backspace)
        #expect(s.selectedRow == start)
        // Nothing left: a bell and a word, no change.
        #expect(s.press(.ctrl("o")) == [.bell])
        #expect(s.message?.text == "nothing to jump back to")
        #expect(s.selectedRow == start)
    }

    @Test func enterInTheCompareViewCanBeUndoneBackIntoTheView() {
        var s = Fixtures.state()
        s.command("compare context_length")
        #expect(s.compare != nil)
        s.press(.down, .enter)
        #expect(s.compare == nil)
        #expect(s.focus == .detail)
        let opened = s.selectedEntry
        #expect(opened != nil)
        s.press(.ctrl("o"))
        #expect(s.compare != nil, "back in the compare view")
        #expect(s.focus == .tree)
    }

    @Test func theVerdictJumpComesBackToTheProbe() {
        var s = ProbeFixtures.state()
        s.probeAndFinish { ProbeFixtures.outcome($0) }
        s.probe.row = .verdict
        s.press(.enter)
        #expect(s.focus == .mapping)
        #expect(s.selectedEntry?.code == "data_service_error-alias_not_found")
        s.press(.ctrl("o"))
        #expect(s.focus == .probe)
        #expect(s.probe.result != nil)
    }

    @Test func zoomAndJumpAreInTheKeyTableAndTheHelp() {
        #expect(KeyMap.default.keys(for: .zoom) == [.char("z")])
        #expect(KeyMap.default.keys(for: .jumpBack) == [.ctrl("o"), .backspace])
        var k = KeyMap.default
        #expect(k.remap([(action: "zoom", keys: ["Z"]), (action: "jump_back", keys: ["ctrl-t"])]).isEmpty)
        var s = Fixtures.state(keymap: k)
        s.press(.char("Z"))
        #expect(s.zoomed)
        s.press(.char("?"))
        #expect(HelpOverlay.layout(s).rows.contains { $0.0.contains("Ctrl-T") && $0.1.contains("jump back") })
    }
}
