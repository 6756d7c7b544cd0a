import Foundation

/// A response as `curl -si` prints it, or a bare body.
public struct HTTPResponseText: Sendable {
    public var status: Int?
    public var reason: String?
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int? = nil, reason: String? = nil, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status; self.reason = reason; self.headers = headers; self.body = body
    }

    /// Splits a raw response (status line, headers, blank line, body) when the input starts with
    /// `HTTP/`; otherwise the whole input is the body. Interim responses (`100 Continue`, a
    /// proxy's `200 Connection established`) are skipped.
    public static func parse(_ input: [UInt8]) -> HTTPResponseText {
        var start = 0
        var result = HTTPResponseText(body: input)
        while input.count - start >= 12, input[start..<(start + 5)].elementsEqual("HTTP/".utf8) {
            guard let (headEnd, bodyStart) = headerEnd(input, from: start) else {
                // Headers only, no blank line: all head, no body.
                parseHead(input[start...], into: &result)
                result.body = []
                return result
            }
            var r = HTTPResponseText(body: [])
            parseHead(input[start..<headEnd], into: &r)
            let interim = (r.status.map { (100..<200).contains($0) } ?? false)
                || (r.status == 200 && r.reason?.lowercased().contains("connection established") == true)
            let next = bodyStart
            if interim, input.count - next >= 5, input[next..<(next + 5)].elementsEqual("HTTP/".utf8) {
                start = next
                continue
            }
            r.body = Array(input[bodyStart...])
            return r
        }
        return result
    }

    private static func headerEnd(_ b: [UInt8], from: Int) -> (Int, Int)? {
        var i = from
        while i < b.count {
            if b[i] == 0x0A {
                if i + 1 < b.count, b[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < b.count, b[i + 1] == 0x0D, b[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    private static func parseHead(_ head: ArraySlice<UInt8>, into r: inout HTTPResponseText) {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        guard !lines.isEmpty else { return }
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        if statusLine.count >= 2 { r.status = Int(statusLine[1]) }
        if statusLine.count == 3 { r.reason = String(statusLine[2]).trimmingCharacters(in: .whitespaces) }
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            r.headers.append((name, value))
        }
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
