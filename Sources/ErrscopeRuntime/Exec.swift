import ErrscopeTUI
import Foundation

/// Runs an `.exec` effect: the request's text in a private temporary file (0600: it may hold
/// secrets typed by hand), its shell command run on the terminal with `"$1"` naming that file, and
/// the file read back when the command succeeds. The terminal is handed over (`release`) and
/// taken back (`resume`) around it; Ctrl-C belongs to the child while it runs, and Ctrl-Z stops
/// the child and errscope with it, so the shell gets the terminal back and `fg` resumes both.
enum Exec {
    static func run(_ request: ExecRequest, backend: some TerminalBackend) -> String? {
        let dir = FileManager.default.temporaryDirectory.path
        let path = "\(dir)/errscope-\(getpid())-\(request.tag)-\(UInt32.random(in: 0...UInt32.max)).\(request.fileSuffix)"
        guard FileManager.default.createFile(atPath: path, contents: Data(request.text.utf8), attributes: [.posixPermissions: 0o600]) else { return nil }
        defer { unlink(path) }
        backend.release()
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
        let argv = ["/bin/sh", "-c", request.command, "sh", path]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, &attr, &cargs, environ)
        var ws: Int32 = 0
        if spawned == 0 {
            // Like system(3).
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
        Signals.install()
        backend.resume()
        guard spawned == 0, ws & 0x7f == 0, (ws >> 8) & 0xff == 0 else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
