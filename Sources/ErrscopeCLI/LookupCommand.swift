import ArgumentParser
import ErrscopeCore
import Foundation

struct Lookup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Find a code across every catalog, like err.exe.",
        discussion: """
            QUERY is a code (data_service_error-alias_not_found), a wildcard or prefix (mcp_error-*),
            an HTTP status (429), a type (not_found_error) or a gRPC status (NOT_FOUND).
            Exit 0 when something matched, 1 when nothing did.
            """).topLevel

    @Argument(help: "Code, wildcard, prefix, HTTP status, type or gRPC status.")
    var query: String

    @OptionGroup var systemOption: SystemOption
    var system: String? { systemOption.system }

    @Flag(name: Spelling.long.names, help: "Print every match in full, not as a table.")
    var long = false

    @Flag(name: Spelling.json.names, help: "Print JSON: an array of matches.")
    var json = false

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        try request.run()
    }

    /// What was asked, apart from how it was parsed.
    var request: LookupRequest {
        LookupRequest(query: query, system: system, long: long, json: json,
                      catalogPaths: catalogOptions.paths, noUserCatalogs: catalogOptions.noUserCatalogs)
    }
}

/// A parsed `errscope lookup`: ArgumentParser's `Lookup` and the start-up fast path
/// (`LookupRequest.fastParse`) both end here.
struct LookupRequest: Equatable {
    var query: String
    var system: String?
    var long = false
    var json = false
    var catalogPaths: [String] = []
    var noUserCatalogs = false

    /// Parses the common shapes of `lookup` arguments without ArgumentParser, whose reflection of
    /// the command's property wrappers costs about 2.5 ms of a 9 ms process (docs/PERFORMANCE.md).
    /// Returns nil for anything it does not handle exactly as ArgumentParser would (help, `--`,
    /// `--opt=value`, bundled short flags, a query that starts with `-`, repeats, unknown
    /// options): those go through ArgumentParser. A test checks that both parse every shape
    /// here into the same request.
    static func fastParse(_ args: [String]) -> LookupRequest? {
        guard let a = PlainArguments(args, flags: Spelling.table([.json, .long, .noUserCatalogs]),
                                     options: Spelling.table([.system, .catalog]), repeatable: [Spelling.catalog.long]),
            a.positionals.count == 1, let query = a.positionals.first, !query.isEmpty
        else { return nil }
        return LookupRequest(query: query, system: a.option("system"), long: a.flags["long"] != nil, json: a.flags["json"] != nil,
                             catalogPaths: a.options["catalog"] ?? [], noUserCatalogs: a.flags["no-user-catalogs"] != nil)
    }

    func run() throws {
        let catalog = CatalogOptions.load(paths: catalogPaths, noUserCatalogs: noUserCatalogs)
        if let s = system, catalog.system(s) == nil {
            throw ValidationError("unknown system `\(s)`; known: \(catalog.systems.map(\.id).joined(separator: ", "))")
        }
        let hits = catalog.lookup(query, system: system)
        if json {
            Output.line(JSONValue.array(hits.map { Present.json($0.entry, basis: $0.basis) }).prettyText)
        } else if hits.isEmpty {
            Output.err("errscope: no code matches `\(TerminalText.singleLine(query, limit: 80))`\(system.map { " in \($0)" } ?? "")")
            let near = catalog.suggestions(for: query)
            if !near.isEmpty {
                Output.err("did you mean: " + near.map { "\($0.code) (\($0.system))" }.joined(separator: ", "))
            }
        } else if long || hits.count <= 2 {
            for (i, hit) in hits.enumerated() {
                if i > 0 { Output.line() }
                Present.card(hit.entry, basis: hit.basis, traffic: catalog.traffic)
            }
        } else {
            Present.table(hits)
        }
        if hits.isEmpty { throw ExitCode.notFound }
    }
}
