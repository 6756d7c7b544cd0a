import AsyncHTTPClient
import ErrscopeProbe
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import NIOSSL

/// Sends a probe with async-http-client and times it. Never throws: every failure becomes a
/// `ProbeFailure` that says what it means. Bodies are read up to the spec's cap, so memory stays
/// bounded whatever the server sends; redirects are returned, not followed, unless the spec asks.
public final class ProbeClient: Sendable {
    let group: any EventLoopGroup

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    public static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Sends `request`; `cancel` may be triggered from any thread to stop it.
    public func send(_ request: ResolvedProbe, cancel: ProbeCancellation = ProbeCancellation()) async -> ProbeOutcome {
        let spec = request.spec
        let startedAt = Date()
        let start = Self.monotonicNanos()
        func outcome(_ response: ProbeResponse?, _ failure: ProbeFailure?, _ d: TimingDelegate?) -> ProbeOutcome {
            let end = d?.lastByteAt ?? Self.monotonicNanos()
            let t = ProbeTimings(connectMs: d?.connectAt.map { Double($0 - start) / 1e6 }, firstByteMs: d?.headAt.map { Double($0 - start) / 1e6 },
                                 totalMs: Double(end - start) / 1e6)
            var response = response
            if let d { response?.arrivals = d.arrivals.map { ($0.0, Double($0.1 - start) / 1e6) } }
            return ProbeOutcome(request: request, startedAt: startedAt, response: response, failure: failure, timings: t, lastByteAt: end)
        }

        var tls = TLSConfiguration.makeClientConfiguration()
        if spec.insecure { tls.certificateVerification = .none }
        if let ca = spec.caFile {
            guard FileManager.default.isReadableFile(atPath: ca) else {
                return outcome(nil, .invalidRequest("ca_file \(ca) cannot be read"), nil)
            }
            tls.additionalTrustRoots = [.file(ca)]
        }
        var config = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: spec.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow,
            timeout: .init(connect: .nanoseconds(Int64(spec.connectTimeout * 1e9)), read: .nanoseconds(Int64(spec.totalTimeout * 1e9))))
        // gzip/deflate bodies (`content-encoding`) are decoded, bounded: a small compressed body
        // may stand for gigabytes, so decompression stops at the body cap like any other body.
        config.decompression = .enabled(limit: .size(max(1, spec.maxBody)))
        // One attempt: the pool would otherwise retry a refused connection until the connect
        // timeout, and the on-call engineer would wait 5 s to learn that nothing is listening.
        config.connectionPool.retryConnectionEstablishment = false
        // A fresh client per probe: each probe pays its own connect, so timings compare.
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: config)
        defer { Task.detached { try? await client.shutdown() } }

        var headers = HTTPHeaders()
        for h in request.headers { headers.add(name: h.name, value: h.value) }
        if !headers.contains(name: "User-Agent") { headers.add(name: "User-Agent", value: "errscope-probe/1") }
        let body: HTTPClient.Body? = request.body.map { .bytes($0) }
        let req: HTTPClient.Request
        do {
            req = try HTTPClient.Request(url: request.url, method: HTTPMethod(rawValue: spec.method), headers: headers, body: body)
        } catch {
            return outcome(nil, .invalidRequest("cannot send to \(request.displayURL): \(error)"), nil)
        }
        let delegate = TimingDelegate(cap: spec.maxBody)
        let task = client.execute(request: req, delegate: delegate, deadline: .now() + .nanoseconds(Int64(spec.totalTimeout * 1e9)))
        cancel.onCancel { task.cancel() }
        do {
            let r = try await task.futureResult.get()
            return outcome(r, nil, delegate)
        } catch {
            if var partial = delegate.partial {
                if delegate.capReached { return outcome(partial, nil, delegate) }
                // A marked-compressed body that is empty (HEAD, 204, 304, `Content-Length: 0`): the
                // decompressor calls it truncated; it is a complete, empty answer.
                if error is NIOHTTPDecompression.ExtraDecompressionError, partial.bodyBytes == 0 {
                    return outcome(partial, nil, delegate)
                }
                if let e = error as? NIOHTTPDecompression.ExtraDecompressionError {
                    let enc = partial.header("content-encoding") ?? "compressed"
                    return outcome(partial, .other("the body is marked content-encoding \(enc) but does not decompress (\(e)); what was decoded is shown"), delegate)
                }
                if let e = error as? NIOHTTPDecompression.DecompressionError {
                    // Inflated past the cap: what was decoded is kept, marked cut.
                    if e == .limit {
                        partial.truncated = true
                        return outcome(partial, nil, delegate)
                    }
                    let enc = partial.header("content-encoding") ?? "compressed"
                    return outcome(partial, .other("the body is marked content-encoding \(enc) but does not decompress (corrupt data); what was decoded is shown"), delegate)
                }
                // Headers arrived, then the connection broke or timed out: keep what came.
                let failure = classify(error, spec: spec, url: req.url, cancelled: cancel.isCancelled, afterHead: true, received: partial.bodyBytes,
                                       expected: partial.header("content-length").flatMap(Int.init))
                return outcome(partial, failure, delegate)
            }
            var failure = classify(error, spec: spec, url: req.url, cancelled: cancel.isCancelled, afterHead: false, received: 0, expected: nil)
            if case .tls(let problem) = failure, problem.wantsDiagnosis, let host = req.url.host {
                let port = req.url.port ?? 443
                if let better = await TLSDiagnosis.diagnose(host: host, port: port, group: group, timeout: spec.connectTimeout, original: error) {
                    failure = .tls(better)
                }
            }
            return outcome(nil, failure, delegate)
        }
    }

    func classify(_ error: any Error, spec: ProbeSpec, url: URL, cancelled: Bool, afterHead: Bool, received: Int, expected: Int?) -> ProbeFailure {
        if cancelled { return .cancelled }
        let host = url.host ?? "?"
        let hostPort = "\(host):\(url.port ?? (url.scheme == "https" ? 443 : 80))"
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .tlsHandshakeTimeout: return .connectTimeout(seconds: spec.connectTimeout)
            case .readTimeout, .deadlineExceeded, .writeTimeout: return .totalTimeout(seconds: spec.totalTimeout)
            case .remoteConnectionClosed:
                return afterHead ? .closedMidBody(received: received, expected: expected) : .other("the server closed the connection without answering")
            case .cancelled: return .cancelled
            case .redirectCycleDetected: return .redirectLoop("a redirect points back to a URL already visited")
            case .redirectLimitReached: return .redirectLoop("more than 10 redirects")
            default: break
            }
        }
        if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname {
            return .tls(.wrongHost(host: host, names: []))
        }
        if let e = error as? NIOSSLError {
            switch e {
            case .handshakeFailed(let inner): return .tls(.handshake(Self.describe(inner)))
            case .uncleanShutdown: return afterHead ? .closedMidBody(received: received, expected: expected) : .other("the server closed the TLS connection uncleanly")
            default: return .tls(.handshake(String(describing: e)))
            }
        }
        // The body ended early (a FIN or an unclean TLS close after the head): NIO reports it as
        // an EOF in the middle of a message. A dropped connection, not malformed HTTP.
        if afterHead, let e = error as? HTTPParserError, e == .invalidEOFState {
            return .closedMidBody(received: received, expected: expected)
        }
        if let e = error as? HTTPParserError, let what = Self.malformed(e) {
            // Not a dropped connection: the server sent something that is not HTTP.
            return .other("the response is not valid HTTP: \(what)" + (afterHead ? " (after \(received) bytes of the body, shown)" : ""))
        }
        if afterHead, error is HTTPParserError || error is NIOConnectionError || error is IOError {
            return .closedMidBody(received: received, expected: expected)
        }
        let text = String(describing: error)
        let lower = text.lowercased()
        if lower.contains("connection refused") || lower.contains("econnrefused") { return .refused(host: hostPort) }
        if lower.contains("could not resolve") || lower.contains("name or service not known") || lower.contains("nodename nor servname")
            || lower.contains("unknownhost") || lower.contains("dnsfailure") || error is SocketAddressError
        {
            return .unresolvable(host: host)
        }
        if let e = error as? NIOConnectionError {
            if let first = e.connectionErrors.first?.error { return .other("cannot connect to \(hostPort): \(first)") }
            if e.dnsAAAAError != nil || e.dnsAError != nil { return .unresolvable(host: host) }
            return .other("cannot connect to \(hostPort)")
        }
        if afterHead { return .closedMidBody(received: received, expected: expected) }
        return .other(text.count > 300 ? String(text.prefix(300)) + "…" : text)
    }

    /// What a parser error means, for the ones a misbehaving server causes.
    static func malformed(_ e: HTTPParserError) -> String? {
        switch e {
        case .invalidChunkSize: return "invalid chunked transfer encoding (a chunk size is not a hex number)"
        case .invalidEOFState: return "the body ended in the middle of a chunk or before its announced length"
        case .trailingGarbage: return "data after the end of the response"
        case .invalidContentLength: return "an invalid Content-Length header"
        case .unexpectedContentLength: return "a Content-Length where none is allowed"
        case .invalidStatus: return "an invalid status line"
        case .invalidVersion: return "an invalid HTTP version"
        case .invalidHeaderToken, .invalidCharactersUsed, .lfExpected, .invalidConstant, .strictModeAssertion: return "malformed framing or head (\(e))"
        case .headerOverflow: return "a response head too large"
        default: return nil
        }
    }

    static func describe(_ e: BoringSSLError) -> String {
        let t = String(describing: e)
        if t.contains("CERTIFICATE_VERIFY_FAILED") { return "the certificate did not verify" }
        if t.contains("WRONG_VERSION_NUMBER") { return "the server does not speak TLS on this port (try http://)" }
        return t.count > 300 ? String(t.prefix(300)) + "…" : t
    }
}

/// Lets a probe be cancelled from another thread (the TUI's Esc).
// @unchecked Sendable: `cancelled` and `handler` are only touched under `lock`.
public final class ProbeCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var handler: (@Sendable () -> Void)?
    public init() {}
    public var isCancelled: Bool { lock.withLock { cancelled } }
    public func cancel() {
        let h: (@Sendable () -> Void)? = lock.withLock {
            cancelled = true
            return handler
        }
        h?()
    }
    func onCancel(_ h: @escaping @Sendable () -> Void) {
        let already: Bool = lock.withLock {
            handler = h
            return cancelled
        }
        if already { h() }
    }
}

/// Collects the response with timestamps; stops reading at the body cap.
// @unchecked Sendable: every mutable field is only touched under `lock` (async-http-client calls it from its event loop).
final class TimingDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = ProbeResponse
    struct CapReached: Error {}

    let cap: Int
    private let lock = NSLock()
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var received = 0
    private var _connectAt: UInt64?
    private var _headAt: UInt64?
    private var _lastByteAt: UInt64?
    private var _capReached = false
    /// (offset, monotonic ns) per body part, at most `maxArrivals`.
    private var _arrivals: [(Int, UInt64)] = []
    static let maxArrivals = 4096

    init(cap: Int) { self.cap = max(0, cap) }

    var arrivals: [(Int, UInt64)] { lock.withLock { _arrivals } }

    var connectAt: UInt64? { lock.withLock { _connectAt } }
    var headAt: UInt64? { lock.withLock { _headAt } }
    var lastByteAt: UInt64? { lock.withLock { _lastByteAt } }
    var capReached: Bool { lock.withLock { _capReached } }

    /// What arrived so far, when the head did.
    var partial: ProbeResponse? {
        lock.withLock {
            head.map { h in
                ProbeResponse(status: Int(h.status.code), reason: h.status.reasonPhrase, version: "\(h.version)",
                              headers: h.headers.map { ($0.name, $0.value) }, body: body, bodyBytes: received, truncated: _capReached)
            }
        }
    }

    func didSendRequestHead(task: HTTPClient.Task<ProbeResponse>, _ head: HTTPRequestHead) {
        let now = ProbeClient.monotonicNanos()
        lock.withLock { if _connectAt == nil { _connectAt = now } }
    }

    func didReceiveHead(task: HTTPClient.Task<ProbeResponse>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let now = ProbeClient.monotonicNanos()
        lock.withLock {
            // After a followed redirect, the final response replaces the earlier one.
            self.head = head
            body.removeAll(keepingCapacity: true)
            _arrivals.removeAll()
            received = 0
            _headAt = _headAt ?? now
            _lastByteAt = now
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<ProbeResponse>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let now = ProbeClient.monotonicNanos()
        let stop: Bool = lock.withLock {
            if _arrivals.count < Self.maxArrivals { _arrivals.append((received, now)) }
            received += buffer.readableBytes
            _lastByteAt = now
            let room = cap - body.count
            if room > 0 { body += buffer.readableBytesView.prefix(room) }
            if received > cap { _capReached = true; return true }
            return false
        }
        // Past the cap: stop reading (the connection is dropped) so memory stays bounded.
        return stop ? task.eventLoop.makeFailedFuture(CapReached()) : task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<ProbeResponse>) throws -> ProbeResponse {
        let now = ProbeClient.monotonicNanos()
        lock.withLock { _lastByteAt = now }
        guard let p = partial else { throw HTTPClientError.remoteConnectionClosed }
        return p
    }
}

extension TLSProblem {
    /// A bare handshake failure or a host mismatch without the certificate's names: worth a look
    /// at the certificate.
    var wantsDiagnosis: Bool {
        switch self {
        case .handshake(let d): return d.contains("did not verify")
        case .wrongHost(_, let names): return names.isEmpty
        default: return false
        }
    }
}
