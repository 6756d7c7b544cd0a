import Foundation
import Testing

/// `render --json`, keyed by envelope column.
private func renderings(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: [String: Any]] {
    let r = CLI.run(["render"] + args + ["--json"])
    #expect(r.exitCode == 0, sourceLocation: sourceLocation)
    let list = try r.array(sourceLocation: sourceLocation)
    return Dictionary(list.map { ($0.string("envelope") ?? "?", $0) }, uniquingKeysWith: { a, _ in a })
}

/// A rendering's body as JSON text.
private func bodyText(_ rendering: [String: Any]?) throws -> String {
    let body = try #require(rendering?["body"])
    return try #require(String(data: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), encoding: .utf8))
}

private func error(_ rendering: [String: Any]?) -> [String: Any]? {
    rendering?.object("body")?.object("error")
}

@Suite("render") struct RenderTests {
    @Test func bodhiCodeInItsFourEnvelopes() throws {
        let r = CLI.run(["render", "data_service_error-alias_not_found", "--json"])
        #expect(r.exitCode == 0)
        let list = try r.array()
        #expect(list.compactMap { $0.string("envelope") } == ["bodhi-native", "openai", "anthropic", "gemini"])
        for item in list {
            #expect(item.int("http") == 404)
            #expect(item.string("kind") == "emitted")
            #expect(item.string("variant") == "documented")
            #expect(item.string("sent_as") == item.string("envelope"))
            #expect(item.bool("sanitized") == false)
        }
        let by = Dictionary(list.map { ($0.string("envelope") ?? "?", $0) }, uniquingKeysWith: { a, _ in a })

        let native = try #require(error(by["bodhi-native"]))
        #expect(native.string("code") == "data_service_error-alias_not_found")
        #expect(native.string("type") == "not_found_error")
        #expect(native.string("message") == "alias 'llama3:instruct' not found")

        let openai = try #require(error(by["openai"]))
        #expect(openai.string("code") == "data_service_error-alias_not_found")
        #expect(openai.keys.contains("param"))  // always present, null when empty
        #expect(openai.isNull("param"))

        // Anthropic and Gemini bodies carry no code.
        let anthropic = try #require(by["anthropic"]?.object("body"))
        #expect(anthropic.string("type") == "error")
        #expect(anthropic.string("request_id")?.hasPrefix("req_") == true)
        #expect(error(by["anthropic"])?.string("type") == "not_found_error")
        #expect(error(by["anthropic"])?.keys.contains("code") == false)
        #expect(by["anthropic"]?.bool("carries_code") == false)
        #expect(!(try bodyText(by["anthropic"])).contains("data_service_error"))

        let gemini = try #require(error(by["gemini"]))
        #expect(gemini.int("code") == 404)  // the HTTP status, not the Bodhi code
        #expect(gemini.string("status") == "NOT_FOUND")
        #expect(by["gemini"]?.bool("carries_code") == false)
        #expect(!(try bodyText(by["gemini"])).contains("data_service_error"))

        // The human form names the four envelopes.
        let human = CLI.run(["render", "data_service_error-alias_not_found"])
        #expect(human.exitCode == 0)
        #expect(human.stdout.hasPrefix("bodhi/data_service_error/data_service_error-alias_not_found · HTTP 404 · documented"))
        for head in ["── Bodhi-native [bodhi-native] · HTTP 404", "── OpenAI-style [openai] · HTTP 404",
                     "── Anthropic-style [anthropic] · HTTP 404 · no code", "── Gemini / google.rpc.Status [gemini] · HTTP 404 · no code"]
        {
            #expect(human.stdout.contains(head), "missing \(head)")
        }
    }

    @Test func fiveHundredIsSanitizedInAnthropicAndGemini() throws {
        let by = try renderings(["db_error-*"])
        #expect(by.count == 4)
        for env in ["anthropic", "gemini"] {
            #expect(by[env]?.int("http") == 500)
            #expect(by[env]?.bool("sanitized") == true)
            #expect(error(by[env])?.string("message") == "internal server error")
        }
        #expect(error(by["anthropic"])?.string("type") == "api_error")
        #expect(error(by["gemini"])?.string("status") == "INTERNAL")
        // Bodhi-native and OpenAI keep the real message and the (example) code.
        for env in ["bodhi-native", "openai"] {
            #expect(by[env]?.bool("sanitized") == false)
            #expect(error(by[env])?.string("message") == "database is locked")
            #expect(error(by[env])?.string("code") == "db_error-example")
        }
        let human = CLI.run(["render", "db_error-*"])
        #expect(human.stdout.contains("── Anthropic-style [anthropic] · HTTP 500 · message sanitized · no code"))
    }

    @Test func slugExistsObserved() throws {
        let by = try renderings(["mcp_error-slug_exists", "--observed"])
        let anthropic = try #require(by["anthropic"])
        #expect(anthropic.string("variant") == "observed")
        #expect(anthropic.int("http") == 409)
        #expect(error(anthropic)?.string("type") == "api_error")
        #expect(anthropic.bool("differs_by_variant") == true)
        #expect((anthropic.strings("notes") ?? []).contains { $0.hasPrefix("observed:") && $0.contains("409") })

        let gemini = try #require(by["gemini"])
        #expect(gemini.int("http") == 500)
        #expect(error(gemini)?.int("code") == 500)
        #expect(error(gemini)?.string("status") == "INTERNAL")
        #expect(error(gemini)?.string("message") == "internal server error")
        #expect(gemini.bool("sanitized") == true)
        #expect(gemini.bool("differs_by_variant") == true)

        // Carriers are unaffected.
        #expect(by["bodhi-native"]?.int("http") == 409)
        #expect(error(by["bodhi-native"])?.string("type") == "conflict_error")
        #expect(error(by["openai"])?.string("code") == "mcp_error-slug_exists")
    }

    @Test func slugExistsDocumented() throws {
        let by = try renderings(["mcp_error-slug_exists"])
        let anthropic = try #require(by["anthropic"])
        #expect(anthropic.string("variant") == "documented")
        #expect(anthropic.int("http") == 409)
        #expect(error(anthropic)?.string("type") == "invalid_request_error")
        let gemini = try #require(by["gemini"])
        #expect(gemini.int("http") == 409)
        #expect(error(gemini)?.int("code") == 409)
        #expect(error(gemini)?.string("status") == "INVALID_ARGUMENT")
        #expect(error(gemini)?.string("message") == "slug 'github' already exists")
        #expect(gemini.bool("sanitized") == false)
        let human = CLI.run(["render", "mcp_error-slug_exists"])
        #expect(human.stdout.contains("── Gemini / google.rpc.Status [gemini] · HTTP 409 · no code · observed differs"))
    }

    @Test func observedAuthFailureIsSentAsBodhiNative() throws {
        let observed = try renderings(["token_error-invalid_token", "--observed"])
        for env in ["anthropic", "gemini"] {
            let r = try #require(observed[env])
            #expect(r.string("sent_as") == "bodhi-native", "\(env)")
            #expect(r.int("http") == 401)
            #expect(r.object("body")?.keys.contains("type") == false, "no Anthropic top-level type in a Bodhi-native body")
            #expect(error(r)?.string("type") == "authentication_error")
            #expect(error(r)?.string("message") == "invalid token: hash check failed")
            #expect((r.strings("notes") ?? []).contains { $0.contains("Bodhi-native envelope") })
        }
        // Documented: the Anthropic envelope itself.
        let documented = try renderings(["token_error-invalid_token"])
        #expect(documented["anthropic"]?.string("sent_as") == "anthropic")
        #expect(documented["anthropic"]?.object("body")?.string("type") == "error")
        #expect(documented["gemini"]?.string("sent_as") == "gemini")
        #expect(error(documented["gemini"])?.string("status") == "UNAUTHENTICATED")

        let human = CLI.run(["render", "token_error-invalid_token", "--observed", "--envelope", "anthropic"])
        #expect(human.stdout.contains("── Anthropic-style [anthropic] · HTTP 401 · sent as bodhi-native"))
    }

    /// A body "in the Bodhi-native envelope" keeps error.code (the seed: Bodhi-native "Yes — error.code"),
    /// and must decode back as Bodhi-native on the path it is sent on.
    @Test func observedAuthFailureBodyIsARealBodhiNativeBody() throws {
        let observed = try renderings(["token_error-invalid_token", "--observed", "--envelope", "anthropic"])
        let r = try #require(observed["anthropic"])
        #expect(error(r)?.string("code") == "token_error-invalid_token")
        let text = try bodyText(r)
        let (v, exit) = try CLI.decodeJSON(text, ["--status", "401", "--path", "/anthropic/v1/messages", "--system", "bodhi"])
        #expect(v.string("envelope") == "bodhi-native")
        #expect(v.string("code") == "token_error-invalid_token")
        #expect(exit == 0)
    }

    @Test(arguments: [("rate_limit_error", "worldflow-synapse", "worldflow", 429), ("MODEL_NOT_FOUND", "scaigrid", "scaigrid", 404)])
    func singleEnvelopeSystemGetsTranslations(code: String, system: String, native: String, http: Int) throws {
        let r = CLI.run(["render", code, "--system", system, "--json"])
        #expect(r.exitCode == 0)
        let list = try r.array()
        #expect(list.first?.string("envelope") == native)
        #expect(list.first?.string("kind") == "emitted")
        let translations = list.dropFirst()
        #expect(translations.compactMap { $0.string("envelope") } == ["openai", "anthropic", "gemini", "problem-json"])
        for t in translations {
            #expect(t.string("kind") == "translation")
            #expect(t.int("http") == http)
            #expect((t.strings("notes") ?? []).contains { $0.hasPrefix("translation: \(system) does not emit") })
        }
        let by = Dictionary(list.map { ($0.string("envelope") ?? "?", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(error(by["openai"])?.string("code") == code)
        #expect(by["anthropic"]?.bool("carries_code") == false)
        #expect(by["problem-json"]?.object("body")?.int("status") == http)

        let human = CLI.run(["render", code, "--system", system])
        #expect(human.stdout.contains("── OpenAI-style [openai] · HTTP \(http) · translation"))
    }

    @Test func worldflowNativeBodyCarriesRetryAfterSecs() throws {
        let by = try renderings(["rate_limit_error", "--system", "worldflow-synapse", "--envelope", "worldflow"])
        #expect(by.count == 1)
        let e = try #require(error(by["worldflow"]))
        #expect(e.string("type") == "rate_limit_error")
        #expect(e.int("retry_after_secs") == 60)
        #expect(e.string("message") == "rate limit exceeded: try again in 60 seconds")
    }

    @Test func envelopeOptionRendersOnlyThatOne() throws {
        let r = CLI.run(["render", "data_service_error-alias_not_found", "--envelope", "anthropic", "--json"])
        #expect(r.exitCode == 0)
        let list = try r.array()
        #expect(list.count == 1)
        #expect(list.first?.string("envelope") == "anthropic")
        // A non-emitted envelope is a translation.
        let pj = try CLI.run(["render", "data_service_error-alias_not_found", "-e", "problem-json", "--json"]).array()
        #expect(pj.count == 1)
        #expect(pj.first?.string("kind") == "translation")
        #expect(pj.first?.object("body")?.string("title") == "Not Found")
        // Unknown envelope, and --envelope with --all, are usage errors.
        let bad = CLI.run(["render", "data_service_error-alias_not_found", "--envelope", "soap"])
        #expect(bad.exitCode == 64)
        #expect(bad.stderr.contains("unknown envelope `soap`"))
        #expect(CLI.run(["render", "data_service_error-alias_not_found", "--envelope", "openai", "--all"]).exitCode == 64)
    }

    @Test func allAddsTranslationsForMultiEnvelopeSystems() throws {
        let list = try CLI.run(["render", "data_service_error-alias_not_found", "--all", "--json"]).array()
        #expect(list.compactMap { $0.string("envelope") } == ["bodhi-native", "openai", "anthropic", "gemini", "problem-json"])
        #expect(list.last?.string("kind") == "translation")
    }

    @Test func messageAndParamsGoIntoTheBody() throws {
        let by = try renderings(["data_service_error-alias_not_found", "--message", "alias 'qwen:7b' is not here", "--param", "var_0=qwen:7b"])
        for env in ["bodhi-native", "openai", "anthropic", "gemini"] {
            #expect(error(by[env])?.string("message") == "alias 'qwen:7b' is not here", "\(env)")
        }
        #expect(error(by["bodhi-native"])?.object("params")?.string("var_0") == "qwen:7b")
        #expect(error(by["openai"])?.string("param") == "var_0=qwen:7b")

        let human = CLI.run(["render", "data_service_error-alias_not_found", "-m", "custom message here", "-e", "openai"])
        #expect(human.stdout.contains(#""message": "custom message here""#))
        // A 5xx message is still replaced in the sanitizing envelopes.
        let db = try renderings(["db_error-*", "--message", "disk full at /var/lib/bodhi"])
        #expect(error(db["anthropic"])?.string("message") == "internal server error")
        #expect(error(db["openai"])?.string("message") == "disk full at /var/lib/bodhi")
    }

    @Test func codeInSeveralPlacesWarnsAndDomainPicks() throws {
        let r = CLI.run(["render", "TIMEOUT", "--system", "jan-server"])
        #expect(r.exitCode == 0)
        #expect(r.stderr.contains("`TIMEOUT` is in 2 places"))
        let picked = CLI.run(["render", "TIMEOUT", "--system", "jan-server", "--domain", "mcp_tools"])
        #expect(picked.exitCode == 0)
        #expect(picked.stderr.isEmpty)
        #expect(picked.stdout.hasPrefix("jan-server/mcp_tools/TIMEOUT · HTTP 504"))
    }

    @Test func unknownCodeExitsOne() {
        let r = CLI.run(["render", "no_such_error-anything"])
        #expect(r.exitCode == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("errscope: no code `no_such_error-anything`"))
        let typo = CLI.run(["render", "data_service_error-alias_not_fund"])
        #expect(typo.exitCode == 1)
        #expect(typo.stderr.contains("did you mean: data_service_error-alias_not_found (bodhi)"))
    }

    /// Every rendered body decodes back to its envelope and code: render is decode's inverse.
    @Test(arguments: ["data_service_error-alias_not_found", "mcp_error-slug_exists", "obj_validation_error-validation_failed"])
    func renderedBodhiBodiesDecodeBack(code: String) throws {
        let list = try CLI.run(["render", code, "--json"]).array()
        for item in list {
            let env = try #require(item.string("envelope"))
            let text = try bodyText(item)
            let path = (item.strings("paths") ?? []).first.map { $0.replacingOccurrences(of: "*", with: "x") } ?? "/"
            let (v, _) = try CLI.decodeJSON(text, ["--status", String(item.int("http") ?? 0), "--path", path, "--system", "bodhi"])
            #expect(v.string("envelope") == env, "\(code) in \(env) decoded as \(v.string("envelope") ?? "?")")
            if item.bool("carries_code") == true {
                #expect(v.string("code") == code, "\(code) in \(env)")
            } else {
                #expect(v.isNull("code"))
                #expect((v.objects("matches") ?? []).contains { $0.string("system") == "bodhi" && $0.string("code") == code },
                        "\(code) in \(env): the mapping should offer the code back")
            }
        }
    }
}
