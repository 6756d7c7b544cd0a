import ErrscopeProbe
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server on 127.0.0.1 that answers every request with the bytes `respond` gives for its
/// request head: what no framework would send (broken chunking, gzip bombs, a token in a reason
/// phrase or a header name). Raw sockets, one thread per connection.
final class RawServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let respond: @Sendable (String) -> [UInt8]
    private let lock = NSLock()
    private var _requests = 0
    /// Connections accepted so far.
    var requests: Int { lock.withLock { _requests } }

    /// `respond` gets the request's path.
    convenience init(_ respond: @escaping @Sendable (String) -> [UInt8]) throws {
        try self.init(respond, readsHead: false)
    }

    /// `respond` gets the whole request head. (A factory, not an `init(head:)`: a trailing
    /// closure would pick either initialiser.)
    static func answeringHead(_ respond: @escaping @Sendable (String) -> [UInt8]) throws -> RawServer {
        try RawServer(respond, readsHead: true)
    }

    private init(_ given: @escaping @Sendable (String) -> [UInt8], readsHead: Bool) throws {
        let respond: @Sendable (String) -> [UInt8]
        if readsHead { respond = given } else { respond = { head in given(RawServer.path(of: head)) } }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok, listen(fd, 16) == 0 else { throw ProbeSpecError("cannot listen") }
        self.fd = fd
        self.respond = respond
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread { [self] in
            while true {
                let c = accept(fd, nil, nil)
                guard c >= 0 else { return }
                lock.withLock { _requests += 1 }
                Thread { self.answer(c) }.start()
            }
        }.start()
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    /// The path of a request head, without its query.
    static func path(of head: String) -> String {
        head.split(separator: " ").dropFirst().first.map { String($0.split(separator: "?").first ?? "") } ?? "/"
    }

    private func answer(_ c: Int32) {
        defer { close(c) }
        var head = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
            let n = read(c, &buf, buf.count)
            guard n > 0, head.count < 65536 else { return }
            head += buf[0..<n]
        }
        let out = respond(String(decoding: head, as: UTF8.self))
        var sent = 0
        while sent < out.count {
            let n = out.withUnsafeBytes { write(c, $0.baseAddress! + sent, $0.count - sent) }
            guard n > 0 else { return }
            sent += n
        }
    }
}
