import ErrscopeCLI
import Foundation
import Testing

/// `errscope lookup` as a process parses its arguments on a fast path that skips ArgumentParser
/// (its reflection is a quarter of the command's start-up); in-process runs always go through
/// ArgumentParser. Each argument shape below must give the same output and exit code both ways,
/// including the shapes the fast path hands over to ArgumentParser.
@Suite("lookup: the binary's fast path agrees with ArgumentParser", .serialized, .enabled(if: Binary.available))
struct LookupBinaryTests {
    static let catalogYAML = """
        errscope: 1
        system:
          id: fastpath-test
          name: Fast path test
        domains:
          - {id: general, title: General}
        codes:
          - code: FASTPATH_ONLY
            domain: general
            http: 418
            meaning: "A code only this test's catalog has."
            retry: "no"
            retry_reason: "It never works."
        """

    @Test(arguments: [
        ["data_service_error-alias_not_found"],
        ["429", "--json"],
        ["--json", "429"],
        ["-s", "bodhi", "429"],
        ["429", "--system", "bodhi", "--long"],
        ["not_found_error", "-l"],
        ["mcp_error-*"],
        ["no_such_code_anywhere"],
        ["429", "--system", "no-such-system"],
        ["FASTPATH_ONLY", "--catalog", "CATALOG"],
        ["FASTPATH_ONLY", "--json", "--catalog", "CATALOG", "--catalog", "CATALOG"],
        // Shapes the fast path leaves to ArgumentParser:
        ["--system=bodhi", "429"],
        ["429", "--json", "--json"],
        ["-ls", "bodhi", "429"],
        ["--", "-weird"],
        ["429", "--bogus"],
        ["429", "extra"],
        ["--system"],
        [],
    ])
    func sameAnswerBothWays(_ shape: [String]) throws {
        let dir = try TempDir()
        let catalog = dir.file("fastpath.yaml")
        try Self.catalogYAML.write(toFile: catalog, atomically: true, encoding: .utf8)
        let args = ["lookup", "--no-user-catalogs"] + shape.map { $0 == "CATALOG" ? catalog : $0 }
        let process = try Binary.run(args, environment: ["COLUMNS": "120"])
        let inProcess = ErrscopeCLI.run(arguments: args, width: 120)
        #expect(process.status == inProcess.exitCode)
        #expect(process.stdout == inProcess.stdout)
        // The message itself; the usage lines ArgumentParser appends to a usage error name the
        // command differently when it parsed from the root (in process) or from `lookup`.
        #expect(process.stderr.split(separator: "\n").first == inProcess.stderr.split(separator: "\n").first)
    }
}
