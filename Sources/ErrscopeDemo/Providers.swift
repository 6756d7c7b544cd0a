import ErrscopeCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The real LLM providers the demo server imitates, each under `/<system-id>`, answering with the
/// bodies, headers and stream forms their real servers send (taken from the capture corpus in
/// Tests/Fixtures/captures). A scenario is chosen by the request:
///  - no or a wrong token: the provider's auth error (Ollama has none);
///  - a model not in `DemoServer.models`: its not-found error;
///  - `x-demo-scenario: context | rate-limit | quota | overloaded | content-filter | wrapped | loading`;
///  - `"stream": true` with `x-demo-scenario: stream-fail`: a 200 stream whose events stop with
///    the provider's error event after `x-demo-fail-after` (default 3) content events.
struct ProviderEmulation: Sendable {
    enum Scenario: String, CaseIterable, Sendable {
        case auth, notFound = "not-found", context, rateLimit = "rate-limit", quota, overloaded
        case contentFilter = "content-filter", wrapped, loading, streamFail = "stream-fail"
    }

    enum StreamForm: Sendable {
        /// `data: {chunk}` events, then this error event text (already framed).
        case sse(errorEvent: String)
        /// Newline-delimited JSON objects (Ollama), then this line.
        case ndjson(errorLine: String)
        /// A JSON array of chunks (Vertex's streamGenerateContent), then this element.
        case jsonArray(errorElement: String)
        /// AWS event-stream frames, then an exception frame.
        case awsEventStream(exceptionType: String, message: String)
    }

    /// A canned answer: status, headers and body text (`{model}` filled in).
    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body: String
    }

    var id: String
    var name: String
    /// Paths (after the prefix) that answer; the first is the main request's.
    var mainPath: String
    var streamPath: String?
    /// Whether a token is checked (local servers run without one).
    var checksToken: Bool
    var answers: [Scenario: Answer]
    var stream: StreamForm?
    /// A content chunk of its stream.
    var chunk: String
    var contentType = "application/json"
    /// Notes for the route index.
    var note: String

    func answer(_ s: Scenario, model: String) -> Answer? {
        guard var a = answers[s] else { return nil }
        a.body = a.body.replacingOccurrences(of: "{model}", with: model)
        return a
    }
}

extension ProviderEmulation {
    static let bedrockType = "x-amzn-ErrorType"

    static func amzn(_ status: Int, _ type: String, _ message: String) -> Answer {
        Answer(status: status, headers: [(bedrockType, "\(type):http://internal.amazon.com/coral/com.amazon.bedrock/"),
                                         ("x-amzn-RequestId", "4e1d2c61-demo-4a6c-9b8e-bedrock00001")],
               body: #"{"message":"\#(message)"}"#)
    }

    static let openAIChunk = #"{"id":"chatcmpl-demo","object":"chat.completion.chunk","created":1733400000,"model":"{model}","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#

    static let table: [ProviderEmulation] = [
        ProviderEmulation(
            id: "bedrock", name: "Amazon Bedrock Runtime", mainPath: "/model/{model}/invoke", streamPath: "/model/{model}/invoke-with-response-stream",
            checksToken: true,
            answers: [
                .auth: amzn(403, "UnrecognizedClientException", "The security token included in the request is invalid."),
                .notFound: amzn(400, "ValidationException", "The provided model identifier is invalid."),
                .context: amzn(400, "ValidationException", "Input is too long for requested model."),
                .rateLimit: amzn(429, "ThrottlingException", "Too many requests, please wait before trying again."),
                .quota: amzn(429, "ThrottlingException", "Too many tokens per day, please wait before trying again."),
                .overloaded: amzn(503, "ServiceUnavailableException", "Bedrock is unable to process your request."),
            ],
            stream: .awsEventStream(exceptionType: "throttlingException", message: "Too many requests, please wait before trying again."),
            chunk: #"{"bytes":"eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSJ9"}"#,
            note: "type in x-amzn-ErrorType; streams are AWS event-stream frames"),
        ProviderEmulation(
            id: "azure-openai", name: "Azure OpenAI", mainPath: "/openai/deployments/{model}/chat/completions", streamPath: nil,
            checksToken: true,
            answers: [
                .auth: Answer(status: 401, body: #"{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}"#),
                .notFound: Answer(status: 404, body: #"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."}}"#),
                .context: Answer(status: 400, body: #"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 10383 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#),
                .rateLimit: Answer(status: 429, headers: [("retry-after", "6"), ("retry-after-ms", "6000"), ("x-ratelimit-remaining-tokens", "0")],
                                   body: #"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-02-01 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."}}"#),
                .quota: Answer(status: 429, headers: [("retry-after", "86400")],
                               body: #"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-02-01 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 86400 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."}}"#),
                .contentFilter: Answer(status: 400, body: #"{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}}}}}"#),
                .wrapped: Answer(status: 400, body: #"{"error":{"code":"400","message":"An error occurred when calling Azure OpenAI: Server responded with status 429. Error message: {\"error\":{\"code\":\"429\",\"message\": \"Rate limit is exceeded. Try again in 2 seconds.\"}}"}}"#),
            ],
            stream: .sse(errorEvent: #"data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"# + "\n\n"),
            chunk: openAIChunk, note: "OpenAI shape, codes as strings (\"429\"), innererror for content filters"),
        ProviderEmulation(
            id: "vertex-ai", name: "Vertex AI (Gemini)", mainPath: "/v1/projects/demo/locations/us-central1/publishers/google/models/{model}:generateContent",
            streamPath: "/v1/projects/demo/locations/us-central1/publishers/google/models/{model}:streamGenerateContent",
            checksToken: true,
            answers: [
                .auth: Answer(status: 401, body: #"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED"}}"#),
                .notFound: Answer(status: 404, body: #"{"error":{"code":404,"message":"Publisher Model `projects/demo/locations/us-central1/publishers/google/models/{model}` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions","status":"NOT_FOUND"}}"#),
                .context: Answer(status: 400, body: #"{"error":{"code":400,"message":"The input token count (1245032) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}"#),
                .rateLimit: Answer(status: 429, body: #"{"error":{"code":429,"message":"Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model with base model: gemini-1.5-flash. Please submit a quota increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.","status":"RESOURCE_EXHAUSTED"}}"#),
                .overloaded: Answer(status: 429, body: #"[{"error":{"code":429,"message":"Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.","status":"RESOURCE_EXHAUSTED"}}]"#),
            ],
            stream: .jsonArray(errorElement: #"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#),
            chunk: #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Hi"}]}}]}"#, note: "google.rpc.Status, in an array on streams"),
        ProviderEmulation(
            id: "mistral", name: "Mistral AI", mainPath: "/v1/chat/completions", streamPath: nil, checksToken: true,
            answers: [
                .auth: Answer(status: 401, body: #"{"message":"Unauthorized","request_id":"6b0b3b1a0d5d4e1f9c1e2d3a4b5c6d7e"}"#),
                .notFound: Answer(status: 400, body: #"{"object":"error","message":"Invalid model: {model}","type":"invalid_model","param":null,"code":"1500"}"#),
                .context: Answer(status: 400, body: #"{"object":"error","message":"Prompt contains 40046 tokens and 0 draft tokens, too large for model with 32768 maximum context length","type":"invalid_request_message_error","param":null,"code":"3051"}"#),
                .rateLimit: Answer(status: 429, body: #"{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}"#),
                .overloaded: Answer(status: 429, body: #"{"object":"error","message":"Service tier capacity exceeded for this model.","type":"service_tier_capacity_exceeded","param":null,"code":"3505"}"#),
            ],
            stream: .sse(errorEvent: #"data: {"object":"error","message":"Service tier capacity exceeded for this model.","type":"service_tier_capacity_exceeded","param":null,"code":"3505"}"# + "\n\n"),
            chunk: openAIChunk, note: "flat {object: error} body with numeric-string codes"),
        ProviderEmulation(
            id: "openrouter", name: "OpenRouter", mainPath: "/api/v1/chat/completions", streamPath: nil, checksToken: true,
            answers: [
                .auth: Answer(status: 401, body: #"{"error":{"message":"No auth credentials found","code":401}}"#),
                .notFound: Answer(status: 400, body: #"{"error":{"message":"{model} is not a valid model ID","code":400},"user_id":"user_demo"}"#),
                .context: Answer(status: 400, body: #"{"error":{"message":"This endpoint's maximum context length is 8192 tokens. However, you requested about 9321 tokens (5225 of text input, 4096 in the output). Please reduce the length of either one, or use the \"middle-out\" transform to compress your prompt automatically.","code":400,"metadata":{"provider_name":null}},"user_id":"user_demo"}"#),
                .quota: Answer(status: 402, body: #"{"error":{"message":"This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 1000. To increase, visit https://openrouter.ai/settings/credits and add more credits","code":402,"metadata":{"provider_name":null}},"user_id":"user_demo"}"#),
                .rateLimit: Answer(status: 429, headers: [("X-RateLimit-Limit", "20"), ("X-RateLimit-Remaining", "0")],
                                   body: #"{"error":{"message":"Rate limit exceeded: free-models-per-min. ","code":429,"metadata":{"headers":{"X-RateLimit-Limit":"20","X-RateLimit-Remaining":"0","X-RateLimit-Reset":"1733400060000"},"provider_name":null}},"user_id":"user_demo"}"#),
                .wrapped: Answer(status: 429, body: #"{"error":{"message":"Provider returned error","code":429,"metadata":{"raw":"{\"error\":{\"message\":\"Rate limit reached for gpt-4o in organization org-demo on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in 1.4s. Visit https://platform.openai.com/account/rate-limits to learn more.\",\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}","provider_name":"OpenAI"}},"user_id":"user_demo"}"#),
                .overloaded: Answer(status: 502, body: #"{"error":{"message":"Provider returned error","code":502,"metadata":{"raw":"{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}","provider_name":"Anthropic"}},"user_id":"user_demo"}"#),
            ],
            stream: .sse(errorEvent: #"data: {"id":"gen-demo","object":"chat.completion.chunk","created":1733400000,"model":"{model}","provider":"Anthropic","error":{"code":502,"message":"Provider returned error"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":"error"}]}"# + "\n\n"),
            chunk: openAIChunk, note: "wraps the upstream provider's body in error.metadata.raw; stream chunks end with finish_reason error"),
        ProviderEmulation(
            id: "ollama", name: "Ollama", mainPath: "/api/chat", streamPath: nil, checksToken: false,
            answers: [
                .notFound: Answer(status: 404, body: #"{"error":"model \"{model}\" not found, try pulling it first"}"#),
                .context: Answer(status: 400, body: #"{"error":"the input length exceeds the context length"}"#),
                .overloaded: Answer(status: 503, body: #"{"error":"server busy, please try again.  maximum pending requests exceeded"}"#),
            ],
            stream: .ndjson(errorLine: #"{"error":"an error was encountered while running the model: unexpected EOF"}"#),
            chunk: #"{"model":"{model}","created_at":"2024-12-05T12:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false}"#,
            contentType: "application/x-ndjson", note: "bare {error: text} on /api/*; NDJSON streams end with an {error} line"),
        ProviderEmulation(
            id: "vllm", name: "vLLM", mainPath: "/v1/chat/completions", streamPath: nil, checksToken: true,
            answers: [
                .auth: Answer(status: 401, body: #"{"error":"Unauthorized"}"#),
                .notFound: Answer(status: 404, body: #"{"error":{"message":"The model `{model}` does not exist.","type":"NotFoundError","param":null,"code":404}}"#),
                .context: Answer(status: 400, body: #"{"error":{"message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}}"#),
            ],
            stream: .sse(errorEvent: #"data: {"error":{"message":"The engine has stopped: a request failed during generation.","type":"InternalServerError","param":null,"code":500}}"# + "\n\n"),
            chunk: openAIChunk, note: "{error: {type: <Python exception>, code: <HTTP int>}} since v0.10.1"),
        ProviderEmulation(
            id: "llama-cpp", name: "llama.cpp server", mainPath: "/v1/chat/completions", streamPath: nil, checksToken: true,
            answers: [
                .auth: Answer(status: 401, body: #"{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}"#),
                .context: Answer(status: 500, body: #"{"error":{"code":500,"message":"the request exceeds the available context size, try increasing the context size or enable context shift","type":"server_error"}}"#),
                .loading: Answer(status: 503, body: #"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#),
            ],
            stream: .sse(errorEvent: #"error: {"code":500,"message":"Context size has been exceeded.","type":"server_error"}"# + "\n\n"),
            chunk: openAIChunk, note: "500 server_error for a context overflow (before the 400 exceed_context_size_error); non-standard error: SSE line"),
    ]

    static let ids = Set(table.map(\.id))
    static func named(_ id: String) -> ProviderEmulation? { table.first { $0.id == id } }
}

/// One request to a provider route.
struct ProviderRequest {
    let emulation: ProviderEmulation
    let rest: String

    static let scenarioHeader = HTTPField.Name("x-demo-scenario")!
    static let failAfterHeader = HTTPField.Name("x-demo-fail-after")!

    func respond(_ request: inout Request) async throws -> Response {
        let e = emulation
        let scenarioText = request.headers[Self.scenarioHeader]?.lowercased().trimmingCharacters(in: .whitespaces)
        var model = DemoServer.models[0]
        var streaming = rest.contains("stream") || rest.contains("Stream")
        if [.post, .put].contains(request.method) {
            let buffer = try await request.collectBody(upTo: DemoResponder.maxRequestBody)
            if let json = try? JSONValue.parse(Array(buffer.readableBytesView)) {
                if let m = json["model"]?.stringValue { model = m }
                if json["stream"]?.boolValue == true { streaming = true }
            }
        }
        if let m = Self.modelInPath(rest) { model = m }
        if e.checksToken, !Self.hasDemoToken(request), let a = e.answer(.auth, model: model) { return response(a) }
        if !DemoServer.models.contains(model), let a = e.answer(.notFound, model: model) { return response(a) }
        if let t = scenarioText, !t.isEmpty {
            guard let scenario = ProviderEmulation.Scenario(rawValue: t) else {
                return DemoResponder.text(.badRequest, "errscope demo: no scenario `\(t)`; \(e.id) has: \(scenarios.joined(separator: ", "))\n")
            }
            if scenario == .streamFail {
                let n = request.headers[Self.failAfterHeader].flatMap { Int($0) }.map { max(0, min($0, 1000)) } ?? 3
                return streamFailing(after: n, model: model)
            }
            guard let a = e.answer(scenario, model: model) else {
                return DemoResponder.text(.badRequest, "errscope demo: \(e.id) has no `\(t)` scenario; it has: \(scenarios.joined(separator: ", "))\n")
            }
            return response(a)
        }
        if request.headers[.demoBurst].map({ $0 == "1" || $0.lowercased() == "true" }) == true, let a = e.answer(.rateLimit, model: model) {
            return response(a)
        }
        if streaming { return streamFailing(after: 3, model: model, fail: false) }
        let body = SuccessBody.make(envelope: "openai", system: e.id, list: false, model: model, requestID: "req_demo")
        return DemoResponder.json(.ok, body)
    }

    var scenarios: [String] {
        ProviderEmulation.Scenario.allCases.filter { $0 == .streamFail ? emulation.stream != nil : emulation.answers[$0] != nil }.map(\.rawValue)
    }

    func response(_ a: ProviderEmulation.Answer) -> Response {
        var h: HTTPFields = [:]
        h[.contentType] = emulation.contentType
        for (k, v) in a.headers { if let n = HTTPField.Name(k) { h[n] = v } }
        return Response(status: .init(code: a.status), headers: h, body: .init(byteBuffer: ByteBuffer(string: a.body)))
    }

    /// A 200 stream: `n` content events, then (with `fail`) the provider's error event. Events are
    /// written 20 ms apart, so a probe sees them arrive.
    func streamFailing(after n: Int, model: String, fail: Bool = true) -> Response {
        let e = emulation
        let chunk = e.chunk.replacingOccurrences(of: "{model}", with: model)
        var parts: [ByteBuffer] = []
        var contentType = "text/event-stream"
        switch e.stream {
        case .sse(let ev)?:
            if e.id == "openrouter" { parts.append(ByteBuffer(string: ": OPENROUTER PROCESSING\n\n")) }
            for _ in 0..<n { parts.append(ByteBuffer(string: "data: \(chunk)\n\n")) }
            parts.append(ByteBuffer(string: fail ? ev.replacingOccurrences(of: "{model}", with: model) : "data: [DONE]\n\n"))
        case nil:
            for _ in 0..<n { parts.append(ByteBuffer(string: "data: \(chunk)\n\n")) }
            parts.append(ByteBuffer(string: "data: [DONE]\n\n"))
        case .ndjson(let line)?:
            contentType = "application/x-ndjson"
            for _ in 0..<n { parts.append(ByteBuffer(string: chunk + "\n")) }
            parts.append(ByteBuffer(string: fail ? line + "\n" : chunk.replacingOccurrences(of: "\"done\":false", with: "\"done\":true") + "\n"))
        case .jsonArray(let element)?:
            contentType = "application/json"
            parts.append(ByteBuffer(string: "["))
            for i in 0..<n { parts.append(ByteBuffer(string: (i == 0 ? "" : ",\r\n") + chunk)) }
            if fail { parts.append(ByteBuffer(string: (n == 0 ? "" : ",\r\n") + element)) }
            parts.append(ByteBuffer(string: "]"))
        case .awsEventStream(let type, let message)?:
            contentType = "application/vnd.amazon.eventstream"
            for _ in 0..<n {
                parts.append(ByteBuffer(bytes: AWSFrame.encode(headers: [(":event-type", "chunk"), (":content-type", "application/json"), (":message-type", "event")],
                                                               payload: Array(chunk.utf8))))
            }
            if fail {
                parts.append(ByteBuffer(bytes: AWSFrame.encode(headers: [(":exception-type", type), (":content-type", "application/json"), (":message-type", "exception")],
                                                               payload: Array(#"{"message":"\#(message)"}"#.utf8))))
            }
        }
        var h: HTTPFields = [:]
        h[.contentType] = contentType
        let chunks = parts
        return Response(status: .ok, headers: h, body: ResponseBody { writer in
            for (i, p) in chunks.enumerated() {
                if i > 0 { try await Task.sleep(nanoseconds: 20_000_000) }
                try await writer.write(p)
            }
            try await writer.finish(nil)
        })
    }

    static func hasDemoToken(_ request: Request) -> Bool {
        let auth = request.headers[.authorization] ?? ""
        let key = request.headers[.xAPIKey] ?? request.headers[HTTPField.Name("api-key")!] ?? ""
        return auth.contains(DemoServer.token) || key == DemoServer.token
    }

    static func modelInPath(_ path: String) -> String? {
        if let r = path.range(of: "/models/") {
            let tail = path[r.upperBound...]
            let m = tail.prefix { $0 != ":" && $0 != "/" }
            return m.isEmpty ? nil : String(m)
        }
        for marker in ["/model/", "/deployments/"] {
            if let r = path.range(of: marker) {
                let m = path[r.upperBound...].prefix { $0 != "/" }
                return m.isEmpty ? nil : String(m)
            }
        }
        return nil
    }
}

/// AWS event-stream framing (prelude, headers, payload, CRC32s), for Bedrock's streams.
enum AWSFrame {
    static func encode(headers: [(String, String)], payload: [UInt8]) -> [UInt8] {
        var h: [UInt8] = []
        for (name, value) in headers {
            h.append(UInt8(name.utf8.count))
            h += Array(name.utf8)
            h.append(7)  // string
            let v = Array(value.utf8)
            h += [UInt8(v.count >> 8), UInt8(v.count & 0xFF)]
            h += v
        }
        let total = 12 + h.count + payload.count + 4
        var out = be32(total) + be32(h.count)
        out += be32(Int(crc32(out)))
        out += h + payload
        out += be32(Int(crc32(out)))
        return out
    }

    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }
}
