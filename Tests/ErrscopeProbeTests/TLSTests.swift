import ErrscopeProbe
import ErrscopeProbeClient
import Foundation
import Testing

/// TLS failures against `openssl s_server` on 127.0.0.1 with certificates made for the test:
/// each must be explained (expired, self-signed, wrong host), not dumped.
@Suite("TLS errors explained", .serialized, .enabled(if: TLSFixture.opensslPath != nil))
struct TLSTests {
    @Test func selfSignedCertificate() async throws {
        let f = try TLSFixture()
        let server = try f.serve(cert: "self")
        defer { server.terminate() }
        let o = await probe(ProbeSpec(url: "https://localhost:\(server.port)/"))
        guard case .tls(.selfSigned)? = o.failure else {
            Issue.record("expected self-signed, got \(String(describing: o.failure))")
            return
        }
        #expect(o.exitCode == 1)
        #expect(o.failure?.explanation.contains("self-signed") == true)
        // With insecure: true it answers.
        var s = ProbeSpec(url: "https://localhost:\(server.port)/")
        s.insecure = true
        let ok = await probe(s)
        #expect(ok.response?.status == 200, "\(String(describing: ok.failure))")
    }

    @Test func expiredCertificate() async throws {
        let f = try TLSFixture()
        let server = try f.serve(cert: "expired")
        defer { server.terminate() }
        var s = ProbeSpec(url: "https://localhost:\(server.port)/")
        s.caFile = f.path("expired.pem")
        let o = await probe(s)
        guard case .tls(.expired(let date))? = o.failure else {
            Issue.record("expected expired, got \(String(describing: o.failure))")
            return
        }
        #expect(date < Date())
        #expect(o.failure?.explanation.contains("expired on 2020-01-02") == true)
    }

    @Test func wrongHostName() async throws {
        let f = try TLSFixture()
        let server = try f.serve(cert: "other")
        defer { server.terminate() }
        var s = ProbeSpec(url: "https://localhost:\(server.port)/")
        s.caFile = f.path("other.pem")
        let o = await probe(s)
        guard case .tls(.wrongHost(let host, let names))? = o.failure else {
            Issue.record("expected wrong host, got \(String(describing: o.failure))")
            return
        }
        #expect(host == "localhost")
        #expect(names.contains("api.example.com"))
    }

    @Test func plainHTTPOnATLSPortIsNotAHang() async throws {
        let f = try TLSFixture()
        let server = try f.serve(cert: "self")
        defer { server.terminate() }
        var s = ProbeSpec(url: "http://localhost:\(server.port)/")
        s.totalTimeout = 3
        let started = Date()
        let o = await probe(s)
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(o.failure != nil || o.response != nil)
    }
}

/// Certificates made with the openssl command line in a temporary folder.
struct TLSFixture {
    static let opensslPath: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cnf = "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n"
        try cnf.write(toFile: path("ca.cnf"), atomically: true, encoding: .utf8)
        try "".write(toFile: path("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(toFile: path("serial"), atomically: true, encoding: .utf8)
        // Self-signed for localhost, valid now.
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "30",
                 "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
        // For localhost, but valid only on 1 January 2020.
        try run(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "expired.key", "-out", "expired.csr",
                 "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
        try run(["ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "expired.key", "-in", "expired.csr", "-out", "expired.pem",
                 "-startdate", "20200101000000Z", "-enddate", "20200102000000Z"])
        // Valid now, but for another host.
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "30",
                 "-subj", "/CN=api.example.com", "-addext", "subjectAltName=DNS:api.example.com"])
    }

    func path(_ name: String) -> String { dir + "/" + name }

    @discardableResult
    func run(_ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.opensslPath!)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        while p.isRunning { usleep(5_000) }
        guard p.terminationStatus == 0 else { throw ProbeSpecError("openssl \(args.first ?? "") failed") }
        return p.terminationStatus
    }

    final class Server {
        let process: Process
        let port: Int
        init(process: Process, port: Int) { self.process = process; self.port = port }
        /// Stops the server. Polls rather than `waitUntilExit()`, which waits on a run loop that a
        /// test's concurrency thread never runs.
        func terminate() {
            process.terminate()
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    /// `openssl s_server -www` with `cert`.pem on a free port, once it accepts connections.
    func serve(cert: String) throws -> Server {
        for _ in 0..<5 {
            let port = try freePort()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.opensslPath!)
            p.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", path(cert + ".pem"), "-key", path(cert + ".key"), "-www", "-quiet"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline && p.isRunning {
                if canConnect(port) { return Server(process: p, port: port) }
                usleep(20_000)
            }
            if p.isRunning { p.terminate() }
        }
        throw ProbeSpecError("openssl s_server did not start")
    }

    func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
