import Foundation
import Testing

/// The probe pane of the real binary in tmux, against the in-process demo server
/// (`errscope --demo`), with the journal in a temporary directory.
@Suite(.serialized, .enabled(if: TmuxSession.available, "needs tmux and .build/debug/errscope (scripts/test.sh installs and builds both)"))
struct ProbeEndToEndTests {
    let bin = TmuxSession.binary + " --demo --no-user-catalogs"

    /// A fresh state directory (journal.sqlite goes there); removed by the caller.
    static func stateDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-e2e-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// `errscope journal list --journal <dir>/journal.sqlite [args]`, run as a subprocess.
    static func journal(_ dir: URL, _ args: [String] = []) throws -> String {
        try TmuxSession.run([TmuxSession.binary, "journal", "list", "--journal", dir.appendingPathComponent("journal.sqlite").path] + args)
    }

    /// The probes in the journal, from `journal list --json`.
    static func journalEntries(_ dir: URL) throws -> [[String: Any]] {
        let out = try journal(dir, ["--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(out.utf8))
        return try #require(parsed as? [[String: Any]], "journal list --json printed: \(out)")
    }

    /// errscope started from an interactive shell, so that the terminal can be read after it exits.
    func shell(state: URL) throws -> TmuxSession {
        let t = try TmuxSession("/bin/bash --norc --noprofile -i", environment: ["ERRSCOPE_STATE_DIR": state.path])
        try t.type("PS1='READY''$ '")
        try t.send("Enter")
        try t.waitFor(text: "READY$")
        try t.type("\(bin); echo exit=$?")
        try t.send("Enter")
        return t
    }

    /// errscope as the session's only program.
    func direct(state: URL) throws -> TmuxSession {
        try TmuxSession(bin, environment: ["ERRSCOPE_STATE_DIR": state.path])
    }

    /// Waits for the demo's probe pane, painted to the status line.
    @discardableResult
    func waitForPane(_ t: TmuxSession) throws -> String {
        try t.waitFor("the probe pane on the demo endpoints") {
            $0.contains("4 Probe") && $0.contains("‹ bodhi-demo · bodhi ›") && $0.contains("demo server on 127.0.0.1")
        }
    }

    /// Waits for `what`, then until the screen stops changing (a capture can land mid-paint).
    @discardableResult
    func settled(_ t: TmuxSession, _ what: String, timeout: Double = 10, sourceLocation: SourceLocation = #_sourceLocation,
                 _ predicate: (String) -> Bool) throws -> String
    {
        var last = try t.waitFor(what, timeout: timeout, sourceLocation: sourceLocation, predicate)
        for _ in 0..<50 {
            usleep(30_000)
            let now = try t.screen()
            if now == last && predicate(now) { return now }
            last = now
        }
        return last
    }

    /// `:probe ENDPOINT/REQUEST`, and waits until the form shows the request.
    func pick(_ t: TmuxSession, _ target: String) throws {
        try t.send(":")
        try t.type("probe \(target)")
        try t.send("Enter")
        let request = target.split(separator: "/").last.map(String.init) ?? target
        try t.waitFor(text: "‹ \(request) ›")
    }

    /// The request row's current name: `request  ‹ NAME › i/n`.
    static func requestName(_ screen: String) -> String? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("request  ‹ ") }),
              let open = line.range(of: "request  ‹ "), let close = line.range(of: " ›", range: open.upperBound..<line.endIndex)
        else { return nil }
        return String(line[open.upperBound..<close.lowerBound])
    }

    /// Rows of the watch timeline: `│ HH:MM:SS 200 ...`.
    static func timelineRows(_ screen: String) -> Int {
        let row = try! Regex(#"│ \d\d:\d\d:\d\d \d{3} "#)
        return screen.split(separator: "\n").filter { $0.contains(row) }.count
    }

    // MARK: -

    @Test func pickSendOpenTheCodeQuitAndTheJournalHasTheProbe() throws {
        let dir = try Self.stateDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try shell(state: dir)
        let first = try waitForPane(t)
        #expect(first.contains("demo server on 127.0.0.1"))
        #expect(!first.contains("timeline"), "nothing is sent on start")
        #expect(!first.contains("HTTP/1.1"))
        #expect(try Self.journalEntries(dir).isEmpty, "the journal has no probes before one is sent")

        // Keys only: to the top of the form, the request row, then → until unknown-model.
        try t.send("g")
        try t.send("Down")
        var screen = try t.screen()
        for _ in 0..<20 {
            guard let name = Self.requestName(screen), name != "unknown-model" else { break }
            try t.send("Right")
            screen = try t.waitFor("the request after \(name)") { Self.requestName($0) != name }
        }
        #expect(Self.requestName(screen) == "unknown-model")

        try t.send("s")
        let result = try settled(t, "the verdict") { $0.contains("data_service_error-alias_not_found") }
        #expect(result.contains("HTTP/1.1 404 Not Found"))
        #expect(result.contains("timeline"))

        try t.send("Enter")
        let opened = try settled(t, "the code in the tree and the mapping pane focused") {
            $0.contains("▶ 3 Mapping") && $0.contains("bodhi-native")
        }
        #expect(opened.contains("data_service_error-alias_not_found  bodhi / data_service_error"), "the detail pane shows the selected code")
        #expect(opened.split(separator: "\n").contains { $0.hasPrefix("│") && $0.contains("      data_service_error-alias_not_found") },
                "the tree is open down to the code")

        try t.send("q")
        try t.waitFor(text: "exit=0")
        #expect(try t.alternateScreenOn() == false)

        let entries = try Self.journalEntries(dir)
        #expect(entries.count == 1)
        #expect(entries.first?["status"] as? Int == 404)
        #expect(entries.first?["endpoint"] as? String == "bodhi-demo/unknown-model")
        let list = try Self.journal(dir)
        #expect(list.contains("404"))
        #expect(list.contains("bodhi-demo/unknown-model"))
    }

    /// Issue 12 §4: H re-opens a past probe from the journal; D puts two answers side by side.
    @Test func historyReopensAndDiffComparesFromTheJournal() throws {
        let dir = try Self.stateDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try direct(state: dir)
        try waitForPane(t)
        try pick(t, "bodhi-demo/unknown-model")
        try t.send("s")
        try settled(t, "the first verdict") { $0.contains("data_service_error-alias_not_found") && $0.contains("timeline") }
        try pick(t, "misbehave/escapes")
        try t.send("s")
        try settled(t, "the second verdict") { $0.contains("your key was revoked") }
        // D: the two answers side by side (the older one picked with ↓).
        try t.send("D")
        try t.waitFor("the history picker") { $0.contains("Pick a probe to compare with this answer") }
        try t.send("Down")
        try t.send("Enter")
        let diff = try settled(t, "the diff") { $0.contains("── diff: probe #1") }
        #expect(diff.contains("status 404") && diff.contains("status 400"))
        #expect(diff.contains("≠"))
        try t.send("Escape")
        try t.waitFor("the diff closed") { !$0.contains("── diff: probe #1") }
        // H: re-open the first probe's request in the form.
        try t.send("H")
        try t.waitFor("the history") { $0.contains("Pick a probe to re-open") }
        try t.send("Down")
        try t.send("Enter")
        let reopened = try t.waitFor("re-opened") { $0.contains("re-opened probe #1 from the journal") }
        #expect(reopened.contains("‹ unknown-model ›"))
        try t.send("q")
    }

    @Test func escapeSequencesInTheResponseDoNotReachTheTerminal() throws {
        let dir = try Self.stateDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try direct(state: dir)
        // Let an OSC 52 from the program create a tmux buffer, so that one would be seen.
        try t.tmux(["set-option", "-g", "set-clipboard", "on"])
        try waitForPane(t)
        let titleBefore = try t.tmux(["display", "-p", "-t", "s", "#{pane_title}"])
        try pick(t, "misbehave/escapes")
        try t.send("s")
        let screen = try settled(t, "the escapes verdict") { $0.contains("your key was revoked") }
        #expect(screen.contains("code      escape_sequences"))
        #expect(screen.contains("Invalid request"))
        // Not cleared: the title bar, the other panes and the probe frame are all still there.
        #expect(screen.hasPrefix(" errscope "))
        #expect(screen.contains("1 Catalog"))
        #expect(screen.contains("2 Detail"))
        #expect(screen.contains("4 Probe"))
        #expect(screen.split(separator: "\n").count == 40)

        let colored = try t.tmux(["capture-pane", "-p", "-e", "-t", "s"])
        #expect(!colored.contains("\u{1B}]52"))
        #expect(!colored.contains("\u{1B}]0;"))
        #expect(!colored.contains("\u{07}"))
        #expect(try t.tmux(["display", "-p", "-t", "s", "#{pane_title}"]) == titleBefore, "the window title was not changed")
        #expect(!(try t.tmux(["display", "-p", "-t", "s", "#{pane_title}"])).contains("pwned"))
        #expect(try t.tmux(["list-buffers"]).isEmpty, "no OSC 52 clipboard write reached tmux")
        try t.send("q")
    }

    @Test func escCancelsASlowProbeWithinASecond() throws {
        let dir = try Self.stateDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try direct(state: dir)
        try waitForPane(t)
        try pick(t, "misbehave/slow")
        try t.send("s")
        let elapsed = try Regex(#"waiting… (\d+\.\d) s"#)
        let waiting = try t.waitFor("waiting… with a running count") { s in
            guard let m = s.firstMatch(of: elapsed), let v = Double(s[m.range].dropFirst(9).dropLast(2)) else { return false }
            return v > 0
        }
        #expect(waiting.contains("Esc cancels"))
        #expect(waiting.contains("sending…"))
        let start = Date()
        try t.send("Escape")
        let cancelled = try t.waitFor(text: "probe cancelled", timeout: 1)
        #expect(Date().timeIntervalSince(start) < 1)
        #expect(!cancelled.contains("waiting…"))
        try t.send("q")
    }

    @Test func watchAddsTimelineRowsUntilStopped() throws {
        let dir = try Self.stateDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try direct(state: dir)
        try waitForPane(t)
        try pick(t, "bodhi-demo/ok")
        try t.send(":")
        try t.type("watch 0.5")
        try t.send("Enter")
        try t.waitFor(text: "watching every 0.5 s")
        let three = try t.waitFor("three timeline rows", timeout: 8) { Self.timelineRows($0) >= 3 }
        #expect(three.contains("timeline"))
        #expect(three.contains("HTTP/1.1 200"))

        try t.send("w")
        let off = try t.waitFor("watch off") { !$0.contains("watching every") && $0.contains("watch off") }
        // Stopped: over a second (two intervals) at most the probe that was in flight is added.
        let n = Self.timelineRows(off)
        var most = n
        let until = Date().addingTimeInterval(1)
        while Date() < until {
            most = max(most, Self.timelineRows(try t.screen()))
            usleep(50_000)
        }
        #expect(most <= n + 1, "the timeline went on growing after w: \(n) → \(most)")
        try t.send("q")
    }

    /// `e` hands the terminal to $EDITOR with the body, takes the edited text back, and the TUI
    /// is drawn again; the edited body is what gets sent.
    @Test func bodyEditedInEditorIsSent() throws {
        let dir = try Self.stateDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // An "editor" that replaces the file with a body naming a model the demo does not know.
        let editor = dir.appendingPathComponent("edit.sh").path
        try "#!/bin/sh\nprintf '%s' '{\"model\":\"edited-by-editor\",\"messages\":[]}' > \"$1\"\n".write(toFile: editor, atomically: true, encoding: .utf8)
        chmod(editor, 0o755)
        let t = try TmuxSession(bin, environment: ["ERRSCOPE_STATE_DIR": dir.path, "EDITOR": editor, "VISUAL": ""])
        try waitForPane(t)
        try pick(t, "bodhi-demo/ok")
        try t.send("e")
        try settled(t, "the edited body in the form") { $0.contains("edited-by-editor") && $0.contains("4 Probe") }
        try t.send("s")
        let s = try settled(t, "the verdict for the edited body") { $0.contains("alias 'edited-by-editor' not found") }
        #expect(s.contains("data_service_error"))
        try t.send("q")
    }

    @Test func ctrlCWhileAProbeIsInFlightQuitsCleanly() throws {
        let dir = try Self.stateDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try shell(state: dir)
        try waitForPane(t)
        try pick(t, "misbehave/slow")
        try t.send("s")
        try t.waitFor(text: "waiting…")
        #expect(try t.alternateScreenOn())
        try t.send("C-c")
        // (The typed line reads "exit=$?": wait for the status the shell printed.)
        let status = try Regex(#"exit=\d+"#)
        let after = try t.waitFor("errscope to exit", timeout: 3) { $0.contains(status) }
        #expect(after.contains("exit=0") || after.contains("exit=130"), "exit status: \(after.split(separator: "\n").last { $0.contains(status) } ?? "")")
        #expect(try t.alternateScreenOn() == false)
        try t.waitFor(text: "READY$ ")
    }
}
