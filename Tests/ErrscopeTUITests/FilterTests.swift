import ErrscopeCore
@testable import ErrscopeTUI
import Testing

/// Rows of the bundled catalog whose HTTP statuses include `status`.
func rowsWithStatus(_ status: Int, system: String? = nil) -> Set<Int32> {
    Set(Fixtures.catalog.entries.filter { $0.http.statuses.contains(status) && (system == nil || $0.system == system) }.map { Int32($0.row) })
}

func codeRows(_ s: AppState) -> [Int32] {
    s.tree.rows.compactMap { if case .code(_, _, let r) = $0 { return r } else { return nil } }
}

/// The `/` filter as the user types it.
@Suite struct FilterKeyTests {
    @Test func slashStartsTheFilterInTheTree() {
        var s = Fixtures.state()
        s.press(.char("2"))
        s.press(.char("/"))
        #expect(s.filterEditing)
        #expect(s.focus == .tree)
        #expect(s.tree.filterMatches == nil, "nothing typed yet: no filter")
        // While editing, letters are typed, not acted on.
        #expect(s.type("q").isEmpty)
        #expect(s.tree.filterText == "q")
    }

    @Test func typing404MatchesEveryCodeWithHTTP404AcrossSystems() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("404")
        let expected = rowsWithStatus(404)
        #expect(expected.count > 5)
        #expect(Set(expected.map { Fixtures.catalog.entry(Int($0)).system }).count > 2, "404 codes come from several systems")
        #expect(s.matchCount == expected.count)
        #expect(Set(s.tree.filterMatches ?? []) == expected)
        #expect(Set(codeRows(s)) == expected, "the tree shows exactly the matches")
        // Every match is shown under its system and domain, in tree order.
        for (i, row) in s.tree.rows.enumerated() {
            guard case .code(let si, let di, _) = row else { continue }
            let header = s.tree.rows[..<i].last { if case .code = $0 { return false } else { return true } }
            #expect(header == .domain(si, di))
        }
    }

    @Test func typingNarrowsStepByStep() {
        var s = Fixtures.state()
        s.press(.char("/"))
        var previous: Set<Int32>? = nil
        for c in "404" {
            s.type(String(c))
            let now = Set(s.tree.filterMatches ?? [])
            if let p = previous { #expect(now.isSubset(of: p)) }
            previous = now
        }
        #expect(Set(s.tree.filterMatches ?? []) == rowsWithStatus(404))
    }

    @Test func notFoundErrorFindsBodhi404CodesThroughTheMappingRules() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("not_found_error")
        let matches = Set(s.tree.filterMatches ?? [])
        let bodhi404 = rowsWithStatus(404, system: "bodhi")
        #expect(!bodhi404.isEmpty)
        #expect(bodhi404.isSubset(of: matches))
        // data_service_error-alias_not_found cannot match by its text: `…not_found` ends the code.
        let alias = Int32(Fixtures.row("data_service_error-alias_not_found")!)
        #expect(matches.contains(alias))
        // A Bodhi 409 is not given not_found_error by any rule.
        #expect(!matches.contains(Int32(Fixtures.row("mcp_error-slug_exists")!)))
    }

    @Test func upperCaseGeminiStatusFindsBodhi404Codes() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("NOT_FOUND")
        let matches = Set(s.tree.filterMatches ?? [])
        #expect(rowsWithStatus(404, system: "bodhi").isSubset(of: matches))
        #expect(!matches.contains(Int32(Fixtures.row("mcp_error-slug_exists")!)))
    }

    @Test func fuzzyTermsFindTheAlias() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("alias nf")
        let alias = Int32(Fixtures.row("data_service_error-alias_not_found")!)
        #expect(s.tree.filterMatches?.contains(alias) == true)
        // Both terms must match: `alias_exists` matches `alias` but nothing of it matches `nf`.
        #expect(s.tree.filterMatches?.contains(Int32(Fixtures.row("data_service_error-alias_exists")!)) == false)
        // The cursor moved to a match.
        #expect(s.selectedEntry.map { Int32($0.row) }.map { s.tree.filterMatches!.contains($0) } == true)
        #expect(s.selectedCode == "data_service_error-alias_not_found")
    }

    @Test func backspaceWidensToExactlyThePreviousResult() {
        var s = Fixtures.state()
        s.press(.char("/"))
        var steps: [(matches: [Int32]?, rows: TreeRows)] = []
        for c in "alias nf" {
            s.type(String(c))
            steps.append((s.tree.filterMatches, s.tree.rows))
        }
        for i in stride(from: steps.count - 2, through: 0, by: -1) {
            s.press(.backspace)
            #expect(s.tree.filterMatches == steps[i].matches, "after Backspace to \(s.tree.filterText)")
            #expect(s.tree.rows == steps[i].rows)
            // And the same as filtering from scratch.
            #expect(s.tree.filterMatches == Fixtures.data.filter.matches(s.tree.filterText))
        }
        #expect(s.tree.filterText == "a")
        s.press(.backspace)
        #expect(s.tree.filterText == "")
        #expect(s.tree.filterMatches == nil)
        #expect(s.filterEditing, "the empty filter line stays open")
        s.press(.backspace)
        #expect(!s.filterEditing, "Backspace on the empty line closes it")
    }

    @Test func backspaceAfterRetypingGivesTheFreshResult() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("404")
        s.press(.backspace)
        s.type("9")
        #expect(s.tree.filterMatches == Fixtures.data.filter.matches("409"))
        #expect(rowsWithStatus(409).isSubset(of: Set(s.tree.filterMatches ?? [])))
        s.press(.backspace)
        #expect(s.tree.filterMatches == Fixtures.data.filter.matches("40"))
    }

    @Test func escClearsTheFilterAndKeepsTheSelectedCode() {
        var s = Fixtures.state()
        let unfiltered = s.tree.rows.count
        s.press(.char("/"))
        s.type("alias nf")
        let code = s.selectedCode
        #expect(code != nil)
        s.press(.escape)
        #expect(s.tree.filterMatches == nil)
        #expect(s.tree.filterText == "")
        #expect(!s.filterEditing)
        #expect(s.selectedCode == code)
        // Back to the unfiltered tree, with the selected code's domain opened.
        #expect(s.tree.rows.count > unfiltered)
    }

    @Test func escAfterEnterClearsTooAndEnterKeepsTheFilter() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("429")
        s.press(.enter)
        #expect(!s.filterEditing)
        #expect(s.matchCount == rowsWithStatus(429).count)
        // Now keys act again: j moves.
        let c = s.tree.cursor
        s.press(.char("j"))
        #expect(s.tree.cursor == c + 1)
        s.press(.escape)
        #expect(s.tree.filterMatches == nil)
    }

    @Test func enterOnNoMatchesSaysSo() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("zzzzqqq")
        #expect(s.matchCount == 0)
        #expect(s.tree.rows.isEmpty)
        s.press(.enter)
        #expect(s.message?.isError == true)
        #expect(s.message?.text.contains("zzzzqqq") == true)
    }

    @Test func nAndNMoveBetweenMatchesAndWrap() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("404")
        s.press(.enter)
        let matchRows = s.tree.rows.indices.filter { if case .code = s.tree.rows[$0] { return true } else { return false } }
        #expect(matchRows.count == rowsWithStatus(404).count)
        var visited: [Int] = []
        for _ in matchRows {
            s.press(.char("n"))
            visited.append(s.tree.cursor)
        }
        #expect(visited == matchRows, "n visits every match in order")
        #expect(s.message == nil)
        s.press(.char("n"))
        #expect(s.tree.cursor == matchRows.first, "n after the last match wraps to the first")
        #expect(s.message?.text.contains("wrapped") == true)
        s.press(.char("N"))
        #expect(s.tree.cursor == matchRows.last, "N before the first match wraps to the last")
        s.press(.char("N"))
        #expect(s.tree.cursor == matchRows[matchRows.count - 2])
    }

    @Test func nFocusesTheTree() {
        var s = Fixtures.state()
        s.command("http 429")
        s.press(.char("3"))
        s.press(.char("n"))
        #expect(s.focus == .tree)
        #expect(s.selectedEntry?.http.statuses.contains(429) == true)
    }

    @Test func ctrlUClearsTheLine() {
        var s = Fixtures.state()
        s.press(.char("/"))
        s.type("404")
        s.press(.ctrl("u"))
        #expect(s.tree.filterText == "")
        #expect(s.tree.filterMatches == nil)
        s.type("429")
        #expect(Set(s.tree.filterMatches ?? []) == rowsWithStatus(429))
    }

    @Test func collapseAndToggleDoNotHideMatches() {
        var s = Fixtures.state()
        s.command("http 404")
        let rows = s.tree.rows
        s.press(.char("g"))
        s.press(.char("h"), .enter)
        #expect(s.tree.rows == rows)
    }
}

/// The filter itself, without the TUI.
@Suite struct CodeFilterTests {
    let filter = Fixtures.data.filter
    static let queries = ["404", "not_found_error", "NOT_FOUND", "alias nf", "rate limit", "5", "429 rate", "invalid_request", "mcp slug", "token expired"]

    @Test(arguments: queries)
    func longerQueriesMatchASubset(query: String) {
        var previous = filter.matches("")
        #expect(previous.count == Fixtures.catalog.codeCount)
        for n in 1...query.count {
            let prefix = String(query.prefix(n))
            let now = filter.matches(prefix)
            #expect(Set(now).isSubset(of: Set(previous)), "`\(prefix)` matches a row `\(query.prefix(n - 1))` does not")
            previous = now
        }
    }

    @Test(arguments: queries)
    func matchingWithinAPrefixResultEqualsMatchingEverything(query: String) {
        let full = filter.matches(query)
        for n in 0..<query.count {
            let prefix = String(query.prefix(n))
            #expect(filter.matches(query, within: filter.matches(prefix)) == full, "within `\(prefix)`")
        }
        // Threads split the work without changing the result.
        #expect(filter.matches(query, threads: 1) == full)
    }

    @Test func resultsAreInCatalogOrderWithoutDuplicates() {
        let m = filter.matches("4")
        #expect(m == m.sorted())
        #expect(Set(m).count == m.count)
    }

    @Test func addingATermNarrows() {
        let one = Set(filter.matches("404"))
        let two = Set(filter.matches("404 bodhi"))
        let alias = Int32(Fixtures.row("data_service_error-alias_not_found")!)
        #expect(two.isSubset(of: one))
        #expect(two.count < one.count)
        #expect(filter.matches("404 alias").contains(alias))
    }

    @Test func termsAreLowercasedAndSplitOnSpaces() {
        #expect(CodeFilter.terms("Alias  NF") == ["alias", "nf"])
        #expect(filter.matches("ALIAS NF") == filter.matches("alias nf"))
    }

    @Test func statusDigitsArePrefixes() {
        let fives = Set(filter.matches("5"))
        let expected = Set(Fixtures.catalog.entries.filter { $0.http.statuses.contains { $0 >= 500 && $0 < 600 } }.map { Int32($0.row) })
        #expect(expected.isSubset(of: fives))
        #expect(Set(filter.matches("50")).isSuperset(of: rowsWithStatus(503)))
    }

    @Test func withinLimitsTheRowsConsidered() {
        let all = filter.matches("404")
        let half = Array(all.prefix(all.count / 2))
        #expect(filter.matches("404", within: half) == half)
        #expect(filter.matches("", within: half) == half)
        #expect(filter.matches("404", within: []) == [])
    }
}

/// The filter's word-at-a-time byte search against a plain model of its rules, on generated text
/// that puts matches at every offset of an 8-byte word, in both cases, across word ends.
@Suite struct CodeFilterModelTests {
    struct Row { var code, domain, meaning: String; var http: Int }

    /// A seeded generator, so a failure repeats.
    struct LCG { var s: UInt64; mutating func next(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int(s >> 33) % n } }

    static func generate() -> [Row] {
        var g = LCG(s: 42)
        let alphabet = Array("abcdeABCDE_-xyzXYZ 0123456789é·")
        func word(_ len: Int) -> String { String((0..<len).map { _ in alphabet[g.next(alphabet.count)] }) }
        return (0..<400).map { k in
            Row(code: "c\(k)_" + word(g.next(30)), domain: word(1 + g.next(12)), meaning: word(g.next(70)), http: 400 + g.next(200))
        }
    }

    static func model(_ r: Row, _ term: String) -> Bool {
        let t = Array(term.utf8)
        func lower(_ s: String) -> [UInt8] { s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 } }
        let code = lower(r.code)
        var j = 0
        for b in code where j < t.count && b == t[j] { j += 1 }
        if j == t.count { return true }
        func contains(_ h: [UInt8]) -> Bool {
            guard t.count <= h.count else { return false }
            return (0...(h.count - t.count)).contains { Array(h[$0..<($0 + t.count)]) == t }
        }
        if contains(lower(r.domain)) || contains(lower(r.meaning)) { return true }
        // The generated codes have no category of their own: the one their status implies.
        if let c = ErrorCategory.fromHTTP(r.http), c.rawValue.hasPrefix(term) { return true }
        return t.count <= 3 && t.allSatisfy { $0 >= 48 && $0 <= 57 } && String(r.http).utf8.starts(with: t)
    }

    @Test func matchesAPlainModel() throws {
        let rows = Self.generate()
        var yaml = "errscope: 1\nsystem: {id: gen, name: Gen}\ncodes:\n"
        for r in rows {
            yaml += "  - {code: \"\(r.code)\", domain: \"\(r.domain)\", http: \(r.http), meaning: \"\(r.meaning)\", retry: \"no\"}\n"
        }
        var loader = CatalogLoader()
        loader.loadYAML(yaml, file: "gen.yaml")
        let catalog = loader.finish()
        #expect(catalog.errors.isEmpty, "\(catalog.errors.prefix(2))")
        let filter = CodeFilter(catalog: catalog)
        var g = LCG(s: 7)
        var terms = ["a", "e_", "xyz", "_-", "é", "·", "4", "45", "599", "c1", "c39", "ab ab", "zz"]
        for _ in 0..<150 {
            // Pieces of real text (so most terms hit something), lowercased as the filter does.
            let r = rows[g.next(rows.count)]
            let source = [r.code, r.domain, r.meaning][g.next(3)]
            let chars = Array(source)
            guard !chars.isEmpty else { continue }
            let start = g.next(chars.count), len = 1 + g.next(min(6, chars.count - start))
            terms.append(String(chars[start..<(start + len)]).lowercased().replacingOccurrences(of: " ", with: ""))
        }
        var hits = 0
        for term in terms where !term.isEmpty {
            let words = CodeFilter.terms(term)
            let expected = rows.indices.filter { i in words.allSatisfy { Self.model(rows[i], $0) } }.map(Int32.init)
            #expect(filter.matches(term) == expected, "term `\(term)`")
            if !expected.isEmpty && expected.count < rows.count { hits += 1 }
        }
        // The terms discriminate: most match some rows and not others.
        #expect(hits > terms.count / 2)
    }

    /// Large catalogs are scanned in parts, one per thread, each writing into its own slice of
    /// one buffer that is then compacted; narrowing (`within`) takes the same path. Both must give
    /// what one thread gives, for terms that keep almost every row, some rows or none, and with
    /// texts ending at the very end of the store (the scan reads 8 bytes at a time).
    @Test func partsAndNarrowingAgreeWithOneThread() throws {
        var g = LCG(s: 11)
        let words = ["alias", "token", "model", "quota", "upstream", "session", "tenant", "AL", "Zz"]
        var json = #"{"errscope":1,"system":{"id":"big","name":"Big"},"codes":["#
        let n = 90_000
        for k in 0..<n {
            let w = words[g.next(words.count)], v = words[g.next(words.count)]
            // Short fields too: a code or meaning shorter than one 8-byte word.
            let meaning = k % 7 == 0 ? "x\(w.prefix(2))" : "The \(w) \(k) could not reach \(v)."
            json += (k == 0 ? "" : ",") + #"{"code":"\#(w)_\#(k % 97)-\#(v)_\#(k)","domain":"\#(w)_\#(k % 13)","http":\#(400 + k % 200),"meaning":"\#(meaning)","retry":"no"}"#
        }
        json += "]}"
        var loader = CatalogLoader()
        loader.loadJSON(Array(json.utf8), file: "big.json")
        let catalog = loader.finish()
        #expect(catalog.errors.isEmpty, "\(catalog.errors.prefix(2))")
        #expect(catalog.codeCount == n)
        let filter = CodeFilter(catalog: catalog)
        var narrowed: [Int32]? = nil
        var typed = ""
        for query in ["a", "al", "ali", "alias", "alias 4", "alias 45", "zz", "xal", "qqq", "ta", "4"] {
            let one = filter.matches(query, threads: 1)
            #expect(filter.matches(query, threads: 4) == one, "`\(query)` in parts")
            // Typing narrows: each query extends the last, so the last result bounds the next.
            if query.hasPrefix(typed), !typed.isEmpty, let within = narrowed {
                #expect(filter.matches(query, within: within, threads: 4) == one, "`\(query)` within `\(typed)`")
            }
            typed = query
            narrowed = one
        }
        #expect(filter.matches("a", threads: 4).count > n / 2)
        #expect(filter.matches("qqq", threads: 4).isEmpty)
        // A narrow result does not keep room for every row (the browser keeps one per keystroke).
        let narrow = filter.matches("alias 45", threads: 4)
        #expect(!narrow.isEmpty && narrow.capacity < n / 4, "\(narrow.count) rows in room for \(narrow.capacity)")
    }
}
