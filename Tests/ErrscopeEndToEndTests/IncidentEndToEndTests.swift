import Foundation
import Testing

/// Issue 12 §3 with the real binary in tmux: a log that grows while the test watches, is rotated
/// and truncated, and a log piped to standard input.
@Suite(.serialized, .enabled(if: TmuxSession.available, "needs tmux and .build/debug/errscope (scripts/test.sh installs and builds both)"))
struct IncidentEndToEndTests {
    let bin = TmuxSession.binary + " --no-user-catalogs"
    static let overloaded = #"{"ts":"2026-12-06T03:00:02Z","status":529,"body":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}}"#
    static let rateLimited = #"{"ts":"2026-12-06T03:00:05Z","status":429,"body":{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}}"#
    static let ollama = #"{"ts":"2026-12-06T03:01:00Z","status":404,"body":{"error":"model 'llama9' not found, try pulling it first"}}"#

    /// A fresh folder for the log (and the journal); removed by the caller.
    static func workDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-incident-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func append(_ path: String, _ lines: [String]) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile()
        h.write((lines.joined(separator: "\n") + "\n").data(using: .utf8)!)
        try h.close()
    }

    static func count(of label: String, in screen: String) -> Int? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        return line.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "│▶"))) }.first
    }

    @Test func aGrowingRotatedLogIsFollowedLive() throws {
        let dir = try Self.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("gateway.log").path
        FileManager.default.createFile(atPath: log, contents: Data((Self.overloaded + "\n").utf8))
        let t = try TmuxSession("\(bin) --log \(log)")
        let first = try t.waitFor("the first line counted") { $0.contains("anthropic/overloaded_error") && $0.contains("1 lines") }
        #expect(first.contains("▶ 5 Incident · gateway.log"))
        #expect(first.contains("following \(log)"))

        // The log grows while we watch.
        try append(log, Array(repeating: Self.overloaded, count: 4) + Array(repeating: Self.rateLimited, count: 2))
        let grown = try t.waitFor("seven lines") { $0.contains("7 lines") && $0.contains("anthropic/rate_limit_error") }
        #expect(Self.count(of: "anthropic/overloaded_error", in: grown) == 5)
        #expect(Self.count(of: "anthropic/rate_limit_error", in: grown) == 2)

        // Rotation: the file is moved away and a new one starts at the path.
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        FileManager.default.createFile(atPath: log, contents: Data((Self.ollama + "\n").utf8))
        let rotated = try t.waitFor("the new file read") { $0.contains("ollama/") && $0.contains("8 lines") }
        #expect(rotated.contains("rotated") || rotated.contains("a new file"))

        // Truncation (logrotate's copytruncate): seen when the file is shorter than what was
        // read, as tail -F sees it; then read again from the start.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try h.truncate(atOffset: 0)
        try h.close()
        try t.waitFor("the truncation noticed") { $0.contains("was truncated") }
        try append(log, [Self.ollama, Self.ollama])
        let truncated = try t.waitFor("the truncated file read again") { $0.contains("10 lines") }
        #expect(Self.count(of: "ollama/", in: truncated) == 3)

        // Sort by the code column, then Enter opens the row's code in the catalog.
        try t.send("s")
        try t.send("s")
        try t.waitFor("sorted by code") { $0.contains("system/code▲") }
        try t.send("Enter")
        let opened = try t.waitFor("the code opened") { $0.contains("▶ 2 Detail") || $0.contains("Ctrl-O returns to the incident") }
        #expect(opened.contains("overloaded_error"))
        try t.send("C-o")
        try t.waitFor("back in the incident pane") { $0.contains("▶ 5 Incident") }
        try t.send("q")
    }

    /// What the pane counted reaches the journal (on quit at the latest), and the Markdown
    /// export puts it in the timeline.
    @Test func theCountsJoinTheJournalsTimeline() throws {
        let dir = try Self.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("gw.log").path
        try ([Self.overloaded, Self.overloaded, Self.rateLimited].joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let t = try TmuxSession("\(bin) --log \(log)", environment: ["ERRSCOPE_STATE_DIR": dir.path])
        try t.waitFor("counted") { $0.contains("3 lines") }
        try t.send("q")
        // The pane closes with the program; the export then has the counts.
        var md = ""
        let deadline = Date().addingTimeInterval(10)
        repeat {
            usleep(100_000)
            md = (try? TmuxSession.run([TmuxSession.binary, "journal", "export", "--markdown", "--journal", dir.appendingPathComponent("journal.sqlite").path])) ?? ""
        } while !md.contains("anthropic/rate_limit_error") && Date() < deadline
        #expect(md.contains("## Timeline: logs and probes"), "\(md)")
        #expect(md.contains("2× `anthropic/overloaded_error` (529, overloaded)"))
        #expect(md.contains("1× `anthropic/rate_limit_error` (429, rate_limit)"))
        #expect(md.contains("log \(log)"))
    }

    @Test func aLogOnStandardInput() throws {
        let dir = try Self.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log").path
        try ([Self.overloaded, Self.overloaded, Self.ollama].joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let t = try TmuxSession("cat \(log) | \(bin) --log -")
        let screen = try t.waitFor("stdin counted") { $0.contains("3 lines") && $0.contains("anthropic/overloaded_error") }
        #expect(screen.contains("5 Incident · stdin"))
        // The keyboard still works: the terminal is /dev/tty, not the pipe.
        try t.send("z")
        try t.waitFor("zoomed") { !$0.contains("1 Catalog") && $0.contains("5 Incident") }
        try t.send("q")
    }
}
