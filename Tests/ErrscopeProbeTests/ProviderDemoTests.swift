import ErrscopeCore
import ErrscopeDemo
import ErrscopeProbe
import ErrscopeProbeClient
import Foundation
import Testing

/// The demo server's real-provider routes, probed over real sockets: each saved request comes
/// back decoded to the category its name promises, and a stream that fails after N events is
/// read as events, with the timings of the first and the error event.
@Suite("Probe against the demo's real providers", .serialized)
struct ProviderDemoTests {
    /// What each scenario must decode to.
    static let expected: [String: ErrorCategory] = [
        "bad-token": .auth, "unknown-model": .notFound, "context": .contextLength, "rate-limit": .rateLimit, "quota": .quota,
        "overloaded": .overloaded, "content-filter": .contentFilter, "wrapped": .rateLimit, "loading": .unavailable,
    ]

    @Test(arguments: DemoServer.providers)
    func everyScenarioDecodesToItsCategory(provider: String) async throws {
        let (c, _) = try await demoConfig()
        let e = try #require(c.endpoint(named: "\(provider)-demo"))
        #expect(e.system == provider)
        var checked = 0
        for r in e.requests {
            let o = await probe(ProbeSpec(endpoint: e, request: r))
            #expect(o.failure == nil, "\(provider)/\(r.name): \(o.failure?.explanation ?? "")")
            let v = try #require(o.verdict, "\(provider)/\(r.name)")
            if r.name == "ok" {
                #expect(o.response?.status == 200)
                #expect(v.category == nil, "\(provider)/ok is a success, not \(String(describing: v.category))")
                continue
            }
            if r.name == "stream-fail" {
                let st = try #require(v.stream, "\(provider)/stream-fail read as a stream")
                #expect(st.errorIndex == st.events - 1 || (provider == "vertex-ai" && st.errorIndex != nil), "\(provider): \(st)")
                #expect(o.response?.status == 200)
                #expect(v.category != nil, "\(provider)/stream-fail has a category")
                #expect(o.timings.firstEventMs != nil && o.timings.errorEventMs != nil, "\(provider): \(o.timings.text)")
                if let first = o.timings.firstEventMs, let err = o.timings.errorEventMs {
                    // Three content events 20 ms apart come before the error.
                    #expect(err >= first + 40, "\(provider): first \(first) ms, error \(err) ms")
                }
                checked += 1
                continue
            }
            // Where a provider's own catalog says otherwise: Bedrock's capacity error is a 503
            // ServiceUnavailableException. (OpenRouter's 400 "is not a valid model ID" is not_found
            // by a message rule, as a real capture showed.)
            let overrides: [String: ErrorCategory] = ["bedrock/overloaded": .unavailable]
            let want = try #require(overrides["\(provider)/\(r.name)"] ?? Self.expected[r.name], "no expectation for \(provider)/\(r.name)")
            #expect(v.category == want, "\(provider)/\(r.name): \(String(describing: v.category)) (\(v.categoryBasis ?? "-")), want \(want)")
            if want.neverRetryable || want == .auth { #expect(v.retry.retryable == false, "\(provider)/\(r.name)") }
            checked += 1
        }
        #expect(checked >= 2)
    }

    @Test func openRouterWrappedErrorNamesTheUpstream() async throws {
        let (c, _) = try await demoConfig()
        let e = try #require(c.endpoint(named: "openrouter-demo"))
        let wrapped: SavedRequest = try #require(e.request(named: "wrapped"))
        let o = await probe(ProbeSpec(endpoint: e, request: wrapped))
        let v = try #require(o.verdict)
        #expect(v.system == "openrouter")
        let u = try #require(v.upstream)
        #expect(u.system == "openai")
        #expect(u.code == "rate_limit_exceeded")
        #expect(v.category == .rateLimit && v.categoryBasis == "upstream")
        #expect(v.retry.afterSeconds == 1.4)
    }

    @Test func anAdHocURLUnderAnEndpointIsReadRelativeToItsBase() async throws {
        let (c, port) = try await demoConfig()
        // Bodhi's OpenAI-compatible route under the demo's /bodhi prefix is not Bodhi-native.
        var s = ProbeSpec(url: "http://127.0.0.1:\(port)/bodhi/v1/chat/completions")
        s.method = "POST"
        s.body = #"{"model":"no-such-model","messages":[]}"#
        s.headers = [("Authorization", "Bearer demo-token"), ("Content-Type", "application/json")]
        let e = try #require(c.endpoint(containing: s.url))
        #expect(e.name == "bodhi-demo")
        s.baseURL = e.url
        s.system = e.system
        #expect(s.envelopePath == "/v1/chat/completions")
        let o = await probe(s)
        #expect(o.verdict?.expectedEnvelope == "openai")
        #expect(o.verdict?.envelope == "openai")
    }
}
