import ArgumentParser

/// How an option or flag is spelled on the command line: the one table both ArgumentParser's
/// declarations (`names`) and the start-up fast paths (`spellings`) read, so the two cannot drift
/// (the fast paths' tests parse every shape both ways).
struct Spelling: Sendable {
    let short: Character?
    let long: String
    /// `--no-<long>` is the flag's inversion.
    var invertible = false

    /// For `@Option(name:)` / `@Flag(name:)`.
    var names: NameSpecification {
        short.map { [.customShort($0), .customLong(long)] } ?? [.customLong(long)]
    }

    /// Every way to write it: `-s`, `--system` (and `--no-mouse` for an invertible flag).
    var spellings: [String] {
        (short.map { ["-\($0)"] } ?? []) + ["--\(long)"] + (invertible ? ["--no-\(long)"] : [])
    }

    static let system = Spelling(short: "s", long: "system")
    static let header = Spelling(short: "H", long: "header")
    static let json = Spelling(short: nil, long: "json")
    static let long = Spelling(short: "l", long: "long")
    static let catalog = Spelling(short: nil, long: "catalog")
    static let noUserCatalogs = Spelling(short: nil, long: "no-user-catalogs")
    static let theme = Spelling(short: nil, long: "theme")
    static let endpoints = Spelling(short: nil, long: "endpoints")
    static let mouse = Spelling(short: nil, long: "mouse", invertible: true)
    static let noJournal = Spelling(short: nil, long: "no-journal")
    static let status = Spelling(short: nil, long: "status")
    static let path = Spelling(short: nil, long: "path")
    static let jsonl = Spelling(short: nil, long: "jsonl")
    static let summary = Spelling(short: nil, long: "summary")
    static let statusField = Spelling(short: nil, long: "status-field")
    static let bodyField = Spelling(short: nil, long: "body-field")
    static let timeField = Spelling(short: nil, long: "time-field")

    /// A `PlainArguments` name table: every spelling of each entry, keyed by its long name.
    static func table(_ entries: [Spelling]) -> [String: String] {
        var t: [String: String] = [:]
        for e in entries { for s in e.spellings { t[s] = e.long } }
        return t
    }
}

/// `-s/--system`, shared by lookup, decode, probe and render.
struct SystemOption: ParsableArguments {
    @Option(name: Spelling.system.names, help: ArgumentHelp("The system (catalog id): the one that answered, or whose code is meant.", valueName: "system"))
    var system: String?
}

/// `-H/--header`, shared by decode (a response header) and probe (a request header).
struct HeaderOptions: ParsableArguments {
    @Option(name: Spelling.header.names, help: ArgumentHelp("A header (repeatable): the response's for decode, the request's for probe (an empty value removes it).",
                                                        valueName: "Name: value"))
    var headers: [String] = []
}

/// The colour themes (`--theme`), checked by ArgumentParser.
enum ThemeName: String, CaseIterable, ExpressibleByArgument, Sendable {
    case dark, light, highContrast = "high-contrast", mono
}
