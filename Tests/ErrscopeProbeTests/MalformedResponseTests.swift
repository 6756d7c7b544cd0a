import ErrscopeCore
import ErrscopeProbe
import ErrscopeProbeClient
import Foundation
import Testing

/// `gzip -c` of `data` (gzip is part of every Debian system).
func gzipped(_ data: [UInt8]) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "gzip -c"]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(data))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    while p.isRunning { usleep(1_000) }
    return Array(out)
}

func response(_ status: String, _ headers: [String], _ body: [UInt8], contentLength: Bool = true) -> [UInt8] {
    var head = "HTTP/1.1 \(status)\r\n" + headers.map { $0 + "\r\n" }.joined()
    if contentLength { head += "Content-Length: \(body.count)\r\n" }
    head += "Connection: close\r\n\r\n"
    return Array(head.utf8) + body
}

@Suite("Responses no framework would send", .serialized)
struct MalformedResponseTests {
    static let errorBody = Array(#"{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#.utf8)

    func probeOf(_ server: RawServer, _ path: String, maxBody: Int = 1 << 20) async -> ProbeOutcome {
        var s = ProbeSpec(method: "GET", url: "http://127.0.0.1:\(server.port)\(path)", headers: [])
        s.maxBody = maxBody
        return await probe(s)
    }

    @Test func gzipAndDeflateBodiesAreDecoded() async throws {
        let gz = try gzipped(Self.errorBody)
        let server = try RawServer { path in
            path == "/gzip" ? response("429 Too Many Requests", ["Content-Type: application/json", "Content-Encoding: gzip"], gz)
                : response("429 Too Many Requests", ["Content-Type: application/json", "Content-Encoding: br"], [0x1b, 0x02, 0x00])
        }
        let o = await probeOf(server, "/gzip")
        #expect(o.failure == nil, "\(String(describing: o.failure))")
        let v = try #require(o.verdict)
        #expect(v.bodyKind == .json && v.code == "rate_limit_exceeded", "\(v.bodyKind) \(String(describing: v.code))")
        #expect(v.notes.contains { $0.contains("gzip-encoded and was decoded") })
        // An encoding it cannot decode is said so, not called "binary" without a reason.
        let br = await probeOf(server, "/br")
        #expect(br.verdict?.notes.contains { $0.contains("content-encoding br is not decoded") } == true)
    }

    @Test func aGzipBombStopsAtTheBodyCap() async throws {
        let bomb = try gzipped([UInt8](repeating: 0x20, count: 64 << 20))  // 64 MiB of spaces, ~64 KiB on the wire
        #expect(bomb.count < 200_000)
        let server = try RawServer { _ in response("500 Internal Server Error", ["Content-Encoding: gzip"], bomb) }
        let o = await probeOf(server, "/", maxBody: 1 << 20)
        let r = try #require(o.response)
        #expect(r.truncated)
        #expect(r.body.count <= 1 << 20)
        #expect(o.verdict != nil)
    }

    @Test func invalidChunkedEncodingSaysWhatItIs() async throws {
        let server = try RawServer { _ in
            Array("HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".utf8)
        }
        let o = await probeOf(server, "/")
        let f = try #require(o.failure)
        #expect(f.explanation.contains("chunked transfer encoding"), "\(f.explanation)")
        #expect(!f.explanation.contains("closed the connection"))
    }

    @Test func aJSONBodyWithABOMAndBareScalarsAreJSON() async throws {
        let server = try RawServer { path in
            switch path {
            case "/bom": return response("429 Too Many Requests", ["Content-Type: application/json"], [0xEF, 0xBB, 0xBF] + Self.errorBody)
            case "/null": return response("500 Internal Server Error", ["Content-Type: application/json"], Array("null".utf8))
            default: return response("500 Internal Server Error", ["Content-Type: application/json"], Array("42".utf8))
            }
        }
        let bom = await probeOf(server, "/bom")
        #expect(bom.verdict?.bodyKind == .json)
        #expect(bom.verdict?.code == "rate_limit_exceeded")
        for path in ["/null", "/42"] {
            let o = await probeOf(server, path)
            #expect(o.verdict?.bodyKind == .json, "\(path)")
            #expect(o.verdict?.message == nil, "\(path): a scalar is not a message")
        }
    }

    @Test func aNonStandardStatusGetsNoInventedAdvice() async throws {
        let server = try RawServer { _ in response("999 Weird", ["Content-Type: application/json"], Array(#"{"x":1}"#.utf8)) }
        let o = await probeOf(server, "/")
        let v = try #require(o.verdict)
        #expect(v.http == 999)
        #expect(v.retry.retryable == nil)
        #expect(v.retry.reason.contains("not a standard status"))
        #expect(v.category == nil)
        // The SDKs test `status >= 500`: they do retry it, and errscope says so.
        #expect(v.sdks.first { $0.sdk == "openai-python" }?.retries == true)
        #expect(v.sdks.first { $0.sdk == "google-genai" }?.retries == false)
    }

    @Test func aBodyCutByAClosedConnectionIsADroppedConnection() async throws {
        // Content-Length 100, 10 bytes, then FIN: a dropped connection, not malformed HTTP.
        let server = try RawServer { _ in Array("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"error\":".utf8) }
        let o = await probeOf(server, "/")
        #expect(o.failure?.kind == "closed-mid-body", "\(String(describing: o.failure))")
        #expect(o.response?.status == 502)
    }

    @Test func anEmptyBodyMarkedGzipIsAnEmptyAnswer() async throws {
        let server = try RawServer { _ in response("429 Too Many Requests", ["Content-Encoding: gzip", "Retry-After: 3"], []) }
        let o = await probeOf(server, "/")
        #expect(o.failure == nil, "\(String(describing: o.failure))")
        #expect(o.response?.status == 429)
        #expect(o.verdict?.retry.afterSeconds == 3)
    }

    @Test func rateLimitHeadersStayReadableAndTheirDelaysCount() async throws {
        #expect(!Redactor.isSensitiveHeader("x-ratelimit-remaining-tokens"))
        #expect(!Redactor.isSensitiveHeader("anthropic-ratelimit-tokens-reset"))
        #expect(!Redactor.isSensitiveHeader("Idempotency-Key"))
        #expect(Redactor.isSensitiveHeader("x-api-key") && Redactor.isSensitiveHeader("X-Auth-Token") && Redactor.isSensitiveHeader("x-client-secret"))
        let server = try RawServer { _ in
            response("429 Too Many Requests", ["Content-Type: application/json", "x-ratelimit-remaining-tokens: 0", "x-ratelimit-reset-tokens: 6s"],
                     Array(#"{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#.utf8))
        }
        var spec = ProbeSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/", headers: [("Authorization", "Bearer ${env:T}")])
        spec.maxBody = 1 << 20
        let o = await probe(spec, resolver: SecretResolver(environment: ["T": "sk-long-enough-token-123"]))
        #expect(o.displayResponseHeaders.contains { $0.name == "x-ratelimit-reset-tokens" && $0.value == "6s" })
        #expect(o.verdict?.retry.afterSeconds == 6, "\(String(describing: o.verdict?.retry))")
    }

    @Test func aShortSecretDoesNotBreakTheBodyItAppearsIn() async throws {
        // A 2-character secret that is also a number in the body: the verdict is still read from JSON.
        let server = try RawServer { _ in
            response("429 Too Many Requests", ["Content-Type: application/json", "Retry-After: 42"],
                     Array(#"{"error":{"message":"slow down 42","type":"rate_limit_error","code":42}}"#.utf8))
        }
        let o = await probe(ProbeSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/", headers: [("x-pin", "${env:P}")]),
                            resolver: SecretResolver(environment: ["P": "42"]))
        let v = try #require(o.verdict)
        #expect(v.bodyKind == .json)
        #expect(v.retry.afterSeconds == 42)
        #expect(v.message == "slow down ••••••")
    }
}
