#!/usr/bin/env bash
# The probe's speed targets, in one run against a loopback server (a separate demo-server process):
#  1. `errscope probe URL --json`, whole process, next to `curl -s URL | jq .` (hyperfine);
#  2. in the TUI, last byte of the response -> verdict on screen (ERRSCOPE_TRACE "probe-verdict");
#  3. watch mode at 10 requests/s: the TUI process's CPU (utime+stime from /proc) over 20 s.
# (hyperfine -i: the probed request fails on purpose, so errscope exits 4.)
# Usage: Benchmarks/probe_bench.sh [path/to/errscope]   (default: a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
E=${1:-}
if [ -z "$E" ]; then
  swift build -c release --static-swift-stdlib --scratch-path .build-release --product errscope
  E=$PWD/.build-release/release/errscope
fi
command -v hyperfine >/dev/null && command -v jq >/dev/null && command -v tmux >/dev/null \
  || { apt-get update -qq; apt-get install -y -qq hyperfine jq tmux >/dev/null; }
WORK=$(mktemp -d)
PORT=${PORT:-18089}
"$E" demo-server --port $PORT --no-user-catalogs >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; tmux -L probebench kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.05; done
URL="http://127.0.0.1:$PORT/bodhi/v1/chat/completions"
BODY='{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}'
export ERRSCOPE_STATE_DIR=$WORK/state

echo "## 1. whole process: errscope probe vs curl | jq (same request, same server)"
hyperfine -N -i --warmup 5 -r 60 \
  -n "errscope probe URL --json --no-journal" "$E probe $URL -H 'Authorization: Bearer demo-token' -d '$BODY' --json --no-journal --no-user-catalogs" \
  -n "errscope probe URL --json (journal on)" "$E probe $URL -H 'Authorization: Bearer demo-token' -d '$BODY' --json --no-user-catalogs" \
  -n "curl -s URL | jq ." "bash -c \"curl -s -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/json' -d '$BODY' $URL | jq .\""

echo "## 2+3. TUI: verdict latency and watch-mode CPU at 10 requests/s"
cat >"$WORK/endpoints.yaml" <<YAML
endpoints:
  bench:
    url: http://127.0.0.1:$PORT/bodhi
    system: bodhi
    headers: {Authorization: "Bearer \${env:BENCH_TOKEN}"}
    requests:
      unknown-model:
        method: POST
        path: /v1/chat/completions
        json: $BODY
YAML
TRACE=$WORK/trace.log
tmux -L probebench -f /dev/null new-session -d -s s -x 120 -y 40 -e LANG=C.UTF-8 -e ERRSCOPE_TRACE=$TRACE \
  -e BENCH_TOKEN=demo-token -e ERRSCOPE_STATE_DIR=$WORK/state \
  "$E --endpoints $WORK/endpoints.yaml --no-user-catalogs --no-journal"
for _ in $(seq 100); do tmux -L probebench capture-pane -p | grep -q Catalog && break; sleep 0.05; done
PID=$(tmux -L probebench display -p '#{pane_pid}')
tmux -L probebench send-keys 4
tmux -L probebench send-keys : w a t c h ' ' 0 . 1 Enter
sleep 2   # settle
ticks() { awk '{print $14+$15}' /proc/$PID/stat; }
T0=$(ticks); N0=$(grep -c probe-verdict "$TRACE" || true); S0=$(date +%s.%N)
sleep 20
T1=$(ticks); N1=$(grep -c probe-verdict "$TRACE" || true); S1=$(date +%s.%N)
tmux -L probebench send-keys w q
HZ=$(getconf CLK_TCK)
python3 - "$T0" "$T1" "$S0" "$S1" "$N0" "$N1" "$HZ" "$TRACE" <<'PY'
import sys, statistics
t0, t1, s0, s1, n0, n1, hz, trace = sys.argv[1:]
cpu = (float(t1) - float(t0)) / float(hz); wall = float(s1) - float(s0)
probes = int(n1) - int(n0)
print(f"watch mode: {probes} probes in {wall:.1f} s = {probes/wall:.1f} req/s; TUI CPU {cpu:.2f} s = {100*cpu/wall:.1f}% of a core")
rows = [l.split() for l in open(trace) if l.startswith("probe-verdict")]
lat = sorted(float(r[1]) for r in rows)
for k in ("transit", "update", "render", "paint"):
    v = sorted(float(r[r.index(k) + 1]) for r in rows if k in r)
    if v: print(f"  {k}: median {statistics.median(v):.3f} ms")
q = lambda p: lat[min(len(lat)-1, int(p*len(lat)))]
print(f"last byte -> verdict on screen: n={len(lat)} median {statistics.median(lat):.3f} ms, p90 {q(0.9):.3f} ms, p99 {q(0.99):.3f} ms, max {lat[-1]:.3f} ms")
PY
