import ErrscopeCore
import Foundation
import Testing

/// `decode --jsonl --summary` counts with a fast path (one parse, codes hashed in place, message
/// rules on bytes) beside the reference decoder (`LogLine.read` + `ErrorDecoder`). On every line
/// of a mixed corpus, bare and wrapped in log fields, the fast path must reach the reference's
/// category and retry class, and name the same code when the reference names one.
@Suite struct SummaryDifferentialTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/captures")

    /// Single-line JSON bodies from the capture corpus, and a few the seed systems send.
    static func bodies() throws -> [String] {
        var out = [
            #"{"error":{"message":"alias 'a' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#,
            #"{"status":"error","error":{"code":"RATE_LIMITED","message":"Rate limit exceeded","retry_after":5},"meta":{"request_id":"req_x"}}"#,
            #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_01"}"#,
            #"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#,
            #"[{"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}]}}]"#,
            #"{"error":"insufficient_scope","need":"leads:read"}"#,
            #"<html><head><title>502 Bad Gateway</title></head></html>"#,
            #"{"error":{"message":"cut","type":"api_er"#,
        ]
        for f in try FileManager.default.contentsOfDirectory(atPath: captures.path) where f.hasSuffix(".json") {
            let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: captures.appendingPathComponent(f))) as? [String: Any]
            for c in doc?["captures"] as? [[String: Any]] ?? [] {
                guard let input = c["input"] as? String, input.hasPrefix("{") || input.hasPrefix("["),
                    let v = try? JSONValue.parse(input) else { continue }
                out.append(v.compactText)
            }
        }
        return out
    }

    struct Verdict: Equatable, CustomStringConvertible {
        var category: ErrorCategory?
        var retry: Retryability?
        var code: String?
        var description: String { "\(category?.rawValue ?? "-")/\(retry?.rawValue ?? "-")/\(code ?? "-")" }
    }

    func fast(_ line: String, catalog: Catalog) -> BatchSummary.Group? {
        var s = BatchSummary(catalog: catalog)
        var l = line
        l.withUTF8 { s.add(body: $0) }
        return s.rows.first
    }

    func reference(_ line: String, decoder: ErrorDecoder) -> Verdict {
        let v = decoder.decode(LogLine.read(Array(line.utf8)).input, sdks: false)
        let code = v.bestMatch.flatMap { $0.basis <= .messageRule ? $0.entry.code : nil }
        return Verdict(category: v.category, retry: v.retry.retryClass ?? v.retry.retryable.map { $0 ? .yes : .no }, code: code)
    }

    @Test func fastPathAgreesWithTheReferenceOnEveryLine() throws {
        let catalog = Fixtures.catalog
        let decoder = ErrorDecoder(catalog: catalog)
        let bodies = try Self.bodies()
        #expect(bodies.count > 70)
        var compared = 0
        for body in bodies {
            // Bare, and as a gateway log would keep it.
            // Bare; as a gateway log keeps it (the body as a string); as an app log does (an object).
            var lines = [body, #"{"ts":"2026-12-06T03:00:00Z","status":429,"body":\#(JSONWriter.quoted(body))}"#]
            if body.hasPrefix("{") { lines.append(#"{"time":1764990000,"status_code":"503","response":\#(body)}"#) }
            for line in lines {
                guard let g = fast(line, catalog: catalog) else {
                    Issue.record("no row for \(line)")
                    continue
                }
                let want = reference(line, decoder: decoder)
                #expect(g.category == want.category, "category of \(line): fast \(String(describing: g.category)), reference \(want)")
                #expect(g.retry == want.retry, "retry of \(line): fast \(String(describing: g.retry)), reference \(want)")
                if let c = want.code, g.system != nil { #expect(g.code == c, "code of \(line): fast \(g.code ?? "-"), reference \(c)") }
                compared += 1
            }
        }
        #expect(compared >= bodies.count * 2)
    }

    @Test func logFieldsAreFoundAndNamedFieldsWin() throws {
        let catalog = Fixtures.catalog
        let lines = [
            #"{"time":1764990000,"status_code":"429","response":{"error":{"message":"Rate limit reached. Please try again in 2s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}}"#,
            #"{"@timestamp":"2026-12-06T03:09:05Z","http_status":529,"response_body":"{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"}"#,
            #"{"when":"t1","code_http":500,"payload":{"error":{"code":500,"message":"the request exceeds the available context size, try increasing the context size or enable context shift","type":"server_error"}}}"#,
        ]
        var s = BatchSummary(catalog: catalog)
        for l in lines.prefix(2) { var l = l; l.withUTF8 { s.add(body: $0) } }
        let rows = s.rows
        #expect(rows.count == 2)
        #expect(rows.contains { $0.http == 429 && $0.category == .rateLimit && $0.first == "1764990000" })
        #expect(rows.contains { $0.http == 529 && $0.category == .overloaded && $0.last == "2026-12-06T03:09:05Z" })
        // Fields named explicitly.
        var named = BatchSummary(catalog: catalog, fields: LogFields.named(status: "code_http", body: "payload", time: "when"))
        var l = lines[2]
        l.withUTF8 { named.add(body: $0) }
        let g = try #require(named.rows.first)
        #expect(g.http == 500 && g.category == .contextLength && g.retry == .no && g.first == "t1")
    }
}
