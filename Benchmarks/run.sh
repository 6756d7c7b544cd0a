#!/usr/bin/env bash
# Runs every benchmark in one go and prints the figures docs/PERFORMANCE.md reports:
#  1. generates the inputs (100,000 bodies, a 100,000-code catalog) with scripts/gen-bench-data.py;
#  2. ordo-one/benchmark, in process (wall clock, CPU, peak resident memory, mallocs);
#  3. whole processes side by side with hyperfine: errscope against jq and Python on the same data.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=${ERRSCOPE_BENCH_DATA:-/tmp/errscope-bench}
export ERRSCOPE_BENCH_DATA=$DATA
command -v hyperfine >/dev/null && command -v jq >/dev/null || { apt-get update -qq; apt-get install -y -qq hyperfine jq >/dev/null; }
VENV=.build/venv
[ -x $VENV/bin/python ] || { python3 -m venv $VENV; $VENV/bin/pip install -q jsonschema pyyaml; }
PY=$VENV/bin/python   # a venv interpreter: the pyenv shim adds 55-140 ms a start
[ -f "$DATA/bodies.jsonl" ] || $PY scripts/gen-bench-data.py "$DATA" --bodies 100000 --codes 100000 --yaml
[ -f "$DATA/provider-bodies.jsonl" ] || $PY scripts/gen-provider-bench.py "$DATA" 100000
# The same lines with a request id and message digits of their own on every line (a real log).
for f in bodies provider-bodies; do
  [ -f "$DATA/$f-unique.jsonl" ] || $PY scripts/uniquify-bench.py "$DATA/$f.jsonl" "$DATA/$f-unique.jsonl"
done

# Its own scratch path: a release build does not throw away the debug build the tests use.
swift build -c release --static-swift-stdlib --scratch-path .build-release --product errscope
E=$ROOT/.build-release/release/errscope
BIGCODE=$(tail -1 "$DATA/codes-100000.txt" | cut -d" " -f1)

if [ "${SKIP_ORDO:-}" != 1 ]; then
  (cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --format markdown --no-progress) || true
fi

# hyperfine prints mean ± σ; on this noisy VM the median and the 10th/90th percentiles say more.
med() {
  python3 - "$1" <<'PY'
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(r["times"])
    print("  %-70s median %7.1f ms  p10 %7.1f ms  p90 %7.1f ms" % (r["command"][:70], statistics.median(t) * 1e3, t[len(t) // 10] * 1e3, t[len(t) * 9 // 10] * 1e3))
PY
}
HF=$(mktemp -d)

echo "## whole-process comparisons"
hyperfine -N --warmup 3 -r 20 --export-json $HF/1.json \
  -n "errscope decode --jsonl --summary (100k bodies)" "$E decode --jsonl $DATA/bodies.jsonl --summary --no-user-catalogs" \
  -n "jq -c '.error.code? // .error.type? // .code' (100k bodies)" "jq -R -c 'fromjson? | .error.code? // .error.type? // .code' $DATA/bodies.jsonl" \
  -n "errscope decode --jsonl --summary (100k provider lines)" "$E decode --jsonl $DATA/provider-bodies.jsonl --summary --no-user-catalogs" \
  -n "jq (100k provider lines)" "jq -R -c 'fromjson? | .error.code? // .error.type? // .code' $DATA/provider-bodies.jsonl" \
  -n "errscope decode --jsonl --summary (100k bodies, unique ids)" "$E decode --jsonl $DATA/bodies-unique.jsonl --summary --no-user-catalogs" \
  -n "errscope decode --jsonl --summary (100k provider lines, unique ids)" "$E decode --jsonl $DATA/provider-bodies-unique.jsonl --summary --no-user-catalogs"
hyperfine -N --warmup 10 -r 200 --export-json $HF/2.json \
  -n "errscope lookup CODE" "$E lookup data_service_error-alias_not_found --no-user-catalogs" \
  -n "errscope --help" "$E --help"
hyperfine -N --warmup 3 -r 20 --export-json $HF/3.json \
  -n "errscope: load 100k-code JSON catalog + lookup" "$E lookup $BIGCODE --no-user-catalogs --catalog $DATA/catalog-100000.json" \
  -n "python3 json.load of the same file" "$PY -c 'import json; json.load(open(\"$DATA/catalog-100000.json\"))'" \
  -n "python3 start only" "$PY -c 'pass'"
echo "## medians"
for f in $HF/*.json; do med $f; done
echo "## peak memory (max RSS)"
/usr/bin/time -f "errscope 100k-code catalog: %M KB" $E lookup $BIGCODE --no-user-catalogs --catalog $DATA/catalog-100000.json >/dev/null
/usr/bin/time -f "errscope bundled only: %M KB" $E lookup data_service_error-alias_not_found --no-user-catalogs >/dev/null
/usr/bin/time -f "python json.load 100k: %M KB" $PY -c "import json; json.load(open('$DATA/catalog-100000.json'))"
