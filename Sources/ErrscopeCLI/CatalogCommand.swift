import ArgumentParser
import ErrscopeBundled
import ErrscopeCore
import Foundation

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "List, lint and export catalogs.",
        subcommands: [List.self, Lint.self, Export.self]).topLevel

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the systems with their code counts and files.")
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var catalogOptions: CatalogOptions

        func run() throws {
            let catalog = catalogOptions.load()
            let counts = Dictionary(grouping: catalog.entries, by: \.system).mapValues(\.count)
            if json {
                Output.line(JSONValue.array(catalog.systems.map { s in
                    ["id": .string(s.id), "name": .string(s.name), "codes": .int(Int64(counts[s.id] ?? 0)),
                     "domains": .int(Int64(Set(catalog.entries(system: s.id).map(\.domain)).count)),
                     "envelopes": .array(s.emits.map { .string($0.envelope) }),
                     "files": .array(s.files.map { .string($0) })]
                }).prettyText)
                return
            }
            Output.line("SYSTEM              CODES  ENVELOPES                                FILE")
            for s in catalog.systems {
                let env = s.emits.map(\.envelope).joined(separator: ",")
                Output.line(s.id.rightPad(18) + String(counts[s.id] ?? 0).leftPad(7) + "  "
                    + Present.safe(env.isEmpty ? "(translations only)" : env).rightPad(40) + " "
                    + Present.safe(s.files.joined(separator: ", ")))
            }
            Output.line("\(catalog.codeCount) codes, \(catalog.systems.count) systems, \(catalog.envelopes.count) envelopes")
        }
    }

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "lint", 
            abstract: "Check catalog files: schema, duplicates, bad statuses, unknown references, incomplete mappings.",
            discussion: "Prints file:line:col: severity: message. Exit 1 when there are errors (or warnings with --strict).")
        @Argument(help: "Files or folders to lint (default: the user catalogs folder).") var paths: [String] = []
        @Flag(help: "Treat warnings as errors.") var strict = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            var loader = CatalogLoader()
            for (name, j) in BundledCatalogData.files {
                loader.loadJSON(Array(UnsafeBufferPointer(start: j.utf8Start, count: j.utf8CodeUnitCount)), file: name)
            }
            let bundledCount = loader.diagnostics.count
            var targets = paths
            if targets.isEmpty, let dir = CatalogSources.defaultUserDirectory(), FileManager.default.fileExists(atPath: dir) {
                targets = [dir]
            }
            for p in targets { loader.load(path: p) }
            let catalog = loader.finish()
            // Show what concerns the linted files (and anything not tied to a file).
            var diags = Array(catalog.diagnostics.dropFirst(bundledCount))
            if !targets.isEmpty {
                diags = diags.filter { d in targets.contains { d.file.hasPrefix($0) } || !BundledCatalogData.files.contains { $0.name == d.file } }
            }
            if json {
                Output.line(JSONValue.array(diags.map { d in
                    ["file": .string(d.file), "line": .int(Int64(d.line)), "column": .int(Int64(d.column)),
                     "severity": .string(d.severity.rawValue), "message": .string(d.message)]
                }).prettyText)
            } else {
                for d in diags { Output.line(TerminalText.singleLine(d.description, limit: 1000)) }
                let e = diags.filter { $0.severity == .error }.count
                Output.err("\(targets.isEmpty ? "bundled catalogs" : targets.joined(separator: ", ")): \(e) error\(e == 1 ? "" : "s"), \(diags.count - e) warning\(diags.count - e == 1 ? "" : "s")")
            }
            if diags.contains(where: { $0.severity == .error || strict }) { throw ExitCode.notFound }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Export the catalogs as Markdown or JSON.")
        enum Format: String, ExpressibleByArgument { case markdown, json }
        @Option(help: "markdown or json.") var format: Format = .markdown
        @Option(name: .shortAndLong, help: "Only this system.") var system: String?
        @OptionGroup var catalogOptions: CatalogOptions

        func run() throws {
            let catalog = catalogOptions.load()
            let systems = catalog.systems.filter { system == nil || $0.id == system }
            if systems.isEmpty { throw ValidationError("unknown system `\(system ?? "")`") }
            switch format {
            case .json:
                Output.line(JSONValue.array(systems.map { s in
                    ["id": .string(s.id), "name": .string(s.name), "summary": s.summary.map { .string($0) } ?? .null,
                     "envelopes": .array(s.emits.map { e in ["envelope": .string(e.envelope), "paths": .array(e.paths.map { .string($0) })] }),
                     "codes": .array(catalog.entries(system: s.id).map { Present.json($0) })]
                }).prettyText)
            case .markdown:
                for s in systems {
                    Output.line("# \(Present.safe(s.name)) (`\(s.id)`)\n")
                    if let sum = s.summary { Output.line(Present.safe(sum) + "\n") }
                    if !s.emits.isEmpty {
                        Output.line("| Envelope | Paths | Carries code |\n| --- | --- | --- |")
                        for e in s.emits { Output.line("| \(Present.safe(e.envelope)) | \(e.paths.map { "`\(Present.safe($0))`" }.joined(separator: ", ")) | \(e.carriesCode ? "yes" : "no") |") }
                        Output.line("")
                    }
                    var lastDomain = ""
                    for e in catalog.entries(system: s.id) {
                        if e.domain != lastDomain {
                            lastDomain = e.domain
                            let title = s.domains.first { $0.id == e.domain }?.title
                            Output.line("\n## \(Present.safe(e.domain))\(title.map { " — \(Present.safe($0))" } ?? "")\n")
                            Output.line("| Code | HTTP | Retry | Meaning |\n| --- | --- | --- | --- |")
                        }
                        let cell = { (t: String) in Present.safe(t).replacingOccurrences(of: "|", with: "\\|") }
                        Output.line("| `\(cell(e.code))` | \(e.http) | \(e.retry?.rawValue ?? "") | \(cell(e.meaning)) |")
                    }
                    Output.line("")
                }
            }
        }
    }
}
