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

    @Option(name: .shortAndLong, help: "Only this system (catalog id).")
    var system: String?

    @Flag(name: .shortAndLong, help: "Print every match in full, not as a table.")
    var long = false

    @Flag(help: "Print JSON: an array of matches.")
    var json = false

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        let catalog = catalogOptions.load()
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
                Present.card(hit.entry, basis: hit.basis)
            }
        } else {
            Present.table(hits)
        }
        if hits.isEmpty { throw ExitCode.notFound }
    }
}
