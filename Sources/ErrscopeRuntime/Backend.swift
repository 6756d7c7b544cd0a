import ErrscopeTUI

/// A terminal as the runtime sees it: input as events, frames out, and a few side effects. The
/// ncurses backend (`ErrscopeTerminal`) is the real one; `TestBackend` runs the whole runtime in a
/// test, without a terminal or tmux. Every call comes from the runtime's thread.
public protocol TerminalBackend: AnyObject {
    /// Takes the terminal (raw mode, the alternate screen). Nil when there is none to take.
    func start() -> (width: Int, height: Int)?
    /// Gives it back as it was found. Called once, on every way out.
    func stop()
    /// The current size.
    var size: (width: Int, height: Int) { get }
    /// Colours the terminal shows, known once `start` returned (0: none, or NO_COLOR).
    var colors: Int { get }
    /// The next input, without blocking; nil when there is none yet.
    func read() -> BackendInput?
    /// A descriptor that becomes readable when input arrives (the runtime sleeps in poll on it and
    /// its inbox); -1 when there is none, and the runtime then polls every few milliseconds.
    var inputFD: Int32 { get }
    /// Shows a frame (`full`: every cell, not only those that changed).
    func paint(_ frame: ScreenBuffer, full: Bool)
    func setMouse(_ on: Bool)
    func bell()
    /// Puts text on the clipboard (OSC 52), with the next frame.
    func copy(_ text: String)
    /// Leaves the screen to a child process or a suspended job; `resume` takes it back.
    func release()
    func resume()
    /// Stops the process like a shell job (SIGTSTP's default) and returns when it is continued;
    /// the screen is released around it.
    func suspendJob()
}

public enum BackendInput: Sendable, Equatable {
    case event(Event)
    /// Ctrl-Z: stop like a shell job.
    case suspend
}
