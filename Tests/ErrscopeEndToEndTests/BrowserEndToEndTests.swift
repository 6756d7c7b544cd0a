import ErrscopeCore
import Foundation
import Testing

/// The real binary in tmux: open, navigate, filter, resize, help, quit, and the terminal is
/// restored (alternate screen off) after quit, SIGTERM and Ctrl-Z.
@Suite(.serialized, .enabled(if: TmuxSession.available, "needs tmux and .build/debug/errscope (scripts/test.sh installs and builds both)"))
struct BrowserEndToEndTests {
    let bin = TmuxSession.binary + " --no-user-catalogs"

    @Test func navigateToABodhiCodeAndSeeItsFourEnvelopesSideBySide() throws {
        let t = try TmuxSession(bin)
        try t.waitFor(text: "systems ·")
        // Keyboard only: the tree starts with systems open; walk to bodhi, open its domain.
        try t.type("/")
        try t.type("data_service_error-alias_not_found")
        try t.send("Enter")
        let screen = try t.waitFor("the four Bodhi envelopes in one row") { s in
            s.split(separator: "\n").contains { l in ["bodhi-native", "openai", "anthropic", "gemini"].allSatisfy { l.contains($0) } }
        }
        #expect(screen.contains("404 Not Found"))
        #expect(screen.contains("no code"))
        // The code survives in the bodhi-native and openai bodies (the JSON field, broken at the
        // identifier's joints, continuations marked).
        #expect(screen.components(separatedBy: "\"code\": \"data_service_").count - 1 == 2)
        #expect(screen.components(separatedBy: "↪ error-alias_not_").count - 1 == 2)
        try t.send("q")
    }

    /// The theme follows the terminal's colours: a 256-colour terminal gets colour, NO_COLOR
    /// gets none (the runtime reads the colours only once the backend has the terminal).
    @Test func aColourTerminalGetsColourAndNoColorGetsNone() throws {
        for (env, coloured) in [(["NO_COLOR": ""], true), (["NO_COLOR": "1"], false)] {
            let t = try TmuxSession(bin, environment: env)
            try t.waitFor(text: "systems ·")
            let styled = try t.tmux(["capture-pane", "-p", "-e", "-t", "s"])
            // A foreground or background colour in the SGR sequences (38;5;N / 48;5;N, or 3x/4x).
            let hasColour = styled.range(of: #"\e\[[0-9;]*(38;5;|48;5;|3[0-7]m|4[0-7]m|;3[0-7]|;4[0-7])"#, options: .regularExpression) != nil
            #expect(hasColour == coloured, "env \(env): \(styled.prefix(400))")
            try t.send("q")
        }
    }

    /// A terminal that goes away without a SIGHUP reaching errscope must still end it: here it
    /// runs in a session of its own (setsid), so the pane is not its controlling terminal, and
    /// before the fix it spun on a core forever once the pane closed.
    @Test func aVanishedTerminalEndsTheBrowser() throws {
        let marker = "errscope-hangup-\(UInt32.random(in: 0...UInt32.max))"
        func pids() -> [Int32] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.compactMap { Int32($0) }.filter { pid in
                guard let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
                let args = String(decoding: cmd, as: UTF8.self)
                return args.contains(marker) && args.hasPrefix(TmuxSession.binary)
            }
        }
        let t = try TmuxSession("setsid -w \(bin) --endpoints /tmp/\(marker).yaml")
        try t.waitFor(text: "systems ·")
        #expect(pids().count == 1)
        try t.tmux(["kill-server"], capture: false)
        let deadline = Date().addingTimeInterval(5)
        while !pids().isEmpty && Date() < deadline { usleep(50_000) }
        let left = pids()
        #expect(left.isEmpty, "errscope still running after its terminal went away")
        for pid in left { kill(pid, SIGKILL) }
    }

    /// Each frame reaches the terminal in one write(2), and starting up never shows the user's
    /// shell. ncurses 6.4 flushes after every cursor move until the screen has been through one
    /// endwin()/doupdate() cycle; errscope runs that cycle with the terminal's output pointed at
    /// /dev/null (es_end_initial_mode). Without the cycle the three frames below took 57 writes;
    /// with a plain endwin() the raw output left the alternate screen before the first frame.
    /// The raw bytes come from pipe-pane (attached before errscope starts), the count of write
    /// calls from /proc/PID/io.
    @Test func aFrameIsOneWriteAndStartingNeverLeavesTheAlternateScreen() throws {
        let raw = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-raw-\(UUID().uuidString)").path
        defer { unlink(raw) }
        // errscope starts only once pipe-pane is attached (the go file), so the capture has
        // every byte it writes.
        let go = raw + ".go"
        defer { unlink(go) }
        let t = try TmuxSession("while [ ! -e \(go) ]; do sleep 0.01; done; exec \(bin)")
        try t.tmux(["pipe-pane", "-O", "-t", "s", "cat > \(raw)"])
        FileManager.default.createFile(atPath: go, contents: nil)
        try t.waitFor(text: "systems ·")
        let pid = try t.panePID()
        func writes() -> Int? {
            guard let io = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return nil }
            return io.split(separator: "\n").first { $0.hasPrefix("syscw:") }.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) }
        }
        usleep(200_000)
        guard let before = writes() else {
            Issue.record("cannot read /proc/\(pid)/io")
            return
        }
        // Three frames that each change cells far apart: the selection row, the detail pane and
        // the mapping columns.
        var screen = try t.screen()
        for key in ["j", "j", "k"] {
            try t.send(key)
            screen = try t.waitFor("the frame after \(key)") { [screen] in $0 != screen }
        }
        usleep(200_000)
        let after = writes() ?? before
        // One write a frame; two if a frame outgrows ncurses' output buffer ((lines + 2) ×
        // (columns + 6) bytes). Before, these three frames took 57.
        #expect((3...6).contains(after - before), "write calls for three frames: \(after - before)")
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: raw))) ?? Data()
        let output = String(decoding: bytes, as: UTF8.self)
        let entered = output.contains("\u{1B}[?1049h"), left = output.contains("\u{1B}[?1049l")
        #expect(entered, "no alternate screen in \(bytes.count) bytes of output")
        #expect(!left, "left the alternate screen while running")
        try t.send("q")
    }

    @Test func filterShowsMatchCountAndEscClears() throws {
        let t = try TmuxSession(bin)
        try t.waitFor(text: "systems ·")
        try t.type("/404")
        let s = try t.waitFor(text: "filter “404”")
        #expect(s.contains("matches"))
        try t.send("Escape")
        try t.waitFor("the filter cleared") { !$0.contains("filter “404”") }
        try t.send("q")
    }

    @Test func compareViewListsACategoryAndEnterOpensTheCode() throws {
        let t = try TmuxSession(bin)
        try t.waitFor(text: "systems ·")
        try t.type(":compare context_length")
        try t.send("Enter")
        let s = try t.waitFor(text: "Compare · context_length in every system")
        #expect(s.contains("llama-cpp") && s.contains("exceed_context_size_error"))
        try t.send("Enter")
        let d = try t.waitFor(text: "category context_length")
        #expect(d.contains("do       Shrink the prompt"))
        try t.send("q")
    }

    /// Text in many scripts from a catalog: a ZWJ sequence, stacked combining marks, an emoji
    /// with a variation selector, a flag, CJK, an emoji outside the old wide table. Every row keeps
    /// its width (no piece pushed into the next row or past a column), and the text is there.
    @Test func wideAndCombiningTextKeepsEveryRowInItsColumns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-wide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let meaning = "Team 👩\u{200D}💻 said cafe\u{301}\u{301} ❤\u{FE0F} 🇫🇷 日本語 🚀 end-of-meaning"
        try """
            errscope: 1
            system: {id: widesys, name: Wide Text System, default_envelope: openai}
            domains: [{id: text, title: "Text 文字 👩\u{200D}💻"}]
            codes:
              - {code: WIDE_TEXT, domain: text, http: 400, retry: "no", example: "例 🚀 x\u{301}", meaning: "\(meaning)"}
            """.write(to: dir.appendingPathComponent("wide.yaml"), atomically: true, encoding: .utf8)
        let t = try TmuxSession("\(bin) --catalog \(dir.path)")
        try t.waitFor(text: "systems ·")
        try t.type("/WIDE_TEXT")
        try t.send("Enter")
        let s = try t.waitFor(text: "end-of-meaning")
        #expect(s.contains("日本語 🚀"))
        #expect(s.contains("👩"))
        for line in s.split(separator: "\n") where line.hasPrefix("│") || line.hasPrefix("┌") || line.hasPrefix("└") {
            #expect(DisplayWidth.of(String(line)) == 120, "\(line)")
            #expect(line.hasSuffix("│") || line.hasSuffix("┐") || line.hasSuffix("┘"), "\(line)")
        }
        try t.send("q")
    }

    @Test func resizeDownToTwentyBySixAndBack() throws {
        let t = try TmuxSession(bin)
        try t.waitFor(text: "systems ·")
        try t.send(":")
        try t.type("code mcp_error-slug_exists")
        try t.send("Enter")
        try t.waitFor(text: "mcp_error-slug_exists")
        try t.resize(60, 20)
        let narrow = try t.waitFor("the narrow layout") { s in s.split(separator: "\n").first.map { $0.count <= 60 } == true && s.contains("Catalog") }
        #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 60 })
        try t.resize(20, 6)
        try t.waitFor(text: "needs")
        try t.resize(120, 40)
        try t.waitFor(text: "mcp_error-slug_exists")
        try t.send("q")
    }

    /// Issue 12 §5 at 80×24: `z` gives the tree the whole screen (every system listed), `:code`
    /// jumps, Ctrl-O and Backspace come back.
    @Test func zoomAndJumpBackAtEightyByTwentyFour() throws {
        let t = try TmuxSession(bin, width: 80, height: 24)
        let first = try t.waitFor(text: "systems ·")
        #expect(!first.contains("▸ tgi"), "the unzoomed tree has a few rows")
        try t.send("z")
        let zoomed = try t.waitFor("the zoomed tree") { $0.contains("▸ tgi") && !$0.contains("2 Detail") }
        #expect(zoomed.contains("▸ anthropic"))
        try t.send("z")
        try t.waitFor("the layout back") { $0.contains("2 Detail") }
        try t.send("j")
        try t.send("j")
        try t.waitFor("bedrock selected") { $0.contains("Bedrock") || $0.contains("bedrock ") && $0.contains("about") }
        try t.type(":code mcp_error-mcp_not_found")
        try t.send("Enter")
        try t.waitFor("the code") { $0.contains("No MCP instance matches the given ID") }
        try t.send("C-o")
        let back = try t.waitFor("back on bedrock") { !$0.contains("No MCP instance matches") && $0.contains("about") }
        #expect(back.contains("Amazon Bedrock") || back.contains("bedrock"))
        try t.type(":system openai")
        try t.send("Enter")
        try t.waitFor("openai") { $0.contains("▾ openai") }
        try t.send("BSpace")
        try t.waitFor("back again") { !$0.contains("▾ openai") }
        try t.send("q")
    }

    /// Issue 12 §4: `:code` with a partial id opens a fuzzy picker; Enter jumps, Ctrl-O returns.
    @Test func theCodePicker() throws {
        let t = try TmuxSession(bin)
        try t.waitFor(text: "systems ·")
        try t.type(":code mcp nf")
        try t.send("Enter")
        let picker = try t.waitFor("the picker") { $0.contains("Pick code ·") && $0.contains("> mcp nf") }
        #expect(picker.contains("▶ bodhi/mcp_error-mcp_not_found") || picker.contains("bodhi/mcp_error-"))
        try t.send("BSpace")
        try t.send("BSpace")
        try t.type("srv")
        try t.waitFor("narrowed") { $0.contains("> mcp srv") && $0.contains("▶ bodhi/mcp_error-mcp_server") }
        try t.send("Enter")
        try t.waitFor("the code") { !$0.contains("Pick code ·") && $0.contains("No server in the admin-managed MCP server catalog") }
        try t.send("C-o")
        try t.waitFor("back") { !$0.contains("No server in the admin-managed") }
        try t.type(":code zzzzqqq")
        try t.send("Enter")
        try t.waitFor("no match said") { $0.contains("no code `zzzzqqq`") }
        try t.send("q")
    }

    @Test func helpIsGeneratedFromTheKeyTable() throws {
        let t = try TmuxSession(bin)
        try t.waitFor(text: "systems ·")
        try t.send("?")
        // Wait for the overlay's title and a line from its body together: a capture can land
        // mid-paint (and "filter codes" is also a status-line hint).
        let s = try t.waitFor("help overlay") { $0.contains("Help · ↑↓ PgUp/PgDn scroll · Esc, ? or q closes") && $0.contains("Ctrl-C") }
        #expect(s.contains("filter codes"))
        #expect(s.contains("Ctrl-C"))
        // A scrollable pane: PgDn reaches the commands, a stray key leaves it open.
        try t.send("NPage")
        try t.send("NPage")
        let commands = try t.waitFor("the commands") { $0.contains(":probe[!]") || $0.contains(":help") }
        #expect(commands.contains("Esc, ? or q closes"))
        try t.send("x")
        try t.waitFor("the hint") { $0.contains("help: ↑↓ PgUp/PgDn scroll") }
        try t.send("?")
        try t.waitFor("help closed") { !$0.contains("Esc, ? or q closes") }
        try t.send("q")
    }

    /// Runs errscope from a shell so that what the terminal looks like afterwards can be read.
    func shell() throws -> TmuxSession {
        let t = try TmuxSession("/bin/bash --norc --noprofile -i")
        try t.type("PS1='READY''$ '")
        try t.send("Enter")
        try t.waitFor(text: "READY$")
        return t
    }

    @Test func quitRestoresTheTerminal() throws {
        let t = try shell()
        try t.type("\(bin); echo exit=$?")
        try t.send("Enter")
        try t.waitFor(text: "systems ·")
        #expect(try t.alternateScreenOn())
        try t.send("q")
        try t.waitFor(text: "exit=0")
        #expect(try t.alternateScreenOn() == false)
    }

    /// SIGTERM, SIGQUIT (whose default would leave the alternate screen on and the tty raw) and
    /// SIGHUP end the browser with 128 + the signal, after restoring the terminal.
    @Test(arguments: [("TERM", 143), ("QUIT", 131), ("HUP", 129)])
    func aSignalRestoresTheTerminal(signal: String, status: Int) throws {
        let t = try shell()
        try t.type("\(bin); echo exit=$?")
        try t.send("Enter")
        try t.waitFor(text: "systems ·")
        // Find the errscope child of the shell and signal it. (The typed line reads "exit=$?".)
        let shellPID = try t.panePID()
        _ = try TmuxSession.run(["/usr/bin/pkill", "-\(signal)", "-P", "\(shellPID)", "-x", "errscope"])
        try t.waitFor(text: "exit=\(status)")
        #expect(try t.alternateScreenOn() == false)
        // The tty is cooked again.
        try t.type("stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo =tty")
        try t.send("Enter")
        try t.waitFor(text: "icanon echo =tty")
    }

    @Test func ctrlZSuspendsAndFgRedraws() throws {
        let t = try shell()
        try t.type(bin)
        try t.send("Enter")
        try t.waitFor(text: "systems ·")
        try t.send("C-z")
        try t.waitFor(text: "Stopped")
        #expect(try t.alternateScreenOn() == false)
        try t.type("fg")
        try t.send("Enter")
        try t.waitFor(text: "systems ·")
        try t.send("q")
        try t.waitFor(text: "READY$")
    }

    @Test func noColorMeansNoColourCodes() throws {
        let t = try TmuxSession(bin, environment: ["NO_COLOR": "1"])
        try t.waitFor(text: "systems ·")
        let colored = try t.tmux(["capture-pane", "-p", "-e", "-t", "s"])
        // NO_COLOR: attributes only, no colour escape codes (38;5 / 48;5 / 3x).
        #expect(!colored.contains("38;5;"))
        #expect(!colored.contains("48;5;"))
        try t.send("q")
    }
}
