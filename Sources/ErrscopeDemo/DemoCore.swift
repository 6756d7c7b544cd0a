import ErrscopeCore
import Foundation

/// A profile whose trigger codes are resolved to catalog entries.
struct ResolvedProfile: Sendable {
    var profile: SystemProfile
    var system: SystemInfo
    var entries: [Trigger: CodeEntry]
}

/// Everything the responder needs, checked once against the catalog.
final class DemoCore: Sendable {
    let catalog: Catalog
    let renderer: Renderer
    let profiles: [String: ResolvedProfile]
    let limiter: RateLimiter

    init(catalog: Catalog, requestsPerSecond: Int, window: TimeInterval = 1) throws {
        self.catalog = catalog
        self.renderer = Renderer(catalog: catalog)
        self.limiter = RateLimiter(limit: max(1, requestsPerSecond), window: max(0.001, window))
        var missingSystems: [String] = []
        var missingCodes: [String] = []
        var profiles: [String: ResolvedProfile] = [:]
        for p in SystemProfile.table {
            guard let sys = catalog.system(p.id) else {
                missingSystems.append(p.id)
                continue
            }
            var entries: [Trigger: CodeEntry] = [:]
            for trigger in Trigger.allCases {
                guard let tc = p.codes[trigger] else { continue }
                if let e = Self.exactEntry(catalog, system: tc.system ?? p.id, domain: tc.domain, code: tc.code) {
                    entries[trigger] = e
                } else {
                    missingCodes.append("\(p.id) \(trigger.rawValue): \(tc.label)")
                }
            }
            profiles[p.id] = ResolvedProfile(profile: p, system: sys, entries: entries)
        }
        if !missingSystems.isEmpty { throw DemoServerError.missingSystems(missingSystems) }
        if !missingCodes.isEmpty { throw DemoServerError.missingCodes(missingCodes) }
        self.profiles = profiles
    }

    /// The entry whose code string is exactly `code` (a wildcard only when written as one).
    static func exactEntry(_ catalog: Catalog, system: String, domain: String?, code: String) -> CodeEntry? {
        catalog.rows(code: code).map(catalog.entry).first { $0.system == system && (domain == nil || $0.domain == domain) }
    }

    /// What `x-errscope-force` names: `CODE`, `system:CODE` or `system/domain/CODE` (an entry id).
    /// A concrete code under a wildcard entry resolves to the wildcard, and is returned as `concrete`.
    func forcedEntry(_ spec: String, defaultSystem: String) -> (entry: CodeEntry, concrete: String)? {
        let text = spec.trimmingCharacters(in: .whitespaces)
        var system = defaultSystem
        var domain: String?
        var code = text
        let slash = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        if slash.count == 3, catalog.system(String(slash[0])) != nil {
            system = String(slash[0]); domain = String(slash[1]); code = String(slash[2])
        } else if let colon = text.firstIndex(of: ":"), catalog.system(String(text[..<colon])) != nil {
            system = String(text[..<colon]); code = String(text[text.index(after: colon)...])
        }
        guard !code.isEmpty else { return nil }
        if let e = Self.exactEntry(catalog, system: system, domain: domain, code: code) { return (e, code) }
        let covering = catalog.resolve(code: code, system: system).filter { domain == nil || $0.domain == domain }
        return covering.first.map { ($0, code) }
    }

    /// The index `GET /` serves: every route, and what each system does on each trigger.
    func routeIndex() -> String {
        var out = """
            errscope demo server: the five seed systems, answering from the catalog.

            Token: Authorization: Bearer \(DemoServer.token), or x-api-key: \(DemoServer.token)
                   (x-goog-api-key or ?key= on Gemini-style paths). No token or a wrong one gives the
                   system's auth errors.
            Models: \(DemoServer.models.joined(separator: ", ")); any other model is unknown.
            Rate limit: more than \(limiter.limit) requests with a valid token within one second -> 429.
            Request headers:
              x-errscope-force: CODE | system:CODE | system/domain/CODE   render that catalog code
              x-demo-burst: 1                                             answer 429 at once
              x-errscope-variant: observed                                the observed mapping (default documented)

            """
        for id in DemoServer.systems {
            guard let rp = profiles[id] else { continue }
            out += "\n\(id) (\(rp.system.name))\n"
            for em in rp.system.emits {
                for p in em.paths {
                    out += "  " + "/\(id)\(p)".rightPad(36) + " \(em.envelope)\n"
                }
            }
            for trigger in Trigger.allCases {
                let what = rp.entries[trigger].map { "\($0.system == id ? "" : "\($0.system):")\($0.code)" } ?? "(none: not documented)"
                out += "  " + "\(trigger.rawValue):".rightPad(20) + " \(what)\n"
            }
        }
        out += "\nreal providers (bodies and streams as their servers send them)\n"
        out += "  x-demo-scenario: NAME picks an error; with \"stream\": true and stream-fail, x-demo-fail-after: N events first\n"
        for e in ProviderEmulation.table {
            let scenarios = ProviderEmulation.Scenario.allCases.filter { $0 == .streamFail ? e.stream != nil : e.answers[$0] != nil }.map(\.rawValue)
            out += "  " + "/\(e.id)\(e.mainPath)".rightPad(36) + " \(e.name): \(e.note)\n"
            out += "  " + "".rightPad(36) + " scenarios: \(scenarios.joined(separator: ", "))\n"
        }
        out += """

            misbehaving routes
              GET /misbehave/slow?seconds=N       sleeps N seconds (default 10, max 120), then 200 JSON
              GET /misbehave/huge?mb=N            N MiB (default 64) of a JSON error body that never closes
              GET /misbehave/escapes              OpenAI-style error whose message holds terminal escapes (?raw=1: unescaped bytes)
              GET /misbehave/invalid-utf8         JSON error body with invalid UTF-8 in the message
              GET /misbehave/html-502             an nginx HTML 502 page
              GET /misbehave/reset                Content-Length 100000, ~1000 bytes, then a connection reset
              GET /misbehave/redirect-loop        302 to itself

            """
        return out
    }
}

/// Per-system sliding-window request counter.
final class RateLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    private let hits = Locked<[String: [TimeInterval]]>([:])

    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Counts a request for `key`; false when it is over the limit within the window.
    func admit(_ key: String, now: TimeInterval = ProcessInfo.processInfo.systemUptime) -> Bool {
        hits.withLock { h in
            var recent = (h[key] ?? []).filter { now - $0 < window }
            recent.append(now)
            h[key] = recent
            return recent.count <= limit
        }
    }
}
