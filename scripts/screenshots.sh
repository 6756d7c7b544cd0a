#!/usr/bin/env bash
# Regenerates every screenshot in screenshots/ from the real errscope binary.
#
#   scripts/screenshots.sh            all shots
#   scripts/screenshots.sh help ...   only the named shots (file names without .png)
#   scripts/screenshots.sh --build    run `swift build` first even if the binary looks current
#
# Each shot runs `errscope --no-user-catalogs` in its own tmux server at a fixed size, drives it
# with send-keys, polls capture-pane until the expected text is on screen (and the screen has
# stopped changing), captures it with colours and converts it with scripts/ansi2png.py (rich +
# Pillow, no browser). Installs what it needs when missing: Debian tmux, fonts-dejavu-core,
# fonts-noto-cjk; rich and pillow into the venv .build/venv-shots. The user's config and
# catalogs are kept out (empty ERRSCOPE_CONFIG_DIR, --no-user-catalogs, NO_COLOR unset), so the
# PNGs depend only on the sources; re-running rewrites identical files.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

OUT=screenshots
WORK=.build/shots            # raw captures (.ans), kept for debugging
VENV=.build/venv-shots
BIN=${ERRSCOPE_BIN:-$PWD/.build/debug/errscope}
TIMEOUT=${SHOTS_TIMEOUT:-10}  # seconds to wait for a screen

force_build=0
only=()
for a in "$@"; do
  case "$a" in
    --build) force_build=1 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "screenshots.sh: unknown option $a" >&2; exit 64 ;;
    *) only+=("${a%.png}") ;;
  esac
done

# Every shot; each is made by the function shot_NAME (dashes as underscores) below.
SHOTS=(browse-bodhi-envelopes filter narrow help observed probe-verdict probe-retry probe-watch probe-escapes compare probe-stream incident zoom picker history)
if [ ${#only[@]} -gt 0 ]; then
  for n in "${only[@]}"; do
    [[ " ${SHOTS[*]} " == *" $n "* ]] || { echo "screenshots.sh: no shot named $n (have: ${SHOTS[*]})" >&2; exit 64; }
  done
  SHOTS=("${only[@]}")
fi

# --- what it needs ------------------------------------------------------------------------
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need+=(fonts-dejavu-core)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ! -x "$VENV/bin/python" ] && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then need+=(python3-venv); fi
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "== installing: ${need[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "screenshots.sh: missing ${need[*]} (no apt-get here: install them by hand)" >&2
    exit 1
  fi
fi
if ! "$VENV/bin/python" -c 'import rich, PIL' >/dev/null 2>&1; then
  echo "== venv $VENV: rich, pillow"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check rich pillow
fi
PY="$VENV/bin/python"

# --- the binary ---------------------------------------------------------------------------
# Built when missing, with --build, or when the sources, plugins, catalogs (embedded in the
# binary) or Package.swift changed since this script last built it.
STAMP=$WORK/build.stamp
if [ -z "${ERRSCOPE_BIN:-}" ]; then
  why=""
  if [ "$force_build" = 1 ]; then why="--build"
  elif [ ! -x "$BIN" ]; then why="no binary yet"
  elif [ ! -e "$STAMP" ]; then why="not built by this script yet"
  else
    changed=$(find Sources Plugins catalog Package.swift -newer "$STAMP" -type f -print -quit 2>/dev/null || true)
    [ -n "$changed" ] && why="$changed changed"
  fi
  if [ -n "$why" ]; then
    echo "== swift build --product errscope ($why)"
    mkdir -p "$WORK"
    touch "$STAMP.new"
    swift build --product errscope
    mv -f "$STAMP.new" "$STAMP"
  fi
fi
[ -x "$BIN" ] || { echo "screenshots.sh: no binary at $BIN" >&2; exit 1; }

mkdir -p "$OUT" "$WORK"
CONFIG_DIR=$(mktemp -d)   # an empty config dir: default theme and keys
SERVER=""
stop_server() {  # kill-server leaves its socket file behind
  local sock
  sock=$(tmux -L "$SERVER" display -p '#{socket_path}' 2>/dev/null || true)
  tmux -L "$SERVER" kill-server >/dev/null 2>&1 || true
  if [ -n "$sock" ]; then rm -f "$sock"; fi
  SERVER=""
}
cleanup() {
  if [ -n "$SERVER" ]; then stop_server; fi
  rm -rf "$CONFIG_DIR"
}
trap cleanup EXIT

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# start NAME W H [ARGS]: a fresh tmux server running errscope, once its first screen is painted.
# Probe shots pass --demo (the demo server in-process, on a fixed port so URLs are the same each
# run; timings still vary) and keep the journal out of the user's state folder.
start() {
  SERVER="shots-$1"
  tmux -L "$SERVER" kill-server >/dev/null 2>&1 || true
  tmux -L "$SERVER" -f /dev/null new-session -d -s s -x "$2" -y "$3" \
    -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e TERM=xterm-256color -e NO_COLOR= -e ERRSCOPE_TRACE= \
    -e ERRSCOPE_CONFIG_DIR="$CONFIG_DIR" -e ERRSCOPE_STATE_DIR="$CONFIG_DIR/state" "$BIN --no-user-catalogs ${4:-}"
  wait_for -F ' errscope '
}

# pick ENDPOINT REQUEST: in the probe pane, cycle to an endpoint and one of its saved requests.
pick() {
  local i
  keys g
  for i in $(seq 20); do capture | grep -q "endpoint ‹ $1 " && break; keys Right; sleep 0.05; done
  keys Down
  for i in $(seq 30); do capture | grep -q "request  ‹ $2 ›" && break; keys Right; sleep 0.05; done
  wait_for -F "request  ‹ $2 ›"
}

keys() { tmux -L "$SERVER" send-keys -t s "$@"; }
type_text() { tmux -L "$SERVER" send-keys -t s -l "$1"; }
capture() { tmux -L "$SERVER" capture-pane -p -t s "$@" 2>/dev/null || true; }

# wait_for [-F|-E] PATTERN: poll the pane until grep finds PATTERN, then until two captures in
# a row are the same (the paint is complete). Fails after $TIMEOUT seconds.
wait_for() {
  local mode=$1 pattern=$2 deadline last="" cur
  deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
  until capture | grep -q "$mode" -- "$pattern"; do
    if [ "$(now_ms)" -gt "$deadline" ]; then
      echo "screenshots.sh: $SERVER: \"$pattern\" did not appear within ${TIMEOUT}s; the screen was:" >&2
      capture >&2
      exit 1
    fi
    sleep 0.02
  done
  while :; do
    cur=$(capture -e)
    [ "$cur" = "$last" ] && break
    if [ "$(now_ms)" -gt "$deadline" ]; then
      echo "screenshots.sh: $SERVER: the screen did not settle within ${TIMEOUT}s" >&2
      exit 1
    fi
    last=$cur
    sleep 0.03
  done
}

written=()
converting=()
# snap NAME: capture with colours, convert, stop the server.
snap() {
  local name=$1 size cursor
  size=$(tmux -L "$SERVER" display -p -t s '#{pane_width} #{pane_height}')
  cursor=$(tmux -L "$SERVER" display -p -t s '#{cursor_flag} #{cursor_x},#{cursor_y}')
  capture -e -N > "$WORK/$name.ans"   # -N: keep trailing blanks (they carry backgrounds)
  local args=(--cols "${size% *}" --rows "${size#* }")
  [ "${cursor%% *}" = 1 ] && args+=(--cursor "${cursor#* }")
  stop_server
  # Converted in the background while the next shot runs; written in place only when complete.
  { "$PY" scripts/ansi2png.py "$WORK/$name.ans" -o "$WORK/$name.png" "${args[@]}" &&
      mv -f "$WORK/$name.png" "$OUT/$name.png"; } &
  converting+=($!)
  written+=("$OUT/$name.png")
}

# --- the shots ----------------------------------------------------------------------------
shot_browse_bodhi_envelopes() {   # one code in its four envelopes, side by side
  start browse-bodhi-envelopes 120 40
  type_text ':code data_service_error-alias_not_found'; keys Enter
  wait_for -F 'data_service_error-alias_not_found  bodhi / data_service_error'
  keys 3
  wait_for -F '▶ 3 Mapping · documented'
  wait_for -F '│ gemini HTTP 404'
  snap browse-bodhi-envelopes
}

shot_filter() {                   # incremental filter with its match count
  start filter 120 40
  type_text '/404'
  wait_for -E '^/404 +[0-9]+ match'
  snap filter
}

shot_narrow() {                   # 60x20: stacked panes, the envelopes paged two at a time
  start narrow 60 20
  type_text ':code data_service_error-alias_not_found'; keys Enter
  wait_for -F 'data_service_error-alias_not_found  bodhi'
  keys 3
  wait_for -F '▶ 3 Mapping'
  snap narrow
}

shot_probe_verdict() {            # a probe decoded: verdict, catalog entry, headers, body
  start probe-verdict 120 40 "--demo --demo-port 18090"
  pick bodhi-demo unknown-model
  keys s
  wait_for -F 'meaning   No model alias'
  snap probe-verdict
}

shot_probe_retry() {              # a 429 with the Retry-After countdown
  start probe-retry 120 40 "--demo --demo-port 18091"
  pick scaigrid-demo rate-limited
  keys s
  wait_for -E 'retry +yes, in [0-9]+ s'
  snap probe-retry
}

shot_probe_watch() {              # watch mode: the timeline of statuses and codes
  start probe-watch 120 40 "--demo --demo-port 18092"
  pick jan-server-demo unknown-model
  type_text ':watch 0.3'; keys Enter
  wait_for -E '(^|│) *timeline'
  for i in $(seq 60); do [ "$(capture | grep -cE '[0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{3} ')" -ge 6 ] && break; sleep 0.1; done
  keys w
  wait_for -F 'watch off'
  snap probe-watch
}

shot_probe_escapes() {            # terminal escapes in a message: shown as text, never obeyed
  start probe-escapes 120 40 "--demo --demo-port 18093"
  pick misbehave escapes
  keys s
  wait_for -F 'your key was revoked'
  snap probe-escapes
}

shot_compare() {                  # one category across every system
  start compare 140 40
  type_text ':compare context_length'; keys Enter
  wait_for -F 'Compare · context_length in every system'
  snap compare
}

shot_probe_stream() {             # a llama.cpp stream that fails after three events
  start probe-stream 150 70 "--demo --demo-port 18094"
  pick llama-cpp-demo stream-fail
  keys s
  wait_for -F 'error event'
  for i in $(seq 6); do capture | grep -q -- '── events' && break; keys NPage; sleep 0.1; done
  wait_for -F '── events'
  snap probe-stream
}

shot_help() {
  start help 120 40
  keys '?'
  wait_for -F 'Help · ↑↓ PgUp/PgDn scroll · Esc, ? or q closes'
  snap help
}

shot_incident() {                 # errscope --log: a gateway log read live, by system/code
  start incident 150 45 "--log $WORK/gateway.log"
  wait_for -F '5 Incident · gateway.log'
  wait_for -F '80 lines'
  keys z
  wait_for -F 'zoomed: z restores'
  snap incident
}

shot_picker() {                   # :code with a partial id: the fuzzy picker, matches underlined
  start picker 120 40
  type_text ':code rate lim'; keys Enter
  wait_for -F '> rate lim'
  snap picker
}

shot_history() {                  # H: past probes from the journal, in the picker
  start history 120 40 "--demo --demo-port 18095"
  pick bodhi-demo unknown-model
  keys s
  wait_for -F 'data_service_error-alias_not_found'
  pick misbehave escapes
  keys s
  wait_for -F 'your key was revoked'
  keys H
  wait_for -F 'Pick a probe to re-open'
  snap history
}

shot_zoom() {                     # 80x24, the tree zoomed: every system at a glance
  start zoom 80 24
  keys z
  wait_for -F '▸ tgi'
  snap zoom
}

shot_observed() {                 # the observed (as-seen-on-the-wire) mapping of a code
  start observed 120 40
  type_text ':code mcp_error-slug_exists'; keys Enter
  wait_for -F 'mcp_error-slug_exists  bodhi'
  keys 3
  wait_for -F '▶ 3 Mapping · documented'
  keys o
  wait_for -F '▶ 3 Mapping · observed'
  snap observed
}


# The incident shot's log: gateway lines as LiteLLM-style JSON logs write them (fixed, so the
# picture depends only on the sources).
mkdir -p "$WORK"
python3 - "$WORK/gateway.log" <<'PY'
import json, sys
rows = [
    (529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, 31),
    (429, {"type": "error", "error": {"type": "rate_limit_error", "message": "Number of request tokens has exceeded your per-minute rate limit"}}, 17),
    (400, {"type": "error", "error": {"type": "invalid_request_error", "message": "prompt is too long: 215000 tokens > 200000 maximum"}}, 9),
    (429, {"error": {"message": "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29000. Please try again in 17.359s.", "type": "tokens", "param": None, "code": "rate_limit_exceeded"}}, 11),
    (503, {"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}, 6),
    (404, {"error": "model 'llama3.3:70b' not found, try pulling it first"}, 4),
    (500, {"error": {"code": 500, "message": "the request exceeds the available context size, try increasing it", "type": "exceed_context_size_error"}}, 2),
]
with open(sys.argv[1], "w") as f:
    n = 0
    for status, body, count in rows:
        for _ in range(count):
            n += 1
            f.write(json.dumps({"ts": "2026-12-06T03:%02d:%02dZ" % (n // 60, n % 60), "status": status, "body": body}) + "\n")
PY

t0=$(now_ms)
for n in "${SHOTS[@]}"; do
  "shot_${n//-/_}"
done
failed=0
for p in "${converting[@]}"; do wait "$p" || failed=1; done
[ "$failed" = 0 ] || { echo "screenshots.sh: converting a capture failed (see above; captures in $WORK)" >&2; exit 1; }
echo "== wrote ${#written[@]} screenshots in $(( $(now_ms) - t0 )) ms:"
"$PY" - "${written[@]}" <<'PY'
import os, sys
from PIL import Image
for f in sys.argv[1:]:
    w, h = Image.open(f).size
    print(f"   {f}  {w}x{h}  {os.path.getsize(f) // 1024} KiB")
PY
