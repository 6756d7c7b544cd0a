@testable import ErrscopeCore
import Foundation
import Testing

/// `CompiledDetector` (the fast path envelope detection and the log summary use) against
/// `ConditionReference` (the documented meaning of every condition), on seeded random envelopes
/// and bodies: every kind of test, paths with indices and `*`, numbers and decimals, strings
/// with escapes and case. Whatever the table cannot compile must still agree, by falling back.
@Suite struct DetectorDifferentialTests {
    struct LCG {
        var s: UInt64
        mutating func next(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int(s >> 33) % max(1, n) }
        mutating func pick<T>(_ xs: [T]) -> T { xs[next(xs.count)] }
    }

    static let keys = ["error", "code", "type", "message", "status", "details", "id", "object"]
    static let strings = ["error", "Error", "rate_limit", "RATE_LIMIT", "a\\u0062c", "not found", "Overloaded", "", "x-1", "429"]

    static func value(_ g: inout LCG, depth: Int) -> String {
        switch g.next(depth > 2 ? 6 : 8) {
        case 0: return "\"\(g.pick(strings))\""
        case 1: return String(g.pick([0, 1, 400, 429, 503, -7]))
        case 2: return g.pick(["1.5", "400.0", "2e2", "0.25"])
        case 3: return g.pick(["true", "false"])
        case 4: return "null"
        case 5: return "\"\(g.pick(strings))\""
        case 6: return "[" + (0..<g.next(3)).map { _ in value(&g, depth: depth + 1) }.joined(separator: ",") + "]"
        default: return object(&g, depth: depth + 1)
        }
    }

    static func object(_ g: inout LCG, depth: Int) -> String {
        var seen = Set<String>()
        var pairs: [String] = []
        for _ in 0..<(1 + g.next(4)) {
            let k = g.pick(keys + ["other"])
            // A key spelled with an escape is the same key (the compiled table's top-level key
            // mask must not miss it); now and then a key comes twice (the first one counts).
            let spelled = g.next(8) == 0 ? k.replacingOccurrences(of: "o", with: "\\u006f") : k
            if seen.insert(k).inserted || g.next(10) == 0 { pairs.append("\"\(spelled)\":\(value(&g, depth: depth))") }
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    static func path(_ g: inout LCG) -> FieldPath {
        var parts: [String] = [g.pick(keys)]
        for _ in 0..<g.next(3) { parts.append(g.pick(keys + ["0", "1", "*"])) }
        return FieldPath(parts.joined(separator: "."))
    }

    static func condition(_ g: inout LCG) -> EnvelopeCondition {
        // Now and then a header test: with no headers, only `absent` holds.
        if g.next(12) == 0 { return EnvelopeCondition(source: .header("x-request-id"), test: g.pick([.present, .absent, .contains("abc")])) }
        let p = FieldSource.path(path(&g))
        let test: EnvelopeCondition.Test
        switch g.next(9) {
        case 0: test = .kind([g.pick(JSONKind.allCases)])
        case 1: test = .equals(.string(g.pick(strings)))
        case 2: test = .equals(g.pick([.int(400), .int(429), .double(1.5), .double(400), .bool(true), .null]))
        case 3: test = .oneOf([.string(g.pick(strings)), .string(g.pick(strings))])
        case 4: test = .oneOf([.int(429), .string("rate_limit"), .double(1.5)])
        case 5: test = g.pick([.present, .absent])
        case 6: test = .matches(try! SharedRegex(g.pick(["^[a-z_]+$", "limit", "^4[0-9][0-9]$", "(?i)overloaded", "a|b", "^x-[0-9]$"])))
        case 7: test = .contains(g.pick(["limit", "found", "over", "x-"]))
        default: test = .kind([.string, .null])
        }
        return EnvelopeCondition(source: p, test: test)
    }

    @Test func compiledTableAgreesWithTheReference() throws {
        var g = LCG(s: 20261206)
        var envelopes: [EnvelopeDefinition] = []
        for i in 0..<40 {
            let require = (0..<(1 + g.next(3))).map { _ in Self.condition(&g) }
            let prefer = (0..<g.next(4)).map { _ in Self.condition(&g) }
            envelopes.append(EnvelopeDefinition(id: "e\(i)", name: "e\(i)", summary: nil, unwrapArray: g.next(2) == 0, mediaTypes: [],
                                                require: require, prefer: prefer, fields: [], template: .null, translate: [], file: ""))
        }
        let detector = CompiledDetector(envelopes)
        let tape = JSONTape()
        let scores = UnsafeMutablePointer<Int32>.allocate(capacity: envelopes.count)
        let roots = UnsafeMutablePointer<Int32>.allocate(capacity: envelopes.count)
        defer { scores.deallocate(); roots.deallocate() }
        var compared = 0, held = 0
        for _ in 0..<3000 {
            var body = Self.object(&g, depth: 0)
            if g.next(5) == 0 { body = "[" + body + "]" }
            let bytes = Array(body.utf8)
            try bytes.withUnsafeBufferPointer { buf in
                try tape.parse(buf)
                detector.reset()
                for (i, env) in envelopes.enumerated() {
                    let fast = detector.evaluate(i, tape, buf, headers: [], decoder: nil)
                    var root = 0
                    if env.unwrapArray, tape.kind(0) == .array, tape.count(0) == 1 { root = 1 }
                    var want: Int?
                    if tape.kind(root) == .object,
                        env.require.allSatisfy({ ConditionReference.holds($0, tape: tape, root: root, buf: buf, headers: []) })
                    {
                        want = 2 * env.prefer.filter { ConditionReference.holds($0, tape: tape, root: root, buf: buf, headers: []) }.count
                    }
                    #expect(fast?.score == want, "\(env.id) on \(body): fast \(String(describing: fast?.score)), reference \(String(describing: want))\n\(env.require) \(env.prefer)")
                    if want != nil { held += 1 }
                    compared += 1
                }
                // The summary's batch call, on a fresh memo and on the warm one, says the same.
                for fresh in [true, false] {
                    if fresh { detector.reset() }
                    detector.evaluateAll(0..<envelopes.count, tape, buf, base: 0, scores: scores, roots: roots)
                    for i in envelopes.indices {
                        let one = detector.evaluate(i, tape, buf, headers: [], decoder: nil)
                        #expect(Int(scores[i]) == (one?.score ?? -1), "evaluateAll \(envelopes[i].id) on \(body)")
                    }
                }
            }
        }
        #expect(compared == 120_000)
        #expect(held > 1000, "the random envelopes should match often enough to test the scores (\(held))")
    }
}
