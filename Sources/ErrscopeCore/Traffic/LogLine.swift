import Foundation

/// The field names a gateway or application log line keeps its response under:
/// `{"ts": ..., "status": 429, "body": {...}}`. Auto-detected from the common names unless set.
public struct LogFields: Sendable, Equatable {
    public var status: [String]
    public var body: [String]
    public var time: [String]
    /// A body field was named explicitly: every JSON line is a wrapper.
    public var explicitBody: Bool

    public static let auto = LogFields(
        status: ["status", "status_code", "http_status", "statusCode", "http_status_code"],
        body: ["body", "response", "response_body", "error"],
        time: ["ts", "time", "timestamp", "@timestamp"], explicitBody: false)

    public init(status: [String], body: [String], time: [String], explicitBody: Bool) {
        self.status = status; self.body = body; self.time = time; self.explicitBody = explicitBody
    }

    /// The defaults, with any field the user named put in their place.
    public static func named(status: String?, body: String?, time: String?) -> LogFields {
        var f = auto
        if let s = status { f.status = [s] }
        if let b = body { f.body = [b]; f.explicitBody = true }
        if let t = time { f.time = [t] }
        return f
    }
}

/// One log line read: the error body it holds, with the status and time the line gives.
public struct LogRecord: Sendable {
    public var input: DecodeInput
    public var time: String?
    /// The line wrapped its body in a field (`body`, `response`, ...).
    public var wrapped: Bool
}

/// Reads log lines: a bare body, a JSON wrapper with the body under a field, or a text line
/// holding an SDK's error print. One implementation for `decode --jsonl` and the incident pane.
public enum LogLine {
    /// Where a wrapper's parts are on a parsed tape (`root` 0): nodes, or nil.
    public struct Parts {
        public var body: Int?
        public var bodyName: String?
        public var status: Int?
        public var time: Int?
        public var isWrapper: Bool
    }

    /// Finds the wrapper fields of the object at the tape's root.
    public static func parts(_ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>, fields: LogFields) -> Parts {
        var p = Parts(body: nil, bodyName: nil, status: nil, time: nil, isWrapper: false)
        guard tape.kind(0) == .object else { return p }
        func find(_ names: [String]) -> (Int, String)? {
            for name in names {
                var n = name
                let hit = n.withUTF8 { tape.member(0, $0, in: buf) }
                if let h = hit { return (h, name) }
            }
            return nil
        }
        if let (n, name) = find(fields.body) { p.body = n; p.bodyName = name }
        p.status = find(fields.status)?.0
        p.time = find(fields.time)?.0
        // `error` is also the top-level key of most envelopes: it makes a wrapper only beside a
        // status or a time field (or when named).
        if p.body != nil {
            p.isWrapper = fields.explicitBody || p.bodyName != "error" || p.status != nil || p.time != nil
        }
        return p
    }

    /// The status a field holds: a number, or a numeric string.
    public static func status(_ tape: JSONTape, _ n: Int?, _ buf: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let n else { return nil }
        switch tape.kind(n) {
        case .number: return tape.int(n, in: buf).flatMap { (100...599).contains($0) ? Int($0) : nil }
        case .string: return Int(tape.string(n, in: buf)).flatMap { (100...599).contains($0) ? $0 : nil }
        default: return nil
        }
    }

    public static func time(_ tape: JSONTape, _ n: Int?, _ buf: UnsafeBufferPointer<UInt8>) -> String? {
        guard let n else { return nil }
        switch tape.kind(n) {
        case .string: return tape.string(n, in: buf)
        case .number: return String(decoding: tape.rawBytes(n, in: buf), as: UTF8.self)
        default: return nil
        }
    }

    /// The reference reading of one line (the summary's fast path must agree with it).
    public static func read(_ line: [UInt8], fields: LogFields = .auto, headers: [(name: String, value: String)] = [],
                            status: Int? = nil, path: String? = nil, system: String? = nil) -> LogRecord {
        let tape = JSONTape()
        var record: LogRecord?
        line.withUnsafeBufferPointer { buf in
            guard (try? tape.parse(buf)) != nil else { return }
            let p = parts(tape, buf, fields: fields)
            guard p.isWrapper, let b = p.body else { return }
            let bodyBytes: [UInt8]
            if p.bodyName == "error" && !fields.explicitBody {
                bodyBytes = line  // the line itself is the envelope, with extra keys
            } else if tape.kind(b) == .string {
                bodyBytes = Array(tape.string(b, in: buf).utf8)
            } else {
                bodyBytes = Array(tape.value(at: b, in: buf).compactText.utf8)
            }
            var t = TrafficInput(response: HTTPResponseText(status: status ?? Self.status(tape, p.status, buf), headers: headers, body: bodyBytes), form: .body)
            t.readBody()
            record = LogRecord(input: DecodeInput(traffic: t, path: path, system: system), time: Self.time(tape, p.time, buf), wrapped: true)
        }
        if let r = record { return r }
        var t = TrafficInput.read(line)
        if let s = status { t.response.status = s }
        t.response.headers += headers
        return LogRecord(input: DecodeInput(traffic: t, path: path, system: system), time: nil, wrapped: false)
    }
}
