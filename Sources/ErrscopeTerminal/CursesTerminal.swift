import ErrscopeCore
import CNcursesw
import ErrscopeTUI
import Foundation

/// Runs the TUI on the real terminal with ncursesw. The only code in errscope that touches the
/// terminal: it turns input into `Event`s, performs `Effect`s and copies the cell buffer out.
/// The terminal is restored on quit, on error, on SIGINT/SIGTERM/SIGHUP/SIGQUIT, around Ctrl-Z, and
/// (best effort, async-signal-safe) when the process crashes.
public enum CursesTerminal {
    nonisolated(unsafe) static var stopSignal: sig_atomic_t = 0
    nonisolated(unsafe) static var suspendSignal: sig_atomic_t = 0
    nonisolated(unsafe) static var savedTermios = termios()
    nonisolated(unsafe) static var haveTermios = false

    public struct Options {
        public var themeName: String
        public var noColor: Bool
        public var mouse: Bool
        /// Appends "first-paint MS" and "key MS" lines (input read to screen updated).
        public var tracePath: String?
        public var startTime: UInt64
        /// Sends the probe pane's requests; nil: probing is off.
        public var probeService: (any ProbeService)?
        /// The log to follow from the start (`--log`), and standard input's original descriptor
        /// when that log is `-` (fd 0 is then the terminal).
        public var log: String?
        public var logStdinFD: Int32?
        public init(themeName: String, noColor: Bool, mouse: Bool, tracePath: String?, startTime: UInt64, probeService: (any ProbeService)? = nil,
                    log: String? = nil, logStdinFD: Int32? = nil) {
            self.themeName = themeName; self.noColor = noColor; self.mouse = mouse; self.tracePath = tracePath; self.startTime = startTime
            self.probeService = probeService
            self.log = log
            self.logStdinFD = logStdinFD
        }
    }

    public static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Runs until quit. Returns the process exit status.
    public static func run(_ initial: AppState, options: Options) -> Int32 {
        setlocale(LC_ALL, "")
        if tcgetattr(STDIN_FILENO, &savedTermios) == 0 { haveTermios = true }
        installSignalHandlers()
        guard let screen = es_newterm() else {
            FileHandle.standardError.write("errscope: cannot start the terminal UI (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset"))\n".data(using: .utf8)!)
            return 1
        }
        _ = set_term(screen)
        guard let win = es_stdscr() else { endwin(); return 1 }
        raw()
        noecho()
        nonl()
        keypad(win, true)
        set_escdelay(25)
        curs_set(0)
        // Non-blocking reads: the loop waits in poll() on the terminal and the inbox together.
        wtimeout(win, 0)
        var colors = 0
        if !options.noColor && has_colors() {
            start_color()
            use_default_colors()
            colors = Int(es_colors())
        }
        var state = initial
        state.theme = options.noColor || colors < 8 ? .mono : (Theme.named(options.themeName, colors: colors) ?? state.theme)
        state.mouse = options.mouse
        if options.mouse { _ = mousemask(es_mouse_mask(), nil) }
        _ = update(&state, .resize(width: Int(es_getmaxx(win)), height: Int(es_getmaxy(win))))
        var painter = Painter(window: win, colors: colors)
        // Until the screen has been through one endwin()/doupdate() cycle, ncurses 6.4 writes a
        // frame as one write() per cursor move — dozens of 10–80-byte writes, each a wake-up and
        // a parse for the terminal emulator (see es_end_initial_mode). With the cycle, a frame is
        // one write. The first paint is the doupdate() that completes it.
        let first = View.render(state)
        es_end_initial_mode()
        painter.paint(first, full: true)
        var trace: FileHandle?
        if let path = options.tracePath {
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            trace = FileHandle(forWritingAtPath: path)
            trace?.seekToEndOfFile()
        }
        // Lazy: `String(format:)` costs conformance lookups (CVarArg casts) even when no trace
        // is being written.
        func log(_ s: @autoclosure () -> String) {
            guard let trace else { return }
            trace.write((s() + "\n").data(using: .utf8)!)
        }
        log(String(format: "first-paint %.3f", Double(monotonicNanos() - options.startTime) / 1e6))

        // Events from other threads (probe results) arrive through an inbox and wake the loop
        // through a pipe, so a verdict is drawn as soon as it is decoded, not at the next poll.
        let inbox = Inbox()
        state.probe.available = options.probeService != nil
        var status: Int32 = 0
        var quit = false
        var lastTick: UInt64 = 0
        var follower: LogFollower?
        defer { follower?.stop() }

        /// CPU time of all threads (ms) and minor page faults so far: a slow keystroke in the
        /// trace then shows whether it computed, faulted or waited for a core.
        func usage() -> (Double, Int) {
            guard trace != nil else { return (0, 0) }
            var u = rusage()
            #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
            #else
            getrusage(RUSAGE_SELF, &u)
            #endif
            let cpu = Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3
            return (cpu, Int(u.ru_minflt))
        }

        func handle(_ e: Event) {
            let before = usage()
            let started = monotonicNanos()
            let effects = update(&state, e)
            let updated = monotonicNanos()
            for effect in effects {
                switch effect {
                case .quit: quit = true
                case .setMouse(let on): _ = mousemask(on ? es_mouse_mask() : 0, nil)
                case .bell: beep()
                case .copy(let text): painter.pendingOSC52 = text
                case .probe(let spec, let id):
                    options.probeService?.start(spec, id: id) { outcome in
                        inbox.post(.probeFinished(ProbeResult(id: id, outcome: outcome)))
                    }
                    lastTick = monotonicNanos()
                    _ = update(&state, .tick(lastTick))
                case .cancelProbe(let id): options.probeService?.cancel(id: id)
                case .loadHistory(let diff):
                    let items = options.probeService?.history(limit: 200) ?? []
                    _ = update(&state, .historyLoaded(items, diff: diff))
                case .recordIncident(let tallies, let source):
                    options.probeService?.record(incident: tallies, source: source, time: Date())
                case .followLog(let source):
                    follower?.stop()
                    follower = LogFollower(source: source, stdinFD: options.logStdinFD) { inbox.post($0) }
                    follower?.start()
                case .edit(let target, let text):
                    let edited = runEditor(text, target: target, painter: &painter)
                    _ = update(&state, .editorFinished(target, edited))
                    painter.previous = nil
                }
            }
            if quit { return }
            // A watch probe sent by the clock: its "sending…" frame would be replaced by the answer
            // a few milliseconds later; if the answer is slow, the next tick (100 ms) draws it.
            if case .tick = e, effects.contains(where: { if case .probe = $0 { return true } else { return false } }) { return }
            let frame = View.render(state)
            let rendered = monotonicNanos()
            var full = false
            if case .resize = e { full = true }
            painter.paint(frame, full: full)
            let done = monotonicNanos()
            switch e {
            case .key, .mouse, .resize:
                let after = usage()
                log(String(format: "key %.3f update %.3f render %.3f paint %.3f cpu %.3f faults %d", Double(done - started) / 1e6,
                           Double(updated - started) / 1e6, Double(rendered - updated) / 1e6, Double(done - rendered) / 1e6,
                           after.0 - before.0, after.1 - before.1))
            case .probeFinished(let r) where r.outcome.lastByteAt > 0:
                // From the last byte of the response to the verdict on screen; "transit" is the
                // part before this loop had the result (decode, journal, the hop between threads).
                log(String(format: "probe-verdict %.3f transit %.3f update %.3f render %.3f paint %.3f",
                           Double(done - r.outcome.lastByteAt) / 1e6, Double(started - min(started, r.outcome.lastByteAt)) / 1e6,
                           Double(updated - started) / 1e6, Double(rendered - updated) / 1e6, Double(done - rendered) / 1e6))
            default: break
            }
        }

        if let log = options.log { handle(.command("log \(log)")) }
        while !quit {
            if stopSignal != 0 { status = 128 + stopSignal; break }
            if suspendSignal != 0 { suspendSignal = 0; suspend(&painter, &state) }
            var ch: wint_t = 0
            let r = wget_wch(win, &ch)
            if r != ERR {
                var event: Event?
                if r == KEY_CODE_YES {
                    event = functionKey(Int32(ch), win: win)
                } else {
                    let v = UInt32(ch)
                    if v == 26 {  // Ctrl-Z: suspend like a shell job
                        suspend(&painter, &state)
                        continue
                    }
                    event = characterKey(v)
                }
                if let e = event { handle(e) }
                continue
            }
            let posted = inbox.drain()
            if !posted.isEmpty {
                for e in posted where !quit { handle(e) }
                continue
            }
            let now = monotonicNanos()
            let due = state.wakeup(lastTick: lastTick)
            if let due, now >= due {
                lastTick = now
                handle(.tick(now))
                continue
            }
            // Sleep until input, a posted event, the next wake-up, or a signal (poll returns EINTR).
            let wait = due.map { Int32(min(500, max(1, ($0 - now + 999_999) / 1_000_000))) } ?? 500
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0), pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, wait)
            // The terminal went away (its window closed, the connection dropped) without a
            // SIGHUP reaching us (we are not its session leader, or a wrapper took the signal):
            // poll would report it at once, forever, and the loop would spin on a core.
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                status = 128 + SIGHUP
                break
            }
        }
        endwin()
        delscreen(screen)
        restoreTTY()
        return status
    }


    /// Hands the terminal to `$VISUAL`/`$EDITOR` (else vi) on a private temporary file and
    /// takes it back. Returns the edited text, or nil when the editor failed.
    static func runEditor(_ text: String, target: EditTarget, painter: inout Painter) -> String? {
        let env = ProcessInfo.processInfo.environment
        let editor = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let dir = FileManager.default.temporaryDirectory.path
        let path = "\(dir)/errscope-\(getpid())-\(target.rawValue)-\(UInt32.random(in: 0...UInt32.max)).\(target == .body ? "json" : "txt")"
        // 0600: the text may hold secrets typed by hand.
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else { return nil }
        defer { unlink(path) }
        endwin()
        restoreTTY()
        var pid: pid_t = 0
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT, SIGWINCH] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ["/bin/sh", "-c", editor + " \"$1\"", "sh", path]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, &attr, &cargs, environ)
        var ws: Int32 = 0
        if spawned == 0 {
            // Like system(3): Ctrl-C belongs to the editor while it runs. Ctrl-Z stops the editor
            // (same process group); errscope stops with it so the shell gets the terminal back, and
            // resumes the editor on `fg`.
            signal(SIGINT, SIG_IGN)
            signal(SIGTSTP, SIG_IGN)
            while true {
                let r = waitpid(pid, &ws, WUNTRACED)
                if r == -1 { if errno == EINTR { continue } else { break } }
                if ws & 0xff == 0x7f {  // WIFSTOPPED
                    raise(SIGSTOP)
                    kill(pid, SIGCONT)
                    continue
                }
                break
            }
        }
        // Back to the screen: curses restores its modes on the next refresh.
        installSignalHandlers()
        refresh()
        guard spawned == 0, ws & 0x7f == 0, (ws >> 8) & 0xff == 0 else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func suspend(_ painter: inout Painter, _ state: inout AppState) {
        endwin()
        restoreTTY()
        signal(SIGTSTP, SIG_DFL)
        raise(SIGTSTP)
        // Resumed (fg): take the terminal back and redraw everything.
        installSignalHandlers()
        refresh()
        _ = update(&state, .resize(width: Int(es_getmaxx(painter.window)), height: Int(es_getmaxy(painter.window))))
        painter.paint(View.render(state), full: true)
    }

    static func functionKey(_ k: Int32, win: UnsafeMutablePointer<WINDOW>) -> Event? {
        switch k {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case es_key_btab(): return .key(.backTab)
        case es_key_resize(): return .resize(width: Int(es_getmaxx(win)), height: Int(es_getmaxy(win)))
        case es_key_mouse():
            var m = MEVENT()
            guard getmouse(&m) == OK else { return nil }
            let kind: MouseEvent.Kind? = es_button4(m.bstate) != 0 ? .wheelUp : es_button5(m.bstate) != 0 ? .wheelDown : es_button1(m.bstate) != 0 ? .press : nil
            return kind.map { .mouse(MouseEvent(kind: $0, x: Int(m.x), y: Int(m.y))) }
        default:
            for n in 1...12 where k == es_key_f(Int32(n)) { return .key(.f(n)) }
            return nil
        }
    }

    static func characterKey(_ v: UInt32) -> Event? {
        switch v {
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(UnicodeScalar(v + 96)!)))
        default:
            guard let u = UnicodeScalar(v), v >= 32 else { return nil }
            return .key(.char(Character(u)))
        }
    }

    // MARK: Signals

    static func installSignalHandlers() {
        // A parent may have blocked or ignored these (a test runner, a supervisor): the browser
        // needs SIGWINCH for resizes and the others to restore the terminal.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGWINCH, SIG_DFL)
        signal(SIGCONT, SIG_DFL)
        signal(SIGINT) { sig in CursesTerminal.stopSignal = sig }
        signal(SIGTERM) { sig in CursesTerminal.stopSignal = sig }
        signal(SIGHUP) { sig in CursesTerminal.stopSignal = sig }
        // SIGQUIT's default (terminate with a core) would leave the alternate screen on and the
        // tty raw: it quits like SIGTERM, through the loop that restores the terminal.
        signal(SIGQUIT) { sig in CursesTerminal.stopSignal = sig }
        signal(SIGTSTP) { _ in CursesTerminal.suspendSignal = 1 }
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE, SIGTRAP] {
            signal(sig) { sig in
                CursesTerminal.restoreTTY()
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }

    /// Async-signal-safe: termios back, alternate screen off, cursor on, mouse reporting off.
    static func restoreTTY() {
        if haveTermios { tcsetattr(STDIN_FILENO, TCSANOW, &savedTermios) }
        let seq: StaticString = "\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1006l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
        _ = write(STDOUT_FILENO, seq.utf8Start, seq.utf8CodeUnitCount)
    }
}

/// Events posted from other threads, and the pipe that wakes the loop when one arrives.
// @unchecked Sendable: `events` is only touched under `lock`; the pipe fds are immutable.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [Event] = []
    let readFD: Int32
    let writeFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func post(_ e: Event) {
        lock.withLock { events.append(e) }
        var one: UInt8 = 1
        _ = write(writeFD, &one, 1)
    }

    func drain() -> [Event] {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buf, 64) > 0 {}
        return lock.withLock {
            defer { events.removeAll() }
            return events
        }
    }
}

/// Copies cell buffers to curses, writing only the cells that changed since the last frame.
struct Painter {
    let window: UnsafeMutablePointer<WINDOW>
    let colors: Int
    var previous: ScreenBuffer?
    var pairs: [Int64: Int16] = [:]
    var pendingOSC52: String?

    init(window: UnsafeMutablePointer<WINDOW>, colors: Int) {
        self.window = window
        self.colors = colors
    }

    mutating func paint(_ b: ScreenBuffer, full: Bool) {
        let redraw = full || previous == nil || previous!.width != b.width || previous!.height != b.height
        if redraw {
            werase(window)
            clearok(window, true)
        }
        for y in 0..<b.height {
            for x in 0..<b.width {
                let cell = b[x, y]
                if cell.width == 0 { continue }
                if !redraw, let p = previous, p[x, y] == cell { continue }
                // The last cell of the screen: writing it scrolls on some terminals; skip it.
                if y == b.height - 1 && x == b.width - 1 { continue }
                // What one curses cell can hold: the base and its combining marks (a ZWJ
                // sequence shows its first emoji, in the columns the buffer measured for it).
                var wide = (cell.text.first.map(DisplayWidth.drawable) ?? [" "]).map { wchar_t(bitPattern: $0.value) }
                wide.append(0)
                let (attrs, pair) = style(cell.style)
                _ = es_put(window, Int32(y), Int32(x), wide, attrs, pair)
            }
        }
        if let c = b.cursor {
            curs_set(1)
            wmove(window, Int32(c.y), Int32(c.x))
        } else {
            curs_set(0)
        }
        wrefresh(window)
        previous = b
        if let text = pendingOSC52 {
            pendingOSC52 = nil
            let seq = "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
            FileHandle.standardOutput.write(seq.data(using: .utf8)!)
        }
    }

    mutating func style(_ s: Style) -> (attr_t, Int16) {
        var a = es_a_normal()
        if s.bold { a |= es_a_bold() }
        if s.underline { a |= es_a_underline() }
        if s.dim { a |= es_a_dim() }
        if s.reverse { a |= es_a_reverse() }
        guard colors >= 8 else { return (a, 0) }
        let fg = code(s.fg), bg = code(s.bg)
        if fg == -1 && bg == -1 { return (a, 0) }
        let key = Int64(fg) << 16 | Int64(bg & 0xFFFF)
        if let p = pairs[key] { return (a, p) }
        let next = Int16(pairs.count + 1)
        guard Int32(next) < es_color_pairs() else { return (a, 0) }
        init_pair(next, Int16(fg), Int16(bg))
        pairs[key] = next
        return (a, next)
    }

    func code(_ c: Color) -> Int {
        switch c {
        case .default: return -1
        case .indexed(let i): return colors >= 256 ? Int(i) : (colors >= 16 ? Int(i) % 16 : Int(i) % 8)
        }
    }
}
