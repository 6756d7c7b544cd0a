import ErrscopeProbe
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// After a certificate failure, looks at the certificate the server presents (a second handshake
/// that accepts anything and sends nothing) to say why it was refused: expired, not yet valid,
/// self-signed, an unknown issuer, or issued for another host.
enum TLSDiagnosis {
    static func diagnose(host: String, port: Int, group: any EventLoopGroup, timeout: Double, original: any Error) async -> TLSProblem? {
        let chain = await peerChain(host: host, port: port, group: group, timeout: timeout)
        guard let leaf = chain?.first else { return nil }
        return classify(chain: chain!, leaf: leaf, host: host, now: Date())
    }

    static func classify(chain: [NIOSSLCertificate], leaf: NIOSSLCertificate, host: String, now: Date) -> TLSProblem {
        let notAfter = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        let notBefore = Date(timeIntervalSince1970: TimeInterval(leaf.notValidBefore))
        if now > notAfter { return .expired(notAfter: notAfter) }
        if now < notBefore { return .notYetValid(notBefore: notBefore) }
        let names = dnsNames(leaf)
        if !names.isEmpty, !names.contains(where: { matches(pattern: $0, host: host) }) {
            return .wrongHost(host: host, names: names)
        }
        let subject = leaf.subjectName.map(\.value).joined(separator: ", ")
        let issuer = leaf.issuerName.map(\.value).joined(separator: ", ")
        if chain.count == 1 && subject == issuer { return .selfSigned(subject: subject.isEmpty ? nil : subject) }
        return .untrustedIssuer(issuer: issuer.isEmpty ? nil : issuer)
    }

    static func dnsNames(_ cert: NIOSSLCertificate) -> [String] {
        var out: [String] = []
        for san in cert._subjectAlternativeNames() {
            if san.nameType == .dnsName {
                out.append(String(decoding: san.contents, as: UTF8.self))
            } else if san.nameType == .ipAddress {
                let b = Array(san.contents)
                if b.count == 4 { out.append(b.map(String.init).joined(separator: ".")) }
                if b.count == 16 {
                    out.append(stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }.joined(separator: ":"))
                }
            }
        }
        if out.isEmpty, let cn = cert.subjectName.first(where: { $0.type == .commonName })?.value { out.append(cn) }
        return out
    }

    static func matches(pattern: String, host: String) -> Bool {
        let p = pattern.lowercased(), h = host.lowercased()
        if p == h { return true }
        if p.hasPrefix("*."), let dot = h.firstIndex(of: ".") { return h[dot...] == p.dropFirst(1) }
        return false
    }

    /// The certificates the server sends, or nil if no handshake completes within `timeout`.
    static func peerChain(host: String, port: Int, group: any EventLoopGroup, timeout: Double) async -> [NIOSSLCertificate]? {
        let box = ChainBox()
        do {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            let context = try NIOSSLContext(configuration: tls)
            // No SNI for an IP literal (1password.com starts with a digit and still gets one).
            let isIPv4 = host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
            let sni = isIPv4 || host.contains(":") ? nil : host
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(timeout * 1e9)))
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        let handler = try NIOSSLClientHandler(context: context, serverHostname: sni) { certs, promise in
                            box.set(certs)
                            promise.succeed(.certificateVerified)
                        }
                        try ch.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: host, port: port).get()
            // Wait for the verification callback (the handshake) for at most `timeout`.
            let deadline = ProbeClient.monotonicNanos() + UInt64(timeout * 1e9)
            while box.get() == nil && ProbeClient.monotonicNanos() < deadline && channel.isActive {
                try? await Task.sleep(nanoseconds: 5_000_000)
            }
            try? await channel.close()
        } catch {
            return box.get()
        }
        return box.get()
    }

    // @unchecked Sendable: `chain` is only touched under `lock`.
    final class ChainBox: @unchecked Sendable {
        private let lock = NSLock()
        private var chain: [NIOSSLCertificate]?
        func set(_ c: [NIOSSLCertificate]) { lock.withLock { chain = c } }
        func get() -> [NIOSSLCertificate]? { lock.withLock { chain } }
    }
}
