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
            return send(&s)
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
        clampRow(&s)
        return []
    }

    /// A key while the probe pane has the focus and is not editing a field; nil: not handled here.
    static func key(_ s: inout AppState, _ action: Action) -> [Effect]? {
        let rows = s.probe.rows
        let i = rows.firstIndex(of: s.probe.row) ?? 0
        switch action {
        case .moveDown: s.probe.row = rows[min(rows.count - 1, i + 1)]
        case .moveUp: s.probe.row = rows[max(0, i - 1)]
        case .top: s.probe.row = rows[0]
        case .bottom: s.probe.row = rows[rows.count - 1]
        case .pageDown: s.probe.responseScroll = min(s.probe.responseScroll + max(1, s.layout.mapping.height - 4), 100_000)
        case .pageUp: s.probe.responseScroll = max(0, s.probe.responseScroll - max(1, s.layout.mapping.height - 4))
        case .expand: cycle(&s, 1)
        case .collapse: cycle(&s, -1)
        case .toggle: return activate(&s)
        case .probeSend: return send(&s)
        case .probeWatch:
            if s.probe.watchInterval != nil {
                s.probe.watchInterval = nil
                s.probe.nextWatchAt = nil
                s.message = StatusMessage(text: "watch off", isError: false)
                return []
            }
            return startWatch(&s, ProbeState.defaultWatchInterval)
        case .probeCancel:
            if s.probe.diff != nil {
                s.probe.diff = nil
                return []
            }
            if let f = s.probe.inFlight {
                s.probe.inFlight = nil
                s.message = StatusMessage(text: "probe cancelled", isError: false)
                if s.probe.watchInterval != nil { s.probe.watchInterval = nil; s.probe.nextWatchAt = nil; s.message!.text += "; watch off" }
                return [.cancelProbe(f.id)]
            }
            if s.probe.watchInterval != nil {
                s.probe.watchInterval = nil
                s.probe.nextWatchAt = nil
                s.message = StatusMessage(text: "watch off", isError: false)
                return []
            }
            return nil
        case .editExternal:
            if case .header = s.probe.row { return [.edit(.headers, headersText(s.probe.draft))] }
            if s.probe.row == .addHeader { return [.edit(.headers, headersText(s.probe.draft))] }
            return [.edit(.body, s.probe.draft.body ?? "")]
        case .probeHistory: return [.loadHistory(diff: false)]
        case .probeDiff:
            guard s.probe.result?.outcome.response != nil else {
                s.message = StatusMessage(text: "send a probe first: D compares its answer with one from the history", isError: true)
                return [.bell]
            }
            return [.loadHistory(diff: true)]
        case .probeCopyCurl:
            // The form as curl: `${env:X}` stays `$X`, a literal credential is masked, so the
            // clipboard never holds a secret errscope resolved.
            let curl = CurlCommand.make(s.probe.draft)
            guard curl.utf8.count <= 64 * 1024 else {
                s.message = StatusMessage(text: "the curl command is \(curl.utf8.count) bytes; the clipboard cap is 65536", isError: true)
                return [.bell]
            }
            s.message = StatusMessage(text: "copied the request as curl (\(curl.utf8.count) bytes, OSC 52)", isError: false)
            return [.copy(curl)]
        case .deleteHeader:
            if case .header(let h) = s.probe.row, s.probe.draft.headers.indices.contains(h) {
                s.probe.draft.headers.remove(at: h)
                clampRow(&s)
            }
        default: return nil
        }
        return []
    }

    static func headersText(_ d: ProbeSpec) -> String {
        "# One `Name: value` per line. ${env:NAME} and ${cmd:...} are resolved when sent.\n"
            + d.headers.map { "\($0.name): \($0.value)\n" }.joined()
    }

    static func cycle(_ s: inout AppState, _ step: Int) {
        let p = s.probe
        switch p.row {
        case .endpoint:
            let n = p.config.endpoints.count
            guard n > 0 else { s.message = StatusMessage(text: "no endpoints configured: type a URL, or see docs/ENDPOINTS.md", isError: false); return }
            // Positions: 0..<n endpoints, n = ad-hoc URL.
            let cur = p.endpointIndex ?? n
            let next = ((cur + step) % (n + 1) + n + 1) % (n + 1)
            if next == n {
                s.probe.select(endpoint: nil, request: nil)
            } else {
                s.probe.select(endpoint: next, request: p.config.endpoints[next].requests.isEmpty ? nil : 0)
            }
            s.probe.result = nil
        case .request:
            guard let e = p.endpoint else { return }
            let n = e.requests.count
            let cur = p.requestIndex ?? n
            let next = ((cur + step) % (n + 1) + n + 1) % (n + 1)
            s.probe.select(endpoint: p.endpointIndex, request: next == n ? nil : next)
        case .method:
            let m = ProbeState.methods
            let cur = m.firstIndex(of: p.draft.method) ?? 0
            s.probe.draft.method = m[((cur + step) % m.count + m.count) % m.count]
        default:
            break
        }
    }

    static func activate(_ s: inout AppState) -> [Effect] {
        let d = s.probe.draft
        switch s.probe.row {
        case .endpoint, .request: cycle(&s, 1)
        case .method: s.fieldEditor = LineEditor(d.method)
        case .url: s.fieldEditor = LineEditor(d.url)
        case .header(let h):
            guard d.headers.indices.contains(h) else { return [] }
            s.fieldEditor = LineEditor("\(d.headers[h].name): \(d.headers[h].value)")
        case .addHeader:
            s.probe.draft.headers.append(("", ""))
            s.probe.row = .header(s.probe.draft.headers.count - 1)
            s.fieldEditor = LineEditor("")
        case .body:
            // A multi-line body goes to $EDITOR; one line is edited here.
            if let b = d.body, b.contains("\n") { return [.edit(.body, b)] }
            s.fieldEditor = LineEditor(d.body ?? "")
        case .send: return send(&s)
        case .verdict:
            guard let row = s.probe.verdictEntryRow else { return [] }
            s.pushJump()
            s.reveal(row: row)
            s.focus = .mapping
            s.message = StatusMessage(text: "the decoded code in the catalog; Ctrl-O or 4 returns to the probe", isError: false)
        }
        return []
    }

    static func send(_ s: inout AppState) -> [Effect] {
        guard s.probe.available else {
            s.message = StatusMessage(text: "probing is not available in this session", isError: true)
            return [.bell]
        }
        if s.probe.inFlight != nil {
            s.message = StatusMessage(text: "a probe is already running (Esc cancels it)", isError: true)
            return [.bell]
        }
        let d = s.probe.draft
        guard d.url.contains("://") || SecretResolver.hasTemplate(d.url) else {
            s.message = StatusMessage(text: "the URL needs http:// or https://", isError: true)
            return [.bell]
        }
        let id = s.probe.nextID
        s.probe.nextID += 1
        s.probe.inFlight = (id, nil)
        s.probe.sentDraft = d
        s.probe.diff = nil
        return [.probe(d, id: id)]
    }

    static func startWatch(_ s: inout AppState, _ interval: Double) -> [Effect] {
        let every = max(0.1, interval)
        if s.probe.inFlight == nil {
            // Watch starts only if its first probe can go: a refused send leaves it off.
            let effects = send(&s)
            guard s.probe.inFlight != nil else { return effects }
            s.probe.watchInterval = every
            s.message = StatusMessage(text: "watch: a probe every \(ProbeFailure.seconds(every)); w or Esc stops", isError: false)
            return effects
        }
        s.probe.watchInterval = every
        s.message = StatusMessage(text: "watch: a probe every \(ProbeFailure.seconds(every)); w or Esc stops", isError: false)
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
                clampRow(&s)
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
                clampRow(&s)
                return []
            }
            guard let parsed = RequestBuilder.parseHeader(t) else {
                if s.probe.draft.headers[h].name.isEmpty { s.probe.draft.headers.remove(at: h); clampRow(&s) }
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

    static func clampRow(_ s: inout AppState) {
        let rows = s.probe.rows
        if rows.contains(s.probe.row) { return }
        if case .header(let h) = s.probe.row, !s.probe.draft.headers.isEmpty {
            s.probe.row = .header(min(h, s.probe.draft.headers.count - 1))
        } else {
            s.probe.row = .addHeader
        }
    }
}
