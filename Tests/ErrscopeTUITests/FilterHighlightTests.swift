@testable import ErrscopeTUI
import ErrscopeCore
import Testing

/// Issue 12 §5: filter matches highlighted, and why each row matched; labels never touch values.
@Suite struct FilterHighlightTests {
    @Test func explainAgreesWithTheFilterOnEveryMatchedRow() {
        let f = Fixtures.data.filter
        for q in ["alias nf", "404", "quota", "rate limit", "not_found_error", "mcp 40", "overloaded"] {
            let rows = f.matches(q)
            #expect(!rows.isEmpty, "\(q)")
            for r in rows.prefix(200) {
                let why = f.explain(row: Int(r), query: q)
                // Every term is accounted for: by code characters or by a reason.
                let terms = CodeFilter.terms(q)
                #expect(!why.codeMatches.isEmpty || why.reasons.count == terms.count, "\(q) on \(Fixtures.catalog.entry(Int(r)).code): \(why)")
                #expect(why.reasons.count <= terms.count)
            }
        }
        let e = Fixtures.catalog.rows(code: "data_service_error-alias_not_found").first!
        let why = f.explain(row: e, query: "alias nf")
        let code = Array("data_service_error-alias_not_found")
        #expect(why.codeMatches.map { code[$0] }.sorted() == ["a", "a", "f", "i", "l", "n", "s"])
        #expect(why.reasons.isEmpty)
        #expect(f.explain(row: e, query: "404").reasons == ["HTTP 404"])
        #expect(f.explain(row: e, query: "exists under").reasons == ["meaning", "meaning"])
    }

    @Test func matchedCharactersAreUnderlinedAndReasonsShown() throws {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("alias nf")
        s.press(.enter)
        let b = s.screen
        let y = try #require(b.lines.firstIndex { $0.hasPrefix("│      data_service_error-alias_not_found") })
        let line = b.lines[y]
        let x0 = DisplayWidth.of(String(line[..<line.range(of: "data_service_error-alias_not_found")!.lowerBound]))
        // "alias" is matched at the start of "alias", "n" and "f" in "not_found".
        let underlined = (x0..<(x0 + 34)).filter { b[$0, y].style.underline }.map { b[$0, y].text }
        #expect(underlined.count == 7)
        // A term matched outside the code says where.
        s.press(.char("/"))
        s.type(" 404")
        s.press(.enter)
        #expect(s.screen.text.contains("← HTTP 404"))
    }

    @Test func detailLabelsAsWideAsTheirValuesColumn() {
        var s = Fixtures.state()
        let row = Fixtures.catalog.rows(code: "529").first { Fixtures.catalog.entry($0).system == "http" }!
        s.reveal(row: row)
        let text = s.screen.text
        #expect(text.contains("documented Not a registered status") || text.contains("documented Not"))
        #expect(!text.contains("documenteNot"))
    }
}
