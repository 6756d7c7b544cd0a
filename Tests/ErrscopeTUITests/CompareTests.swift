import ErrscopeCore
@testable import ErrscopeTUI
import Testing

/// Categories in the browser: the compare view (one category or status across every system),
/// the detail pane's category and "what to do", and the filter finding a category.
@Suite struct CompareTests {
    @Test func compareACategoryListsEverySystemsCode() throws {
        var s = Fixtures.state(width: 140, height: 40)
        s.command("compare context_length")
        let c = try #require(s.compare)
        #expect(c.subject == .category(.contextLength))
        let systems = Set(c.rows.map(\.system))
        #expect(systems.isSuperset(of: ["openai", "groq", "llama-cpp", "vllm", "mistral", "ollama", "tgi"]))
        #expect(c.rows.allSatisfy { $0.retry == "no" && $0.category == "context_length" })
        #expect(c.rows.allSatisfy { $0.whatToDo.hasPrefix("Shrink the prompt") })
        // On the buffer: the title, the header and a row, as text.
        let text = s.screen.text
        #expect(text.contains("Compare · context_length in every system · \(c.rows.count) codes"))
        #expect(text.contains("SYSTEM") && text.contains("DELAY FROM") && text.contains("WHAT TO DO"))
        #expect(text.contains("▶ azure-openai"))
    }

    @Test func enterOpensTheCodeAndEscapeCloses() throws {
        var s = Fixtures.state()
        s.command("compare 429")
        let c = try #require(s.compare)
        #expect(!c.rows.isEmpty && c.rows.allSatisfy { $0.http.contains("429") })
        #expect(!c.rows.contains { $0.system == "http" }, "the generic status reference is not a system")
        s.press(.char("j"), .char("j"))
        let picked = c.rows[2]
        s.press(.enter)
        #expect(s.compare == nil)
        #expect(s.selectedEntry?.row == picked.catalogRow)
        #expect(s.focus == .detail)
        s.command("category quota")
        #expect(s.compare?.subject == .category(.quota))
        s.press(.escape)
        #expect(s.compare == nil)
    }

    @Test func badSubjectsSayWhatIsAccepted() {
        var s = Fixtures.state()
        let fx = s.command("category 429")
        #expect(s.compare == nil)
        #expect(fx.contains(.bell))
        #expect(s.message?.text.contains("takes a category") == true)
        s.command("compare nonsense")
        #expect(s.compare == nil)
    }

    @Test func detailPaneShowsCategoryAndWhatToDo() throws {
        var s = Fixtures.state(width: 140, height: 50)
        s.command("code context_size_exceeded")
        #expect(s.selectedEntry?.system == "llama-cpp")
        let text = s.screen.text
        #expect(text.contains("category context_length"))
        #expect(text.contains("do       Shrink the prompt"))
    }

    @Test func theFilterFindsACategory() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("context_length")
        let rows = Set(s.tree.filterMatches ?? [])
        let inCategory = Fixtures.catalog.entries.filter { $0.category == .contextLength }.map { Int32($0.row) }
        #expect(!inCategory.isEmpty && Set(inCategory).isSubset(of: rows))
    }
}
