import Foundation

/// One cross-provider class of failure: what an on-call engineer acts on, whatever the provider
/// called it. Exactly these twelve (docs/CATALOG.md, "Categories").
public enum ErrorCategory: String, Sendable, CaseIterable, Comparable {
    case auth, permission
    case notFound = "not_found"
    case invalidRequest = "invalid_request"
    case contextLength = "context_length"
    case contentFilter = "content_filter"
    case rateLimit = "rate_limit"
    case quota, overloaded, timeout
    case serverError = "server_error"
    case unavailable

    /// 1-based, for the store's byte column (0 = none).
    var code: UInt8 { UInt8(Self.allCases.firstIndex(of: self)! + 1) }
    init?(code: UInt8) {
        guard code > 0, Int(code) <= Self.allCases.count else { return nil }
        self = Self.allCases[Int(code) - 1]
    }

    /// Whether waiting and sending the same request again can succeed.
    public var defaultRetry: Retryability {
        switch self {
        case .auth, .permission, .notFound, .invalidRequest, .contextLength, .contentFilter, .quota: return .no
        case .rateLimit, .overloaded, .timeout, .unavailable: return .yes
        case .serverError: return .sometimes
        }
    }

    /// Categories no retry can fix, whatever the status or the code's own retry class says.
    public var neverRetryable: Bool { self == .contextLength || self == .quota || self == .contentFilter }

    /// Generic categories a wrapped (upstream) error may make more specific.
    var isGeneric: Bool { self == .invalidRequest || self == .serverError || self == .unavailable }

    /// The category an HTTP status implies when nothing more specific is known. Statuses outside
    /// 400-599 imply none (no invented advice for HTTP 999).
    public static func fromHTTP(_ status: Int) -> ErrorCategory? {
        switch status {
        case 401: return .auth
        case 402: return .quota
        case 403: return .permission
        case 404, 410: return .notFound
        case 408, 504, 524: return .timeout
        case 413: return .invalidRequest
        case 429: return .rateLimit
        case 529: return .overloaded
        case 502, 503: return .unavailable
        case 400...499: return .invalidRequest
        case 500...599: return .serverError
        default: return nil
        }
    }

    public static func < (a: ErrorCategory, b: ErrorCategory) -> Bool { a.code < b.code }
}

/// A category's title and "what to do", from the catalog (`categories:`).
public struct CategoryInfo: Sendable, Equatable {
    public var id: ErrorCategory
    public var title: String
    public var whatToDo: String
}

/// A rule that refines a too-coarse code by its message: llama.cpp's 500 `server_error` whose
/// message says the context is exceeded is `context_length`, not a retryable server error.
public struct MessageRule: Sendable, Equatable {
    public var id: String
    /// nil: a global rule (any system).
    public var system: String?
    public var codes: [String] = []
    public var types: [String] = []
    public var http: [HTTPMatcher] = []
    public var envelopes: [String] = []
    /// Lowercased substrings; any one matching fires the rule.
    public var contains: [String] = []
    public var regex: SharedRegex?
    public var category: ErrorCategory
    /// The catalog code (in `system`) this message means.
    public var code: String?
    public var retry: Retryability?
    public var note: String?
    public var source: String?
    /// Only when nothing more specific (a catalog code, a system's rule) gave a category.
    public var fallback = false
    /// The rule reads a gateway's exception class (`litellm.RateLimitError`), not the cause: a
    /// wrapped upstream error whose own rule names a cause is more specific (`wraps_class: true`).
    public var wrapsClass = false

    /// Whether the rule holds for a decoded response (message already lowercased).
    func holds(code c: String?, type t: String?, http h: Int?, envelope e: String, lowerMessage m: String) -> Bool {
        // A code or type condition narrows the rule where the wire names one; a form that names
        // none (a pasted message) is not excluded by it.
        if !codes.isEmpty, let c, !codes.contains(c) { return false }
        if !types.isEmpty, let t, !types.contains(t) { return false }
        if !http.isEmpty, let h, !http.contains(where: { $0.matches(h) }) { return false }
        if !envelopes.isEmpty, !envelopes.contains(e) { return false }
        // By bytes, as the summary's fast path compares (Foundation's `contains` was slow here).
        if !contains.isEmpty {
            var m = m
            let found = m.withUTF8 { hay in
                contains.contains { t in
                    var t = t
                    return !t.isEmpty && t.withUTF8 { RuleBank.find($0, in: hay) }
                }
            }
            if !found { return false }
        }
        if let r = regex, !r.matches(m) { return false }
        return !contains.isEmpty || regex != nil
    }
}

/// A sign that a response came from one system (a header only it sends, its console URL in a
/// message): tells OpenAI-compatible providers apart.
public struct Fingerprint: Sendable, Equatable {
    public enum Test: Sendable, Equatable {
        case condition(EnvelopeCondition)
        /// Lowercased text the message contains.
        case message(String)
    }
    public var test: Test
}

/// Where a retry delay can come from and how to read it (`retry_delays:` in the catalog).
public struct DelaySource: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case header(String)
        case field(String)
        case message(SharedRegex)
    }
    public enum Format: String, Sendable {
        /// Seconds, or an HTTP date (Retry-After).
        case secondsOrDate = "seconds-or-date"
        case seconds
        case milliseconds = "ms"
        /// Go / protobuf style: `1m47.5s`, `6ms`, `30s`; also `2 seconds`, `1 minute`.
        case duration
        /// RFC 3339 time (`anthropic-ratelimit-*-reset`).
        case rfc3339
        /// Epoch seconds when large, else a delta in seconds (`x-ratelimit-reset`).
        case epochOrDelta = "epoch-or-delta"
    }
    public var id: String
    public var kind: Kind
    public var format: Format
    /// Shown as `retry.delay_source`.
    public var label: String
}

/// What an official SDK does with a response (`sdks:` in the catalog).
public struct SDKRule: Sendable, Equatable {
    public struct ExceptionRule: Sendable, Equatable {
        public var http: [HTTPMatcher]
        public var otherwise: Bool
        public var exception: String
        /// With `errorCode`: the body's value at the SDK's `error_code_path` must equal it too.
        public var errorCode: String? = nil
    }
    /// What raises for an error inside a 200 stream.
    public struct StreamTrigger: Sendable, Equatable {
        /// An SSE event with this name.
        public var event: String?
        /// A data object with this (truthy) key; `firstKey`: it must come first.
        public var dataKey: String?
        public var firstKey = false
    }
    public var id: String
    public var name: String
    public var version: String?
    public var source: String?
    public var verified: Bool
    public var exceptions: [ExceptionRule]
    public var streamErrorException: String?
    public var streamTriggers: [StreamTrigger] = []
    /// The stream's error class comes from the body value at this path, read as an HTTP status.
    public var streamClassifyBy: String?
    /// Raised at the first `event:` line of a stream (an SDK that reads only `data:` lines).
    public var streamEventLineException: String?
    public var exceptionsByErrorCode: [ExceptionRule] = []
    public var errorCodePath: String?
    /// False: the SDK does not retry unless configured (`retryOptIn` says how it then does).
    public var retryEnabled = true
    public var optInMaxRetries: Int?
    public var optInStatuses: [HTTPMatcher] = []
    /// A header delay is used only when above this (nil: any parsed value).
    public var minHeaderDelay: Double?
    public var maxRetries: Int
    public var retryStatuses: [HTTPMatcher]
    public var shouldRetryHeader: String?
    public var delayHeaders: [String]
    public var maxHeaderDelay: Double?
    /// Past `maxHeaderDelay`: `backoff` (ignore the header) or `no_retry`.
    public var aboveMax: String?
    public var backoffInitial: Double?
    public var backoffMax: Double?
    public var notes: [String]

    public func exception(http: Int?, errorCode: String? = nil) -> String? {
        if let code = errorCode {
            for r in exceptionsByErrorCode where r.errorCode == code && r.http.contains(where: { $0.matches(http) }) { return r.exception }
        }
        for r in exceptions {
            if r.otherwise { return r.exception }
            if r.http.contains(where: { $0.matches(http) }) { return r.exception }
        }
        return nil
    }
}

/// The catalog's cross-system data: categories, global message rules, delay sources, SDKs.
public struct TrafficRules: Sendable {
    public var categories: [CategoryInfo] = []
    public var messageRules: [MessageRule] = []
    public var delaySources: [DelaySource] = []
    public var sdks: [SDKRule] = []

    public func info(_ c: ErrorCategory) -> CategoryInfo? { categories.first { $0.id == c } }
}
