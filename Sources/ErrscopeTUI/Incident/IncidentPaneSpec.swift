import ErrscopeCore

extension Pane {
    public static let incident = Pane("incident")
}

extension Scope {
    public static var incident: Scope { .pane(.incident) }
}

extension Action {
    public static let incidentSort = Action("incident_sort"), incidentReverse = Action("incident_reverse")
}

extension IncidentPane {
    static let spec = PaneSpec(
        pane: .incident, title: "Incident", place: .lower, focusHelp: "incident pane (a log, live: --log FILE, :log FILE)",
        bindings: [
            Binding(action: .toggle, keys: [.enter], help: "open the row's code in the catalog", scope: .incident, hint: true),
            Binding(action: .incidentSort, keys: [.char("s")], help: "sort by the next column", scope: .incident, hint: true),
            Binding(action: .incidentReverse, keys: [.char("S")], help: "reverse the sort", scope: .incident, hint: false),
            Binding(action: .probeSend, keys: [.char("p")], help: "probe the row's endpoint (by its system)", scope: .incident, hint: true),
        ],
        draw: { b, s, r, _ in draw(&b, s, r) },
        update: { s, a in s.run(\.incident, a, IncidentUpdate.update) },
        // The wheel; clamped when drawn.
        scroll: { s, d in s.incident.cursor = max(0, s.incident.cursor + d) },
        tick: { s, now in IncidentUpdate.tick(&s, now); return [] },
        wakeup: { s, last in s.incident.wakeup(lastTick: last) },
        chromeRows: 5)
}
