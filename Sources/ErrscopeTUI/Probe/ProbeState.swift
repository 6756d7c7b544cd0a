import ErrscopeCore
import ErrscopeProbe
import Foundation

/// Sends probes for the TUI; implemented outside the pure core (the CLI wires the HTTP client
/// and the journal). `completion` may be called on any thread.
public protocol ProbeService: Sendable {
    func start(_ spec: ProbeSpec, id: Int, completion: @escaping @Sendable (ProbeOutcome) -> Void)
    func cancel(id: Int)
    /// Keeps what the incident pane counted (the journal, beside the probes); `time` is now.
    func record(incident: [IncidentTally], source: String, time: Date)
    /// The newest probes in the journal, newest first.
    func history(limit: Int) -> [ProbeHistoryItem]
}

extension ProbeService {
    public func record(incident: [IncidentTally], source: String, time: Date) {}
    public func history(limit: Int) -> [ProbeHistoryItem] { [] }
}

/// A finished probe, compared by identity (outcomes hold bodies; events must be Equatable).
// @unchecked Sendable: `id` and `outcome` are immutable; `cache` is only touched under `cacheLock`.
public final class ProbeResult: @unchecked Sendable, Equatable {
    public let id: Int
    public let outcome: ProbeOutcome
    let cacheLock = NSLock()
    var cache: (theme: String, lines: [[(String, Style)]])?
    public init(id: Int, outcome: ProbeOutcome) { self.id = id; self.outcome = outcome }
    public static func == (a: ProbeResult, b: ProbeResult) -> Bool { a === b }
}

/// A line editor for one field: the text and a cursor (in characters).
/// The rows of the request form, top to bottom.
public enum ProbeRow: Hashable, Sendable {
    case endpoint, request, method, url, header(Int), addHeader, body, send, verdict
}

/// What `$EDITOR` is editing.
public enum EditTarget: String, Sendable, Equatable { case body, headers }

public struct TimelineEntry: Sendable, Equatable {
    public var at: Date
    public var status: Int?
    public var failure: String?
    public var code: String?
    public var totalMs: Double
}

/// The probe pane: the endpoints, the request being edited, the probe in flight, the last result,
/// the watch timeline. Time arrives as `.tick` events, so all of it stays testable.
public struct ProbeState: Sendable {
    public var config: EndpointsConfig
    /// Index into `config.endpoints`; nil: an ad-hoc URL.
    public var endpointIndex: Int?
    /// Index into the endpoint's requests; nil: the endpoint's bare URL.
    public var requestIndex: Int?
    public var draft: ProbeSpec
    public var row: ProbeRow = .endpoint
    public var inFlight: (id: Int, startedAt: UInt64?)?
    public var nextID = 1
    public var result: ProbeResult?
    /// The request as it was last sent: when the form differs, the answer shown is stale.
    public var sentDraft: ProbeSpec?
    public var resultIsStale: Bool { result != nil && sentDraft != nil && sentDraft != draft }
    /// The journal's probes, as last loaded (`H`, `D`).
    public var history: [ProbeHistoryItem] = []
    /// `D`: this answer beside one from the history.
    public var diff: ProbeDiff?
    public var now: UInt64 = 0
    /// Seconds between probes; nil: watch off.
    public var watchInterval: Double?
    public var nextWatchAt: UInt64?
    public var timeline: [TimelineEntry] = []
    public var responseScroll = 0
    /// Whether this session has a service to send with.
    public var available = true

    public static let timelineCap = 500
    public static let defaultWatchInterval = 5.0
    public static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    public init(config: EndpointsConfig = EndpointsConfig()) {
        self.config = config
        draft = ProbeSpec(url: "http://127.0.0.1:8089/")
        if !config.endpoints.isEmpty { select(endpoint: 0, request: config.endpoints[0].requests.isEmpty ? nil : 0) }
    }

    public var endpoint: Endpoint? { endpointIndex.flatMap { config.endpoints.indices.contains($0) ? config.endpoints[$0] : nil } }

    /// Loads an endpoint and request into the draft (discarding edits).
    public mutating func select(endpoint e: Int?, request r: Int?) {
        endpointIndex = e
        requestIndex = r
        guard let ep = endpoint else {
            leaveEndpoint()
            return
        }
        let req = r.flatMap { ep.requests.indices.contains($0) ? ep.requests[$0] : nil }
        draft = ProbeSpec(endpoint: ep, request: req)
    }

    /// The draft stops belonging to an endpoint (an ad-hoc URL): its credentials stay behind, so an
    /// endpoint's token is never sent to another host. Returns the names of the headers dropped.
    @discardableResult
    public mutating func leaveEndpoint() -> [String] {
        // Credentials by name, and any header whose value is a secret template.
        func credential(_ h: (name: String, value: String)) -> Bool { Redactor.isSensitiveHeader(h.name) || SecretResolver.hasTemplate(h.value) }
        let dropped = draft.headers.filter(credential).map(\.name)
        draft.headers.removeAll(where: credential)
        draft.label = nil
        draft.baseURL = nil
        draft.system = nil
        return dropped
    }

    /// Same scheme, host and port: `https://api.example.com.evil.test/` or
    /// `https://api.example.com@evil.test/` is not the endpoint `https://api.example.com`.
    public static func sameOrigin(_ a: String, _ b: String) -> Bool {
        guard let x = URLComponents(string: a), let y = URLComponents(string: b) else { return false }
        func port(_ c: URLComponents) -> Int? { c.port ?? (c.scheme?.lowercased() == "https" ? 443 : c.scheme?.lowercased() == "http" ? 80 : nil) }
        return x.scheme?.lowercased() == y.scheme?.lowercased() && x.host?.lowercased() == y.host?.lowercased() && port(x) == port(y)
            && x.user == nil && x.password == nil
    }

    public var rows: [ProbeRow] {
        var out: [ProbeRow] = [.endpoint, .request, .method, .url]
        out += draft.headers.indices.map { .header($0) }
        out += [.addHeader, .body, .send]
        if verdictEntryRow != nil { out.append(.verdict) }
        return out
    }

    /// The catalog row the last verdict matched.
    public var verdictEntryRow: Int? { result?.outcome.verdict?.bestMatch?.entry.row }

    public var wantsTicks: Bool { wakeup(lastTick: 0) != nil }

    /// When the runner should next send `.tick`, given the last one: 10 a second while a probe is
    /// in flight (its elapsed time shows), 4 a second during a `Retry-After` countdown, and
    /// exactly when the next watch probe is due. Nil: nothing on screen moves, sleep until input.
    public func wakeup(lastTick: UInt64) -> UInt64? {
        var due: UInt64?
        func consider(_ t: UInt64) { due = min(due ?? t, t) }
        if inFlight != nil { consider(lastTick + 100_000_000) }
        if retryCountdown != nil { consider(lastTick + 250_000_000) }
        if watchInterval != nil, let next = nextWatchAt { consider(next) }
        return due
    }

    /// Seconds left before the server's retry delay ends (nil: none, or already over).
    public var retryCountdown: Double? {
        guard let o = result?.outcome, let after = o.verdict?.retry.afterSeconds, o.verdict?.retry.retryable == true, o.lastByteAt > 0 else { return nil }
        let elapsed = now > o.lastByteAt ? Double(now - o.lastByteAt) / 1e9 : 0
        let left = after - elapsed
        return left > 0 ? left : nil
    }

    public var elapsedInFlight: Double? {
        guard let f = inFlight else { return nil }
        guard let s = f.startedAt, now > s else { return 0 }
        return Double(now - s) / 1e9
    }

    /// A header value as the form shows it: a credential written literally is masked; a template
    /// (`${env:TOKEN}`) is shown, it is not the secret.
    public static func displayHeaderValue(_ name: String, _ value: String) -> String {
        if Redactor.isSensitiveHeader(name) && !SecretResolver.hasTemplate(value) { return Redactor().header(name, value) }
        return value
    }
}
