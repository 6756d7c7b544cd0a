import Foundation

/// One recorded probe: what was sent, what came back, how long it took and what the decoder
/// made of it. Plain values only; callers redact secrets before building an entry.
public struct JournalEntry: Sendable, Equatable {
    /// Set by the journal when the entry is recorded.
    public var id: Int64?
    /// When the probe was sent.
    public var time: Date
    /// The endpoint's config name, e.g. "bodhi-demo/bad-model"; nil for an ad-hoc URL.
    public var endpoint: String?
    public var method: String
    /// Already redacted.
    public var url: String
    /// `[[name, value]]`, already redacted.
    public var requestHeaders: [[String]]
    /// Already redacted and capped by the caller.
    public var requestBody: String?
    /// Nil when there was no response (transport failure).
    public var status: Int?
    /// The transport failure (timeout, connection refused, TLS ...), when there was one.
    public var failure: String?
    public var connectMs: Double?
    public var firstByteMs: Double?
    public var totalMs: Double?
    /// `[[name, value]]`.
    public var responseHeaders: [[String]]
    /// The response body, capped by the journal at its `bodyCap` when recorded.
    public var body: Data
    /// The full size received (may exceed `body.count`).
    public var bodyBytes: Int
    public var system: String?
    public var envelope: String?
    public var code: String?
    /// Whether the code was found in a catalog.
    public var known: Bool
    /// One line, e.g. "429 anthropic rate_limit_error — retry in 30s".
    public var summary: String
    /// The decode verdict as JSON text ("" when there is none, e.g. a transport failure).
    public var verdict: String

    /// `bodyBytes` defaults to `body.count`.
    public init(
        id: Int64? = nil,
        time: Date = Date(),
        endpoint: String? = nil,
        method: String = "GET",
        url: String = "",
        requestHeaders: [[String]] = [],
        requestBody: String? = nil,
        status: Int? = nil,
        failure: String? = nil,
        connectMs: Double? = nil,
        firstByteMs: Double? = nil,
        totalMs: Double? = nil,
        responseHeaders: [[String]] = [],
        body: Data = Data(),
        bodyBytes: Int? = nil,
        system: String? = nil,
        envelope: String? = nil,
        code: String? = nil,
        known: Bool = false,
        summary: String = "",
        verdict: String = ""
    ) {
        self.id = id
        self.time = time
        self.endpoint = endpoint
        self.method = method
        self.url = url
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.status = status
        self.failure = failure
        self.connectMs = connectMs
        self.firstByteMs = firstByteMs
        self.totalMs = totalMs
        self.responseHeaders = responseHeaders
        self.body = body
        self.bodyBytes = bodyBytes ?? body.count
        self.system = system
        self.envelope = envelope
        self.code = code
        self.known = known
        self.summary = summary
        self.verdict = verdict
    }

    /// True when the journal kept only the first part of the body.
    public var bodyIsCapped: Bool { bodyBytes > body.count }

    /// The endpoint name, or "METHOD url" for an ad-hoc probe.
    public var target: String { endpoint ?? "\(method) \(url)" }
}
