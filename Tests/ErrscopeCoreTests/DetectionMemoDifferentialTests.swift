@testable import ErrscopeCore
import Foundation
import Testing

/// The summary keeps detection verdicts by what the detector read (`DetectionMemo`). Its
/// reference is the same summary with the memo off, which detects every body afresh. Bodies of
/// one structure with their strings and numbers swapped at random (codes for other codes,
/// types, messages, ids, statuses) make the memo answer lookups whose tested bytes differ; on
/// every line both must pick the same row, and the summaries must end equal.
@Suite struct DetectionMemoDifferentialTests {
    /// Every string and number leaf of `v` replaced, with probability 1/2, from the pools.
    static func mutate(_ v: JSONValue, _ r: inout SplitMix, strings: [String], numbers: [Int64]) -> JSONValue {
        switch v {
        case .string: return r.int(2) == 0 ? .string(r.pick(strings)) : v
        case .int, .double: return r.int(2) == 0 ? .int(r.pick(numbers)) : v
        case .array(let a): return .array(a.map { mutate($0, &r, strings: strings, numbers: numbers) })
        case .object(let o):
            return .object(JSONObject(o.pairs.map { ($0.key, mutate($0.value, &r, strings: strings, numbers: numbers)) }))
        default: return v
        }
    }

    static func leaves(_ v: JSONValue, _ strings: inout Set<String>, _ numbers: inout Set<Int64>) {
        switch v {
        case .string(let s): strings.insert(s)
        case .int(let i): numbers.insert(i)
        case .array(let a): for e in a { leaves(e, &strings, &numbers) }
        case .object(let o): for p in o.pairs { leaves(p.value, &strings, &numbers) }
        default: break
        }
    }

    @Test func memoisedDetectionAgreesWithDetectingEveryBody() throws {
        let catalog = Fixtures.catalog
        let bodies = try SummaryDifferentialTests.bodies().compactMap { try? JSONValue.parse($0) }
        #expect(bodies.count > 70)
        var strings = Set<String>(), numbers = Set<Int64>([0, 1, 200, 400, 401, 404, 413, 429, 500, 503, 529, -1])
        for b in bodies { Self.leaves(b, &strings, &numbers) }
        // Codes and types of every catalog and a few case and escape variants, so swapped values
        // turn one envelope's or system's body into another's.
        for e in catalog.entries { strings.insert(e.code) }
        strings.formUnion(["error", "Error", "ERROR", "invalid_request_error", "overloaded_error", "rate_limit_exceeded",
                           "RESOURCE_EXHAUSTED", "context_length_exceeded", "Provider returned error", "caf\u{e9}", "a\"b", "x\ny", ""])
        let stringPool = strings.sorted(), numberPool = numbers.sorted()

        var r = SplitMix(state: 0xD37EC7)
        var lines: [String] = []
        for _ in 0..<30 {
            for b in bodies {
                let v = r.int(4) == 0 ? b : Self.mutate(b, &r, strings: stringPool, numbers: numberPool)
                let body = v.compactText
                switch r.int(3) {
                case 0: lines.append(body)
                case 1: lines.append(#"{"ts":"2026-12-06T03:00:0\#(r.int(10))Z","status":\#(r.pick(numberPool)),"body":\#(JSONWriter.quoted(body))}"#)
                default:
                    lines.append(body.hasPrefix("{") ? #"{"time":\#(r.int(1000)),"status_code":"503","response":\#(body)}"# : body)
                }
            }
        }
        var memo = BatchSummary(catalog: catalog, memo: true)
        var plain = BatchSummary(catalog: catalog, memo: false)
        var differing = 0
        for line in lines {
            var l = line
            l.withUTF8 { memo.add(body: $0) }
            l.withUTF8 { plain.add(body: $0) }
            if memo.lastKey != plain.lastKey {
                differing += 1
                if differing <= 5 { Issue.record("rows differ for \(line)") }
            }
        }
        #expect(differing == 0)
        // Equal summaries (rows that tie on every sort key come in the dictionaries' order).
        func rows(_ s: BatchSummary) -> [String] {
            s.rows.map { "\($0.label) \($0.envelope) \($0.count) \($0.category?.rawValue ?? "-") \($0.retry?.rawValue ?? "-") \($0.rule ?? "-") \($0.first ?? "-") \($0.last ?? "-") \($0.statuses.sorted { $0.key < $1.key })" }.sorted()
        }
        #expect(rows(memo) == rows(plain))
        #expect(memo.total == plain.total && memo.known == plain.known && memo.recognised == plain.recognised)
        #expect(memo.byCategory.map(\.0) == plain.byCategory.map(\.0) && memo.byCategory.map(\.1) == plain.byCategory.map(\.1))
        // The memo answered most lookups, including ones whose tested bytes had to be compared.
        let m = try #require(memo.detectionMemo)
        #expect(lines.count > 2_000)
        #expect(m.hits > lines.count / 3, "hits \(m.hits), misses \(m.misses)")
        #expect(m.misses > 50)
    }

    @Test func bodiesThatDifferOnlyInUntestedValuesShareOneVerdict() throws {
        // One shape, a new request id and message on every line: one detection, the rest replayed.
        var s = BatchSummary(catalog: Fixtures.catalog)
        for i in 0..<200 {
            var l = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded \#(i)"},"request_id":"req_\#(i * 7919)"}"#
            l.withUTF8 { s.add(body: $0) }
        }
        let m = try #require(s.detectionMemo)
        #expect(m.misses == 1 && m.hits == 199)
        let g = try #require(s.rows.first)
        #expect(s.rows.count == 1 && g.count == 200 && g.category == .overloaded)
    }

    @Test func theSummarySaysWhyLinesNeededTheReferenceDecoder() throws {
        var s = BatchSummary(catalog: Fixtures.catalog)
        for l in [#"{"error":{"message":"m","type":"invalid_request_error","code":"no_such_code_anywhere"}}"#, "not json at all",
                  #"{"error":{"message":"m","type":"invalid_request_error","code":"no_such_code_anywhere"}}"#]
        {
            var l = l
            l.withUTF8 { s.add(body: $0) }
        }
        let reasons = try #require(s.json.objectValue?["reference_reasons"]?.objectValue)
        #expect(reasons["unknown_code"]?.intValue == 2 && reasons["not_json"]?.intValue == 1 && reasons.keys.count == 2)
        #expect(s.referenceLines == 3)
    }
}
