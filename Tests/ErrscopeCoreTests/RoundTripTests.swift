import ErrscopeCore
import Foundation
import Testing

/// Render every bundled code in every envelope it goes out in, then decode the body: the
/// decoder must recover the envelope and find the code (or, for envelopes without a code
/// field, list it among the matches through the mapping rules).
@Suite struct RoundTripTests {
    let catalog = Fixtures.catalog

    func examplePath(_ paths: [String]) -> String? {
        paths.first.map { $0.hasSuffix("*") ? String($0.dropLast()) + "x" : $0 }
    }

    @Test(arguments: MappingVariant.allCases)
    func everyBundledCodeSurvivesRenderAndDecode(variant: MappingVariant) throws {
        let renderer = Renderer(catalog: catalog)
        let decoder = ErrorDecoder(catalog: catalog)
        var checked = 0
        for entry in catalog.entries where entry.http.primary != nil && !Self.notOnTheWire(entry) {
            for r in renderer.render(entry, options: RenderOptions(variant: variant, translations: false)) {
                let body = Array(r.body.compactText.utf8)
                let path = examplePath(r.paths)
                let v = decoder.decode(DecodeInput(body: body, http: r.http, path: path, system: entry.system))
                #expect(v.envelope == r.sentAs, "\(entry.id) in \(r.envelope): decoded as \(v.envelope) from \(r.body.compactText)")
                let covered = v.matches.contains { m in
                    m.entry == entry || (entry.parent != nil && m.entry.code == entry.parent && m.entry.system == entry.system)
                }
                #expect(covered, "\(entry.id) in \(r.envelope): not among \(v.matches.prefix(5).map(\.entry.id))")
                if r.carriesCode {
                    let expected = entry.isWildcard ? String(entry.code.dropLast()) + "example" : entry.code
                    if r.body.compactText.contains(expected) { #expect(v.code == expected, "\(entry.id) code in \(r.envelope)") }
                }
                #expect(v.http == r.http)
                checked += 1
            }
        }
        #expect(checked > 300)
    }

    /// Entries whose identity the wire does not carry in any field the envelope reads, so a
    /// rendered body cannot name them (they are found by message rules instead, which the
    /// capture corpus tests): LiteLLM's exception classes travel only as a message prefix
    /// (`litellm.RateLimitError: ...`); vLLM's API-key middleware and Ollama's cloud answer
    /// 401 with a bare `{"error": "..."}` that DevSphere and Jan Server also send.
    static func notOnTheWire(_ e: CodeEntry) -> Bool {
        (e.system == "litellm" && e.domain == "exceptions")
            || (e.system == "vllm" && e.code == "Unauthorized")
            || (e.system == "ollama" && e.code == "unauthorized")
    }

    @Test func translationsOfSingleEnvelopeSystemsDecode() {
        let renderer = Renderer(catalog: catalog)
        let decoder = ErrorDecoder(catalog: catalog)
        for sys in ["worldflow-synapse", "scaigrid", "jan-server", "devsphere"] {
            for entry in catalog.entries(system: sys) where entry.http.primary != nil {
                let rs = renderer.render(entry)
                let translations = rs.filter { $0.kind == .translation }
                #expect(Set(translations.map(\.envelope)) == Set(["openai", "anthropic", "gemini", "problem-json"]).subtracting(rs.filter { $0.kind == .emitted }.map(\.envelope)))
                for t in translations {
                    let v = decoder.decode(DecodeInput(body: Array(t.body.compactText.utf8), http: t.http))
                    #expect(v.envelope == t.envelope, "\(entry.id) translated to \(t.envelope) decoded as \(v.envelope)")
                }
            }
        }
    }

    @Test func bodhiDocumentedAndObservedDiffer() throws {
        let e = try #require(catalog.resolve(code: "mcp_error-slug_exists", system: "bodhi").first)
        let renderer = Renderer(catalog: catalog)
        let doc = renderer.render(e, options: RenderOptions(variant: .documented))
        let obs = renderer.render(e, options: RenderOptions(variant: .observed))
        let dA = try #require(doc.first { $0.envelope == "anthropic" })
        let oA = try #require(obs.first { $0.envelope == "anthropic" })
        #expect(dA.body["error"]?["type"] == "invalid_request_error")
        #expect(oA.body["error"]?["type"] == "api_error")
        #expect(oA.http == 409)
        #expect(dA.differsByVariant)
        let dG = try #require(doc.first { $0.envelope == "gemini" })
        let oG = try #require(obs.first { $0.envelope == "gemini" })
        #expect(dG.http == 409 && dG.body["error"]?["status"] == "INVALID_ARGUMENT")
        #expect(oG.http == 500 && oG.body["error"]?["status"] == "INTERNAL" && oG.body["error"]?["code"] == 500)
        #expect(oG.body["error"]?["message"] == "internal server error" && oG.sanitized)
        // The code survives only in Bodhi-native and OpenAI.
        #expect(doc.first { $0.envelope == "bodhi-native" }?.body["error"]?["code"] == "mcp_error-slug_exists")
        #expect(doc.first { $0.envelope == "openai" }?.body["error"]?["code"] == "mcp_error-slug_exists")
        #expect(dA.body["error"]?["code"] == nil && dG.body["error"]?["status"] != nil)
    }

    @Test func observedAuthFailuresGoOutBodhiNative() throws {
        let e = try #require(catalog.resolve(code: "token_error-invalid_token", system: "bodhi").first)
        let obs = Renderer(catalog: catalog).render(e, options: RenderOptions(variant: .observed))
        for env in ["anthropic", "gemini"] {
            let r = try #require(obs.first { $0.envelope == env })
            #expect(r.sentAs == "bodhi-native")
            #expect(r.body["error"]?["code"] == "token_error-invalid_token")
        }
    }

    @Test func fiveHundredsAreSanitizedOnlyInAnthropicAndGemini() throws {
        let e = try #require(catalog.resolve(code: "db_error-locked", system: "bodhi").first)
        let rs = Renderer(catalog: catalog).render(e, options: RenderOptions(message: "database is locked"))
        #expect(rs.first { $0.envelope == "bodhi-native" }?.body["error"]?["message"] == "database is locked")
        #expect(rs.first { $0.envelope == "openai" }?.body["error"]?["message"] == "database is locked")
        #expect(rs.first { $0.envelope == "anthropic" }?.body["error"]?["message"] == "internal server error")
        #expect(rs.first { $0.envelope == "gemini" }?.body["error"]?["message"] == "internal server error")
        #expect(rs.first { $0.envelope == "openai" }?.body["error"]?["param"] == .null)
    }
}

@Suite struct CatalogLoaderTests {
    @Test func yamlSyntaxErrorHasALineAndTheRestStillLoads() {
        let c = Fixtures.load(yaml: "errscope: 1\nsystem:\n  id: x\n  name: [unclosed\n")
        let err = c.errors.first
        #expect(err?.file == "test.yaml")
        #expect((err?.line ?? 0) >= 4)
        #expect(c.system("bodhi") != nil)
    }

    @Test func badEntriesAreReportedWithLinesAndSkipped() {
        let yaml = """
            errscope: 1
            system: {id: acme, name: Acme}
            codes:
              - {code: A_OK, domain: d, http: 404, meaning: fine, retry: "no"}
              - {code: NO_MEANING, domain: d, http: 400, retry: "no"}
              - {code: BAD_HTTP, domain: d, http: 999, meaning: m, retry: "no"}
              - {code: BAD_RETRY, domain: d, http: 400, meaning: m, retry: maybe}
              - {code: A_OK, domain: d, http: 404, meaning: dup, retry: "no"}
              - {code: "MID*DLE", domain: d, http: 400, meaning: m, retry: "no"}
            """
        let c = Fixtures.load(yaml: yaml)
        let mine = c.diagnostics.filter { $0.file == "test.yaml" }
        #expect(mine.contains { $0.line == 5 && $0.message.contains("no `meaning`") })
        #expect(mine.contains { $0.line == 6 && $0.message.contains("999") })
        #expect(mine.contains { $0.line == 7 && $0.message.contains("`retry`") })
        #expect(mine.contains { $0.line == 8 && $0.message.contains("duplicate") && $0.severity == .warning })
        #expect(mine.contains { $0.line == 9 && $0.message.contains("wildcard") })
        #expect(c.entries(system: "acme").map(\.code) == ["A_OK", "A_OK"])
    }

    @Test func yesAndNoStayStrings() {
        let c = Fixtures.load(yaml: "errscope: 1\nsystem: {id: acme, name: Acme}\ncodes:\n  - {code: NO, domain: d, http: 400, meaning: m, retry: no}\n")
        let e = c.entries(system: "acme").first
        #expect(e?.code == "NO")
        #expect(e?.retry == Retryability.no)
    }

    @Test func extendingABundledSystemAndDerivingDomains() {
        let yaml = """
            errscope: 1
            system: {id: bodhi}
            codes:
              - {code: quota_error-exhausted, http: 429, meaning: out of quota}
            """
        let c = Fixtures.load(yaml: yaml)
        let e = c.resolve(code: "quota_error-exhausted").first
        #expect(e?.system == "bodhi")
        #expect(e?.domain == "quota_error")
        #expect(e?.retry == Retryability.no)  // from bodhi's 4xx retry rule
        #expect(e?.retryIsDerived == true)
        // 429 is not in Bodhi's mapping tables: lint says so.
        #expect(c.diagnostics.contains { $0.message.contains("incomplete mapping") && $0.message.contains("429") })
    }

    @Test func jsonCatalogErrorsHaveLines() {
        var loader = CatalogLoader()
        loader.loadJSON(Array("{\n\"errscope\": 1,\n\"system\": {\"id\": \"j\", \"name\": \"J\"},\n\"codes\": [\n {\"code\": \"X\", \"domain\": \"d\", \"http\": \"nope\", \"meaning\": \"m\"}\n]}".utf8), file: "j.json")
        let c = loader.finish()
        #expect(c.errors.contains { $0.line == 5 && $0.message.contains("http") })
        var broken = CatalogLoader()
        broken.loadJSON(Array("{\"errscope\": 1, \"codes\": [".utf8), file: "b.json")
        #expect(broken.finish().errors.first?.message.contains("invalid JSON") == true)
    }

    @Test func bundledCatalogsAreClean() {
        #expect(Fixtures.catalog.diagnostics.isEmpty, "\(Fixtures.catalog.diagnostics.prefix(5))")
        let seeds: Set = ["bodhi", "devsphere", "jan-server", "scaigrid", "worldflow-synapse", "openai", "anthropic", "gemini", "http"]
        let providers: Set = ["bedrock", "azure-openai", "vertex-ai", "mistral", "cohere", "groq", "together", "fireworks", "deepseek",
                              "xai", "openrouter", "ollama", "vllm", "tgi", "llama-cpp", "litellm"]
        #expect(Set(Fixtures.catalog.systems.map(\.id)) == seeds.union(providers))
        #expect(Set(Fixtures.catalog.envelopes.map(\.id)).isSuperset(of: ["bodhi-native", "openai", "anthropic", "gemini", "worldflow", "scaigrid", "jan-server", "devsphere", "problem-json"]))
        // Every code has a category of its own (not one derived from its status).
        let derived = Fixtures.catalog.entries.filter(\.categoryIsDerived).map(\.id)
        #expect(derived.isEmpty, "\(derived.prefix(10))")
        #expect(Set(Fixtures.catalog.traffic.categories.map(\.id)) == Set(ErrorCategory.allCases))
    }
}

/// JSON catalogs: most entries go through a fast reader that writes straight into the columns;
/// anything unusual goes through the general loader. Both must give what YAML gives.
@Suite struct JSONCatalogTests {
    static let header = #"{"errscope": 1, "system": {"id": "acme", "name": "Acme", "sources": [{"id": "acme-docs", "title": "Docs"}], "convention": {"domain_separator": "-"}},"#

    /// The same entries as YAML and as pretty-printed JSON.
    static let entries: [(yaml: String, json: String)] = [
        (#"{code: auth-token_missing, domain: auth, http: 401, meaning: "No token.", when: w, cause: c, fix: f, retry: "no", retry_reason: r, type: authentication_error, grpc: UNAUTHENTICATED, example: "e \"quoted\""}"#,
         #"{"code": "auth-token_missing", "domain": "auth", "http": 401, "meaning": "No token.", "when": "w", "cause": "c", "fix": "f", "retry": "no", "retry_reason": "r", "type": "authentication_error", "grpc": "UNAUTHENTICATED", "example": "e \"quoted\""}"#),
        (#"{code: "infer-*", http: unknown, meaning: "Anything from inference: caf\u00e9 \u2014 \U0001F525", retry: "Sometimes"}"#,
         #"{"code": "infer-*", "http": "Unknown", "meaning": "Anything from inference: caf\u00e9 \u2014 \ud83d\udd25", "retry": "Sometimes"}"#),
        (#"{code: multi-status, domain: d, http: [403, 409], meaning: m, retry: once, aliases: [MULTI], source: acme-docs}"#,
         #"{"code": "multi-status", "domain": "d", "http": [403, 409], "meaning": "m", "retry": "once", "aliases": ["MULTI"], "source": "acme-docs"}"#),
        (#"{code: "42", domain: d, http: "418", meaning: m, retry: true}"#,
         #"{"code": 42, "domain": "d", "http": "418", "meaning": "m", "retry": true}"#),
        (#"{code: rate-limited, http: 429, meaning: "tab\there", retry: "yes", notes: [{kind: observed, text: seen}]}"#,
         #"{"code": "rate-limited", "http": 429, "meaning": "tab\there", "retry": "yes", "notes": [{"kind": "observed", "text": "seen"}]}"#),
    ]

    static func load(json: String) -> Catalog {
        var loader = CatalogLoader()
        loader.loadJSON(Array(json.utf8), file: "acme.json")
        return loader.finish()
    }

    static func describe(_ e: CodeEntry) -> String {
        [e.system, e.domain, e.code, e.http.description, e.meaning, e.when ?? "-", e.cause ?? "-", e.fix ?? "-",
         e.retry?.rawValue ?? "-", String(e.retryIsDerived), e.retryReason ?? "-", e.source ?? "-", e.type ?? "-",
         e.grpc ?? "-", e.example ?? "-", String(e.isWildcard), e.aliases.joined(separator: ","),
         e.notes.map { "\($0.kind.rawValue):\($0.text)" }.joined(separator: ",")].joined(separator: " | ")
    }

    @Test func sameEntriesAsYAML() {
        let yaml = "errscope: 1\nsystem: {id: acme, name: Acme, sources: [{id: acme-docs, title: Docs}], convention: {domain_separator: \"-\"}}\ncodes:\n"
            + Self.entries.map { "  - " + $0.yaml }.joined(separator: "\n") + "\n"
        let json = Self.header + "\n\"codes\": [\n" + Self.entries.map { "  " + $0.json }.joined(separator: ",\n") + "\n]}\n"
        let fromYAML = Fixtures.load(yaml: yaml, withBundled: false)
        let fromJSON = Self.load(json: json)
        #expect(fromYAML.diagnostics.isEmpty, "\(fromYAML.diagnostics)")
        #expect(fromJSON.diagnostics.isEmpty, "\(fromJSON.diagnostics)")
        #expect(fromJSON.entries.map(Self.describe) == fromYAML.entries.map(Self.describe))
        #expect(fromJSON.entries.count == Self.entries.count)
        // Each JSON entry keeps its own line (the header is line 1, `"codes": [` line 2).
        #expect(fromJSON.entries.map { $0.location.line } == Array(3..<(3 + Self.entries.count)))
        #expect(fromJSON.entries.allSatisfy { $0.location.column == 3 && $0.location.file == "acme.json" })
        #expect(fromJSON.resolve(code: "infer-anything").first?.code == "infer-*")
        #expect(fromJSON.rows(code: "RATE-LIMITED", caseInsensitive: true).count == 1)
    }

    @Test func problemsInJSONEntriesHaveTheirLines() {
        let json = Self.header + """

            "codes": [
              {"code": "a-ok", "http": 404, "meaning": "m", "retry": "no"},
              {"code": "a-no_meaning", "http": 400, "retry": "no"},
              {"code": "a-bad_http", "http": 99, "meaning": "m", "retry": "no"},
              {"code": "a-bad_retry", "http": 400, "meaning": "m", "retry": "maybe"},
              {"code": "a-ok", "http": 404, "meaning": "dup", "retry": "no"},
              {"code": "a-mid*dle", "http": 400, "meaning": "m", "retry": "no"},
              {"code": "a-no_retry", "http": 400, "meaning": "m"},
              {"code": "a-extra", "http": 400, "meaning": "m", "retry": "no", "colour": "red"}
            ]}
            """
        let c = Self.load(json: json)
        #expect(c.diagnostics.contains { $0.line == 4 && $0.message.contains("no `meaning`") })
        #expect(c.diagnostics.contains { $0.line == 5 && $0.message.contains("99") })
        #expect(c.diagnostics.contains { $0.line == 6 && $0.message.contains("`retry`") })
        #expect(c.diagnostics.contains { $0.line == 7 && $0.column == 3 && $0.message.contains("duplicate") && $0.message.contains("acme.json:3)") })
        #expect(c.diagnostics.contains { $0.line == 8 && $0.message.contains("wildcard") })
        #expect(c.diagnostics.contains { $0.line == 9 && $0.message.contains("no `retry`") })
        #expect(c.diagnostics.contains { $0.line == 10 && $0.severity == .warning && $0.message.contains("colour") })
        #expect(c.entries.map(\.code) == ["a-ok", "a-ok", "a-no_retry", "a-extra"])
    }

    @Test func aBrokenFileKeepsWhatCameBeforeInItsOwnSystem() {
        let c = Self.load(json: Self.header + #""codes": [{"code": "a-one", "http": 400, "meaning": "m", "retry": "no"}, {"code": "a-two", "#)
        #expect(c.errors.contains { $0.message.contains("invalid JSON") })
        #expect(c.entries.map { "\($0.system)/\($0.code)" } == ["acme/a-one"])
        // Without a system before the break, the codes cannot be placed: none is kept.
        let headless = Self.load(json: #"{"codes": [{"code": "a-one", "http": 400, "meaning": "m", "retry": "no"}, {"#)
        #expect(headless.entries.isEmpty)
        #expect(headless.errors.contains { $0.message.contains("need a `system`") })
    }

    /// A file many times the size of the window the reader gives back as it goes (1 MiB), read
    /// from disk as the CLI does.
    @Test func aLargeFileFromDisk() throws {
        let n = 36_000
        var json = Self.header + "\"codes\": [\n"
        for k in 0..<n {
            json += #"{"code": "bulk-code_\#(k)", "http": \#(400 + k % 100), "meaning": "Generated code \#(k) for a test of the reader that writes straight into the store.", "when": "Always, row \#(k).", "fix": "Nothing to fix; this is \"test data\" used to check long files.", "retry": "no", "retry_reason": "Test data."}"#
            json += k == n - 1 ? "\n" : ",\n"
        }
        json += "]}\n"
        #expect(json.utf8.count > 9 << 20)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-big-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var loader = CatalogLoader()
        loader.load(path: path)
        let c = loader.finish()
        #expect(c.diagnostics.isEmpty, "\(c.diagnostics.prefix(3))")
        #expect(c.codeCount == n)
        let last = try #require(c.resolve(code: "bulk-code_\(n - 1)").first)
        #expect(last.http == .status(400 + (n - 1) % 100))
        #expect(last.meaning.hasPrefix("Generated code \(n - 1) "))
        #expect(last.location.line == n + 1)
        #expect(c.resolve(code: "bulk-code_0").first?.source == "acme-docs")
        // Detail texts of a large file stay on disk and are read when asked for, escapes and all.
        #expect(last.when == "Always, row \(n - 1).")
        #expect(last.fix == "Nothing to fix; this is \"test data\" used to check long files.")
        #expect(last.retryReason == "Test data.")
        // If the file changes under a loaded catalog, those texts say so instead of showing bytes
        // from elsewhere (or crashing).
        try (json + " ").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(last.when?.contains("changed after errscope loaded it") == true)
        #expect(last.meaning.hasPrefix("Generated code \(n - 1) "))
    }
}
