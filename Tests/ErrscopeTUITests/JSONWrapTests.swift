@testable import ErrscopeTUI
import ErrscopeCore
import Testing

/// Issue 12 §5: JSON in the mapping pane wraps at token boundaries, continuation lines marked.
@Suite struct JSONWrapTests {
    static func text(_ lines: [JSONLines.Line]) -> [String] { lines.map { $0.map(\.0).joined() } }

    @Test func tokensMoveWholeAndContinuationsAreMarked() throws {
        let v = try JSONValue.parse(#"{"error":{"message":"alias 'llama3:instruct' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#)
        let lines = JSONLines.lines(v, theme: .mono)
        let wrapped = Self.text(JSONLines.wrap(lines, width: 26))
        for l in wrapped { #expect(DisplayWidth.of(l) <= 26, "\(l)") }
        // A key is never cut: `"type": ` stays whole, its value moves to a marked line.
        #expect(wrapped.contains { $0.contains(#""type": "#) })
        #expect(wrapped.contains { $0.contains(#"↪ "not_found_error","#) || $0.contains(#""type": "not_found_error","#) })
        // A string longer than a line breaks after a space, not inside a word.
        let msg = try #require(wrapped.firstIndex { $0.contains(#""message": "#) })
        #expect(wrapped[msg + 1].trimmingCharacters(in: .whitespaces).hasPrefix("↪ "))
        #expect(!wrapped.contains { $0.hasSuffix("llam") || $0.hasSuffix("foun") }, "\(wrapped)")
        // Every continuation starts with the mark under its line's indent; no other line does.
        for (i, l) in wrapped.enumerated() where l.contains("↪") {
            #expect(i > 0)
            #expect(l.trimmingCharacters(in: .whitespaces).hasPrefix("↪ "))
        }
    }

    @Test func aLineThatFitsIsUntouched() throws {
        let v = try JSONValue.parse(#"{"a":1,"b":"two"}"#)
        let lines = JSONLines.lines(v, theme: .mono)
        #expect(Self.text(JSONLines.wrap(lines, width: 40)) == Self.text(lines))
    }

    @Test func aWordLongerThanALineIsCutWhereItMust() throws {
        let v = try JSONValue.parse(#"{"code":"data_service_error-alias_not_found_and_then_some_more"}"#)
        let wrapped = Self.text(JSONLines.wrap(JSONLines.lines(v, theme: .mono), width: 20))
        for l in wrapped { #expect(DisplayWidth.of(l) <= 20, "\(l)") }
        #expect(wrapped.joined().replacingOccurrences(of: "↪", with: "").replacingOccurrences(of: " ", with: "").contains(#""data_service_error-alias_not_found_and_then_some_more""#))
    }
}
