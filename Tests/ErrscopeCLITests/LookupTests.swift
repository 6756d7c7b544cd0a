import Foundation
import Testing

@Suite("lookup") struct LookupTests {
    @Test func bodhiCodeShowsACard() {
        let r = CLI.run(["lookup", "data_service_error-alias_not_found"])
        #expect(r.exitCode == 0)
        #expect(r.stderr.isEmpty)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "data_service_error-alias_not_found  [bodhi / data_service_error]")
        #expect(lines.contains("  http     404 Not Found"))
        #expect(lines.contains { $0.hasPrefix("  meaning  No model alias exists") })
        #expect(lines.contains { $0.hasPrefix("  retry    no — ") })
        #expect(lines.contains("  source   bodhi-error-codes"))
    }

    @Test func jsonObjectsCarryTheDocumentedKeys() throws {
        let r = CLI.run(["lookup", "data_service_error-alias_not_found", "--json"])
        #expect(r.exitCode == 0)
        let hits = try r.array()
        #expect(hits.count == 1)
        let hit = try #require(hits.first)
        for key in ["system", "domain", "code", "http", "retryable"] {
            #expect(hit[key] != nil, "missing key \(key)")
        }
        #expect(hit.string("system") == "bodhi")
        #expect(hit.string("domain") == "data_service_error")
        #expect(hit.string("code") == "data_service_error-alias_not_found")
        #expect(hit.int("http") == 404)
        #expect(hit.string("retryable") == "no")
        #expect(hit.string("match") == "code")
    }

    @Test func httpStatusFindsCodesAcrossSystems() throws {
        let r = CLI.run(["lookup", "429", "--json"])
        #expect(r.exitCode == 0)
        let hits = try r.array()
        let pairs = Set(hits.map { "\($0.string("system") ?? "?")/\($0.string("code") ?? "?")" })
        for expected in ["http/429", "anthropic/rate_limit_error", "openai/rate_limit_error", "gemini/RESOURCE_EXHAUSTED",
                         "scaigrid/RATE_LIMITED", "worldflow-synapse/rate_limit_error", "jan-server/RATE_LIMIT_EXCEEDED",
                         "devsphere/rate_limited"]
        {
            #expect(pairs.contains(expected), "429 should find \(expected)")
        }
        for hit in hits { #expect(hit.statuses().contains(429), "\(hit.string("code") ?? "?") is not a 429") }
        // No Bodhi code is a 429.
        #expect(!hits.contains { $0.string("system") == "bodhi" })

        // The human form is a table with a footer counting the same systems.
        let human = CLI.run(["lookup", "429"])
        #expect(human.exitCode == 0)
        #expect(human.stdout.hasPrefix("SYSTEM"))
        let systems = Set(hits.compactMap { $0.string("system") })
        #expect(systems.count >= 8)
        #expect(human.stdout.contains("\(hits.count) matches in \(systems.count) systems"))
    }

    @Test func typeFindsAnthropicTypeAndBodhiCodesMappedToIt() throws {
        let r = CLI.run(["lookup", "not_found_error", "--json"])
        #expect(r.exitCode == 0)
        let hits = try r.array()
        let anthropic = try #require(hits.first { $0.string("system") == "anthropic" })
        #expect(anthropic.string("code") == "not_found_error")
        #expect(anthropic.string("match") == "code")
        #expect(anthropic.int("http") == 404)

        let bodhi = hits.filter { $0.string("system") == "bodhi" }
        let codes = Set(bodhi.compactMap { $0.string("code") })
        #expect(codes.contains("data_service_error-alias_not_found"))
        #expect(codes.contains("mcp_error-mcp_not_found"))
        #expect(codes.contains("access_request_error-not_found"))
        // Every Bodhi hit is a 404 found through the envelope type mapping.
        for hit in bodhi {
            #expect(hit.statuses() == [404])
            #expect(hit.string("match") == "type-mapping")
        }
        // A 409 code (type conflict_error) is not among them.
        #expect(!codes.contains("mcp_error-slug_exists"))
    }

    @Test func grpcStatusFindsGeminiCanonicalCode() throws {
        let r = CLI.run(["lookup", "NOT_FOUND", "--json"])
        #expect(r.exitCode == 0)
        let hits = try r.array()
        let first = try #require(hits.first)
        #expect(first.string("system") == "gemini")
        #expect(first.string("domain") == "canonical")
        #expect(first.string("code") == "NOT_FOUND")
        #expect(first.string("grpc") == "NOT_FOUND")
        #expect(first.int("http") == 404)
        #expect(first.string("match") == "code")
    }

    @Test func wildcardListsTheDomain() throws {
        let r = CLI.run(["lookup", "mcp_error-*", "--json"])
        #expect(r.exitCode == 0)
        let hits = try r.array()
        // The seed lists 13 mcp_error codes.
        #expect(hits.count == 13)
        for hit in hits {
            #expect(hit.string("system") == "bodhi")
            #expect(hit.string("domain") == "mcp_error")
            #expect(hit.string("code")?.hasPrefix("mcp_error-") == true)
        }
        let byCode = Dictionary(hits.map { ($0.string("code") ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byCode["mcp_error-slug_exists"]?.int("http") == 409)
        #expect(byCode["mcp_error-mcp_not_found"]?.int("http") == 404)
        #expect(byCode["mcp_error-oauth_refresh_failed"]?.int("http") == 500)
        #expect(byCode["mcp_server_error-name_required"] == nil)
    }

    @Test func codeCoveredByAWildcardFindsTheWildcard() throws {
        let r = CLI.run(["lookup", "inference_error-llama_crash", "--json"])
        #expect(r.exitCode == 0)
        let hits = try r.array()
        #expect(hits.count == 1)
        let hit = try #require(hits.first)
        #expect(hit.string("system") == "bodhi")
        #expect(hit.string("code") == "inference_error-*")
        #expect(hit.bool("wildcard") == true)
        #expect(hit.string("match") == "wildcard")
        #expect(hit.int("http") == 500)
        #expect(hit.string("retryable") == "sometimes")

        let human = CLI.run(["lookup", "inference_error-llama_crash"])
        #expect(human.exitCode == 0)
        #expect(human.stdout.hasPrefix("inference_error-*  (wildcard)  [bodhi / inference_error]  matched by wildcard"))
    }

    @Test func prefixAliasAndCaseInsensitiveQueries() throws {
        // A prefix without `*` is a wildcard too.
        let prefix = try CLI.run(["lookup", "mcp_error-", "--json"]).array()
        let star = try CLI.run(["lookup", "mcp_error-*", "--json"]).array()
        #expect(prefix.compactMap { $0.string("code") } == star.compactMap { $0.string("code") })

        // An alias: the fully-qualified detail type name.
        let alias = try CLI.run(["lookup", "type.googleapis.com/google.rpc.RetryInfo", "--json"]).array()
        #expect(alias.count == 1)
        #expect(alias.first?.string("system") == "gemini")
        #expect(alias.first?.string("code") == "RetryInfo")
        #expect(alias.first?.string("match") == "alias")

        // A code under a catalogued wildcard of another naming style.
        let scaibot = try CLI.run(["lookup", "SCAIBOT_PERSONA_LOCKED", "--json"]).array()
        #expect(scaibot.map { "\($0.string("system") ?? "")/\($0.string("code") ?? "")" } == ["scaigrid/SCAIBOT_*"])

        // Case does not matter for an exact code.
        let upper = try CLI.run(["lookup", "MCP_ERROR-MCP_NOT_FOUND", "--json"]).array()
        #expect(upper.count == 1)
        #expect(upper.first?.string("code") == "mcp_error-mcp_not_found")
        #expect(upper.first?.string("match") == "code")
    }

    @Test func cardWrapsToTheWidth() {
        let r = CLI.run(["lookup", "data_service_error-alias_not_found"], width: 60)
        #expect(r.exitCode == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // The rows (not the title) fit in 60 columns, continuing under the value column.
        for line in lines.dropFirst() { #expect(line.count <= 60, "too wide: \(line)") }
        #expect(lines.contains { $0.hasPrefix("           ") })
        let wide = CLI.run(["lookup", "data_service_error-alias_not_found"], width: 200)
        #expect(wide.stdout.split(separator: "\n").count < lines.count)
    }

    @Test func systemFilterKeepsOnlyThatSystem() throws {
        let r = CLI.run(["lookup", "429", "--system", "scaigrid", "--json"])
        #expect(r.exitCode == 0)
        let hits = try r.array()
        #expect(!hits.isEmpty)
        #expect(hits.allSatisfy { $0.string("system") == "scaigrid" })
        let codes = Set(hits.compactMap { $0.string("code") })
        #expect(codes.isSuperset(of: ["RATE_LIMITED", "BACKEND_RATE_LIMITED"]))

        let anthropicOnly = try CLI.run(["lookup", "not_found_error", "-s", "anthropic", "--json"]).array()
        #expect(anthropicOnly.count == 1)
        #expect(anthropicOnly.first?.string("code") == "not_found_error")

        // A code that exists, but not in the system asked for.
        let none = CLI.run(["lookup", "data_service_error-alias_not_found", "--system", "openai"])
        #expect(none.exitCode == 1)
        #expect(none.stderr.contains("no code matches `data_service_error-alias_not_found` in openai"))
    }

    @Test func unknownSystemIsAUsageError() {
        let r = CLI.run(["lookup", "429", "--system", "nosuch"])
        #expect(r.exitCode == 64)
        #expect(r.stderr.contains("unknown system `nosuch`"))
        #expect(r.stderr.contains("bodhi"))
        #expect(r.stdout.isEmpty)
    }

    @Test func unknownQueryExitsOne() throws {
        let r = CLI.run(["lookup", "zzzqqqxx"])
        #expect(r.exitCode == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("errscope: no code matches `zzzqqqxx`"))
        #expect(!r.stderr.contains("did you mean"))

        let json = CLI.run(["lookup", "zzzqqqxx", "--json"])
        #expect(json.exitCode == 1)
        #expect(try json.array().isEmpty)
    }

    @Test func typoGetsADidYouMean() {
        let r = CLI.run(["lookup", "data_service_error-alias_not_fund"])
        #expect(r.exitCode == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("did you mean: data_service_error-alias_not_found (bodhi)"))

        let scai = CLI.run(["lookup", "MODEL_NOT_FOUD"])
        #expect(scai.exitCode == 1)
        let suggestion = scai.stderr.split(separator: "\n").first { $0.hasPrefix("did you mean: ") }
        #expect(suggestion?.contains("MODEL_NOT_FOUND (scaigrid)") == true)
    }

    @Test func sameCodeInTwoDomainsIsTwoIdentities() throws {
        let hits = try CLI.run(["lookup", "TIMEOUT", "--system", "jan-server", "--json"]).array()
        #expect(hits.count == 2)
        #expect(hits.allSatisfy { $0.string("code") == "TIMEOUT" && $0.string("system") == "jan-server" })
        #expect(Set(hits.compactMap { $0.string("domain") }) == ["response_api", "mcp_tools"])
        #expect(hits.allSatisfy { $0.int("http") == 504 })
        // Two entries, not one merged: their meanings differ.
        #expect(Set(hits.compactMap { $0.string("meaning") }).count == 2)

        let human = CLI.run(["lookup", "TIMEOUT", "--system", "jan-server"])
        #expect(human.exitCode == 0)
        #expect(human.stdout.contains("TIMEOUT  [jan-server / response_api]"))
        #expect(human.stdout.contains("TIMEOUT  [jan-server / mcp_tools]"))
    }
}

@Suite("lookup: labels as wide as their column") struct LookupLabelTests {
    @Test func aTenLetterLabelDoesNotRunIntoItsValue() {
        let r = CLI.run(["lookup", "--long", "529", "--system", "http"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("  documented Not a registered status"), "\(r.stdout)")
        #expect(!r.stdout.contains("documente5") && !r.stdout.contains("documenteN"))
        // Every label line keeps its value in one column.
        let labelled = r.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
        let columns = Set(labelled.compactMap { line -> Int? in
            let body = line.dropFirst(2)
            guard let sp = body.firstIndex(of: " ") else { return nil }
            let rest = body[sp...].prefix { $0 == " " }
            return body.distance(from: body.startIndex, to: sp) + rest.count
        })
        #expect(columns.count == 1, "\(columns)")
    }
}
