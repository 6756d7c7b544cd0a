#!/usr/bin/env bash
# Fuzzes the readers of untrusted input with libFuzzer under AddressSanitizer:
#   scripts/fuzz.sh [SECONDS per target, default 60] [targets: json traffic catalog jsonl]
# Seeds: the real captures (Tests/Fixtures/captures), the catalogs, and small JSON. New inputs go
# to .build-fuzz/corpus/TARGET; a crash leaves crash-* / leak-* files in .build-fuzz/artifacts.
# Replay one: swift run errscope-fuzz TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"; shift || true
targets=("${@:-json traffic catalog jsonl}")
read -r -a targets <<< "${targets[*]}"
# -sanitize=fuzzer instruments every Swift target for coverage and links libFuzzer; lld, because
# gold fails on the instrumented debug info. (The build-plugin tool fails to link with libFuzzer's
# main and says so; errscope-fuzz does not need it.)
swift build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DERRSCOPE_LIBFUZZER -Xswiftc -use-ld=lld --product errscope-fuzz
bin=".build-fuzz/debug/errscope-fuzz"
mkdir -p .build-fuzz/artifacts
for t in "${targets[@]}"; do
  corpus=".build-fuzz/corpus/$t"; seeds=".build-fuzz/seeds/$t"
  mkdir -p "$corpus" "$seeds"
  case "$t" in
    json|traffic|jsonl)
      # Each real capture's input as it reached a person (a body, curl -si text, a stream, a log print).
      python3 - "$seeds" <<'PY'
import base64, json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for f in sorted(pathlib.Path("Tests/Fixtures/captures").glob("*.json")):
    for i, c in enumerate(json.loads(f.read_text())["captures"]):
        if "input_base64" in c:
            data = base64.b64decode(c["input_base64"])
        else:
            data = (c["input"] if isinstance(c["input"], str) else json.dumps(c["input"])).encode()
        (out / f"{f.stem}-{i}").write_bytes(data)
PY
      printf '{"error":{"message":"x","type":"rate_limit_error"}}' > "$seeds/min.json" ;;
    catalog) cp catalog/*.yaml "$seeds/" ;;
  esac
  echo "== $t: ${secs}s"
  ERRSCOPE_FUZZ_TARGET="$t" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$bin" "$corpus" "$seeds" \
    -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix=".build-fuzz/artifacts/$t-" 2>&1 | grep -E "^#[0-9]+[[:space:]]+(DONE|INITED)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Test unit written" || true
  if ls .build-fuzz/artifacts/"$t"-* >/dev/null 2>&1; then echo "FAIL: $t left $(ls .build-fuzz/artifacts/"$t"-*)"; exit 1; fi
done
echo "fuzz: no crash"
