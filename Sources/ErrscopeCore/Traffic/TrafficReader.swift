import Foundation

/// Where an error sat in a stream that began `200 OK`.
public struct StreamInfo: Sendable, Equatable {
    public enum Format: String, Sendable { case sse, awsEventStream = "aws-eventstream", jsonArray = "json-array", ndjson }
    public var format: Format
    /// Events read (SSE comments such as `: keep-alive` are not events).
    public var events: Int
    /// 0-based index of the error event, nil when the stream carries no error.
    public var errorIndex: Int?
    /// Bytes of the stream before the error event.
    public var bytesBeforeError: Int?
    /// The SSE event name (nil for a bare `data:` event) or AWS `:exception-type` of the error event.
    public var errorEvent: String?
    /// The stream names its events (`event:` lines), which some SDKs cannot read.
    public var namedEvents = false
    /// The first events, one line each (`event: data…`), for a person to look through.
    public var eventTexts: [String] = []
    static let maxEventTexts = 200

    static func eventText(_ name: String?, _ data: String) -> String {
        let d = TerminalText.singleLine(data, limit: 160)
        return name.map { "\($0): \(d)" } ?? d
    }
}

/// The form an error reached a person in.
public enum InputForm: String, Sendable {
    case httpResponse = "http-response"
    case body
    case sdkPython = "sdk-python"
    case sdkJS = "sdk-js"
    case botocore
    /// The Azure SDK for .NET's `RequestFailedException` text (`Status: 429 (Too Many Requests)`,
    /// `ErrorCode: ...`, `Content:`, `Headers:`), also as Semantic Kernel and others rethrow it.
    case sdkDotNet = "sdk-dotnet"
    /// The AWS SDK for Go v2's `operation error <Service>: <Op>, https response error StatusCode:
    /// 400, RequestID: ..., ValidationException: ...`.
    case awsSDKGo = "aws-sdk-go"
    case text
    case jsonString = "json-string"

    /// A form someone printed (a log line, an SDK's exception text), not a response as it came:
    /// with a message it is an error even without a status.
    public var isPrinted: Bool {
        switch self {
        case .text, .sdkPython, .sdkJS, .botocore, .sdkDotNet, .awsSDKGo: return true
        case .httpResponse, .body, .jsonString: return false
        }
    }
}

/// An error as it reaches a person (raw `curl -si`, a bare body, an SDK's log print, an SSE or
/// AWS event stream, JSON inside a JSON string), reduced to status, headers and the error body.
public struct TrafficInput: Sendable {
    public var response: HTTPResponseText
    public var form: InputForm
    public var stream: StreamInfo?
    /// The exception an SDK print names (`RateLimitError`, botocore's `ThrottlingException`).
    public var exception: String?
    /// A text form's error message, when it carries no JSON body.
    public var message: String?
    /// The whole of a pasted text with no status or body in it, for message rules.
    public var fullText: String?

    /// Input larger than this is not searched for an embedded error (a log line is small).
    static let maxTextScan = 1 << 20

    public init(response: HTTPResponseText, form: InputForm, stream: StreamInfo? = nil, exception: String? = nil, message: String? = nil) {
        self.response = response; self.form = form; self.stream = stream; self.exception = exception; self.message = message
    }

    /// An HTTP response already split into status, headers and body (the probe's), read for
    /// what its body is.
    public static func response(status: Int?, headers: [(name: String, value: String)], body: [UInt8]) -> TrafficInput {
        var t = TrafficInput(response: HTTPResponseText(status: status, headers: headers, body: body), form: .httpResponse)
        t.readBody()
        return t
    }

    public static func read(_ bytes: [UInt8]) -> TrafficInput {
        let r = HTTPResponseText.parse(bytes)
        var t = TrafficInput(response: r, form: r.status == nil ? .body : .httpResponse, stream: nil, exception: nil)
        t.readBody()
        return t
    }

    /// Reads `body` as what it is: a stream, a double-encoded JSON string, an SDK print.
    mutating func readBody() {
        let body = response.body
        var start = 0
        if body.count >= 3, body[0] == 0xEF, body[1] == 0xBB, body[2] == 0xBF { start = 3 }
        while start < body.count, body[start] == 0x20 || body[start] == 0x0A || body[start] == 0x0D || body[start] == 0x09 { start += 1 }
        if start > 0 && start < body.count && start <= 3 && body[0] == 0xEF { response.body = Array(body[3...]) }
        guard start < body.count else { return }
        let first = body[start]
        let contentType = response.header("content-type")?.lowercased() ?? ""
        if let es = AWSEventStream.read(body) {
            response.body = es.body
            stream = es.info
            if let ex = es.exceptionType { response.headers.append(("x-amzn-ErrorType", ex)); exception = ex }
            // The 200 was the stream's; the error's own status is not in the frame.
            if es.info.errorIndex != nil, response.status == 200 { response.status = nil }
            return
        }
        if contentType.contains("text/event-stream") || SSE.looksLike(body, from: start) {
            if let s = SSE.read(body) {
                stream = s.info
                if let b = s.body { response.body = b }
                if stream?.errorIndex != nil, response.status == 200 { response.status = nil }
                return
            }
        }
        let isJSON = (first == UInt8(ascii: "{") || first == UInt8(ascii: "[")) && (try? JSONValue.parse(body)) != nil
        if first == UInt8(ascii: "["), isJSON {
            // A JSON array of chunks (Vertex's streaming answer): the element with an error.
            if let (info, element) = Self.arrayStream(body), let element {
                stream = info
                response.body = element
                if response.status == 200 { response.status = nil }
            }
            return
        }
        if first == UInt8(ascii: "\"") {
            // JSON inside a JSON string.
            if let inner = (try? JSONValue.parse(String(decoding: body, as: UTF8.self)))?.stringValue {
                let innerBytes = Array(inner.utf8)
                var sub = TrafficInput(response: HTTPResponseText(status: response.status, headers: response.headers, body: innerBytes), form: .jsonString)
                sub.readBody()
                if sub.form == .jsonString || sub.form == .body || sub.form == .httpResponse { sub.form = form == .httpResponse ? .httpResponse : .jsonString }
                self = sub
            }
            return
        }
        if isJSON { return }
        // A bare JSON scalar (`null`, `42`): a body, not text to read for a message.
        if ErrorDecoder.startsScalar(first), (try? JSONValue.parse(Array(body[start...]))) != nil { return }
        if first == UInt8(ascii: "{"), let (info, element) = Self.ndjsonStream(body) {
            // Newline-delimited JSON (Ollama's native streams): the line with an error.
            stream = info
            if let element {
                response.body = element
                if response.status == 200 { response.status = nil }
            }
            return
        }
        if first == UInt8(ascii: "{") {
            // Not JSON: a Python dict as an SDK prints one (`{'error': {...}, 'code': None}`), else
            // truncated or broken JSON for the decoder to salvage.
            if let (json, end) = PythonLiteral.toJSON(body, from: start),
                body[end...].allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
            {
                response.body = json
                if form == .body { form = .sdkPython }
            }
            return
        }
        if first == UInt8(ascii: "<"), Self.looksLikeMarkup(body, from: start) { return }
        // A pasted log line or SDK print (not the text body of a real HTTP response).
        if form == .body, body.count <= Self.maxTextScan, let print = SDKPrint.read(body) {
            response.body = print.body
            if response.status == nil { response.status = print.status }
            response.headers += print.headers
            exception = print.exception
            message = print.message
            fullText = print.fullText
            if form == .body { form = print.form }
        }
    }

    /// `<!DOCTYPE`, `<html`, `<?xml`, `<head>`... (not a log line such as `<class 'X'>: ...`).
    static func looksLikeMarkup(_ b: [UInt8], from start: Int) -> Bool {
        let head = String(decoding: b[start..<min(b.count, start + 10)], as: UTF8.self).lowercased()
        return ["<!doctype", "<html", "<?xml", "<head", "<body", "<title", "<h1", "<center", "<!--", "<p>", "<div", "<error"].contains { head.hasPrefix($0) }
    }

    /// Two or more lines, each a JSON object.
    static func ndjsonStream(_ body: [UInt8]) -> (StreamInfo, [UInt8]?)? {
        var objects: [(JSONValue, Int)] = []
        var offset = 0
        for line in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            defer { offset += line.count + 1 }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard let v = try? JSONValue.parse(line), v.objectValue != nil else { return nil }
            objects.append((v, offset))
        }
        guard objects.count > 1 else { return nil }
        var info = StreamInfo(format: .ndjson, events: objects.count)
        info.eventTexts = objects.prefix(StreamInfo.maxEventTexts).map { StreamInfo.eventText(nil, $0.0.compactText) }
        for (k, (v, off)) in objects.enumerated() where v.objectValue?["error"] != nil {
            info.errorIndex = k
            info.bytesBeforeError = off
            return (info, Array(v.compactText.utf8))
        }
        return (info, nil)
    }

    static func arrayStream(_ body: [UInt8]) -> (StreamInfo, [UInt8]?)? {
        guard let v = try? JSONValue.parse(body), case .array(let items) = v, items.count > 1 else { return nil }
        var info = StreamInfo(format: .jsonArray, events: items.count)
        info.eventTexts = items.prefix(StreamInfo.maxEventTexts).map { StreamInfo.eventText(nil, $0.compactText) }
        for (k, item) in items.enumerated() where item.objectValue?["error"] != nil {
            info.errorIndex = k
            // Where the element starts: the last `{"error"` (elements before it are content).
            let needle = Array(#"{"error""#.utf8)
            if body.count >= needle.count {
                info.bytesBeforeError = stride(from: body.count - needle.count, through: 0, by: -1).first { i in
                    body[i..<(i + needle.count)].elementsEqual(needle)
                }
            }
            return (info, Array(item.compactText.utf8))
        }
        return (info, nil)
    }
}

// MARK: - Server-sent events

enum SSE {
    static let fieldNames: [String] = ["data:", "event:", "id:", "retry:", ":", "error:"]

    static func looksLike(_ b: [UInt8], from start: Int) -> Bool {
        let head = String(decoding: b[start..<min(b.count, start + 16)], as: UTF8.self)
        return head.hasPrefix("data:") || head.hasPrefix("event:") || head.hasPrefix(": ") || head.hasPrefix("id:")
            || head.hasPrefix("retry:") || head.hasPrefix("error:") || head.hasPrefix(":\n")
    }

    struct Event {
        var name: String?
        var data: String
        var offset: Int
        var errorField: String?
    }

    /// Events, and the error event's JSON as the body to decode.
    static func read(_ b: [UInt8]) -> (info: StreamInfo, body: [UInt8]?)? {
        var events: [Event] = []
        var cur = Event(name: nil, data: "", offset: 0)
        var hasData = false
        var i = 0
        func flush() {
            if hasData || cur.name != nil || cur.errorField != nil { events.append(cur) }
            cur = Event(name: nil, data: "", offset: i)
            hasData = false
        }
        while i < b.count {
            var e = i
            while e < b.count, b[e] != 0x0A { e += 1 }
            var lineEnd = e
            if lineEnd > i, b[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = String(decoding: b[i..<lineEnd], as: UTF8.self)
            if line.isEmpty {
                i = e + 1
                flush()
                cur.offset = i
                continue
            }
            if !hasData && cur.name == nil { cur.offset = i }
            if line.hasPrefix(":") {
                // comment (`: keep-alive`, `: OPENROUTER PROCESSING`)
            } else if line.hasPrefix("{") || line.hasPrefix("[") {
                // A bare JSON object after the events, without `data:` (Gemini does this); it may span lines.
                flush()
                let off = i
                let text = String(decoding: b[i...], as: UTF8.self)
                events.append(Event(name: nil, data: text.trimmingCharacters(in: .whitespacesAndNewlines), offset: off))
                i = b.count
                break
            } else if let colon = line.firstIndex(of: ":") {
                let field = String(line[..<colon])
                var value = String(line[line.index(after: colon)...])
                if value.hasPrefix(" ") { value.removeFirst() }
                switch field {
                case "data":
                    cur.data += (hasData ? "\n" : "") + value
                    hasData = true
                case "event": cur.name = value
                case "error": cur.errorField = value  // llama.cpp's non-standard field
                default: break
                }
            } else if line.lowercased().hasPrefix("data") || line.lowercased().hasPrefix("event") {
                // field with no value
            } else {
                return nil  // a line that is no SSE field: not an event stream
            }
            i = e + 1
        }
        flush()
        guard !events.isEmpty else { return nil }
        var info = StreamInfo(format: .sse, events: events.count)
        info.namedEvents = events.contains { $0.name != nil }
        info.eventTexts = events.prefix(StreamInfo.maxEventTexts).map { StreamInfo.eventText($0.errorField != nil ? "error" : $0.name, $0.errorField ?? $0.data) }
        for (k, ev) in events.enumerated() {
            if let err = ev.errorField {
                // llama.cpp's `error: {"code":500,"message":...}` carries the inner object of its envelope.
                info.errorIndex = k; info.bytesBeforeError = ev.offset; info.errorEvent = "error"
                var body = errorBody(err)
                if let v = try? JSONValue.parse(body), let o = v.objectValue, o["error"] == nil, o["message"] != nil {
                    body = JSONValue.object(JSONObject([("error", v)])).compactText
                }
                return (info, Array(body.utf8))
            }
            let data = ev.data.trimmingCharacters(in: .whitespaces)
            let isErrorEvent = ev.name?.lowercased() == "error"
            guard let v = try? JSONValue.parse(data) else {
                if isErrorEvent {
                    info.errorIndex = k; info.bytesBeforeError = ev.offset; info.errorEvent = ev.name
                    return (info, Array(errorBody(data).utf8))
                }
                // `data:` lines with no blank line between them are one event by the SSE rules, but
                // a server that meant one event a line (a gateway's `data: {"error":...}` then
                // `data: [DONE]`) is read line by line by most clients: an error object on one of
                // the lines is the error.
                if data.contains("\n"),
                    let hit = data.split(separator: "\n").lazy.compactMap({ try? JSONValue.parse(String($0)) }).first(where: { isErrorChunk($0) })
                {
                    info.errorIndex = k; info.bytesBeforeError = ev.offset; info.errorEvent = ev.name
                    return (info, Array(hit.compactText.utf8))
                }
                continue
            }
            if isErrorEvent || isErrorChunk(v) {
                info.errorIndex = k; info.bytesBeforeError = ev.offset; info.errorEvent = ev.name
                var element = v
                if case .array(let items) = v, let first = items.first(where: { $0.objectValue?["error"] != nil }) { element = first }
                return (info, Array(element.compactText.utf8))
            }
        }
        return (info, nil)
    }

    /// A data payload that is an error: `{"error": ...}`, `{"type": "error"}`, or a chunk whose
    /// choice finished with `finish_reason: "error"`.
    static func isErrorChunk(_ v: JSONValue) -> Bool {
        if case .array(let items) = v { return items.contains { isErrorChunk($0) } }
        guard let o = v.objectValue else { return false }
        if let e = o["error"], e != .null { return true }
        if o["type"]?.stringValue == "error" { return true }
        if o["object"]?.stringValue == "error" { return true }
        if case .array(let choices)? = o["choices"], choices.contains(where: { $0.objectValue?["finish_reason"]?.stringValue == "error" }) { return true }
        return false
    }

    /// A non-JSON error payload as a body the decoder can read.
    static func errorBody(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        if (try? JSONValue.parse(t)) != nil { return t }
        return JSONValue.object(JSONObject([("error", .string(t))])).compactText
    }
}

// MARK: - AWS event stream (Bedrock's binary streaming)

/// `application/vnd.amazon.eventstream`: frames of prelude (total length, headers length,
/// CRC), headers, payload, CRC. An exception frame has `:message-type: exception` and
/// `:exception-type`.
enum AWSEventStream {
    struct Result {
        var info: StreamInfo
        var body: [UInt8]
        var exceptionType: String?
    }

    static func read(_ b: [UInt8]) -> Result? {
        guard b.count >= 16 else { return nil }
        var off = 0
        var frames = 0
        var result: Result?
        var texts: [String] = []
        while off + 16 <= b.count {
            let total = be32(b, off), hlen = be32(b, off + 4)
            guard total >= 16, hlen <= total - 16, off + total <= b.count else { break }
            var headers: [String: String] = [:]
            var h = off + 12
            let hEnd = h + hlen
            while h < hEnd {
                let nlen = Int(b[h]); h += 1
                guard h + nlen < hEnd else { return nil }
                let name = String(decoding: b[h..<(h + nlen)], as: UTF8.self); h += nlen
                let type = b[h]; h += 1
                switch type {
                case 0, 1: headers[name] = type == 0 ? "true" : "false"
                case 2: h += 1
                case 3: h += 2
                case 4: h += 4
                case 5, 8: h += 8
                case 9: h += 16
                case 6, 7:
                    guard h + 2 <= hEnd else { return nil }
                    let len = Int(b[h]) << 8 | Int(b[h + 1]); h += 2
                    guard h + len <= hEnd else { return nil }
                    if type == 7 { headers[name] = String(decoding: b[h..<(h + len)], as: UTF8.self) }
                    h += len
                default: return nil
                }
            }
            guard headers[":message-type"] != nil else { return nil }
            let payload = Array(b[hEnd..<(off + total - 4)])
            if texts.count < StreamInfo.maxEventTexts {
                texts.append(StreamInfo.eventText(headers[":exception-type"] ?? headers[":event-type"] ?? headers[":message-type"], String(decoding: payload, as: UTF8.self)))
            }
            if result == nil, headers[":message-type"] == "exception" || headers[":message-type"] == "error" {
                var ex = headers[":exception-type"] ?? headers[":error-code"]
                if let e = ex, let f = e.first, f.isLowercase { ex = f.uppercased() + e.dropFirst() }
                var body = payload
                if body.isEmpty, let m = headers[":error-message"] { body = Array(JSONValue.object(JSONObject([("message", .string(m))])).compactText.utf8) }
                result = Result(info: StreamInfo(format: .awsEventStream, events: 0, errorIndex: frames, bytesBeforeError: off, errorEvent: headers[":exception-type"] ?? headers[":error-code"]),
                                body: body, exceptionType: ex)
            }
            frames += 1
            off += total
        }
        guard frames > 0 else { return nil }
        if var r = result {
            r.info.events = frames
            r.info.eventTexts = texts
            return r
        }
        var info = StreamInfo(format: .awsEventStream, events: frames)
        info.eventTexts = texts
        return Result(info: info, body: [], exceptionType: nil)
    }

    static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
}

// MARK: - What SDKs print

/// An error as an SDK or a gateway prints it into a log: openai-python / anthropic-python
/// `Error code: 429 - {python dict}`, the JS SDKs' `429 {json}`, botocore's
/// `An error occurred (ThrottlingException) when calling the InvokeModel operation: ...`, or any
/// text with a JSON object or Python dict in it.
enum SDKPrint {
    struct Result {
        var status: Int?
        var body: [UInt8]
        var headers: [(name: String, value: String)] = []
        var exception: String?
        var form: InputForm
        var message: String? = nil
        var fullText: String? = nil
    }

    static func read(_ bytes: [UInt8]) -> Result? {
        let text = String(decoding: bytes, as: UTF8.self)
        // botocore
        if let r = text.range(of: "An error occurred (") {
            let rest = text[r.upperBound...]
            if let close = rest.firstIndex(of: ")") {
                // Event-stream exceptions are lowerCamel (`throttlingException`): the type is the shape name.
                var name = String(rest[..<close])
                if let f = name.first, f.isLowercase { name = f.uppercased() + name.dropFirst() }
                var msg = ""
                if let op = rest.range(of: " operation") {
                    var after = rest[op.upperBound...]
                    if after.hasPrefix(" (") , let c = after.firstIndex(of: ")") { after = after[after.index(after: c)...] }
                    if after.hasPrefix(":") { after = after.dropFirst() }
                    msg = after.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                let body = JSONValue.object(JSONObject([("message", .string(msg))])).compactText
                return Result(status: nil, body: Array(body.utf8), headers: [("x-amzn-ErrorType", name)], exception: name, form: .botocore)
            }
        }
        if let r = awsGo(text) { return r }
        let exception = exceptionName(text)
        if let r = azureDotNet(text, exception: exception) { return r }
        // A gateway's wrapper around an upstream error (`litellm.BadRequestError: AnthropicException -
        // {...}`): the text is the gateway's message; the decoder finds the wrapped body in it.
        if let brace = text.firstIndex(of: "{") {
            let before = text[..<brace]
            // Or a status that is not the wrapped body's (`400 An error occurred ...: Server responded
            // with status 429. Error message: {...}`).
            let outer = bareStatus(String(before))?.status, inner = statusMention(String(before))
            if before.contains("Exception - ") || before.contains("Exception: ") || before.contains("litellm.")
                || (outer != nil && inner != nil && outer != inner) {
                let status = outer ?? inner
                return Result(status: status, body: bytes, exception: exception, form: .text,
                              message: text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        // openai-python / anthropic-python: `Error code: 429 - {...}`
        if let r = text.range(of: "Error code: ") {
            let digits = text[r.upperBound...].prefix(3)
            if let status = Int(digits), (100...599).contains(status) {
                let after = text[r.upperBound...].dropFirst(3)
                if let body = embeddedObject(after) {
                    return Result(status: status, body: body, exception: exception, form: .sdkPython)
                }
                let msg = after.drop(while: { $0 == " " || $0 == "-" }).trimmingCharacters(in: .whitespacesAndNewlines)
                return Result(status: status, body: Array(JSONValue.object(JSONObject([("message", .string(msg))])).compactText.utf8),
                              exception: exception, form: .sdkPython)
            }
        }
        // JS SDKs: `429 {"error": ...}` (after an optional `Error: ` or class name).
        var scan = text[...]
        if let e = exception, let r = text.range(of: e + ": ") { scan = text[r.upperBound...] }
        else if let r = text.range(of: "Error: ") { scan = text[r.upperBound...] }
        let trimmed = scan.drop(while: { $0 == " " })
        if trimmed.count > 4, let status = Int(trimmed.prefix(3)), (100...599).contains(status), trimmed.dropFirst(3).first == " " {
            let after = trimmed.dropFirst(4)
            if let body = embeddedObject(after) {
                return Result(status: status, body: body, exception: exception, form: .sdkJS)
            }
            if exception != nil {
                let msg = after.trimmingCharacters(in: .whitespacesAndNewlines)
                return Result(status: status, body: Array(JSONValue.object(JSONObject([("message", .string(msg))])).compactText.utf8),
                              exception: exception, form: .sdkJS)
            }
        }
        // Any text with an error object in it.
        if let body = embeddedObject(text[...]) {
            return Result(status: statusMention(text) ?? bareStatus(text)?.status, body: body, exception: exception, form: .text)
        }
        // A status and a message in free text: `429 Rate limit reached ...`, `Error Code: 403, Message: ...`.
        if let (status, rest) = bareStatus(text) ?? statusMention(text).map({ ($0, "") }) {
            var msg = rest.trimmingCharacters(in: .whitespacesAndNewlines)
            if msg.first == "<" {
                return Result(status: status, body: Array(msg.utf8), exception: exception, form: .text)
            }
            if msg.isEmpty { msg = text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if msg.hasPrefix("\""), let v = (try? JSONValue.parse(String(msg.prefix(while: { _ in true }))))?.stringValue { msg = v }
            else if msg.hasPrefix("\""), msg.dropFirst().contains("\"") { msg = String(msg.dropFirst().prefix(while: { $0 != "\"" })) }
            return Result(status: status, body: bytes, exception: exception, form: .text, message: msg)
        }
        // One line of text (a pasted message): all of it is the message. Several lines with no
        // status or body in them are a plain text body (a proxy's page): its first line is shown.
        let whole = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard whole.contains(where: { $0.isNewline }) else {
            return Result(status: nil, body: bytes, exception: exception, form: .text, message: whole)
        }
        var r = Result(status: nil, body: bytes, exception: exception, form: .body)
        r.fullText = whole
        return r
    }

    /// Whether `text` holds `needle`, by bytes (`String.contains` goes through Foundation's
    /// locale-aware search).
    static func mentions(_ text: String, _ needle: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { hay in RuleBank.find(UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount), in: hay) }
    }

    static let awsGoPattern = try! NSRegularExpression(
        pattern: #"operation error ([A-Za-z0-9 ]+): (\w+), (?:exceeded maximum number of attempts, \d+, )?https response error StatusCode: ([1-5][0-9][0-9]), RequestID: ([^,]*), (?:api error )?([A-Za-z]+): ?([^\n]*)"#)

    /// The AWS SDK for Go v2's error text: the service, the status, the request id and the
    /// exception name are all in it (the name goes where the service sends it, `x-amzn-ErrorType`).
    static func awsGo(_ text: String) -> Result? {
        guard mentions(text, "https response error StatusCode: "),
            let m = awsGoPattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let st = Range(m.range(at: 3), in: text), let status = Int(text[st]),
            let idr = Range(m.range(at: 4), in: text), let exr = Range(m.range(at: 5), in: text), let msr = Range(m.range(at: 6), in: text)
        else { return nil }
        let exception = String(text[exr]), message = String(text[msr]).trimmingCharacters(in: .whitespaces)
        var headers: [(name: String, value: String)] = [("x-amzn-ErrorType", exception)]
        let id = text[idr].trimmingCharacters(in: .whitespaces)
        if !id.isEmpty { headers.append(("x-amzn-RequestId", id)) }
        let body = JSONValue.object(JSONObject([("message", .string(message))])).compactText
        return Result(status: status, body: Array(body.utf8), headers: headers, exception: exception, form: .awsSDKGo, message: message)
    }

    /// The Azure SDK for .NET's error text: the message, a `Status: 404 (Not Found)` line, an
    /// `ErrorCode: DeploymentNotFound` line, then optional `Content:` (the body) and `Headers:`
    /// sections (Azure.Core `RequestFailedException`). Without a body the code and message make
    /// one (`{"error": {"code", "message"}}`, the Azure envelope); headers such as Retry-After
    /// are kept.
    static func azureDotNet(_ text: String, exception: String?) -> Result? {
        // Every pasted text comes here: a byte test before splitting it into lines.
        guard mentions(text, "Status: ") else { return nil }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard let si = lines.firstIndex(where: { $0.hasPrefix("Status: ") }),
            let status = Int(lines[si].dropFirst(8).prefix(3)), (100...599).contains(status)
        else { return nil }
        let codeLine = lines[si...].first { $0.hasPrefix("ErrorCode: ") }
        guard codeLine != nil || lines[si].dropFirst(11).hasPrefix(" (") else { return nil }
        let code = codeLine.map { String($0.dropFirst(11)).trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        var message = lines[..<si].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if let e = exception, let r = message.range(of: e + ": ") { message = String(message[r.upperBound...]) }
        var headers: [(name: String, value: String)] = []
        if let hi = lines.firstIndex(of: "Headers:") {
            for l in lines[(hi + 1)...] {
                guard let c = l.firstIndex(of: ":"), c != l.startIndex else { break }
                headers.append((String(l[..<c]), String(l[l.index(after: c)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
        if let ci = lines.firstIndex(of: "Content:") {
            let rest = lines[(ci + 1)...].joined(separator: "\n")
            if let body = embeddedObject(rest[...]) {
                return Result(status: status, body: body, headers: headers, exception: exception, form: .sdkDotNet, message: message.isEmpty ? nil : message)
            }
        }
        var err = JSONObject()
        if let c = code { err["code"] = .string(c) }
        err["message"] = .string(message)
        let body = JSONValue.object(JSONObject([("error", .object(err))])).compactText
        return Result(status: status, body: Array(body.utf8), headers: headers, exception: exception, form: .sdkDotNet,
                      message: message.isEmpty ? nil : message)
    }

    // Compiled once: these run on every SDK-print line of a pasted log.
    static let bareStatusPattern = try! NSRegularExpression(pattern: #"(?:^|[\s(:>\[])\(?([45][0-9][0-9])\)?(?:\s+|,\s*|:\s*)(?=[A-Za-z{"'<\[(])"#)
    static let exceptionPattern = try! NSRegularExpression(pattern: #"(?:^|[\s.(])([A-Z][A-Za-z]*(?:Error|Exception))(?::|\b)"#)
    static let statusMentionPattern = try! NSRegularExpression(pattern: #"(?i)(?:status(?:[ _]?code)?|http|error code)[\s:=]+"?([1-5][0-9][0-9])\b"#)

    /// A 4xx/5xx status standing alone before text (`-> 400 {`, `Error: 422 "..."`, `429 Rate limit`),
    /// and the text after it (a reason phrase such as `Forbidden` dropped).
    static func bareStatus(_ text: String) -> (status: Int, rest: String)? {
        let pattern = Self.bareStatusPattern
        guard let m = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let r = Range(m.range(at: 1), in: text), let whole = Range(m.range, in: text), let status = Int(text[r]) else { return nil }
        var rest = String(text[whole.upperBound...])
        if let phrase = HTTPReason.phrase(status), rest.hasPrefix(phrase) { rest = String(rest.dropFirst(phrase.count)) }
        return (status, rest.trimmingCharacters(in: CharacterSet(charactersIn: " :-,")))
    }

    /// The first `{` from which a JSON object or a Python dict parses, as JSON bytes.
    static func embeddedObject(_ s: Substring) -> [UInt8]? {
        let bytes = Array(s.utf8)
        var i = 0
        var tries = 0
        while i < bytes.count, tries < 8 {
            guard let open = bytes[i...].firstIndex(of: UInt8(ascii: "{")) else { return nil }
            tries += 1
            let slice = Array(bytes[open...])
            if let end = balancedEnd(slice), let v = try? JSONValue.parse(slice[..<end]), v.objectValue != nil {
                return Array(slice[..<end])
            }
            if let (json, _) = PythonLiteral.toJSON(slice), (try? JSONValue.parse(json))?.objectValue != nil {
                return json
            }
            i = open + 1
        }
        return nil
    }

    /// The index after the `}` that closes the `{` at 0 (JSON string rules), or nil.
    static func balancedEnd(_ b: [UInt8]) -> Int? {
        var depth = 0
        var i = 0
        var inString = false
        while i < b.count {
            let c = b[i]
            if inString {
                if c == 0x5C { i += 2; continue }
                if c == 0x22 { inString = false }
            } else if c == 0x22 {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
                if depth > JSONTape.defaultMaxDepth { return nil }
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    /// `openai.RateLimitError`, `anthropic.OverloadedError`, `RateLimitError:` ...
    static func exceptionName(_ text: String) -> String? {
        let pattern = Self.exceptionPattern
        guard let m = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let r = Range(m.range(at: 1), in: text) else { return nil }
        let name = String(text[r])
        return name == "Error" ? nil : name
    }

    /// `status 429`, `HTTP 429`, `status_code=429`, `Error code: 429` in free text.
    static func statusMention(_ text: String) -> Int? {
        let pattern = Self.statusMentionPattern
        guard let m = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let r = Range(m.range(at: 1), in: text) else { return nil }
        return Int(text[r])
    }
}
