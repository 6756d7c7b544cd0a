import Foundation

/// What is known about a response before decoding its body.
public struct DecodeInput: Sendable {
    public var body: [UInt8]
    public var http: Int?
    public var headers: [(name: String, value: String)]
    /// The endpoint path the response came from: selects the expected envelope.
    public var path: String?
    /// The system (catalog id) the endpoint belongs to.
    public var system: String?
    /// For `Retry-After` dates and `X-RateLimit-Reset` epochs.
    public var now: Date
    /// The input was cut at this many bytes.
    public var truncatedAt: Int?
    /// The stream the error was read from, when it came inside one.
    public var stream: StreamInfo?
    /// The form it reached a person in (raw response, bare body, SDK print, ...).
    public var form: InputForm = .body
    /// The exception an SDK print named.
    public var exception: String?
    /// The error message a text form carried outside any JSON (`429 Rate limit reached ...`).
    public var message: String?
    /// All of a pasted text, for message rules (its first line is what is shown).
    public var fullText: String?

    public init(body: [UInt8], http: Int? = nil, headers: [(name: String, value: String)] = [], path: String? = nil,
                system: String? = nil, now: Date = Date(), truncatedAt: Int? = nil)
    {
        self.body = body; self.http = http; self.headers = headers; self.path = path; self.system = system
        self.now = now; self.truncatedAt = truncatedAt
    }

    public init(response: HTTPResponseText, path: String? = nil, system: String? = nil, now: Date = Date()) {
        self.init(body: response.body, http: response.status, headers: response.headers, path: path, system: system, now: now)
    }

    /// An error in any form it reaches a person in (see `TrafficInput.read`).
    public init(traffic t: TrafficInput, path: String? = nil, system: String? = nil, now: Date = Date()) {
        self.init(body: t.response.body, http: t.response.status, headers: t.response.headers, path: path, system: system, now: now)
        stream = t.stream; form = t.form; exception = t.exception; message = t.message; fullText = t.fullText
    }

    func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Why a catalog entry matched, strongest first.
public enum MatchBasis: String, Sendable, Comparable {
    case code, alias, wildcard
    /// A catalog message rule named the code (the wire carried a coarser one, or none).
    case messageRule = "message-rule"
    case type, typeMapping = "type-mapping", grpc, statusMapping = "status-mapping", http
    /// A lookup by category (`errscope lookup context_length`).
    case category

    var rank: Int {
        switch self {
        case .code: return 0
        case .alias: return 1
        case .wildcard: return 2
        case .messageRule: return 3
        case .type: return 4
        case .typeMapping: return 5
        case .grpc: return 6
        case .statusMapping: return 7
        case .http: return 8
        case .category: return 9
        }
    }
    public static func < (a: MatchBasis, b: MatchBasis) -> Bool { a.rank < b.rank }
}

public struct CatalogMatch: Sendable {
    public var entry: CodeEntry
    public var basis: MatchBasis
    public var score: Int
    /// 0–10: how much the message has the shape of the entry's example (`MessageShape`); set
    /// for the inferred bases, where it ranks the candidates.
    public var messageShape: Int = 0
}

/// A catalog code the response did not carry, inferred from its type, a status mapping or the
/// HTTP status: every candidate, best first, and what (if anything) sets the first apart.
public struct CodeInference: Sendable {
    public var basis: MatchBasis
    public var candidates: [CatalogMatch]
    /// Why the first candidate leads, or nil when nothing in the response tells them apart.
    public var distinguishedBy: String?
}

/// Whether to send the request again, and when.
public struct RetryAdvice: Sendable, Equatable {
    public var retryable: Bool?
    public var retryClass: Retryability?
    /// Seconds to wait, from the first delay source present.
    public var afterSeconds: Double?
    /// Which source gave the delay (`retry-after-ms`, `Retry-After`, `retry_after_secs`, ...).
    public var delaySource: String?
    /// catalog, x-should-retry, http or none.
    public var basis: RetryBasis
    public var reason: String
}

/// What an official SDK would do with this response.
public struct SDKAdvice: Sendable, Equatable {
    public var sdk: String
    public var retries: Bool
    public var detail: String
    /// The exception class the SDK raises for this response.
    public var exception: String? = nil
    /// The SDK version the rules were read from.
    public var version: String? = nil
    /// How many times it sends the request again, and the first delay it waits.
    public var attempts: Int? = nil
    public var firstDelaySeconds: Double? = nil
}

/// What a retry verdict rests on (`retry.basis` in `decode --json`).
public enum RetryBasis: String, Sendable, CaseIterable {
    /// Nothing to go on, or nothing to retry (a success).
    case none
    /// The catalog entry (or every entry the type or status maps to) says.
    case catalog
    /// The only code of the system with this status, when the body names none.
    case inferred
    /// A message rule refined the category.
    case messageRule = "message-rule"
    /// The category decides (context_length, quota, content_filter never retry).
    case category
    /// The wrapped upstream error decides.
    case upstream
    /// The server's `x-should-retry` header.
    case xShouldRetry = "x-should-retry"
    /// The HTTP status class alone.
    case http
}

/// The decoder's verdict on one response.
public struct DecodeResult: Sendable {
    public enum BodyKind: String, Sendable { case json, empty, html, text, binary, truncatedJSON = "truncated-json", invalidJSON = "invalid-json" }

    public var http: Int?
    public var bodyKind: BodyKind
    public var bodyBytes: Int
    public var truncatedAt: Int?
    /// The envelope id, or `none`.
    public var envelope: String
    /// Other envelopes the body also fits, best first (bodhi-native, openai and worldflow look alike).
    public var alternatives: [String]
    /// The envelope the endpoint path says to expect, when known.
    public var expectedEnvelope: String?
    public var fields: JSONObject
    public var code: String?
    public var type: String?
    /// gRPC status string (Gemini).
    public var status: String?
    public var message: String?
    public var requestID: String?
    /// The message is a placeholder a gateway put in place of the real one (5xx sanitization).
    public var sanitized: Bool
    /// The code (or, for code-less envelopes, the type/status) is in the catalog.
    public var known: Bool
    public var matches: [CatalogMatch]
    public var retry: RetryAdvice
    public var sdks: [SDKAdvice]
    public var notes: [String]
    /// The system the response came from, when it can be told (given, from the path, from a
    /// fingerprint, or from the best catalog match).
    public var system: String? = nil
    /// How the system was told: given, path, fingerprint, catalog.
    public var systemBasis: String? = nil
    /// The cross-provider category; nil when the response carries no error.
    public var category: ErrorCategory? = nil
    /// Where the category came from: catalog, message-rule, upstream, http.
    public var categoryBasis: String? = nil
    /// The text message rules, fingerprints and delay patterns read: the message, or all of a
    /// pasted text when it has more than its first line.
    public var reasonText: String? { fullText ?? message }
    var fullText: String? = nil
    /// The category's "what to do", from the catalog.
    public var whatToDo: String? = nil
    /// The message rule that refined the verdict.
    public var messageRule: MessageRule? = nil
    /// The stream the error came in.
    public var stream: StreamInfo? = nil
    public var form: InputForm = .body
    public var exception: String? = nil
    /// The wrapped upstream error, decoded (OpenRouter's metadata.raw, a gateway's `XException - {...}`).
    public var upstream: DecodeResult? {
        get { upstreamBox.first }
        set { upstreamBox = newValue.map { [$0] } ?? [] }
    }
    var upstreamBox: [DecodeResult] = []

    public var bestMatch: CatalogMatch? { matches.first }

    /// The response is a success (2xx) and carries no error: nothing to explain or retry.
    public var success = false

    /// Set when the catalog code is a guess: the envelope carries no code (Anthropic, Gemini) and
    /// its type, status or the HTTP status fit several codes, or fit one only by a mapping rule.
    /// Nil when a code was on the wire (known or not), or a message rule named it.
    public var inference: CodeInference? {
        guard !success, code == nil, let top = matches.first, top.entry.system != "http" else { return nil }
        let same = matches.filter { $0.basis == top.basis && $0.entry.system == top.entry.system }
        switch top.basis {
        case .typeMapping, .statusMapping, .http: break
        case .type, .grpc: guard same.count > 1 else { return nil }
        default: return nil
        }
        var why: String?
        let second = same.dropFirst().first?.messageShape ?? 0
        if top.messageShape == 10, second < 10 {
            why = "the message has the shape of its example"
        } else if top.messageShape > second {
            why = "its example message shares the most words with this one"
        } else if same.count == 1 {
            why = top.basis == .http ? "the only \(top.entry.system) code with this HTTP status"
                : "the only \(top.entry.system) code the mapping sends this way"
        }
        return CodeInference(basis: top.basis, candidates: same, distinguishedBy: why)
    }
}

/// Decodes error responses against a catalog. Not thread-safe: it reuses one parse tape;
/// use one decoder per thread.
public final class ErrorDecoder {
    public let catalog: Catalog
    let tape = JSONTape()
    let sanitizedMessages: Set<String>
    let detector: CompiledDetector
    /// Envelope id -> the only system that sends it.
    let singleSender: [String: String]
    private var typeIndex: [String: [Int]]?
    /// The shape of each catalog row's example message, by row, worked out when first compared.
    private var exampleShapes: [Int: MessageShape.Shape] = [:]

    func exampleShape(_ row: Int, _ example: String?) -> MessageShape.Shape? {
        guard let e = example, !e.isEmpty else { return nil }
        if let s = exampleShapes[row] { return s }
        let s = MessageShape.Shape(e)
        exampleShapes[row] = s
        return s
    }
    private var grpcIndex: [String: [Int]]?

    public static let envelopeNone = "none"

    public init(catalog: Catalog) {
        self.catalog = catalog
        var s = Set<String>()
        for sys in catalog.systems {
            for e in sys.emits { for r in e.rules { if let m = r.sanitize { s.insert(m.lowercased()) } } }
        }
        sanitizedMessages = s
        detector = CompiledDetector(catalog.envelopes)
        var senders: [String: [String]] = [:]
        for sys in catalog.systems { for e in sys.emits where !(senders[e.envelope]?.contains(sys.id) ?? false) { senders[e.envelope, default: []].append(sys.id) } }
        singleSender = senders.compactMapValues { $0.count == 1 ? $0[0] : nil }
    }

    // MARK: Decode

    public func decode(_ input: DecodeInput) -> DecodeResult { decode(input, sdks: true) }

    /// `sdks: false` skips what the SDKs would do (a summary of a log does not show it).
    public func decode(_ input: DecodeInput, sdks: Bool) -> DecodeResult {
        var r = decodeEnvelope(input)
        refine(&r, input: input, depth: 0, sdks: sdks)
        return r
    }

    static func startsScalar(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "n") || c == UInt8(ascii: "t") || c == UInt8(ascii: "f")
    }

    func decodeEnvelope(_ input: DecodeInput) -> DecodeResult {
        var result = DecodeResult(
            http: input.http, bodyKind: .empty, bodyBytes: input.body.count, truncatedAt: input.truncatedAt,
            envelope: Self.envelopeNone, alternatives: [], expectedEnvelope: nil, fields: JSONObject(),
            code: nil, type: nil, status: nil, message: nil, requestID: nil, sanitized: false, known: false,
            matches: [], retry: RetryAdvice(retryable: nil, basis: .none, reason: ""), sdks: [], notes: [])
        if let t = input.truncatedAt { result.notes.append("input was cut at \(t) bytes; the verdict is from what was read") }

        let expected = expectedEmission(path: input.path, system: input.system)
        result.stream = input.stream; result.form = input.form; result.exception = input.exception
        result.expectedEnvelope = expected?.emission.envelope

        input.body.withUnsafeBufferPointer { whole in
            // A UTF-8 byte-order mark (some Windows and .NET servers send one) is not content.
            let bom = whole.count >= 3 && whole[0] == 0xEF && whole[1] == 0xBB && whole[2] == 0xBF
            let buf = bom ? UnsafeBufferPointer(rebasing: whole[3...]) : whole
            let first = JSONTape.skipWhitespace(buf, 0)
            if first == buf.count {
                result.bodyKind = .empty
                return
            }
            let c = buf[first]
            // A bare JSON scalar (`null`, `42`, `true`) is valid JSON too, if nothing follows it.
            if Self.startsScalar(c), (try? tape.parse(buf)) != nil {
                result.bodyKind = .json
                result.notes.append("body is a bare JSON \(c == UInt8(ascii: "n") ? "null" : (c == UInt8(ascii: "t") || c == UInt8(ascii: "f")) ? "boolean" : "number"), not an error object")
                return
            }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\"") {
                do throws(JSONError) {
                    try tape.parse(buf)
                    result.bodyKind = .json
                    decodeJSON(buf, input: input, expected: expected?.emission.envelope, into: &result)
                } catch {
                    result.bodyKind = error.truncated ? .truncatedJSON : .invalidJSON
                    result.notes.append(error.truncated
                        ? "body is truncated JSON (it ends at byte \(buf.count)); fields were salvaged by a lenient scan"
                        : "body is not valid JSON (\(error.message) at byte \(error.offset)); fields were salvaged by a lenient scan")
                    salvage(buf, into: &result)
                }
                return
            }
            if Self.looksBinary(buf) {
                result.bodyKind = .binary
                result.notes.append("body is binary or not UTF-8 (\(buf.count) bytes)")
                return
            }
            let text = String(decoding: buf, as: UTF8.self)
            if c == UInt8(ascii: "<") {
                result.bodyKind = .html
                result.message = Self.htmlTitle(text).map { TerminalText.singleLine($0, limit: 200) }
                result.notes.append("body is HTML, typically from a proxy or load balancer in front of the API, not the API itself")
            } else {
                result.bodyKind = .text
                let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
                result.message = TerminalText.singleLine(line, limit: 200)
            }
        }
        // A status carried in the body: a number, or a numeric string (LiteLLM's `"code": "429"`).
        // A 2xx whose body is an error with its own status (a stream's last object, TGI 2.4's
        // validation errors) is that error.
        if let v = result.fields["http"], let h = v.intValue ?? v.stringValue.flatMap({ Int64($0) }), (100...599).contains(h),
            result.http == nil || (result.http.map { (200..<300).contains($0) } ?? false) && h >= 400
        {
            if let outer = result.http { result.notes.append("HTTP \(outer) carried an error body whose own status is \(h)") }
            result.http = Int(h)
        }
        // No status at all, but an SDK exception class that has exactly one (`RateLimitError`: 429).
        if result.http == nil, let ex = input.exception {
            let statuses = Set(catalog.traffic.sdks.flatMap { sdk in
                sdk.exceptions.filter { $0.exception == ex && !$0.otherwise }.flatMap { r in r.http.compactMap { if case .status(let s) = $0 { return s } else { return nil } } }
            })
            if statuses.count == 1, let s = statuses.first {
                result.http = s
                result.notes.append("HTTP \(s) is inferred from the SDK exception \(ex)")
            }
        }
        if let m = result.message { result.sanitized = sanitizedMessages.contains(m.lowercased().trimmingCharacters(in: .whitespaces)) }
        if result.bodyKind == .text || result.bodyKind == .html || result.envelope == Self.envelopeNone, let m = input.message {
            result.message = TerminalText.singleLine(m, limit: 2000)
        }
        if result.bodyKind == .text || result.envelope == Self.envelopeNone, let t = input.fullText, t != result.message {
            result.fullText = TerminalText.singleLine(t, limit: 4000)
        }
        // The system: given; from the path; the system whose fingerprints hold best (a header or
        // a URL only it sends says more than which of several look-alike envelopes scored
        // highest); an envelope only one system sends.
        result.system = input.system ?? expected?.system
        result.systemBasis = input.system != nil ? "given" : expected?.system != nil ? "path" : nil
        if result.system == nil, let f = fingerprintSystem(result, input: input) {
            result.system = f
            result.systemBasis = "fingerprint"
        }
        if result.system == nil, result.envelope != Self.envelopeNone, let only = singleSender[result.envelope] {
            result.system = only
            result.systemBasis = "envelope"
        }
        result.matches = match(result, system: result.system)
        if result.envelope != Self.envelopeNone, let exp = expected, exp.emission.envelope != result.envelope {
            var note = "the path \(input.path ?? "") expects the \(exp.emission.envelope) envelope, but the body is \(result.envelope)"
            let reroutes = exp.emission.rules.filter { $0.envelope == result.envelope }
            let top = result.matches.first { $0.basis <= .wildcard }?.entry
            if let rule = reroutes.first(where: { r in top.map { RuleMatchEval.matches(r.match, entry: $0) } ?? false }) {
                note += " (\(rule.variant?.rawValue ?? "documented"): \(rule.note ?? "this system sends these errors in that envelope"))"
            } else if !reroutes.isEmpty {
                note += " (this system is known to send some errors in that envelope, but not this one: check the endpoint)"
            }
            result.notes.append(note)
        }
        // Known: the code itself is in a catalog; for envelopes without a code, the type or gRPC
        // status is a catalog entry. An unknown code never becomes known through its type.
        if result.code != nil {
            result.known = result.matches.contains { $0.basis <= .wildcard }
        } else {
            result.known = result.matches.contains { $0.basis == .type || $0.basis == .grpc }
        }
        result.retry = retryAdvice(result, input: input)
        return result
    }

    /// The emission the path names. A system is only named when one system's pattern is the most
    /// specific (many providers serve `/v1/chat/completions`); tied systems that agree on the
    /// envelope still give the envelope.
    func expectedEmission(path: String?, system: String?) -> (emission: Emission, system: String?)? {
        guard let path, !path.isEmpty else { return nil }
        if let s = system, let sys = catalog.system(s) {
            return sys.emission(forPath: path).map { ($0, sys.id) }
        }
        var best: [(Emission, String)] = []
        var bestScore = 1
        for sys in catalog.systems {
            for e in sys.emits {
                for p in e.paths where PathPattern.matches(p, path) {
                    let sc = PathPattern.specificity(p)
                    if sc > bestScore { best = [(e, sys.id)]; bestScore = sc } else if sc == bestScore, !best.contains(where: { $0.1 == sys.id }) { best.append((e, sys.id)) }
                }
            }
        }
        guard let first = best.first else { return nil }
        if best.count == 1 { return first }
        return best.allSatisfy({ $0.0.envelope == first.0.envelope }) ? (first.0, nil) : nil
    }

    // MARK: JSON bodies

    private func decodeJSON(_ buf: UnsafeBufferPointer<UInt8>, input: DecodeInput, expected: String?, into result: inout DecodeResult) {
        let candidates = detect(buf, headers: input.headers, expected: expected, system: input.system)
        guard let best = candidates.first else {
            result.notes.append("JSON of no known error shape")
            salvageJSON(buf, into: &result)
            return
        }
        let env = catalog.envelopes[best.index]
        result.envelope = env.id
        result.alternatives = candidates.dropFirst().map { catalog.envelopes[$0.index].id }
        let root = best.root
        var fields = JSONObject()
        for (name, sources) in env.fields {
            if let v = read(sources, root: root, buf: buf, headers: input.headers) { fields.pairs.append((name, v)) }
        }
        result.fields = fields
        result.code = fields["code"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
        // AWS error types come as `ThrottlingException:http://internal.amazon.com/coral/...`.
        if let c = result.code, let colon = c.firstIndex(of: ":"), c[colon...].hasPrefix(":http") { result.code = String(c[..<colon]) }
        result.type = fields["type"]?.stringValue
        result.status = fields["status"]?.stringValue
        result.message = fields["message"]?.scalarText
        result.requestID = fields["request_id"]?.scalarText
        if result.requestID == nil {
            result.requestID = input.header("x-request-id") ?? input.header("request-id")
        }
    }

    struct Candidate { var index: Int; var root: Int; var score: Int }

    /// Envelopes whose required conditions hold, best first.
    func detect(_ buf: UnsafeBufferPointer<UInt8>, headers: [(name: String, value: String)], expected: String?, system: String?) -> [Candidate] {
        var out: [Candidate] = []
        let emitted = system.flatMap { catalog.system($0) }?.emits.map(\.envelope) ?? []
        detector.reset()
        for (i, env) in catalog.envelopes.enumerated() {
            guard let (root, base) = detector.evaluate(i, tape, buf, headers: headers, decoder: self) else { continue }
            var score = base
            if env.id == expected { score += 3 }
            if emitted.contains(env.id) { score += 1 }
            out.append(Candidate(index: i, root: root, score: score))
        }
        out.sort { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
        return out
    }

    @inline(__always)
    func holds(_ c: EnvelopeCondition, root: Int, buf: UnsafeBufferPointer<UInt8>, headers: [(name: String, value: String)]) -> Bool {
        ConditionReference.holds(c, tape: tape, root: root, buf: buf, headers: headers)
    }

    private func read(_ sources: [FieldSource], root: Int, buf: UnsafeBufferPointer<UInt8>, headers: [(name: String, value: String)]) -> JSONValue? {
        for s in sources {
            switch s {
            case .header(let h):
                if let v = headers.last(where: { $0.name.lowercased() == h })?.value { return .string(v) }
            case .path(let p):
                if let n = p.resolve(tape, root: root, in: buf), tape.kind(n) != .null { return tape.value(at: n, in: buf) }
            }
        }
        return nil
    }

    /// JSON that fits no envelope: still pick up the usual suspects.
    private func salvageJSON(_ buf: UnsafeBufferPointer<UInt8>, into r: inout DecodeResult) {
        let root = tape.kind(0) == .array && tape.count(0) > 0 ? 1 : 0
        for (field, paths) in [("code", ["code", "error.code", "error_code", "errorCode"]), ("type", ["type", "error.type"]),
                               ("message", ["message", "error.message", "detail", "error_description", "msg", "error"])]
        {
            for p in paths {
                if let n = FieldPath(p).resolve(tape, root: root, in: buf), tape.kind(n) == .string || tape.kind(n) == .number {
                    r.fields.pairs.append((field, tape.value(at: n, in: buf)))
                    break
                }
            }
        }
        r.code = r.fields["code"]?.scalarText
        r.type = r.fields["type"]?.stringValue
        r.message = r.fields["message"]?.scalarText
    }

    /// Truncated or invalid JSON: find `"key": "value"` pairs for the fields that matter.
    private func salvage(_ buf: UnsafeBufferPointer<UInt8>, into r: inout DecodeResult) {
        let text = String(decoding: buf.prefix(1 << 20), as: UTF8.self)
        for key in ["code", "type", "status", "message"] {
            guard let range = text.range(of: "\"\(key)\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9]+)", options: .regularExpression) else { continue }
            let match = String(text[range])
            guard let colon = match.firstIndex(of: ":") else { continue }
            var value = match[match.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\"") {
                value = (try? JSONValue.parse(value))?.stringValue ?? String(value.dropFirst().dropLast())
                r.fields.pairs.append((key, .string(value)))
            } else if let i = Int64(value) {
                r.fields.pairs.append((key, .int(i)))
            }
        }
        r.code = r.fields["code"]?.stringValue
        r.type = r.fields["type"]?.stringValue
        r.status = r.fields["status"]?.stringValue
        r.message = r.fields["message"]?.stringValue
        if r.http == nil, let h = r.fields["code"]?.intValue, (100...599).contains(h) { r.http = Int(h); r.code = nil }
    }

    static func looksBinary(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        let sample = UnsafeBufferPointer(rebasing: buf.prefix(4096))
        if sample.contains(0) { return true }
        var bad = 0
        var it = sample.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: break loop
            case .error: bad += 1
            }
        }
        return bad > 0 && bad * 20 > sample.count / 8 + 1
    }

    static func htmlTitle(_ html: String) -> String? {
        guard let open = html.range(of: "<title>", options: .caseInsensitive),
            let close = html.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<html.endIndex)
        else {
            return html.range(of: "<h1>", options: .caseInsensitive).flatMap { h in
                html.range(of: "</h1>", options: .caseInsensitive, range: h.upperBound..<html.endIndex).map {
                    String(html[h.upperBound..<$0.lowerBound])
                }
            }
        }
        return String(html[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Catalog matches

    func match(_ r: DecodeResult, system: String?) -> [CatalogMatch] {
        var out: [CatalogMatch] = []
        let messageShape = r.message.flatMap { $0.isEmpty ? nil : MessageShape.Shape($0) }
        var seen = Set<Int>()
        let emitters = Set(catalog.systems.filter { $0.emission(for: r.envelope) != nil }.map(\.id))
        func add(_ rows: [Int], _ basis: MatchBasis, _ base: Int) {
            for row in rows where !seen.contains(row) {
                let e = catalog.entry(row)
                var score = base
                if let s = system, e.system == s { score += 20 }
                if emitters.contains(e.system) { score += 15 }
                if let h = r.http, e.http.statuses.contains(h) { score += 5 }
                if basis == .wildcard { score += min(e.code.count, 40) / 4 }
                // Candidates inferred without a code are told apart by their example messages.
                var shape = 0
                if basis == .typeMapping || basis == .statusMapping || basis == .http || basis == .type || basis == .grpc,
                    let m = messageShape, let x = exampleShape(row, e.example)
                {
                    shape = MessageShape.similarity(m, x)
                    if basis != .type && basis != .grpc { score += shape }
                }
                seen.insert(row)
                out.append(CatalogMatch(entry: e, basis: basis, score: score, messageShape: shape))
            }
        }
        if let code = r.code {
            add(catalog.rows(code: code), .code, 100)
            add(catalog.index.aliasRows[code.lowercased()] ?? [], .alias, 90)
            add(catalog.index.wildcardRows.filter { catalog.entry($0).covers(code) }, .wildcard, 80)
        }
        if let type = r.type {
            add(typeRows(type), .type, 60)
            add(mappedRows(field: "type", value: type, http: r.http, system: system, envelope: r.envelope), .typeMapping, 50)
        }
        if let status = r.status {
            add(grpcRows(status), .grpc, 45)
            add(mappedRows(field: "status", value: status, http: r.http, system: system, envelope: r.envelope), .statusMapping, 40)
        }
        if let h = r.http {
            add(catalog.rows(code: String(h)).filter { catalog.entry($0).system == "http" }, .http, 10)
            if let s = system, r.code == nil || !out.contains(where: { $0.basis <= .wildcard }) {
                add(catalog.entries(system: s).filter { $0.http.statuses.contains(h) }.map(\.row), .http, 12)
            }
        }
        out.sort { $0.score != $1.score ? $0.score > $1.score : $0.entry.row < $1.entry.row }
        return out
    }

    private func typeRows(_ type: String) -> [Int] {
        if typeIndex == nil {
            var idx: [String: [Int]] = [:]
            for row in 0..<catalog.store.count where !catalog.store.type[row].isEmpty {
                let e = catalog.entry(row)
                // A type entry is one whose code *is* the type (Synapse types, Anthropic types).
                if e.code == e.type { idx[e.type!, default: []].append(row) }
            }
            typeIndex = idx
        }
        return typeIndex?[type] ?? []
    }

    private func grpcRows(_ status: String) -> [Int] {
        if grpcIndex == nil {
            var idx: [String: [Int]] = [:]
            for row in 0..<catalog.store.count where !catalog.store.grpc[row].isEmpty {
                idx[catalog.store.string(catalog.store.grpc[row]), default: []].append(row)
            }
            grpcIndex = idx
        }
        return grpcIndex?[status] ?? []
    }

    /// Codes a code-less envelope could stand for: the system's rules that set `field` to
    /// `value` tell which HTTP statuses produce it, and the codes with those statuses match.
    private func mappedRows(field: String, value: String, http: Int?, system: String?, envelope: String) -> [Int] {
        var rows: [Int] = []
        for sys in catalog.systems where system == nil || sys.id == system {
            guard let em = sys.emission(for: envelope), !em.carriesCode else { continue }
            let entries = catalog.entries(system: sys.id)
            for (i, rule) in em.rules.enumerated() where rule.set[field]?.stringValue == value {
                if rule.match.otherwise {
                    // Codes no earlier rule of this variant maps: e.g. Bodhi's 409s, which the real
                    // server sends to Gemini clients as 500 INTERNAL.
                    let earlier = em.rules[..<i].filter { !$0.set.isEmpty && !$0.match.otherwise && ($0.variant == nil || $0.variant == rule.variant) }
                    let sentHTTP = rule.set["http"]?.intValue.map(Int.init)
                    for e in entries where !earlier.contains(where: { RuleMatchEval.matches($0.match, entry: e) }) {
                        if let h = http, let sent = sentHTTP, h != sent { continue }
                        if let h = http, sentHTTP == nil, !e.http.statuses.contains(h) { continue }
                        rows.append(e.row)
                    }
                } else {
                    for e in entries where RuleMatchEval.matches(rule.match, entry: e) {
                        if let h = http, rule.set["http"] == nil, !e.http.statuses.contains(h) { continue }
                        rows.append(e.row)
                    }
                }
            }
        }
        return rows
    }

    // MARK: Retry

    func retryAdvice(_ r: DecodeResult, input: DecodeInput) -> RetryAdvice {
        var advice = RetryAdvice(retryable: nil, basis: .none, reason: "no status and no catalog entry: nothing to go on")
        // An unknown code says nothing about retrying; do not borrow another entry's class.
        let usable = r.code == nil || r.known
        let top = usable ? r.matches.first : nil
        let mapped = top.map { t in r.matches.filter { $0.basis == t.basis && $0.entry.system == t.entry.system } } ?? []
        let mappedClasses = Set(mapped.compactMap { $0.entry.retry })
        if let t = top, t.basis == .typeMapping || t.basis == .statusMapping, mappedClasses.count == 1, let cls = mappedClasses.first {
            advice.retryClass = cls
            advice.retryable = cls != .no
            advice.basis = .catalog
            let shown = t.basis == .typeMapping ? r.type : r.status
            advice.reason = "all \(mapped.count) \(t.entry.system) code\(mapped.count == 1 ? "" : "s") that go out as \(shown ?? "this") with HTTP \(r.http.map(String.init) ?? "?") are \(cls == .no ? "not retryable" : "retry class \(cls.rawValue)")"
        } else if usable, let m = r.matches.first(where: { $0.basis <= .type || ($0.basis == .grpc && r.code == nil) }), let cls = m.entry.retry {
            advice.retryClass = cls
            advice.retryable = cls != .no
            advice.basis = .catalog
            let why = m.entry.retryReason.map { ": \($0)" } ?? ""
            advice.reason = "\(m.entry.system)/\(m.entry.code) is \(cls == .no ? "not retryable" : cls == .yes ? "retryable" : cls == .once ? "worth one retry" : "sometimes retryable")\(why)"
        } else if let x = input.header("x-should-retry")?.lowercased(), x == "true" || x == "false" {
            advice.retryable = x == "true"
            advice.basis = .xShouldRetry
            advice.reason = "the server says x-should-retry: \(x)"
        } else if let h = r.http, !(100...599).contains(h) {
            // No standard says what a status outside 100-599 means: no advice is invented.
            advice.basis = .http
            advice.reason = "HTTP \(h) is not a standard status: nothing says whether a retry helps"
        } else if let h = r.http {
            let yes = h == 408 || h == 409 || h == 429 || h >= 500
            advice.retryable = yes
            advice.basis = .http
            advice.reason = yes ? "HTTP \(h) is usually transient: retry with backoff" : (h < 400 ? "HTTP \(h) is not an error" : "HTTP \(h) is a client error: fix the request before sending it again")
        }
        if let (secs, source) = Self.retryDelay(fields: r.fields, input: input), secs.isFinite {
            // A server can send anything (`Retry-After: 1e300`): a week is the most we repeat.
            advice.afterSeconds = min(secs, 7 * 86400)
            advice.delaySource = source
        }
        return advice
    }

    /// The first delay source present, in order of precision.
    static func retryDelay(fields: JSONObject, input: DecodeInput) -> (Double, String)? {
        if let ms = input.header("retry-after-ms").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0 {
            return (ms / 1000, "retry-after-ms")
        }
        if let ra = input.header("retry-after")?.trimmingCharacters(in: .whitespaces) {
            if let s = Double(ra), s >= 0 { return (s, "Retry-After") }
            if let d = HTTPDate.parse(ra) { return (max(0, d.timeIntervalSince(input.now)), "Retry-After (date)") }
        }
        if let s = fields["retry_after_secs"]?.doubleValue, s >= 0 { return (s, "retry_after_secs") }
        if let s = fields["retry_after"]?.doubleValue ?? fields["retry_after"]?.stringValue.flatMap(Double.init), s >= 0 {
            return (s, "retry_after")
        }
        if let d = fields["retry_delay"]?.stringValue, let s = Duration.parseProtobuf(d) { return (s, "RetryInfo.retryDelay") }
        if let reset = input.header("x-ratelimit-reset").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
            // Large values are epoch seconds (GitHub, Jan Server); small ones a delta (some gateways).
            let secs = reset > 1_000_000_000 ? reset - input.now.timeIntervalSince1970 : reset
            return (max(0, secs), "X-RateLimit-Reset")
        }
        return nil
    }

    /// openai-python and anthropic-python retry 408, 409, 429 and >= 500 (twice, by default)
    /// unless `x-should-retry` says otherwise; google-genai does not retry unless configured.
    public static func sdkAdvice(http: Int?, shouldRetry: String?) -> [SDKAdvice] {
        let x = shouldRetry?.lowercased()
        let stainless: (Bool, String)
        if x == "true" {
            stainless = (true, "retries: the server sent x-should-retry: true")
        } else if x == "false" {
            stainless = (false, "does not retry: the server sent x-should-retry: false")
        } else if let h = http, h == 408 || h == 409 || h == 429 || h >= 500 {
            stainless = (true, "retries HTTP \(h) up to 2 times, honouring retry-after-ms / Retry-After up to 60 s, else 0.5 s doubling backoff (max 8 s) with jitter")
        } else if let h = http {
            stainless = (false, "does not retry HTTP \(h); raises at once")
        } else {
            stainless = (true, "retries connection errors and timeouts up to 2 times")
        }
        return [
            SDKAdvice(sdk: "openai-python", retries: stainless.0, detail: stainless.1),
            SDKAdvice(sdk: "anthropic-python", retries: stainless.0, detail: stainless.1),
            SDKAdvice(sdk: "google-genai", retries: false, detail: "does not retry by default (opt in with HttpRetryOptions)"),
        ]
    }
}

extension Duration {
    /// A protobuf JSON duration: `"30s"`, `"1.5s"`.
    static func parseProtobuf(_ s: String) -> Double? {
        guard s.hasSuffix("s"), let v = Double(s.dropLast()), v >= 0 else { return nil }
        return v
    }
}
