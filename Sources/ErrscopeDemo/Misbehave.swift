import ErrscopeCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Routes under `/misbehave/` that break the usual assumptions of an HTTP client.
enum Misbehave {
    static let routes = ["slow", "huge", "escapes", "invalid-utf8", "html-502", "reset", "redirect-loop"]
    static let mebibyte = 1 << 20
    /// The message of `escapes`: clear screen, home, an OSC 52 clipboard write, colour, a bell and
    /// a window-title change.
    static let escapeMessage = "Invalid request\u{1B}[2J\u{1B}[H\u{1B}]52;c;cHduZWQ=\u{07}\u{1B}[31;1m your key was revoked "
        + "\u{1B}[0m\u{07}\u{1B}]0;errscope pwned\u{07} (see the docs)"

    /// - Parameter route: the path after `/misbehave`.
    static func respond(_ route: String, request: Request, context: DemoRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        switch route {
        case "/slow":
            let seconds = min(120, max(0, query["seconds"].flatMap { Double(String($0)) } ?? 10))
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return DemoResponder.json(.ok, ["ok": true, "slept_seconds": .double(seconds)])
        case "/huge":
            let mb = min(4096, max(1, query["mb"].flatMap { Int(String($0)) } ?? 64))
            return huge(bytes: mb * mebibyte)
        case "/escapes":
            let raw = query["raw"].map { $0 == "1" || $0 == "true" } ?? false
            return escapes(raw: raw)
        case "/invalid-utf8":
            var bytes = Array(#"{"error":{"message":"upstream sent bad bytes: "#.utf8)
            bytes += [0xFF, 0xFE, 0x20, 0xC3, 0x28, 0x20, 0xED, 0xA0, 0x80, 0x20, 0xC0, 0xAF]
            bytes += Array(#" end","type":"server_error","param":null,"code":null}}"#.utf8)
            return Response(status: .internalServerError, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        case "/html-502":
            let page = """
                <html>
                <head><title>502 Bad Gateway</title></head>
                <body>
                <center><h1>502 Bad Gateway</h1></center>
                <hr><center>nginx/1.25.3</center>
                </body>
                </html>

                """
            return Response(status: .badGateway, headers: [.contentType: "text/html", .server: "nginx/1.25.3"],
                            body: .init(byteBuffer: ByteBuffer(string: page)))
        case "/reset":
            return reset(channel: context.channel)
        case "/redirect-loop":
            return Response(status: .found, headers: [.location: "/misbehave/redirect-loop", .contentLength: "0"])
        default:
            return DemoResponder.text(.notFound, "404 not found: /misbehave\(route)\nmisbehaving routes: \(routes.joined(separator: ", "))\n")
        }
    }

    /// `{"error":{"message":"aaaa...` for `bytes` bytes, never closed, streamed in 64 KiB chunks.
    static func huge(bytes total: Int) -> Response {
        let prefix = Array(#"{"error":{"message":""#.utf8)
        let chunkSize = 64 << 10
        let filler = ByteBuffer(repeating: UInt8(ascii: "a"), count: chunkSize)
        let body = ResponseBody(contentLength: total) { writer in
            try await writer.write(ByteBuffer(bytes: prefix))
            var left = total - prefix.count
            while left > 0 {
                try Task.checkCancellation()
                let n = min(left, chunkSize)
                try await writer.write(n == chunkSize ? filler : filler.getSlice(at: 0, length: n)!)
                left -= n
            }
            try await writer.finish(nil)
        }
        return Response(status: .internalServerError, headers: [.contentType: "application/json"], body: body)
    }

    static func escapes(raw: Bool) -> Response {
        let error: JSONValue = ["error": ["message": .string(escapeMessage), "type": "invalid_request_error",
                                          "param": nil, "code": "escape_sequences"]]
        var bytes = Array(error.compactText.utf8)
        if raw {
            // The control characters go out unescaped: not valid JSON, but some servers do it.
            bytes = Array(#"{"error":{"message":""#.utf8) + Array(escapeMessage.utf8)
                + Array(#"","type":"invalid_request_error","param":null,"code":"escape_sequences"}}"#.utf8)
        }
        return Response(status: .badRequest, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    struct ConnectionReset: Error {}

    /// Promises 100000 bytes, sends about 1000 of a JSON error, then resets the connection
    /// (SO_LINGER 0 makes the close an RST, not a FIN).
    static func reset(channel: any Channel) -> Response {
        let declared = 100_000
        let body = ResponseBody(contentLength: declared) { writer in
            var text = #"{"error":{"message":"upstream connection lost while streaming the response "#
            text += String(repeating: ".", count: 1000 - text.utf8.count)
            try await writer.write(ByteBuffer(string: text))
            // Let the bytes reach the client before the reset.
            try await Task.sleep(nanoseconds: 100_000_000)
            if let socket = channel as? any SocketOptionProvider {
                try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            }
            try? await channel.close()
            throw ConnectionReset()
        }
        return Response(status: .internalServerError, headers: [.contentType: "application/json"], body: body)
    }
}
