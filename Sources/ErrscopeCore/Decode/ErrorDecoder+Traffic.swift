import Foundation

/// Real-traffic reasoning on top of the envelope decode: which system, which category, message
/// rules, the retry delay from every source, wrapped upstream errors, and what the SDKs do.
extension ErrorDecoder {
    /// Wrapped errors are followed this deep (a gateway around a gateway around a provider).
    static let maxUpstreamDepth = 3

    func refine(_ r: inout DecodeResult, input: DecodeInput, depth: Int, sdks: Bool = true) {
        let isSuccess = r.http.map { (200..<300).contains($0) } ?? false
        // A text form (a pasted log line) with a message is an error even without a status.
        let pastedText = (r.form.isPrinted && r.reasonText != nil) || r.fullText != nil
        let carriesError = !(isSuccess && r.stream?.errorIndex == nil)
            && (r.envelope != Self.envelopeNone || (r.http ?? 0) >= 400 || r.stream?.errorIndex != nil || pastedText)
        r.success = isSuccess && !carriesError

        // The system: given, from the path, a fingerprint, else the best exact catalog match.
        // (`http` is the generic status reference, not a system that answers.)
        if r.system == nil, let m = r.matches.first(where: { $0.basis < .http && $0.entry.system != "http" }), r.known || r.code == nil {
            let tied = Set(r.matches.filter { $0.basis == m.basis && $0.score == m.score && $0.entry.system != "http" }.map(\.entry.system))
            if tied.count == 1 {
                r.system = m.entry.system
                r.systemBasis = "catalog"
            } else if tied.contains(r.envelope) {
                // Tied between systems that share a shape: the shape's own system (openai for the
                // openai envelope) is the likelier sender.
                r.system = r.envelope
                r.systemBasis = "catalog"
            }
        }

        // The chosen system's entries lead among equally strong matches.
        if let s = r.system {
            let ranked = r.matches.enumerated().sorted { a, b in
                if a.element.score != b.element.score { return a.element.score > b.element.score }
                let sa = a.element.entry.system == s, sb = b.element.entry.system == s
                if sa != sb { return sa }
                return a.offset < b.offset
            }
            r.matches = ranked.map(\.element)
            // The retry verdict rests on the leading entry: the chosen system's.
            if r.systemBasis == "catalog" { r.retry = retryAdvice(r, input: input) }
        }
        if carriesError {
            // Category from the catalog entry the retry verdict rests on, else the status.
            let usable = r.code == nil || r.known
            if usable, let top = r.matches.first, top.basis <= .type || top.basis == .typeMapping || top.basis == .statusMapping || top.basis == .grpc {
                let same = r.matches.filter { $0.basis == top.basis && $0.entry.system == top.entry.system }
                let cats = Set(same.compactMap(\.entry.category))
                if cats.count == 1 || top.basis <= .type || top.basis == .grpc {
                    r.category = top.entry.category
                    r.categoryBasis = top.entry.categoryIsDerived ? "http" : "catalog"
                }
            }
            // A body that names nothing (`{"message": "request cancelled"}`) from a known system whose
            // catalog has exactly one code for the status: that code, said to be inferred.
            if r.category == nil, r.code == nil, r.type == nil, r.status == nil, let h = r.http, let s = r.system {
                let only = catalog.entries(system: s).filter { $0.http.statuses.contains(h) }
                if only.count == 1, let e = only.first {
                    r.category = e.category
                    r.categoryBasis = "inferred"
                    if let cls = e.retry {
                        r.retry.retryClass = cls
                        r.retry.retryable = cls != .no
                        r.retry.basis = .inferred
                        r.retry.reason = "inferred: \(s)/\(e.code) is the only \(s) code with HTTP \(h), and it is \(cls == .no ? "not retryable" : "retry class \(cls.rawValue)")"
                    }
                    r.notes.append("the body names no code; \(s)/\(e.code) is inferred as the only \(s) code with HTTP \(h)")
                }
            }
            if r.category == nil, let h = r.http {
                r.category = ErrorCategory.fromHTTP(h)
                if r.category != nil { r.categoryBasis = "http" }
            }
            if r.category == nil, r.stream?.errorIndex != nil {
                r.category = .serverError
                r.categoryBasis = "default"
            }
            applyMessageRules(&r)
            if depth < Self.maxUpstreamDepth, let inner = upstream(of: r, input: input, depth: depth) {
                adoptUpstream(&r, inner)
            }
        }
        // The retry verdict follows the category where the category knows better.
        if let c = r.category {
            if let rule = r.messageRule {
                let cls = rule.retry ?? c.defaultRetry
                r.retry.retryClass = cls
                r.retry.retryable = cls != .no
                r.retry.basis = .messageRule
                r.retry.reason = "the message says \(c.rawValue) (\(rule.system ?? "any system") rule `\(rule.id)`)" + (rule.note.map { ": \($0)" } ?? "")
            } else if c.neverRetryable, r.retry.retryable != false {
                r.retry.retryClass = .no
                r.retry.retryable = false
                r.retry.basis = .category
                r.retry.reason = "\(c.rawValue) errors never succeed on a retry of the same request"
            }
        } else if isSuccess, r.stream?.errorIndex == nil {
            r.retry = RetryAdvice(retryable: nil, basis: .none, reason: "HTTP \(r.http!) is a success: nothing to retry")
        }
        if r.retry.afterSeconds == nil, let (secs, source) = retryDelay(r, input: input), secs.isFinite {
            r.retry.afterSeconds = min(max(0, secs), 7 * 86400)
            r.retry.delaySource = source
        }
        r.whatToDo = r.category.flatMap { catalog.traffic.info($0)?.whatToDo }
        if depth == 0 && sdks { r.sdks = sdkAdvice(r, input: input) }
    }

    // MARK: System

    /// The system whose fingerprints hold best (at least one; ties name none).
    func fingerprintSystem(_ r: DecodeResult, input: DecodeInput) -> String? {
        var best: String?
        var bestScore = 0
        var tie = false
        var message = r.reasonText?.lowercased() ?? ""
        // Fingerprint texts are found by bytes, as the summary's fast path finds them
        // (`String.contains` went through Foundation's search: a quarter of a summary's time).
        func says(_ t: String) -> Bool {
            var t = t
            return !t.isEmpty && message.withUTF8 { m in t.withUTF8 { RuleBank.find($0, in: m) } }
        }
        input.body.withUnsafeBufferPointer { buf in
            let parsed = r.bodyKind == .json
            if parsed { try? tape.parse(buf) }
            let root = parsed && tape.kind(0) == .array && tape.count(0) > 0 ? 1 : 0
            for sys in catalog.systems where !sys.fingerprints.isEmpty {
                var score = 0
                for f in sys.fingerprints {
                    switch f.test {
                    case .message(let t): if says(t) { score += 1 }
                    case .condition(let c):
                        if case .path = c.source, !parsed { continue }
                        if holds(c, root: root, buf: buf, headers: input.headers) { score += 1 }
                    }
                }
                if score > bestScore { best = sys.id; bestScore = score; tie = false } else if score == bestScore, score > 0 { tie = true }
            }
        }
        return tie ? nil : best
    }

    // MARK: Message rules

    func applyMessageRules(_ r: inout DecodeResult) {
        guard let message = r.reasonText, !message.isEmpty else { return }
        let lower = message.lowercased()
        let code = r.code ?? r.type ?? r.status
        // The system's own rules; with no system, those of every system that sends this envelope.
        var own: [MessageRule]
        if let s = r.system {
            own = catalog.system(s)?.messageRules ?? []
        } else if r.envelope != Self.envelopeNone {
            own = catalog.systems.filter { $0.emission(for: r.envelope) != nil }.flatMap(\.messageRules)
        } else {
            own = []
        }
        // Fallback rules only speak where nothing more specific has (no catalog code or type).
        let specific = r.categoryBasis == "catalog" || r.categoryBasis == "inferred"
        let global = catalog.traffic.messageRules.filter { ($0.system == nil || $0.system == r.system) && !($0.fallback && specific) }
        var hit = (own + global).first { $0.holds(code: code, type: r.type, http: r.http, envelope: r.envelope, lowerMessage: lower) }
        if hit == nil, r.system == nil, own.isEmpty {
            // Nothing says which system answered (a pasted message): every system's rules are
            // asked, and their verdict is used when the ones that hold agree on the category.
            let all = catalog.systems.flatMap(\.messageRules).filter { $0.holds(code: code, type: r.type, http: r.http, envelope: r.envelope, lowerMessage: lower) }
            if let first = all.first, all.allSatisfy({ $0.category == first.category }) {
                hit = Set(all.compactMap(\.system)).count == 1 ? first : MessageRule(
                    id: first.id, system: nil, category: first.category, retry: all.allSatisfy { $0.retry == first.retry } ? first.retry : nil,
                    note: "rules of \(Set(all.compactMap(\.system)).sorted().joined(separator: ", ")) agree", source: nil)
            }
        }
        guard let rule = hit else { return }
        // A rule names the system only where nothing else could have sent the response: the
        // envelope is that system's alone, or no envelope was recognised.
        let singleSender = r.envelope == Self.envelopeNone || catalog.systems.filter { $0.emission(for: r.envelope) != nil }.count <= 1
        if r.system == nil, let s = rule.system, singleSender { r.system = s; r.systemBasis = "message-rule" }
        r.messageRule = rule
        r.category = rule.category
        r.categoryBasis = "message-rule"
        if let c = rule.code, rule.system == nil || rule.system == r.system {
            let sys = rule.system ?? r.system
            let rows = catalog.rows(code: c).filter { sys == nil || catalog.entry($0).system == sys }
            if let row = rows.first {
                r.matches.removeAll { $0.entry.row == row }
                r.matches.insert(CatalogMatch(entry: catalog.entry(row), basis: .messageRule, score: 1000), at: 0)
            }
        }
        r.notes.append("message rule `\(rule.id)`\(rule.system.map { " (\($0))" } ?? ""): \(rule.category.rawValue)" + (rule.note.map { " — \($0)" } ?? ""))
    }

    // MARK: Upstream

    /// The error a gateway wrapped: an `upstream` field (a JSON object or a JSON string, e.g.
    /// OpenRouter's `error.metadata.raw`), or a body embedded in the message
    /// (`OpenAIException - {...}`, `Error code: 429 - {...}`).
    func upstream(of r: DecodeResult, input: DecodeInput, depth: Int) -> DecodeResult? {
        var candidates: [[UInt8]] = []
        var plain: String?
        func addText(_ text: String) {
            // Unicode White_Space is the set Foundation's `.whitespacesAndNewlines` names (Zs, tab,
            // line breaks); trimmed natively, without bridging the message to NSString.
            let scalars = text.unicodeScalars
            let lo = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
            let hi = scalars[lo...].lastIndex { !$0.properties.isWhitespace }.map { scalars.index(after: $0) } ?? lo
            let t = String(scalars[lo..<hi])
            if t.first == "{" || t.first == "[", (try? JSONValue.parse(t)) != nil { candidates.append(Array(t.utf8)); return }
            if let b = SDKPrint.embeddedObject(t[...]) { candidates.append(b) } else if !t.isEmpty, plain == nil { plain = t }
        }
        if let u = r.fields["upstream"] {
            switch u {
            case .string(let s): addText(s)
            case .object, .array: candidates.append(Array(u.compactText.utf8))
            default: break
            }
        }
        // A byte test: `String.contains(String)` goes through Foundation's locale-aware search,
        // which was a third of a log summary's time when every line reached here.
        if let m = r.reasonText, m.utf8.contains(UInt8(ascii: "{")) { addText(m) }
        for bytes in candidates {
            var t = TrafficInput(response: HTTPResponseText(body: bytes), form: .body)
            t.readBody()
            var sub = DecodeInput(traffic: t, now: input.now)
            // A wrapper that names the upstream status ("status 429", "Error code: 429") lends it.
            if sub.http == nil, let m = r.reasonText { sub.http = SDKPrint.statusMention(m) }
            // The outer body is done with the tape (its fields are values now): reuse it.
            var inner = decodeNested(sub, depth: depth + 1)
            guard inner.envelope != Self.envelopeNone, inner.category != nil else { continue }
            // Nothing in the inner body names its sender, but the wrapper's system sends that shape.
            if inner.system == nil, let s = r.system, catalog.system(s)?.emission(for: inner.envelope) != nil {
                inner.system = s
                inner.systemBasis = "wrapper"
            }
            return inner
        }
        // An upstream given as plain text (OpenRouter's `metadata.raw` is sometimes a sentence):
        // what its message says, by the message rules.
        if let text = plain, text != r.message {
            var sub = DecodeInput(body: Array(text.utf8), http: r.http, now: input.now)
            sub.form = .text
            sub.message = text
            let inner = decodeNested(sub, depth: depth + 1)
            if inner.messageRule != nil { return inner }
        }
        return nil
    }

    func decodeNested(_ input: DecodeInput, depth: Int) -> DecodeResult {
        var r = decodeEnvelope(input)
        refine(&r, input: input, depth: depth)
        return r
    }

    /// The outer verdict takes the inner cause where it is more specific.
    func adoptUpstream(_ r: inout DecodeResult, _ inner: DecodeResult) {
        r.upstream = inner
        guard let ic = inner.category else { return }
        let outerGeneric = r.category == nil || r.category!.isGeneric || r.categoryBasis == "http" || r.categoryBasis == "default"
        // An outer rule that only read the gateway's exception class yields to a wrapped rule that read the cause.
        let outerClassOnly = r.messageRule?.wrapsClass == true && inner.messageRule != nil && !(inner.category?.isGeneric ?? true)
        if outerGeneric || outerClassOnly || r.messageRule == nil && inner.messageRule != nil {
            r.category = ic
            r.categoryBasis = "upstream"
            r.retry.retryable = inner.retry.retryable
            r.retry.retryClass = inner.retry.retryClass
            r.retry.basis = .upstream
            r.retry.reason = "the wrapped \(inner.system ?? inner.envelope) error decides: " + inner.retry.reason
            // The outer rule was a fallback for when the wrapped body says nothing; it does.
            r.messageRule = inner.messageRule
        }
        if r.retry.afterSeconds == nil, let s = inner.retry.afterSeconds {
            r.retry.afterSeconds = s
            r.retry.delaySource = "upstream " + (inner.retry.delaySource ?? "")
        }
    }

    // MARK: Retry delay

    /// The first delay source that gives a value, in the catalog's order (`retry_delays:`).
    func retryDelay(_ r: DecodeResult, input: DecodeInput) -> (Double, String)? {
        let sources = catalog.traffic.delaySources
        if sources.isEmpty { return Self.retryDelay(fields: r.fields, input: input) }
        for s in sources {
            let text: String?
            switch s.kind {
            case .header(let name): text = input.header(name)
            case .field(let name): text = r.fields[name]?.scalarText
            case .message(let re): text = r.reasonText.flatMap { re.firstCapture($0) }
            }
            guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { continue }
            if let secs = DelayText.seconds(t, format: s.format, now: input.now) { return (secs, s.label) }
        }
        return nil
    }

    // MARK: SDKs

    func sdkAdvice(_ r: DecodeResult, input: DecodeInput) -> [SDKAdvice] {
        let rules = catalog.traffic.sdks
        let inStream = r.stream?.errorIndex != nil
        // What reached the SDK: the stream's status (200) when the error came inside one.
        let status = inStream ? 200 : r.http
        if rules.isEmpty { return Self.sdkAdvice(http: status, shouldRetry: input.header("x-should-retry")) }
        let body = (try? JSONValue.parse(input.body))
        return rules.map { sdk in sdkAdvice(sdk, r, input: input, status: status, body: body) }
    }

    /// One SDK's behaviour, by its rules (catalog/sdks.yaml).
    func sdkAdvice(_ sdk: SDKRule, _ r: DecodeResult, input: DecodeInput, status: Int?, body: JSONValue?) -> SDKAdvice {
        var a = SDKAdvice(sdk: sdk.id, retries: false, detail: "", exception: nil, version: sdk.version)
        if r.stream?.errorIndex != nil {
            // Which streamed errors the SDK sees: an SSE event name, or a data key.
            if let ex = sdk.streamEventLineException, r.stream?.namedEvents == true {
                a.exception = ex
                a.detail = "raises \(ex) at the stream's first `event:` line (it reads only `data:` lines); never retried"
                return a
            }
            let event = r.stream?.format == .sse ? r.stream?.errorEvent : nil
            let object = body?.objectValue
            let fired = sdk.streamTriggers.isEmpty || sdk.streamTriggers.contains { t in
                if let e = t.event { return event == e }
                if let k = t.dataKey, let o = object, let v = o[k], !v.isNull {
                    return !t.firstKey || o.pairs.first?.key == k
                }
                return false
            }
            guard fired else {
                a.detail = "does not raise: it skips this stream event and the error passes silently"
                return a
            }
            if let path = sdk.streamClassifyBy {
                let code = body.flatMap { FieldPath(path).value(in: $0) }
                if let h = code?.intValue { a.exception = sdk.exception(http: Int(h)) } else { a.exception = "TypeError" }
            } else {
                a.exception = sdk.streamErrorException
            }
            a.detail = "raises \(a.exception ?? "an error") while iterating the stream (the status was 200); never retried"
            return a
        }
        guard let h = status else {
            a.detail = "depends on the HTTP status, which this input does not carry (give it with --status)"
            return a
        }
        if (200..<300).contains(h) {
            a.detail = "returns the response: HTTP \(h) is a success"
            return a
        }
        let errorCode = sdk.errorCodePath.flatMap { p in body.flatMap { FieldPath(p).value(in: $0)?.scalarText } }
        a.exception = sdk.exception(http: h, errorCode: errorCode)
        let raises = a.exception.map { "; raises \($0)" } ?? ""
        guard sdk.retryEnabled else {
            let optIn = sdk.optInStatuses.contains { $0.matches(h) }
            a.detail = "does not retry by default" + (sdk.optInMaxRetries.map { n in optIn ? " (opted in, it retries HTTP \(h) up to \(n) times)" : " (not even opted in: HTTP \(h) is not in its list)" } ?? "") + raises
            return a
        }
        // The header delay, as the SDK reads it.
        var delay: Double?
        var delayFrom: String?
        for name in sdk.delayHeaders {
            guard let v = input.header(name)?.trimmingCharacters(in: .whitespaces) else { continue }
            let secs = name.hasSuffix("-ms") ? Double(v).map { $0 / 1000 } : DelayText.seconds(v, format: .secondsOrDate, now: input.now)
            if let s = secs { delay = s; delayFrom = name; break }
        }
        if let d = delay, let cap = sdk.maxHeaderDelay, d > cap, sdk.aboveMax == "no_retry" {
            a.detail = "does not retry: \(delayFrom!) asks for \(DelayText.format(d)), more than the \(DelayText.format(cap)) it will wait (this wins over x-should-retry)" + raises
            return a
        }
        var retries = sdk.maxRetries > 0 && sdk.retryStatuses.contains { $0.matches(h) }
        var why = retries ? "retries HTTP \(h)" : "does not retry HTTP \(h)"
        if let name = sdk.shouldRetryHeader, let x = input.header(name) {
            if x == "true" { retries = sdk.maxRetries > 0; why = "retries: the server sent \(name): true" }
            else if x == "false" { retries = false; why = "does not retry: the server sent \(name): false" }
            else { why += " (\(name): \(x) is ignored: only exactly true or false counts)" }
        }
        a.retries = retries
        guard retries else {
            a.detail = why + raises
            return a
        }
        a.attempts = sdk.maxRetries
        let initial = sdk.backoffInitial ?? 0.5
        let backoff = " up to \(sdk.maxRetries) times with backoff from \(DelayText.format(initial))" + (sdk.backoffMax.map { " (max \(DelayText.format($0)))" } ?? "")
        if let d = delay {
            if let min = sdk.minHeaderDelay, d <= min {
                why += backoff + " (\(delayFrom!) \(DelayText.format(d)) is not above \(DelayText.format(min)), so it is ignored)"
                a.firstDelaySeconds = initial
            } else if let cap = sdk.maxHeaderDelay, d > cap {
                if sdk.aboveMax == "clamp" {
                    why += " up to \(sdk.maxRetries) times, waiting \(DelayText.format(cap)) (\(delayFrom!) asks \(DelayText.format(d)), clamped)"
                    a.firstDelaySeconds = cap
                } else {
                    why += backoff + " (\(delayFrom!) \(DelayText.format(d)) is over its \(DelayText.format(cap)) cap, so it is ignored)"
                    a.firstDelaySeconds = initial
                }
            } else {
                why += " up to \(sdk.maxRetries) times, waiting \(DelayText.format(d)) (\(delayFrom!))"
                a.firstDelaySeconds = d
            }
        } else {
            why += backoff
            a.firstDelaySeconds = initial
        }
        a.detail = why + raises
        return a
    }
}

/// Delays as servers and messages write them.
public enum DelayText {
    public static func seconds(_ t: String, format: DelaySource.Format, now: Date) -> Double? {
        switch format {
        case .seconds: return Double(t).flatMap { $0 >= 0 ? $0 : nil }
        case .milliseconds: return Double(t).flatMap { $0 >= 0 ? $0 / 1000 : nil }
        case .secondsOrDate:
            if let s = Double(t), s >= 0 { return s }
            return HTTPDate.parse(t).map { max(0, $0.timeIntervalSince(now)) }
        case .duration: return duration(t)
        case .rfc3339:
            return RFC3339Date.parse(t).map { max(0, $0.timeIntervalSince(now)) }
        case .epochOrDelta:
            guard let v = Double(t) else { return nil }
            return max(0, v > 1_000_000_000 ? v - now.timeIntervalSince1970 : v)
        }
    }

    /// `1m47.5s`, `17.359s`, `6ms`, `1h2m`, `30s`, `2 seconds`, `1 minute`, `500 milliseconds`, `86400`.
    public static func duration(_ text: String) -> Double? {
        let t = text.lowercased().trimmingCharacters(in: .whitespaces)
        if let v = Double(t) { return v >= 0 ? v : nil }
        var total = 0.0
        var i = t.startIndex
        var any = false
        while i < t.endIndex {
            while i < t.endIndex, t[i] == " " { i = t.index(after: i) }
            let numStart = i
            while i < t.endIndex, t[i].isNumber || t[i] == "." { i = t.index(after: i) }
            guard numStart < i, let v = Double(t[numStart..<i]) else { return any ? total : nil }
            while i < t.endIndex, t[i] == " " { i = t.index(after: i) }
            let unitStart = i
            while i < t.endIndex, t[i].isLetter || t[i] == "µ" { i = t.index(after: i) }
            let unit = String(t[unitStart..<i])
            let scale: Double
            switch unit {
            case "ns", "nanosecond", "nanoseconds": scale = 1e-9
            case "us", "µs", "microsecond", "microseconds": scale = 1e-6
            case "ms", "millisecond", "milliseconds", "msec", "msecs": scale = 0.001
            case "s", "sec", "secs", "second", "seconds", "": scale = 1
            case "m", "min", "mins", "minute", "minutes": scale = 60
            case "h", "hr", "hrs", "hour", "hours": scale = 3600
            case "d", "day", "days": scale = 86400
            default: return any ? total : nil
            }
            total += v * scale
            any = true
            if unit.isEmpty { break }
        }
        return any ? total : nil
    }

    public static func format(_ s: Double) -> String {
        if s < 1 { return String(format: "%.0f ms", s * 1000) }
        if s < 120 { return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s) }
        if s < 7200 { return "\(Int(s) / 60) min \(Int(s) % 60) s" }
        return String(format: "%.1f h", s / 3600)
    }
}
