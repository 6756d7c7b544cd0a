import ErrscopeCore

/// What makes the demo server answer a system route with an error instead of a success.
enum Trigger: String, CaseIterable, Sendable {
    /// No credential at all (or only empty ones).
    case missingToken = "missing token"
    /// A credential that is not the demo token.
    case invalidToken = "bad token"
    /// A POST body that is not JSON.
    case badJSON = "bad JSON"
    /// A model other than `DemoServer.models`.
    case unknownModel = "unknown model"
    /// More than the limit of requests a second, or `x-demo-burst: 1`.
    case rateLimited = "too many requests"
    /// A path under the system prefix that none of its envelopes covers.
    case unknownRoute = "unknown route"
}

/// The catalog code one trigger renders, and how to word it.
struct TriggerCode: Sendable {
    /// The catalog system of the code; nil means the profile's own system.
    var system: String?
    /// Needed when the code string exists in more than one domain of the system (Jan Server).
    var domain: String?
    var code: String
    /// The message; nil keeps the code's catalog example. `{model}`, `{method}`, `{path}` and
    /// `{error}` (the JSON parser's complaint) are filled in per request.
    var message: String?
    /// Message arguments, for envelopes that carry them (Bodhi's `params` / `param`).
    var params: [(key: String, value: String)]

    init(_ code: String, system: String? = nil, domain: String? = nil, message: String? = nil,
         params: [(key: String, value: String)] = [])
    {
        self.code = code; self.system = system; self.domain = domain; self.message = message; self.params = params
    }

    /// How the table names the code: `code`, `domain/code` or `system:code`.
    var label: String {
        let base = domain.map { "\($0)/\(code)" } ?? code
        return system.map { "\($0):\(base)" } ?? base
    }
}

/// A header a system sends with a 429 to say when to come back.
enum RetryHeader: Sendable {
    /// Seconds to wait.
    case retryAfter(String)
    /// The number of requests the window allows.
    case limit(String)
    /// Requests left in the window: 0 when limited.
    case remaining(String)
    /// When the window resets, as Unix epoch seconds.
    case resetEpoch(String)
}

/// A request written into the generated endpoints.yaml.
struct SampleRequest: Sendable {
    var name: String
    var method: String
    var path: String
    var headers: [(name: String, value: String)] = []
    var json: JSONValue?
    var body: String?
}

/// How the demo server imitates one seed system.
struct SystemProfile: Sendable {
    var id: String
    /// Trigger -> code. A trigger without a code does not fire for this system.
    var codes: [Trigger: TriggerCode]
    /// Sent with this system's 429s, as its documentation describes them.
    var retryHeaders: [RetryHeader]
    /// Where the `ok`, `unknown-model` and `bad-json` saved requests go (a POST).
    var mainPath: String
    /// The JSON of a valid request to `mainPath`.
    var mainBody: JSONValue
    /// A GET that lists models (or records).
    var listPath: String
    /// One saved request per envelope path, for systems that answer in more than one envelope.
    var samples: [SampleRequest]
}

private let chatBody: JSONValue = [
    "model": "demo-model", "max_tokens": 16, "messages": [["role": "user", "content": "Say hi"]],
]
private let unknownChatBody: JSONValue = [
    "model": "no-such-model", "max_tokens": 16, "messages": [["role": "user", "content": "Say hi"]],
]

extension SystemProfile {
    /// THE trigger table: for each seed system, which catalog code answers which trigger.
    /// Every code here is checked against the catalog when a `DemoServer` is created.
    ///
    /// Choices, from each system's catalog and seed page:
    /// - Bodhi: no credentials is `auth_context_error-anonymous_not_allowed` (403, "you sent no
    ///   credentials"); `auth_context_error-missing_token` is for session callers on token-only
    ///   routes. Bad JSON is the `serde_json_error-*` wildcard (the page names no reasons). Bodhi
    ///   documents no rate limit, so it never sends a 429, and it has no code for an unknown
    ///   route: that one is the generic HTTP 404 rendered in the path's envelope.
    /// - ScaiGrid: every path is in its envelope (`/*`), so there is no unknown route.
    /// - WorldFlow Synapse: the envelope carries only the type, so both auth failures are
    ///   `authentication_error` (the fine-grained AUTH_INVALID_TOKEN would be invisible on the
    ///   wire); it has no model errors and, with `/*`, no unknown route.
    /// - DevSphere: the app-route code `unauthorized` for no credentials, the public-API code
    ///   `invalid_api_key` for a wrong key; no model errors.
    /// - Jan Server: one code, INVALID_TOKEN, for missing and bad tokens; the documented 429
    ///   comes with X-RateLimit-* and Retry-After.
    static let table: [SystemProfile] = [
        SystemProfile(
            id: "bodhi",
            codes: [
                .missingToken: TriggerCode("auth_context_error-anonymous_not_allowed"),
                .invalidToken: TriggerCode("token_error-invalid_token"),
                .badJSON: TriggerCode("serde_json_error-*", message: "failed to parse the request body as JSON: {error}"),
                .unknownModel: TriggerCode("data_service_error-alias_not_found", message: "alias '{model}' not found",
                                           params: [(key: "var_0", value: "{model}")]),
                .unknownRoute: TriggerCode("404", system: "http", message: "no route for {method} {path}"),
            ],
            retryHeaders: [],
            mainPath: "/v1/chat/completions", mainBody: chatBody, listPath: "/v1/models",
            samples: [
                SampleRequest(name: "openai-models", method: "GET", path: "/v1/models"),
                SampleRequest(name: "anthropic-unknown-model", method: "POST", path: "/anthropic/v1/messages",
                              headers: [(name: "anthropic-version", value: "2023-06-01")], json: unknownChatBody),
                SampleRequest(name: "anthropic-bad-token", method: "POST", path: "/anthropic/v1/messages",
                              headers: [(name: "Authorization", value: ""), (name: "x-api-key", value: "wrong-token"),
                                        (name: "anthropic-version", value: "2023-06-01")], json: chatBody),
                SampleRequest(name: "anthropic-models", method: "GET", path: "/anthropic/v1/models"),
                SampleRequest(name: "gemini-unknown-model", method: "POST", path: "/v1beta/models/no-such-model:generateContent",
                              json: ["contents": [["role": "user", "parts": [["text": "Say hi"]]]]]),
                SampleRequest(name: "gemini-models", method: "GET", path: "/v1beta/models"),
                SampleRequest(name: "native-models", method: "GET", path: "/bodhi/v1/models"),
                SampleRequest(name: "native-alias-not-found", method: "GET", path: "/bodhi/v1/models",
                              headers: [(name: "x-errscope-force", value: "data_service_error-alias_not_found")]),
            ]),
        SystemProfile(
            id: "scaigrid",
            codes: [
                .missingToken: TriggerCode("AUTH_TOKEN_MISSING"),
                .invalidToken: TriggerCode("AUTH_TOKEN_INVALID"),
                .badJSON: TriggerCode("VALIDATION_ERROR", message: "Request body is not valid JSON: {error}"),
                .unknownModel: TriggerCode("MODEL_NOT_FOUND", message: "Model '{model}' not found"),
                .rateLimited: TriggerCode("RATE_LIMITED", message: "Rate limit exceeded"),
            ],
            retryHeaders: [],
            mainPath: "/v1/chat/completions", mainBody: chatBody, listPath: "/v1/models", samples: []),
        SystemProfile(
            id: "worldflow-synapse",
            codes: [
                .missingToken: TriggerCode("authentication_error", message: "authentication failed: missing bearer token"),
                .invalidToken: TriggerCode("authentication_error", message: "authentication failed: invalid token signature"),
                .badJSON: TriggerCode("invalid_request_error", message: "invalid request: malformed JSON body ({error})"),
                .rateLimited: TriggerCode("rate_limit_error"),
            ],
            retryHeaders: [],
            mainPath: "/v1/chat/completions", mainBody: chatBody, listPath: "/v1/models", samples: []),
        SystemProfile(
            id: "devsphere",
            codes: [
                .missingToken: TriggerCode("unauthorized"),
                .invalidToken: TriggerCode("invalid_api_key"),
                .badJSON: TriggerCode("bad_request"),
                .rateLimited: TriggerCode("rate_limited"),
                .unknownRoute: TriggerCode("not_found"),
            ],
            retryHeaders: [],
            mainPath: "/api/v1/leads", mainBody: ["name": "Ada Lovelace", "email": "ada@example.com"],
            listPath: "/api/v1/leads", samples: []),
        SystemProfile(
            id: "jan-server",
            codes: [
                .missingToken: TriggerCode("INVALID_TOKEN", message: "Authorization header is missing"),
                .invalidToken: TriggerCode("INVALID_TOKEN"),
                .badJSON: TriggerCode("INVALID_REQUEST", message: "Request body is invalid: {error}"),
                .unknownModel: TriggerCode("MODEL_NOT_AVAILABLE", message: "Model not available: {model}"),
                .rateLimited: TriggerCode("RATE_LIMIT_EXCEEDED", domain: "status"),
                .unknownRoute: TriggerCode("RESOURCE_NOT_FOUND", message: "Endpoint not found: {method} {path}"),
            ],
            retryHeaders: [.limit("X-RateLimit-Limit"), .remaining("X-RateLimit-Remaining"),
                           .resetEpoch("X-RateLimit-Reset"), .retryAfter("Retry-After")],
            mainPath: "/v1/chat/completions", mainBody: chatBody, listPath: "/v1/models", samples: []),
    ]
}
