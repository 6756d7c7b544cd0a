import Foundation
import Testing

/// A private tmux server running one command, for end-to-end tests of the real binary.
/// Tests poll the screen for text instead of sleeping a fixed time.
final class TmuxSession {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = packageRoot.appendingPathComponent(".build/debug/errscope").path
    static var tmuxPath: String? {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static var available: Bool { tmuxPath != nil && FileManager.default.isExecutableFile(atPath: binary) }

    let socket: String
    let config: URL

    /// Starts `command` (a shell line) in a new session of the given size.
    init(_ command: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        socket = "errscope-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        config = FileManager.default.temporaryDirectory.appendingPathComponent(socket)
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        var args = ["new-session", "-d", "-s", "s", "-x", "\(width)", "-y", "\(height)", "-e", "LANG=C.UTF-8",
                    "-e", "TERM=xterm-256color", "-e", "ERRSCOPE_CONFIG_DIR=\(config.path)", "-e", "XDG_CONFIG_HOME=\(config.path)"]
        for (k, v) in environment { args += ["-e", "\(k)=\(v)"] }
        args.append(command)
        try tmux(args, capture: false)
    }

    deinit {
        _ = try? tmux(["kill-server"], capture: false)
        try? FileManager.default.removeItem(at: config)
    }

    /// Runs a tmux client command and returns its output. posix_spawn + waitpid, output to a
    /// temporary file: the tmux server inherits the client's descriptors (a pipe would never
    /// reach end of file) and Foundation's Process can leave the client unreaped.
    @discardableResult
    func tmux(_ args: [String], capture: Bool = true) throws -> String {
        try Self.run([Self.tmuxPath!, "-L", socket, "-f", "/dev/null"] + args, capture: capture)
    }

    static func run(_ argv: [String], capture: Bool = true) throws -> String {
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-e2e-\(UUID().uuidString)").path
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        // A clean signal mask and default dispositions: the test runner's threads block signals,
        // and tmux would pass that on to the program under test.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, &cargs, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard capture else { return "" }
        return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    }

    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", "s"] + keys) }
    /// Types text literally (no key-name interpretation).
    func type(_ text: String) throws { try tmux(["send-keys", "-t", "s", "-l", text]) }
    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "s"]) }
    func resize(_ w: Int, _ h: Int) throws { try tmux(["resize-window", "-t", "s", "-x", "\(w)", "-y", "\(h)"]) }
    func alternateScreenOn() throws -> Bool {
        try tmux(["display", "-p", "-t", "s", "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }
    func panePID() throws -> Int32 {
        Int32(try tmux(["display", "-p", "-t", "s", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Waits until `predicate` holds for the screen; returns it. Fails after `timeout` seconds.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 10, sourceLocation: SourceLocation = #_sourceLocation,
                 _ predicate: (String) -> Bool) throws -> String
    {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if predicate(last) { return last }
            usleep(20_000)
        }
        Issue.record("timed out waiting for \(what); screen was:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    @discardableResult
    func waitFor(text: String, timeout: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try waitFor("“\(text)”", timeout: timeout, sourceLocation: sourceLocation) { $0.contains(text) }
    }
}
