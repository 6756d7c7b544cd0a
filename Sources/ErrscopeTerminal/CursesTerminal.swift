import ErrscopeCore
import CNcursesw
import ErrscopeRuntime
import ErrscopeTUI
import Foundation

/// Runs the TUI on the real terminal: the runtime's loop with the ncurses backend.
public enum CursesTerminal {
    public typealias Options = Runtime<CursesBackend>.Options

    public static func monotonicNanos() -> UInt64 { Clock.nanos() }

    /// Runs until quit. Returns the process exit status.
    public static func run(_ initial: AppState, options: Options) -> Int32 {
        Runtime(backend: CursesBackend(noColor: options.noColor), state: initial, options: options).run()
    }
}

/// The only code in errscope that talks to ncursesw: it turns input into `Event`s and copies the
/// cell buffer out, writing only the cells that changed.
public final class CursesBackend: TerminalBackend {
    var screen: OpaquePointer?
    var window: UnsafeMutablePointer<WINDOW>?
    var painter: Painter?
    let noColor: Bool
    /// Colours after `start` (0 before, or when the terminal has none or NO_COLOR is set).
    public private(set) var colors = 0
    var initialModeEnded = false

    init(noColor: Bool) {
        self.noColor = noColor
        setlocale(LC_ALL, "")
    }

    public func start() -> (width: Int, height: Int)? {
        TTY.save()
        guard let screen = es_newterm() else { return nil }
        self.screen = screen
        _ = set_term(screen)
        guard let win = es_stdscr() else { endwin(); return nil }
        window = win
        raw()
        noecho()
        nonl()
        keypad(win, true)
        set_escdelay(25)
        curs_set(0)
        // Non-blocking reads: the loop waits in poll() on the terminal and the inbox together.
        wtimeout(win, 0)
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            colors = Int(es_colors())
        }
        painter = Painter(window: win, colors: colors)
        return size
    }

    public func stop() {
        guard let screen else { return }
        endwin()
        delscreen(screen)
        self.screen = nil
        TTY.restore()
    }

    public var size: (width: Int, height: Int) {
        guard let window else { return (0, 0) }
        return (Int(es_getmaxx(window)), Int(es_getmaxy(window)))
    }

    public var inputFD: Int32 { STDIN_FILENO }

    public func read() -> BackendInput? {
        guard let window else { return nil }
        var ch: wint_t = 0
        while true {
            let r = wget_wch(window, &ch)
            if r == ERR { return nil }
            if r == KEY_CODE_YES {
                if let e = functionKey(Int32(ch), win: window) { return .event(e) }
                continue
            }
            let v = UInt32(ch)
            if v == 26 { return .suspend }  // Ctrl-Z: suspend like a shell job
            if let e = Self.characterKey(v) { return .event(e) }
        }
    }

    public func paint(_ frame: ScreenBuffer, full: Bool) {
        if !initialModeEnded {
            // Until the screen has been through one endwin()/doupdate() cycle, ncurses 6.4 writes a
            // frame as one write() per cursor move — dozens of 10–80-byte writes, each a wake-up and
            // a parse for the terminal emulator (see es_end_initial_mode). With the cycle, a frame is
            // one write. The first paint is the doupdate() that completes it.
            es_end_initial_mode()
            initialModeEnded = true
        }
        painter?.paint(frame, full: full)
    }

    public func setMouse(_ on: Bool) { _ = mousemask(on ? es_mouse_mask() : 0, nil) }
    public func bell() { beep() }
    public func copy(_ text: String) { painter?.pendingOSC52 = text }

    public func release() {
        endwin()
        TTY.restore()
    }

    public func resume() {
        // Back to the screen: curses restores its modes on the next refresh.
        refresh()
        painter?.previous = nil
    }

    public func suspendJob() {
        signal(SIGTSTP, SIG_DFL)
        raise(SIGTSTP)
    }

    func functionKey(_ k: Int32, win: UnsafeMutablePointer<WINDOW>) -> Event? {
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
