import Foundation
import Testing

/// The corpus of real captured errors (Tests/Fixtures/captures/<system>.json, each with the
/// public source it was taken from) fed to `errscope decode --json` exactly as a person would
/// paste it. Every expectation a capture states must hold, except the keys it lists under
/// `gaps` (what errscope does not yet get right for it, said in `gap_reason`).
@Suite struct CaptureCorpusTests {
    struct Capture {
        var file: String
        var id: String
        var input: [UInt8]
        var args: [String]
        var expect: [String: Any]
        var gaps: Set<String>
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/captures")

    static func load() throws -> [Capture] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        var out: [Capture] = []
        for f in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(f))
            let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for c in doc["captures"] as? [[String: Any]] ?? [] {
                let id = c["id"] as? String ?? "?"
                #expect(!(c["source"] as? String ?? "").isEmpty, "\(f):\(id) has no source")
                let input: [UInt8]
                if let b64 = c["input_base64"] as? String, let d = Data(base64Encoded: b64) { input = [UInt8](d) }
                else { input = Array((c["input"] as? String ?? "").utf8) }
                out.append(Capture(file: f, id: id, input: input, args: c["args"] as? [String] ?? [],
                                   expect: c["expect"] as? [String: Any] ?? [:], gaps: Set(c["gaps"] as? [String] ?? [])))
            }
        }
        return out
    }

    @Test func corpusIsLargeAndCoversEveryProvider() throws {
        let captures = try Self.load()
        #expect(captures.count >= 200)
        let systems = Set(captures.map { $0.file.replacingOccurrences(of: ".json", with: "") })
        for s in ["bedrock", "azure-openai", "vertex-ai", "mistral", "cohere", "groq", "together", "fireworks", "deepseek", "xai",
                  "openrouter", "ollama", "vllm", "tgi", "llama-cpp", "litellm", "openai", "anthropic", "gemini"] {
            #expect(systems.contains(s), "no captures for \(s)")
        }
    }

    @Test func everyCaptureDecodesAsExpected() throws {
        var checked = 0, keys = 0
        let dir = try TempDir()
        for c in try Self.load() {
            let r: CLI.Run
            if String(validating: c.input, as: UTF8.self) == nil {
                // Binary (an AWS event stream): from a file, byte for byte.
                let path = dir.url.appendingPathComponent(c.id).path
                FileManager.default.createFile(atPath: path, contents: Data(c.input))
                r = CLI.run(["decode", "--json", path] + c.args)
            } else {
                r = CLI.run(["decode", "--json"] + c.args, stdin: String(decoding: c.input, as: UTF8.self))
            }
            guard let v = try? r.object() else {
                Issue.record("\(c.file):\(c.id): decode printed no JSON: \(r.stderr.prefix(200))")
                continue
            }
            let retry = v["retry"] as? [String: Any] ?? [:]
            let stream = v["stream"] as? [String: Any]
            let matchCodes = (v["matches"] as? [[String: Any]] ?? []).prefix(1).compactMap { $0["code"] as? String }
            for (key, want) in c.expect where !c.gaps.contains(key) {
                keys += 1
                let got: Any?
                switch key {
                case "retryable": got = retry["retryable"]
                case "after_seconds": got = retry["after_seconds"]
                case "delay_source": got = retry["delay_source"]
                case "stream_error_index": got = stream?["error_index"]
                case "upstream":
                    let u = v["upstream"] as? [String: Any] ?? [:]
                    for (k, w) in want as? [String: Any] ?? [:] where !c.gaps.contains("upstream.\(k)") {
                        let g = u[k]
                        let ok = Self.same(g, w) || (k == "code" && Self.same(u["catalog_code"], w))
                        #expect(ok, "\(c.file):\(c.id): upstream.\(k) is \(String(describing: g)), want \(w)")
                    }
                    continue
                default: got = v[key]
                }
                var ok = Self.same(got, want)
                if !ok, key == "code", let w = want as? String, matchCodes.contains(w) { ok = true }
                #expect(ok, "\(c.file):\(c.id): \(key) is \(String(describing: got)), want \(want)")
            }
            checked += 1
        }
        #expect(checked >= 200 && keys >= 600)
    }

    static func same(_ a: Any?, _ b: Any) -> Bool {
        switch (a, b) {
        case (nil, is NSNull): return true
        case (is NSNull, is NSNull): return true
        case (let x as NSNumber, let y as NSNumber): return abs(x.doubleValue - y.doubleValue) < 0.01
        case (let x as String, let y as String): return x == y
        default: return false
        }
    }
}
