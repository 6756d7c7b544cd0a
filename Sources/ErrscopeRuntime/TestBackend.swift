import ErrscopeTUI
import Foundation

/// A backend without a terminal, for tests of the runtime: it plays a script of inputs, keeps
/// every frame it is given (as text, like the screen would show it), and records the side effects
/// a terminal would have carried out. A `waitFor` step holds the script until a frame shows the
/// text (a probe's answer, a log line), or gives up after its timeout and quits, so a test never
/// hangs.
public final class TestBackend: TerminalBackend {
    public enum Step: Sendable {
        case input(BackendInput)
        /// Hold until the last frame contains the text (at most `timeout` seconds).
        case waitFor(String, timeout: Double)
        /// Raise this signal in the process (the runtime's handlers turn it into a flag).
        case signal(Int32)
    }

    public private(set) var frames: [ScreenBuffer] = []
    public private(set) var fullPaints = 0
    public private(set) var bells = 0
    public private(set) var copied: [String] = []
    public private(set) var mouse: [Bool] = []
    public private(set) var started = false
    public private(set) var stopped = 0
    /// How often the screen was handed to a child process or a suspend, and taken back.
    public private(set) var released = 0
    public private(set) var resumed = 0
    /// Texts a `waitFor` step gave up on.
    public private(set) var timedOut: [String] = []
    public var size: (width: Int, height: Int)
    public var colors: Int
    var steps: [Step]
    var waitingSince: Date?

    public init(width: Int = 120, height: Int = 40, colors: Int = 256, script: [Step]) {
        size = (width, height)
        self.colors = colors
        steps = script
    }

    /// Key presses as script steps.
    public static func keys(_ keys: [Key]) -> [Step] { keys.map { .input(.event(.key($0))) } }
    public static func type(_ text: String) -> [Step] { text.map { .input(.event(.key(.char($0)))) } }

    /// The last frame as lines of text.
    public var screen: [String] { frames.last.map(Self.text) ?? [] }

    public static func text(_ b: ScreenBuffer) -> [String] {
        (0..<b.height).map { y in
            var line = ""
            for x in 0..<b.width where b[x, y].width > 0 { line += b[x, y].text }
            return line
        }
    }

    public func start() -> (width: Int, height: Int)? {
        started = true
        return size
    }

    public func stop() { stopped += 1 }
    public var inputFD: Int32 { -1 }

    /// The script ended before the program quit (the runtime was then stopped with Ctrl-C).
    public private(set) var ranOut = false

    public func read() -> BackendInput? {
        guard let step = steps.first else {
            // Never hang a test: a script that did not quit ends with Ctrl-C.
            if ranOut { return nil }
            ranOut = true
            return .event(.key(.ctrl("c")))
        }
        switch step {
        case .input(let i):
            steps.removeFirst()
            if case .event(.resize(let w, let h)) = i { size = (w, h) }
            return i
        case .signal(let sig):
            steps.removeFirst()
            raise(sig)
            return nil
        case .waitFor(let text, let timeout):
            if screen.contains(where: { $0.contains(text) }) {
                steps.removeFirst()
                waitingSince = nil
                return read()
            }
            let since = waitingSince ?? Date()
            waitingSince = since
            guard Date().timeIntervalSince(since) > timeout else { return nil }
            timedOut.append(text)
            steps = []
            return .event(.key(.ctrl("c")))
        }
    }

    public func paint(_ frame: ScreenBuffer, full: Bool) {
        frames.append(frame)
        if full { fullPaints += 1 }
    }

    public func setMouse(_ on: Bool) { mouse.append(on) }
    public func bell() { bells += 1 }
    public func copy(_ text: String) { copied.append(text) }
    public func release() { released += 1 }
    public func resume() { resumed += 1 }
    /// A test process is not stopped; the suspend is counted.
    public private(set) var suspends = 0
    public func suspendJob() { suspends += 1 }
}
