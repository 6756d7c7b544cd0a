import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `/bin/sh -c COMMAND` for `${cmd:}` with the limits the docs promise: a time limit, an
/// output limit, and cancellation. The command runs in its own process group, so when a limit or
/// a cancel stops it, the whole group is killed: `sh -c 'sleep 100'` leaves `sleep` holding the
/// output pipe after `sh` is gone, and reading to end-of-file would wait for it.
public enum BoundedCommand {
    public struct Result: Sendable, Equatable {
        public enum Ending: Sendable, Equatable {
            case exited(Int32)
            case signalled(Int32)
            case timedOut(seconds: Double)
            case outputTooLarge(limit: Int)
            case cancelled
            case cannotStart(String)
        }
        public var ending: Ending
        public var output: String
        public var error: String
        public init(ending: Ending, output: String, error: String) { self.ending = ending; self.output = output; self.error = error }
    }

    /// `pipe2(O_CLOEXEC)` is not in Glibc's Swift module: the flag is set straight after, under
    /// the lock every spawn here also holds, so no command of ours is spawned in between.
    static let spawnLock = NSLock()

    static func makePipe(_ fds: inout [Int32]) -> Int32 {
        guard pipe(&fds) == 0 else { return -1 }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return 0
    }

    public static let defaultTimeout = 10.0
    public static let defaultMaxOutput = 64 * 1024

    public static func run(_ command: String, timeout: Double = defaultTimeout, maxOutput: Int = defaultMaxOutput,
                           isCancelled: @Sendable () -> Bool = { false }) -> Result
    {
        // Close-on-exec: a command started at the same time (two probes resolving at once) must
        // not inherit these ends, or this one sees no end-of-file until that one exits. dup2
        // into the child's 1 and 2 clears the flag there.
        spawnLock.lock()
        var locked = true
        defer { if locked { spawnLock.unlock() } }
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) == 0 else { return Result(ending: .cannotStart("pipe: \(String(cString: strerror(errno)))"), output: "", error: "") }
        guard makePipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            return Result(ending: .cannotStart("pipe: \(String(cString: strerror(errno)))"), output: "", error: "")
        }
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        var attr = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t? = nil
        var attr: posix_spawnattr_t? = nil
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attr)
        defer { posix_spawn_file_actions_destroy(&actions); posix_spawnattr_destroy(&attr) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in [outPipe[0], outPipe[1], errPipe[0], errPipe[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        // Its own process group (pgid = its pid), and default signal handling in the child.
        posix_spawnattr_setpgroup(&attr, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGQUIT, SIGHUP, SIGTSTP, SIGWINCH, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for a in argv { free(a) } }
        let env = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for e in env { free(e) } }
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, env)
        close(outPipe[1]); close(errPipe[1])
        spawnLock.unlock()
        locked = false
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            return Result(ending: .cannotStart("cannot run /bin/sh: \(String(cString: strerror(rc)))"), output: "", error: "")
        }
        for fd in [outPipe[0], errPipe[0]] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        defer { close(outPipe[0]); close(errPipe[0]) }

        var out: [UInt8] = [], err: [UInt8] = []
        var open = [outPipe[0], errPipe[0]]
        let start = DispatchTime.now().uptimeNanoseconds
        var stopped: Result.Ending?
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        while !open.isEmpty {
            if isCancelled() { stopped = .cancelled; break }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if elapsed >= timeout { stopped = .timedOut(seconds: timeout); break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            // Short slices, so a cancel is noticed within 50 ms.
            let slice = Int32(max(1, min(50, (timeout - elapsed) * 1000)))
            let n = poll(&fds, nfds_t(fds.count), slice)
            if n < 0 && errno != EINTR { break }
            for p in fds where p.revents != 0 {
                let r = buf.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if r > 0 {
                    if p.fd == outPipe[0] { out += buf[0..<r] } else if err.count < maxOutput { err += buf[0..<min(r, maxOutput - err.count)] }
                } else if r == 0 || (errno != EAGAIN && errno != EINTR) {
                    open.removeAll { $0 == p.fd }
                }
            }
            if out.count > maxOutput { stopped = .outputTooLarge(limit: maxOutput); break }
        }
        if let s = stopped {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return Result(ending: s, output: "", error: String(decoding: err, as: UTF8.self))
        }
        // Both pipes closed; the shell may still run (`exec >&-; sleep 100`): the limits hold.
        var status: Int32 = 0
        while true {
            let w = waitpid(pid, &status, WNOHANG)
            if w == pid || (w < 0 && errno != EINTR) { break }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if isCancelled() || elapsed >= timeout {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return Result(ending: isCancelled() ? .cancelled : .timedOut(seconds: timeout), output: "", error: String(decoding: err, as: UTF8.self))
            }
            usleep(2_000)
        }
        let ending: Result.Ending = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        return Result(ending: ending, output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
    }
}
