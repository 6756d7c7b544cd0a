/// Rewriting every text a verdict took from the response, so a caller can mask what must not be
/// shown (a probe's secrets) in one step, after decoding: a body can spell a token in forms no
/// byte-level pass recognises (`\u` escapes, Python `\x` escapes, JSON inside a string), and
/// decoding turns them all back into the token.
extension DecodeResult {
    /// This verdict with `transform` applied to every text that came from the response (code,
    /// type, status, message, request id, fields, stream events, notes, the retry reason, the
    /// exception name, the upstream layers). Catalog text (matches, what to do) is left alone.
    public func mappingResponseText(_ transform: (String) -> String) -> DecodeResult {
        var r = self
        r.fields = fields.mappingStrings(transform)
        r.code = code.map(transform)
        r.type = type.map(transform)
        r.status = status.map(transform)
        r.message = message.map(transform)
        r.requestID = requestID.map(transform)
        r.fullText = fullText.map(transform)
        r.exception = exception.map(transform)
        r.notes = notes.map(transform)
        r.alternatives = alternatives.map(transform)
        r.retry.reason = transform(retry.reason)
        r.retry.delaySource = retry.delaySource.map(transform)
        if var st = stream {
            st.errorEvent = st.errorEvent.map(transform)
            st.eventTexts = st.eventTexts.map(transform)
            r.stream = st
        }
        r.upstreamBox = upstreamBox.map { $0.mappingResponseText(transform) }
        return r
    }
}

extension JSONObject {
    /// Keys and string values, at every depth, passed through `transform`.
    public func mappingStrings(_ transform: (String) -> String) -> JSONObject {
        JSONObject(pairs.map { (transform($0.key), $0.value.mappingStrings(transform)) })
    }
}

extension JSONValue {
    /// Every string (object keys included), at every depth, passed through `transform`.
    public func mappingStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let s): return .string(transform(s))
        case .array(let a): return .array(a.map { $0.mappingStrings(transform) })
        case .object(let o): return .object(o.mappingStrings(transform))
        case .null, .bool, .int, .double: return self
        }
    }
}
