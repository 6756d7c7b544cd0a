import ErrscopeCore
import Foundation

/// Why a certificate was refused, in words an on-call engineer can act on.
public enum TLSProblem: Sendable, Equatable {
    case expired(notAfter: Date)
    case notYetValid(notBefore: Date)
    case selfSigned(subject: String?)
    case untrustedIssuer(issuer: String?)
    case wrongHost(host: String, names: [String])
    case handshake(String)

    public var explanation: String {
        let f = ISO8601DateFormatter()
        switch self {
        case .expired(let d):
            return "the server's certificate expired on \(f.string(from: d)); renew it on the server (or set insecure: true for this endpoint to look anyway)"
        case .notYetValid(let d):
            return "the server's certificate is not valid until \(f.string(from: d)); check the server's (or this machine's) clock"
        case .selfSigned(let s):
            return "the server's certificate is self-signed\(s.map { " (\($0))" } ?? ""), so nothing vouches for it; add its CA with ca_file, or set insecure: true for this endpoint"
        case .untrustedIssuer(let i):
            return "the server's certificate is issued by a CA this machine does not trust\(i.map { " (\($0))" } ?? ""); add it with ca_file, or check for a TLS-intercepting proxy"
        case .wrongHost(let h, let names):
            let list = names.isEmpty ? "other names" : names.prefix(6).joined(separator: ", ") + (names.count > 6 ? ", …" : "")
            return "the server's certificate is for \(list), not \(h): wrong host name, or the wrong server behind it"
        case .handshake(let d):
            return "the TLS handshake failed: \(d)"
        }
    }
}

/// A request that got no (complete) response, and what it means.
public enum ProbeFailure: Sendable, Equatable {
    case connectTimeout(seconds: Double)
    case totalTimeout(seconds: Double)
    case refused(host: String)
    case unresolvable(host: String)
    case tls(TLSProblem)
    /// The connection closed after the headers, before the body was complete.
    case closedMidBody(received: Int, expected: Int?)
    case redirectLoop(String)
    case cancelled
    case invalidRequest(String)
    case other(String)

    public var explanation: String {
        switch self {
        case .connectTimeout(let s): return "no connection within \(Self.seconds(s)) (connect timeout): the host is down, firewalled, or the address is wrong"
        case .totalTimeout(let s): return "no complete response within \(Self.seconds(s)) (total timeout): the server is slow or stuck"
        case .refused(let h): return "connection refused by \(h): nothing is listening on that port"
        case .unresolvable(let h): return "cannot resolve host \(h): check the URL, DNS or VPN"
        case .tls(let p): return p.explanation
        case .closedMidBody(let r, let e):
            return "the server closed the connection after \(r) bytes of the body" + (e.map { " (it announced \($0))" } ?? "") + "; what arrived is shown"
        case .redirectLoop(let d): return "redirects do not end: \(d)"
        case .cancelled: return "cancelled"
        case .invalidRequest(let d): return d
        case .other(let d): return d
        }
    }

    /// This failure with `transform` applied to the texts it carries (an HTTP client's error can
    /// quote the request it refused, credentials included).
    public func mappingText(_ transform: (String) -> String) -> ProbeFailure {
        switch self {
        case .refused(let h): return .refused(host: transform(h))
        case .unresolvable(let h): return .unresolvable(host: transform(h))
        case .tls(.wrongHost(let h, let names)): return .tls(.wrongHost(host: transform(h), names: names.map(transform)))
        case .tls(.selfSigned(let s)): return .tls(.selfSigned(subject: s.map(transform)))
        case .tls(.untrustedIssuer(let i)): return .tls(.untrustedIssuer(issuer: i.map(transform)))
        case .tls(.handshake(let d)): return .tls(.handshake(transform(d)))
        case .redirectLoop(let d): return .redirectLoop(transform(d))
        case .invalidRequest(let d): return .invalidRequest(transform(d))
        case .other(let d): return .other(transform(d))
        case .connectTimeout, .totalTimeout, .tls(.expired), .tls(.notYetValid), .closedMidBody, .cancelled: return self
        }
    }

    public var kind: String {
        switch self {
        case .connectTimeout: return "connect-timeout"
        case .totalTimeout: return "timeout"
        case .refused: return "refused"
        case .unresolvable: return "dns"
        case .tls: return "tls"
        case .closedMidBody: return "closed-mid-body"
        case .redirectLoop: return "redirect-loop"
        case .cancelled: return "cancelled"
        case .invalidRequest: return "invalid-request"
        case .other: return "error"
        }
    }

    /// `5 s`, `0.5 s` (finite, sane values: timeouts, watch intervals, capped retry delays).
    public static func seconds(_ s: Double) -> String {
        guard s.isFinite, abs(s) < 1e9 else { return String(format: "%g s", s) }
        return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }
}

public struct ProbeTimings: Sendable, Equatable {
    /// Until the request head was written: DNS, TCP and TLS.
    public var connectMs: Double?
    /// Until the response head arrived.
    public var firstByteMs: Double?
    public var totalMs: Double
    /// Streams: when the first event arrived, and the event that carried the error.
    public var firstEventMs: Double?
    public var errorEventMs: Double?
    public init(connectMs: Double? = nil, firstByteMs: Double? = nil, totalMs: Double, firstEventMs: Double? = nil, errorEventMs: Double? = nil) {
        self.connectMs = connectMs; self.firstByteMs = firstByteMs; self.totalMs = totalMs
        self.firstEventMs = firstEventMs; self.errorEventMs = errorEventMs
    }

    /// `connect 0.4 ms · first byte 1.9 ms · total 2.0 ms` (the phases that happened).
    public var text: String {
        var t = "total \(Self.ms(totalMs))"
        if let e = errorEventMs { t = "error event \(Self.ms(e)) · " + t }
        if let e = firstEventMs { t = "first event \(Self.ms(e)) · " + t }
        if let f = firstByteMs { t = "first byte \(Self.ms(f)) · " + t }
        if let c = connectMs { t = "connect \(Self.ms(c)) · " + t }
        return t
    }

    /// `4.8 ms`, `23 ms`: a tenth of a millisecond below 10 ms.
    public static func ms(_ v: Double) -> String { v < 10 ? String(format: "%.1f ms", v) : String(format: "%.0f ms", v) }
}

public struct ProbeResponse: Sendable {
    public var status: Int
    public var reason: String
    public var version: String
    public var headers: [(name: String, value: String)]
    /// At most the spec's `maxBody` bytes.
    public var body: [UInt8]
    /// Bytes received in all (more than `body.count` when the cap cut it).
    public var bodyBytes: Int
    public var truncated: Bool
    /// When each part of the body arrived: (byte offset it starts at, ms since the request
    /// started). Bounded; the stream timings come from it.
    public var arrivals: [(offset: Int, ms: Double)] = []

    public init(status: Int, reason: String, version: String = "HTTP/1.1", headers: [(name: String, value: String)], body: [UInt8],
                bodyBytes: Int? = nil, truncated: Bool = false)
    {
        self.status = status; self.reason = reason; self.version = version; self.headers = headers; self.body = body
        self.bodyBytes = bodyBytes ?? body.count; self.truncated = truncated
    }

    /// When the byte at `offset` arrived.
    public func arrival(ofByte offset: Int) -> Double? {
        arrivals.last { $0.offset <= offset }?.ms
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// One probe: what was sent (redacted), what came back, what it means.
public struct ProbeOutcome: Sendable {
    public var label: String?
    public var method: String
    /// Redacted.
    public var url: String
    public var requestHeaders: [(name: String, value: String)]
    public var requestBody: String?
    public var system: String?
    public var envelopePath: String
    public var startedAt: Date
    public var response: ProbeResponse?
    public var failure: ProbeFailure?
    public var timings: ProbeTimings
    public var verdict: DecodeResult?
    /// Monotonic nanoseconds when the last byte arrived (for the verdict latency figure).
    public var lastByteAt: UInt64
    /// Masks secret values in what the server sent back.
    public var redactor: Redactor
    /// Things the person should know about the request (a secret too short to mask safely).
    public var warnings: [String]

    public init(request: ResolvedProbe, startedAt: Date, response: ProbeResponse?, failure: ProbeFailure?, timings: ProbeTimings,
                lastByteAt: UInt64 = 0)
    {
        label = request.spec.label
        method = request.spec.method
        url = request.displayURL
        requestHeaders = request.displayHeaders
        requestBody = request.displayBody
        system = request.spec.system
        envelopePath = request.spec.envelopePath
        self.startedAt = startedAt
        self.response = response
        self.timings = timings
        self.lastByteAt = lastByteAt
        redactor = request.redactor
        warnings = request.warnings
        // The one masking step for what did not come from the body: the client's error text.
        let r = request.redactor
        self.failure = r.isEmpty ? failure : failure?.mappingText { r.text($0) }
        if !r.isEmpty, let reason = response?.reason { self.response?.reason = r.text(reason) }
    }

    /// Response headers as they may be shown: credentials masked, secret values masked.
    public var displayResponseHeaders: [(name: String, value: String)] {
        // Names too: a server can echo a token as a header name.
        (response?.headers ?? []).map { (redactor.text($0.name), redactor.header($0.name, $0.value)) }
    }

    /// The body as it may be shown or stored: secret values masked (bytes otherwise untouched).
    public var displayBody: [UInt8] { redactor.bytes(response?.body ?? []) }

    /// Decodes the response with the catalog: the path's envelope is a hint, never a substitute
    /// for what the body really is.
    public mutating func decode(with decoder: ErrorDecoder, now: Date = Date()) {
        guard let r = response else { verdict = nil; return }
        // Decoded from what arrived (masking first could break the JSON, or hide a rate-limit
        // header's delay), then every text the verdict took from the response is masked below,
        // so a server echoing a token back cannot put it in the verdict, the journal or the
        // summary. Read as a person would paste it: a stream that began 200 OK is read as events.
        let traffic = TrafficInput.response(status: r.status, headers: r.headers, body: r.body)
        var input = DecodeInput(traffic: traffic, path: envelopePath, system: system, now: now)
        if r.truncated || failure != nil { input.truncatedAt = r.body.count }
        verdict = decoder.decode(input)
        if let enc = r.header("content-encoding")?.lowercased().trimmingCharacters(in: .whitespaces), !enc.isEmpty, enc != "identity" {
            verdict?.notes.append(["gzip", "deflate"].contains(enc)
                ? "the body arrived \(enc)-encoded and was decoded (bounded by the body cap)"
                : "content-encoding \(TerminalText.singleLine(enc, limit: 40)) is not decoded: the body is shown as it arrived")
        }
        // And after decoding: escapes the byte-level pass cannot see (Python's `\x74`, a token
        // split across JSON layers) come out as the token in the decoded fields. Every path to the
        // screen, the journal and files reads the verdict from here.
        if !redactor.isEmpty { verdict = verdict?.mappingResponseText { redactor.text($0) } }
        if let st = verdict?.stream {
            timings.firstEventMs = r.arrivals.first?.ms
            if let b = st.bytesBeforeError { timings.errorEventMs = r.arrival(ofByte: b) }
        }
    }

    /// xh's exit codes: 0 for 2xx, 3/4/5 for the 3xx/4xx/5xx classes, 2 for a timeout,
    /// 1 for a connection failure or any other error.
    public var exitCode: Int32 {
        if let f = failure {
            switch f {
            case .connectTimeout, .totalTimeout: return 2
            case .redirectLoop: return 6
            default: return 1
            }
        }
        guard let s = response?.status else { return 1 }
        switch s {
        case 200..<300: return 0
        case 300..<400: return 3
        case 400..<500: return 4
        case 500..<600: return 5
        default: return 1
        }
    }

    /// One line for timelines and the journal: `429 anthropic rate_limit_error · retry in 30 s`.
    public var summary: String {
        var parts: [String] = []
        if let r = response { parts.append("\(r.status)") }
        if let f = failure { parts.append(f.kind) }
        if let v = verdict, response != nil {
            if v.success { parts.append("success"); return parts.joined(separator: " · ") }
            if let st = v.stream, let i = st.errorIndex { parts.append("stream error at event \(i + 1)") }
            if v.envelope != ErrorDecoder.envelopeNone { parts.append(v.envelope) }
            if let c = v.code ?? v.type ?? v.status { parts.append(TerminalText.singleLine(c, limit: 80)) }
            if let inf = v.inference, inf.candidates.count > 1 { parts.append("code inferred: \(inf.candidates.count) candidates") }
            if let c = v.category { parts.append(c.rawValue) }
            if let r = v.retry.retryable {
                if r, let s = v.retry.afterSeconds { parts.append("retry in \(ProbeFailure.seconds(s.rounded(.up)))") } else { parts.append(r ? "retryable" : "do not retry") }
            }
        }
        return parts.joined(separator: " · ")
    }
}
