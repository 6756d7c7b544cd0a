import ErrscopeCore
import ErrscopeProbe
import Foundation
import Testing

@Suite("endpoints.yaml, secrets, masking, curl")
struct ProbeModelTests {
    static let example = """
        endpoints:
          bodhi-local:
            url: http://127.0.0.1:1135
            system: bodhi
            headers:
              Authorization: Bearer ${env:BODHI_TOKEN}
            timeouts: {connect: 2, total: 10}
            max_body: 1024
            requests:
              bad-model:
                method: post
                path: anthropic/v1/messages
                query: {beta: "true", q: "a b&c"}
                headers: {anthropic-version: "2023-06-01"}
                json: {model: no-such-model, max_tokens: 8}
              raw:
                path: /v1/chat/completions
                body: '{"model": '
          literal:
            url: https://api.example.com
            headers: {x-api-key: sk-live-123456}
          broken:
            system: bodhi
          bad-url:
            url: ftp://x
        """

    @Test func parsesEndpointsAndRequests() throws {
        let c = EndpointsConfig.parse(Self.example, file: "e.yaml")
        #expect(c.endpoints.map(\.name) == ["bodhi-local", "literal"])
        #expect(c.problems.contains { $0.contains("endpoint `broken`") && $0.contains("url") })
        #expect(c.problems.contains { $0.contains("bad-url") && $0.contains("http://") })
        let e = try #require(c.endpoint(named: "bodhi-local"))
        #expect(e.connectTimeout == 2 && e.totalTimeout == 10 && e.maxBody == 1024 && !e.insecure)
        let r = try #require(e.request(named: "bad-model"))
        #expect(r.method == "POST" && r.path == "/anthropic/v1/messages" && r.bodyIsJSON)
        let spec = ProbeSpec(endpoint: e, request: r)
        #expect(spec.url == "http://127.0.0.1:1135/anthropic/v1/messages?beta=true&q=a%20b%26c")
        #expect(spec.envelopePath == "/anthropic/v1/messages")
        #expect(spec.label == "bodhi-local/bad-model")
        #expect(spec.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
        #expect(spec.body == #"{"model":"no-such-model","max_tokens":8}"#)
        let raw = ProbeSpec(endpoint: e, request: try #require(e.request(named: "raw")))
        #expect(raw.method == "POST" && raw.body == #"{"model": "#)
    }

    @Test func badYAMLIsAMessageNotACrash() {
        #expect(!EndpointsConfig.parse("endpoints: [", file: "x").problems.isEmpty)
        #expect(!EndpointsConfig.parse("- 1\n- 2", file: "x").problems.isEmpty)
        #expect(EndpointsConfig.parse("", file: "x").problems.isEmpty)
    }

    @Test func anAliasBombInEndpointsIsRefusedAtOnce() {
        var bomb = [#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for i in 1...9 { bomb.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
        bomb.append("endpoints: {x: {base_url: \"http://h\", headers: {a: *a9}}}")
        let start = ContinuousClock.now
        let c = EndpointsConfig.parse(bomb.joined(separator: "\n"), file: "endpoints.yaml")
        #expect(ContinuousClock.now - start < .seconds(8))  // unbounded: tens of seconds
        #expect(c.problems.count == 1 && c.problems[0].hasPrefix("endpoints.yaml:6:") && c.problems[0].contains("alias"), "\(c.problems)")
    }

    @Test func literalSecretInAReadableFileIsWarnedAbout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-ep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("endpoints.yaml").path
        FileManager.default.createFile(atPath: path, contents: Data(Self.example.utf8), attributes: [.posixPermissions: 0o644])
        let open = EndpointsConfig.load(path: path)
        #expect(open.warnings.count == 1)
        #expect(open.warnings.first?.contains("literal") == true && open.warnings.first?.contains("x-api-key") == true)
        #expect(open.warnings.first?.contains("sk-live") == false, "the warning must not print the secret")
        chmod(path, 0o600)
        #expect(EndpointsConfig.load(path: path).warnings.isEmpty)
        #expect(EndpointsConfig.load(path: dir.appendingPathComponent("missing.yaml").path) == EndpointsConfig())
    }

    @Test func resolvesEnvAndCommandSecrets() throws {
        let r = SecretResolver(environment: ["TOKEN": "s3cret-token"])
        #expect(try r.resolve("Bearer ${env:TOKEN}", where: "h") == "Bearer s3cret-token")
        #expect(try r.resolve("${cmd:printf 'from-cmd\\n'}", where: "h") == "from-cmd")
        #expect(try r.resolve("${cmd:echo '{nested}'}", where: "h") == "{nested}")
        #expect(r.secrets.contains("s3cret-token") && r.secrets.contains("from-cmd"))
        #expect(throws: SecretResolver.Failure.unsetVariable("NOPE", where: "h")) { try r.resolve("${env:NOPE}", where: "h") }
        #expect(throws: SecretResolver.Failure.self) { try r.resolve("${cmd:exit 3}", where: "h") }
        #expect(throws: SecretResolver.Failure.unterminated(where: "h")) { try r.resolve("${env:X", where: "h") }
        #expect(throws: SecretResolver.Failure.unknownSource("file", where: "h")) { try r.resolve("${file:/x}", where: "h") }
    }

    @Test func commandSecretsRunOnceAndTheirValuesAreMasked() throws {
        let runs = Counter()
        let r = SecretResolver(environment: [:]) { _, _ in runs.increment(); return BoundedCommand.Result(ending: .exited(0), output: "tok-12345\n", error: "") }
        for _ in 0..<3 { _ = try r.resolve("${cmd:pass show x}", where: "h") }
        #expect(runs.value == 1)
        let spec = ProbeSpec(url: "http://h/x?key=${cmd:pass show x}&q=1", headers: [("X-Custom", "${cmd:pass show x}")], body: #"{"t":"${cmd:pass show x}"}"#)
        let resolved = try spec.resolve(with: r)
        #expect(resolved.url == "http://h/x?key=tok-12345&q=1")
        #expect(resolved.displayURL == "http://h/x?key=••••••&q=1")
        #expect(resolved.displayHeaders.first?.value == "••••••")
        #expect(resolved.displayBody == #"{"t":"••••••"}"#)
    }

    @Test func credentialHeadersAreMaskedEvenWhenLiteral() {
        let m = Redactor()
        #expect(m.header("Authorization", "Bearer sk-abc") == "Bearer ••••••")
        #expect(m.header("x-api-key", "sk-abc") == "••••••")
        #expect(m.header("X-Goog-Api-Key", "AIza") == "••••••")
        #expect(m.header("Set-Cookie", "sid=1") == "••••••")
        #expect(m.header("Content-Type", "application/json") == "application/json")
        #expect(m.url("https://h/p?api_key=abc&x=1#f") == "https://h/p?api_key=••••••&x=1#f")
    }

    @Test func secretsAreMaskedInTheFormsABodyOrURLCarriesThem() {
        let r = Redactor(secrets: ["tok/with\"quote"])
        #expect(r.text(#"{"echo":"tok\/with\"quote"}"#) == #"{"echo":"••••••"}"#)
        #expect(r.text("raw tok/with\"quote") == "raw ••••••")
        #expect(Redactor().url("https://user:pa55@host:8443/p?x=1") == "https://••••••@host:8443/p?x=1")
        #expect(Redactor().url("https://host/p@x") == "https://host/p@x")
        #expect(!CurlCommand.make(ProbeSpec(url: "https://h/v1?key=AIzaSECRET")).contains("AIzaSECRET"))
    }

    @Test func absurdRetryDelaysDoNotCrash() {
        let req = ResolvedProbe(spec: ProbeSpec(url: "http://h/"), url: "http://h/", headers: [], body: nil, redactor: Redactor())
        for value in ["1e300", "inf", "nan", "-5", "99999999999999999999"] {
            var o = ProbeOutcome(request: req, startedAt: Date(), response: ProbeResponse(status: 429, reason: "Too Many Requests",
                                 headers: [("Retry-After", value)], body: Array(#"{"error":{"message":"slow down","type":"rate_limit_error"}}"#.utf8)),
                                 failure: nil, timings: ProbeTimings(totalMs: 1))
            o.decode(with: ErrorDecoder(catalog: probeCatalog))
            #expect(!o.summary.isEmpty)
            if let s = o.verdict?.retry.afterSeconds { #expect(s.isFinite && s <= 7 * 86400) }
        }
    }

    @Test func curlCommandKeepsSecretsOut() throws {
        let c = EndpointsConfig.parse(Self.example, file: "e.yaml")
        let e = try #require(c.endpoint(named: "bodhi-local"))
        let curl = CurlCommand.make(ProbeSpec(endpoint: e, request: e.request(named: "bad-model")))
        #expect(curl.contains(#"-H "Authorization: Bearer ${BODHI_TOKEN}""#), "\(curl)")
        #expect(curl.contains("-X POST") == false, "POST is implied by the body")
        #expect(curl.contains(#"--data-raw '{"model":"no-such-model","max_tokens":8}'"#))
        #expect(curl.contains("--connect-timeout 2 --max-time 10"))
        let literal = CurlCommand.make(ProbeSpec(endpoint: try #require(c.endpoint(named: "literal")), request: nil))
        #expect(!literal.contains("sk-live"))
        #expect(literal.contains("x-api-key: ••••••"))
        let cmd = CurlCommand.make(ProbeSpec(url: "http://h/", headers: [("Authorization", "Bearer ${cmd:pass show \"a\"}")]))
        // Inside double quotes, $( ) starts a new quoting context: the inner quotes stay as written.
        #expect(cmd.contains(#""Authorization: Bearer $(pass show "a")""#), "\(cmd)")
        #expect(CurlCommand.make(ProbeSpec(url: "http://h/it's")).contains(#"'http://h/it'\''s'"#))
    }

    @Test func badRequestsAreRefusedBeforeSending() {
        let r = SecretResolver(environment: ["NL": "a\nb"])
        #expect(throws: ProbeSpecError.self) { try ProbeSpec(url: "file:///etc/passwd").resolve(with: r) }
        #expect(throws: ProbeSpecError.self) { try ProbeSpec(url: "http://h/", headers: [("X", "${env:NL}")]).resolve(with: r) }
        #expect(throws: ProbeSpecError.self) { try ProbeSpec(url: "http://h/", headers: [("Bad Name", "v")]).resolve(with: r) }
        var s = ProbeSpec(url: "http://h/")
        s.method = "GE T"
        #expect(throws: ProbeSpecError.self) { try s.resolve(with: r) }
    }

    @Test func exitCodesFollowXh() {
        func outcome(_ status: Int?, _ failure: ProbeFailure?) -> ProbeOutcome {
            let req = ResolvedProbe(spec: ProbeSpec(url: "http://h/"), url: "http://h/", headers: [], body: nil, redactor: Redactor())
            return ProbeOutcome(request: req, startedAt: Date(), response: status.map { ProbeResponse(status: $0, reason: "", headers: [], body: []) },
                                failure: failure, timings: ProbeTimings(totalMs: 1))
        }
        #expect(outcome(200, nil).exitCode == 0)
        #expect(outcome(302, nil).exitCode == 3)
        #expect(outcome(429, nil).exitCode == 4)
        #expect(outcome(503, nil).exitCode == 5)
        #expect(outcome(nil, .totalTimeout(seconds: 1)).exitCode == 2)
        #expect(outcome(nil, .connectTimeout(seconds: 1)).exitCode == 2)
        #expect(outcome(nil, .refused(host: "h:1")).exitCode == 1)
        #expect(outcome(nil, .redirectLoop("x")).exitCode == 6)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
