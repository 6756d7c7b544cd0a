import Foundation
import Testing

private let bundledSystems = ["anthropic", "azure-openai", "bedrock", "bodhi", "cohere", "deepseek", "devsphere", "fireworks", "gemini", "groq",
                              "http", "jan-server", "litellm", "llama-cpp", "mistral", "ollama", "openai", "openrouter", "scaigrid", "tgi",
                              "together", "vertex-ai", "vllm", "worldflow-synapse", "xai"]

/// A user catalog that defines a new system and its own envelope (detect, fields, template).
private let zetaCatalog = """
    errscope: 1
    system:
      id: zeta
      name: Zeta Cloud
      summary: A test system with its own wire shape.
      default_envelope: zeta
      emits:
        - envelope: zeta
          paths: ["/zeta/*"]
          carries_code: true
    domains:
      - {id: quota, title: Quotas}
    codes:
      - code: ZETA_QUOTA_BURNT
        domain: quota
        http: 429
        meaning: "The Zeta quota for this key is burnt."
        retry: "yes"
        retry_reason: "Quota refills every minute."
        example: "quota burnt for key k_1"
    envelopes:
      - id: zeta
        name: Zeta envelope
        summary: '{"fault":{"id","text"},"trace"}'
        detect:
          require:
            - {path: fault, is: object}
            - {path: fault.id, is: string}
          prefer:
            - {path: trace, is: string}
        fields:
          code: [fault.id]
          message: [fault.text]
          request_id: [trace]
        template:
          fault:
            id: "${code}"
            text: "${message}"
          trace: "${request_id}"

    """

@Suite("catalog and envelopes") struct CatalogCommandTests {
    @Test func listShowsEveryBundledSystem() throws {
        let r = CLI.run(["catalog", "list"])
        #expect(r.exitCode == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("SYSTEM") == true)
        for s in bundledSystems {
            #expect(lines.contains { $0.hasPrefix(s + " ") && $0.contains("catalog/\(s).yaml") }, "missing \(s)")
        }
        let c = CLI.bundledCounts
        #expect(lines.last?.contains(", \(c.systems) systems, \(c.envelopes) envelopes") == true)
        #expect(lines.contains { $0.hasPrefix("bodhi ") && $0.contains("bodhi-native,openai,anthropic,gemini") })
        #expect(lines.contains { $0.hasPrefix("http ") && $0.contains("(translations only)") })

        let json = try CLI.run(["catalog", "list", "--json"]).array()
        #expect(json.compactMap { $0.string("id") }.sorted() == bundledSystems)
        let bodhi = try #require(json.first { $0.string("id") == "bodhi" })
        #expect(bodhi.strings("envelopes") == ["bodhi-native", "openai", "anthropic", "gemini"])
        #expect((bodhi.int("codes") ?? 0) >= 40)
        let total = json.compactMap { $0.int("codes") }.reduce(0, +)
        #expect(lines.last?.hasPrefix("\(total) codes") == true)
    }

    @Test func lintReportsAYAMLSyntaxErrorWithItsPosition() throws {
        let dir = try TempDir()
        let file = try dir.write("broken.yaml", """
            errscope: 1
            system:
              id: broken
              name: Broken
            codes:
              - code: BROKEN_ONE
                domain: d
               http: 400

            """)
        let r = CLI.run(["catalog", "lint", dir.path])
        #expect(r.exitCode == 1)
        let line = try #require(r.stdout.split(separator: "\n").first.map(String.init))
        #expect(line.hasPrefix("\(file):8:4: error: invalid YAML"), "got: \(line)")
        #expect(r.stderr.contains("1 error, 0 warnings"))

        let json = try CLI.run(["catalog", "lint", file, "--json"]).array()
        #expect(json.count == 1)
        #expect(json.first?.string("file") == file)
        #expect(json.first?.int("line") == 8)
        #expect(json.first?.int("column") == 4)
        #expect(json.first?.string("severity") == "error")
    }

    @Test func lintReportsAnUnterminatedQuote() throws {
        let dir = try TempDir()
        let file = try dir.write("quote.yaml", "errscope: 1\nsystem:\n  id: q\n  name: \"Unclosed\ncodes: []\n")
        let r = CLI.run(["catalog", "lint", file])
        #expect(r.exitCode == 1)
        let first = try #require(r.stdout.split(separator: "\n").first.map(String.init))
        // file:line:col: error: ...
        let parts = first.split(separator: ":", maxSplits: 4).map(String.init)
        #expect(parts.count == 5)
        #expect(parts[0] == file)
        #expect(Int(parts[1]) != nil && Int(parts[2]) != nil)
        #expect(parts[3] == " error")
    }

    @Test func lintReportsACodeWithoutMeaning() throws {
        let dir = try TempDir()
        let file = try dir.write("acme.yaml", """
            errscope: 1
            system:
              id: acme
              name: Acme
            codes:
              - code: ACME_OK
                domain: core
                http: 400
                meaning: "Fine."
                retry: "no"
              - code: ACME_BAD
                domain: core
                http: 404
                retry: "no"

            """)
        let r = CLI.run(["catalog", "lint", dir.path])
        #expect(r.exitCode == 1)
        #expect(r.stdout.contains("\(file):11:5: error: code `ACME_BAD` has no `meaning`"))
        #expect(!r.stdout.contains("ACME_OK"))
    }

    @Test func lintOfACleanFileExitsZero() throws {
        let dir = try TempDir()
        try dir.write("zeta.yaml", zetaCatalog)
        let r = CLI.run(["catalog", "lint", dir.path])
        #expect(r.exitCode == 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("0 errors, 0 warnings"))
    }

    @Test func userFileExtendsBodhi() throws {
        let dir = try TempDir()
        try dir.write("bodhi-extra.yaml", """
            errscope: 1
            system:
              id: bodhi
            codes:
              - code: widget_error-widget_missing
                http: 404
                meaning: "The widget is gone."
                retry: "no"
                retry_reason: "It will not come back."

            """)
        #expect(CLI.run(["catalog", "lint", dir.path]).exitCode == 0)

        let r = CLI.run(["lookup", "widget_error-widget_missing", "--catalog", dir.path, "--json"])
        #expect(r.exitCode == 0)
        let hit = try #require(try r.array().first)
        #expect(hit.string("system") == "bodhi")
        #expect(hit.string("domain") == "widget_error")  // derived from the convention
        #expect(hit.int("http") == 404)
        #expect(hit.string("meaning") == "The widget is gone.")

        // Not there without --catalog.
        #expect(CLI.run(["lookup", "widget_error-widget_missing"]).exitCode == 1)

        // The bundled Bodhi codes are still there, and decode knows the new one in Bodhi's envelopes.
        #expect(CLI.run(["lookup", "data_service_error-alias_not_found", "--catalog", dir.path]).exitCode == 0)
        let (v, exit) = try CLI.decodeJSON(#"{"error":{"message":"gone","type":"not_found_error","code":"widget_error-widget_missing"}}"#,
                                           ["--status", "404", "--catalog", dir.path])
        #expect(exit == 0)
        #expect(v.objects("matches")?.first?.string("code") == "widget_error-widget_missing")
        // And it renders in Bodhi's four envelopes.
        let rendered = try CLI.run(["render", "widget_error-widget_missing", "--catalog", dir.path, "--json"]).array()
        #expect(rendered.compactMap { $0.string("envelope") } == ["bodhi-native", "openai", "anthropic", "gemini"])
    }

    @Test func userFileWithNewSystemAndEnvelopeWorksEndToEnd() throws {
        let dir = try TempDir()
        let file = try dir.write("zeta.yaml", zetaCatalog)

        let list = CLI.run(["catalog", "list", "--catalog", file])
        #expect(list.stdout.split(separator: "\n").contains { $0.hasPrefix("zeta ") && $0.contains(file) })
        #expect(list.stdout.contains("\(CLI.bundledCounts.systems + 1) systems, \(CLI.bundledCounts.envelopes + 1) envelopes"))

        let envs = try CLI.run(["envelopes", "--json", "--catalog", file]).array()
        let zeta = try #require(envs.first { $0.string("id") == "zeta" })
        #expect(zeta.strings("emitted_by") == ["zeta"])
        #expect(zeta.string("file") == file)

        // Decode a body of that shape: the new envelope, the new code.
        let body = #"{"fault":{"id":"ZETA_QUOTA_BURNT","text":"quota burnt for key k_9"},"trace":"tr-9f2"}"#
        let (v, exit) = try CLI.decodeJSON(body, ["--status", "429", "--catalog", file])
        #expect(exit == 0)
        #expect(v.string("envelope") == "zeta")
        #expect(v.string("code") == "ZETA_QUOTA_BURNT")
        #expect(v.string("message") == "quota burnt for key k_9")
        #expect(v.string("request_id") == "tr-9f2")
        #expect(v.bool("known") == true)
        #expect(v.objects("matches")?.first?.string("system") == "zeta")
        #expect(v.object("retry")?.bool("retryable") == true)
        // Without the user file the shape is unknown.
        let (without, exitWithout) = try CLI.decodeJSON(body, ["--status", "429"])
        #expect(without.string("envelope") == "none")
        #expect(exitWithout == 1)

        // Render: the native envelope from the template, then translations.
        let rendered = try CLI.run(["render", "ZETA_QUOTA_BURNT", "--catalog", file, "--json"]).array()
        let native = try #require(rendered.first)
        #expect(native.string("envelope") == "zeta")
        #expect(native.string("kind") == "emitted")
        #expect(native.int("http") == 429)
        #expect(native.object("body")?.object("fault")?.string("id") == "ZETA_QUOTA_BURNT")
        #expect(native.object("body")?.object("fault")?.string("text") == "quota burnt for key k_1")
        #expect(native.object("body")?.string("trace")?.hasPrefix("req_") == true)
        #expect(rendered.dropFirst().allSatisfy { $0.string("kind") == "translation" })
        #expect(rendered.first { $0.string("envelope") == "gemini" }?.object("body")?.object("error")?.string("status") == "RESOURCE_EXHAUSTED")

        let human = CLI.run(["render", "ZETA_QUOTA_BURNT", "--catalog", file])
        #expect(human.stdout.contains("── Zeta envelope [zeta] · HTTP 429"))
        #expect(human.stdout.contains(#""id": "ZETA_QUOTA_BURNT""#))
    }

    @Test func exportMarkdownHasATableRowPerCode() {
        let r = CLI.run(["catalog", "export", "--system", "bodhi"])
        #expect(r.exitCode == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "# Bodhi App (`bodhi`)")
        #expect(lines.contains("| `data_service_error-alias_not_found` | 404 | no | No model alias exists under the requested name. |"))
        #expect(lines.contains("| `inference_error-*` | 500 | sometimes | The llama.cpp backend process failed or answered with a non-2xx status. |"))
        #expect(lines.contains("## data_service_error — Model aliases"))
        #expect(lines.contains("| Envelope | Paths | Carries code |"))
        #expect(lines.contains { $0.hasPrefix("| anthropic | `/anthropic/v1/messages`") && $0.hasSuffix("| no |") })
        // Only Bodhi.
        #expect(!r.stdout.contains("RESOURCE_EXHAUSTED"))

        let all = CLI.run(["catalog", "export"])
        for s in bundledSystems { #expect(all.stdout.contains("(`\(s)`)"), "missing \(s)") }
    }

    @Test func exportJSON() throws {
        let r = CLI.run(["catalog", "export", "--format", "json", "--system", "scaigrid"])
        #expect(r.exitCode == 0)
        let systems = try r.array()
        #expect(systems.count == 1)
        let s = try #require(systems.first)
        #expect(s.string("id") == "scaigrid")
        let codes = try #require(s.objects("codes"))
        let model = try #require(codes.first { $0.string("code") == "MODEL_NOT_FOUND" })
        #expect(model.int("http") == 404)
        #expect(model.string("domain") == "models_backends")
        #expect(s.objects("envelopes")?.first?.string("envelope") == "scaigrid")

        let unknown = CLI.run(["catalog", "export", "--system", "nosuch"])
        #expect(unknown.exitCode == 64)
        #expect(unknown.stderr.contains("unknown system `nosuch`"))
    }

    @Test func envelopesListsEveryWireShape() throws {
        let r = CLI.run(["envelopes", "--json"])
        #expect(r.exitCode == 0)
        let list = try r.array()
        let ids = list.compactMap { $0.string("id") }
        #expect(Array(ids.prefix(9)) == ["bodhi-native", "openai", "anthropic", "gemini", "worldflow", "scaigrid", "jan-server", "devsphere", "problem-json"])
        #expect(ids.last == "none")
        #expect(ids.contains("bedrock") && ids.contains("llama-cpp") && ids.contains("openrouter"))
        let by = Dictionary(list.map { ($0.string("id") ?? "?", $0) }, uniquingKeysWith: { a, _ in a })
        let anthropicSenders = Set(by["anthropic"]?.strings("emitted_by") ?? [])
        let openAISenders = Set(by["openai"]?.strings("emitted_by") ?? [])
        #expect(anthropicSenders.isSuperset(of: ["anthropic", "bodhi", "vertex-ai"]))
        #expect(openAISenders.isSuperset(of: ["openai", "bodhi", "groq", "deepseek"]))
        #expect(by["worldflow"]?.strings("emitted_by") == ["worldflow-synapse"])
        #expect(by["problem-json"]?.strings("emitted_by") == [])
        #expect(by["none"]?.isNull("file") == true)
        #expect(by["gemini"]?.string("name") == "Gemini / google.rpc.Status")

        let human = CLI.run(["envelopes"])
        #expect(human.stdout.contains("bodhi-native  —  Bodhi-native"))
        #expect(human.stdout.contains("  systems anthropic, bodhi, ollama, vertex-ai"))
        #expect(human.stdout.contains("none  —  no known envelope"))
    }

    static func hostileCatalog(in dir: TempDir) throws -> String {
        let hostile = zetaCatalog
            .replacingOccurrences(of: "name: Zeta envelope", with: #"name: "Zeta \e]0;pwned\a envelope""#)
            .replacingOccurrences(of: #"paths: ["/zeta/*"]"#, with: #"paths: ["/zeta/\e[31m*"]"#)
        return try dir.write("zeta.yaml", hostile)
    }

    /// Catalog text is untrusted too ("Everything printed from a catalog or a body goes through
    /// TerminalText first"): a user envelope's name or path must not drive the terminal.
    @Test(arguments: [["catalog", "list"], ["lookup", "ZETA_QUOTA_BURNT"], ["decode"]])
    func catalogTextIsSanitizedInHumanOutput(args: [String]) throws {
        let dir = try TempDir()
        let file = try Self.hostileCatalog(in: dir)
        let r = CLI.run(args + ["--catalog", file], stdin: #"{"fault":{"id":"ZETA_QUOTA_BURNT","text":"t"}}"#)
        #expect(r.exitCode == 0)
        #expect(!containsTerminalControl(r.stdout))
        #expect(!containsTerminalControl(r.stderr))
    }

    @Test(
          arguments: [["render", "ZETA_QUOTA_BURNT"], ["envelopes"]])
    func catalogEnvelopeNameIsSanitizedInRenderAndEnvelopes(args: [String]) throws {
        let dir = try TempDir()
        let file = try Self.hostileCatalog(in: dir)
        let r = CLI.run(args + ["--catalog", file])
        #expect(r.exitCode == 0)
        #expect(!containsTerminalControl(r.stdout), "raw escape sequence in `errscope \(args.joined(separator: " "))`")
    }
}
