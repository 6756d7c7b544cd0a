import ErrscopeCore
import Foundation
import Testing

@Suite struct EnvelopeDetectionTests {
    @Test func bodhiNativeKeepsTheCode() {
        let v = Fixtures.decode(#"{"error":{"message":"alias 'x' not found","type":"not_found_error","code":"data_service_error-alias_not_found","params":{"var_0":"x"}}}"#, http: 404)
        #expect(v.envelope == "bodhi-native")
        #expect(v.code == "data_service_error-alias_not_found")
        #expect(v.known)
        #expect(v.bestMatch?.entry.system == "bodhi")
        #expect(v.bestMatch?.basis == .code)
        #expect(v.retry.retryable == false)
    }

    @Test func openAIStyleIsTellableByParam() {
        let v = Fixtures.decode(#"{"error":{"message":"bad","type":"invalid_request_error","param":"var_0=foo","code":"data_service_error-alias_exists"}}"#, http: 400)
        #expect(v.envelope == "openai")
        #expect(v.alternatives.contains("bodhi-native"))
        #expect(v.bestMatch?.entry.code == "data_service_error-alias_exists")
    }

    @Test func worldflowShapeIsAmbiguousButPreferred() {
        let v = Fixtures.decode(#"{"error":{"message":"rate limit exceeded: try again in 60 seconds","type":"rate_limit_error","retry_after_secs":60}}"#, http: 429)
        #expect(v.envelope == "worldflow")
        #expect(v.alternatives.contains("openai"))
        #expect(v.bestMatch?.entry.system == "worldflow-synapse")
        #expect(v.retry.retryable == true)
        #expect(v.retry.afterSeconds == 60)
        #expect(v.retry.delaySource == "retry_after_secs")
    }

    @Test func anthropicWithoutCodeMatchesBodhiCodesThroughTheMapping() {
        let v = Fixtures.decode(#"{"type":"error","error":{"type":"not_found_error","message":"x"},"request_id":"req_1"}"#, http: 404,
                                path: "/anthropic/v1/messages", system: "bodhi")
        #expect(v.envelope == "anthropic")
        #expect(v.expectedEnvelope == "anthropic")
        #expect(v.code == nil)
        #expect(v.requestID == "req_1")
        let codes = v.matches.filter { $0.entry.system == "bodhi" }.map(\.entry.code)
        #expect(codes.contains("data_service_error-alias_not_found"))
        #expect(v.matches.first?.basis == .typeMapping)
    }

    @Test func geminiInAOneElementArrayWithRetryInfo() {
        let body = #"[{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}]}}]"#
        let v = Fixtures.decode(body)
        #expect(v.envelope == "gemini")
        #expect(v.http == 429)
        #expect(v.status == "RESOURCE_EXHAUSTED")
        #expect(v.retry.afterSeconds == 30)
        #expect(v.retry.delaySource == "RetryInfo.retryDelay")
        #expect(v.matches.contains { $0.entry.system == "gemini" && $0.entry.code == "RESOURCE_EXHAUSTED" })
    }

    @Test func sanitizedGemini500() {
        let v = Fixtures.decode(#"{"error":{"code":500,"message":"internal server error","status":"INTERNAL"}}"#, path: "/v1beta/models/x:generateContent", system: "bodhi")
        #expect(v.envelope == "gemini")
        #expect(v.sanitized)
        #expect(v.retry.retryable == true)
    }

    @Test func scaigridEnvelope() {
        let v = Fixtures.decode(#"{"status":"error","error":{"code":"RATE_LIMITED","message":"slow down","retry_after":12},"meta":{"request_id":"r-9"}}"#, http: 429)
        #expect(v.envelope == "scaigrid")
        #expect(v.code == "RATE_LIMITED")
        #expect(v.requestID == "r-9")
        #expect(v.retry.afterSeconds == 12)
        #expect(v.retry.retryClass == .yes)
    }

    @Test func janServerDocumentedObservedAndBare() {
        let doc = Fixtures.decode(#"{"error":"Too Many Requests","code":"RATE_LIMIT_EXCEEDED","message":"You have exceeded the rate limit","retry_after":60}"#, http: 429)
        #expect(doc.envelope == "jan-server")
        #expect(doc.code == "RATE_LIMIT_EXCEEDED")
        #expect(doc.bestMatch?.entry.system == "jan-server")
        let observed = Fixtures.decode(#"{"code":"3f0c2a9e-1b7d-4c1e-9a2f-7d6e5c4b3a21","error":"conversation not found","message":"conversation not found"}"#, http: 404, system: "jan-server")
        #expect(observed.envelope == "jan-server")
        #expect(!observed.known)
        #expect(observed.matches.contains { $0.entry.code == "RESOURCE_NOT_FOUND" || $0.entry.code == "404" })
        let bare = Fixtures.decode(#"{"error":"upstream unavailable"}"#, http: 503)
        #expect(bare.envelope == "jan-server")
        #expect(bare.message == "upstream unavailable")
    }

    @Test func devsphereFlatCode() {
        let v = Fixtures.decode(#"{"error":"insufficient_scope","need":"leads:read"}"#, http: 403)
        #expect(v.envelope == "devsphere")
        #expect(v.code == "insufficient_scope")
        #expect(v.fields["need"] == "leads:read")
        #expect(v.bestMatch?.entry.system == "devsphere")
    }

    @Test func problemJSON() {
        let v = Fixtures.decode(#"{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","status":403,"detail":"Your balance is 30"}"#,
                                headers: [("Content-Type", "application/problem+json")])
        #expect(v.envelope == "problem-json")
        #expect(v.http == 403)
        #expect(v.message == "Your balance is 30")
    }

    @Test func pathHintNeverHidesTheRealShape() {
        // Observed: Bodhi answers auth failures on /anthropic/* in its native envelope.
        let v = Fixtures.decode(#"{"error":{"message":"token invalid","type":"authentication_error","code":"token_error-invalid_token"}}"#,
                                http: 401, path: "/anthropic/v1/messages", system: "bodhi")
        #expect(v.expectedEnvelope == "anthropic")
        #expect(v.envelope == "bodhi-native")
        #expect(v.notes.contains { $0.contains("expects the anthropic envelope") && $0.contains("observed") })
        #expect(v.code == "token_error-invalid_token")
    }
}

@Suite struct RetryDelayTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func retryAfterMilliseconds() {
        let v = Fixtures.decode("{}", http: 429, headers: [("retry-after-ms", "1500"), ("Retry-After", "9")])
        #expect(v.retry.afterSeconds == 1.5)
        #expect(v.retry.delaySource == "retry-after-ms")
    }

    @Test func retryAfterSeconds() {
        let v = Fixtures.decode("{}", http: 503, headers: [("Retry-After", "120")])
        #expect(v.retry.afterSeconds == 120)
        #expect(v.retry.retryable == true)
    }

    @Test func retryAfterHTTPDate() {
        // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
        let v = Fixtures.decode("{}", http: 503, headers: [("Retry-After", "Tue, 14 Nov 2023 22:14:05 GMT")], now: now)
        #expect(v.retry.afterSeconds == 45)
        #expect(v.retry.delaySource == "Retry-After (date)")
    }

    @Test func bodyRetryAfter() {
        let v = Fixtures.decode(#"{"error":"Service Unavailable","code":"SERVICE_UNAVAILABLE","message":"down","retry_after":300}"#, http: 503)
        #expect(v.retry.afterSeconds == 300)
        #expect(v.retry.delaySource == "retry_after")
    }

    @Test func rateLimitResetEpochAndDelta() {
        let epoch = Fixtures.decode("{}", http: 429, headers: [("X-RateLimit-Reset", "1700000030")], now: now)
        #expect(epoch.retry.afterSeconds == 30)
        let delta = Fixtures.decode("{}", http: 429, headers: [("X-RateLimit-Reset", "7")], now: now)
        #expect(delta.retry.afterSeconds == 7)
    }

    @Test func xShouldRetryBeatsHTTP() {
        let v = Fixtures.decode("", http: 500, headers: [("x-should-retry", "false")])
        #expect(v.retry.retryable == false)
        #expect(v.retry.basis == .xShouldRetry)
        #expect(v.sdks.first { $0.sdk == "openai-python" }?.retries == false)
        #expect(v.sdks.first { $0.sdk == "google-genai" }?.retries == false)
    }

    @Test func sdkRetriesTheStainlessSet() {
        for (h, expected) in [(408, true), (409, true), (429, true), (500, true), (503, true), (400, false), (404, false)] {
            let a = ErrorDecoder.sdkAdvice(http: h, shouldRetry: nil)
            #expect(a.first { $0.sdk == "anthropic-python" }?.retries == expected, "HTTP \(h)")
        }
    }

    @Test func catalogClassBeatsHTTP() {
        // 500 would be retryable by HTTP, but the catalog says re-authorize.
        let v = Fixtures.decode(#"{"error":{"message":"refresh failed","type":"internal_server_error","code":"mcp_error-oauth_refresh_failed"}}"#, http: 500)
        #expect(v.retry.basis == .catalog)
        #expect(v.retry.retryable == false)
    }
}

@Suite struct BadInputTests {
    @Test func emptyBody() {
        let v = Fixtures.decode("", http: 502)
        #expect(v.bodyKind == .empty)
        #expect(v.envelope == "none")
        #expect(v.retry.retryable == true)
    }

    @Test func htmlFromAProxy() {
        let v = Fixtures.decode("<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>", http: 502)
        #expect(v.bodyKind == .html)
        #expect(v.message == "502 Bad Gateway")
        #expect(v.envelope == "none")
    }

    @Test func truncatedJSONIsSalvaged() {
        let v = Fixtures.decode(#"{"error":{"message":"alias not found","type":"not_found_error","code":"data_service_error-alias_not_fo"#, http: 404)
        #expect(v.bodyKind == .truncatedJSON)
        #expect(v.type == "not_found_error")
        #expect(v.message == "alias not found")
    }

    @Test func deeplyNestedJSONDoesNotCrash() {
        let v = Fixtures.decode(String(repeating: "[", count: 200_000))
        #expect(v.bodyKind == .invalidJSON || v.bodyKind == .truncatedJSON)
    }

    @Test func binaryAndInvalidUTF8() {
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF, 0xFE, 0x01]
        let v = ErrorDecoder(catalog: Fixtures.catalog).decode(DecodeInput(body: bytes, http: 500))
        #expect(v.bodyKind == .binary)
        let invalid: [UInt8] = Array(#"{"error":{"message":"bad "#.utf8) + [0xC3, 0x28] + Array(#"","type":"x","code":"db_error-locked"}}"#.utf8)
        let w = ErrorDecoder(catalog: Fixtures.catalog).decode(DecodeInput(body: invalid, http: 500))
        #expect(w.code == "db_error-locked")
        #expect(w.message?.contains("\u{FFFD}") == true)
        #expect(w.matches.first?.basis == .wildcard)
    }

    @Test func controlSequencesAreStripped() {
        let s = TerminalText.sanitize("ok\u{1B}[2J\u{1B}]0;pwned\u{07}\u{1B}]52;c;ZXZpbA==\u{07} done\u{9B}31m\u{202E}x\u{0}")
        #expect(!s.contains("\u{1B}"))
        #expect(!s.contains("\u{9B}"))
        #expect(!s.contains("pwned"))
        #expect(s.hasPrefix("ok done"))
        #expect(TerminalText.singleLine("a\nb\tc") == "a b c")
    }

    @Test func rawCurlResponseWithInterimStatus() {
        let raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/2 429 \r\nretry-after: 3\r\ncontent-type: application/json\r\n\r\n{\"error\":{\"message\":\"slow\",\"type\":\"rate_limit_error\",\"retry_after_secs\":3}}"
        let r = HTTPResponseText.parse(Array(raw.utf8))
        #expect(r.status == 429)
        #expect(r.header("Retry-After") == "3")
        #expect(String(decoding: r.body, as: UTF8.self).hasPrefix("{\"error\""))
    }
}

@Suite struct JSONTapeTests {
    @Test func parsesAndRoundTrips() throws {
        let v = try JSONValue.parse(#"{"a":[1,2.5,"x\u00e9\ud83d\ude00",true,null],"b":{"c":-3}}"#)
        #expect(v["a"]?.arrayValue?.count == 5)
        #expect(v["a"]?.arrayValue?[2] == .string("xé😀"))
        #expect(v["b"]?["c"] == .int(-3))
        #expect(try JSONValue.parse(v.compactText) == v)
    }

    @Test func rejectsWithOffsets() {
        for (text, truncated) in [(#"{"a":"#, true), (#"{"a" 1}"#, false), ("[1,]", false), (#""abc"#, true), ("{}x", false), ("01", false)] {
            do {
                _ = try JSONValue.parse(text)
                Issue.record("\(text) should fail")
            } catch let e as JSONError {
                #expect(e.truncated == truncated, "\(text): \(e)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func depthLimit() {
        #expect(throws: JSONError.self) { try JSONValue.parse(String(repeating: "[", count: 600) + String(repeating: "]", count: 600)) }
        #expect((try? JSONValue.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))) != nil)
    }

    @Test func writerEscapesControlCharacters() {
        #expect(JSONValue.string("a\u{1B}b\n").compactText == #""a\u001bb\n""#)
    }
}
