import ErrscopeCore
import ErrscopeProbe
import Foundation

/// The probe pane's part of `update`: keys while it has the focus, ticks, results, the editor.
enum ProbeUpdate {
    static func tick(_ s: inout AppState, _ now: UInt64) -> [Effect] {
        s.probe.now = now
        if let f = s.probe.inFlight, f.startedAt == nil { s.probe.inFlight = (f.id, now) }
        // Watch: the next probe is due.
        if let next = s.probe.nextWatchAt, s.probe.watchInterval != nil, s.probe.inFlight == nil, now >= next {
            s.probe.nextWatchAt = nil
            return s.inPane(\.probe) { send(&$0, &$1) } ?? []
        }
        return []
    }

    static func finished(_ s: inout AppState, _ r: ProbeResult) -> [Effect] {
        guard let f = s.probe.inFlight, f.id == r.id else { return [] }  // a cancelled probe's late answer
        let o = r.outcome
        let sentAt = f.startedAt
        s.probe.inFlight = nil
        s.probe.result = r
        s.probe.responseScroll = 0
        if o.lastByteAt > s.probe.now { s.probe.now = o.lastByteAt }
        s.probe.timeline.append(TimelineEntry(at: o.startedAt, status: o.response?.status, failure: o.failure?.kind,
                                              code: o.verdict.flatMap { $0.code ?? $0.type ?? $0.status }, totalMs: o.timings.totalMs))
        if s.probe.timeline.count > ProbeState.timelineCap { s.probe.timeline.removeFirst(s.probe.timeline.count - ProbeState.timelineCap) }
        if let w = s.probe.watchInterval {
            // A fixed rate: every N seconds from one send to the next (a slow answer shortens the
            // pause, it does not stretch the period); an answer slower than N sends at once.
            s.probe.nextWatchAt = (sentAt ?? max(o.lastByteAt, s.probe.now)) + UInt64(w * 1e9)
        } else if s.probe.verdictEntryRow != nil, s.fieldEditor == nil {
            // Enter now opens the matched catalog entry.
            s.probe.row = .verdict
        }
        // The catalog row goes when the new result matched nothing.
        if s.probe.row == .verdict, s.probe.verdictEntryRow == nil { s.probe.row = .send }
        if case .cancelled? = o.failure { s.message = StatusMessage(text: "probe cancelled", isError: false) }
        return []
    }

    static func editorFinished(_ s: inout AppState, _ target: EditTarget, _ text: String?) -> [Effect] {
        guard let text else {
            s.message = StatusMessage(text: "editor closed without changes (set $EDITOR or $VISUAL)", isError: false)
            return []
        }
        switch target {
        case .body:
            let t = text.hasSuffix("\n") ? String(text.dropLast()) : text
            s.probe.draft.body = t.isEmpty ? nil : t
        case .headers:
            var hs: [(name: String, value: String)] = []
            var bad: [String] = []
            for line in text.split(separator: "\n") where !TerminalText.trimSpaces(String(line)).isEmpty && !line.hasPrefix("#") {
                if let h = RequestBuilder.parseHeader(String(line)) { hs.append(h) } else { bad.append(String(line.prefix(40))) }
            }
            s.probe.draft.headers = hs
            if !bad.isEmpty { s.message = StatusMessage(text: "skipped \(bad.count) line(s) that are not `Name: value`: \(bad[0])", isError: true) }
        }
        clampRow(&s.probe)
        return []
    }

    /// A key while the probe pane has the focus and is not editing a field; nil: not handled here.
    static func update(_ p: inout ProbeState, _ action: Action, _ ctx: inout PaneContext) -> [Effect]? {
        let rows = p.rows
        let i = rows.firstIndex(of: p.row) ?? 0
        switch action {
        case .moveDown: p.row = rows[min(rows.count - 1, i + 1)]
        case .moveUp: p.row = rows[max(0, i - 1)]
        case .top: p.row = rows[0]
        case .bottom: p.row = rows[rows.count - 1]
        case .pageDown: p.responseScroll = min(p.responseScroll + max(1, ctx.placeHeight - 4), 100_000)
        case .pageUp: p.responseScroll = max(0, p.responseScroll - max(1, ctx.placeHeight - 4))
        case .expand: cycle(&p, 1, &ctx)
        case .collapse: cycle(&p, -1, &ctx)
        case .toggle: return activate(&p, &ctx)
        case .probeSend: return send(&p, &ctx)
        case .probeWatch:
            if p.watchInterval != nil {
                p.watchInterval = nil
                p.nextWatchAt = nil
                ctx.message = StatusMessage(text: "watch off", isError: false)
                return []
            }
            return startWatch(&p, ProbeState.defaultWatchInterval, &ctx)
        case .probeCancel:
            if p.diff != nil {
                p.diff = nil
                return []
            }
            if let f = p.inFlight {
                p.inFlight = nil
                ctx.message = StatusMessage(text: "probe cancelled", isError: false)
                if p.watchInterval != nil { p.watchInterval = nil; p.nextWatchAt = nil; ctx.message!.text += "; watch off" }
                return [.cancelProbe(f.id)]
            }
            if p.watchInterval != nil {
                p.watchInterval = nil
                p.nextWatchAt = nil
                ctx.message = StatusMessage(text: "watch off", isError: false)
                return []
            }
            return nil
        case .editExternal:
            if case .header = p.row { return [.edit(.headers, headersText(p.draft))] }
            if p.row == .addHeader { return [.edit(.headers, headersText(p.draft))] }
            return [.edit(.body, p.draft.body ?? "")]
        case .probeHistory: return [.loadHistory(diff: false)]
        case .probeDiff:
            guard p.result?.outcome.response != nil else {
                ctx.message = StatusMessage(text: "send a probe first: D compares its answer with one from the history", isError: true)
                return [.bell]
            }
            return [.loadHistory(diff: true)]
        case .probeCopyCurl:
            // The form as curl: `${env:X}` stays `$X`, a literal credential is masked, so the
            // clipboard never holds a secret errscope resolved.
            let curl = CurlCommand.make(p.draft)
            guard curl.utf8.count <= 64 * 1024 else {
                ctx.message = StatusMessage(text: "the curl command is \(curl.utf8.count) bytes; the clipboard cap is 65536", isError: true)
                return [.bell]
            }
            ctx.message = StatusMessage(text: "copied the request as curl (\(curl.utf8.count) bytes, OSC 52)", isError: false)
            return [.copy(curl)]
        case .deleteHeader:
            if case .header(let h) = p.row, p.draft.headers.indices.contains(h) {
                p.draft.headers.remove(at: h)
                clampRow(&p)
            }
        default: return nil
        }
        return []
    }

    static func headersText(_ d: ProbeSpec) -> String {
        "# One `Name: value` per line. ${env:NAME} and ${cmd:...} are resolved when sent.\n"
            + d.headers.map { "\($0.name): \($0.value)\n" }.joined()
    }

    static func cycle(_ p: inout ProbeState, _ step: Int, _ ctx: inout PaneContext) {
        let q = p
        switch q.row {
        case .endpoint:
            let n = q.config.endpoints.count
            guard n > 0 else { ctx.message = StatusMessage(text: "no endpoints configured: type a URL, or see docs/ENDPOINTS.md", isError: false); return }
            // Positions: 0..<n endpoints, n = ad-hoc URL.
            let cur = q.endpointIndex ?? n
            let next = ((cur + step) % (n + 1) + n + 1) % (n + 1)
            if next == n {
                p.select(endpoint: nil, request: nil)
            } else {
                p.select(endpoint: next, request: q.config.endpoints[next].requests.isEmpty ? nil : 0)
            }
            p.result = nil
        case .request:
            guard let e = q.endpoint else { return }
            let n = e.requests.count
            let cur = q.requestIndex ?? n
            let next = ((cur + step) % (n + 1) + n + 1) % (n + 1)
            p.select(endpoint: q.endpointIndex, request: next == n ? nil : next)
        case .method:
            let m = ProbeState.methods
            let cur = m.firstIndex(of: q.draft.method) ?? 0
            p.draft.method = m[((cur + step) % m.count + m.count) % m.count]
        default:
            break
        }
    }

    static func activate(_ p: inout ProbeState, _ ctx: inout PaneContext) -> [Effect] {
        let d = p.draft
        switch p.row {
        case .endpoint, .request: cycle(&p, 1, &ctx)
        case .method: ctx.mode = .fieldEdit(LineEditor(d.method))
        case .url: ctx.mode = .fieldEdit(LineEditor(d.url))
        case .header(let h):
            guard d.headers.indices.contains(h) else { return [] }
            ctx.mode = .fieldEdit(LineEditor("\(d.headers[h].name): \(d.headers[h].value)"))
        case .addHeader:
            p.draft.headers.append(("", ""))
            p.row = .header(p.draft.headers.count - 1)
            ctx.mode = .fieldEdit(LineEditor(""))
        case .body:
            // A multi-line body goes to $EDITOR; one line is edited here.
            if let b = d.body, b.contains("\n") { return [.edit(.body, b)] }
            ctx.mode = .fieldEdit(LineEditor(d.body ?? ""))
        case .send: return send(&p, &ctx)
        case .verdict:
            guard let row = p.verdictEntryRow else { return [] }
            ctx.jump = (row, .mapping)
            ctx.message = StatusMessage(text: "the decoded code in the catalog; Ctrl-O or 4 returns to the probe", isError: false)
        }
        return []
    }

    static func send(_ p: inout ProbeState, _ ctx: inout PaneContext) -> [Effect] {
        guard p.available else {
            ctx.message = StatusMessage(text: "probing is not available in this session", isError: true)
            return [.bell]
        }
        if p.inFlight != nil {
            ctx.message = StatusMessage(text: "a probe is already running (Esc cancels it)", isError: true)
            return [.bell]
        }
        let d = p.draft
        guard d.url.contains("://") || SecretResolver.hasTemplate(d.url) else {
            ctx.message = StatusMessage(text: "the URL needs http:// or https://", isError: true)
            return [.bell]
        }
        let id = p.nextID
        p.nextID += 1
        p.inFlight = (id, nil)
        p.sentDraft = d
        p.diff = nil
        return [.probe(d, id: id)]
    }

    static func startWatch(_ p: inout ProbeState, _ interval: Double, _ ctx: inout PaneContext) -> [Effect] {
        let every = max(0.1, interval)
        if p.inFlight == nil {
            // Watch starts only if its first probe can go: a refused send leaves it off.
            let effects = send(&p, &ctx)
            guard p.inFlight != nil else { return effects }
            p.watchInterval = every
            ctx.message = StatusMessage(text: "watch: a probe every \(ProbeFailure.seconds(every)); w or Esc stops", isError: false)
            return effects
        }
        p.watchInterval = every
        ctx.message = StatusMessage(text: "watch: a probe every \(ProbeFailure.seconds(every)); w or Esc stops", isError: false)
        return []
    }

    /// Keys while a field is being edited in the pane.
    static func editKey(_ s: inout AppState, _ key: Key) -> [Effect] {
        guard var e = s.fieldEditor else { return [] }
        if case .char = key, e.text.count >= LineEditor.maxLength { return [.bell] }
        switch e.handle(key, keymap: s.keymap) {
        case .cancel:
            s.fieldEditor = nil
            if case .header(let h) = s.probe.row, s.probe.draft.headers.indices.contains(h), s.probe.draft.headers[h].name.isEmpty {
                s.probe.draft.headers.remove(at: h)
                clampRow(&s.probe)
            }
            return []
        case .submit:
            s.fieldEditor = nil
            return commit(&s, e.text)
        case .unhandled: return []
        case .edited, .moved: s.fieldEditor = e
        }
        return []
    }

    static func commit(_ s: inout AppState, _ text: String) -> [Effect] {
        func fail(_ m: String) -> [Effect] {
            s.message = StatusMessage(text: m, isError: true)
            return [.bell]
        }
        let t = TerminalText.trimSpaces(text)
        switch s.probe.row {
        case .method:
            let m = t.uppercased()
            guard RequestBuilder.isValidMethod(m) else { return fail("`\(t)` is not an HTTP method") }
            s.probe.draft.method = m
        case .url:
            guard t.hasPrefix("http://") || t.hasPrefix("https://") || SecretResolver.hasTemplate(t) else {
                return fail("the URL must start with http:// or https://")
            }
            s.probe.draft.url = t
            // A URL outside the endpoint is ad hoc: its own path picks the envelope, and the
            // endpoint's credentials are not sent there.
            if let base = s.probe.draft.baseURL, !ProbeState.sameOrigin(t, base) || !t.hasPrefix(base) {
                let system = s.probe.draft.system
                let dropped = s.probe.leaveEndpoint()
                s.probe.draft.system = system
                if !dropped.isEmpty {
                    s.message = StatusMessage(text: "the URL left the endpoint: dropped \(dropped.joined(separator: ", ")) (add it again to send it there)", isError: false)
                }
            }
        case .header(let h):
            guard s.probe.draft.headers.indices.contains(h) else { return [] }
            if t.isEmpty {
                s.probe.draft.headers.remove(at: h)
                clampRow(&s.probe)
                return []
            }
            guard let parsed = RequestBuilder.parseHeader(t) else {
                if s.probe.draft.headers[h].name.isEmpty { s.probe.draft.headers.remove(at: h); clampRow(&s.probe) }
                return fail("a header is `Name: value` with a token name")
            }
            s.probe.draft.headers[h] = parsed
        case .body:
            s.probe.draft.body = text.isEmpty ? nil : text
            if s.probe.draft.body != nil, s.probe.draft.method == "GET" { s.probe.draft.method = "POST" }
        default: break
        }
        return []
    }

    static func clampRow(_ p: inout ProbeState) {
        let rows = p.rows
        if rows.contains(p.row) { return }
        if case .header(let h) = p.row, !p.draft.headers.isEmpty {
            p.row = .header(min(h, p.draft.headers.count - 1))
        } else {
            p.row = .addHeader
        }
    }
}
