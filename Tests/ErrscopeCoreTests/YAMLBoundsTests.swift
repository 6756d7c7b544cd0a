import ErrscopeCore
import Foundation
import Testing

/// Billion laughs: ten anchors, each a list of nine aliases to the one before (9^9 strings).
func aliasBomb(levels: Int = 9, top: String = "codes") -> String {
    var lines = ["errscope: 1", #"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
    for i in 1...levels { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
    lines.append("\(top): *a\(levels)")
    return lines.joined(separator: "\n") + "\n"
}

@Suite("YAML is read bounded: aliases, depth, duplicate keys, BOM")
struct YAMLBoundsTests {
    @Test func anAliasBombIsRefusedAtOnceWithItsLine() throws {
        let text = aliasBomb()
        #expect(text.utf8.count < 700)
        let start = ContinuousClock.now
        #expect(throws: YAMLReader.Failure.self) { _ = try YAMLReader.compose(text) }
        do { _ = try YAMLReader.compose(text) } catch {
            #expect(error.message.contains("alias"))
            #expect(error.line > 1 && error.line <= 12, "names a line of the file: \(error)")
        }
        // As a catalog: one clear error, no time or memory spent on the expansion.
        var loader = CatalogLoader()
        loader.loadYAML(text, file: "bomb.yaml")
        let catalog = loader.finish()
        #expect(catalog.diagnostics.contains { $0.file == "bomb.yaml" && $0.line > 0 && $0.message.contains("alias") })
        #expect(ContinuousClock.now - start < .seconds(8))  // unbounded: 17 s and 3 GB
    }

    @Test func aliasesAsMappingKeysAreMeasuredBeforeYamsHashesThem() throws {
        // A bomb in complex keys: Yams would hash each expanded key to check for duplicates.
        var lines = [#"a0: &a0 {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8}"#]
        for i in 1...9 {
            lines.append("a\(i): &a\(i) {" + (0..<8).map { "k\($0): *a\(i - 1)" }.joined(separator: ", ") + "}")
        }
        lines.append("? *a9\n: 1")
        #expect(throws: YAMLReader.Failure.self) { _ = try YAMLReader.compose(lines.joined(separator: "\n")) }
    }

    @Test func modestAliasUseStillWorks() throws {
        // Merge keys as people use them: one defaults block, many entries.
        var text = "defaults: &d {domain: auth, http: 401, retry: \"no\"}\ncodes:\n"
        for i in 0..<2000 { text += "  - {<<: *d, code: C\(i)}\n" }
        let node = try #require(try YAMLReader.compose(text))
        #expect(node["codes"]?.sequence?.count == 2000)
    }

    @Test func deepNestingIsRefused() {
        let text = "x: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: YAMLReader.Failure.self) { _ = try YAMLReader.compose(text) }
        let block = (0..<300).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        do { _ = try YAMLReader.compose(block); Issue.record("300 levels were read") } catch {
            #expect(error.message.contains("nested more than"))
            #expect(error.line == YAMLReader.maxDepth + 1)
        }
    }

    @Test func aliasesCannotNestPastTheDepthLimit() {
        // Each anchor is 200 levels deep and holds an alias to the one before: no single
        // document part is deeper than the limit, but the expansion is 200 levels per link.
        var text = ""
        for i in 0..<5 {
            let open = String(repeating: "[", count: 200), close = String(repeating: "]", count: 200)
            text += "a\(i): &a\(i) \(open)\(i == 0 ? "x" : "*a\(i - 1)")\(close)\n"
        }
        do { _ = try YAMLReader.compose(text); Issue.record("accepted") } catch {
            #expect(error.message.contains("aliases nest"), "\(error)")
        }
    }

    @Test func duplicateKeysNameTheLineAndStayShort() throws {
        // A big file: the error must not carry it.
        var text = "errscope: 1\nsystem: {id: dup, name: Dup}\ncodes:\n"
        for i in 0..<20_000 { text += "  - code: C\(i)\n    http: 400\n    meaning: m\n" }
        text += "  - code: LAST\n    http: 400\n    meaning: m\n    http: 401\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        do { _ = try YAMLReader.compose(text); Issue.record("duplicates accepted") } catch {
            #expect(error.line == lines - 1, "\(error)")
            #expect(error.message.contains("duplicate key `http`") && error.message.contains("first on line \(lines - 3)"), "\(error)")
            #expect(error.description.count < 200)
        }
        var loader = CatalogLoader()
        loader.loadYAML(text, file: "dup.yaml")
        let d = try #require(loader.finish().diagnostics.first { $0.file == "dup.yaml" })
        #expect(d.line == lines - 1 && d.message.count < 200, "\(d)")
    }

    @Test func duplicateKeysInAWindowsFileNameTheDuplicate() throws {
        let text = "errscope: 1\r\ncodes:\r\n  - code: A\r\n    http: 400\r\n    http: 401\r\n"
        do { _ = try YAMLReader.compose(text); Issue.record("accepted") } catch {
            #expect(error.line == 5 && error.message.contains("first on line 4"), "\(error)")
        }
    }

    @Test func aByteOrderMarkIsAccepted() throws {
        let text = "\u{FEFF}errscope: 1\nsystem: {id: bomsys, name: BOM}\ncodes:\n  - {code: X1, domain: d, http: 400, meaning: m, retry: \"no\"}\ndomains: [{id: d, title: D}]\n"
        #expect(try YAMLReader.compose(text)?["errscope"]?.int == 1)
        var loader = CatalogLoader()
        loader.loadYAML(text, file: "bom.yaml")
        let catalog = loader.finish()
        #expect(catalog.system("bomsys") != nil, "\(catalog.diagnostics)")
        #expect(try CatalogDocument.json(fromYAML: text).objectValue?["errscope"] == 1)
    }

    @Test func anUnknownJSONKindInADetectionRuleIsALintError() {
        // It used to be accepted and silently never match.
        let text = """
            errscope: 1
            envelopes:
              - id: typo-env
                detect:
                  require:
                    - {path: error, is: strin}
                template: {error: "${message}"}
            """
        var loader = CatalogLoader()
        loader.loadYAML(text, file: "typo.yaml")
        let catalog = loader.finish()
        #expect(catalog.errors.contains { $0.file == "typo.yaml" && $0.line == 6 && $0.message.contains("`is: strin` is not a JSON kind") }, "\(catalog.diagnostics)")
        #expect(catalog.envelope("typo-env") == nil)
    }
}
