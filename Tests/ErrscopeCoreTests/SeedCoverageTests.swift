import ErrscopeCore
import Foundation
import Testing

/// Every code and HTTP status on the five source pages must be in the catalog, exactly.
/// The pages are parsed independently of the catalog files, so a dropped or mistyped code fails here.
@Suite(.enabled(if: Fixtures.seedsPresent, "needs ../shared/seeds"))
struct SeedCoverageTests {
    let catalog = Fixtures.catalog

    func expectCode(_ code: String, http: Int?, system: String, domain: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        var entries = catalog.rows(code: code).map(catalog.entry).filter { $0.system == system }
        if let d = domain { entries = entries.filter { $0.domain == d } }
        #expect(!entries.isEmpty, "\(system): \(code) is missing", sourceLocation: sourceLocation)
        if let http, !entries.isEmpty {
            #expect(entries.contains { $0.http.statuses.contains(http) }, "\(system): \(code) should be HTTP \(http), is \(entries.map(\.http))", sourceLocation: sourceLocation)
        }
    }

    @Test func bodhiEveryTableRow() throws {
        let page = try Fixtures.seed("000_")
        var count = 0
        for line in page.split(separator: "\n") {
            // "code[, -reason]* [, etc.] NNN rest"
            guard let m = line.firstMatch(of: #/^([a-z_]+-[a-z_*]+)((?:, -[a-z_]+)*)(, etc\.)? (\d{3}) /#) else { continue }
            let first = String(m.1)
            let domain = String(first.split(separator: "-")[0])
            let http = Int(m.4)!
            var codes = [first]
            for extra in m.2.split(separator: ",") {
                let reason = extra.trimmingCharacters(in: .whitespaces).dropFirst()
                codes.append("\(domain)-\(reason)")
            }
            if m.3 != nil { codes.append("\(domain)-*") }
            for c in codes { expectCode(c, http: http, system: "bodhi"); count += 1 }
        }
        #expect(count >= 45)
    }

    @Test func bodhiMappingTable() throws {
        let page = try Fixtures.seed("000_")
        let bodhi = try #require(catalog.system("bodhi"))
        var rows = 0
        for line in page.split(separator: "\n") {
            guard let m = line.firstMatch(of: #/^(\d{3}) ([a-z_]+) ([a-z_]+)(?: \(sanitized\))? ([A-Z_]+)/#) else { continue }
            rows += 1
            let http = Int(m.1)!
            func documented(_ env: String, _ field: String) -> String? {
                let em = bodhi.emission(for: env)!
                return em.rules.last { r in r.variant != .observed && r.match.http.contains(.status(http)) && r.set[field] != nil }?.set[field]?.stringValue
            }
            #expect(documented("bodhi-native", "type") == String(m.2), "bodhi-native type for \(http)")
            #expect(documented("openai", "type") == String(m.2), "openai type for \(http)")
            #expect(documented("anthropic", "type") == String(m.3), "anthropic type for \(http)")
            #expect(documented("gemini", "status") == String(m.4), "gemini status for \(http)")
        }
        #expect(rows == 8)
        // Paths of the four envelopes, as the page lists them.
        #expect(bodhi.emission(for: "bodhi-native")?.paths == ["/bodhi/v1/*"])
        #expect(bodhi.emission(for: "openai")?.paths == ["/v1/chat/completions", "/v1/embeddings", "/v1/responses", "/v1/models", "/api/*"])
        #expect(bodhi.emission(for: "anthropic")?.paths == ["/anthropic/v1/messages", "/v1/messages", "/anthropic/v1/models"])
        #expect(bodhi.emission(for: "gemini")?.paths == ["/v1beta/*"])
    }

    @Test func synapseTypesAndFineGrainedCodes() throws {
        let page = try Fixtures.seed("001_")
        var types = 0
        for line in page.split(separator: "\n") {
            guard let m = line.firstMatch(of: #/^([a-z_]+) \| (\d{3}) \| (Yes|No) \|/#) else { continue }
            types += 1
            expectCode(String(m.1), http: Int(m.2), system: "worldflow-synapse")
            let e = catalog.rows(code: String(m.1)).map(catalog.entry).first { $0.system == "worldflow-synapse" }
            #expect(e?.retry == (m.3 == "Yes" ? .yes : .no), "\(m.1) retry")
        }
        #expect(types == 13)
        for line in page.split(separator: "\n") {
            guard let m = line.firstMatch(of: #/^([A-Z][A-Z_]+) \| /#) else { continue }
            expectCode(String(m.1), http: nil, system: "worldflow-synapse")
        }
    }

    @Test func scaigridEveryCode() throws {
        let page = try Fixtures.seed("002_")
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var count = 0
        for (i, line) in lines.enumerated() {
            guard let m = line.firstMatch(of: #/^([A-Z][A-Z0-9_]+) \|$/#), i + 1 < lines.count,
                let h = lines[i + 1].firstMatch(of: #/^(\d{3}) \|/#) else { continue }
            expectCode(String(m.1), http: Int(h.1), system: "scaigrid")
            count += 1
        }
        #expect(count == 63)
        // Module-specific codes: listed without a status, so the catalog must say unknown.
        for line in lines where line.hasPrefix("- Scai") {
            for m in line.matches(of: #/\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/#) {
                let code = String(m.1)
                guard code != "MODULE_NAME" else { continue }
                let e = catalog.rows(code: code).map(catalog.entry).first { $0.system == "scaigrid" }
                #expect(e != nil, "scaigrid module code \(code) missing")
                #expect(e?.http == .unknown, "scaigrid \(code) must have http unknown")
            }
        }
        let retry: [(String, Retryability)] = [
            ("AUTH_TOKEN_INVALID", .no), ("AUTH_TOKEN_MISSING", .no), ("AUTHZ_PERMISSION_DENIED", .no), ("VALIDATION_ERROR", .no),
            ("MODEL_NOT_FOUND", .no), ("MODEL_ACCESS_DENIED", .no), ("UPSTREAM_SHAPE_MISMATCH", .no), ("BUDGET_EXCEEDED", .no),
            ("QUOTA_EXCEEDED", .no), ("MODEL_UNAVAILABLE", .sometimes), ("BACKEND_RATE_LIMITED", .yes), ("BACKEND_TIMEOUT", .yes),
            ("RATE_LIMITED", .yes), ("BACKEND_ERROR", .once),
        ]
        for (code, cls) in retry {
            #expect(catalog.resolve(code: code, system: "scaigrid").first?.retry == cls, "\(code) retry class")
        }
    }

    @Test func devsphereCodes() throws {
        let page = try Fixtures.seed("003_")
        var count = 0
        for line in page.split(separator: "\n") {
            guard let m = line.firstMatch(of: #/^\| ([a-z_ \/]+) \| (\d{3})(?:\/(\d{3}))? \|/#) else { continue }
            for code in m.1.split(separator: "/").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                expectCode(code, http: Int(m.2), system: "devsphere")
                if let alt = m.3 { expectCode(code, http: Int(alt), system: "devsphere") }
                count += 1
            }
        }
        #expect(count == 16)
    }

    @Test func janServerCodes() throws {
        let page = try Fixtures.seed("004_")
        var domain = "status"
        var count = 0
        let domains = ["LLM API": "llm_api", "Response API": "response_api", "Media API": "media_api", "MCP Tools": "mcp_tools"]
        var lastStatus: Int?
        for line in page.split(separator: "\n") {
            if line.hasPrefix("### "), let d = domains[String(line.dropFirst(4))] { domain = d }
            if let s = line.firstMatch(of: #/^### (\d{3}) /#) { lastStatus = Int(s.1) }
            if let m = line.firstMatch(of: #/^\| ([A-Z_]+) \| (\d{3}) \|/#) {
                expectCode(String(m.1), http: Int(m.2), system: "jan-server", domain: domain)
                count += 1
            }
            if domain == "status", let m = line.firstMatch(of: #/"code": "([A-Z_]+)"/#), let s = lastStatus, s >= 400 {
                expectCode(String(m.1), http: s, system: "jan-server", domain: "status")
                count += 1
            }
        }
        #expect(count >= 28)
        expectCode("INVALID_FORMAT", http: nil, system: "jan-server")
        expectCode("OUT_OF_RANGE", http: nil, system: "jan-server")
        let jan = try #require(catalog.system("jan-server"))
        for h in ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"] {
            #expect(jan.headers.contains { $0.name == h }, "jan-server header \(h)")
        }
    }

    @Test func referenceSystemsBundled() {
        for id in ["openai", "anthropic", "gemini", "http"] { #expect(catalog.system(id) != nil) }
        for (code, http) in [("billing_error", 402), ("request_too_large", 413), ("timeout_error", 504), ("overloaded_error", 529)] {
            expectCode(code, http: http, system: "anthropic")
        }
        for d in ["ErrorInfo", "RetryInfo", "QuotaFailure", "BadRequest", "Help"] { expectCode(d, http: nil, system: "gemini") }
        expectCode("RESOURCE_EXHAUSTED", http: 429, system: "gemini")
        expectCode("404", http: 404, system: "http")
    }
}
