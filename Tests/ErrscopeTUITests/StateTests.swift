import ErrscopeCore
@testable import ErrscopeTUI
import Foundation
import Testing

/// Keys in, state and effects out: the pure `update` driven the way the terminal runner drives it.
@Suite struct NavigationTests {
    let tree = Fixtures.data.tree

    var bodhi: Int { tree.systems.firstIndex { $0.id == "bodhi" }! }

    @Test func startsOnTheFirstSystemWithEverySystemClosed() {
        let s = Fixtures.state()
        #expect(s.tree.cursor == 0)
        #expect(s.selectedRow == .system(0))
        #expect(s.focus == .tree)
        // Systems closed: one row per system, every one of them visible at a glance.
        #expect(s.tree.rows.count == tree.systems.count)
        #expect(s.tree.rows.allSatisfy { if case .system = $0 { return true } else { return false } })
        #expect(s.screen.text.contains("▸ bodhi"))
        #expect(s.screen.text.contains("▸ llama-cpp"), "the tree's first screen is all systems")
    }

    @Test func jkAndArrowsMoveTheCursorOneRowAndStopAtTheEnds() {
        var s = Fixtures.state()
        #expect(s.press(.char("j")).isEmpty)
        #expect(s.tree.cursor == 1)
        #expect(s.selectedRow == s.tree.rows[1])
        s.press(.down)
        #expect(s.tree.cursor == 2)
        s.press(.char("k"))
        #expect(s.tree.cursor == 1)
        s.press(.up, .up, .up)
        #expect(s.tree.cursor == 0, "k at the top stays on the first row")
        s.press(.end)
        s.press(.char("j"))
        #expect(s.tree.cursor == s.tree.rows.count - 1, "j at the bottom stays on the last row")
    }

    @Test func gAndGJumpToTheFirstAndLastRow() {
        var s = Fixtures.state()
        s.press(.char("G"))
        #expect(s.tree.cursor == s.tree.rows.count - 1)
        #expect(s.selectedRow == .system(tree.systems.count - 1))
        s.press(.char("g"))
        #expect(s.tree.cursor == 0)
        s.press(.end)
        #expect(s.tree.cursor == s.tree.rows.count - 1)
        s.press(.home)
        #expect(s.tree.cursor == 0)
    }

    @Test func pageDownAndUpMoveByTheVisibleTreeHeight() {
        var s = Fixtures.state()
        s.press(.char(":")); s.type("expand"); s.press(.enter)  // enough rows for pages
        s.press(.home)
        // 120x40: the tree is 17 rows tall with its frame; a page is the inner height less one.
        #expect(s.layout.tree.height == 17)
        let page = s.layout.tree.height - 3
        s.press(.pageDown)
        #expect(s.tree.cursor == page)
        s.press(.pageDown)
        #expect(s.tree.cursor == 2 * page)
        // The cursor stays visible: the tree scrolled.
        #expect(s.tree.scroll <= s.tree.cursor && s.tree.cursor < s.tree.scroll + s.layout.tree.height - 2)
        s.press(.pageUp)
        #expect(s.tree.cursor == page)
        s.press(.pageUp, .pageUp)
        #expect(s.tree.cursor == 0)
        #expect(s.tree.scroll == 0)
        s.press(.ctrl("f"))
        #expect(s.tree.cursor == page, "Ctrl-F is page down too")
    }

    @Test func movingInTheDetailPaneScrollsItAndLeavesTheCursor() {
        var s = Fixtures.state()
        s.press(.char("2"))
        s.press(.char("j"), .char("j"))
        #expect(s.tree.cursor == 0)
        #expect(s.detail.scroll == 2)
        s.press(.char("k"))
        #expect(s.detail.scroll == 1)
    }

    @Test func hAndLeftCollapseASystemAndLAndRightExpandIt() {
        var s = Fixtures.state()
        s.command("system bodhi")
        #expect(s.selectedRow == .system(bodhi))
        let before = s.tree.rows.count
        s.press(.char("h"))
        #expect(!s.tree.expandedSystems.contains(bodhi))
        #expect(s.tree.rows.count == before - tree.systems[bodhi].domains.count)
        #expect(s.selectedRow == .system(bodhi), "the collapsed system stays selected")
        s.press(.char("l"))
        #expect(s.tree.expandedSystems.contains(bodhi))
        #expect(s.tree.rows.count == before)
        #expect(s.selectedRow == .system(bodhi))
        // l on an open system steps into its first domain.
        s.press(.char("l"))
        #expect(s.selectedRow == .domain(bodhi, 0))
        // The arrows do the same.
        s.press(.char("k"))
        s.press(.left)
        #expect(!s.tree.expandedSystems.contains(bodhi))
        s.press(.right)
        #expect(s.tree.expandedSystems.contains(bodhi))
    }

    @Test func domainsExpandAndCollapseAndHOnACodeGoesToItsDomain() throws {
        var s = Fixtures.state()
        s.command("system bodhi")
        s.press(.char("l")) // into the first domain
        let domain = try #require(s.selectedRow)
        guard case .domain(let si, let di) = domain else { Issue.record("expected a domain, got \(domain)"); return }
        let codes = tree.systems[si].domains[di].rows
        let before = s.tree.rows.count
        s.press(.char("l"))
        #expect(s.tree.rows.count == before + codes.count)
        #expect(s.selectedRow == domain, "expanding keeps the domain selected")
        s.press(.right)
        #expect(s.selectedRow == .code(si, di, codes[0]), "→ on an open domain steps to its first code")
        s.press(.char("h"))
        #expect(s.selectedRow == domain, "h on a code goes to its domain")
        #expect(s.tree.rows.count == before + codes.count, "…without collapsing it")
        s.press(.char("h"))
        #expect(s.tree.rows.count == before, "h on an open domain collapses it")
        #expect(s.selectedRow == domain)
        s.press(.left)
        #expect(s.selectedRow == .system(si), "← on a closed domain goes to its system")
    }

    @Test func lOnACodeFocusesTheMappingPane() {
        var s = Fixtures.state()
        s.command("code data_service_error-alias_not_found")
        s.press(.char("l"))
        #expect(s.focus == .mapping)
        #expect(s.selectedCode == "data_service_error-alias_not_found")
    }

    @Test func enterTogglesSystemsAndDomainsAndOpensACode() {
        var s = Fixtures.state()
        s.command("system bodhi")
        s.press(.enter)
        #expect(!s.tree.expandedSystems.contains(bodhi))
        s.press(.char(" "))
        #expect(s.tree.expandedSystems.contains(bodhi), "Space toggles too")
        s.press(.char("j"))
        #expect(s.selectedRow == .domain(bodhi, 0))
        s.press(.enter)
        #expect(s.tree.expandedDomains.contains(TreeState.domainKey(bodhi, 0)))
        s.press(.enter)
        #expect(!s.tree.expandedDomains.contains(TreeState.domainKey(bodhi, 0)))
        s.press(.enter, .char("j"))
        guard case .code = s.selectedRow else { Issue.record("expected a code row, got \(String(describing: s.selectedRow))"); return }
        s.press(.enter)
        #expect(s.focus == .mapping)
    }

    @Test func tabAndShiftTabCycleThePanesAndDigitsFocusThem() {
        var s = Fixtures.state()
        var seen: [Pane] = []
        for _ in 0..<5 { s.press(.tab); seen.append(s.focus) }
        #expect(seen == [.detail, .mapping, .probe, .incident, .tree])
        seen = []
        for _ in 0..<5 { s.press(.backTab); seen.append(s.focus) }
        #expect(seen == [.incident, .probe, .mapping, .detail, .tree])
        s.press(.char("3"))
        #expect(s.focus == .mapping)
        s.press(.char("4"))
        #expect(s.focus == .probe)
        s.press(.char("2"))
        #expect(s.focus == .detail)
        s.press(.char("1"))
        #expect(s.focus == .tree)
    }

    @Test func tabInAWideMappingPaneMovesOnBecauseAllFourColumnsFit() {
        var s = Fixtures.state()
        s.command("code data_service_error-alias_not_found")
        s.press(.char("3"))
        #expect(s.renderings.count == 4)
        s.press(.tab)
        #expect(s.focus == .probe)
        #expect(s.mapping.column == 0)
    }

    @Test
    func leftAndRightInTheMappingPaneSelectColumns() {
        var s = Fixtures.state()
        s.command("code data_service_error-alias_not_found")
        s.press(.char("3"))
        s.press(.right, .right)
        #expect(s.mapping.column == 2)
        s.press(.right, .right, .right)
        #expect(s.mapping.column == 3, "stops at the last column")
        s.press(.char("h"))
        #expect(s.mapping.column == 2)
        #expect(s.focus == .mapping)
        #expect(s.selectedCode == "data_service_error-alias_not_found", "h in the mapping pane does not touch the tree")
    }
}

@Suite struct CommandTests {
    @Test func systemJumpsToTheSystemAndOpensIt() throws {
        var s = Fixtures.state()
        s.press(.char("2"))
        s.press(.char("h"))
        let fx = s.command("system bodhi")
        #expect(fx.isEmpty)
        let si = try #require(Fixtures.data.tree.systems.firstIndex { $0.id == "bodhi" })
        #expect(s.selectedRow == .system(si))
        #expect(s.tree.expandedSystems.contains(si))
        #expect(s.focus == .tree)
        #expect(s.commandText == nil)
        // A prefix is enough.
        s.command("sys scai")
        guard case .system(let i)? = s.selectedRow else { Issue.record("expected a system row"); return }
        #expect(Fixtures.data.tree.systems[i].id == "scaigrid")
    }

    @Test func httpFiltersByStatus() {
        var s = Fixtures.state()
        let fx = s.command("http 429")
        #expect(fx.isEmpty)
        let expected = Fixtures.catalog.entries.filter { $0.http.statuses.contains(429) }.map { Int32($0.row) }
        #expect(!expected.isEmpty)
        #expect(s.tree.filterText == "429")
        #expect(!s.filterEditing)
        #expect(s.matchCount == expected.count)
        #expect(Set(s.tree.filterMatches ?? []) == Set(expected))
        let codesShown = s.tree.rows.compactMap { row -> Int32? in if case .code(_, _, let r) = row { return r } else { return nil } }
        #expect(Set(codesShown) == Set(expected))
    }

    @Test func httpRejectsANonStatus() {
        var s = Fixtures.state()
        #expect(s.command("http 42") == [.bell])
        #expect(s.message?.isError == true)
        #expect(s.tree.filterMatches == nil)
    }

    @Test func codeRevealsTheCode() {
        var s = Fixtures.state()
        #expect(s.command("code mcp_error-slug_exists").isEmpty)
        #expect(s.selectedCode == "mcp_error-slug_exists")
        #expect(s.selectedEntry?.system == "bodhi")
        #expect(s.focus == .tree)
        // The cursor is on screen.
        #expect(s.tree.scroll <= s.tree.cursor && s.tree.cursor < s.tree.scroll + s.layout.tree.height - 2)
    }

    @Test func codeClearsAFilterThatHidesIt() {
        var s = Fixtures.state()
        s.command("http 429")
        s.command("code data_service_error-alias_not_found")
        #expect(s.tree.filterMatches == nil)
        #expect(s.selectedCode == "data_service_error-alias_not_found")
    }

    @Test func envelopeSelectsThatColumn() {
        var s = Fixtures.state()
        s.command("code data_service_error-alias_not_found")
        #expect(s.command("envelope anthropic").isEmpty)
        #expect(s.focus == .mapping)
        #expect(s.renderings[s.mapping.column].envelope == "anthropic")
        #expect(s.renderings.map(\.envelope) == ["bodhi-native", "openai", "anthropic", "gemini"])
        #expect(s.mapping.column == 2)
    }

    @Test func envelopeNeedsACodeAndAKnownEnvelope() {
        var s = Fixtures.state()
        #expect(s.command("envelope anthropic") == [.bell])
        #expect(s.message?.isError == true)
        s.command("code data_service_error-alias_not_found")
        #expect(s.command("envelope problem-json-nope") == [.bell])
        #expect(s.message?.text.contains("bodhi-native") == true, "the error lists the code's envelopes")
        #expect(s.mapping.column == 0)
    }

    @Test func observedAndDocumentedSwitchTheVariant() {
        var s = Fixtures.state()
        s.command("observed")
        #expect(s.mapping.variant == .observed)
        s.command("documented")
        #expect(s.mapping.variant == .documented)
    }

    @Test func themeSwitchesTheTheme() {
        var s = Fixtures.state()
        #expect(s.theme.name == "dark")
        #expect(s.command("theme light").isEmpty)
        #expect(s.theme.name == "light")
        #expect(s.theme == Theme.named("light"))
        #expect(s.command("theme neon") == [.bell])
        #expect(s.theme.name == "light", "an unknown theme leaves the current one")
        #expect(s.message?.text.contains("high-contrast") == true)
    }

    @Test func qQuits() {
        var s = Fixtures.state()
        #expect(s.command("q") == [.quit])
        #expect(s.command("quit") == [.quit])
    }

    @Test func unknownCommandSetsAnErrorAndRings() {
        var s = Fixtures.state()
        let fx = s.command("frobnicate now")
        #expect(fx == [.bell])
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("frobnicate") == true)
        #expect(s.commandText == nil)
        // The next key clears the message.
        s.press(.char("j"))
        #expect(s.message == nil)
    }

    @Test func escapeAbandonsTheCommandLineAndBackspaceEditsIt() {
        var s = Fixtures.state()
        s.press(.char(":"))
        #expect(s.commandText == "")
        s.type("qx")
        s.press(.backspace)
        #expect(s.commandText == "q")
        s.press(.escape)
        #expect(s.commandText == nil)
        // Keys typed into the command line do not act: `q` did not quit, `j` did not move.
        s.press(.char(":"))
        #expect(s.type("jjj").isEmpty)
        #expect(s.tree.cursor == 0)
        s.press(.backspace, .backspace, .backspace, .backspace)
        #expect(s.commandText == nil, "Backspace on an empty command line closes it")
    }

    @Test func mouseCommandReturnsTheEffect() {
        var s = Fixtures.state()
        #expect(s.command("mouse on") == [.setMouse(true)])
        #expect(s.mouse)
        #expect(s.command("mouse off") == [.setMouse(false)])
        #expect(!s.mouse)
    }
}

@Suite struct KeyActionTests {
    @Test func questionMarkOpensHelpAndEscQuestionMarkOrQCloseIt() {
        var s = Fixtures.state()
        s.press(.char("?"))
        #expect(s.showHelp)
        // A stray key neither closes help nor acts behind it; it says how to close.
        #expect(s.press(.char("x")).isEmpty)
        #expect(s.showHelp)
        #expect(s.message?.text.contains("Esc, ? or q closes") == true)
        s.press(.char("?"))
        #expect(!s.showHelp)
        #expect(s.tree.cursor == 0)
        s.press(.f(1))
        #expect(s.showHelp, "F1 opens help too")
        // q closes help rather than quitting.
        #expect(s.press(.char("q")).isEmpty)
        #expect(!s.showHelp)
        s.press(.char("?"))
        s.press(.escape)
        #expect(!s.showHelp)
        s.press(.char("?"))
        s.press(.enter)
        #expect(s.showHelp, "Enter does not close help")
        s.press(.escape)
        #expect(s.focus == .tree && s.tree.expandedSystems.isEmpty, "no key pressed in help acted on the tree")
    }

    @Test func helpScrollsWithJAndK() {
        var s = Fixtures.state()
        s.press(.char("?"), .char("j"), .char("j"))
        #expect(s.showHelp)
        #expect(s.helpScroll == 2)
        #expect(s.tree.cursor == 0)
        s.press(.char("k"))
        #expect(s.helpScroll == 1)
    }

    @Test func yInTheMappingPaneCopiesTheEnvelopeAsJSON() throws {
        var s = Fixtures.state()
        s.command("code data_service_error-alias_not_found")
        s.press(.char("3"))
        let fx = s.press(.char("y"))
        #expect(fx.count == 1)
        guard case .copy(let text)? = fx.first else { Issue.record("expected .copy, got \(fx)"); return }
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let object = try #require(parsed as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["code"] as? String == "data_service_error-alias_not_found")
        #expect(error["type"] as? String == "not_found_error")
        #expect(s.message?.text.contains("bodhi-native") == true)
        #expect(s.message?.isError == false)
    }

    @Test func yCopiesTheSelectedColumn() throws {
        var s = Fixtures.state()
        s.command("code data_service_error-alias_not_found")
        s.command("envelope anthropic")
        guard case .copy(let text)? = s.press(.char("y")).first else { Issue.record("no copy"); return }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "error")
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["type"] as? String == "not_found_error")
        #expect(error["code"] == nil, "the Anthropic envelope carries no code")
    }

    @Test func yWithoutACodeRings() {
        var s = Fixtures.state()
        s.press(.char("3"))
        #expect(s.press(.char("y")) == [.bell])
        #expect(s.message?.isError == true)
    }

    @Test func mTogglesTheMouse() {
        var s = Fixtures.state()
        #expect(s.press(.char("m")) == [.setMouse(true)])
        #expect(s.mouse)
        #expect(s.press(.char("m")) == [.setMouse(false)])
        #expect(!s.mouse)
    }

    @Test func oTogglesDocumentedAndObservedMapping() throws {
        func anthropicType(_ s: AppState) -> String? {
            s.renderings.first { $0.envelope == "anthropic" }?.body.objectValue?["error"]?.objectValue?["type"]?.stringValue
        }
        var s = Fixtures.state()
        s.command("code mcp_error-slug_exists")
        s.press(.char("3"))
        #expect(s.mapping.variant == .documented)
        #expect(anthropicType(s) == "invalid_request_error")
        s.press(.char("o"))
        #expect(s.mapping.variant == .observed)
        #expect(anthropicType(s) == "api_error")
        // The HTTP status stays 409 in the observed Anthropic rendering.
        #expect(s.renderings.first { $0.envelope == "anthropic" }?.http == 409)
        s.press(.char("o"))
        #expect(s.mapping.variant == .documented)
        #expect(anthropicType(s) == "invalid_request_error")
    }

    @Test func qAndCtrlCQuit() {
        var s = Fixtures.state()
        #expect(s.press(.char("q")) == [.quit])
        #expect(s.press(.ctrl("c")) == [.quit])
    }

    @Test func ctrlCQuitsFromEveryMode() {
        var s = Fixtures.state()
        s.press(.char("/"))
        #expect(s.press(.ctrl("c")) == [.quit])
        s = Fixtures.state()
        s.press(.char(":"))
        #expect(s.press(.ctrl("c")) == [.quit])
        s = Fixtures.state()
        s.press(.char("?"))
        #expect(s.press(.ctrl("c")) == [.quit])
    }

    @Test func unboundKeysDoNothing() {
        var s = Fixtures.state()
        #expect(s.press(.char("z"), .f(9), .ctrl("x")).isEmpty)
        #expect(s.tree.cursor == 0 && s.focus == .tree && !s.showHelp)
    }
}

@Suite struct MouseTests {
    /// The screen row of tree row `i`.
    func y(ofRow i: Int, _ s: AppState) -> Int { s.layout.tree.y + 1 + i - s.tree.scroll }

    @Test func pressOnATreeRowSelectsItOnceTheMouseIsOn() {
        var s = Fixtures.state()
        // Off by default: clicks do nothing.
        #expect(s.send(.mouse(MouseEvent(kind: .press, x: 5, y: y(ofRow: 3, s)))).isEmpty)
        #expect(s.tree.cursor == 0)
        s.press(.char("m"))
        s.send(.mouse(MouseEvent(kind: .press, x: 5, y: y(ofRow: 3, s))))
        #expect(s.tree.cursor == 3)
        #expect(s.selectedRow == s.tree.rows[3])
        #expect(s.focus == .tree)
    }

    @Test func pressOnTheSelectedRowTogglesIt() {
        var s = Fixtures.state()
        s.press(.char("m"))
        #expect(!s.tree.expandedSystems.contains(0))
        s.send(.mouse(MouseEvent(kind: .press, x: 5, y: y(ofRow: 0, s))))
        #expect(s.tree.expandedSystems.contains(0))
        s.send(.mouse(MouseEvent(kind: .press, x: 5, y: y(ofRow: 0, s))))
        #expect(!s.tree.expandedSystems.contains(0))
        #expect(s.tree.cursor == 0)
    }

    @Test func pressInAnotherPaneFocusesIt() {
        var s = Fixtures.state()
        s.press(.char("m"))
        let d = s.layout.detail
        s.send(.mouse(MouseEvent(kind: .press, x: d.x + 3, y: d.y + 2)))
        #expect(s.focus == .detail)
        let m = s.layout.mapping
        s.send(.mouse(MouseEvent(kind: .press, x: m.x + 3, y: m.y + 2)))
        #expect(s.focus == .mapping)
        #expect(s.tree.cursor == 0)
    }

    @Test func wheelInTheTreeMovesTheCursorAndKeepsFocus() {
        var s = Fixtures.state()
        s.press(.char("m"), .char("2"))
        s.send(.mouse(MouseEvent(kind: .wheelDown, x: 5, y: 5)))
        #expect(s.tree.cursor == 3)
        #expect(s.focus == .detail)
        s.send(.mouse(MouseEvent(kind: .wheelUp, x: 5, y: 5)))
        #expect(s.tree.cursor == 0)
    }

    @Test
    func pressOnTheTreeBorderSelectsNothing() {
        var s = Fixtures.state()
        s.press(.char("m"))
        let bottom = s.layout.tree.maxY - 1
        s.send(.mouse(MouseEvent(kind: .press, x: 5, y: bottom)))
        #expect(s.tree.cursor == 0)
        #expect(s.tree.scroll == 0)
    }
}

@Suite struct ResizeTests {
    func expectConsistent(_ s: AppState, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(s.tree.rows.indices.contains(s.tree.cursor), sourceLocation: sourceLocation)
        #expect(s.layout == Layout.compute(width: s.width, height: s.height), sourceLocation: sourceLocation)
        let visible = max(1, s.layout.tree.height - 2)
        #expect(s.tree.scroll >= 0 && s.tree.scroll <= s.tree.cursor && s.tree.cursor < s.tree.scroll + visible,
                "cursor \(s.tree.cursor) scroll \(s.tree.scroll) visible \(visible)", sourceLocation: sourceLocation)
        #expect(s.mapping.column >= 0 && s.mapping.column <= max(0, s.renderings.count - 1), sourceLocation: sourceLocation)
        let screen = View.render(s)
        #expect(screen.lines.count == s.height, sourceLocation: sourceLocation)
        #expect(screen.lines.allSatisfy { DisplayWidth.of($0) <= s.width }, sourceLocation: sourceLocation)
    }

    @Test func shrinkingTo20x6AndBackKeepsTheSelection() {
        var s = Fixtures.state()
        s.command("code data_service_error-alias_not_found")
        s.command("envelope gemini")
        let row = s.selectedRow
        s.send(.resize(width: 20, height: 6))
        #expect(s.layout.tooSmall)
        expectConsistent(s)
        #expect(s.selectedRow == row)
        s.send(.resize(width: 120, height: 40))
        #expect(!s.layout.tooSmall)
        expectConsistent(s)
        #expect(s.selectedRow == row)
        #expect(s.selectedCode == "data_service_error-alias_not_found")
        #expect(s.renderings[s.mapping.column].envelope == "gemini")
    }

    @Test func keysAndMouseAtATooSmallSizeDoNotCrash() {
        var s = Fixtures.state()
        s.press(.char("m"))
        s.send(.resize(width: 20, height: 6))
        s.press(.char("j"), .pageDown, .char("G"))
        #expect(s.tree.cursor == s.tree.rows.count - 1)
        let last = s.selectedRow
        s.press(.char("l"), .char("3"), .tab, .char("?"), .char("x"), .escape)
        s.send(.mouse(MouseEvent(kind: .press, x: 3, y: 3)), .mouse(MouseEvent(kind: .wheelDown, x: 3, y: 3)))
        expectConsistent(s)
        #expect(s.selectedRow == last, "clicks and the wheel are ignored while the screen is too small")
        if case .domain(let si, let di)? = last { #expect(s.tree.expandedDomains.contains(TreeState.domainKey(si, di)), "l opened the last domain") }
        s.send(.resize(width: 120, height: 40))
        expectConsistent(s)
        #expect(s.press(.char("q")) == [.quit])
    }

    @Test(arguments: [(0, 0), (1, 1), (20, 6), (39, 10), (40, 9), (40, 10), (60, 20), (99, 30), (100, 12), (120, 40), (250, 80)])
    func everySizeRendersWithinTheScreen(size: (Int, Int)) {
        var s = Fixtures.state()
        s.command("code data_service_error-alias_not_found")
        s.send(.resize(width: size.0, height: size.1))
        for pane in ["1", "2", "3", "4"] {
            s.press(.char(Character(pane)))
            expectConsistent(s)
            s.press(.char("?"))
            expectConsistent(s)
            s.press(.escape)
        }
        s.send(.resize(width: 120, height: 40))
        expectConsistent(s)
    }

    @Test func negativeSizesAreClamped() {
        var s = Fixtures.state()
        s.send(.resize(width: -5, height: -1))
        #expect(s.width == 0 && s.height == 0)
        expectConsistent(s)
    }
}
