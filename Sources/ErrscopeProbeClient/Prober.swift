import ErrscopeCore
import ErrscopeProbe
import Foundation

/// A probe from spec to verdict: resolve secrets, send, decode with the catalog.
public final class Prober: Sendable {
    public let client: ProbeClient
    public let decoder: ErrorDecoder
    public let resolver: SecretResolver

    public init(catalog: Catalog, resolver: SecretResolver = SecretResolver(), client: ProbeClient = ProbeClient()) {
        self.client = client
        decoder = ErrorDecoder(catalog: catalog)
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
        outcome.decode(with: decoder)
        return outcome
    }
}
