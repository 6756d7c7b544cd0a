@testable import ErrscopeTUI
import Testing

/// Everything about a pane comes from its entry in `Panes.all`: these hold for every pane in the
/// list, so a pane added there is checked too.
@Suite("Panes from one list")
struct PaneListTests {
    @Test(arguments: [(120, 40), (80, 24)])
    func eachPaneHasItsFocusKeyTabHelpClickAndZoom(width: Int, height: Int) {
        for (i, spec) in Panes.all.enumerated() {
            var s = Fixtures.state(width: width, height: height)
            s.mouse = true
            // Its focus key is its place in the list.
            s.press(.char(Character(String(i + 1))))
            #expect(s.focus == spec.pane, "key \(i + 1)")
            // Its frame or tab shows its label, marked as focused.
            let screen = View.render(s).text
            #expect(screen.contains("▶ \(Panes.label(spec.pane))"), "\(spec.pane) at \(width)x\(height):\n\(screen)")
            // The status line hints its own keys first.
            if let own = spec.bindings.first(where: { $0.hint && !$0.keys.isEmpty }) {
                #expect(View.render(s).line(height - 1).contains(own.keys[0].label), "\(spec.pane)'s hint")
            }
            // Help has a section for it when it has keys, and its focus key's line.
            let help = HelpOverlay.lines(s)
            if !spec.bindings.isEmpty { #expect(help.contains { $0.0 == Scope.pane(spec.pane).title }) }
            #expect(help.contains { $0.0 == String(i + 1) && $0.1 == spec.focusHelp })
            // A click where it is drawn lands in it (from tree focus, the place shows the same pane
            // for side and lower panes only when it is focused, so click while it is).
            let shown = Panes.shown(s, s.layout)
            let rect = shown.first { $0.0 == spec.pane }!.1
            s.send(.mouse(MouseEvent(kind: .press, x: rect.x + rect.width / 2, y: rect.y + rect.height / 2)))
            #expect(s.focus == spec.pane)
            // Zoomed, it has the whole body.
            s.press(.char("z"))
            #expect(Panes.shown(s, s.layout).map(\.0) == [spec.pane])
            #expect(s.layout.rect(spec.place) == s.layout.body)
        }
    }

    /// However narrow, the status line keeps the way to help, in every pane.
    @Test(arguments: [40, 62, 80, 120])
    func theHelpHintAlwaysShows(width: Int) {
        for (i, _) in Panes.all.enumerated() {
            var s = Fixtures.state(width: width, height: 24)
            s.press(.char(Character(String(i + 1))))
            s.message = nil
            let status = View.render(s).line(23)
            #expect(status.contains("?/F1 help"), "\(width) cols, pane \(i + 1): \(status)")
        }
    }

    @Test func tabCyclesThroughTheListInOrder() {
        var s = Fixtures.state()
        var seen: [Pane] = [s.focus]
        for _ in Panes.all.indices { s.press(.tab); seen.append(s.focus) }
        #expect(seen == Pane.allCases + [Pane.allCases[0]])
        s.press(.backTab)
        #expect(s.focus == Pane.allCases.last)
    }

    @Test func theLowerTabStripListsTheLowerPanesAndDetailWhenNarrow() {
        let wide = Fixtures.state(width: 120, height: 40)
        let narrow = Fixtures.state(width: 80, height: 24)
        let lower = Panes.all.filter { $0.place == .lower }.map(\.pane)
        #expect(Panes.lowerTabs(wide) == lower)
        #expect(Panes.lowerTabs(narrow) == [.detail] + lower)
    }

    @Test func everyPanesActionsAreRemappableByName() {
        var km = KeyMap.default
        for spec in Panes.all {
            for b in spec.bindings {
                #expect(km.bindings.contains { $0.action == b.action && $0.scope == b.scope })
            }
        }
        #expect(km.remap([(action: "incident_sort", keys: ["o"])]).isEmpty)
        #expect(km.action(for: .char("o"), in: .incident) == .incidentSort)
        #expect(km.remap([(action: "no_such_action", keys: ["x"])]).first?.contains("unknown action") == true)
    }
}
