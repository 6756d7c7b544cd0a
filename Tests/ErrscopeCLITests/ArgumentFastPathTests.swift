@testable import ErrscopeCLI
import ErrscopeTUI
import Testing

/// `errscope`, `errscope lookup` and `errscope decode` parse their common argument shapes without ArgumentParser
/// (start-up time). Whatever the fast path takes, it must read exactly as ArgumentParser does;
/// whatever it cannot read that way, it must hand back.
@Suite struct ArgumentFastPathTests {
    static let browseShapes: [[String]] = [
        [],
        ["--no-user-catalogs"],
        ["--catalog", "a.yaml", "--no-user-catalogs", "--catalog", "b.json"],
        ["--theme", "light"],
        ["--theme", "high-contrast", "--mouse", "--no-journal"],
        ["--no-mouse", "--endpoints", "/tmp/e.yaml"],
    ]

    @Test(arguments: browseShapes)
    func browseReadsAsArgumentParserDoes(_ args: [String]) throws {
        let fast = try #require(BrowseSettings.fastParse(args))
        #expect(fast == (try BrowseOptions.parse(args)).settings)
    }

    @Test(arguments: [
        ["lookup", "x"], ["--help"], ["-h"], ["--theme=light"], ["--theme", "neon"], ["--theme"], ["--catalog", "--mouse"],
        ["--mouse", "--mouse"], ["--mouse", "--no-mouse"], ["--demo"], ["--demo-port", "8080"], ["--no-journal", "--no-journal"],
        ["--version"], ["--generate-completion-script", "bash"],
    ])
    func browseHandsBackWhatItDoesNotRead(_ args: [String]) {
        #expect(BrowseSettings.fastParse(args) == nil)
    }

    static let lookupShapes: [[String]] = [
        ["data_service_error-alias_not_found"],
        ["429", "--json"],
        ["-s", "bodhi", "429", "--no-user-catalogs"],
        ["--system", "bodhi", "-l", "not_found_error"],
        ["x", "--catalog", "a.yaml", "--catalog", "b.yaml", "--long"],
    ]

    @Test(arguments: lookupShapes)
    func lookupReadsAsArgumentParserDoes(_ args: [String]) throws {
        let fast = try #require(LookupRequest.fastParse(args))
        #expect(fast == (try Lookup.parse(args)).request)
    }

    @Test(arguments: [[], ["--help"], ["--json"], ["a", "b"], ["-x"], ["--system=bodhi", "a"], ["-ls", "bodhi", "a"], ["--", "-a"], ["a", "--json", "--json"], [""]])
    func lookupHandsBackWhatItDoesNotRead(_ args: [String]) {
        #expect(LookupRequest.fastParse(args) == nil)
    }

    static let decodeShapes: [[String]] = [
        [],
        ["body.json"],
        ["body.json", "--json", "--status", "429"],
        ["--status", "529", "-H", "retry-after: 30", "--header", "x-request-id: r1", "body.json"],
        ["resp.txt", "--path", "/anthropic/v1/messages", "-s", "anthropic", "--no-user-catalogs"],
        ["--jsonl", "gateway.log", "--summary"],
        ["--jsonl", "gateway.log", "--summary", "--json", "--catalog", "a.yaml", "--catalog", "b.yaml"],
        ["--jsonl", "app.log", "--status-field", "code_http", "--body-field", "payload", "--time-field", "when"],
        ["--system", "bodhi", "--jsonl", "x.jsonl"],
    ]

    @Test(arguments: decodeShapes)
    func decodeReadsAsArgumentParserDoes(_ args: [String]) throws {
        let fast = try #require(DecodeRequest.fastParse(args))
        #expect(fast == (try Decode.parse(args)).request)
    }

    @Test(arguments: [
        ["--help"], ["-"], ["a", "b"], ["--status=429", "a"], ["--status", "-1"], ["--status", "x"], ["--json", "--json"],
        ["--jsonl"], ["--", "-a"], ["-Hs", "a"], ["--summary", "--summary"], ["--status", "429", "--status", "500"], ["--nope"],
    ])
    func decodeHandsBackWhatItDoesNotRead(_ args: [String]) {
        #expect(DecodeRequest.fastParse(args) == nil)
    }

    /// What ArgumentParser's `validate` refuses, the fast path's request refuses too (it runs
    /// `validate` itself).
    @Test(arguments: [
        ["--summary", "a"], ["--status-field", "s", "a"], ["--jsonl", "x", "a"], ["--status", "42", "a"], ["-H", "no colon", "a"],
    ])
    func decodeValidatesAsArgumentParserDoes(_ args: [String]) throws {
        #expect(throws: (any Error).self) { try Decode.parse(args) }
        let fast = try #require(DecodeRequest.fastParse(args))
        #expect(throws: (any Error).self) { try fast.validate() }
    }

    @Test func themesAndDirectCommandsComeFromOneList() throws {
        #expect(ThemeName.allCases.map(\.rawValue) == Theme.names)
        #expect(throws: (any Error).self) { try BrowseOptions.parse(["--theme", "neon"]) }
        #expect(try BrowseOptions.parse(["--theme", "high-contrast"]).theme == .highContrast)
        for sub in ErrscopeCommand.configuration.subcommands {
            let name = try #require(sub.configuration.commandName)
            #expect(ErrscopeCommand.directCommand(name) == sub, "\(name)")
        }
        #expect(ErrscopeCommand.directCommand("nope") == nil)
    }

    /// Every spelling the fast paths read is one ArgumentParser accepts for the same option.
    @Test func everyFastPathSpellingParsesInArgumentParser() throws {
        for s in Spelling.system.spellings { #expect(try Lookup.parse([s, "bodhi", "x"]).system == "bodhi") }
        for s in Spelling.long.spellings { #expect(try Lookup.parse([s, "x"]).long) }
        #expect(try Decode.parse(["-H", "a: b", "--header", "c: d"]).headers == ["a: b", "c: d"])
        #expect(try Render.parse(["x", "-s", "bodhi"]).system == "bodhi")
        for s in Spelling.mouse.spellings { #expect(try BrowseOptions.parse([s]).mouse == (s == "--mouse")) }
    }
}
