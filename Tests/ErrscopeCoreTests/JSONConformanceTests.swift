@testable import ErrscopeCore
import Foundation
import Testing

/// The tape parser (the core's JSON fast path) against the standard and against Foundation.
///
/// nst/JSONTestSuite's `test_parsing` (y_ must be accepted, n_ rejected, i_ either, never a
/// crash) is read from `$JSONTESTSUITE_DIR` when it is set, so `scripts/jsontestsuite.sh` (which
/// takes a checkout) and a CI with the suite run it. It is not vendored: errscope commits no
/// third-party test data. Every run also checks a corpus of the same kinds written here, and a
/// fuzzed differential against `JSONSerialization`.
@Suite("JSON: the tape parser against JSONTestSuite and JSONSerialization")
struct JSONConformanceTests {
    static func accepts(_ bytes: [UInt8]) -> Bool {
        let tape = JSONTape()
        return bytes.withUnsafeBufferPointer { (try? tape.parse($0)) != nil }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["JSONTESTSUITE_DIR"] != nil))
    func jsonTestSuiteParsing() throws {
        let dir = ProcessInfo.processInfo.environment["JSONTESTSUITE_DIR"]! + "/test_parsing"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count > 300, "\(dir) holds the suite")
        var wrong: [String] = []
        for f in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f)))
            let ok = Self.accepts(bytes)  // i_ files: only "no crash" is asked
            if f.hasPrefix("y_") && !ok { wrong.append("rejected \(f)") }
            if f.hasPrefix("n_") && ok { wrong.append("accepted \(f)") }
        }
        #expect(wrong.isEmpty, "\(wrong)")
    }

    /// The same kinds of cases as the suite, written here: each grammar rule kept and broken.
    static let valid: [String] = [
        "[]", "{}", "[[]]", "[{}]", "0", "-0", "1", "-1", "12", "1.5", "-1.5e10", "1E+2", "1e-2", "0.0", "123e65", "[1e1]", "[-0.0]",
        "\"\"", "\"a\"", "\"\\u0000\"", "\"\\uD834\\uDD1E\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\u{7F}\"", "\"é😀\"", "\"\\u00e9\"",
        "true", "false", "null", " [1] ", "\n{\"a\":1}\t", "{\"a\":[1,{\"b\":null}]}", "{\"\":0}", "{\"a\":1,\"a\":2}",
        "[1,2,3]", "[\"a\",true,false,null,{},[]]", "{\"a\" : 1 , \"b\" : 2}", String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ]
    static let invalid: [String] = [
        "", " ", "[", "]", "{", "}", "[1,]", "[,1]", "[1,,2]", "{\"a\":1,}", "{,}", "{\"a\"}", "{\"a\":}", "{a:1}", "{'a':1}", "['a']",
        "[01]", "[-]", "[+1]", "[1.]", "[.5]", "[1e]", "[1e+]", "[0x10]", "[Infinity]", "[NaN]", "[-Infinity]", "[1 2]", "[tru]", "[nul]",
        "[True]", "\"\\x41\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"a", "\"\t\"", "\"\n\"", "\"\u{01}\"", "[1]x", "[1]]", "{}}", "[\"a\":1]",
        "{\"a\" 1}", "{1:1}", "[1,]]", "//c\n[]", "/*c*/[]", "[1]\u{0}", "\u{FEFF}[]", "[\"\\\"]", "[-01]", "[2.e3]", "[1e1.5]", "-",
    ]

    @Test func ownCorpusOfTheSameKinds() {
        for s in Self.valid { #expect(Self.accepts(Array(s.utf8)), "rejected \(s.debugDescription)") }
        for s in Self.invalid { #expect(!Self.accepts(Array(s.utf8)), "accepted \(s.debugDescription)") }
        // Invalid UTF-8 inside a string, and a lone surrogate escape, never crash.
        for b: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], Array("\"\\uD800\"".utf8), Array("[\"\\uDC00\\uD800\"]".utf8)] {
            _ = Self.accepts(b)
        }
        // Deep nesting is refused, not a stack overflow.
        #expect(!Self.accepts(Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)))
    }


    static func randomValue(_ r: inout SplitMix, depth: Int) -> String {
        switch r.int(depth > 4 ? 5 : 8) {
        case 0: return ["0", "-1", "3.25", "1e5", "-0.5E-3", "12345678901234", "7"][r.int(7)]
        case 1: return ["\"\"", "\"abc\"", "\"a\\nb\"", "\"\\u00e9\"", "\"é\"", "\"\\\"q\\\"\"", "\"\\\\\""][r.int(7)]
        case 2: return ["true", "false", "null"][r.int(3)]
        case 3, 4: return "\"k\(r.int(100))\""
        case 5: return "[" + (0..<r.int(4)).map { _ in randomValue(&r, depth: depth + 1) }.joined(separator: ",") + "]"
        default: return "{" + (0..<r.int(4)).map { i in "\"f\(i)\":" + randomValue(&r, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    static func overflows(_ text: String) -> Bool {
        let number = try! NSRegularExpression(pattern: #"-?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+"#)
        return number.matches(in: text, range: NSRange(text.startIndex..., in: text)).contains { m in
            Range(m.range, in: text).flatMap { Double(text[$0]) }.map { !$0.isFinite } ?? false
        }
    }

    static func hasTrailingComma(_ text: String) -> Bool { text.range(of: #",\s*[\]}]"#, options: .regularExpression) != nil }

    /// Random documents, then each mutated (a byte dropped, replaced or duplicated): the tape parser
    /// accepts exactly what JSONSerialization accepts (top-level fragments allowed, as RFC 8259 does).
    @Test func fuzzedDifferentialAgainstJSONSerialization() throws {
        var r = SplitMix(state: 0x150_4E57)
        let mutations: [UInt8] = Array("{}[]\",:01-.eE+tfn\\ \u{0}".utf8) + [0x80, 0xFF]
        var disagreements: [String] = []
        var compared = 0, explained = 0
        for _ in 0..<3_000 {
            let doc = Array(Self.randomValue(&r, depth: 0).utf8)
            var variants = [doc]
            for _ in 0..<4 {
                var m = doc
                guard !m.isEmpty else { break }
                let i = r.int(m.count)
                switch r.int(3) {
                case 0: m.remove(at: i)
                case 1: m[i] = mutations[r.int(mutations.count)]
                default: m.insert(m[i], at: i)
                }
                variants.append(m)
            }
            for v in variants {
                compared += 1
                let ours = Self.accepts(v)
                let foundation = (try? JSONSerialization.jsonObject(with: Data(v), options: [.fragmentsAllowed])) != nil
                guard ours != foundation else { continue }
                // Where the two may differ, each for a stated reason:
                let text = String(decoding: v, as: UTF8.self)
                let validUTF8 = String(validating: v, as: UTF8.self) != nil
                if ours && !foundation && !validUTF8 { explained += 1; continue }  // errscope reads bad UTF-8 leniently (JSONTestSuite: i_)
                if ours && !foundation && Self.overflows(text) { explained += 1; continue }  // a number past Double's range (i_)
                // Foundation accepts what RFC 8259 forbids: a trailing comma, a NUL byte.
                if !ours && foundation && (Self.hasTrailingComma(text) || v.contains(0)) { explained += 1; continue }
                disagreements.append("\(text.debugDescription): ours \(ours), Foundation \(foundation)")
            }
        }
        #expect(compared > 10_000)
        #expect(explained < compared / 10, "\(explained) of \(compared) differ for a stated reason")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, e.g. \(disagreements.prefix(8))")
    }
}
