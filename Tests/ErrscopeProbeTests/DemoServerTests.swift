import ErrscopeBundled
import ErrscopeCore
import ErrscopeDemo
import ErrscopeProbe
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The demo server on 127.0.0.1, driven over real sockets by a small HTTP/1.1 client that runs on
// its own threads (blocking socket calls must not take the concurrency pool the server runs on,
// and it sends exactly the headers given, empty values included, and never follows redirects).

private let demoCatalog = CatalogSources(bundled: BundledCatalogData.files, userDirectory: nil, extra: []).load()

/// What the tests expect of each seed system, written out independently of the server's table.
private struct Expectation: Sendable {
    var system: String
    var missingToken: String
    var invalidToken: String
    var badJSON: String
    var unknownModel: String?
    var rateLimited: String?
    /// A code forced on every envelope path of the system.
    var forced: String
    /// The POST path of the ok / error requests, after the system prefix.
    var mainPath: String
}

private let expectations: [Expectation] = [
    Expectation(system: "bodhi", missingToken: "auth_context_error-anonymous_not_allowed", invalidToken: "token_error-invalid_token",
                badJSON: "serde_json_error-*", unknownModel: "data_service_error-alias_not_found", rateLimited: nil,
                forced: "data_service_error-alias_not_found", mainPath: "/v1/chat/completions"),
    Expectation(system: "scaigrid", missingToken: "AUTH_TOKEN_MISSING", invalidToken: "AUTH_TOKEN_INVALID",
                badJSON: "VALIDATION_ERROR", unknownModel: "MODEL_NOT_FOUND", rateLimited: "RATE_LIMITED",
                forced: "BACKEND_TIMEOUT", mainPath: "/v1/chat/completions"),
    Expectation(system: "worldflow-synapse", missingToken: "authentication_error", invalidToken: "authentication_error",
                badJSON: "invalid_request_error", unknownModel: nil, rateLimited: "rate_limit_error",
                forced: "proxy_error", mainPath: "/v1/chat/completions"),
    Expectation(system: "devsphere", missingToken: "unauthorized", invalidToken: "invalid_api_key",
                badJSON: "bad_request", unknownModel: nil, rateLimited: "rate_limited",
                forced: "insufficient_scope", mainPath: "/api/v1/leads"),
    Expectation(system: "jan-server", missingToken: "INVALID_TOKEN", invalidToken: "INVALID_TOKEN",
                badJSON: "INVALID_REQUEST", unknownModel: "MODEL_NOT_AVAILABLE", rateLimited: "RATE_LIMIT_EXCEEDED",
                forced: "CONVERSATION_NOT_FOUND", mainPath: "/v1/chat/completions"),
]

private let bearer = [("Authorization", "Bearer demo-token")]
private let chatJSON = #"{"model":"demo-model","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"#

// MARK: - A raw HTTP/1.1 client

private struct RawResponse: Sendable {
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// The body reached its Content-Length (or the chunked terminator).
    var complete = false
    /// A socket error while reading (e.g. connection reset).
    var error: String?

    func header(_ name: String) -> String? { headers.last { $0.name.lowercased() == name.lowercased() }?.value }
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
}

private func http(_ port: Int, _ method: String, _ target: String, headers: [(String, String)] = [],
                  body: String? = nil, maxBytes: Int? = nil, timeout: Int = 15) async -> RawResponse
{
    var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (n, v) in headers { head += "\(n): \(v)\r\n" }
    if let body { head += "Content-Length: \(body.utf8.count)\r\n" }
    let request = Array((head + "\r\n" + (body ?? "")).utf8)
    let (bytes, error) = await withCheckedContinuation { (c: CheckedContinuation<([UInt8], String?), Never>) in
        Thread.detachNewThread { c.resume(returning: exchange(port: port, request: request, maxBytes: maxBytes, timeout: timeout)) }
    }
    return parseResponse(bytes, error: error)
}

/// Connects, sends `request`, reads until EOF, an error, or `maxBytes`; blocking, on the caller's thread.
private func exchange(port: Int, request: [UInt8], maxBytes: Int?, timeout: Int) -> ([UInt8], String?) {
    #if os(Linux)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return ([], "socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var tv = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return ([], "connect: \(String(cString: strerror(errno)))") }
    var sent = 0
    while sent < request.count {
        let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return ([], "send: \(String(cString: strerror(errno)))") }
        sent += n
    }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return (out, nil) }
        if n < 0 { return (out, String(cString: strerror(errno))) }
        out += buffer[0..<n]
        if let m = maxBytes, out.count >= m { return (out, nil) }
    }
}

private func parseResponse(_ bytes: [UInt8], error: String?) -> RawResponse {
    var r = RawResponse(error: error)
    let sep: [UInt8] = [13, 10, 13, 10]
    guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == sep }) else { return r }
    let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
    r.status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        r.headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    var body = Array(bytes[(end + 4)...])
    if r.header("transfer-encoding")?.lowercased() == "chunked" {
        var out: [UInt8] = []
        var i = 0
        while let lineEnd = (i..<max(i, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }),
              let size = Int(String(decoding: body[i..<lineEnd], as: UTF8.self), radix: 16)
        {
            if size == 0 { r.complete = true; break }
            let start = lineEnd + 2
            guard start + size <= body.count else { out += body[start...]; break }
            out += body[start..<start + size]
            i = start + size + 2
        }
        body = out
    } else if let cl = r.header("content-length").flatMap(Int.init) {
        r.complete = body.count >= cl
        body = Array(body.prefix(cl))
    } else {
        r.complete = error == nil
    }
    r.body = body
    return r
}

// MARK: - Helpers

private func withServer(requestsPerSecond: Int = 10_000, window: TimeInterval = 1, _ body: (Int) async throws -> Void) async throws {
    let server = try DemoServer(catalog: demoCatalog, requestsPerSecond: requestsPerSecond, window: window)
    let port = try await server.start()
    do {
        try await body(port)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

private func entry(_ system: String, _ code: String) throws -> CodeEntry {
    try #require(demoCatalog.rows(code: code).map(demoCatalog.entry).first { $0.system == system }, "\(system) has no \(code)")
}

/// The path's envelope, as the server chooses it.
private func envelope(_ system: String, _ path: String) -> String {
    let sys = demoCatalog.system(system)!
    return sys.emission(forPath: path)?.envelope ?? sys.defaultEnvelope!
}

private func decode(_ r: RawResponse, system: String, path: String) -> DecodeResult {
    ErrorDecoder(catalog: demoCatalog).decode(DecodeInput(body: r.body, http: r.status, headers: r.headers, path: path, system: system))
}

/// The response is `code` of `system`, rendered in the path's envelope, and decodes back to it.
private func expectError(_ r: RawResponse, system: String, path: String, code: String, envelope expectedEnvelope: String? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) throws
{
    let e = try entry(system, code)
    #expect(r.status == (e.http.primary ?? 500), "status of \(system) \(code)", sourceLocation: sourceLocation)
    #expect(r.header("x-errscope-code") == e.id, sourceLocation: sourceLocation)
    #expect(r.header("x-request-id")?.hasPrefix("req_") == true, sourceLocation: sourceLocation)
    let result = decode(r, system: system, path: path)
    let env = expectedEnvelope ?? envelope(system, path)
    #expect(result.envelope == env, "\(system) \(code) on \(path): \(r.text)", sourceLocation: sourceLocation)
    #expect(result.matches.contains { $0.entry == e }, "\(system) \(code) on \(path) decodes to \(result.matches.prefix(3).map(\.entry.id))",
            sourceLocation: sourceLocation)
    if demoCatalog.system(system)?.emission(for: env)?.carriesCode ?? false {
        #expect(result.code.map(e.covers) == true, "decoded code \(result.code ?? "nil")", sourceLocation: sourceLocation)
    } else if env == "worldflow" {
        #expect(result.bestMatch?.entry == e, sourceLocation: sourceLocation)
    }
}

/// The body is exactly what the catalog's Renderer gives for `code` in the path's envelope.
private func expectRenderedExactly(_ r: RawResponse, _ e: CodeEntry, path: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws
{
    let system = e.system
    let timestamp = r.json?["timestamp"]?.stringValue
    let options = RenderOptions(requestID: r.header("x-request-id"), timestamp: timestamp ?? "-")
    let rendered = try #require(Renderer(catalog: demoCatalog).render(e, envelope: envelope(system, path), options: options))
    #expect(r.status == (rendered.http ?? 500), "\(e.id)", sourceLocation: sourceLocation)
    #expect(r.json == rendered.body, "\(e.id): \(r.text) vs \(rendered.body.compactText)", sourceLocation: sourceLocation)
}

/// A concrete path for each path pattern of the system's emissions.
private func envelopePaths(_ system: String) -> [String] {
    demoCatalog.system(system)!.emits.flatMap(\.paths).map { $0.hasSuffix("*") ? String($0.dropLast()) + "probe" : $0 }
}

// MARK: - Tests

@Suite("DemoServer")
struct DemoServerTests {
    @Test func startsOnAFreePortServesTheIndexAndStops() async throws {
        let server = try DemoServer(catalog: demoCatalog)
        let port = try await server.start()
        #expect(port > 0)
        #expect(try await server.start() == port)
        let index = await http(port, "GET", "/")
        #expect(index.status == 200)
        #expect(index.header("content-type")?.hasPrefix("text/plain") == true)
        for s in DemoServer.systems { #expect(index.text.contains("/\(s)")) }
        for p in ["/bodhi/anthropic/v1/messages", "/bodhi/v1beta/*", "/bodhi/bodhi/v1/*", "/misbehave/reset", "/misbehave/redirect-loop"] {
            #expect(index.text.contains(p), "index lists \(p)")
        }
        #expect(DemoServer.systems == ["bodhi", "scaigrid", "worldflow-synapse", "devsphere", "jan-server"])
        let unknown = await http(port, "GET", "/nowhere")
        #expect(unknown.status == 404)
        #expect(unknown.header("content-type")?.hasPrefix("text/plain") == true)
        await server.stop()
        let after = await http(port, "GET", "/")
        #expect(after.status == 0 && after.error != nil)
    }

    @Test func aSecondServerOnTheSamePortFailsClearly() async throws {
        try await withServer { port in
            let other = try DemoServer(catalog: demoCatalog, port: port)
            do {
                _ = try await other.start()
                Issue.record("a second server started on port \(port)")
                await other.stop()
            } catch let error as DemoServerError {
                #expect("\(error)" == "cannot listen on 127.0.0.1:\(port): address already in use")
            }
        }
    }

    @Test func refusesCatalogsThatLackTheTableCodes() throws {
        let withoutJan = CatalogSources(bundled: BundledCatalogData.files.filter { !$0.name.contains("jan-server") },
                                        userDirectory: nil).load()
        #expect(throws: DemoServerError.self) { try DemoServer(catalog: withoutJan) }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("scaigrid.yaml")
        try """
            errscope: 1
            system: {id: scaigrid, name: ScaiGrid, default_envelope: scaigrid, emits: [{envelope: scaigrid, paths: ["/*"], carries_code: true}]}
            codes:
              - {code: AUTH_TOKEN_MISSING, domain: auth, http: 401, meaning: "No token.", retry: "no"}
            """.write(to: file, atomically: true, encoding: .utf8)
        let thin = CatalogSources(bundled: BundledCatalogData.files.filter { !$0.name.contains("scaigrid") },
                                  userDirectory: nil, extra: [file.path]).load()
        do {
            _ = try DemoServer(catalog: thin)
            Issue.record("a catalog without MODEL_NOT_FOUND was accepted")
        } catch let error as DemoServerError {
            let text = "\(error)"
            #expect(text.contains("scaigrid unknown model: MODEL_NOT_FOUND"))
            #expect(text.contains("AUTH_TOKEN_INVALID"))
            #expect(!text.contains("AUTH_TOKEN_MISSING"))
        }
    }

    @Test("triggers answer with the system's codes", arguments: expectations)
    fileprivate func triggers(_ x: Expectation) async throws {
        try await withServer { port in
            let prefix = "/\(x.system)"
            let path = x.mainPath
            let target = prefix + path

            let ok = await http(port, "POST", target, headers: bearer, body: chatJSON)
            #expect(ok.status == 200, "\(x.system) ok: \(ok.text)")
            #expect(ok.json != nil)
            let list = await http(port, "GET", prefix + (x.system == "devsphere" ? "/api/v1/leads" : "/v1/models"), headers: bearer)
            #expect(list.status == 200)
            #expect(list.json != nil)

            let none = await http(port, "POST", target, body: chatJSON)
            try expectError(none, system: x.system, path: path, code: x.missingToken)
            let empty = await http(port, "POST", target, headers: [("Authorization", "")], body: chatJSON)
            try expectError(empty, system: x.system, path: path, code: x.missingToken)
            let bad = await http(port, "POST", target, headers: [("Authorization", "Bearer wrong-token")], body: chatJSON)
            try expectError(bad, system: x.system, path: path, code: x.invalidToken)
            let badKey = await http(port, "POST", target, headers: [("x-api-key", "wrong-token")], body: chatJSON)
            try expectError(badKey, system: x.system, path: path, code: x.invalidToken)
            let key = await http(port, "POST", target, headers: [("x-api-key", "demo-token")], body: chatJSON)
            #expect(key.status == 200)

            let json = await http(port, "POST", target, headers: bearer, body: #"{"model": "#)
            try expectError(json, system: x.system, path: path, code: x.badJSON)

            let unknownModel = await http(port, "POST", target, headers: bearer, body: #"{"model":"no-such-model","messages":[]}"#)
            if let code = x.unknownModel {
                try expectError(unknownModel, system: x.system, path: path, code: code)
                #expect(unknownModel.text.contains("no-such-model"))
            } else {
                #expect(unknownModel.status == 200)
            }
            for model in DemoServer.models {
                let known = await http(port, "POST", target, headers: bearer, body: #"{"model":"\#(model)"}"#)
                #expect(known.status == 200, "\(x.system) \(model)")
            }

            let burst = await http(port, "POST", target, headers: bearer + [("x-demo-burst", "1")], body: chatJSON)
            if let code = x.rateLimited {
                try expectError(burst, system: x.system, path: path, code: code)
                let retry = decode(burst, system: x.system, path: path).retry
                #expect(retry.retryable == true)
            } else {
                #expect(burst.status == 200, "\(x.system) documents no rate limit")
            }
            // The burst header is checked only with a valid token.
            let burstNoToken = await http(port, "POST", target, headers: [("x-demo-burst", "1")], body: chatJSON)
            try expectError(burstNoToken, system: x.system, path: path, code: x.missingToken)
        }
    }

    @Test("a forced code renders in every envelope path and decodes back", arguments: expectations)
    fileprivate func forcedInEveryEnvelopePath(_ x: Expectation) async throws {
        try await withServer { port in
            for path in envelopePaths(x.system) {
                let r = await http(port, "GET", "/\(x.system)\(path)", headers: [("x-errscope-force", x.forced)])
                try expectError(r, system: x.system, path: path, code: x.forced)
                try expectRenderedExactly(r, try entry(x.system, x.forced), path: path)
                // The system:CODE spelling, with a token and a POST, renders the same code.
                let spelled = await http(port, "POST", "/\(x.system)\(path)",
                                         headers: bearer + [("x-errscope-force", "\(x.system):\(x.forced)")], body: chatJSON)
                try expectError(spelled, system: x.system, path: path, code: x.forced)
            }
        }
    }

    @Test func everySeedCodeRendersExactlyAsTheCatalogSays() async throws {
        try await withServer { port in
            var count = 0
            for x in expectations {
                for e in demoCatalog.entries(system: x.system) {
                    let r = await http(port, "GET", "/\(x.system)\(x.mainPath)", headers: [("x-errscope-force", e.id)])
                    try expectRenderedExactly(r, e, path: x.mainPath)
                    #expect(r.header("x-errscope-code") == e.id)
                    if e.http.primary == nil { #expect(r.header("x-errscope-note") != nil) }
                    count += 1
                }
            }
            #expect(count > 200)
        }
    }

    @Test func forcedCodeSpellings() async throws {
        try await withServer { port in
            // A concrete code under a wildcard keeps the code asked for.
            let wild = await http(port, "GET", "/bodhi/bodhi/v1/models", headers: [("x-errscope-force", "bodhi:serde_json_error-eof")])
            #expect(wild.status == 400)
            #expect(wild.json?["error"]?["code"] == "serde_json_error-eof")
            #expect(wild.header("x-errscope-code") == "bodhi/serde_json_error/serde_json_error-*")
            // Another system's code, in this path's envelope.
            let openai = await http(port, "GET", "/bodhi/v1/models", headers: [("x-errscope-force", "openai:model_not_found")])
            #expect(openai.status == 404)
            #expect(openai.json?["error"]?["code"] == "model_not_found")
            // Jan's RATE_LIMIT_EXCEEDED is in two domains: system/domain/CODE picks one.
            let jan = await http(port, "GET", "/jan-server/v1/models", headers: [("x-errscope-force", "jan-server/llm_api/RATE_LIMIT_EXCEEDED")])
            #expect(jan.status == 429)
            #expect(jan.header("x-errscope-code") == "jan-server/llm_api/RATE_LIMIT_EXCEEDED")
            #expect(jan.header("Retry-After") == "60")
            // Unknown codes are a plain-text 400.
            let unknown = await http(port, "GET", "/scaigrid/v1/models", headers: [("x-errscope-force", "NO_SUCH_CODE")])
            #expect(unknown.status == 400)
            #expect(unknown.header("content-type")?.hasPrefix("text/plain") == true)
            #expect(unknown.text.contains("NO_SUCH_CODE"))
        }
    }

    @Test func rateLimitCountsValidRequestsInAWindow() async throws {
        // A window far longer than the test: on a loaded CI machine (the whole suite runs in
        // parallel) six requests once took over 4 s, so counting must not depend on the clock.
        try await withServer(requestsPerSecond: 5, window: 600) { port in
            // Requests without a valid token do not count.
            for _ in 0..<8 { #expect(await http(port, "GET", "/scaigrid/v1/models").status == 401) }
            var statuses: [Int] = []
            for _ in 0..<6 { statuses.append(await http(port, "GET", "/scaigrid/v1/models", headers: bearer).status) }
            #expect(statuses == [200, 200, 200, 200, 200, 429])
            let limited = await http(port, "GET", "/scaigrid/v1/models", headers: bearer)
            try expectError(limited, system: "scaigrid", path: "/v1/models", code: "RATE_LIMITED")
            #expect(limited.json?["error"]?["retry_after"] == 60)
            // Another system has its own window.
            #expect(await http(port, "GET", "/jan-server/v1/models", headers: bearer).status == 200)
        }
    }

    @Test func rateLimitWindowExpires() async throws {
        // One request per 2 s: after the window has passed, a request is admitted again. (Only
        // "admitted after the wait" is asserted; "refused within it" is the test above.)
        try await withServer(requestsPerSecond: 1, window: 2) { port in
            #expect(await http(port, "GET", "/scaigrid/v1/models", headers: bearer).status == 200)
            try await Task.sleep(nanoseconds: 2_300_000_000)
            #expect(await http(port, "GET", "/scaigrid/v1/models", headers: bearer).status == 200)
        }
    }

    @Test func janServerRateLimitHeadersAgreeWithTheBody() async throws {
        try await withServer(requestsPerSecond: 5) { port in
            let before = Int(Date().timeIntervalSince1970)
            let r = await http(port, "POST", "/jan-server/v1/chat/completions", headers: bearer + [("x-demo-burst", "1")], body: chatJSON)
            try expectError(r, system: "jan-server", path: "/v1/chat/completions", code: "RATE_LIMIT_EXCEEDED")
            // The body's retry_after (as on the seed page's example) and the headers agree.
            #expect(r.json?["retry_after"] == 60)
            #expect(r.header("Retry-After") == "60")
            #expect(r.header("X-RateLimit-Limit") == "5")
            #expect(r.header("X-RateLimit-Remaining") == "0")
            let reset = try #require(r.header("X-RateLimit-Reset").flatMap(Int.init))
            #expect(reset >= before + 60 && reset <= before + 62)
            let advice = decode(r, system: "jan-server", path: "/v1/chat/completions").retry
            #expect(advice.afterSeconds == 60)
            #expect(advice.delaySource == "Retry-After")
            // Worldflow carries the wait in the body only.
            let w = await http(port, "GET", "/worldflow-synapse/v1/models", headers: bearer + [("x-demo-burst", "1")])
            #expect(w.status == 429)
            #expect(w.json?["error"]?["retry_after_secs"] == 60)
            #expect(w.header("Retry-After") == nil)
        }
    }

    @Test func bodhiEnvelopesFollowThePath() async throws {
        try await withServer { port in
            let unknown = #"{"model":"no-such-model","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"#
            let code = "data_service_error-alias_not_found"
            for (path, env) in [("/v1/chat/completions", "openai"), ("/anthropic/v1/messages", "anthropic"),
                                ("/v1/messages", "anthropic"), ("/api/chat", "openai")]
            {
                let r = await http(port, "POST", "/bodhi" + path, headers: bearer, body: unknown)
                try expectError(r, system: "bodhi", path: path, code: code, envelope: env)
            }
            let openai = await http(port, "POST", "/bodhi/v1/chat/completions", headers: bearer, body: unknown)
            #expect(openai.json?["error"]?["param"] == "var_0=no-such-model")
            #expect(openai.json?["error"]?["message"] == "alias 'no-such-model' not found")
            let anthropic = await http(port, "POST", "/bodhi/anthropic/v1/messages", headers: bearer, body: unknown)
            #expect(anthropic.header("request-id") == anthropic.json?["request_id"]?.stringValue)
            // Gemini-style paths take the model from the path, and the key from x-goog-api-key or ?key=.
            let gemini = "/v1beta/models/no-such-model:generateContent"
            let g = await http(port, "POST", "/bodhi" + gemini, headers: [("x-goog-api-key", "demo-token")], body: #"{"contents":[]}"#)
            try expectError(g, system: "bodhi", path: gemini, code: code, envelope: "gemini")
            #expect(g.json?["error"]?["status"] == "NOT_FOUND")
            let ok = await http(port, "POST", "/bodhi/v1beta/models/gemini-1.5-flash:generateContent?key=demo-token", body: #"{"contents":[]}"#)
            #expect(ok.status == 200)
            #expect(ok.json?["candidates"] != nil)
            let list = await http(port, "GET", "/bodhi/v1beta/models?key=demo-token")
            #expect(list.json?["models"]?.arrayValue?.count == DemoServer.models.count)
            // x-goog-api-key counts only on Gemini-style paths.
            let elsewhere = await http(port, "GET", "/bodhi/v1/models", headers: [("x-goog-api-key", "demo-token")])
            try expectError(elsewhere, system: "bodhi", path: "/v1/models", code: "auth_context_error-anonymous_not_allowed")
            // Success shapes follow the envelope.
            let msg = await http(port, "POST", "/bodhi/anthropic/v1/messages", headers: bearer, body: chatJSON)
            #expect(msg.json?["type"] == "message")
            let native = await http(port, "GET", "/bodhi/bodhi/v1/models", headers: bearer)
            #expect(native.json?["object"] == "list")
        }
    }

    @Test func observedVariantSendsBodhiAuthFailuresNatively() async throws {
        try await withServer { port in
            let path = "/anthropic/v1/messages"
            let documented = await http(port, "POST", "/bodhi" + path, body: chatJSON)
            try expectError(documented, system: "bodhi", path: path, code: "auth_context_error-anonymous_not_allowed", envelope: "anthropic")
            let observed = await http(port, "POST", "/bodhi" + path, headers: [("x-errscope-variant", "observed")], body: chatJSON)
            try expectError(observed, system: "bodhi", path: path, code: "auth_context_error-anonymous_not_allowed", envelope: "bodhi-native")
            #expect(decode(observed, system: "bodhi", path: path).notes.contains { $0.contains("expects the anthropic envelope") })
        }
    }

    @Test func unknownRoutesUnderASystem() async throws {
        try await withServer { port in
            let dev = await http(port, "GET", "/devsphere/nope", headers: bearer)
            try expectError(dev, system: "devsphere", path: "/nope", code: "not_found")
            let jan = await http(port, "GET", "/jan-server/nope")
            try expectError(jan, system: "jan-server", path: "/nope", code: "RESOURCE_NOT_FOUND")
            #expect(jan.json?["message"] == "Endpoint not found: GET /nope")
            // Bodhi has no route-not-found code: the generic 404, in its native envelope.
            let bodhi = await http(port, "GET", "/bodhi/nope")
            #expect(bodhi.status == 404)
            #expect(bodhi.json?["error"]?["type"] == "not_found_error")
            #expect(bodhi.json?["error"]?["message"] == "no route for GET /nope")
            #expect(bodhi.header("x-errscope-code") == "http/4xx/404")
        }
    }

    @Test func misbehavingRoutes() async throws {
        try await withServer { port in
            let clock = ContinuousClock()
            let start = clock.now
            let slow = await http(port, "GET", "/misbehave/slow?seconds=1")
            #expect(clock.now - start >= .seconds(1))
            #expect(slow.status == 200)
            #expect(slow.json?["ok"] == true)

            let escapes = await http(port, "GET", "/misbehave/escapes")
            #expect(escapes.status == 400)
            let message = try #require(escapes.json?["error"]?["message"]?.stringValue)
            for seq in ["\u{1B}[2J", "\u{1B}]52;c;", "\u{1B}[31;1m", "\u{07}", "\u{1B}]0;"] {
                #expect(message.contains(seq), "message holds \(seq.debugDescription)")
            }
            #expect(decode(escapes, system: "openai", path: "/v1/chat/completions").envelope == "openai")
            let raw = await http(port, "GET", "/misbehave/escapes?raw=1")
            #expect(raw.body.contains(0x1B))
            #expect(raw.json == nil)

            let utf8 = await http(port, "GET", "/misbehave/invalid-utf8")
            #expect(utf8.status == 500)
            #expect(utf8.header("content-type") == "application/json")
            #expect(utf8.body.contains(0xFF))
            #expect(String(validating: utf8.body, as: UTF8.self) == nil)

            let html = await http(port, "GET", "/misbehave/html-502")
            #expect(html.status == 502)
            #expect(html.header("content-type") == "text/html")
            #expect(html.text.contains("<title>502 Bad Gateway</title>"))
            #expect(decode(html, system: "bodhi", path: "/v1/chat/completions").bodyKind == .html)

            let redirect = await http(port, "GET", "/misbehave/redirect-loop")
            #expect(redirect.status == 302)
            #expect(redirect.header("location") == "/misbehave/redirect-loop")

            let reset = await http(port, "GET", "/misbehave/reset")
            #expect(reset.status == 500)
            #expect(reset.header("content-length") == "100000")
            #expect(!reset.complete)
            #expect(reset.body.count >= 900 && reset.body.count < 100_000)
            #expect(reset.text.hasPrefix(#"{"error":{"message":"#))

            // Only the first MiB of the huge body is read; then the client hangs up.
            let huge = await http(port, "GET", "/misbehave/huge", maxBytes: 1 << 20)
            #expect(huge.status == 500)
            #expect(huge.header("content-length") == String(64 << 20))
            #expect(huge.text.hasPrefix(#"{"error":{"message":"aaaa"#))
            #expect(!huge.complete)
            let small = await http(port, "GET", "/misbehave/huge?mb=1")
            #expect(small.complete && small.body.count == 1 << 20)
            #expect(small.json == nil)

            let other = await http(port, "GET", "/misbehave/nothing")
            #expect(other.status == 404)
            // The server is still fine after all that.
            #expect(await http(port, "GET", "/").status == 200)
        }
    }

    @Test func stopDoesNotWaitForSlowOrHugeResponses() async throws {
        let server = try DemoServer(catalog: demoCatalog)
        let port = try await server.start()
        async let slow = http(port, "GET", "/misbehave/slow?seconds=60")
        async let huge = http(port, "GET", "/misbehave/huge?mb=4096", maxBytes: 256 << 20, timeout: 5)
        try await Task.sleep(nanoseconds: 300_000_000)
        let clock = ContinuousClock()
        let start = clock.now
        await server.stop()
        // Half a second of grace, then cancellation: far from the 60 s and 4 GiB the routes would
        // take (the bound leaves room for a loaded CI machine: 4 s was once missed by 0.33 s there).
        #expect(clock.now - start < .seconds(15))
        let (s, h) = await (slow, huge)
        #expect(s.status != 200)
        #expect(!h.complete)
    }

    @Test func endpointsYAMLParsesAndItsRequestsDoWhatTheyAreNamedFor() async throws {
        try await withServer(requestsPerSecond: 1000) { port in
            let config = EndpointsConfig.parse(DemoServer.endpointsYAML(port: port), file: "demo.yaml")
            #expect(config.problems.isEmpty, "\(config.problems)")
            #expect(config.endpoints.map(\.name) == (DemoServer.systems + DemoServer.providers).map { "\($0)-demo" } + ["misbehave"])
            for x in expectations {
                let ep = try #require(config.endpoint(named: "\(x.system)-demo"))
                #expect(ep.url == "http://127.0.0.1:\(port)/\(x.system)")
                #expect(ep.system == x.system)
                #expect(ep.headers.contains { $0.name == "Authorization" && $0.value == "Bearer demo-token" })
                var expected = ["ok", "no-token", "bad-token", "bad-json"]
                if x.unknownModel != nil { expected.append("unknown-model") }
                if x.rateLimited != nil { expected.append("rate-limited") }
                for name in expected { #expect(ep.request(named: name) != nil, "\(ep.name)/\(name)") }
                let want: [String: String?] = ["no-token": x.missingToken, "bad-token": x.invalidToken, "bad-json": x.badJSON,
                                               "unknown-model": x.unknownModel, "rate-limited": x.rateLimited, "ok": nil]
                for req in ep.requests {
                    let r = await send(req, endpoint: ep, port: port)
                    if let code = want[req.name] {
                        if let code {
                            try expectError(r, system: x.system, path: req.path, code: code)
                        } else {
                            #expect(r.status == 200, "\(ep.name)/\(req.name)")
                        }
                    } else {
                        #expect(r.status != 0, "\(ep.name)/\(req.name)")
                    }
                }
                if x.system == "bodhi" {
                    #expect(ep.requests.count >= 12)
                    let g = await send(try #require(ep.request(named: "gemini-unknown-model")), endpoint: ep, port: port)
                    try expectError(g, system: "bodhi", path: "/v1beta/models/no-such-model:generateContent",
                                    code: "data_service_error-alias_not_found", envelope: "gemini")
                }
            }
            let mis = try #require(config.endpoint(named: "misbehave"))
            #expect(mis.requests.map(\.name) == ["slow", "huge", "escapes", "invalid-utf8", "html-502", "reset", "redirect-loop"])
            let slow = try #require(mis.request(named: "slow"))
            #expect(slow.query.contains { $0.name == "seconds" && $0.value == "3" })
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: errscopeBinary.path)))
    func cliCommandServesUntilInterrupted() async throws {
        let busy = try DemoServer(catalog: demoCatalog)
        let busyPort = try await busy.start()
        let inUse = try await runCLI(["demo-server", "--port", String(busyPort)], interruptAfterFirstLine: false)
        await busy.stop()
        #expect(inUse.status == 1)
        #expect(inUse.stderr == "errscope: cannot listen on 127.0.0.1:\(busyPort): address already in use\n")

        let run = try await runCLI(["demo-server", "--port", "0"], interruptAfterFirstLine: true)
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("errscope demo server on http://127.0.0.1:"))
        #expect(run.stdout.contains("/misbehave/redirect-loop"))
    }
}

// MARK: - Sending saved requests, running the binary

private func send(_ r: SavedRequest, endpoint: Endpoint, port: Int) async -> RawResponse {
    let base = URL(string: endpoint.url)!.path
    var headers: [(String, String)] = endpoint.headers.filter { h in !r.headers.contains { $0.name.lowercased() == h.name.lowercased() } }
        .map { ($0.name, $0.value) }
    headers += r.headers.map { ($0.name, $0.value) }
    var target = base + r.path
    if !r.query.isEmpty { target += "?" + r.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&") }
    return await http(port, r.effectiveMethod, target, headers: headers, body: r.body)
}

private let errscopeBinary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".build/debug/errscope")

private struct CLIRun: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the errscope binary; with `interruptAfterFirstLine`, sends SIGINT once it printed a line.
private func runCLI(_ args: [String], interruptAfterFirstLine: Bool) async throws -> CLIRun {
    let process = Process()
    process.executableURL = errscopeBinary
    process.arguments = args + ["--no-user-catalogs"]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // A server that ignores the signal must not hang the test run (checked by flag, not by pid
    // alone, so an exited process's pid is never signalled).
    let pid = process.processIdentifier
    let exited = ExitFlag()
    DispatchQueue.global().asyncAfter(deadline: .now() + 20) { if !exited.isSet { kill(pid, SIGKILL) } }
    return await withCheckedContinuation { c in
        Thread.detachNewThread {
            var stdout = Data()
            if interruptAfterFirstLine {
                while !stdout.contains(UInt8(ascii: "\n")) {
                    let d = out.fileHandleForReading.availableData
                    if d.isEmpty { break }
                    stdout += d
                }
                Thread.sleep(forTimeInterval: 0.2)
                process.interrupt()
            }
            stdout += out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            exited.set()
            c.resume(returning: CLIRun(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                       stderr: String(decoding: stderr, as: UTF8.self)))
        }
    }
}

private final class ExitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
