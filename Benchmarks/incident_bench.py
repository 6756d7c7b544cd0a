#!/usr/bin/env python3
"""The incident pane under load: errscope --log follows a file that a writer appends RATE lines
a second to for SECONDS; measures errscope's CPU time over that stretch (from /proc, all
threads: the follower, the decode, the frames) and the keystroke-to-screen times it traces
(ERRSCOPE_TRACE) for keys pressed while the log grows.

Usage: Benchmarks/incident_bench.py BIN LINES_FILE [RATE] [SECONDS]
LINES_FILE: log lines to cycle through (e.g. /tmp/errscope-bench/provider-bodies.jsonl).
"""
import os, subprocess, sys, tempfile, time

binary, source = sys.argv[1], sys.argv[2]
rate = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
lines = [l for l in open(source, "rb").read().split(b"\n") if l.strip()]
tmp = tempfile.mkdtemp(prefix="errscope-incident-bench-")
log = os.path.join(tmp, "gateway.log")
trace = os.path.join(tmp, "trace")
open(log, "wb").close()
env = dict(os.environ, ERRSCOPE_TRACE=trace, ERRSCOPE_STATE_DIR=tmp)
sess = "incbench%d" % os.getpid()
subprocess.run(["tmux", "kill-session", "-t", sess], stderr=subprocess.DEVNULL)
subprocess.run(["tmux", "new-session", "-d", "-s", sess, "-x", "120", "-y", "40",
                f"ERRSCOPE_TRACE={trace} ERRSCOPE_STATE_DIR={tmp} {binary} --no-user-catalogs --log {log}"], check=True, env=env)
time.sleep(1.0)
pid = int(subprocess.run(["pgrep", "-f", "--", f"no-user-catalogs --log {log}"], capture_output=True, text=True).stdout.split()[0])
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick
c0, t0 = cpu(), time.monotonic()
written, i = 0, 0
keys = ["j", "k"]
out = open(log, "ab", buffering=0)
next_key = t0 + 0.5
while time.monotonic() - t0 < seconds:
    # Write in 20 ms slices, as a busy gateway would.
    due = int((time.monotonic() - t0) * rate) - written
    if due > 0:
        chunk = b"".join(lines[(i + k) % len(lines)] + b"\n" for k in range(due))
        out.write(chunk)
        written += due
        i += due
    if time.monotonic() >= next_key:
        subprocess.run(["tmux", "send-keys", "-t", sess, keys[int(next_key) % 2]])
        next_key += 0.5
    time.sleep(0.02)
time.sleep(1.0)  # let it catch up
c1, t1 = cpu(), time.monotonic()
screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", sess], capture_output=True, text=True).stdout
subprocess.run(["tmux", "send-keys", "-t", sess, "q"])
time.sleep(0.5)
subprocess.run(["tmux", "kill-session", "-t", sess], stderr=subprocess.DEVNULL)
counted = next((l for l in screen.splitlines() if "5 Incident" in l), "")
keyms = sorted(float(l.split()[1]) for l in open(trace) if l.startswith("key "))
print(f"wrote {written} lines in {seconds:.0f} s ({written / seconds:.0f}/s)")
print(f"errscope CPU: {c1 - c0:.2f} s over {t1 - t0:.1f} s = {100 * (c1 - c0) / (t1 - t0):.1f}% of a core (follower, decode and frames)")
if keyms:
    print(f"keystrokes during the load: {len(keyms)}, median {keyms[len(keyms) // 2]:.2f} ms, max {keyms[-1]:.2f} ms")
print("pane title:", counted.strip()[:110])
