#!/usr/bin/env python3
"""Drives the real errscope binary and fzf in tmux (control mode) on the same data and
reports, side by side:
  - start to first full paint (bundled catalogs / fzf on the same code lines);
  - each filter keystroke until it is on screen (100k and 1M codes), and fzf's time to settle
    on the same query;
  - peak memory (VmHWM) of errscope with 100k codes after filtering.
Polls `capture-pane` through one control-mode client, so a poll costs well under a millisecond.
tmux adds its own ~13-15 ms to a first paint, so first paint is also measured on a bare pty: from
just before fork/exec to the moment the bytes that complete the screen arrive. Keystrokes are
also reported as errscope's own trace has them (key read -> screen updated, ERRSCOPE_TRACE).
Usage: tui_bench.py ERRSCOPE_BIN DATA_DIR [runs]"""
import fcntl, io, os, pty, re, select, signal, statistics, struct, subprocess, sys, termios, time

BIN, DATA = sys.argv[1], sys.argv[2]
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 10


class Tmux:
    started = 0

    def __init__(self, command, w=120, h=40, env=None):
        # A server of its own per session: with one socket name for all, a new session could
        # reach the previous server while it was still shutting down, and end with it.
        Tmux.started += 1
        self.sock = "errscope-bench-%d-%d" % (os.getpid(), Tmux.started)
        envs = []
        for k, v in (env or {}).items():
            envs += ["-e", "%s=%s" % (k, v)]
        self.t0 = time.perf_counter()
        # `-f no-output`: without it, tmux copies every byte the program writes to this client
        # as %output lines, and each reply waits behind them (a full-screen redraw then costs
        # the harness, not the program, several milliseconds; `cat`'s one-byte echo hid it).
        # Set here, not with a `refresh-client -f` sent after attaching: tmux 3.3a sometimes
        # never answers a command sent that early, and the harness waited forever (1 start in
        # ~30).
        self.p = subprocess.Popen(["tmux", "-L", self.sock, "-f", "/dev/null", "-C", "new-session", "-f", "no-output", "-x", str(w), "-y", str(h),
                                   "-e", "LANG=C.UTF-8", "-e", "TERM=xterm-256color"] + envs + [command],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        # Replies are read through a buffer. With bufsize=0, readline() on the raw pipe reads
        # one byte per read(2): a 120x40 capture-pane then cost the harness ~5.8 ms per poll
        # (0.17 ms for `cat`'s near-empty screen), and a frame was seen up to two polls late.
        self.out = io.BufferedReader(self.p.stdout, 1 << 16)
        # The reply to `new-session` itself comes first: read it, or every later reply is
        # taken for the command after it (one poll stale, and `display` gets a screen).
        while True:
            l = self.out.readline().decode("utf-8", "replace")
            if not l or l.startswith("%end") or l.startswith("%error"):
                break

    def cmd(self, line):
        self.p.stdin.write((line + "\n").encode())
        out = []
        inside = False
        while True:
            l = self.out.readline().decode("utf-8", "replace")
            if not l:
                raise RuntimeError("tmux exited")
            if l.startswith("%begin"):
                inside = True
                continue
            if l.startswith("%end") or l.startswith("%error"):
                if inside:
                    return "".join(out)
                continue
            if inside:
                out.append(l)

    def screen(self):
        return self.cmd("capture-pane -p")

    def wait(self, pred, timeout=30.0):
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            s = self.screen()
            if pred(s):
                return time.perf_counter()
        raise RuntimeError("timeout; screen:\n" + self.screen())

    def keys(self, text):
        self.cmd("send-keys -l " + "'" + text.replace("'", "'\\''") + "'")

    def close(self):
        try:
            self.p.stdin.close()
        except Exception:
            pass
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], stderr=subprocess.DEVNULL)
        self.p.wait()


def ms(x):
    return "%.1f ms" % (x * 1000)


def first_paint(command, done, env=None):
    times = []
    for _ in range(RUNS):
        t = Tmux(command, env=env)
        try:
            times.append(t.wait(done) - t.t0)
        finally:
            t.close()
    return times


ANSI = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\\\)|[()][0-9A-Za-z]|[=>78cMDE])")


def pty_first_paint(argv, marker, stdin_file=None, env=None):
    """Fork/exec on a 120x40 pty; time until the output, escapes removed, contains `marker`."""
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            if stdin_file:
                f = os.open(stdin_file, os.O_RDONLY)
                os.dup2(f, 0)
            e = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", **(env or {}))
            os.execvpe(argv[0], argv, e)
        out = b""
        found = None
        end = t0 + 30
        while time.perf_counter() < end:
            r, _, _ = select.select([fd], [], [], 0.5)
            if not r:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if marker in ANSI.sub(b"", out):
                found = time.perf_counter()
                break
        os.kill(pid, signal.SIGTERM)
        try:
            while os.read(fd, 1 << 16):
                pass
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
        if found is None:
            raise RuntimeError("marker %r never appeared; output: %r" % (marker, ANSI.sub(b"", out)[-400:]))
        times.append(found - t0)
    return times


def baseline():
    """tmux itself: start a session whose command prints one line."""
    return first_paint("sh -c 'echo READY; sleep 5'", lambda s: "READY" in s)


def errscope_keystrokes(catalog, query):
    """Per keystroke: send one character, wait until the title shows the query so far."""
    trace = "/tmp/errscope-bench-trace-%d.txt" % os.getpid()
    if os.path.exists(trace):
        os.remove(trace)
    env = {"ERRSCOPE_CONFIG_DIR": "/tmp/errscope-bench-cfg", "ERRSCOPE_TRACE": trace}
    t = Tmux("%s --no-user-catalogs --catalog %s" % (BIN, catalog), env=env)
    try:
        t.wait(lambda s: "systems ·" in s, timeout=120)
        t.keys("/")
        t.wait(lambda s: s.rstrip().endswith("/") or "/\n" in s or "matches · Enter" in s or True)
        lat = []
        for i, ch in enumerate(query):
            q = query[: i + 1]
            start = time.perf_counter()
            t.keys(ch)
            marker = "filter “%s”" % q
            t.wait(lambda s: ("/" + q) in s and (marker is None or marker in s))
            lat.append(time.perf_counter() - start)
        pid = t.cmd("display -p '#{pane_pid}'").strip()
        hwm = ""
        try:
            for line in open("/proc/%s/status" % pid):
                if line.startswith("VmHWM"):
                    hwm = line.split(":", 1)[1].strip()
        except OSError:
            pass
        screen = t.screen()
        m = re.search(r"(\d+) match", screen)
        lines = [l.strip() for l in open(trace) if l.startswith("key ")][1:]  # [0] is "/"
        inproc = [float(l.split()[1]) / 1000 for l in lines]
        # The slowest keystroke's own trace line: update/render/paint, CPU time of all threads
        # and page faults during it (CPU far below the wall time = it waited for a core).
        slowest = max(lines, key=lambda l: float(l.split()[1])) if lines else ""
        return lat, hwm, (m.group(1) if m else "?"), inproc, slowest
    finally:
        t.close()


def pty_keystrokes(catalog, query):
    """On a bare pty: write each key, time until the last byte of the frame it causes (the
    output then stays quiet for 30 ms). No terminal emulator in between."""
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execvpe(BIN, [BIN, "--no-user-catalogs", "--catalog", catalog],
                   dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", ERRSCOPE_CONFIG_DIR="/tmp/errscope-bench-cfg"))

    def drain(quiet, first_wait=10.0):
        last, n = None, 0
        wait = first_wait  # the frame may take longer than `quiet` to start
        while select.select([fd], [], [], wait)[0]:
            wait = quiet
            c = os.read(fd, 1 << 16)
            if not c:
                break
            n += len(c)
            last = time.perf_counter()
        return last, n

    out = b""
    end = time.perf_counter() + 120
    while b"F1 help" not in ANSI.sub(b"", out) and time.perf_counter() < end:
        if select.select([fd], [], [], 0.5)[0]:
            out += os.read(fd, 1 << 16)
    drain(0.3)
    os.write(fd, b"/")
    drain(0.3)
    lat = []
    for ch in query:
        t0 = time.perf_counter()
        os.write(fd, ch.encode())
        last, n = drain(0.03)
        lat.append((last or t0) - t0)
        time.sleep(0.2)
    os.kill(pid, signal.SIGTERM)
    try:
        drain(0.2, first_wait=0.2)
    except OSError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return lat


def fzf_settle(lines_file, query, expected):
    """Type the whole query, wait until fzf's info line shows the final count."""
    out = []
    for _ in range(max(3, RUNS // 2)):
        t = Tmux("fzf < %s" % lines_file)
        try:
            t.wait(lambda s: re.search(r"\d+/\d+", s) is not None and "100000" in s or "1000000" in s, timeout=120)
            start = time.perf_counter()
            t.keys(query)
            t.wait(lambda s: re.search(r"\b%d/\d+" % expected, s) is not None and ("> " + query) in s, timeout=60)
            out.append(time.perf_counter() - start)
        finally:
            t.close()
    return out


def summary(name, xs):
    return "%-58s median %9s  min %9s  max %9s  (n=%d)" % (name, ms(statistics.median(xs)), ms(min(xs)), ms(max(xs)), len(xs))


print("## first paint (tmux start to the first full screen)")
base = baseline()
print(summary("tmux + `sh -c echo` (baseline)", base))
fp = first_paint("%s --no-user-catalogs" % BIN, lambda s: "systems ·" in s and "F1 help" in s,
                 env={"ERRSCOPE_CONFIG_DIR": "/tmp/errscope-bench-cfg"})
print(summary("errscope, bundled catalogs", fp))
bundled_lines = "%s/codes-bundled.txt" % DATA
subprocess.run("%s catalog export --format json --no-user-catalogs | jq -r '.[].codes[] | \"\\(.code) \\(.domain) \\(.http) \\(.meaning)\"' > %s" % (BIN, bundled_lines), shell=True, check=True)
n_bundled = sum(1 for _ in open(bundled_lines))
fz = first_paint("fzf < %s" % bundled_lines, lambda s: re.search(r"%d/%d" % (n_bundled, n_bundled), s) is not None)
print(summary("fzf, the same %d bundled codes as lines" % n_bundled, fz))
fz = first_paint("fzf < %s/codes-100000.txt" % DATA, lambda s: re.search(r"100000/100000", s) is not None)
print(summary("fzf, 100k lines", fz))

print("\n## first paint on a bare pty (fork/exec to the bytes that complete the screen)")
env = {"ERRSCOPE_CONFIG_DIR": "/tmp/errscope-bench-cfg"}
print(summary("errscope, bundled catalogs (until the status line's `F1 help`)",
              pty_first_paint([BIN, "--no-user-catalogs"], b"F1 help", env=env)))
print(summary("fzf, the same %d codes (until `%d/%d`)" % (n_bundled, n_bundled, n_bundled),
              pty_first_paint(["fzf"], b"%d/%d" % (n_bundled, n_bundled), stdin_file=bundled_lines)))

def tmux_key_baseline(text="alias_nf"):
    """tmux itself: a keystroke echoed by the tty of `cat` until capture-pane shows it (no
    spaces: capture-pane drops trailing blanks; one line, well under the pane's width)."""
    t = Tmux("cat")
    try:
        lat = []
        typed = ""
        for k in range(min(RUNS, 10)):
            for ch in ("%d" % k) + text:
                typed += ch
                start = time.perf_counter()
                t.keys(ch)
                tail = typed[-12:]
                t.wait(lambda s: tail in s)
                lat.append(time.perf_counter() - start)
        return lat
    finally:
        t.close()


print()
print(summary("tmux floor: a keystroke echoed by `cat`, send to shown", tmux_key_baseline()))

for n in (100000, 1000000):
    cat = "%s/catalog-%d.json" % (DATA, n)
    lines = "%s/codes-%d.txt" % (DATA, n)
    if not os.path.exists(cat):
        continue
    print("\n## filter `alias nf` over %d codes" % n)
    # Three sessions: the first keystroke (one letter, nearly every code matches) is the
    # slowest and varies most, so one session's worth is not enough.
    lat, inproc, firsts = [], [], []
    for session in range(3):
        l, hwm, count, ip, slowest = errscope_keystrokes(cat, "alias nf")
        lat += l
        inproc += ip
        firsts.append((l[0], ip[0]))
        print("    session %d through tmux: " % (session + 1) + ", ".join(ms(x) for x in l) + "; final matches %s; VmHWM %s" % (count, hwm))
        print("    session %d in process:   " % (session + 1) + ", ".join(ms(x) for x in ip))
        print("    session %d slowest, errscope's trace: %s" % (session + 1, slowest))
    print(summary("errscope, per keystroke through tmux (a, al, ... alias nf)", lat))
    print(summary("errscope, per keystroke in process (key read -> painted)", inproc))
    print("    first keystroke of each session (tmux / in process): " + ", ".join("%s / %s" % (ms(a), ms(b)) for a, b in firsts))
    bare = []
    for session in range(3):
        bare += pty_keystrokes(cat, "alias nf")
    print(summary("errscope, per keystroke on a bare pty (key written -> frame's last byte)", bare))
    print("    bare pty: " + ", ".join(ms(x) for x in bare))
    expected = int(subprocess.run("fzf --filter 'alias nf' < %s | wc -l" % lines, shell=True, capture_output=True, text=True).stdout.strip() or 0)
    fs = fzf_settle(lines, "alias nf", expected)
    print(summary("fzf, settle on `alias nf` (%d matches)" % expected, fs))
