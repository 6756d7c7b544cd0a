import Foundation
import Testing

/// The first catalog match of a verdict, as "system/code".
private func top(_ v: [String: Any]) -> String? {
    v.objects("matches")?.first.map { "\($0.string("system") ?? "?")/\($0.string("code") ?? "?")" }
}

private func matchPairs(_ v: [String: Any]) -> [String] {
    (v.objects("matches") ?? []).map { "\($0.string("system") ?? "?")/\($0.string("code") ?? "?")" }
}

@Suite("decode: one envelope per seed system") struct DecodeEnvelopeTests {
    @Test func bodhiNative() throws {
        let body = #"{"error":{"message":"alias 'llama3:instruct' not found","type":"not_found_error","code":"data_service_error-alias_not_found","params":{"var_0":"llama3:instruct"}}}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "404"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "bodhi-native")
        #expect(v.string("code") == "data_service_error-alias_not_found")
        #expect(v.string("type") == "not_found_error")
        #expect(v.string("message") == "alias 'llama3:instruct' not found")
        #expect(v.int("http") == 404)
        #expect(v.bool("known") == true)
        #expect(top(v) == "bodhi/data_service_error-alias_not_found")
        #expect(v.objects("matches")?.first?.string("basis") == "code")
        #expect(v.object("retry")?.bool("retryable") == false)
        #expect(v.object("fields")?.object("params")?.string("var_0") == "llama3:instruct")
    }

    @Test func bodhiOpenAIStyleWithParam() throws {
        let body = #"{"error":{"message":"alias 'foo' not found","type":"not_found_error","param":"var_0=foo","code":"data_service_error-alias_not_found"}}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "404"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "openai")
        #expect(v.strings("alternatives")?.contains("bodhi-native") == true)
        #expect(v.string("code") == "data_service_error-alias_not_found")
        #expect(v.object("fields")?.string("param") == "var_0=foo")
        #expect(top(v) == "bodhi/data_service_error-alias_not_found")
    }

    @Test func openAIProper() throws {
        let body = #"{"error":{"message":"Incorrect API key provided: sk-abc***. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "401", "-H", "x-request-id: req_8f1c2d"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "openai")
        #expect(v.string("code") == "invalid_api_key")
        #expect(v.string("type") == "invalid_request_error")
        #expect(v.string("request_id") == "req_8f1c2d")
        #expect(top(v) == "openai/invalid_api_key")
        #expect(v.object("retry")?.bool("retryable") == false)
    }

    @Test func anthropicNotFound() throws {
        let body = #"{"type":"error","error":{"type":"not_found_error","message":"model: claude-nonexistent"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "404"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "anthropic")
        #expect(v.isNull("code"))
        #expect(v.string("type") == "not_found_error")
        #expect(v.string("message") == "model: claude-nonexistent")
        #expect(v.string("request_id") == "req_011CSHoEeqs5C35K2UUqR7Fy")
        #expect(v.bool("known") == true)
        #expect(top(v) == "anthropic/not_found_error")
        #expect(v.bool("sanitized") == false)
    }

    /// Anthropic types that are also Synapse types (rate_limit_error, authentication_error,
    /// invalid_request_error, timeout_error): the top-level "type":"error" and request_id say Anthropic.
    @Test(arguments: [("rate_limit_error", 429), ("authentication_error", 401), ("invalid_request_error", 400)])
    func anthropicTypesSharedWithSynapseStayAnthropic(type: String, status: Int) throws {
        let body = #"{"type":"error","error":{"type":"\#(type)","message":"This request would exceed the limit"},"request_id":"req_011CABCDEF"}"#
        let (v, _) = try CLI.decodeJSON(body, ["--status", String(status)])
        #expect(v.string("envelope") == "anthropic")
        #expect(v.string("request_id") == "req_011CABCDEF")
        #expect(v.string("type") == type)
        #expect(v.isNull("code"))
        #expect(top(v) == "anthropic/\(type)")
    }

    @Test func geminiNotFound() throws {
        let body = #"{"error":{"code":404,"message":"models/gemini-9-pro is not found for API version v1beta, or is not supported for generateContent.","status":"NOT_FOUND"}}"#
        let (v, _) = try CLI.decodeJSON(body)
        #expect(v.string("envelope") == "gemini")
        #expect(v.int("http") == 404)  // taken from the body's error.code
        #expect(v.string("status") == "NOT_FOUND")
        #expect(v.isNull("code"))
        #expect(top(v) == "gemini/NOT_FOUND")
        #expect(v.objects("matches")?.first?.string("basis") == "grpc")
        #expect(v.object("retry")?.bool("retryable") == false)
    }

    /// DecodeResult.known: "The code (or, for code-less envelopes, the type/status) is in the
    /// catalog." A Gemini body's status is its only identifier, and NOT_FOUND is in the catalog.
    @Test
    func geminiCanonicalStatusIsKnown() throws {
        let body = #"{"error":{"code":404,"message":"models/gemini-9-pro is not found","status":"NOT_FOUND"}}"#
        let (v, exit) = try CLI.decodeJSON(body)
        #expect(v.bool("known") == true)
        #expect(exit == 0)
        let human = CLI.run(["decode"], stdin: body)
        #expect(human.stdout.contains("known     yes"))
    }

    @Test func geminiArrayWrapperWithRetryInfo() throws {
        let body = #"""
            [{
              "error": {
                "code": 429,
                "message": "You exceeded your current quota, please check your plan and billing details.",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                  {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                   "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                                   "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
                  {"@type": "type.googleapis.com/google.rpc.Help",
                   "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                  {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"}
                ]
              }
            }]
            """#
        let (v, _) = try CLI.decodeJSON(body)
        #expect(v.string("envelope") == "gemini")
        #expect(v.int("http") == 429)
        #expect(v.string("status") == "RESOURCE_EXHAUSTED")
        #expect(v.string("message") == "You exceeded your current quota, please check your plan and billing details.")
        #expect(top(v) == "gemini/RESOURCE_EXHAUSTED")
        let retry = try #require(v.object("retry"))
        #expect(retry.bool("retryable") == true)
        #expect(retry.double("after_seconds") == 30)
        #expect(retry.string("delay_source") == "RetryInfo.retryDelay")
        #expect(v.object("fields")?.string("retry_delay") == "30s")
    }

    @Test func worldflowRateLimitWithRetryAfterSecs() throws {
        let body = #"{"error":{"message":"rate limit exceeded: try again in 60 seconds","type":"rate_limit_error","retry_after_secs":60}}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "429"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "worldflow")
        #expect(v.string("type") == "rate_limit_error")
        #expect(v.string("code") == "rate_limit_error")
        #expect(top(v) == "worldflow-synapse/rate_limit_error")
        let retry = try #require(v.object("retry"))
        #expect(retry.bool("retryable") == true)
        #expect(retry.double("after_seconds") == 60)
        #expect(retry.string("delay_source") == "retry_after_secs")
    }

    @Test func worldflowDatabaseError() throws {
        let (v, exit) = try CLI.decodeJSON(#"{"error":{"message":"database error: connection pool exhausted","type":"database_error"}}"#, ["--status", "500"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "worldflow")
        #expect(top(v) == "worldflow-synapse/database_error")
    }

    @Test func scaigridWithMetaRequestID() throws {
        let body = #"{"status":"error","error":{"code":"MODEL_NOT_FOUND","message":"Model 'gpt-4o-mini' not found"},"meta":{"request_id":"req_7c1f0e2a"}}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "404"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "scaigrid")
        #expect(v.string("code") == "MODEL_NOT_FOUND")
        #expect(v.string("request_id") == "req_7c1f0e2a")
        #expect(top(v) == "scaigrid/MODEL_NOT_FOUND")
        #expect(v.object("retry")?.bool("retryable") == false)
    }

    @Test func scaigridRateLimitedWithRetryAfter() throws {
        let body = #"{"status":"error","error":{"code":"RATE_LIMITED","message":"Rate limit exceeded, retry after 5s","retry_after":5},"meta":{"request_id":"req_rl_01"}}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "429"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "scaigrid")
        #expect(top(v) == "scaigrid/RATE_LIMITED")
        let retry = try #require(v.object("retry"))
        #expect(retry.bool("retryable") == true)
        #expect(retry.double("after_seconds") == 5)
        #expect(retry.string("delay_source") == "retry_after")
    }

    @Test func janServerDocumentedForm() throws {
        let body = #"{"error":"Not Found","code":"RESOURCE_NOT_FOUND","message":"Conversation not found","resource":"conversation","id":"conv_123","request_id":"req_jan_1","timestamp":"2024-12-23T10:25:00Z"}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "404"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "jan-server")
        #expect(v.string("code") == "RESOURCE_NOT_FOUND")
        #expect(v.string("message") == "Conversation not found")
        #expect(v.string("request_id") == "req_jan_1")
        #expect(top(v) == "jan-server/RESOURCE_NOT_FOUND")
    }

    @Test func janServerObservedUUIDForm() throws {
        let body = #"{"code":"3f2b6c1e-8d4a-4b8e-9f1a-2c3d4e5f6a7b","error":"conversation not found","message":"conversation not found"}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "404"])
        #expect(v.string("envelope") == "jan-server")
        #expect(v.string("code") == "3f2b6c1e-8d4a-4b8e-9f1a-2c3d4e5f6a7b")
        #expect(v.string("message") == "conversation not found")
        // A per-error UUID is in no catalog: unknown code, exit 1; the status still drives retry.
        #expect(v.bool("known") == false)
        #expect(exit == 1)
        #expect(v.object("retry")?.bool("retryable") == false)
        #expect(matchPairs(v).contains("http/404"))
    }

    @Test func janServerBareError() throws {
        let (v, exit) = try CLI.decodeJSON(#"{"error":"invalid refresh token"}"#, ["--status", "401"])
        #expect(v.string("envelope") == "jan-server")
        #expect(v.string("message") == "invalid refresh token")
        #expect(v.isNull("code"))
        #expect(exit == 1)
    }

    @Test func devsphereFlatCode() throws {
        let (v, exit) = try CLI.decodeJSON(#"{"error":"insufficient_scope","need":"leads:read"}"#, ["--status", "403"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "devsphere")
        #expect(v.string("code") == "insufficient_scope")
        #expect(v.object("fields")?.string("need") == "leads:read")
        #expect(top(v) == "devsphere/insufficient_scope")
        #expect(v.objects("matches")?.first?.int("http") == 403)
    }

    @Test func problemJSON() throws {
        let body = #"{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","status":403,"detail":"Your current balance is 30, but that costs 50.","instance":"/account/12345/msgs/abc"}"#
        let (v, _) = try CLI.decodeJSON(body, ["-H", "Content-Type: application/problem+json"])
        #expect(v.string("envelope") == "problem-json")
        #expect(v.int("http") == 403)
        #expect(v.string("type") == "https://example.com/probs/out-of-credit")
        #expect(v.string("message") == "Your current balance is 30, but that costs 50.")
        #expect(v.string("request_id") == "/account/12345/msgs/abc")
        #expect(v.object("retry")?.bool("retryable") == false)
    }
}

@Suite("decode: raw responses and retry signals") struct DecodeRawResponseTests {
    static func httpDate(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: d)
    }

    @Test func curlResponseWithRetryAfterSeconds() throws {
        let raw = "HTTP/2 429 \r\ndate: Tue, 01 Jul 2025 10:00:00 GMT\r\ncontent-type: application/json\r\nretry-after: 17\r\n"
            + "request-id: req_hdr_1\r\nx-should-retry: true\r\n\r\n"
            + #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_hdr_1"}"#
        let (v, exit) = try CLI.decodeJSON(raw)
        #expect(exit == 0)
        #expect(v.int("http") == 429)
        #expect(v.string("envelope") == "anthropic")
        #expect(v.string("request_id") == "req_hdr_1")
        let retry = try #require(v.object("retry"))
        #expect(retry.double("after_seconds") == 17)
        #expect(retry.string("delay_source") == "Retry-After")
        let sdks = try #require(v.objects("sdk"))
        #expect(sdks.first { $0.string("sdk") == "openai-python" }?.bool("retries") == true)
        #expect(sdks.first { $0.string("sdk") == "anthropic-python" }?.string("detail")?.contains("x-should-retry: true") == true)
    }

    @Test func retryAfterHTTPDate() throws {
        let when = Self.httpDate(Date().addingTimeInterval(120))
        let raw = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: \(when)\r\nContent-Type: text/html\r\n\r\n"
            + "<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503</h1></body></html>"
        let (v, exit) = try CLI.decodeJSON(raw)
        #expect(exit == 1)
        #expect(v.int("http") == 503)
        #expect(v.string("envelope") == "none")
        let retry = try #require(v.object("retry"))
        #expect(retry.string("delay_source") == "Retry-After (date)")
        let secs = try #require(retry.double("after_seconds"))
        #expect(secs > 100 && secs <= 121, "Retry-After date 2 minutes ahead gave \(secs) s")
        #expect(retry.bool("retryable") == true)

        // A date in the past means "now", never a negative wait.
        let past = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"
        let (p, _) = try CLI.decodeJSON(past)
        #expect(p.object("retry")?.double("after_seconds") == 0)
    }

    @Test func retryAfterMsWinsOverRetryAfter() throws {
        let raw = "HTTP/1.1 429 Too Many Requests\nretry-after-ms: 1500\nretry-after: 30\nx-request-id: req_oa_9\n\n"
            + #"{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 500, Used 500, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
        let (v, exit) = try CLI.decodeJSON(raw)
        #expect(exit == 0)
        #expect(v.string("envelope") == "openai")
        #expect(v.string("code") == "rate_limit_exceeded")
        #expect(v.string("request_id") == "req_oa_9")
        #expect(top(v) == "openai/rate_limit_exceeded")
        let retry = try #require(v.object("retry"))
        #expect(retry.double("after_seconds") == 1.5)
        #expect(retry.string("delay_source") == "retry-after-ms")
    }

    @Test func xShouldRetryFalseOverridesTheStatus() throws {
        let raw = "HTTP/1.1 500 Internal Server Error\r\nx-should-retry: false\r\n\r\nupstream failed"
        let (v, exit) = try CLI.decodeJSON(raw)
        #expect(exit == 1)
        #expect(v.int("http") == 500)
        let retry = try #require(v.object("retry"))
        #expect(retry.bool("retryable") == false)
        #expect(retry.string("basis") == "x-should-retry")
        let sdks = try #require(v.objects("sdk"))
        #expect(sdks.first { $0.string("sdk") == "openai-python" }?.bool("retries") == false)
        #expect(sdks.first { $0.string("sdk") == "anthropic-python" }?.bool("retries") == false)
    }

    @Test func xRateLimitResetEpochAndDelta() throws {
        let epoch = Int(Date().timeIntervalSince1970) + 90
        let raw = "HTTP/1.1 429 Too Many Requests\r\nX-RateLimit-Limit: 100\r\nX-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: \(epoch)\r\n\r\n"
            + #"{"error":"Too Many Requests","code":"RATE_LIMIT_EXCEEDED","message":"Rate limit exceeded. Please try again later.","limit":100,"remaining":0}"#
        let (v, exit) = try CLI.decodeJSON(raw)
        #expect(exit == 0)
        #expect(v.string("envelope") == "jan-server")
        #expect(top(v) == "jan-server/RATE_LIMIT_EXCEEDED")
        let retry = try #require(v.object("retry"))
        #expect(retry.string("delay_source") == "X-RateLimit-Reset")
        let secs = try #require(retry.double("after_seconds"))
        #expect(secs > 70 && secs <= 91, "reset 90 s ahead gave \(secs) s")

        // A small value is a delta in seconds.
        let delta = "HTTP/1.1 429 Too Many Requests\r\nX-RateLimit-Reset: 30\r\n\r\n" + #"{"error":"rate_limited"}"#
        let (d, _) = try CLI.decodeJSON(delta)
        #expect(d.object("retry")?.double("after_seconds") == 30)
        #expect(d.string("envelope") == "devsphere")
    }

    @Test func interimContinueIsSkipped() throws {
        let raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\r\n"
            + #"{"status":"error","error":{"code":"USER_NOT_FOUND","message":"User not found"},"meta":{"request_id":"req_u"}}"#
        let (v, exit) = try CLI.decodeJSON(raw)
        #expect(exit == 0)
        #expect(v.int("http") == 404)
        #expect(top(v) == "scaigrid/USER_NOT_FOUND")
    }

    @Test func statusOptionOverridesTheStatusLine() throws {
        let raw = "HTTP/1.1 500 Internal Server Error\r\n\r\n" + #"{"error":"rate_limited"}"#
        let (v, _) = try CLI.decodeJSON(raw, ["--status", "429"])
        #expect(v.int("http") == 429)
    }

    @Test func jsonVerdictHasTheDocumentedKeys() throws {
        let raw = "HTTP/1.1 404 Not Found\r\nx-request-id: req_keys\r\n\r\n"
            + #"{"error":{"message":"alias 'x' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#
        let (v, _) = try CLI.decodeJSON(raw)
        for key in ["http", "envelope", "code", "type", "status", "message", "request_id", "sanitized", "known", "retry", "matches"] {
            #expect(v[key] != nil, "missing key \(key)")
        }
        #expect(v.int("http") == 404)
        #expect(v.string("envelope") == "bodhi-native")
        #expect(v.string("code") == "data_service_error-alias_not_found")
        #expect(v.string("type") == "not_found_error")
        #expect(v.isNull("status"))
        #expect(v.string("message") == "alias 'x' not found")
        #expect(v.string("request_id") == "req_keys")
        #expect(v.bool("sanitized") == false)
        #expect(v.bool("known") == true)
        let retry = try #require(v.object("retry"))
        for key in ["retryable", "after_seconds", "reason"] { #expect(retry[key] != nil, "missing retry.\(key)") }
        #expect(retry.bool("retryable") == false)
        #expect(retry.isNull("after_seconds"))
        #expect(retry.string("reason")?.contains("bodhi/data_service_error-alias_not_found") == true)
        let matches = try #require(v.objects("matches"))
        #expect(!matches.isEmpty)
        for m in matches {
            for key in ["system", "code", "http"] { #expect(m[key] != nil, "missing matches[].\(key)") }
        }
        #expect(matches[0].string("system") == "bodhi")
        #expect(matches[0].string("code") == "data_service_error-alias_not_found")
        #expect(matches[0].int("http") == 404)
    }
}

@Suite("decode: sanitizing, path hints, exit codes") struct DecodeBehaviourTests {
    @Test func anthropic500InternalServerErrorIsSanitized() throws {
        let body = #"{"type":"error","error":{"type":"api_error","message":"internal server error"},"request_id":"req_500"}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "500"])
        #expect(exit == 0)
        #expect(v.string("envelope") == "anthropic")
        #expect(v.bool("sanitized") == true)
        #expect(v.string("message") == "internal server error")
        #expect(top(v) == "anthropic/api_error")

        let human = CLI.run(["decode", "--status", "500"], stdin: body)
        #expect(human.stdout.contains("internal server error  [sanitized: the real reason is hidden]"))

        // A real message is not flagged.
        let (real, _) = try CLI.decodeJSON(#"{"type":"error","error":{"type":"api_error","message":"An unexpected error occurred"},"request_id":"r"}"#, ["--status", "500"])
        #expect(real.bool("sanitized") == false)
    }

    @Test func pathHintWithBodhiNativeAuthBody() throws {
        let body = #"{"error":{"message":"invalid token: hash check failed","type":"authentication_error","code":"token_error-invalid_token"}}"#
        let args = ["--status", "401", "--path", "/anthropic/v1/messages", "--system", "bodhi"]
        let (v, exit) = try CLI.decodeJSON(body, args)
        #expect(exit == 0)
        #expect(v.string("envelope") == "bodhi-native")
        #expect(v.string("expected_envelope") == "anthropic")
        #expect(v.string("code") == "token_error-invalid_token")
        #expect(top(v) == "bodhi/token_error-invalid_token")
        let notes = v.strings("notes") ?? []
        #expect(notes.contains { $0.contains("expects the anthropic envelope, but the body is bodhi-native") && $0.contains("observed") })

        let human = CLI.run(["decode"] + args, stdin: body)
        #expect(human.stdout.contains("note      the path /anthropic/v1/messages expects the anthropic envelope"))
    }

    @Test func pathHintOnTheExpectedEnvelopeAddsNoNote() throws {
        let body = #"{"type":"error","error":{"type":"not_found_error","message":"alias 'x' not found"},"request_id":"req_1"}"#
        let (v, _) = try CLI.decodeJSON(body, ["--status", "404", "--path", "/anthropic/v1/messages", "--system", "bodhi"])
        #expect(v.string("envelope") == "anthropic")
        #expect(v.string("expected_envelope") == "anthropic")
        #expect((v.strings("notes") ?? []).allSatisfy { !$0.contains("expects") })
        // Code-less: the Bodhi codes that go out as not_found_error are offered.
        #expect(matchPairs(v).contains("bodhi/data_service_error-alias_not_found"))
    }

    @Test func html502FromAProxy() throws {
        let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n"
        let (v, exit) = try CLI.decodeJSON(html, ["--status", "502"])
        #expect(exit == 1)
        #expect(v.string("envelope") == "none")
        #expect(v.object("body")?.string("kind") == "html")
        #expect(v.string("message") == "502 Bad Gateway")
        #expect(v.object("retry")?.bool("retryable") == true)
        #expect((v.strings("notes") ?? []).contains { $0.contains("HTML") })

        let human = CLI.run(["decode", "--status", "502"], stdin: html)
        #expect(human.exitCode == 1)
        #expect(human.stdout.hasPrefix("HTTP 502 Bad Gateway · no known envelope (html)"))
    }

    @Test func emptyBody() throws {
        let (v, exit) = try CLI.decodeJSON("", ["--status", "504"])
        #expect(exit == 1)
        #expect(v.string("envelope") == "none")
        #expect(v.object("body")?.string("kind") == "empty")
        #expect(v.object("body")?.int("bytes") == 0)
        #expect(v.object("retry")?.bool("retryable") == true)
        #expect(matchPairs(v) == ["http/504"])

        // Headers only, no body at all.
        let (h, _) = try CLI.decodeJSON("HTTP/1.1 401 Unauthorized\r\nwww-authenticate: Bearer\r\n")
        #expect(h.int("http") == 401)
        #expect(h.object("body")?.string("kind") == "empty")
    }

    @Test func plainText() throws {
        let text = "upstream connect error or disconnect/reset before headers. reset reason: connection failure\nsecond line\n"
        let (v, exit) = try CLI.decodeJSON(text, ["--status", "503"])
        #expect(exit == 1)
        #expect(v.string("envelope") == "none")
        #expect(v.object("body")?.string("kind") == "text")
        #expect(v.string("message") == "upstream connect error or disconnect/reset before headers. reset reason: connection failure")
    }

    @Test func truncatedJSONIsSalvaged() throws {
        let cut = #"{"error":{"message":"alias 'x' not found","type":"not_found_error","code":"data_service_error-alias_not_found","par"#
        let (v, exit) = try CLI.decodeJSON(cut, ["--status", "404"])
        #expect(v.object("body")?.string("kind") == "truncated-json")
        #expect(v.string("envelope") == "none")
        #expect(v.string("code") == "data_service_error-alias_not_found")
        #expect(top(v) == "bodhi/data_service_error-alias_not_found")
        #expect((v.strings("notes") ?? []).contains { $0.contains("truncated") })
        // No envelope: exit 1 even though the salvaged code is catalogued.
        #expect(exit == 1)
    }

    @Test func binaryAndInvalidUTF8AreAVerdictNotACrash() throws {
        let dir = try TempDir()
        // A PNG signature and chunk header, then deterministic pseudo-random bytes.
        var state: UInt32 = 0x1234_5678
        let noise: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]
            + (0..<4080).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            }
        let invalid: [UInt8] = [0xFF, 0xFE, 0x00, 0x01] + Array("garbage".utf8) + [0xC3, 0x28, 0xE2, 0x82]
        for (name, bytes) in [("noise.bin", noise), ("invalid.bin", invalid)] {
            let path = try dir.write(name, bytes: bytes)
            let r = CLI.run(["decode", path, "--json"])
            #expect(r.exitCode == 1)
            let v = try r.object()
            #expect(v.string("envelope") == "none")
            #expect(v.object("body")?.string("kind") == "binary", "\(name)")
            #expect(v.object("body")?.int("bytes") == bytes.count)

            let human = CLI.run(["decode", path])
            #expect(human.exitCode == 1)
            #expect(human.stdout.contains("no known envelope (binary)"))
            #expect(!containsTerminalControl(human.stdout))
        }
        // Invalid UTF-8 inside a JSON string.
        let inJSON = try dir.write("bad-string.json", bytes: Array(#"{"error":"insufficient_scope","need":"leads:"#.utf8) + [0xFF, 0xC0] + Array(#""}"#.utf8))
        let r = CLI.run(["decode", inJSON, "--json"])
        #expect(r.exitCode == 0)
        let v = try r.object()
        #expect(v.string("envelope") == "devsphere")
        #expect(v.string("code") == "insufficient_scope")
        #expect(v.object("fields")?.string("need")?.hasPrefix("leads:") == true)
    }

    @Test func deeplyNestedJSONIsAVerdictNotACrash() throws {
        let dir = try TempDir()
        for (name, text) in [("open", String(repeating: "[", count: 100_000)),
                             ("balanced", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)),
                             ("objects", String(repeating: #"{"error":"#, count: 50_000) + "1" + String(repeating: "}", count: 50_000))]
        {
            let path = try dir.write(name + ".json", text)
            let r = CLI.run(["decode", path, "--json"])
            #expect(r.exitCode == 1, "\(name)")
            let v = try r.object()
            #expect(v.string("envelope") == "none")
            #expect(v.object("body")?.string("kind") == "invalid-json", "\(name)")
            #expect((v.strings("notes") ?? []).contains { $0.contains("nested deeper") }, "\(name)")
        }
    }

    @Test func terminalEscapesNeverReachHumanOutput() throws {
        let body = #"{"error":{"message":"boom \u001b[31mRED\u001b[0m \u001b]0;pwned\u0007 \u001b]52;c;ZXZpbA==\u0007 \u009b2J end","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#
        let r = CLI.run(["decode", "--status", "404", "-H", "x-request-id: req\u{1B}[2Jabc"], stdin: body)
        #expect(r.exitCode == 0)
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(!containsTerminalControl(r.stdout))
        #expect(r.stdout.contains("boom RED"))
        #expect(r.stdout.contains("end"))

        // Raw ESC bytes in a plain-text body and in an HTML title.
        for raw in ["HTTP/1.1 502 Bad Gateway\r\n\r\n<html><title>bad\u{1B}]0;owned\u{07} gateway</title></html>",
                    "HTTP/1.1 500 Internal Server Error\r\n\r\noops \u{1B}[2J\u{1B}[H cleared"]
        {
            let t = CLI.run(["decode"], stdin: raw)
            #expect(t.exitCode == 1)
            #expect(!containsTerminalControl(t.stdout))
            #expect(!containsTerminalControl(t.stderr))
        }

        // The per-line output of --jsonl too.
        let dir = try TempDir()
        let file = try dir.write("esc.jsonl", #"{"error":"x","code":"RESOURCE_NOT_FOUND\u001b[31m","message":"m"}"# + "\n")
        let lines = CLI.run(["decode", "--jsonl", file])
        #expect(!containsTerminalControl(lines.stdout))
        #expect(lines.stdout.hasPrefix("1: jan-server RESOURCE_NOT_FOUND"))
    }

    @Test func exitCodeZeroWhenKnownOneWhenUnknown() throws {
        let known = CLI.run(["decode", "--status", "403"], stdin: #"{"error":"insufficient_scope","need":"leads:read"}"#)
        #expect(known.exitCode == 0)
        #expect(known.stdout.contains("known     yes"))

        // Bodhi-native shape, code and type in no catalog.
        let unknownCode = CLI.run(["decode", "--status", "404"],
                                  stdin: #"{"error":{"message":"gone","type":"widget_type","code":"widget_error-widget_gone"}}"#)
        #expect(unknownCode.exitCode == 1)
        #expect(unknownCode.stdout.contains("known     no exact entry; related:"))
        #expect(unknownCode.stdout.contains("http/404"))
        #expect(!unknownCode.stdout.contains("inferred"))

        // JSON of no known shape.
        let noShape = CLI.run(["decode", "--json"], stdin: #"{"ok":false,"reason":"nope"}"#)
        #expect(noShape.exitCode == 1)
        #expect(try noShape.object().string("envelope") == "none")
    }

    /// "Exit 0 when the envelope and code are known, 1 when ... its code is not in any catalog."
    /// The generic type next to an unknown code must not make the body known (nor borrow
    /// another system's retry advice).
    @Test
    func unknownCodeWithACommonTypeIsUnknown() throws {
        let body = #"{"error":{"message":"gone","type":"not_found_error","code":"widget_error-widget_gone"}}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "404"])
        #expect(v.string("envelope") == "bodhi-native")
        #expect(v.bool("known") == false)
        #expect(exit == 1)
        #expect(v.object("retry")?.string("reason")?.contains("anthropic/") == false)
    }

    @Test func stdinByDashOrNoFile() throws {
        let body = #"{"error":"not_found"}"#
        let dash = CLI.run(["decode", "-", "--json", "--status", "404"], stdin: body)
        let none = CLI.run(["decode", "--json", "--status", "404"], stdin: body)
        #expect(dash.exitCode == 0)
        #expect(none.exitCode == 0)
        #expect(dash.stdout == none.stdout)
        let v = try dash.object()
        #expect(v.string("envelope") == "devsphere")
        #expect(top(v) == "devsphere/not_found")

        // And a file gives the same verdict.
        let dir = try TempDir()
        let file = CLI.run(["decode", try dir.write("b.json", body), "--json", "--status", "404"])
        #expect(file.stdout == dash.stdout)
    }

    /// The in-process entry point writes all of `stdin:` into a pipe before the command reads it;
    /// a body larger than the pipe buffer (64 KiB on Linux) must not hang. Run on a thread with
    /// a deadline so that a regression fails instead of blocking the whole suite.
    @Test
    func largeStdinDoesNotHang() throws {
        let done = Box<ErrscopeCLIResult>()
        cliLock.lock()
        let body = String(repeating: "[", count: 100_000)
        let thread = Thread {
            let r = CLI.runUnlocked(["decode", "--json"], stdin: body)
            done.set(ErrscopeCLIResult(exitCode: r.exitCode, stdout: r.stdout))
        }
        thread.start()
        for _ in 0..<100 where done.get() == nil { Thread.sleep(forTimeInterval: 0.1) }
        cliLock.unlock()
        let r = try #require(done.get(), "decode with 100 KB on stdin did not return within 10 s")
        #expect(r.exitCode == 1)
        #expect(r.stdout.contains("nested deeper"))
    }

    @Test func missingFileIsExit66() {
        let r = CLI.run(["decode", "/nonexistent/errscope/body.json"])
        #expect(r.exitCode == 66)
        #expect(r.stderr.contains("cannot read /nonexistent/errscope/body.json"))
    }

    @Test func usageErrors() {
        #expect(CLI.run(["decode", "--status", "42"], stdin: "{}").exitCode == 64)
        #expect(CLI.run(["decode", "-H", "no-colon-here"], stdin: "{}").exitCode == 64)
        let s = CLI.run(["decode", "--summary"], stdin: "{}")
        #expect(s.exitCode == 64)
        #expect(s.stderr.contains("--summary goes with --jsonl FILE"))
        #expect(CLI.run(["decode", "--system", "nosuch"], stdin: "{}").exitCode == 64)
    }
}

@Suite("decode --jsonl") struct DecodeBatchTests {
    static let mixed = [
        #"{"error":{"message":"alias 'a' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#,
        #"{"error":{"message":"alias 'b' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#,
        #"{"error":{"message":"database is locked","type":"internal_server_error","code":"db_error-sqlite_locked"}}"#,
        #"{"status":"error","error":{"code":"MODEL_NOT_FOUND","message":"Model 'x' not found"},"meta":{"request_id":"r1"}}"#,
        #"{"error":"insufficient_scope","need":"leads:read"}"#,
        "",
        "<html><title>502 Bad Gateway</title></html>",
        #"{"status":"error","error":{"code":"NOT_A_SCAIGRID_CODE","message":"?"},"meta":{"request_id":"r2"}}"#,
    ].joined(separator: "\n") + "\n"

    @Test func summaryCountsBySystemEnvelopeAndCode() throws {
        let dir = try TempDir()
        let file = try dir.write("errors.jsonl", Self.mixed)
        let r = CLI.run(["decode", "--jsonl", file, "--summary", "--json"])
        #expect(r.exitCode == 0)
        let s = try r.object()
        for key in ["total", "by_system", "by_envelope", "by_code"] { #expect(s[key] != nil, "missing \(key)") }
        #expect(s.int("total") == 7)  // the blank line is not a body
        #expect(s.int("recognised") == 6)
        #expect(s.int("known") == 5)
        func counts(_ key: String) -> [String: Int] {
            Dictionary((s.objects(key) ?? []).map { ($0.string("name") ?? "?", $0.int("count") ?? -1) }, uniquingKeysWith: +)
        }
        // The unknown ScaiGrid code is still ScaiGrid's (only ScaiGrid sends that envelope).
        #expect(counts("by_system") == ["bodhi": 3, "scaigrid": 2, "devsphere": 1, "(unknown)": 1])
        #expect(counts("by_envelope") == ["bodhi-native": 3, "scaigrid": 2, "devsphere": 1, "none": 1])
        let codes = counts("by_code")
        #expect(codes["bodhi/data_service_error-alias_not_found"] == 2)
        #expect(codes["bodhi/db_error-sqlite_locked (db_error-*)"] == 1)
        #expect(codes["scaigrid/MODEL_NOT_FOUND"] == 1)
        #expect(codes["devsphere/insufficient_scope"] == 1)
        #expect(codes["scaigrid/NOT_A_SCAIGRID_CODE (unknown)"] == 1)
        let rows = s.objects("by_code") ?? []
        let alias = try #require(rows.first { $0.string("code") == "data_service_error-alias_not_found" })
        #expect(alias.string("category") == "not_found")
        #expect(alias.string("retry") == "no")
        #expect(alias.double("share") == 0.2857)
        #expect(codes.values.reduce(0, +) == 7)
        // Sorted by count, largest first.
        let firstCounts = (s.objects("by_system") ?? []).compactMap { $0.int("count") }
        #expect(firstCounts == firstCounts.sorted(by: >))

        let human = CLI.run(["decode", "--jsonl", file, "--summary"])
        #expect(human.exitCode == 0)
        #expect(human.stdout.hasPrefix("7 lines · 6 in a known envelope · 5 with a known code"))
        #expect(human.stdout.contains("by category"))
        #expect(human.stdout.contains("by system"))
        #expect(human.stdout.contains("by envelope"))
        #expect(human.stdout.contains("by code"))
        #expect(human.stdout.contains("3   42.9%  bodhi-native"))
    }

    /// A large log (several hundred KiB, so the summary is split across threads) counts exactly.
    @Test func largeLogCountsExactly() throws {
        let kinds = [
            #"{"error":{"message":"alias 'a' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#,
            #"{"status":"error","error":{"code":"RATE_LIMITED","message":"Rate limit exceeded","retry_after":5},"meta":{"request_id":"req_x"}}"#,
            #"{"error":{"message":"rate limit exceeded: try again in 60 seconds","type":"rate_limit_error","retry_after_secs":60}}"#,
            #"{"error":"insufficient_scope","need":"leads:read"}"#,
            "<html><title>502 Bad Gateway</title></html>",
            #"{"error":{"message":"alias 'a' not f"#,
        ]
        var lines: [String] = []
        var expected = [Int](repeating: 0, count: kinds.count)
        var state: UInt32 = 7
        for _ in 0..<12_000 {
            state = state &* 1_103_515_245 &+ 12345
            let k = Int((state >> 16) % UInt32(kinds.count))
            expected[k] += 1
            lines.append(kinds[k])
        }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 768 << 10)
        let dir = try TempDir()
        let file = try dir.write("big.jsonl", text)
        let r = CLI.run(["decode", "--jsonl", file, "--summary", "--json"])
        #expect(r.exitCode == 0)
        let s = try r.object()
        #expect(s.int("total") == 12_000)
        #expect(s.int("recognised") == expected[0] + expected[1] + expected[2] + expected[3])
        #expect(s.int("known") == expected[0] + expected[1] + expected[2] + expected[3])
        let codes = Dictionary((s.objects("by_code") ?? []).map { ($0.string("name") ?? "?", $0.int("count") ?? -1) }, uniquingKeysWith: +)
        #expect(codes["bodhi/data_service_error-alias_not_found"] == expected[0])
        #expect(codes["scaigrid/RATE_LIMITED"] == expected[1])
        #expect(codes["worldflow-synapse/rate_limit_error"] == expected[2])
        #expect(codes["devsphere/insufficient_scope"] == expected[3])
        #expect(codes["(not JSON)"] == expected[4])
        #expect(codes["(truncated JSON)"] == expected[5])
        let systems = Dictionary((s.objects("by_system") ?? []).map { ($0.string("name") ?? "?", $0.int("count") ?? -1) }, uniquingKeysWith: +)
        #expect(systems["(unknown)"] == expected[4] + expected[5])
        #expect(systems.values.reduce(0, +) == 12_000)
    }

    @Test func jsonlFromStandardInput() throws {
        let r = CLI.run(["decode", "--jsonl", "-", "--summary", "--json"], stdin: Self.mixed)
        #expect(r.exitCode == 0)
        #expect(try r.object().int("total") == 7)
    }

    @Test func oneVerdictPerLine() throws {
        let dir = try TempDir()
        let file = try dir.write("errors.jsonl", Self.mixed)
        let r = CLI.run(["decode", "--jsonl", file])
        #expect(r.exitCode == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 7)
        #expect(lines[0].hasPrefix("1: bodhi-native bodhi/data_service_error-alias_not_found · not_found"))
        #expect(lines[3].hasPrefix("4: scaigrid scaigrid/MODEL_NOT_FOUND · not_found"))
        #expect(lines[5].hasPrefix("7: none"))  // line 6 is blank and skipped
        #expect(lines[6].hasPrefix("8: scaigrid NOT_A_SCAIGRID_CODE (unknown)"))

        let json = CLI.run(["decode", "--jsonl", file, "--json"])
        let objs = try json.stdout.split(separator: "\n").map { line -> [String: Any] in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(objs.compactMap { $0.int("line") } == [1, 2, 3, 4, 5, 7, 8])
        #expect(objs[2].string("code") == "db_error-sqlite_locked")
        #expect(objs[2].objects("matches")?.first?.string("code") == "db_error-*")
        #expect(objs[4].string("envelope") == "devsphere")
    }

    /// In `decode` an Anthropic type or a Gemini status that is in the catalog makes the body
    /// known (known=true, exit 0); the summary should agree and credit the system.
    @Test func summaryCreditsCodeLessEnvelopes() throws {
        let dir = try TempDir()
        let file = try dir.write("codeless.jsonl", [
            #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"#,
            #"{"error":{"code":404,"message":"nf","status":"NOT_FOUND"}}"#,
        ].joined(separator: "\n"))
        let single = CLI.run(["decode", "--json"], stdin: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"#)
        #expect(try single.object().bool("known") == true)

        let s = try CLI.run(["decode", "--jsonl", file, "--summary", "--json"]).object()
        #expect(s.int("known") == 2)
        let systems = (s.objects("by_system") ?? []).compactMap { $0.string("name") }
        #expect(systems.contains("anthropic"))
        #expect(systems.contains("gemini"))
        #expect(!systems.contains("(unknown)"))
    }
}

@Suite("decode: inferred codes and successes said as such") struct DecodeInferenceTests {
    static let mcpMissing = #"{"type":"error","error":{"type":"not_found_error","message":"mcp '01J9Z8K2QXW3' not found"}}"#

    @Test func humanOutputSaysTheCodeIsInferredAndListsTheCandidates() {
        let r = CLI.run(["decode", "--system", "bodhi", "--status", "404"], stdin: Self.mcpMissing)
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("code      inferred, not sent: 7 candidates; first bodhi/mcp_error-mcp_not_found (the message has the shape of its"))
        #expect(r.stdout.contains("known     7 candidates, best first (type-mapping):"))
        #expect(r.stdout.contains("✓ bodhi/mcp_error-mcp_not_found"))
        #expect(r.stdout.contains("e.g. mcp server 'github' not found"))
        // Exactly one candidate is marked as having the message's shape.
        #expect(r.stdout.components(separatedBy: "✓ ").count == 2)
    }

    @Test func jsonCarriesTheCandidates() throws {
        let (v, exit) = try CLI.decodeJSON(Self.mcpMissing, ["--system", "bodhi", "--status", "404"])
        #expect(exit == 0)
        #expect(v["code"] is NSNull)
        let inf = try #require(v["code_inferred"] as? [String: Any])
        #expect(inf.string("basis") == "type-mapping")
        #expect(inf.objects("candidates")?.count == 7)
        #expect(inf.objects("candidates")?.first?.string("code") == "mcp_error-mcp_not_found")
        #expect(inf.objects("candidates")?.first?.int("message_shape") == 10)
        #expect(inf.string("distinguished_by") == "the message has the shape of its example")
        let exact = try CLI.decodeJSON(#"{"error":{"message":"m","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#, ["--status", "404"])
        #expect(exact.verdict["code_inferred"] is NSNull)
    }

    @Test func aSuccessIsShownAsOneAndExitsZero() throws {
        let body = #"{"id":"chatcmpl-1","object":"chat.completion","choices":[]}"#
        let r = CLI.run(["decode", "--status", "200"], stdin: body)
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("result    success: the response carries no error"))
        #expect(!r.stdout.contains("retry     "))
        #expect(!r.stdout.contains("known     "))
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "200"])
        #expect(exit == 0)
        #expect(v.bool("success") == true)
        #expect(v["category"] is NSNull)
        // An error body is not a success, and a body of no known shape with a 4xx still exits 1.
        #expect(try CLI.decodeJSON(#"{"error":{"message":"x","type":"server_error"}}"#, ["--status", "500"]).verdict.bool("success") == false)
        #expect(CLI.run(["decode", "--status", "404"], stdin: #"{"nothing":"here"}"#).exitCode == 1)
        // A stream that began 200 OK and then carried an error event is no success.
        let sse = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
        let stream = try CLI.decodeJSON(sse, ["--status", "200"])
        #expect(stream.verdict.bool("success") == false)
        #expect(stream.verdict.string("category") == "overloaded")
    }
}
