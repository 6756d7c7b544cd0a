import ErrscopeBundled
import ErrscopeCore
import ErrscopeDemo
import ErrscopeProbe
import ErrscopeProbeClient
import Foundation
import Testing

/// The probe against the demo server on 127.0.0.1, in this process: real sockets, real HTTP.
let probeCatalog = CatalogSources(bundled: BundledCatalogData.files, userDirectory: nil, extra: []).load()

/// One demo server for the whole suite (started on first use, on a free port).
actor SharedDemo {
    static let shared = SharedDemo()
    private var port: Int?
    private var server: DemoServer?

    func start() async throws -> Int {
        if let port { return port }
        // A high limit: these tests send many requests; the rate limiter is tested with x-demo-burst.
        let s = try DemoServer(catalog: probeCatalog, requestsPerSecond: 10_000)
        let p = try await s.start()
        server = s
        port = p
        return p
    }
}

func demoConfig() async throws -> (EndpointsConfig, Int) {
    let port = try await SharedDemo.shared.start()
    let c = EndpointsConfig.parse(DemoServer.endpointsYAML(port: port), file: "demo")
    #expect(c.problems.isEmpty, "\(c.problems)")
    return (c, port)
}

func probe(_ spec: ProbeSpec, resolver: SecretResolver = SecretResolver(environment: [:])) async -> ProbeOutcome {
    await Prober(catalog: probeCatalog, resolver: resolver).run(spec)
}

func spec(_ c: EndpointsConfig, _ endpoint: String, _ request: String?) throws -> ProbeSpec {
    let e = try #require(c.endpoint(named: endpoint))
    let r = try request.map { try #require(e.request(named: $0), "\(endpoint) has no request \($0)") }
    return ProbeSpec(endpoint: e, request: r)
}

@Suite("Probe against the demo server", .serialized)
struct ProbeClientTests {
    /// Every seed system: its triggers come back decoded to the catalog code the demo rendered,
    /// in the envelope its path promises.
    @Test(arguments: ["bodhi", "scaigrid", "worldflow-synapse", "devsphere", "jan-server"])
    func everySeedSystemEndToEnd(system: String) async throws {
        let (c, _) = try await demoConfig()
        let e = try #require(c.endpoint(named: "\(system)-demo"))
        #expect(e.system == system)
        var checked = 0
        for r in e.requests {
            let o = await probe(ProbeSpec(endpoint: e, request: r))
            #expect(o.failure == nil, "\(system)/\(r.name): \(o.failure?.explanation ?? "")")
            let resp = try #require(o.response, "\(system)/\(r.name)")
            let v = try #require(o.verdict)
            #expect(o.timings.totalMs > 0 && o.timings.totalMs < 60_000)
            #expect(o.timings.firstByteMs != nil && o.timings.connectMs != nil)
            if resp.status >= 400 {
                checked += 1
                // The body is in a known envelope, and that is the one the path expects.
                #expect(v.envelope != ErrorDecoder.envelopeNone, "\(system)/\(r.name) \(resp.status): \(String(decoding: resp.body, as: UTF8.self))")
                if let expected = v.expectedEnvelope {
                    #expect(v.envelope == expected || v.alternatives.contains(expected), "\(system)/\(r.name): \(v.envelope) vs \(expected)")
                }
                #expect(v.bestMatch != nil, "\(system)/\(r.name) has no catalog match")
                #expect(o.exitCode == Int32(resp.status / 100))
            } else {
                #expect(o.exitCode == 0)
            }
        }
        #expect(checked >= 3)
    }

    @Test func bodhiUnknownModelIsAliasNotFound() async throws {
        let (c, _) = try await demoConfig()
        let o = await probe(try spec(c, "bodhi-demo", "unknown-model"))
        #expect(o.response?.status == 404)
        #expect(o.verdict?.code == "data_service_error-alias_not_found")
        #expect(o.verdict?.bestMatch?.entry.code == "data_service_error-alias_not_found")
        #expect(o.exitCode == 4)
    }

    @Test func scaigridUnknownModelAndRetryHeaders() async throws {
        let (c, _) = try await demoConfig()
        let o = await probe(try spec(c, "scaigrid-demo", "unknown-model"))
        #expect(o.verdict?.code == "MODEL_NOT_FOUND")
        let limited = await probe(try spec(c, "scaigrid-demo", "rate-limited"))
        #expect(limited.response?.status == 429)
        #expect(limited.verdict?.retry.retryable == true)
        #expect((limited.verdict?.retry.afterSeconds ?? 0) > 0)
        #expect(limited.exitCode == 4)
    }

    @Test func anthropicPathOfBodhiDropsTheCode() async throws {
        let (c, port) = try await demoConfig()
        var s = ProbeSpec(url: "http://127.0.0.1:\(port)/bodhi/anthropic/v1/messages", baseURL: "http://127.0.0.1:\(port)/bodhi",
                          headers: [("Authorization", "Bearer demo-token"), ("Content-Type", "application/json")],
                          body: #"{"model":"no-such-model","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"#, system: "bodhi")
        s.method = "POST"
        #expect(s.envelopePath == "/anthropic/v1/messages")
        let o = await probe(s)
        #expect(o.verdict?.envelope == "anthropic")
        #expect(o.verdict?.expectedEnvelope == "anthropic")
        _ = c
    }

    @Test func connectionRefusedIsExplained() async throws {
        // A port that was free a moment ago: nothing listens there.
        let port = try freePort()
        let o = await probe(ProbeSpec(url: "http://127.0.0.1:\(port)/"))
        #expect(o.response == nil)
        #expect(o.failure == .refused(host: "127.0.0.1:\(port)"), "\(String(describing: o.failure))")
        #expect(o.exitCode == 1)
        #expect(o.failure?.explanation.contains("nothing is listening") == true)
    }

    @Test func totalTimeoutStopsASlowServer() async throws {
        let (c, _) = try await demoConfig()
        var s = try spec(c, "misbehave", "slow")
        s.totalTimeout = 0.5
        let started = Date()
        let o = await probe(s)
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(o.failure == .totalTimeout(seconds: 0.5), "\(String(describing: o.failure))")
        #expect(o.exitCode == 2)
    }

    @Test func cancelStopsAProbeAtOnce() async throws {
        let (c, _) = try await demoConfig()
        let s = try spec(c, "misbehave", "slow")
        let cancel = ProbeCancellation()
        let prober = Prober(catalog: probeCatalog, resolver: SecretResolver(environment: [:]))
        let started = Date()
        Task { try? await Task.sleep(nanoseconds: 200_000_000); cancel.cancel() }
        let o = await prober.run(s, cancel: cancel)
        #expect(o.failure == .cancelled, "\(String(describing: o.failure))")
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func hugeBodyIsCutAtTheCap() async throws {
        let (c, _) = try await demoConfig()
        var s = try spec(c, "misbehave", "huge")
        s.maxBody = 1 << 20
        let o = await probe(s)
        let r = try #require(o.response)
        #expect(r.truncated)
        #expect(r.body.count == 1 << 20)
        #expect(o.failure == nil)
        #expect(o.verdict?.truncatedAt == 1 << 20)
    }

    @Test func connectionResetMidBodyKeepsWhatArrived() async throws {
        let (c, _) = try await demoConfig()
        let o = await probe(try spec(c, "misbehave", "reset"))
        #expect(o.response != nil)
        guard case .closedMidBody(let received, _)? = o.failure else {
            Issue.record("expected closedMidBody, got \(String(describing: o.failure))")
            return
        }
        #expect(received > 0 && received < 100_000)
        #expect(o.exitCode == 1)
    }

    @Test func redirectsAreShownNotFollowedUnlessAsked() async throws {
        let (c, _) = try await demoConfig()
        var s = try spec(c, "misbehave", "redirect-loop")
        let shown = await probe(s)
        #expect(shown.response?.status == 302)
        #expect(shown.response?.header("location") != nil)
        #expect(shown.exitCode == 3)
        s.followRedirects = true
        let followed = await probe(s)
        guard case .redirectLoop? = followed.failure else {
            Issue.record("expected a redirect loop, got \(String(describing: followed.failure))")
            return
        }
        #expect(followed.exitCode == 6)
    }

    @Test func htmlAndInvalidUTF8AreDecodedWithoutCrashing() async throws {
        let (c, _) = try await demoConfig()
        let html = await probe(try spec(c, "misbehave", "html-502"))
        #expect(html.response?.status == 502)
        #expect(html.verdict?.envelope == ErrorDecoder.envelopeNone)
        #expect(html.verdict?.bodyKind == .html)
        #expect(html.exitCode == 5)
        let bad = await probe(try spec(c, "misbehave", "invalid-utf8"))
        #expect(bad.response != nil)
        #expect(bad.verdict != nil)
    }

    @Test func secretsAreResolvedSentAndMasked() async throws {
        let (_, port) = try await demoConfig()
        let s = ProbeSpec(method: "GET", url: "http://127.0.0.1:\(port)/bodhi/v1/models", baseURL: "http://127.0.0.1:\(port)/bodhi",
                          headers: [("Authorization", "Bearer ${env:DEMO_TOKEN}")], system: "bodhi")
        let o = await probe(s, resolver: SecretResolver(environment: ["DEMO_TOKEN": "demo-token"]))
        #expect(o.response?.status == 200, "the resolved token was sent")
        #expect(o.requestHeaders.first?.value == "Bearer ••••••")
        // ${cmd:} runs a real shell from a concurrency-pool thread, as in the TUI.
        var viaCommand = s
        viaCommand.headers = [("Authorization", "Bearer ${cmd:printf demo-token}")]
        let cmd = await probe(viaCommand, resolver: SecretResolver(environment: [:]))
        #expect(cmd.response?.status == 200, "\(String(describing: cmd.failure))")
        #expect(cmd.requestHeaders.first?.value == "Bearer ••••••")
        let missing = await probe(s, resolver: SecretResolver(environment: [:]))
        #expect(missing.response == nil)
        #expect(missing.failure?.explanation.contains("DEMO_TOKEN") == true)
    }
}

/// A TCP port nothing listens on (bound, then released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw ProbeSpecError("cannot find a free port") }
    return Int(UInt16(bigEndian: addr.sin_port))
}
