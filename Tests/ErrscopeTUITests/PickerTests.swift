@testable import ErrscopeTUI
import ErrscopeCore
import Testing

/// Issue 12 §4: the fuzzy picker for `:code` and `:probe`.
@Suite struct PickerTests {
    @Test func codeWithoutAnExactIdOpensThePickerWithTheQuery() throws {
        var s = Fixtures.state()
        #expect(s.command("code alias nf").isEmpty)
        let p = try #require(s.picker)
        #expect(p.query == "alias nf")
        #expect(p.selected?.text == "bodhi/data_service_error-alias_not_found")
        let text = s.screen.text
        #expect(text.contains("Pick code ·"))
        #expect(text.contains("> alias nf"))
        #expect(text.contains("▶ bodhi/data_service_error-alias_not_found"))
        // Enter jumps there (and Ctrl-O comes back).
        s.press(.enter)
        #expect(s.picker == nil)
        #expect(s.selectedEntry?.code == "data_service_error-alias_not_found")
        s.press(.ctrl("o"))
        #expect(s.selectedRow == .system(0))
    }

    @Test func typingNarrowsAndMatchedCharactersAreMarked() throws {
        var s = Fixtures.state()
        s.command("code")
        let all = try #require(s.picker).matches.count
        #expect(all == PickerState.shown || all == Fixtures.catalog.codeCount)
        s.type("ovrld")
        let p = try #require(s.picker)
        #expect(p.matches.count < all)
        #expect(p.matches.allSatisfy { m in
            let t = Array(p.items[m.0].text.lowercased())
            return m.1.map { t[$0] } == Array("ovrld")
        })
        // The matched characters are underlined on screen (not colour alone).
        let b = s.screen
        let y = try #require(b.lines.firstIndex { $0.contains("▶ ") && $0.contains("overload") })
        #expect((0..<b.width).contains { b[$0, y].style.underline })
        s.press(.ctrl("u"))
        #expect(s.picker?.query == "")
        s.press(.escape)
        #expect(s.picker == nil)
        #expect(s.selectedRow == .system(0), "Esc changed nothing")
    }

    @Test func anExactCodeStillJumpsAtOnce() {
        var s = Fixtures.state()
        s.command("code mcp_error-mcp_not_found")
        #expect(s.picker == nil)
        #expect(s.selectedEntry?.code == "mcp_error-mcp_not_found")
    }

    @Test func theTighterMatchRanksFirst() {
        let items = ["a_l_i_a_s", "alias", "xaxlxixaxs"].map { PickerState.Item(text: $0, detail: "", row: -1) }
        let p = PickerState(title: "t", purpose: .code, items: items, query: "alias")
        #expect(p.matches.map { items[$0.0].text } == ["alias", "a_l_i_a_s", "xaxlxixaxs"])
    }

    @Test func probePicksAnEndpointOrSavedRequest() throws {
        var s = AppState(data: Fixtures.data, width: 120, height: 40, endpoints: ProbeFixtures.config)
        s.command("probe")
        #expect(s.picker?.title.hasPrefix("probe") == true)
        s.type("unknmod")
        #expect(s.picker?.selected?.text == "bodhi-demo/unknown-model")
        s.press(.enter)
        #expect(s.picker == nil)
        #expect(s.probe.draft.label == "bodhi-demo/unknown-model")
        #expect(s.probe.inFlight == nil, "loaded, not sent")
        // :probe! with a partial name picks, then sends.
        var t = AppState(data: Fixtures.data, width: 120, height: 40, endpoints: ProbeFixtures.config)
        t.command("probe! unknown")
        #expect(t.picker != nil)
        let effects = t.press(.enter)
        #expect(ProbeFixtures.probe(effects) != nil)
    }
}
