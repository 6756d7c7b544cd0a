import ErrscopeBundled
import ErrscopeCore
@testable import ErrscopeTUI
import Testing

/// The screen as text: what a user would see at a given size after given keys.
@Suite struct ScreenTests {
    static let aliasCode = "data_service_error-alias_not_found"

    func aliasState(width: Int, height: Int) -> AppState {
        var s = Fixtures.state(width: width, height: height)
        s.command("code \(Self.aliasCode)")
        return s
    }

    /// Checks the four corners of a pane's frame in the cells.
    func expectFrame(_ b: ScreenBuffer, _ r: Rect, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(b[r.x, r.y].text == "┌", "\(name) top-left", sourceLocation: sourceLocation)
        #expect(b[r.maxX - 1, r.y].text == "┐", "\(name) top-right", sourceLocation: sourceLocation)
        #expect(b[r.x, r.maxY - 1].text == "└", "\(name) bottom-left", sourceLocation: sourceLocation)
        #expect(b[r.maxX - 1, r.maxY - 1].text == "┘", "\(name) bottom-right", sourceLocation: sourceLocation)
        for y in (r.y + 1)..<(r.maxY - 1) {
            #expect(b[r.x, y].text == "│" && b[r.maxX - 1, y].text == "│", "\(name) sides at row \(y)", sourceLocation: sourceLocation)
        }
    }

    @Test func startScreenFirstLines() {
        let lines = Fixtures.state().screen.lines
        #expect(lines.count == 40)
        #expect(Array(lines.prefix(3)) == [
            " errscope  25 systems · 601 codes · 33 envelopes                                                           [documented]",
            "┌─▶ 1 Catalog ───────────────────────────────────┐┌─ 2 Detail ─────────────────────────────────────────────────────────┐",
            "│▸ anthropic  10                                 ││ Anthropic API  anthropic                                           │",
        ])
        // The counts in the title are the catalog's.
        let c = Fixtures.catalog
        #expect(lines[0].contains("\(c.systems.count) systems · \(c.codeCount) codes · \(c.envelopes.count) envelopes"))
    }

    @Test func wideScreenFramesEveryPane() {
        let s = aliasState(width: 120, height: 40)
        let b = s.screen
        #expect(!s.layout.stacked)
        expectFrame(b, s.layout.tree, "tree")
        expectFrame(b, s.layout.detail, "detail")
        expectFrame(b, s.layout.mapping, "mapping")
        #expect(b.lines.allSatisfy { DisplayWidth.of($0) <= 120 })
    }

    @Test func wideMappingPaneShowsFourColumnsSideBySide() throws {
        let s = aliasState(width: 120, height: 40)
        let lines = s.screen.lines
        let header = try #require(lines.first { $0.contains("bodhi-native") && $0.contains("openai") && $0.contains("anthropic") && $0.contains("gemini") },
                                  "no line shows all four envelopes")
        // In that order, left to right, each with its status.
        let order = ["bodhi-native", "openai", "anthropic", "gemini"].map { header.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        #expect(header.components(separatedBy: "HTTP 404").count - 1 == 4)
        // Anthropic and Gemini drop the code: a "no code" badge under each, on one line.
        let badges = try #require(lines.first { $0.contains("no code") })
        #expect(badges.components(separatedBy: "no code").count - 1 == 2)
        // The code appears in the JSON of the two envelopes that carry it; too long for a column,
        // it breaks at the joints of the identifier (`_`, `-`), its continuations marked.
        let text = lines.joined(separator: "\n")
        #expect(text.components(separatedBy: "\"code\": \"data_service_").count - 1 == 2, "\(text)")
        #expect(text.components(separatedBy: "↪ error-alias_not_").count - 1 == 2)
    }

    @Test func detailPaneShowsStatusAndMeaning() {
        let text = aliasState(width: 120, height: 40).screen.text
        #expect(text.contains("404 Not Found"))
        #expect(text.contains("No model alias exists under the requested name."))
        #expect(text.contains("data_service_error-alias_not_found  bodhi / data_service_error"))
        #expect(text.contains("NO — The alias will not appear by itself"))
    }

    @Test func narrowScreenStacksAndNothingIsCutOff() {
        var s = aliasState(width: 60, height: 20)
        #expect(s.layout.stacked)
        for keys in [[Key](), [.char("2")], [.char("3")], [.char("4")], [.char("3"), .tab], [.char("/")], [.escape, .char(":")], [.escape, .char("?")]] {
            for k in keys { s.press(k) }
            let b = s.screen
            #expect(b.lines.count == 20)
            for line in b.lines { #expect(DisplayWidth.of(line) <= 60, "too wide after \(keys): \(line)") }
            expectFrame(b, s.layout.tree, "tree after \(keys)")
            if !s.showHelp { expectFrame(b, s.layout.mapping, "lower pane after \(keys)") }
        }
    }

    @Test func narrowDetailShowsTheCode() {
        let s = aliasState(width: 60, height: 20)
        let text = s.screen.text
        #expect(text.contains("2 Detail │ 3 Mapping │ 4 Probe"))
        #expect(text.contains("404 Not Found"))
        #expect(text.contains("No model alias exists under the requested name."))
    }

    @Test func narrowMappingPagesColumnsWithTab() throws {
        var s = aliasState(width: 60, height: 20)
        s.press(.char("3"))
        func headerLine() throws -> String { try #require(s.screen.lines.first { $0.contains("Mapping") }) }
        func columnsLine() -> String { s.screen.lines[s.layout.mapping.y + 1] }
        #expect(try headerLine().contains("1-2 of 4"))
        #expect(columnsLine().contains("bodhi-native") && columnsLine().contains("openai"))
        #expect(!columnsLine().contains("gemini"))
        s.press(.tab)
        #expect(s.focus == .mapping)
        #expect(s.mapping.column == 1)
        s.press(.tab)
        #expect(try headerLine().contains("2-3 of 4"))
        #expect(columnsLine().contains("openai") && columnsLine().contains("anthropic"))
        s.press(.tab)
        #expect(try headerLine().contains("3-4 of 4"))
        #expect(columnsLine().contains("anthropic") && columnsLine().contains("gemini"))
        #expect(!columnsLine().contains("bodhi-native"))
        // Past the last column Tab moves on to the next pane.
        s.press(.tab)
        #expect(s.focus == .probe)
        // Shift-Tab pages back.
        s.press(.char("3"), .backTab)
        #expect(s.mapping.column == 2)
        #expect(s.focus == .mapping)
    }

    @Test func tooSmallScreenSaysWhatItNeeds() {
        let s = Fixtures.state(width: 20, height: 6)
        let lines = s.screen.lines
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 20 })
        let text = lines.map { String($0.drop { $0 == " " }) }.joined(separator: " ")
        #expect(text.contains("needs 40×10"))
        #expect(text.contains("20×6"))
        #expect(!text.contains("Catalog"))
    }

    @Test func oneColumnShortIsTooSmallAndTheMinimumIsNot() {
        #expect(Fixtures.state(width: 39, height: 10).screen.text.contains("40×10"))
        #expect(Fixtures.state(width: 40, height: 9).screen.text.contains("40×10"))
        let ok = Fixtures.state(width: 40, height: 10).screen.text
        #expect(!ok.contains("40×10"))
        #expect(ok.contains("Catalog"))
    }

    @Test func helpListsTheKeyTable() throws {
        var s = Fixtures.state()
        s.press(.char("?"))
        let lines = s.screen.lines
        #expect(lines.contains { $0.contains("Help · ↑↓ PgUp/PgDn scroll · Esc, ? or q closes") })
        for action in [Action.quit, .filter, .moveDown, .command] {
            let binding = try #require(KeyMap.default.bindings.first { $0.action == action })
            let label = binding.keys.map(\.label).joined(separator: " ")
            #expect(lines.contains { $0.contains(label) && $0.contains(binding.help) }, "\(action): `\(label)` `\(binding.help)`")
        }
        #expect(lines.contains { $0.contains("q Ctrl-C") && $0.contains("quit") })
        #expect(lines.contains { $0.contains(" /  ") && $0.contains("filter codes") })
    }

    @Test func helpListsEveryCommandFromTheTableAndNoLabelTouchesItsText() {
        var s = Fixtures.state()
        s.command("help")
        #expect(s.showHelp)
        var seen = ""
        for _ in 0..<40 {
            seen += s.screen.text + "\n"
            s.press(.pageDown)
        }
        for c in Commands.table {
            #expect(seen.contains(c.help.prefix(30)), "the help lists \(c.usage)")
        }
        #expect(seen.contains(":observed"))
        #expect(seen.contains(":documented"))
        #expect(seen.contains(":probe[!]"))
        // Every row's key column ends before its text starts (was `:observed / :documentewhich`).
        let (rows, keyW) = HelpOverlay.layout(s)
        for (k, v, heading) in rows where !heading && !v.isEmpty {
            #expect(DisplayWidth.of("  " + k) < keyW, "`\(k)` runs into `\(v)`")
        }
    }

    @Test func helpFollowsARemappedKeyTable() {
        var keymap = KeyMap.default
        #expect(keymap.remap([(action: "quit", keys: ["x"]), (action: "filter", keys: ["f", "ctrl-s"])]).isEmpty)
        var s = Fixtures.state(keymap: keymap)
        s.press(.char("?"))
        let lines = s.screen.lines
        #expect(lines.contains { $0.contains("  x  ") && $0.contains("quit") })
        #expect(lines.contains { $0.contains("f Ctrl-S") && $0.contains("filter codes") })
        #expect(!lines.contains { $0.contains("q Ctrl-C") })
    }

    @Test func helpScrollsToTheCommands() {
        var s = Fixtures.state()
        s.press(.char("?"))
        for _ in 0..<200 { s.press(.char("j")) }  // to the end: j stops at the last page
        let text = s.screen.text
        #expect(text.contains(":theme NAME"))
        #expect(text.contains("Filter"))
    }

    @Test func statusHintsFollowTheFocusedPane() throws {
        var s = aliasState(width: 120, height: 40)
        func status() -> String { s.screen.lines[39] }
        #expect(status().contains("←/h collapse / go to parent"))
        #expect(status().contains("Enter/Space open / toggle"))
        #expect(!status().contains("documented / observed"))
        s.press(.char("3"))
        #expect(status().contains("o documented / observed"))
        #expect(status().contains("y copy envelope JSON"))
        #expect(!status().contains("collapse"))
        #expect(status().contains("q/Ctrl-C quit"))
        s.press(.char("2"))
        #expect(!status().contains("collapse"))
        #expect(!status().contains("documented / observed"))
        #expect(status().contains("/ filter codes"))
        #expect(status().contains("?/F1 help"))
    }

    @Test
    func treeStatusLineShowsTheHelpHint() {
        let s = Fixtures.state()
        let status = s.screen.lines[39]
        #expect(status.contains("?/F1 help"))
        #expect(status.contains(": command"))
    }

    @Test func statusShowsThePromptsAndMessages() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("404")
        let n = rowsWithStatus(404).count
        var lines = s.screen.lines
        #expect(lines[39].hasPrefix("/404"))
        #expect(lines[39].contains("\(n) matches"))
        #expect(lines[0].contains("filter “404”: \(n) matches"))
        #expect(lines[1].contains("1 Catalog · \(n) matches"))
        #expect(s.screen.cursor?.y == 39)
        s.press(.escape, .char(":"))
        s.type("sys")
        lines = s.screen.lines
        #expect(lines[39] == ":sys")
        #expect(s.screen.cursor?.x == 4)
        s.type("tem nope")
        s.press(.enter)
        #expect(s.screen.lines[39].contains("no system `nope`"))
    }

    @Test func focusedPaneIsMarkedByTextNotOnlyColour() {
        var s = Fixtures.state()
        #expect(s.screen.lines[1].contains("▶ 1 Catalog"))
        #expect(!s.screen.lines[1].contains("▶ 2 Detail"))
        s.press(.char("2"))
        #expect(s.screen.lines[1].contains("▶ 2 Detail"))
        #expect(!s.screen.lines[1].contains("▶ 1 Catalog"))
        s.press(.char("4"))
        // The marker sits on the tab that shows (it once marked Mapping while Probe showed).
        #expect(s.screen.text.contains("3 Mapping │ ▶ 4 Probe"))
        #expect(!s.screen.text.contains("▶ 3 Mapping"))
        #expect(s.screen.text.contains("Nothing is sent until you ask"))
    }

    @Test func theTabOnShowIsMarkedWithoutColourFocusedOrNot() {
        var s = Fixtures.state()
        // The tree has the focus; the mapping tab shows below: hollow marker.
        #expect(s.screen.text.contains("▷ 3 Mapping · documented │ 4 Probe"))
        s.press(.char("3"))
        #expect(s.screen.text.contains("▶ 3 Mapping · documented │ 4 Probe"))
        s.press(.char("4"))
        #expect(s.screen.text.contains("3 Mapping │ ▶ 4 Probe"))
        s.press(.char("1"))
        #expect(s.screen.text.contains("▷ 3 Mapping"), "back on the tree, the mapping tab shows again")
        // Narrow: Detail shares the place, and is one of the tabs.
        var n = Fixtures.state(width: 80, height: 24)
        n.press(.char("2"))
        #expect(n.screen.text.contains("▶ 2 Detail │ 3 Mapping │ 4 Probe"))
        n.press(.char("4"))
        #expect(n.screen.text.contains("2 Detail │ 3 Mapping │ ▶ 4 Probe"))
    }

    @Test func observedVariantShowsInTheTitleAndMappingPane() {
        var s = Fixtures.state()
        s.command("code mcp_error-slug_exists")
        s.press(.char("3"), .char("o"))
        let text = s.screen.text
        #expect(s.screen.lines[0].hasSuffix("[observed]"))
        #expect(text.contains("3 Mapping · observed"))
        #expect(text.contains("\"api_error\""))
        #expect(text.contains("documented differs"))
    }

    @Test func renderingIsPure() {
        let s = aliasState(width: 120, height: 40)
        #expect(View.render(s) == View.render(s))
    }

    @Test func themeChangesStylesNotText() {
        var s = aliasState(width: 120, height: 40)
        let dark = s.screen
        s.command("theme mono")
        let mono = s.screen
        #expect(dark.lines == mono.lines)
        #expect(dark != mono)
    }
}

/// Wide (CJK) text: two cells each, and the frames stay put.
@Suite struct WideCharacterTests {
    static func yaml(meaning: String) -> String {
        """
        errscope: 1
        system:
          id: kanji
          name: "Kanji Service"
          summary: "一个测试系统。"
          sources:
            - id: src
              title: "Docs"
              ref: "docs/errors.txt"
          default_envelope: openai
          emits:
            - envelope: openai
              paths: ["/api/*"]
              carries_code: true
          retry_rules:
            - match: {http: 4xx}
              retry: "no"
              reason: "client error"
        domains:
          - {id: general, title: "一般エラー"}
        codes:
          - code: kanji_missing
            domain: general
            http: 404
            meaning: "\(meaning)"
            example: "見つかりません：指定されたレコードは存在しません"
          - code: kanji_conflict
            domain: general
            http: 409
            meaning: "资源冲突"
        """
    }

    static let meaning = "リソースが見つかりません。指定されたIDのレコードは存在しないか、別の組織に属しています。"

    /// A catalog of the bundled envelopes plus one system from YAML.
    static func catalog(meaning: String = meaning) -> Catalog {
        var loader = CatalogLoader()
        for (name, json) in BundledCatalogData.files {
            loader.loadJSON(Array(UnsafeBufferPointer(start: json.utf8Start, count: json.utf8CodeUnitCount)), file: name)
        }
        loader.loadYAML(yaml(meaning: meaning), file: "kanji.yaml")
        return loader.finish()
    }

    /// Every wide cell is followed by its continuation and every continuation follows a wide cell.
    func expectCellsConsistent(_ b: ScreenBuffer, sourceLocation: SourceLocation = #_sourceLocation) {
        for y in 0..<b.height {
            for x in 0..<b.width {
                let c = b[x, y]
                if c.width == 2 {
                    #expect(x + 1 < b.width && b[x + 1, y].width == 0, "wide cell at \(x),\(y) without its right half", sourceLocation: sourceLocation)
                }
                if c.width == 0 {
                    #expect(x > 0 && b[x - 1, y].width == 2, "orphan right half at \(x),\(y)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test func yamlWithCJKLoadsCleanly() {
        let c = Self.catalog()
        #expect(c.errors.isEmpty, "\(c.errors)")
        let row = c.rows(code: "kanji_missing").first
        #expect(row.map { c.entry($0).meaning } == Self.meaning)
    }

    @Test func yamlAloneLoadsTheCJKMeaning() {
        let c = Fixtures.load(yaml: Self.yaml(meaning: Self.meaning))
        #expect(c.codeCount == 2)
        #expect(c.entry(c.rows(code: "kanji_missing")[0]).meaning == Self.meaning)
        var s = AppState(data: BrowserData(catalog: c), width: 120, height: 40)
        s.command("code kanji_missing")
        let b = s.screen
        expectCellsConsistent(b)
        #expect(b.text.contains("リソースが見つかりません"))
        let d = s.layout.detail
        for y in d.y..<d.maxY { #expect(b[d.maxX - 1, y].text == (y == d.y ? "┐" : y == d.maxY - 1 ? "┘" : "│")) }
    }

    @Test(arguments: [0, 1])
    func detailFrameStaysAlignedOnCJKLines(shift: Int) throws {
        // `shift` ASCII letters before the CJK text move every wide character by one column.
        let meaning = String(repeating: "X", count: shift) + Self.meaning
        var s = AppState(data: BrowserData(catalog: Self.catalog(meaning: meaning)), width: 120, height: 40)
        s.command("code kanji_missing")
        #expect(s.selectedCode == "kanji_missing")
        let b = s.screen
        expectCellsConsistent(b)
        let d = s.layout.detail
        let cjkRows = (d.y..<d.maxY).filter { y in (d.x..<d.maxX).contains { b[$0, y].width == 2 } }
        #expect(cjkRows.count >= 2, "the meaning wraps over several lines")
        for y in cjkRows {
            // The border is in the last column, and the cells before it add up to exactly that many columns.
            #expect(b[d.maxX - 1, y].text == "│")
            #expect(b[d.x, y].text == "│")
            let columns = (0..<(d.maxX - 1)).reduce(0) { $0 + Int(b[$1, y].width) }
            #expect(columns == d.maxX - 1)
            #expect(DisplayWidth.of(b.lines[y]) == 120)
            #expect(b.lines[y].hasSuffix("│"))
        }
        // The text as shown is the meaning, wrapped without losing a character.
        let shown = cjkRows.map { y in
            (d.x + 11..<d.maxX - 2).map { b[$0, y].text }.joined().filter { $0 != " " }
        }.joined()
        #expect(shown.hasPrefix(String(meaning.prefix(10))))
        #expect(shown.contains("別の組織に属しています"))
    }

    @Test func mappingColumnsStayAlignedWithCJKJSON() throws {
        var s = AppState(data: BrowserData(catalog: Self.catalog()), width: 120, height: 40)
        s.command("code kanji_missing")
        let b = s.screen
        expectCellsConsistent(b)
        let m = s.layout.mapping
        let text = b.text
        #expect(text.contains("見つかりません"))
        // Every row of the mapping pane is exactly 120 columns and ends with the frame.
        for y in m.y..<m.maxY {
            #expect(DisplayWidth.of(b.lines[y]) == 120, "row \(y): \(b.lines[y])")
        }
        // Column separators (if more than one column) sit in the same column on every inner row.
        let separators = (m.x + 1..<m.maxX - 1).filter { x in b[x, m.y + 1].text == "│" }
        for x in separators {
            for y in (m.y + 1)..<(m.maxY - 1) { #expect(b[x, y].text == "│", "separator \(x) broken at row \(y)") }
        }
    }

    @Test func narrowScreenWithCJKStaysWithin60Columns() {
        var s = AppState(data: BrowserData(catalog: Self.catalog()), width: 60, height: 20)
        s.command("code kanji_missing")
        for keys in [[Key](), [.char("3")], [.char("2")]] {
            for k in keys { s.press(k) }
            let b = s.screen
            expectCellsConsistent(b)
            #expect(b.lines.allSatisfy { DisplayWidth.of($0) <= 60 })
        }
    }

    @Test(arguments: [0, 1])
    func helpOverlayOverCJKKeepsTheColumns(shift: Int) {
        let meaning = String(repeating: "X", count: shift) + Self.meaning
        var s = AppState(data: BrowserData(catalog: Self.catalog(meaning: meaning)), width: 120, height: 40)
        s.command("code kanji_missing")
        s.press(.char("?"))
        let b = s.screen
        expectCellsConsistent(b)
        for y in 1..<39 { #expect(DisplayWidth.of(b.lines[y]) == 120, "row \(y): \(b.lines[y])") }
    }

    @Test func putClipsAWideCharacterThatWouldStraddleTheEdge() {
        var b = ScreenBuffer(width: 6, height: 1)
        let end = b.put("ab漢字", x: 0, y: 0, style: .plain, clip: Rect(x: 0, y: 0, width: 5, height: 1))
        #expect(end == 5)
        #expect(b.lines[0] == "ab漢")
        #expect(b[2, 0].width == 2 && b[3, 0].width == 0)
        #expect(b[4, 0].text == " " && b[4, 0].width == 1)
        #expect(DisplayWidth.of("ab漢字") == 6)
        #expect(DisplayWidth.truncate("漢字漢字", to: 5) == "漢字…")
        #expect(DisplayWidth.wrap("漢字漢字漢", width: 4) == ["漢字", "漢字", "漢"])
    }

    @Test
    func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var b = ScreenBuffer(width: 6, height: 1)
        b.put("漢字", x: 0, y: 0, style: .plain)
        b.put("a", x: 1, y: 0, style: .plain)
        expectCellsConsistent(b)
        b.put("b", x: 2, y: 0, style: .plain)
        expectCellsConsistent(b)
        #expect(DisplayWidth.of(b.lines[0]) <= 6)
    }
}
