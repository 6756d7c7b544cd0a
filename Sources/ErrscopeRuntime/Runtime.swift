import ErrscopeCore
import ErrscopeTUI
import Foundation

/// The TUI's event loop, for any backend: it reads input and posted events, runs the pure
/// `update`, carries out the effects (probes, the log follower, the journal, external programs,
/// the clipboard), renders the view and hands the frame to the backend. Signals quit or suspend
/// through the loop, so the terminal is always given back.
public final class Runtime<Backend: TerminalBackend> {
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
        public init(themeName: String = "dark", noColor: Bool = false, mouse: Bool = false, tracePath: String? = nil, startTime: UInt64 = 0,
                    probeService: (any ProbeService)? = nil, log: String? = nil, logStdinFD: Int32? = nil) {
            self.themeName = themeName; self.noColor = noColor; self.mouse = mouse; self.tracePath = tracePath; self.startTime = startTime
            self.probeService = probeService
            self.log = log
            self.logStdinFD = logStdinFD
        }
    }

    let backend: Backend
    var options: Options
    /// The state as the last event left it (tests read it after `run`).
    public private(set) var state: AppState
    let inbox = Inbox()
    var follower: LogFollower?
    var trace: FileHandle?
    var quit = false
    var lastTick: UInt64 = 0

    public init(backend: Backend, state: AppState, options: Options) {
        self.backend = backend
        self.state = state
        self.options = options
    }

    /// Runs until quit. Returns the process exit status (128 + a signal that stopped it).
    public func run() -> Int32 {
        Signals.install()
        defer { Signals.uninstall() }
        guard let size = backend.start() else {
            FileHandle.standardError.write("errscope: cannot start the terminal UI (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset"))\n".data(using: .utf8)!)
            return 1
        }
        defer {
            follower?.stop()
            backend.stop()
        }
        // The theme follows the colours the terminal turned out to have.
        let colors = backend.colors
        state.theme = options.noColor || colors < 8 ? .mono : (Theme.named(options.themeName, colors: colors) ?? state.theme)
        state.mouse = options.mouse
        if options.mouse { backend.setMouse(true) }
        _ = update(&state, .resize(width: size.width, height: size.height))
        backend.paint(View.render(state), full: true)
        if let path = options.tracePath {
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            trace = FileHandle(forWritingAtPath: path)
            trace?.seekToEndOfFile()
        }
        log(String(format: "first-paint %.3f", Double(Clock.nanos() - options.startTime) / 1e6))
        state.probe.available = options.probeService != nil
        if let log = options.log { handle(.command("log \(log)")) }
        return loop()
    }

    func loop() -> Int32 {
        while !quit {
            if Signals.stop != 0 { return 128 + Signals.stop }
            if Signals.suspend != 0 { Signals.suspend = 0; suspend() }
            if let input = backend.read() {
                switch input {
                case .event(let e): handle(e)
                case .suspend: suspend()
                }
                continue
            }
            let posted = inbox.drain()
            if !posted.isEmpty {
                for e in posted where !quit { handle(e) }
                continue
            }
            let now = Clock.nanos()
            let due = state.wakeup(lastTick: lastTick)
            if let due, now >= due {
                lastTick = now
                handle(.tick(now))
                continue
            }
            // Sleep until input, a posted event, the next wake-up, or a signal (poll returns EINTR).
            let cap: UInt64 = backend.inputFD < 0 ? 5 : 500
            let wait = Int32(due.map { min(cap, max(1, ($0 - now + 999_999) / 1_000_000)) } ?? cap)
            var fds = [pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0)]
            if backend.inputFD >= 0 { fds.append(pollfd(fd: backend.inputFD, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), wait)
            // The terminal went away (its window closed, the connection dropped) without a
            // SIGHUP reaching us (we are not its session leader, or a wrapper took the signal):
            // poll would report it at once, forever, and the loop would spin on a core.
            if fds.count > 1, fds[1].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return 128 + SIGHUP }
        }
        return 0
    }

    /// One event through `update`, its effects carried out, the frame painted.
    func handle(_ e: Event) {
        let before = usage()
        let started = Clock.nanos()
        let effects = update(&state, e)
        let updated = Clock.nanos()
        var full = false
        for effect in effects { full = perform(effect) || full }
        if quit { return }
        // A watch probe sent by the clock: its "sending…" frame would be replaced by the answer
        // a few milliseconds later; if the answer is slow, the next tick (100 ms) draws it.
        if case .tick = e, effects.contains(where: { if case .probe = $0 { return true } else { return false } }) { return }
        let frame = View.render(state)
        let rendered = Clock.nanos()
        if case .resize = e { full = true }
        backend.paint(frame, full: full)
        let done = Clock.nanos()
        guard trace != nil else { return }
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

    /// Carries out one effect; true when the screen must be redrawn in full afterwards.
    func perform(_ effect: Effect) -> Bool {
        switch effect {
        case .quit: quit = true
        case .setMouse(let on): backend.setMouse(on)
        case .bell: backend.bell()
        case .copy(let text): backend.copy(text)
        case .probe(let spec, let id):
            let inbox = inbox
            options.probeService?.start(spec, id: id) { outcome in
                inbox.post(.probeFinished(ProbeResult(id: id, outcome: outcome)))
            }
            lastTick = Clock.nanos()
            _ = update(&state, .tick(lastTick))
        case .cancelProbe(let id): options.probeService?.cancel(id: id)
        case .loadHistory(let diff):
            let items = options.probeService?.history(limit: 200) ?? []
            _ = update(&state, .historyLoaded(items, diff: diff))
        case .recordIncident(let tallies, let source):
            options.probeService?.record(incident: tallies, source: source, time: Date())
        case .followLog(let source):
            follower?.stop()
            let inbox = inbox
            follower = LogFollower(source: source, stdinFD: options.logStdinFD) { inbox.post($0) }
            follower?.start()
        case .exec(let request):
            let output = Exec.run(request, backend: backend)
            _ = update(&state, .execFinished(tag: request.tag, output))
            return true
        }
        return false
    }

    /// Ctrl-Z or SIGTSTP: the terminal back to the shell, stop; on `fg`, take it back and redraw.
    func suspend() {
        backend.release()
        backend.suspendJob()
        Signals.install()
        backend.resume()
        let size = backend.size
        _ = update(&state, .resize(width: size.width, height: size.height))
        backend.paint(View.render(state), full: true)
    }

    /// Lazy: `String(format:)` costs conformance lookups (CVarArg casts) even when no trace is
    /// being written.
    func log(_ s: @autoclosure () -> String) {
        guard let trace else { return }
        trace.write((s() + "\n").data(using: .utf8)!)
    }

    /// CPU time of all threads (ms) and minor page faults so far: a slow keystroke in the trace
    /// then shows whether it computed, faulted or waited for a core.
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
}
