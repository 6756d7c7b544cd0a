import ErrscopeCore
import ErrscopeJournal
import ErrscopeProbe
import ErrscopeProbeClient
import Foundation
import Testing

/// A hostile server on 127.0.0.1 that echoes every credential it is sent back in every form it
/// can: `\u`-escaped in the error code, in a header name, in the reason phrase, Python-escaped in a
/// pasted-log style text, double-encoded inside a JSON string. Raw sockets, so it controls every
/// byte (a framework would not let it put a token in a reason phrase or a header name).
final class HostileEchoServer: Sendable {
    let server: RawServer
    var port: Int { server.port }
    var requests: Int { server.requests }

    init() throws { server = try RawServer.answeringHead(HostileEchoServer.answer) }

    /// Every credential-looking thing in the request head.
    static func credentials(_ head: String) -> [String] {
        var out: [String] = []
        let lines = head.components(separatedBy: "\r\n")
        if let target = lines.first?.split(separator: " ").dropFirst().first, let q = target.firstIndex(of: "?") {
            for pair in target[target.index(after: q)...].split(separator: "&") {
                if let eq = pair.firstIndex(of: "=") { out.append(String(pair[pair.index(after: eq)...]).removingPercentEncoding ?? "") }
            }
        }
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard ["authorization", "x-api-key", "api-key"].contains(name) else { continue }
            if let sp = value.firstIndex(of: " "), value.lowercased().hasPrefix("bearer") || value.lowercased().hasPrefix("basic") {
                let scheme = value[..<sp].lowercased()
                value = String(value[value.index(after: sp)...])
                if scheme == "basic", let d = Data(base64Encoded: value), let s = String(data: d, encoding: .utf8) {
                    out.append(s)
                    if let c = s.firstIndex(of: ":") { out.append(String(s[s.index(after: c)...])) }
                }
            }
            out.append(value)
        }
        return out.filter { !$0.isEmpty }
    }

    static func uEscaped(_ s: String) -> String { s.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined() }
    static func pyEscaped(_ s: String) -> String { s.unicodeScalars.map { String(format: "\\x%02x", $0.value) }.joined() }

    static func answer(_ text: String) -> [UInt8] {
        let path = RawServer.path(of: text)
        let token = credentials(text).max { $0.count < $1.count } ?? "none"
        let u = uEscaped(token)
        var headers = "X-Echo-\(token.filter { $0.isLetter || $0.isNumber || $0 == "-" }): 1\r\nX-Your-Key: \(token)\r\n"
        let body: String
        switch path {
        case "/python":
            headers += "Content-Type: text/plain\r\n"
            body = "Error code: 401 - {'error': {'message': 'Incorrect API key provided: \(pyEscaped(token))', 'type': 'invalid_request_error', 'code': '\(pyEscaped(token))'}}"
        case "/nested":
            headers += "Content-Type: application/json\r\n"
            let inner = #"{\"error\":{\"code\":\"invalid_api_key\",\"type\":\"invalid_request_error\",\"message\":\"bad key \#(u.replacingOccurrences(of: "\\", with: "\\\\"))\"}}"#
            body = #"{"error":{"message":"Provider returned error","code":502,"metadata":{"raw":"\#(inner)","provider_name":"Echo"}}}"#
        case "/stream":
            headers += "Content-Type: text/event-stream\r\n"
            body = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"\(u)\",\"message\":\"key \(u)\"}}\n\n"
        default:
            headers += "Content-Type: application/json\r\n"
            body = #"{"error":{"message":"Incorrect API key provided: \#(u)","type":"invalid_request_error","param":null,"code":"\#(u)"}}"#
        }
        let status = path == "/stream" ? "200 OK \(token)" : "401 Unauthorized \(token)"
        return Array("HTTP/1.1 \(status)\r\n\(headers)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    }
}

/// A probe's outcome as every output sees it: the verdict's fields, the summary, the JSON, the
/// journal entry. None may contain the token.
private func everyText(_ o: ProbeOutcome) -> [String] {
    var out = [o.summary, o.failure?.explanation ?? "", o.response?.reason ?? "", String(decoding: o.displayBody, as: UTF8.self)]
    out += o.displayResponseHeaders.flatMap { [$0.name, $0.value] }
    out += o.requestHeaders.flatMap { [$0.name, $0.value] } + [o.url]
    if let v = o.verdict {
        out.append(JSONValue.object(v.fields).compactText)
        var layer: DecodeResult? = v
        while let l = layer {
            out += [l.code, l.type, l.status, l.message, l.reasonText, l.requestID].compactMap { $0 }
            out += l.stream?.eventTexts ?? []
            layer = l.upstream
        }
    }
    return out
}

@Suite("Secrets a hostile server echoes back", .serialized)
struct SecretEchoTests {
    static let token = "sk-echo-0123456789abcdef"

    @Test(arguments: ["/escaped", "/python", "/nested", "/stream"])
    func echoedTokenIsMaskedEverywhere(path: String) async throws {
        let server = try HostileEchoServer()
        let spec = ProbeSpec(method: "GET", url: "http://127.0.0.1:\(server.port)\(path)", headers: [("Authorization", "Bearer ${env:T}")])
        let o = await probe(spec, resolver: SecretResolver(environment: ["T": Self.token]))
        #expect(o.response != nil, "\(String(describing: o.failure))")
        let v = try #require(o.verdict)
        // The escapes decoded into the token: the verdict shows the mask instead.
        // (A body in openai-python's print form is text from a server, not an SDK print: it is
        // not decoded, and its `\x` escapes stay escaped.)
        if path != "/python" { #expect(v.code != nil || v.type != nil || v.upstream != nil, "\(path): decoded something") }
        for t in everyText(o) { #expect(!t.contains(Self.token), "\(path): \(t)") }
        #expect(everyText(o).contains { $0.contains(Redactor.mask) })
    }

    @Test func literalCredentialsAreMaskedWhenEchoed() async throws {
        let server = try HostileEchoServer()
        let base = "http://127.0.0.1:\(server.port)/escaped"
        // -H written literally, an x-api-key, and ?api_key= in the URL.
        for spec in [ProbeSpec(method: "GET", url: base, headers: [("Authorization", "Bearer \(Self.token)")]),
                     ProbeSpec(method: "GET", url: base, headers: [("x-api-key", Self.token)]),
                     ProbeSpec(method: "GET", url: base + "?api_key=\(Self.token)", headers: [])]
        {
            let o = await probe(spec)
            #expect(o.response?.status == 401)
            for t in everyText(o) { #expect(!t.contains(Self.token), "\(spec.url) \(spec.headers): \(t)") }
        }
    }

    @Test func aTokenWithWindowsLineEndIsRefusedBeforeSending() async throws {
        let server = try HostileEchoServer()
        let spec = ProbeSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/escaped", headers: [("Authorization", "Bearer ${env:T}")])
        let o = await probe(spec, resolver: SecretResolver(environment: ["T": Self.token + "\r\n"]))
        #expect(o.response == nil)
        let explanation = try #require(o.failure?.explanation)
        #expect(explanation.contains("line break"), "\(explanation)")
        #expect(!explanation.contains(Self.token))
        #expect(server.requests == 0, "nothing was sent")
        // A command's CRLF output is trimmed like its LF output: the token is sent, then masked.
        var viaCommand = spec
        viaCommand.headers = [("Authorization", "Bearer ${cmd:printf '\(Self.token)\\r\\n'}")]
        let cmd = await probe(viaCommand)
        #expect(cmd.response?.status == 401, "\(String(describing: cmd.failure))")
        for t in everyText(cmd) { #expect(!t.contains(Self.token), "\(t)") }
    }

    @Test func shortSecretsWarnAndDoNotMangleOtherWords() async throws {
        let resolver = SecretResolver(environment: ["T": "tok"])
        _ = try resolver.resolve("Bearer ${env:T}", where: "header Authorization")
        #expect(resolver.warnings.count == 1)
        #expect(resolver.warnings.first?.contains("3 characters") == true)
        #expect(resolver.warnings.first?.contains("tok") == false, "the warning never shows the value")
        let r = Redactor(secrets: resolver.secrets)
        #expect(r.text("token_error-invalid_token") == "token_error-invalid_token")
        #expect(r.text("the key tok was refused") == "the key \(Redactor.mask) was refused")
        #expect(r.text(#"{"key":"tok"}"#) == #"{"key":"\#(Redactor.mask)"}"#)
        // Through a probe: the warning reaches the outcome, and catalog words stay whole.
        let server = try HostileEchoServer()
        let o = await probe(ProbeSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/escaped", headers: [("Authorization", "Bearer ${env:T}")]),
                            resolver: SecretResolver(environment: ["T": "tok"]))
        #expect(o.warnings.count == 1)
        #expect(o.verdict?.type == "invalid_request_error")
    }

    @Test func percentEncodedEchoesAreMasked() {
        let token = "sk/abc+def=ghi-0123456789"
        let r = Redactor(secrets: [token])
        for form in ["https://x.test/?key=sk%2Fabc%2Bdef%3Dghi-0123456789", "next=sk%2Fabc%2Bdef%3Dghi%2D0123456789"] {
            #expect(!r.text(form).contains("0123456789"), "\(form) -> \(r.text(form))")
        }
    }

    @Test func redactorUnescapesJSONStringsAtAnyDepth() {
        let r = Redactor(secrets: [Self.token])
        let u = HostileEchoServer.uEscaped(Self.token)
        let plain = Array(#"{"code":"\#(u)","n":1,"ok":"caf\u00e9"}"#.utf8)
        let masked = String(decoding: r.bytes(plain), as: UTF8.self)
        #expect(masked == #"{"code":"\#(Redactor.mask)","n":1,"ok":"caf\u00e9"}"#, "only the literal with the secret is rewritten")
        let nested = #"{"raw":"{\"code\":\"\#(u.replacingOccurrences(of: "\\", with: "\\\\"))\"}"}"#
        let out = String(decoding: r.bytes(Array(nested.utf8)), as: UTF8.self)
        #expect(!out.contains("\\u0073\\u006b") && out.contains(Redactor.mask), "\(out)")
        // Still valid JSON, with the inner document intact.
        let parsed = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        #expect((parsed?["raw"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } != nil)
        // Text without secrets is returned byte for byte.
        let other = Array(#"{"a":"\u0041\n"}"#.utf8)
        #expect(r.bytes(other) == other)
    }

    /// The binary, every output: human, --json, watch lines, and the journal's list, show and
    /// export (the journal stores what the probe printed, so a leak there outlives the terminal).
    @Test(.enabled(if: Binary.available)) func theBinaryNeverPrintsOrStoresTheToken() async throws {
        let server = try HostileEchoServer()
        let dir = try TempDir()
        let journal = ["--journal", dir.file("j.sqlite")]
        let env = ["T": Self.token]
        var outputs: [Binary.Result] = []
        for path in ["/escaped", "/python", "/nested", "/stream"] {
            let url = "http://127.0.0.1:\(server.port)\(path)"
            outputs.append(try Binary.run(["probe", url, "-H", "Authorization: Bearer ${env:T}", "--no-user-catalogs"] + journal, environment: env))
            outputs.append(try Binary.run(["probe", url, "-H", "Authorization: Bearer \(Self.token)", "--json", "--no-user-catalogs"] + journal))
            outputs.append(try Binary.run(["probe", url + "?api_key=\(Self.token)", "--watch", "0.05", "--count", "2", "--no-user-catalogs"] + journal))
        }
        outputs.append(try Binary.run(["journal", "list"] + journal))
        outputs.append(try Binary.run(["journal", "list", "--json"] + journal))
        for id in 1...8 { outputs.append(try Binary.run(["journal", "show", "\(id)"] + journal)) }
        outputs.append(try Binary.run(["journal", "show", "1", "--json"] + journal))
        outputs.append(try Binary.run(["journal", "export", "--markdown"] + journal))
        #expect(outputs.contains { $0.stdout.contains("invalid_request_error") }, "the probes were decoded")
        for r in outputs {
            #expect(!r.stdout.contains(Self.token) && !r.stderr.contains(Self.token), "\(r.stdout)\n\(r.stderr)")
        }
        // The raw database file, too.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("j.sqlite")))
        #expect(bytes.range(of: Data(Self.token.utf8)) == nil)
    }
}
