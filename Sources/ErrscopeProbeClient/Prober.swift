import ErrscopeCore
import ErrscopeProbe
import Foundation
import Synchronization

/// A probe from spec to verdict: resolve secrets, send, decode with the catalog.
public final class Prober: Sendable {
    public let client: ProbeClient
    /// One decoder, one probe at a time: it reuses its parse tape (not thread-safe), and the
    /// TUI runs probes concurrently. Decoding takes a fraction of a millisecond.
    private let decoder: Mutex<ErrorDecoder>
    public let resolver: SecretResolver

    public init(catalog: Catalog, resolver: SecretResolver = SecretResolver(), client: ProbeClient = ProbeClient()) {
        self.client = client
        decoder = Mutex(ErrorDecoder(catalog: catalog))
        self.resolver = resolver
    }

    public func run(_ spec: ProbeSpec, cancel: ProbeCancellation = ProbeCancellation()) async -> ProbeOutcome {
        let resolved: ResolvedProbe
        do {
            resolved = try spec.resolve(with: resolver, isCancelled: { cancel.isCancelled })
        } catch {
            // Nothing was sent: the spec as written (templates, not values) is safe to show.
            let unsent = ResolvedProbe(spec: spec, url: spec.url, headers: spec.headers, body: spec.body.map { Array($0.utf8) },
                                       redactor: Redactor(secrets: resolver.secrets))
            return ProbeOutcome(request: unsent, startedAt: Date(), response: nil,
                                failure: cancel.isCancelled ? .cancelled : .invalidRequest(String(describing: error)), timings: ProbeTimings(totalMs: 0))
        }
        var outcome = await client.send(resolved, cancel: cancel)
        decoder.withLock { outcome.decode(with: $0) }
        return outcome
    }
}
