import ArgumentParser
import ErrscopeBundled
import ErrscopeCore
import ErrscopeDemo
import ErrscopeJournal
import ErrscopeProbe
import ErrscopeProbeClient
import ErrscopeTUI
import ErrscopeTerminal
import Foundation

/// The `errscope` command line. `ErrscopeCommand.main()` runs it; tests call `run(arguments:)`.
public struct ErrscopeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "errscope",
        abstract: "Explore API error codes: what a code means, how it looks in every envelope, what an endpoint returns.",
        discussion: """
            With no arguments in a terminal, opens the interactive browser; otherwise prints this help.
            `errscope --demo` starts the demo server in-process and opens the browser with endpoints
            that point at it: the quickest way to try the probe pane.

            Exit codes: 0 success / found; 1 not found, unknown or lint errors; 64 usage error;
            66 input missing or unreadable; 70 internal error.
            """,
        subcommands: [Lookup.self, Decode.self, Render.self, Probe.self, CatalogCommand.self, Envelopes.self, Browse.self, Config.self, JournalCommand.self, DemoServerCommand.self])

    @OptionGroup var browse: BrowseOptions

    public init() {}

    public mutating func run() throws {
        guard browse.hasTerminal else {
            Output.line(Self.helpMessage())
            return
        }
        try browse.run()
    }

    /// Commands `main` dispatches to directly: parsing from the root makes ArgumentParser reflect
    /// every command in the tree (about 3 ms); `lookup` must answer in under 10 ms.
    /// Read from the subcommand list itself (no reflection: each configuration is a plain value).
    static func directCommand(_ name: String) -> (any ParsableCommand.Type)? {
        configuration.subcommands.first { $0.configuration.commandName == name }
    }

    /// The process entry point.
    public static func runFromCommandLine() {
        processStart = CursesTerminal.monotonicNanos()
        let args = Array(CommandLine.arguments.dropFirst())
        let command: any ParsableCommand.Type
        let run: () throws -> Void
        if Terminal.stdinIsTerminal && Terminal.stdoutIsTerminal, let settings = BrowseSettings.fastParse(args) {
            (command, run) = (ErrscopeCommand.self, settings.run)
        } else if let first = args.first, let direct = directCommand(first) {
            let rest = Array(args.dropFirst())
            if first == "lookup", let request = LookupRequest.fastParse(rest) {
                (command, run) = (Lookup.self, request.run)
            } else if first == "decode", let request = DecodeRequest.fastParse(rest) {
                (command, run) = (Decode.self, { try request.validate(); try request.run() })
            } else {
                // What ArgumentParser's `main(_:)` does, but ending through `finish`.
                (command, run) = (direct, {
                    var parsed = try direct.parseAsRoot(rest)
                    try parsed.run()
                })
            }
        } else {
            main()
            return
        }
        do {
            try run()
        } catch {
            finish(error, command)
        }
    }

    /// Ends a directly dispatched command that threw. A bare `ExitCode` (a status with nothing to
    /// print: `lookup` found no code, `decode` recognised no envelope, the browser ended by a
    /// signal) exits at once; ArgumentParser's `exit(withError:)` would first build the command's
    /// help model by reflection (`lookup` of an unknown code: 9.4 ms against 7.2 for a known one).
    /// Anything else goes to ArgumentParser, which prints it.
    static func finish(_ error: any Error, _ command: any ParsableCommand.Type) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        command.exit(withError: error)
    }
}

nonisolated(unsafe) var processStart: UInt64 = 0

/// Options of the interactive browser (also accepted by `errscope` itself).
struct BrowseOptions: ParsableArguments {
    @Option(name: Spelling.theme.names, help: ArgumentHelp("Colour theme.", valueName: "name"))
    var theme: ThemeName?

    @Flag(name: Spelling.mouse.names, inversion: .prefixedNo, help: "Mouse support (click to select, wheel to scroll); off by default.")
    var mouse: Bool?

    @Flag(help: "Start the demo server (all five seed systems) on 127.0.0.1 and open the probe pane on it.")
    var demo = false

    @Option(name: .customLong("demo-port"), help: ArgumentHelp("With --demo: the port (default: any free one).", valueName: "port"))
    var demoPort: Int?

    @Option(name: Spelling.endpoints.names, help: ArgumentHelp("The endpoints file for the probe pane (default: $XDG_CONFIG_HOME/errscope/endpoints.yaml).", valueName: "path"))
    var endpoints: String?

    @Flag(name: Spelling.noJournal.names, help: "Do not record the probe pane's probes in the journal.")
    var noJournal = false

    @Option(name: .customLong("log"), help: ArgumentHelp("Follow a gateway or application log in the incident pane, like tail -F (`-`: standard input).", valueName: "file"))
    var log: String?

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        if let p = demoPort, !(0...65535).contains(p) { throw ValidationError("--demo-port must be 0-65535") }
        if demoPort != nil && !demo { throw ValidationError("--demo-port goes with --demo") }
    }

    func run() throws { try settings.run() }

    /// Whether the browser has a terminal to draw on: both ends of one, or (`errscope --log - <
    /// app.log`, the log on standard input) an output terminal, with /dev/tty for keys.
    var hasTerminal: Bool {
        Terminal.stdoutIsTerminal && (Terminal.stdinIsTerminal || log == "-")
    }

    /// What was asked, apart from how it was parsed.
    var settings: BrowseSettings {
        BrowseSettings(theme: theme?.rawValue, mouse: mouse, demo: demo, demoPort: demoPort, endpoints: endpoints, noJournal: noJournal,
                       catalogPaths: catalogOptions.paths, noUserCatalogs: catalogOptions.noUserCatalogs, log: log)
    }
}

/// A parsed `errscope [browse options]`: ArgumentParser's `BrowseOptions` and the start-up fast
/// path (`fastParse`) both end here.
struct BrowseSettings: Equatable {
    var theme: String?
    var mouse: Bool?
    var demo = false
    var demoPort: Int?
    var endpoints: String?
    var noJournal = false
    var catalogPaths: [String] = []
    var noUserCatalogs = false
    var log: String? = nil

    /// Parses plain `errscope` and its common options without ArgumentParser, which parses from
    /// the root here and reflects the whole command tree: 13.8 -> 8.0 ms before the first paint
    /// (docs/PERFORMANCE.md). Returns nil, for ArgumentParser to handle, for anything else: a
    /// subcommand, help, `--opt=value`, repeats, an unknown theme, `--demo`.
    static func fastParse(_ args: [String]) -> BrowseSettings? {
        guard let a = PlainArguments(args, flags: Spelling.table([.noUserCatalogs, .mouse, .noJournal]),
                                     options: Spelling.table([.theme, .endpoints, .catalog]), repeatable: [Spelling.catalog.long]),
            a.positionals.isEmpty
        else { return nil }
        // An unknown theme is ArgumentParser's to report.
        if let t = a.option("theme"), ThemeName(rawValue: t) == nil { return nil }
        return BrowseSettings(theme: a.option("theme"), mouse: a.flags["mouse"].map { $0 == "--mouse" }, endpoints: a.option("endpoints"),
                              noJournal: a.flags["no-journal"] != nil, catalogPaths: a.options["catalog"] ?? [],
                              noUserCatalogs: a.flags["no-user-catalogs"] != nil)
    }

    func run() throws {
        // `--log -`: the log is standard input, so the terminal is taken from /dev/tty (fd 0
        // becomes the terminal; the log's descriptor is kept for the follower).
        var logStdinFD: Int32?
        if log == "-", !Terminal.stdinIsTerminal {
            let kept = dup(STDIN_FILENO)
            let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
            guard kept >= 0, tty >= 0 else { throw ValidationError("--log - needs a terminal to draw on (/dev/tty)") }
            dup2(tty, STDIN_FILENO)
            close(tty)
            logStdinFD = kept
        }
        let env = ProcessInfo.processInfo.environment
        let configPath = TUIConfig.path(environment: env)
        var config = TUIConfig()
        if let data = FileManager.default.contents(atPath: configPath) {
            config = TUIConfig.parse(String(decoding: data, as: UTF8.self), file: configPath)
        }
        let (keymap, keyProblems) = config.keymap()
        let catalog = CatalogOptions.load(paths: catalogPaths, noUserCatalogs: noUserCatalogs)
        var endpointsConfig = demo ? EndpointsConfig() : EndpointsConfig.load(path: endpoints ?? EndpointsConfig.path(environment: env))
        var demoServer: DemoServer?
        if demo {
            let server = try DemoServer(catalog: catalog, port: demoPort ?? 0)
            let port = try Blocking.run { try await server.start() }
            demoServer = server
            endpointsConfig = EndpointsConfig.parse(DemoServer.endpointsYAML(port: port), file: "demo endpoints")
        }
        defer { if let s = demoServer { Blocking.run { await s.stop() } } }
        let size = Terminal.size()
        var state = AppState(data: BrowserData(catalog: catalog), width: size.width, height: size.height, keymap: keymap,
                             endpoints: endpointsConfig)
        if demo {
            state.focus = .probe
            state.probe.row = .send
            state.message = StatusMessage(text: "demo server on 127.0.0.1: ←/→ pick an endpoint and request, s sends", isError: false)
        }
        let service = LiveProbeService(catalog: catalog, journaling: !noJournal)
        let problems = config.problems + keyProblems + catalog.errors.map(\.description) + endpointsConfig.problems + endpointsConfig.warnings
        if let first = problems.first {
            state.message = StatusMessage(text: problems.count == 1 ? first : "\(first) (+\(problems.count - 1) more; see stderr after quitting)", isError: true)
        }
        let noColor = !(env["NO_COLOR"] ?? "").isEmpty
        let status = CursesTerminal.run(state, options: .init(
            themeName: theme ?? config.theme ?? "dark", noColor: noColor, mouse: mouse ?? config.mouse ?? false,
            tracePath: env["ERRSCOPE_TRACE"], startTime: processStart, probeService: service, log: log, logStdinFD: logStdinFD))
        for p in problems.prefix(20) { Output.warn(p) }
        if status != 0 { throw ExitCode(status) }
    }
}

struct Browse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browse", abstract: "Open the interactive browser (what `errscope` does in a terminal).").topLevel

    @OptionGroup var options: BrowseOptions

    func run() throws {
        guard options.hasTerminal else {
            throw ValidationError("the browser needs a terminal; use lookup, decode or render in scripts")
        }
        try options.run()
    }
}

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Where the config file is.", subcommands: [Path.self]).topLevel

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "path", abstract: "Print the config file's path ($ERRSCOPE_CONFIG_DIR, $XDG_CONFIG_HOME).")
        func run() throws { Output.line(TUIConfig.path()) }
    }
}

extension CommandConfiguration {
    /// A subcommand that `main` may run directly: usage still reads `errscope <name>`.
    var topLevel: CommandConfiguration {
        var c = self
        c._superCommandName = "errscope"
        return c
    }
}

/// Options shared by every command that reads catalogs.
struct CatalogOptions: ParsableArguments {
    @Option(name: Spelling.catalog.names, help: ArgumentHelp("Extra catalog file or folder (repeatable).", valueName: "path"))
    var paths: [String] = []

    @Flag(name: Spelling.noUserCatalogs.names, help: "Ignore $XDG_CONFIG_HOME/errscope/catalogs.")
    var noUserCatalogs = false

    func load() -> Catalog { Self.load(paths: paths, noUserCatalogs: noUserCatalogs) }

    static func load(paths: [String], noUserCatalogs: Bool) -> Catalog {
        let sources = CatalogSources(
            bundled: BundledCatalogData.files,
            userDirectory: noUserCatalogs ? nil : CatalogSources.defaultUserDirectory(),
            extra: paths)
        let catalog = sources.load()
        for d in catalog.errors { Output.warn(d.description) }
        return catalog
    }
}

/// Where output goes; tests replace it to capture output in-process.
enum Output {
    nonisolated(unsafe) static var out: (String) -> Void = { print($0) }
    nonisolated(unsafe) static var err: (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }
    nonisolated(unsafe) static var width: Int = Terminal.width()
    nonisolated(unsafe) static var stdinReader: () -> FileHandle = { FileHandle.standardInput }

    static func line(_ s: String = "") { out(s) }
    static func warn(_ s: String) { err("errscope: " + s) }
    /// Pushes buffered standard output out now (a pipe is block-buffered): for streams such as
    /// `probe --watch` whose lines a reader wants as they happen.
    nonisolated(unsafe) static var flush: () -> Void = { fflush(nil) }
}

enum Terminal {
    static func width() -> Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n > 20 { return n }
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 20 { return Int(ws.ws_col) }
        return 120
    }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static func size() -> (width: Int, height: Int) {
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return (Int(ws.ws_col), Int(ws.ws_row)) }
        return (80, 24)
    }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
}

extension ExitCode {
    static let notFound = ExitCode(1)
    static let noInput = ExitCode(66)
}

/// Runs the CLI with `arguments`, capturing output: the in-process entry point for tests.
public enum ErrscopeCLI {
    public struct Result: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
    }

    /// `run` swaps process-wide output hooks: calls from different threads (test suites in several
    /// targets run in one process) take turns.
    static let runLock = NSLock()

    public static func run(arguments: [String], stdin: String? = nil, width: Int = 120) -> Result {
        runLock.lock()
        defer { runLock.unlock() }
        var out = "", err = ""
        let (o, e, w, s) = (Output.out, Output.err, Output.width, Output.stdinReader)
        Output.out = { out += $0 + "\n" }
        Output.err = { err += $0 + "\n" }
        Output.width = width
        if let stdin {
            let pipe = Pipe()
            // Write from another thread: a body larger than the pipe buffer would block here.
            let data = stdin.data(using: .utf8)!
            let writer = pipe.fileHandleForWriting
            Thread.detachNewThread {
                writer.write(data)
                try? writer.close()
            }
            Output.stdinReader = { pipe.fileHandleForReading }
        }
        defer { (Output.out, Output.err, Output.width, Output.stdinReader) = (o, e, w, s) }
        do {
            var command = try ErrscopeCommand.parseAsRoot(arguments)
            try command.run()
            return Result(exitCode: 0, stdout: out, stderr: err)
        } catch {
            let code = ErrscopeCommand.exitCode(for: error)
            let message = ErrscopeCommand.fullMessage(for: error)
            if !message.isEmpty { (code.rawValue == 0 ? Output.out : Output.err)(message) }
            return Result(exitCode: code.rawValue, stdout: out, stderr: err)
        }
    }
}
