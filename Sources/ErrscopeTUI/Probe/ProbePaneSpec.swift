import ErrscopeCore

extension Pane {
    public static let probe = Pane("probe")
}

extension Scope {
    public static var probe: Scope { .pane(.probe) }
}

extension Action {
    public static let probeSend = Action("probe_send"), probeWatch = Action("probe_watch"), probeCancel = Action("probe_cancel")
    public static let editExternal = Action("edit_in_editor"), deleteHeader = Action("delete_header")
    public static let probeCopyCurl = Action("probe_copy_curl"), probeHistory = Action("probe_history"), probeDiff = Action("probe_diff")
}

extension ProbePane {
    static let spec = PaneSpec(
        pane: .probe, title: "Probe", place: .lower, focusHelp: "probe pane",
        bindings: [
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
        ],
        draw: { b, s, r, tabs in draw(&b, s, r, tabs: tabs) },
        update: { s, a in s.run(\.probe, a, ProbeUpdate.update) },
        scroll: { s, d in s.probe.responseScroll = max(0, s.probe.responseScroll + d) },
        tick: { s, now in ProbeUpdate.tick(&s, now) },
        wakeup: { s, last in s.probe.wakeup(lastTick: last) },
        chromeRows: 5)
}
