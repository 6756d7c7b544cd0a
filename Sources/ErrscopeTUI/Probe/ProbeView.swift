import ErrscopeCore
import ErrscopeProbe
import Foundation

/// The probe pane: the request form on the left, the response and its verdict on the right
/// (stacked when narrow). Everything that came from the network is sanitized before it is drawn.
enum ProbePane {
    typealias Line = [(String, Style)]

    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect, tabs: Bool) {
        let p = s.probe
        var title = Panes.label(.probe)
        if let w = p.watchInterval { title += " · watching every \(ProbeFailure.seconds(w)) · \(p.timeline.count) probes" }
        var tabs = View.lowerTabs(s)
        let me = tabs.firstIndex(of: Panes.label(.probe)) ?? 0
        tabs[me] = title
        View.tabbedFrame(&b, s, r, tabs: tabs, active: me, focused: s.focus == .probe)
        let inner = Rect(x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2)
        guard inner.width > 10, inner.height > 2 else { return }
        let side = inner.width >= 80
        let formW = side ? min(60, max(36, inner.width * 2 / 5)) : inner.width
        let formRows = p.rows.count + (p.timeline.isEmpty ? 0 : 1 + min(8, p.timeline.count))
        let formH = side ? inner.height : min(inner.height / 2, formRows)
        let form = Rect(x: inner.x, y: inner.y, width: formW, height: formH)
        let resp = side ? Rect(x: inner.x + formW + 1, y: inner.y, width: inner.width - formW - 1, height: inner.height)
            : Rect(x: inner.x, y: inner.y + formH, width: inner.width, height: inner.height - formH)
        if side {
            for y in inner.y..<inner.maxY { b.put("│", x: inner.x + formW, y: y, style: s.theme.border) }
        }
        drawForm(&b, s, form)
        drawResponse(&b, s, resp)
    }

    // MARK: Request form

    static func drawForm(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect) {
        let p = s.probe, t = s.theme
        let focused = s.focus == .probe
        let labelW = 9
        var y = r.y
        let rows = p.rows
        // Keep the selected row visible.
        let sel = rows.firstIndex(of: p.row) ?? 0
        let first = max(0, min(sel - r.height + 2, rows.count - r.height))
        for row in rows.dropFirst(max(0, first)) {
            guard y < r.maxY else { break }
            let selected = focused && row == p.row
            let st = selected ? t.selected : t.normal
            if selected { b.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: st) }
            let (label, value, valueStyle) = describe(row, s)
            var x = b.put(" " + label.rightPad(labelW), x: r.x, y: y, style: selected ? st : t.dim, clip: r)
            if selected, let e = s.fieldEditor {
                x = drawEditor(&b, s, e, row: row, x: x, y: y, width: r.maxX - x - 1)
            } else {
                b.put(DisplayWidth.truncate(value, to: max(1, r.maxX - x - 1)), x: x, y: y, style: selected ? st : valueStyle, clip: r)
            }
            y += 1
        }
        // The watch timeline under the form.
        if !p.timeline.isEmpty, y + 1 < r.maxY {
            y += 1
            b.put(" timeline", x: r.x, y: y, style: t.title, clip: r)
            y += 1
            for e in p.timeline.suffix(r.maxY - y).reversed() where y < r.maxY {
                let status = e.status.map(String.init) ?? (e.failure ?? "-")
                let code = e.code.map { TerminalText.singleLine($0, limit: 60) } ?? ""
                var x = b.put(" " + clock(e.at) + " ", x: r.x, y: y, style: t.dim, clip: r)
                x = b.put(status.rightPad(4), x: x, y: y, style: statusStyle(s, e.status), clip: r)
                x = b.put(" " + String(format: "%5.0f ms ", e.totalMs), x: x, y: y, style: t.dim, clip: r)
                b.put(DisplayWidth.truncate(code, to: max(1, r.maxX - x - 1)), x: x, y: y, style: t.normal, clip: r)
                y += 1
            }
        }
    }

    /// Local HH:mm:ss (a DateFormatter per frame cost more than the rest of the form).
    static func clock(_ d: Date) -> String {
        var t = time_t(d.timeIntervalSince1970)
        var tm = tm()
        localtime_r(&t, &tm)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))"
    }

    static func describe(_ row: ProbeRow, _ s: AppState) -> (String, String, Style) {
        let p = s.probe, t = s.theme, d = p.draft
        switch row {
        case .endpoint:
            if p.config.endpoints.isEmpty { return ("endpoint", "(none configured: type a URL; see docs/ENDPOINTS.md)", t.dim) }
            let name = p.endpoint.map { "\($0.name)" + ($0.system.map { " · \($0)" } ?? "") } ?? "ad-hoc URL"
            return ("endpoint", "‹ \(name) › \((p.endpointIndex ?? p.config.endpoints.count) + 1)/\(p.config.endpoints.count + 1)", t.title)
        case .request:
            guard let e = p.endpoint else { return ("request", "-", t.dim) }
            if e.requests.isEmpty { return ("request", "(no saved requests)", t.dim) }
            let name = p.requestIndex.map { e.requests[$0].name } ?? "(endpoint URL)"
            return ("request", "‹ \(name) › \((p.requestIndex ?? e.requests.count) + 1)/\(e.requests.count + 1)", t.normal)
        case .method: return ("method", d.method, t.jsonKey)
        case .url: return ("URL", TerminalText.singleLine(d.url, limit: 2000), t.normal)
        case .header(let i):
            guard d.headers.indices.contains(i) else { return ("header", "", t.normal) }
            let h = d.headers[i]
            return ("header", TerminalText.singleLine("\(h.name): \(ProbeState.displayHeaderValue(h.name, h.value))", limit: 2000), t.normal)
        case .addHeader: return ("", "+ add header", t.dim)
        case .body:
            guard let body = d.body else { return ("body", "(none) · Enter types one, e opens $EDITOR", t.dim) }
            let oneLine = TerminalText.singleLine(body, limit: 2000)
            return ("body", body.contains("\n") ? "\(body.split(separator: "\n").count) lines · e opens $EDITOR · \(oneLine)" : oneLine, t.jsonString)
        case .send:
            if let elapsed = p.elapsedInFlight { return ("", "[ sending… \(String(format: "%.1f", elapsed)) s · Esc cancels ]", t.jsonNumber) }
            return ("", "[ Send: s or Enter ]" + (p.watchInterval == nil ? "   w: watch" : "   w: stop watching"), t.title)
        case .verdict:
            guard let row = p.verdictEntryRow else { return ("", "", t.normal) }
            let e = s.data.catalog.entry(row)
            if let v = p.result?.outcome.verdict, v.code != nil, let best = v.bestMatch, best.basis > .messageRule {
                return ("catalog", "→ nearest (not the code): \(TerminalText.singleLine(e.code, limit: 200))  (Enter opens)", t.badgeWarn)
            }
            if let inf = p.result?.outcome.verdict?.inference, inf.candidates.count > 1 {
                // A guess opens like a fact only if it says it is one.
                return ("catalog", "→ likeliest of \(inf.candidates.count): \(TerminalText.singleLine(e.code, limit: 200))  (Enter opens)", t.badgeWarn)
            }
            return ("catalog", "→ \(e.system) / \(e.domain) / \(TerminalText.singleLine(e.code, limit: 200))  (Enter opens)", t.badgeGood)
        }
    }

    /// An editing field with its cursor; a credential header's value is shown masked.
    static func drawEditor(_ b: inout ScreenBuffer, _ s: AppState, _ e: LineEditor, row: ProbeRow, x: Int, y: Int, width: Int) -> Int {
        var shown = e.text
        if case .header = row, let colon = e.text.firstIndex(of: ":") {
            let name = String(e.text[..<colon])
            let value = e.text[e.text.index(after: colon)...]
            if Redactor.isSensitiveHeader(name) && !SecretResolver.hasTemplate(String(value)) {
                shown = name + ":" + String(value.map { $0 == " " ? " " : "•" })
            }
        }
        shown = TerminalText.singleLine(shown, limit: 10_000)
        let chars = Array(shown)
        let w = max(1, width)
        let cursor = min(e.cursor, chars.count)
        let start = max(0, cursor - w + 1)
        let visible = String(chars[start..<min(chars.count, start + w)])
        let st = Style(fg: s.theme.selected.fg, bg: s.theme.selected.bg, underline: true)
        let end = b.put(visible, x: x, y: y, style: st)
        b.cursor = (min(x + DisplayWidth.of(String(chars[start..<cursor])), x + w - 1), y)
        return end
    }

    static func statusStyle(_ s: AppState, _ status: Int?) -> Style {
        guard let st = status else { return s.theme.error }
        switch st {
        case 200..<300: return s.theme.badgeGood
        case 400..<500 where st != 429: return s.theme.jsonNumber
        case 429: return s.theme.badgeWarn
        default: return s.theme.error
        }
    }

    // MARK: Response

    static func drawResponse(_ b: inout ScreenBuffer, _ s: AppState, _ r: Rect) {
        guard !r.isEmpty else { return }
        let t = s.theme, p = s.probe
        let lines: [Line]
        if let elapsed = p.elapsedInFlight {
            lines = [[("\(p.draft.method) \(Redactor().url(TerminalText.singleLine(p.draft.url, limit: 300)))", t.normal)],
                     [("waiting… \(String(format: "%.1f", elapsed)) s", t.jsonNumber), ("  (Esc cancels)", t.dim)]] + (p.result.map { _ in [[("previous result below is stale", t.dim)] as Line] } ?? [])
        } else if let res = p.result, let d = p.diff {
            lines = DiffView.lines(s, d, res, width: r.width - 1)
        } else if let res = p.result {
            lines = responseLines(s, res, width: r.width - 1)
        } else {
            lines = intro(s, width: r.width - 1)
        }
        let start = min(p.responseScroll, max(0, lines.count - r.height))
        for (i, line) in lines.dropFirst(start).prefix(r.height).enumerated() {
            var x = r.x + 1
            for (text, style) in line { x = b.put(text, x: x, y: r.y + i, style: style, clip: r) }
        }
        if lines.count > r.height {
            let more = "\(start + 1)-\(min(lines.count, start + r.height))/\(lines.count) PgUp/PgDn"
            b.put(more, x: r.maxX - DisplayWidth.of(more), y: r.maxY, style: t.dim)
        }
    }

    static func intro(_ s: AppState, width: Int) -> [Line] {
        let t = s.theme
        var text = "Pick an endpoint and a saved request (←/→), or type a URL; Enter edits a field, s sends. "
        text += "Nothing is sent until you ask. The answer is decoded with the catalog: envelope, code, meaning, retry advice; "
        text += "Enter on the catalog row opens the code in the tree."
        var out: [Line] = DisplayWidth.wrap(text, width: max(10, width)).map { [($0, t.dim)] }
        if !s.probe.config.problems.isEmpty || !s.probe.config.warnings.isEmpty {
            out.append([])
            for pr in (s.probe.config.problems + s.probe.config.warnings).prefix(6) {
                out += DisplayWidth.wrap(TerminalText.singleLine(pr, limit: 400), width: max(10, width)).map { [($0, t.error)] }
            }
        }
        return out
    }

    static func responseLines(_ s: AppState, _ res: ProbeResult, width: Int) -> [Line] {
        let t = s.theme, o = res.outcome
        var out: [Line] = []
        func wrapped(_ label: String, _ value: String, _ style: Style) {
            let labelW = 10
            for (i, w) in DisplayWidth.wrap(value, width: max(10, width - labelW)).enumerated() {
                out.append([((i == 0 ? label : "").rightPad(labelW), t.dim), (w, style)])
            }
        }
        let timing = o.timings.text
        if s.probe.resultIsStale {
            out.append([("stale: ", t.badgeWarn), ("the request was edited after this answer; s sends it again", t.badgeWarn)])
        }
        if let resp = o.response {
            let reason = TerminalText.singleLine(resp.reason, limit: 80)
            out.append([("\(resp.version) \(resp.status) \(reason)", statusStyle(s, resp.status))])
        } else {
            out.append([("no response", t.error)])
        }
        wrapped("timing", timing, t.dim)
        if let f = o.failure { wrapped("problem", TerminalText.singleLine(f.explanation, limit: 1000), t.error) }
        for w in o.warnings { wrapped("warning", TerminalText.singleLine(w, limit: 300), t.badgeWarn) }
        if let v = o.verdict, o.response != nil {
            if v.success {
                wrapped("result", "success: HTTP \(o.response?.status ?? 0), no error; nothing to explain or retry", t.badgeGood)
            } else {
                var env = v.envelope == ErrorDecoder.envelopeNone ? "none recognised" : v.envelope
                if let exp = v.expectedEnvelope { env += exp == v.envelope ? " (as expected for \(o.envelopePath))" : " (expected \(exp) for \(o.envelopePath))" }
                wrapped("envelope", env, v.expectedEnvelope.map { $0 == v.envelope } == false ? t.badgeWarn : t.normal)
            }
            if let c = v.code { wrapped("code", TerminalText.singleLine(c, limit: 300), t.title) }
            if let ty = v.type { wrapped("type", TerminalText.singleLine(ty, limit: 200), t.normal) }
            if let st = v.status { wrapped("status", TerminalText.singleLine(st, limit: 200), t.normal) }
            if let m = v.message { wrapped("message", TerminalText.singleLine(m, limit: 1000), t.normal) }
            if v.success {
                // A success has no catalog code: the status reference rows would only look like a verdict.
            } else if let inf = v.inference, let top = inf.candidates.first {
                // The wire carried no code: never show a guess as if it were decoded.
                let n = inf.candidates.count
                wrapped("catalog", (n == 1 ? "inferred, not sent: 1 candidate" : "inferred, not sent: \(n) candidates") + " (\(inf.basis.rawValue))"
                        + (inf.distinguishedBy.map { "; first because \($0)" } ?? (n > 1 ? "; nothing in the response tells them apart" : "")), t.badgeWarn)
                for m in inf.candidates.prefix(5) {
                    let e = m.entry
                    wrapped("", (m.messageShape == 10 ? "✓ " : "· ") + "\(e.system)/\(TerminalText.singleLine(e.code, limit: 200)) — \(e.meaning)", m.entry.row == top.entry.row ? t.title : t.normal)
                    if let ex = e.example { wrapped("", "    e.g. " + TerminalText.singleLine(ex, limit: 200), t.dim) }
                }
                if n > 5 { wrapped("", "… \(n - 5) more (errscope decode lists them all)", t.dim) }
            } else if let best = v.bestMatch, v.code != nil, best.basis > .messageRule {
                // A code on the wire that no catalog has: the nearest entry is a relative, not the answer.
                let e = best.entry
                wrapped("catalog", "`\(TerminalText.singleLine(v.code!, limit: 120))` is in no catalog; nearest by \(best.basis.rawValue): \(e.system)/\(TerminalText.singleLine(e.code, limit: 200))", t.badgeWarn)
            } else if let best = v.bestMatch {
                let e = best.entry
                wrapped("catalog", "\(e.system) / \(e.domain) / \(TerminalText.singleLine(e.code, limit: 200)) (\(best.basis.rawValue))", t.badgeGood)
                wrapped("meaning", e.meaning, t.normal)
            } else if v.envelope != ErrorDecoder.envelopeNone {
                wrapped("catalog", "not in any catalog", t.badgeWarn)
            }
            if v.sanitized { wrapped("note", "this envelope replaces the message (sanitized); the real cause is in the server logs", t.jsonNumber) }
            if let c = v.category {
                wrapped("category", c.rawValue + (v.categoryBasis.map { " (from \($0))" } ?? ""), c.defaultRetry == .no ? t.error : t.jsonString)
                if let w = v.whatToDo { wrapped("do", w, t.normal) }
            }
            var layer = v.upstream
            while let u = layer {
                let what = u.bestMatch.flatMap { $0.basis <= .type ? "\($0.entry.system)/\($0.entry.code)" : nil } ?? u.code ?? u.type ?? "?"
                wrapped("upstream", "\(u.envelope) · \(TerminalText.singleLine(what, limit: 200))" + (u.category.map { " · \($0.rawValue)" } ?? "")
                        + (u.message.map { " · " + TerminalText.singleLine($0, limit: 300) } ?? ""), t.jsonNumber)
                layer = u.upstream
            }
            if let st = v.stream {
                wrapped("stream", "\(st.events) events" + (st.errorIndex.map { "; the error is event \($0 + 1)" + (st.bytesBeforeError.map { " after \($0) bytes" } ?? "") + ", after 200 OK" } ?? "; no error event"), t.badgeWarn)
            }
            if !v.success { wrapped("retry", retryText(s, v), v.retry.retryable == false ? t.error : t.jsonString) }
            for n in v.notes.prefix(4) { wrapped("note", TerminalText.singleLine(n, limit: 400), t.dim) }
            if let id = v.requestID { wrapped("req id", TerminalText.singleLine(id, limit: 200), t.dim) }
        }
        out.append([])
        out.append([("request  ", t.dim), ("\(o.method) \(TerminalText.singleLine(o.url, limit: 500))", t.normal)])
        if let resp = o.response {
            out.append([("── headers ", t.border), ("\(resp.headers.count)", t.dim)])
            for h in o.displayResponseHeaders {
                out.append([(TerminalText.singleLine(h.name, limit: 100) + ": ", t.jsonKey), (TerminalText.singleLine(h.value, limit: 500), t.normal)])
            }
            var size = "\(byteCount(resp.bodyBytes))"
            if resp.truncated { size += ", cut at \(byteCount(resp.body.count))" }
            if let st = o.verdict?.stream, !st.eventTexts.isEmpty {
                // The events as they came, the error one marked (not by colour alone).
                out.append([("── events ", t.border), ("\(st.events)" + (st.errorIndex.map { ", the error is #\($0 + 1)" } ?? ""), t.dim)])
                for (i, text) in st.eventTexts.enumerated() {
                    let isError = i == st.errorIndex
                    out.append([((isError ? "✖ " : "  ") + "\(i + 1)".leftPad(3) + " ", isError ? t.error : t.dim),
                                (TerminalText.singleLine(text, limit: 300), isError ? t.error : t.normal)])
                }
                if st.events > st.eventTexts.count { out.append([("  … \(st.events - st.eventTexts.count) more", t.dim)]) }
            }
            out.append([("── body ", t.border), (size, t.dim)])
            out += res.bodyLines(theme: t)
        }
        return out
    }

    static func retryText(_ s: AppState, _ v: DecodeResult) -> String {
        let r = v.retry
        var text: String
        switch r.retryable {
        case true?:
            text = "yes"
            if let left = s.probe.retryCountdown {
                text += ", in \(Int(left.rounded(.up))) s"
            } else if r.afterSeconds != nil {
                text += ", now (the server's delay has passed)"
            }
        case false?: text = "no"
        case nil: text = "unknown"
        }
        if let src = r.delaySource { text += " · \(src)" }
        if !r.reason.isEmpty { text += " · \(TerminalText.singleLine(r.reason, limit: 200))" }
        return text
    }


    static func byteCount(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return String(format: "%.1f KiB", Double(n) / 1024) }
        return String(format: "%.1f MiB", Double(n) / 1048576)
    }
}

extension ProbeResult {
    /// At most this much of a body is laid out on screen; the size says how much there was.
    static let previewBytes = 64 * 1024
    static let previewLines = 2000

    /// The body as coloured lines: pretty JSON when it parses, else sanitized text. Computed once
    /// per theme (bodies can be large; the pane redraws on every tick).
    func bodyLines(theme: Theme) -> [ProbePane.Line] {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let c = cache, c.theme == theme.name { return c.lines }
        var lines = Self.layout(outcome.displayBody, truncated: outcome.response?.truncated ?? false, theme: theme)
        // Parsing undoes JSON escapes (`\/`, `\u0073`): a secret hidden that way in the bytes is
        // whole again in the laid-out strings, so mask those too.
        let r = outcome.redactor
        if !r.isEmpty {
            lines = lines.map { $0.map { (r.text($0.0), $0.1) } }
        }
        cache = (theme.name, lines)
        return lines
    }

    static func layout(_ body: [UInt8], truncated: Bool, theme t: Theme) -> [ProbePane.Line] {
        if body.isEmpty { return [[("(empty)", t.dim)]] }
        var out: [ProbePane.Line]
        var shownBytes = body.count
        if body.count <= 1 << 20, !truncated, let v = try? JSONValue.parse(body), v.objectValue != nil || v.arrayValue != nil {
            out = JSONLines.lines(v, theme: t)
        } else {
            // Not JSON, or too large to lay out whole: the start of it, as text.
            shownBytes = min(body.count, previewBytes)
            let text = TerminalText.sanitize(String(decoding: body.prefix(previewBytes), as: UTF8.self))
            out = text.split(separator: "\n", omittingEmptySubsequences: false).map { [(String($0.prefix(2000)), t.normal)] }
        }
        if out.count > previewLines {
            out = Array(out.prefix(previewLines))
            out.append([("… only the first \(previewLines) lines are shown", t.dim)])
        }
        if shownBytes < body.count {
            out.append([("… \(ProbePane.byteCount(body.count)) in all; the first \(ProbePane.byteCount(shownBytes)) are laid out", t.dim)])
        }
        return out
    }

}
