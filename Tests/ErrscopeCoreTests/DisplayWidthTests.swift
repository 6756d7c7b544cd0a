import ErrscopeCore
import Testing

@Suite("Display width: grapheme clusters, tables padded by columns")
struct DisplayWidthTests {
    @Test func clustersAreMeasuredAsTheTerminalDrawsThem() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("日本語") == 6)
        #expect(DisplayWidth.of("🚀") == 2, "emoji presentation outside the old table")
        #expect(DisplayWidth.of("🪐") == 2)
        #expect(DisplayWidth.of("e\u{301}\u{301}") == 1, "stacked combining marks")
        #expect(DisplayWidth.of("👩\u{200D}💻") == 2, "a ZWJ sequence is drawn as its first emoji")
        #expect(DisplayWidth.of("❤\u{FE0F}") == 1, "the variation selector is not sent, so text presentation")
        #expect(DisplayWidth.of("🇫🇷") == 2)
        #expect(DisplayWidth.drawable("👩\u{200D}💻") == ["👩"])
        #expect(DisplayWidth.drawable("e\u{301}\u{302}") == ["e", "\u{301}", "\u{302}"])
        #expect(DisplayWidth.drawable("❤\u{FE0F}") == ["❤"])
    }

    @Test func paddingCountsColumnsNotCharacters() {
        #expect("日本".rightPad(6) == "日本  ")
        #expect("日本".leftPad(6) == "  日本")
        #expect("👩\u{200D}💻x".rightPad(4) == "👩\u{200D}💻x ")
        #expect("日本語".rightPad(5) == "日本 ", "a wide character that would straddle the edge becomes a space")
        #expect("e\u{301}".rightPad(3).columns == 3)
        for s in ["abc", "日本語テキスト", "🚀🚀", "cafe\u{301}", "🇫🇷🇩🇪"] {
            for n in 0..<12 { #expect(s.rightPad(n).columns == n, "\(s) \(n)") }
        }
    }

    @Test func wrappingAWideCharacterIntoOneColumnEnds() {
        // Each wide character on a line of its own (it used to loop forever).
        #expect(DisplayWidth.wrap("日本", width: 1) == ["日", "本", ""])
    }
}
