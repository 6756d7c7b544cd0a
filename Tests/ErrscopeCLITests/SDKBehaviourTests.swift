import Foundation
import Testing

/// What errscope says each official SDK does (`decode --json`, `sdk[]`) against what the real
/// SDKs did with the same responses: Tests/Fixtures/sdk-observed.jsonl was recorded by
/// scripts/sdk-check/check.py running openai-python, anthropic-python and google-genai (the
/// versions in scripts/sdk-check/requirements.txt) against a local server; scripts/test.sh runs
/// them again and compares with scripts/sdk-check/compare.py.
@Suite struct SDKBehaviourTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Case {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func cases() throws -> [String: Case] {
        let data = try Data(contentsOf: root.appendingPathComponent("scripts/sdk-check/cases.json"))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var out: [String: Case] = [:]
        for c in doc["cases"] as? [[String: Any]] ?? [] {
            let body: String
            if let s = c["body"] as? String { body = s } else {
                body = String(decoding: try JSONSerialization.data(withJSONObject: c["body"] ?? [:]), as: UTF8.self)
            }
            out[c["id"] as! String] = Case(status: c["status"] as! Int, headers: c["headers"] as? [String: String] ?? [:], body: body)
        }
        return out
    }

    /// `{http-date:+N}`: an HTTP date N seconds from now, as check.py sends it.
    static func materialise(_ v: String) -> String {
        guard v.hasPrefix("{http-date:"), v.hasSuffix("}"), let n = Double(v.dropFirst("{http-date:".count).dropLast()) else { return v }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: Date().addingTimeInterval(n))
    }

    @Test func errscopeAgreesWithTheRealSDKs() throws {
        let cases = try Self.cases()
        let lines = try String(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/sdk-observed.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        var verdicts: [String: [[String: Any]]] = [:]
        var compared = 0
        for line in lines {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let sdk = o["sdk"] as! String, id = o["case"] as! String
            if sdk.contains("+") { continue }  // an opted-in configuration; errscope describes the default
            let c = try #require(cases[id])
            if verdicts[id] == nil {
                var args = ["decode", "--json", "--status", String(c.status)]
                for (k, v) in c.headers.sorted(by: { $0.key < $1.key }) { args += ["-H", "\(k): \(Self.materialise(v))"] }
                let v = try CLI.run(args, stdin: c.body).object()
                verdicts[id] = v["sdk"] as? [[String: Any]] ?? []
            }
            let mine = try #require(verdicts[id]!.first { $0["sdk"] as? String == sdk }, "\(sdk) \(id): errscope says nothing")
            let attempts = o["attempts"] as! Int
            #expect(mine["exception"] as? String == o["exception"] as? String, "\(sdk) \(id): exception \(String(describing: mine["exception"])) vs \(String(describing: o["exception"]))")
            #expect(mine["retries"] as? Bool == (attempts > 1), "\(sdk) \(id): errscope retries=\(String(describing: mine["retries"])), SDK sent \(attempts)")
            if attempts > 1 {
                #expect(mine["max_retries"] as? Int == attempts - 1, "\(sdk) \(id): retries")
                if let d0 = (o["delays"] as? [Double])?.first, let m0 = mine["first_delay_seconds"] as? Double {
                    #expect(d0 >= 0.74 * m0 - 0.01 && d0 <= m0 + 1.01, "\(sdk) \(id): first wait \(m0) vs \(d0)")
                }
            }
            compared += 1
        }
        #expect(compared >= 170)
    }
}
