import ErrscopeCore
import ErrscopeProbe
@testable import ErrscopeTUI
import Foundation
import Testing

/// The probe pane through `update` and `View.render` only: outcomes are built by hand and
/// delivered as `.probeFinished`, time arrives as `.tick`. No network here.
enum ProbeFixtures {
    /// Like the demo endpoints (`DemoServer.endpointsYAML`), reduced: a fixed port, no server.
    static let yaml = """
        endpoints:
          bodhi-demo:
            url: "http://127.0.0.1:8089/bodhi"
            system: bodhi
            headers:
              Authorization: "Bearer demo-token"
            requests:
              ok:
                method: POST
                path: "/v1/chat/completions"
                json: {"model": "demo-model", "max_tokens": 16}
              list:
                method: GET
                path: "/v1/models"
              no-token:
                method: POST
                path: "/v1/chat/completions"
                headers: {"Authorization": ""}
                json: {"model": "demo-model", "max_tokens": 16}
              unknown-model:
                method: POST
                path: "/v1/chat/completions"
                json: {"model": "no-such-model", "max_tokens": 16}
          jan-server-demo:
            url: "http://127.0.0.1:8089/jan-server"
            system: jan-server
            requests:
              list:
                method: GET
                path: "/v1/models"
          misbehave:
            url: "http://127.0.0.1:8089/misbehave"
            requests:
              slow:
                method: GET
                path: "/slow"
                query: {"seconds": "3"}
        """
    static let config = EndpointsConfig.parse(yaml, file: "test endpoints")

    static let base = "http://127.0.0.1:8089/bodhi"
    static let chatURL = base + "/v1/chat/completions"

    static let unknownModelBody = #"{"error":{"message":"alias 'no-such-model' not found","type":"not_found_error","param":null,"code":"data_service_error-alias_not_found"}}"#
    static let okBody = #"{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}"#
    static let rateLimitBody = #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}"#

    static let sec: UInt64 = 1_000_000_000
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// The pane focused, on the first endpoint and request (bodhi-demo/ok).
    static func state(width: Int = 120, height: Int = 40) -> AppState {
        var s = AppState(data: Fixtures.data, width: width, height: height, endpoints: config)
        s.focus = .probe
        return s
    }

    /// An outcome for `spec` as the prober would build it, decoded with the bundled catalog.
    static func outcome(_ spec: ProbeSpec, status: Int? = 404, reason: String = "Not Found",
                        headers: [(name: String, value: String)] = [("Content-Type", "application/json")],
                        body: [UInt8] = Array(unknownModelBody.utf8), failure: ProbeFailure? = nil,
                        lastByteAt: UInt64 = 0, startedAt: Date = epoch, secrets: [String] = [], url: String? = nil,
                        totalMs: Double = 12) -> ProbeOutcome
    {
        let request = ResolvedProbe(spec: spec, url: url ?? spec.url, headers: spec.headers, body: spec.body.map { Array($0.utf8) },
                                    redactor: Redactor(secrets: secrets))
        let response = status.map { ProbeResponse(status: $0, reason: reason, headers: headers, body: body) }
        var o = ProbeOutcome(request: request, startedAt: startedAt, response: response, failure: failure,
                             timings: ProbeTimings(connectMs: 1.5, firstByteMs: 9, totalMs: totalMs), lastByteAt: lastByteAt)
        o.decode(with: ErrorDecoder(catalog: Fixtures.catalog), now: startedAt)
        return o
    }

    /// The one `.probe` effect in `effects`, if there is exactly one.
    static func probe(_ effects: [Effect]) -> (spec: ProbeSpec, id: Int)? {
        let probes = effects.compactMap { e -> (ProbeSpec, Int)? in
            if case .probe(let spec, let id) = e { return (spec, id) }
            return nil
        }
        return probes.count == 1 ? probes[0] : nil
    }

    static func probeCount(_ effects: [Effect]) -> Int {
        effects.filter { if case .probe = $0 { return true } else { return false } }.count
    }

    /// Every cell holding a C0 control, DEL or a C1 control.
    static func controlCells(_ b: ScreenBuffer) -> [String] {
        var out: [String] = []
        for y in 0..<b.height {
            for x in 0..<b.width {
                let bad = b[x, y].text.unicodeScalars.filter { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }
                if !bad.isEmpty { out.append("(\(x),\(y)): \(bad.map { String($0.value, radix: 16) })") }
            }
        }
        return out
    }
}

extension AppState {
    /// `s`, then the answer to it: the outcome `make` builds from the spec that was sent.
    @discardableResult
    mutating func probeAndFinish(_ make: (ProbeSpec) -> ProbeOutcome, sourceLocation: SourceLocation = #_sourceLocation) -> ProbeOutcome? {
        guard let (spec, id) = ProbeFixtures.probe(press(.char("s"))) else {
            Issue.record("s sent no probe", sourceLocation: sourceLocation)
            return nil
        }
        let o = make(spec)
        send(.probeFinished(ProbeResult(id: id, outcome: o)))
        return o
    }

    /// Page the response down until `text` shows (at most `limit` pages).
    mutating func pageUntil(_ text: String, limit: Int = 400) -> Bool {
        for _ in 0..<limit {
            if screen.text.contains(text) { return true }
            press(.pageDown)
        }
        return screen.text.contains(text)
    }
}

// MARK: - Picking endpoints and requests

@Suite struct ProbePanePickTests {
    @Test func startsOnTheFirstEndpointAndRequestWithNothingSent() {
        let s = ProbeFixtures.state()
        #expect(s.probe.row == .endpoint)
        #expect(s.probe.endpoint?.name == "bodhi-demo")
        #expect(s.probe.draft.label == "bodhi-demo/ok")
        #expect(s.probe.inFlight == nil && s.probe.result == nil && s.probe.timeline.isEmpty)
        let text = s.screen.text
        #expect(text.contains("4 Probe"))
        #expect(text.contains("‹ bodhi-demo · bodhi › 1/4"))
        #expect(text.contains("‹ ok › 1/5"))
        #expect(text.contains("Nothing is sent until you ask"))
        #expect(!text.contains("timeline"))
    }

    @Test func leftAndRightCycleEndpointsThroughTheAdHocPositionAndReloadTheDraft() {
        var s = ProbeFixtures.state()
        let d0 = s.probe.draft
        #expect(d0.method == "POST")
        #expect(d0.url == ProbeFixtures.chatURL)
        #expect(d0.headers.map(\.name) == ["Authorization", "Content-Type"])
        #expect(d0.body == #"{"model":"demo-model","max_tokens":16}"#)

        s.press(.right)
        #expect(s.probe.endpoint?.name == "jan-server-demo")
        #expect(s.probe.draft.label == "jan-server-demo/list")
        #expect(s.probe.draft.method == "GET")
        #expect(s.probe.draft.url == "http://127.0.0.1:8089/jan-server/v1/models")
        #expect(s.probe.draft.headers.isEmpty)
        #expect(s.probe.draft.body == nil)
        #expect(s.probe.draft.system == "jan-server")
        #expect(s.screen.text.contains("‹ jan-server-demo · jan-server › 2/4"))

        s.press(.right)
        #expect(s.probe.endpoint?.name == "misbehave")
        #expect(s.probe.draft.url == "http://127.0.0.1:8089/misbehave/slow?seconds=3")

        s.press(.right)
        #expect(s.probe.endpointIndex == nil, "after the last endpoint: the ad-hoc URL")
        #expect(s.probe.draft.label == nil && s.probe.draft.baseURL == nil)
        var text = s.screen.text
        #expect(text.contains("‹ ad-hoc URL › 4/4"))
        #expect(text.contains("request  -"))

        s.press(.right)
        #expect(s.probe.endpoint?.name == "bodhi-demo", "wraps to the first endpoint")
        #expect(s.probe.draft == d0)

        s.press(.left)
        #expect(s.probe.endpointIndex == nil, "← from the first endpoint wraps to the ad-hoc URL")
        text = s.screen.text
        #expect(text.contains("‹ ad-hoc URL › 4/4"))
        s.press(.char("h"))
        #expect(s.probe.endpoint?.name == "misbehave")
        #expect(s.probe.row == .endpoint)
    }

    @Test func leftAndRightOnTheRequestRowCycleSavedRequestsThroughTheEndpointURL() {
        var s = ProbeFixtures.state()
        s.press(.down)
        #expect(s.probe.row == .request)

        s.press(.right)
        #expect(s.probe.draft.label == "bodhi-demo/list")
        #expect(s.probe.draft.method == "GET")
        #expect(s.probe.draft.url == ProbeFixtures.base + "/v1/models")
        #expect(s.probe.draft.headers.map(\.name) == ["Authorization"])
        #expect(s.probe.draft.body == nil)
        #expect(s.screen.text.contains("‹ list › 2/5"))

        s.press(.right)
        #expect(s.probe.draft.label == "bodhi-demo/no-token")
        #expect(s.probe.draft.method == "POST")
        #expect(s.probe.draft.headers.first { $0.name == "Authorization" }?.value == "", "the request's empty header replaces the endpoint's")

        s.press(.right)
        #expect(s.probe.draft.label == "bodhi-demo/unknown-model")
        #expect(s.probe.draft.body == #"{"model":"no-such-model","max_tokens":16}"#)

        s.press(.right)
        #expect(s.probe.requestIndex == nil, "after the last request: the endpoint's own URL")
        #expect(s.probe.draft.label == "bodhi-demo")
        #expect(s.probe.draft.method == "GET")
        #expect(s.probe.draft.url == ProbeFixtures.base)
        #expect(s.probe.draft.body == nil)
        #expect(s.screen.text.contains("‹ (endpoint URL) › 5/5"))

        s.press(.right)
        #expect(s.probe.draft.label == "bodhi-demo/ok", "wraps to the first request")
        s.press(.left)
        #expect(s.probe.requestIndex == nil, "← from the first request wraps to the endpoint URL")
        s.press(.left)
        #expect(s.probe.draft.label == "bodhi-demo/unknown-model")
    }

    @Test func rightOnTheMethodRowCyclesMethods() {
        var s = ProbeFixtures.state()
        s.press(.down, .down)
        #expect(s.probe.row == .method)
        #expect(s.probe.draft.method == "POST")
        s.press(.right)
        #expect(s.probe.draft.method == "PUT")
        s.press(.left, .left)
        #expect(s.probe.draft.method == "GET")
        s.press(.left)
        #expect(s.probe.draft.method == "OPTIONS", "wraps")
    }

    @Test func probeCommandSelectsAnEndpointAndRequest() {
        // From the tree: the command opens the pane.
        var s = AppState(data: Fixtures.data, width: 120, height: 40, endpoints: ProbeFixtures.config)
        #expect(s.focus == .tree)
        s.command("probe bodhi-demo/unknown-model")
        #expect(s.focus == .probe)
        #expect(s.probe.endpoint?.name == "bodhi-demo")
        #expect(s.probe.draft.label == "bodhi-demo/unknown-model")
        #expect(s.probe.draft.body?.contains("no-such-model") == true)
        #expect(s.probe.row == .send)
        // Loading is not sending, and the pane says so.
        #expect(s.message?.text == "bodhi-demo/unknown-model loaded, not sent: s or Enter sends it (:probe! bodhi-demo/unknown-model loads and sends)")
        #expect(s.probe.inFlight == nil)
        #expect(s.screen.text.contains("‹ unknown-model › 4/5"))
        // With !, it is sent at once.
        var now = AppState(data: Fixtures.data, width: 120, height: 40, endpoints: ProbeFixtures.config)
        let effects = now.command("probe! bodhi-demo/unknown-model")
        #expect(ProbeFixtures.probe(effects)?.spec.label == "bodhi-demo/unknown-model")
        #expect(now.probe.inFlight != nil)

        s.command("probe jan-server-demo")
        #expect(s.probe.draft.label == "jan-server-demo/list", "an endpoint alone picks its first request")

        s.command("probe http://127.0.0.1:9/adhoc")
        #expect(s.probe.endpointIndex == nil)
        #expect(s.probe.draft.url == "http://127.0.0.1:9/adhoc")
        #expect(s.probe.row == .url)
    }

    @Test func aLookAlikeHostIsNotTheEndpoint() {
        #expect(ProbeState.sameOrigin("https://api.example.com/v1", "https://api.example.com"))
        #expect(ProbeState.sameOrigin("https://api.example.com:443/v1", "https://api.example.com"))
        #expect(!ProbeState.sameOrigin("https://api.example.com.evil.test/v1", "https://api.example.com"))
        #expect(!ProbeState.sameOrigin("https://api.example.com@evil.test/v1", "https://api.example.com"))
        #expect(!ProbeState.sameOrigin("http://api.example.com/v1", "https://api.example.com"))
    }

    @Test func anAdHocURLDoesNotInheritTheLastEndpointsCredentials() {
        var s = ProbeFixtures.state()
        #expect(s.probe.draft.headers.contains { $0.name == "Authorization" })
        s.command("probe https://elsewhere.example/v1/models")
        #expect(s.probe.endpointIndex == nil)
        #expect(s.probe.draft.url == "https://elsewhere.example/v1/models")
        #expect(!s.probe.draft.headers.contains { $0.name == "Authorization" })
    }

    @Test func probeCommandWithAnUnknownEndpointOrRequestIsAnError() {
        var s = ProbeFixtures.state()
        let before = s.probe.draft
        let e = s.command("probe nope")
        #expect(e == [.bell])
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("no endpoint `nope`") == true)
        #expect(s.message?.text.contains("bodhi-demo, jan-server-demo, misbehave") == true)
        #expect(s.screen.lines.last?.contains("no endpoint `nope`") == true, "the message is on the status line")
        #expect(s.probe.draft == before)

        s.command("probe bodhi-demo/nope")
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("has no request `nope`") == true)
        #expect(s.probe.draft == before)
    }
}

// MARK: - Editing fields in place

@Suite struct ProbePaneEditTests {
    @Test func enterOnTheURLEditsItAndEnterCommits() {
        var s = ProbeFixtures.state()
        s.press(.down, .down, .down)
        #expect(s.probe.row == .url)
        s.press(.enter)
        let url = ProbeFixtures.chatURL
        #expect(s.fieldEditor?.text == url)
        #expect(s.fieldEditor?.cursor == url.count, "the cursor starts at the end")

        s.type("?x=1")
        s.press(.backspace)
        s.type("2")
        #expect(s.fieldEditor?.text == url + "?x=2")
        s.press(.home)
        #expect(s.fieldEditor?.cursor == 0)
        s.press(.right, .right)
        #expect(s.fieldEditor?.cursor == 2)
        s.press(.left)
        #expect(s.fieldEditor?.cursor == 1)
        s.press(.end)
        #expect(s.fieldEditor?.cursor == url.count + 4)
        s.press(.ctrl("a"))
        #expect(s.fieldEditor?.cursor == 0)
        s.press(.ctrl("e"))
        #expect(s.fieldEditor?.cursor == url.count + 4)

        s.press(.ctrl("u"))
        #expect(s.fieldEditor?.text == "")
        #expect(s.fieldEditor?.cursor == 0)
        // Keys that are bindings elsewhere are text while editing.
        s.type("http://127.0.0.1:9/qsw")
        #expect(s.fieldEditor?.text == "http://127.0.0.1:9/qsw")
        let screen = s.screen
        #expect(screen.text.contains("http://127.0.0.1:9/qsw"))
        #expect(screen.cursor != nil, "the terminal cursor sits in the field")

        #expect(s.press(.enter).isEmpty)
        #expect(s.fieldEditor == nil)
        #expect(s.probe.draft.url == "http://127.0.0.1:9/qsw")
        #expect(s.probe.draft.baseURL == nil, "a URL outside the endpoint is ad hoc")
        #expect(s.probe.draft.envelopePath == "/qsw")
    }

    @Test func homeInsertsAtTheStartAndDeleteRemovesUnderTheCursor() {
        var s = ProbeFixtures.state()
        s.press(.down, .down, .down, .enter)
        s.press(.home)
        s.type("X")
        #expect(s.fieldEditor?.text == "X" + ProbeFixtures.chatURL)
        #expect(s.fieldEditor?.cursor == 1)
        s.press(.left, .delete)
        #expect(s.fieldEditor?.text == ProbeFixtures.chatURL)
        s.press(.escape)
    }

    @Test func escCancelsAnEdit() {
        var s = ProbeFixtures.state()
        s.press(.down, .down, .down, .enter)
        s.press(.ctrl("u"))
        s.type("http://elsewhere.test/")
        #expect(s.press(.escape).isEmpty, "Esc while editing cancels the edit, not a probe")
        #expect(s.fieldEditor == nil)
        #expect(s.probe.draft.url == ProbeFixtures.chatURL)
        #expect(s.probe.row == .url)
        #expect(s.focus == .probe)
    }

    @Test func anInvalidURLIsRejectedWithAMessage() {
        var s = ProbeFixtures.state()
        s.press(.down, .down, .down, .enter, .ctrl("u"))
        s.type("ftp://files.test/x")
        let e = s.press(.enter)
        #expect(e == [.bell])
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("http:// or https://") == true)
        #expect(s.probe.draft.url == ProbeFixtures.chatURL)
        #expect(s.screen.lines.last?.contains("the URL must start with http:// or https://") == true)
    }

    @Test func methodIsEditedUppercasedAndValidated() {
        var s = ProbeFixtures.state()
        s.press(.down, .down, .enter, .ctrl("u"))
        s.type("patch")
        s.press(.enter)
        #expect(s.probe.draft.method == "PATCH")
        s.press(.enter, .ctrl("u"))
        s.type("NOT A METHOD")
        #expect(s.press(.enter) == [.bell])
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("is not an HTTP method") == true)
        #expect(s.probe.draft.method == "PATCH")
    }

    @Test func headersAreAddedEditedValidatedAndDeleted() {
        var s = ProbeFixtures.state()
        // endpoint, request, method, URL, Authorization, Content-Type, + add header
        s.press(.down, .down, .down, .down, .down, .down)
        #expect(s.probe.row == .addHeader)
        #expect(s.screen.text.contains("+ add header"))

        s.press(.enter)
        #expect(s.probe.draft.headers.count == 3)
        #expect(s.probe.row == .header(2))
        #expect(s.fieldEditor?.text == "")
        s.type("X-Trace: abc")
        s.press(.enter)
        #expect(s.probe.draft.headers.count == 3)
        #expect(s.probe.draft.headers[2] == ("X-Trace", "abc"))
        #expect(s.screen.text.contains("X-Trace: abc"))

        // An invalid edit of an existing header leaves it as it was.
        s.press(.enter, .ctrl("u"))
        s.type("not a header")
        #expect(s.press(.enter) == [.bell])
        #expect(s.message?.text.contains("a header is `Name: value`") == true)
        #expect(s.probe.draft.headers[2] == ("X-Trace", "abc"))
        s.press(.enter, .ctrl("u"))
        s.type("Bad Name: x")
        #expect(s.press(.enter) == [.bell], "a space is not a token character")

        // + add header, then Esc: the empty header goes away again.
        s.press(.down)
        #expect(s.probe.row == .addHeader)
        s.press(.enter)
        #expect(s.probe.draft.headers.count == 4)
        s.press(.escape)
        #expect(s.fieldEditor == nil)
        #expect(s.probe.draft.headers.count == 3)
        #expect(!s.probe.draft.headers.contains { $0.name.isEmpty })
        #expect(s.probe.rows.contains(s.probe.row), "the selected row still exists")

        // + add header, then an invalid line: rejected, and no empty header is left behind.
        s.press(.down)
        #expect(s.probe.row == .addHeader)
        s.press(.enter)
        s.type("no colon here")
        #expect(s.press(.enter) == [.bell])
        #expect(s.probe.draft.headers.count == 3)
        #expect(!s.probe.draft.headers.contains { $0.name.isEmpty })

        // d deletes the selected header.
        s.press(.char("g"), .down, .down, .down, .down, .down)
        #expect(s.probe.row == .header(1))
        s.press(.char("d"))
        #expect(s.probe.draft.headers.map(\.name) == ["Authorization", "X-Trace"])
        #expect(s.probe.rows.contains(s.probe.row))
        // Clearing a header's line deletes it too.
        s.press(.enter, .ctrl("u"), .enter)
        #expect(s.probe.draft.headers.map(\.name) == ["Authorization"])
        // d on a row that is not a header does nothing.
        s.press(.char("g"), .char("d"))
        #expect(s.probe.draft.headers.map(\.name) == ["Authorization"])
    }

    @Test func aOneLineBodyIsTypedInPlaceAndAMultiLineOneGoesToTheEditor() {
        var s = ProbeFixtures.state()
        s.press(.right)  // jan-server-demo/list: GET, no body
        s.press(.char("G"))
        s.press(.up)
        #expect(s.probe.row == .body)
        s.press(.enter)
        s.type(#"{"a":1}"#)
        s.press(.enter)
        #expect(s.probe.draft.body == #"{"a":1}"#)
        #expect(s.probe.draft.method == "POST", "a body on a GET turns it into a POST")
        s.send(.editorFinished(.body, "line 1\nline 2\n"))
        #expect(s.probe.draft.body == "line 1\nline 2")
        #expect(s.press(.enter) == [.edit(.body, "line 1\nline 2")])
        #expect(s.press(.char("e")) == [.edit(.body, "line 1\nline 2")])
    }
}

// MARK: - Sending, cancelling, results

@Suite struct ProbePaneSendTests {
    @Test func sSendsExactlyOneProbeAndASecondSWhileInFlightBells() throws {
        var s = ProbeFixtures.state()
        let e = s.press(.char("s"))
        #expect(e.count == 1)
        let (spec, id) = try #require(ProbeFixtures.probe(e))
        #expect(spec == s.probe.draft)
        #expect(spec.label == "bodhi-demo/ok")
        #expect(id == 1)
        #expect(s.probe.inFlight?.id == 1)
        #expect(s.probe.wantsTicks)

        s.send(.tick(10 * ProbeFixtures.sec))
        s.send(.tick(11 * ProbeFixtures.sec + 500_000_000))
        let text = s.screen.text
        #expect(text.contains("waiting… 1.5 s"))
        #expect(text.contains("sending… 1.5 s"))

        let again = s.press(.char("s"))
        #expect(again == [.bell])
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("already running") == true)
        #expect(s.probe.inFlight?.id == 1)
        s.press(.char("G"))
        #expect(s.probe.row == .send)
        #expect(s.press(.enter) == [.bell], "Enter on the send row does not send a second one either")
    }

    @Test func escCancelsTheProbeInFlightAndItsLateAnswerIsIgnored() throws {
        var s = ProbeFixtures.state()
        let (spec, id) = try #require(ProbeFixtures.probe(s.press(.char("s"))))
        let row = s.probe.row
        #expect(s.press(.escape) == [.cancelProbe(id)])
        #expect(s.probe.inFlight == nil)
        #expect(s.message?.text == "probe cancelled")
        #expect(s.screen.lines.last?.contains("probe cancelled") == true)

        // The runner's answer to the cancelled probe arrives anyway.
        let late = ProbeFixtures.outcome(spec)
        #expect(s.send(.probeFinished(ProbeResult(id: id, outcome: late))).isEmpty)
        #expect(s.probe.result == nil)
        #expect(s.probe.timeline.isEmpty)
        #expect(s.probe.row == row)
        #expect(!s.screen.text.contains("HTTP/1.1 404"))

        // The next probe has a new id; the old id's answer still does not count.
        let (_, id2) = try #require(ProbeFixtures.probe(s.press(.char("s"))))
        #expect(id2 != id)
        s.send(.probeFinished(ProbeResult(id: id, outcome: late)))
        #expect(s.probe.inFlight?.id == id2)
        #expect(s.probe.result == nil)
    }

    @Test func aResultShowsStatusCodeCatalogRowAndRetryAndEnterRevealsTheCode() throws {
        var s = ProbeFixtures.state()
        s.command("probe bodhi-demo/unknown-model")
        let o = try #require(s.probeAndFinish { ProbeFixtures.outcome($0) })
        let match = try #require(o.verdict?.bestMatch, "the fixture decodes to a catalog code")
        #expect(match.entry.code == "data_service_error-alias_not_found")
        #expect(s.probe.inFlight == nil)
        #expect(s.probe.result?.outcome.response?.status == 404)
        #expect(s.probe.row == .verdict, "the form moves to the catalog row")
        #expect(s.probe.timeline.count == 1)

        let text = s.screen.text
        #expect(text.contains("HTTP/1.1 404 Not Found"))
        #expect(text.contains("code      data_service_error-alias_not_found"))
        #expect(text.contains("catalog   bodhi / data_service_error"))
        #expect(text.contains("catalog  → bodhi / data_service_error"), "the form's catalog row")
        #expect(text.contains("retry     no"))
        #expect(text.contains("timeline"))
        #expect(!text.contains("waiting…"))

        #expect(s.press(.enter).isEmpty)
        #expect(s.focus == .mapping)
        #expect(s.selectedEntry?.code == "data_service_error-alias_not_found")
        #expect(s.selectedEntry?.system == "bodhi")
        #expect(s.selectedEntry?.row == match.entry.row)
        let after = s.screen.text
        #expect(after.contains("▶ 3 Mapping"))
        #expect(after.contains("bodhi-native"))
        #expect(after.contains("data_service_error-alias_not_found  bodhi / data_service_error"), "the detail pane shows the code")

        s.press(.char("4"))
        #expect(s.focus == .probe)
        #expect(s.screen.text.contains("HTTP/1.1 404 Not Found"), "4 returns to the probe and its result")
    }

    @Test func aFailureWithoutAResponseIsShownWithItsExplanation() {
        var s = ProbeFixtures.state()
        s.probeAndFinish { ProbeFixtures.outcome($0, status: nil, failure: .refused(host: "127.0.0.1:8089")) }
        let text = s.screen.text
        #expect(text.contains("no response"))
        #expect(text.contains("connection refused by 127.0.0.1:8089"))
        #expect(s.probe.timeline.first?.failure == "refused")
        #expect(s.probe.row == .endpoint, "no catalog row: the form stays where it was")
    }

    @Test func aLaterResultWithoutACatalogMatchDoesNotLeaveTheFormOnAVanishedRow() {
        var s = ProbeFixtures.state()
        s.probeAndFinish { ProbeFixtures.outcome($0) }
        #expect(s.probe.row == .verdict)
        // Sent again from the catalog row; this time nothing answers, so there is no verdict.
        s.probeAndFinish { ProbeFixtures.outcome($0, status: nil, failure: .refused(host: "127.0.0.1:8089")) }
        #expect(s.probe.verdictEntryRow == nil)
        #expect(s.probe.rows.contains(s.probe.row))
    }

    @Test func retryAfterCountsDownWithTicks() throws {
        let T: UInt64 = 100 * ProbeFixtures.sec
        var s = ProbeFixtures.state()
        s.send(.tick(T - 2 * ProbeFixtures.sec))
        let o = try #require(s.probeAndFinish {
            ProbeFixtures.outcome($0, status: 429, reason: "Too Many Requests",
                                  headers: [("Content-Type", "application/json"), ("Retry-After", "30")],
                                  body: Array(ProbeFixtures.rateLimitBody.utf8), lastByteAt: T)
        })
        #expect(o.verdict?.retry.retryable == true)
        #expect(o.verdict?.retry.afterSeconds == 30)
        #expect(s.probe.retryCountdown == 30)
        #expect(s.probe.wantsTicks, "a countdown needs ticks")
        #expect(s.screen.text.contains("in 30 s"))

        s.send(.tick(T + ProbeFixtures.sec))
        #expect(s.screen.text.contains("retry     yes, in 29 s"))
        s.send(.tick(T + 10 * ProbeFixtures.sec))
        let at10 = s.screen.text
        #expect(at10.contains("retry     yes, in 20 s"))
        #expect(!at10.contains("in 29 s"))
        s.send(.tick(T + 31 * ProbeFixtures.sec))
        let after = s.screen.text
        #expect(s.probe.retryCountdown == nil)
        #expect(after.contains("the server's delay has passed"))
        #expect(!after.contains("yes, in "))
        #expect(!s.probe.wantsTicks, "nothing left to count")
    }
}

// MARK: - Watch mode

@Suite struct ProbePaneWatchTests {
    let sec = ProbeFixtures.sec

    func ok(_ spec: ProbeSpec, at t: UInt64, started: Date = ProbeFixtures.epoch, status: Int = 200) -> ProbeOutcome {
        ProbeFixtures.outcome(spec, status: status, reason: "OK", body: Array(ProbeFixtures.okBody.utf8), lastByteAt: t, startedAt: started)
    }

    @Test func wSendsAtOnceThenEveryIntervalAndWStops() throws {
        let T: UInt64 = 1_000 * sec
        var s = ProbeFixtures.state()
        s.send(.tick(T - sec))
        let first = s.press(.char("w"))
        let (spec, id) = try #require(ProbeFixtures.probe(first))
        #expect(first.count == 1)
        #expect(s.probe.watchInterval == ProbeState.defaultWatchInterval)
        #expect(s.message?.text.contains("watch") == true)
        s.send(.probeFinished(ProbeResult(id: id, outcome: ok(spec, at: T))))
        #expect(s.probe.nextWatchAt == T + 5 * sec)
        #expect(s.probe.row == .endpoint, "watching: the form does not jump")
        #expect(s.screen.text.contains("watching every 5 s · 1 probes"))

        #expect(ProbeFixtures.probeCount(s.send(.tick(T + sec))) == 0)
        #expect(ProbeFixtures.probeCount(s.send(.tick(T + 4 * sec))) == 0)
        let due = s.send(.tick(T + 5 * sec + 100_000_000))
        let (_, id2) = try #require(ProbeFixtures.probe(due), "the interval is over: the next probe")
        #expect(id2 == id + 1)
        // While it runs, ticks send nothing more.
        #expect(ProbeFixtures.probeCount(s.send(.tick(T + 20 * sec))) == 0)
        s.send(.probeFinished(ProbeResult(id: id2, outcome: ok(spec, at: T + 21 * sec))))
        #expect(s.probe.timeline.count == 2)

        s.press(.char("w"))
        #expect(s.probe.watchInterval == nil)
        #expect(s.message?.text == "watch off")
        #expect(ProbeFixtures.probeCount(s.send(.tick(T + 60 * sec))) == 0)
        #expect(!s.screen.text.contains("watching every"))
    }

    @Test func escStopsWatchingBetweenProbesAndCancelsOneInFlight() throws {
        let T: UInt64 = 1_000 * sec
        var s = ProbeFixtures.state()
        let (spec, id) = try #require(ProbeFixtures.probe(s.command("watch 0.5")))
        #expect(s.probe.watchInterval == 0.5)
        s.send(.probeFinished(ProbeResult(id: id, outcome: ok(spec, at: T))))
        #expect(s.press(.escape).isEmpty)
        #expect(s.probe.watchInterval == nil)
        #expect(s.message?.text == "watch off")
        #expect(ProbeFixtures.probeCount(s.send(.tick(T + 10 * sec))) == 0)

        let (_, id2) = try #require(ProbeFixtures.probe(s.press(.char("w"))))
        #expect(s.press(.escape) == [.cancelProbe(id2)])
        #expect(s.probe.watchInterval == nil)
        #expect(s.message?.text == "probe cancelled; watch off")
        #expect(ProbeFixtures.probeCount(s.send(.tick(T + 100 * sec))) == 0)
    }

    @Test func timelineListsNewestFirst() throws {
        var s = ProbeFixtures.state()
        s.send(.tick(sec))
        let (spec, id) = try #require(ProbeFixtures.probe(s.command("watch 1")))
        let times = [0, 61, 122].map { ProbeFixtures.epoch.addingTimeInterval(Double($0)) }
        s.send(.probeFinished(ProbeResult(id: id, outcome: ok(spec, at: 2 * sec, started: times[0], status: 200))))
        let (_, id2) = try #require(ProbeFixtures.probe(s.send(.tick(4 * sec))))
        s.send(.probeFinished(ProbeResult(id: id2, outcome: ProbeFixtures.outcome(spec, lastByteAt: 5 * sec, startedAt: times[1]))))
        let (_, id3) = try #require(ProbeFixtures.probe(s.send(.tick(7 * sec))))
        s.send(.probeFinished(ProbeResult(id: id3, outcome: ProbeFixtures.outcome(
            spec, status: 429, reason: "Too Many Requests", body: Array(ProbeFixtures.rateLimitBody.utf8), lastByteAt: 8 * sec, startedAt: times[2]))))
        #expect(s.probe.timeline.map(\.status) == [200, 404, 429], "stored oldest first")

        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        let lines = s.screen.lines
        let rows = times.compactMap { t in lines.firstIndex { $0.contains(f.string(from: t)) } }
        try #require(rows.count == 3, "every probe has a timeline row:\n\(lines.joined(separator: "\n"))")
        #expect(rows[2] < rows[1] && rows[1] < rows[0], "newest first")
        #expect(lines[rows[2]].contains("429"))
        #expect(lines[rows[1]].contains("404"))
        #expect(lines[rows[1]].contains("data_service_error-al"))
        #expect(lines[rows[0]].contains("200"))
        let header = try #require(lines.firstIndex { $0.contains("│ timeline") })
        #expect(header < rows[2])
    }

    @Test func timelineIsCappedAndDropsTheOldest() {
        var s = ProbeFixtures.state()
        let total = ProbeState.timelineCap + 7
        var base: ProbeOutcome?
        for i in 0..<total {
            s.probeAndFinish { spec in
                if base == nil { base = ok(spec, at: 0) }
                var o = base!
                o.startedAt = ProbeFixtures.epoch.addingTimeInterval(Double(i))
                return o
            }
        }
        #expect(s.probe.timeline.count == ProbeState.timelineCap)
        #expect(s.probe.timeline.first?.at == ProbeFixtures.epoch.addingTimeInterval(7))
        #expect(s.probe.timeline.last?.at == ProbeFixtures.epoch.addingTimeInterval(Double(total - 1)))
        #expect(s.screen.text.contains("timeline"))
    }
}

// MARK: - Secrets and untrusted text

@Suite struct ProbePaneSafetyTests {
    @Test func aLiteralCredentialHeaderIsMaskedInTheFormAndWhileEditingIt() {
        var s = ProbeFixtures.state()
        s.press(.right)  // jan-server-demo/list: no headers
        s.press(.down, .down, .down, .down)
        #expect(s.probe.row == .addHeader)
        s.press(.enter)
        for c in "Authorization: Bearer sk-live-abc" {
            s.type(String(c))
            #expect(!s.screen.text.contains("sk-live"), "visible while typing \(c)")
        }
        s.press(.enter)
        #expect(s.probe.draft.headers.first?.value == "Bearer sk-live-abc")
        var text = s.screen.text
        #expect(!text.contains("sk-live"))
        #expect(text.contains("Authorization: Bearer ••••••"))

        // Editing the header again: the value is still masked.
        s.press(.enter)
        #expect(s.fieldEditor?.text == "Authorization: Bearer sk-live-abc")
        text = s.screen.text
        #expect(!text.contains("sk-live"))
        #expect(text.contains("Authorization:"))
        s.press(.escape)

        // Other credential names too.
        s.press(.down, .enter)
        s.type("X-Api-Key: sk-live-key")
        s.press(.enter)
        #expect(!s.screen.text.contains("sk-live"))

        // While the probe is in flight, and when the result comes back.
        s.probeAndFinish { ProbeFixtures.outcome($0, status: 401, reason: "Unauthorized") }
        text = s.screen.text
        #expect(!text.contains("sk-live"))
        // The demo endpoint's own literal token too.
        var d = ProbeFixtures.state()
        #expect(!d.screen.text.contains("demo-token"))
        d.press(.down, .down, .down, .down, .enter)
        #expect(!d.screen.text.contains("demo-token"))
    }

    @Test func aTemplateIsShownAsWritten() {
        var s = ProbeFixtures.state()
        s.press(.right, .down, .down, .down, .down, .enter)
        s.type("Authorization: Bearer ${env:TOKEN}")
        s.press(.enter)
        #expect(s.screen.text.contains("Authorization: Bearer ${env:TOKEN}"))
        s.press(.enter)
        #expect(s.screen.text.contains("Authorization: Bearer ${env:TOKEN}"), "and while editing it")
    }

    @Test func responseHeadersAndEchoedSecretsAreMasked() {
        var s = ProbeFixtures.state(width: 200, height: 60)
        s.probeAndFinish { spec in
            ProbeFixtures.outcome(spec, status: 401, reason: "Unauthorized",
                                  headers: [("Content-Type", "application/json"), ("Set-Cookie", "session=sk-live-cookie; HttpOnly"),
                                            ("X-Echo", "got sk-live-resolved"), ("WWW-Authenticate", "Bearer realm=x")],
                                  body: Array(#"{"error":{"message":"bad token sk-live-resolved","type":"invalid_request_error","code":"invalid_api_key"}}"#.utf8),
                                  secrets: ["sk-live-resolved"], url: "http://127.0.0.1:8089/bodhi/v1/models?api_key=sk-live-query")
        }
        let found = s.pageUntil("── body")
        #expect(found, "── body")
        let text = s.screen.text
        #expect(text.contains("Set-Cookie: ••••••"))
        #expect(text.contains("X-Echo: got ••••••"))
        #expect(text.contains("api_key=••••••"), "the request line masks credential query parameters")
        #expect(!text.contains("sk-live"))
        s.probe.responseScroll = 0
        #expect(!s.screen.text.contains("sk-live"), "the verdict's message is masked too")
    }

    static let nasty = "A\u{1B}[2J\u{1B}]52;c;cHduZWQ=\u{07}B\u{1B}]0;pwned\u{07}C\u{07}D\u{1B}[31mE\u{9B}2J\u{0}"

    func assertClean(_ s: AppState, sourceLocation: SourceLocation = #_sourceLocation) {
        var s = s
        for (w, h) in [(120, 40), (80, 24), (200, 60)] {
            s.send(.resize(width: w, height: h))
            for scroll in [0, 10, 20, 1000] {
                s.probe.responseScroll = scroll
                let bad = ProbeFixtures.controlCells(s.screen)
                #expect(bad.isEmpty, "control characters on screen at \(w)×\(h), scroll \(scroll): \(bad.prefix(5))", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func escapeSequencesInAJSONResponseNeverReachACell() {
        var s = ProbeFixtures.state()
        let json = JSONValue.object(JSONObject([
            ("error", .object(JSONObject([("message", .string(Self.nasty)), ("type", .string("invalid_request_error")),
                                          ("code", .string("esc" + Self.nasty)), (Self.nasty, .string(Self.nasty))]))),
        ]))
        s.probeAndFinish { spec in
            ProbeFixtures.outcome(spec, status: 400, reason: "Bad" + Self.nasty,
                                  headers: [("Content-Type", "application/json"), ("X-Note", Self.nasty), ("X" + Self.nasty, "v"),
                                            ("x-request-id", Self.nasty)],
                                  body: Array(json.compactText.utf8))
        }
        #expect(s.probe.result?.outcome.verdict?.message?.contains("\u{1B}") == true, "the fixture really carries escapes")
        let text = s.screen.text
        #expect(text.contains("4 Probe"), "the frame is intact")
        #expect(text.contains("HTTP/1.1 400 Bad"))
        #expect(!text.contains("52;c;"), "the OSC 52 payload is dropped, not shown")
        assertClean(s)
    }

    @Test func escapeSequencesInARawBodyNeverReachACell() {
        var s = ProbeFixtures.state()
        let raw = Array(("{\"error\":{\"message\":\"" + Self.nasty + "\"}}\n" + Self.nasty + "\r\n\t end").utf8) + [0xFF, 0xC3, 0x28]
        s.probeAndFinish { spec in
            ProbeFixtures.outcome(spec, status: 502, reason: Self.nasty, headers: [("Content-Type", "text/html")], body: raw)
        }
        #expect(s.screen.text.contains("4 Probe"))
        assertClean(s)
    }

    @Test(arguments: [
        ProbeFailure.tls(.selfSigned(subject: "CN=" + ProbePaneSafetyTests.nasty)),
        ProbeFailure.tls(.wrongHost(host: "127.0.0.1", names: [ProbePaneSafetyTests.nasty])),
        ProbeFailure.tls(.handshake(ProbePaneSafetyTests.nasty)),
        ProbeFailure.other(ProbePaneSafetyTests.nasty),
    ])
    func escapeSequencesInAFailureExplanationNeverReachACell(failure: ProbeFailure) {
        // Certificate names and client error descriptions come from the other side.
        var s = ProbeFixtures.state()
        s.probeAndFinish { ProbeFixtures.outcome($0, status: nil, failure: failure) }
        #expect(s.screen.text.contains("no response"))
        assertClean(s)
    }
}

// MARK: - Large bodies, sizes, availability

@Suite struct ProbePaneLimitsTests {
    @Test func aFiveMebibyteTextBodyRendersQuicklyWithItsSizeAndACut() {
        var s = ProbeFixtures.state()
        let line = String(repeating: "0123456789", count: 9) + "abcdefghi\n"  // 100 bytes
        let body = Array(Array(String(repeating: line, count: (5 << 20) / 100 + 1).utf8).prefix(5 << 20))
        s.probeAndFinish { ProbeFixtures.outcome($0, status: 502, reason: "Bad Gateway", headers: [("Content-Type", "text/plain")], body: body) }
        let clock = ContinuousClock()
        let start = clock.now
        var text = s.screen.text
        let first = clock.now - start
        #expect(first < .seconds(5), "first render of a 5 MiB body took \(first)")
        #expect(text.contains("── body 5.0 MiB") || s.pageUntil("── body 5.0 MiB"))
        // Redrawing on every tick is cheap: the laid-out body is cached.
        let again = clock.now
        for i in 0..<20 { s.send(.tick(UInt64(i) * 100_000_000)); _ = s.screen }
        #expect(clock.now - again < .seconds(5), "20 redraws took \(clock.now - again)")
        let found = s.pageUntil("in all; the first")
        #expect(found, "the size note")
        text = s.screen.text
        #expect(text.contains("… 5.0 MiB in all; the first 64.0 KiB are laid out"))
    }

    @Test func manyShortLinesStillSayHowMuchWasNotShown() {
        var s = ProbeFixtures.state()
        let body = Array(String(repeating: "x\n", count: 5 << 19).utf8)
        s.probeAndFinish { ProbeFixtures.outcome($0, status: 502, reason: "Bad Gateway", headers: [("Content-Type", "text/plain")], body: body) }
        #expect(s.screen.text.contains("── body 5.0 MiB") || s.pageUntil("── body 5.0 MiB"))
        let lines = s.probe.result!.bodyLines(theme: s.theme)
        #expect(lines.count <= ProbeResult.previewLines + 2)
        s.probe.responseScroll = 1_000_000  // the end of the response
        let end = s.screen.text
        #expect(end.contains("only the first \(ProbeResult.previewLines) lines are shown"))
        #expect(end.contains("5.0 MiB in all"))
    }

    @Test func aJSONBodyOverOneMebibyteIsNotPrettyPrintedWhole() throws {
        var s = ProbeFixtures.state()
        var items: [String] = []
        var size = 0
        var i = 0
        while size < (1 << 20) + 100_000 {
            let item = #"{"i":\#(i),"name":"item-\#(i)","tags":["a","b"]}"#
            items.append(item)
            size += item.utf8.count + 1
            i += 1
        }
        let body = Array(("[" + items.joined(separator: ",") + "]").utf8)
        #expect(body.count > 1 << 20)
        let clock = ContinuousClock()
        s.probeAndFinish { ProbeFixtures.outcome($0, status: 200, reason: "OK", body: body) }
        let start = clock.now
        _ = s.screen
        #expect(clock.now - start < .seconds(5))
        let lines = s.probe.result!.bodyLines(theme: s.theme)
        #expect(lines.count <= ProbeResult.previewLines + 2)
        let sawBody = s.pageUntil("── body")
        let bodyHeader = try #require(sawBody ? s.screen.lines.firstIndex { $0.contains("── body") } : nil)
        #expect(s.screen.lines[bodyHeader].contains("MiB"))
        #expect(s.screen.lines[bodyHeader + 1].contains(#"│ [{"i":0,"name":"item-0""#), "shown as text, not pretty-printed")
        let found = s.pageUntil("in all; the first")
        #expect(found, "the size note")

        // A small JSON body is pretty-printed.
        var small = ProbeFixtures.state()
        small.probeAndFinish { ProbeFixtures.outcome($0, status: 200, reason: "OK", body: Array(("[" + items.prefix(50).joined(separator: ",") + "]").utf8)) }
        let foundSmall = small.pageUntil("── body")
        #expect(foundSmall, "── body")
        let sl = small.screen.lines
        let h = try #require(sl.firstIndex { $0.contains("── body") })
        let cells = sl[h + 1].split(separator: "│").map { TerminalText.trimSpaces(String($0)) }
        #expect(cells.contains("["), "pretty JSON starts with a bare bracket: \(sl[h + 1])")
    }

    static let sizes = [(40, 10), (60, 20), (80, 24), (120, 40), (200, 60)]

    @Test(arguments: sizes)
    func thePaneRendersAtEverySize(width: Int, height: Int) {
        var s = ProbeFixtures.state(width: width, height: height)
        func check(_ what: String) {
            let b = s.screen
            #expect(b.width == width && b.height == height)
            #expect(b.lines.allSatisfy { DisplayWidth.of($0) <= width }, "\(what)")
            if let c = b.cursor { #expect(c.x >= 0 && c.x < width && c.y >= 0 && c.y < height, "\(what): cursor \(c)") }
            #expect(b.text.contains("4 Probe"), "\(what) at \(width)×\(height):\n\(b.text)")
        }
        check("the form")
        s.press(.down, .down, .down, .down, .enter)
        check("editing a header")
        s.press(.escape)
        s.press(.char("s"))
        s.send(.tick(ProbeFixtures.sec), .tick(3 * ProbeFixtures.sec))
        check("in flight")
        s.press(.escape)
        s.probeAndFinish { ProbeFixtures.outcome($0) }
        check("a result")
        for _ in 0..<10 { s.press(.pageDown) }
        check("scrolled")

        s.probe.responseScroll = 0
        let lines0 = s.screen.lines
        // The form keeps its selected row (the catalog row, after a result) in view.
        let form0 = lines0.firstIndex { $0.contains("catalog  →") }
        let status0 = lines0.firstIndex { $0.contains("HTTP/1.1 404") }
        if width >= 100 {
            // Side by side: the form's catalog row and the status line are on the same side of the screen.
            #expect(lines0.contains { $0.contains("endpoint ‹") && $0.contains("HTTP/1.1 404") }, "side by side at \(width)×\(height)")
            #expect(form0 != nil)
        } else if height >= 20 {
            // Stacked: the response under the form.
            #expect(form0 != nil && status0 != nil && form0! < status0!, "stacked at \(width)×\(height)")
        }
    }

    @Test func resizingThroughEverySizeKeepsTheStateAndNeverCrashes() {
        var s = ProbeFixtures.state()
        s.probeAndFinish { ProbeFixtures.outcome($0) }
        for (w, h) in Self.sizes + [(20, 6), (0, 0), (1, 1)] + Self.sizes.reversed() {
            s.send(.resize(width: w, height: h))
            _ = s.screen
        }
        s.send(.resize(width: 120, height: 40))
        #expect(s.probe.result != nil)
        #expect(s.screen.text.contains("HTTP/1.1 404 Not Found"))
    }

    @Test func withoutAServiceSendingIsAnErrorAndNothingIsSent() {
        var s = ProbeFixtures.state()
        s.probe.available = false
        let e = s.press(.char("s"))
        #expect(ProbeFixtures.probeCount(e) == 0)
        #expect(s.probe.inFlight == nil)
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("not available") == true)
        #expect(s.screen.lines.last?.contains("probing is not available") == true)
        s.press(.char("G"))
        #expect(s.probe.row == .send)
        #expect(ProbeFixtures.probeCount(s.press(.enter)) == 0)

        let w = s.press(.char("w"))
        #expect(ProbeFixtures.probeCount(w) == 0)
        #expect(s.message?.isError == true)
        #expect(s.probe.watchInterval == nil)
    }
}

/// Issue 12 §2 in the probe pane: an inferred code is a ranked list, a success is a success.
@Suite struct ProbePaneVerdictHonestyTests {
    @Test func aCodeLessEnvelopeShowsCandidatesNotOneCode() {
        var s = ProbeFixtures.state()
        let body = #"{"type":"error","error":{"type":"not_found_error","message":"mcp '01J9Z8K2QXW3' not found"}}"#
        s.probeAndFinish { ProbeFixtures.outcome($0, status: 404, body: Array(body.utf8)) }
        let text = s.screen.text
        #expect(text.contains("catalog   inferred, not sent: 7 candidates (type-mapping); first"))
        #expect(text.contains("because the message has the shape of its example"))
        #expect(text.contains("✓ bodhi/mcp_error-mcp_not_found — No MCP instance matches"))
        #expect(text.contains("catalog  → likeliest of 7: mcp_error-mcp_not…"))
        #expect(text.contains("· bodhi/mcp_error-mcp_server_not_found"))
        #expect(text.contains("e.g. mcp server 'github' not found"))
        // Not the old verdict: one code with its meaning, as if the wire had carried it.
        #expect(!text.contains("catalog   bodhi / "))
        #expect(!text.contains("meaning   "))
    }

    @Test func aSuccessIsShownAsSuccessWithoutRetryAdvice() {
        var s = ProbeFixtures.state()
        let body = #"{"id":"chatcmpl-1","object":"chat.completion","choices":[]}"#
        s.probeAndFinish { ProbeFixtures.outcome($0, status: 200, reason: "OK", body: Array(body.utf8)) }
        let text = s.screen.text
        #expect(text.contains("result    success: HTTP 200, no error; nothing to explain or retry"))
        #expect(!text.contains("retry     "))
        #expect(!text.contains("does not retry"))
        #expect(s.probe.result?.outcome.summary == "200 · success")
    }

    @Test func oneLabelPerRow() {
        var s = ProbeFixtures.state()
        let body = #"{"error":{"message":"x","type":"server_error","code":"internal_error"}}"#
        s.probeAndFinish { ProbeFixtures.outcome($0, status: 500, reason: "Internal Server Error", headers: [("Content-Type", "application/json"), ("x-request-id", "req_123")], body: Array(body.utf8)) }
        let text = s.screen.text
        #expect(text.contains("req id    req_123"))
        // `request` labels two rows only: the form's saved request and the response's request
        // line (the id had a third, `request   req_123`).
        #expect(text.components(separatedBy: "│ request  ").count - 1 == 2, "\(text)")
        #expect(!text.contains("request   req_123"))
    }
}

/// Issue 12 §5: editing a field is visible, and an answer to an older request says so.
@Suite struct ProbePaneEditingCuesTests {
    @Test func theStatusLineSaysAFieldIsBeingEdited() {
        var s = ProbeFixtures.state()
        s.probe.row = .url
        s.press(.enter)
        #expect(s.fieldEditor != nil)
        let status = s.screen.lines.last ?? ""
        #expect(status.contains("EDITING") && status.contains("Enter keep") && status.contains("Esc drop"))
        #expect(s.screen.cursor != nil, "the cursor shows where typing goes")
        s.press(.escape)
        #expect(!(s.screen.lines.last ?? "").contains("EDITING"))
    }

    @Test func anEditAfterAnAnswerMarksItStaleUntilSentAgain() {
        var s = ProbeFixtures.state()
        s.probeAndFinish { ProbeFixtures.outcome($0) }
        #expect(!s.probe.resultIsStale)
        #expect(!s.screen.text.contains("stale:"))
        s.probe.row = .method
        s.press(.enter)
        s.press(.ctrl("u"))
        s.type("PUT")
        s.press(.enter)
        #expect(s.probe.draft.method == "PUT")
        #expect(s.probe.resultIsStale)
        #expect(s.screen.text.contains("stale: the request was edited after this answer; s sends it again"))
        s.probeAndFinish { ProbeFixtures.outcome($0) }
        #expect(!s.probe.resultIsStale)
    }

    @Test func enterOnAHeaderEditsThatHeader() {
        var s = ProbeFixtures.state()
        let before = s.probe.draft.headers
        #expect(!before.isEmpty)
        s.probe.row = .header(0)
        s.press(.enter)
        #expect(s.fieldEditor?.text == "\(before[0].name): \(before[0].value)")
        s.press(.escape)
        #expect(s.probe.draft.headers.count == before.count, "nothing appended")
    }
}

/// Issue 12 §4: `c` copies the request as curl through OSC 52, secrets as variables.
@Suite struct ProbePaneCurlTests {
    @Test func cCopiesTheFormAsCurlWithSecretsLeftAsVariables() throws {
        var s = ProbeFixtures.state()
        let effects = s.press(.char("c"))
        guard case .copy(let text)? = effects.first else { Issue.record("no copy: \(effects)"); return }
        #expect(text.hasPrefix("curl -sS -i"))
        #expect(text.contains(ProbeFixtures.base))
        #expect(text == CurlCommand.make(s.probe.draft))
        // The fixture's Authorization header is a literal credential: masked in the copy.
        #expect(!text.contains("demo-token"))
        #expect(text.contains("Authorization: "))
        #expect(s.message?.text.hasPrefix("copied the request as curl") == true)
    }
}

/// A code on the wire that no catalog knows: the nearest entry is offered as such, not as the answer.
@Suite struct ProbePaneUnknownCodeTests {
    @Test func theNearestEntryIsSaidToBeNearest() {
        var s = ProbeFixtures.state()
        let body = #"{"error":{"message":"x","type":"invalid_request_error","code":"escape_sequences"}}"#
        s.probeAndFinish { ProbeFixtures.outcome($0, status: 400, reason: "Bad Request", body: Array(body.utf8)) }
        let text = s.screen.text
        #expect(text.contains("`escape_sequences` is in no catalog; nearest by"))
        #expect(text.contains("catalog  → nearest (not the code):"))
        #expect(!text.contains("meaning   "))
    }
}
