import Foundation

/// The signals a full-screen program must handle, as flags the loop reads: SIGINT, SIGTERM,
/// SIGHUP and SIGQUIT quit through the loop (which gives the terminal back); SIGTSTP suspends;
/// a crash restores the tty (async-signal-safe) before the default action.
public enum Signals {
    nonisolated(unsafe) public static var stop: sig_atomic_t = 0
    nonisolated(unsafe) public static var suspend: sig_atomic_t = 0
    static let quitting = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    static let crashing = [SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE, SIGTRAP]

    public static func install() {
        // A parent may have blocked or ignored these (a test runner, a supervisor): the browser
        // needs SIGWINCH for resizes and the others to restore the terminal.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGWINCH, SIGTSTP, SIGCONT] + quitting { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGWINCH, SIG_DFL)
        signal(SIGCONT, SIG_DFL)
        // SIGQUIT's default (terminate with a core) would leave the alternate screen on and the
        // tty raw: it quits like SIGTERM, through the loop that restores the terminal.
        for sig in quitting { signal(sig) { Signals.stop = $0 } }
        signal(SIGTSTP) { _ in Signals.suspend = 1 }
        for sig in crashing {
            signal(sig) { sig in
                TTY.restore()
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }

    /// The default actions back (the runtime is done with the terminal).
    public static func uninstall() {
        for sig in quitting + crashing + [SIGTSTP] { signal(sig, SIG_DFL) }
        stop = 0
        suspend = 0
    }
}

/// The tty's modes as found, and the async-signal-safe way back to them. A backend that takes
/// the terminal calls `save` first; until then `restore` does nothing (a test backend's process
/// keeps its terminal as it is).
public enum TTY {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var haveSaved = false
    nonisolated(unsafe) static var armed = false

    /// Remembers the terminal's modes (before a backend changes them) and arms `restore`.
    public static func save() {
        if tcgetattr(STDIN_FILENO, &saved) == 0 { haveSaved = true }
        armed = true
    }

    /// Async-signal-safe: termios back, alternate screen off, cursor on, mouse reporting off.
    public static func restore() {
        guard armed else { return }
        if haveSaved { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        let seq: StaticString = "\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1006l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
        _ = write(STDOUT_FILENO, seq.utf8Start, seq.utf8CodeUnitCount)
    }
}

/// The monotonic clock (nanoseconds), as `update` and the trace count time.
public enum Clock {
    public static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
