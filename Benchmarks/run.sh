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

swift build -c release --static-swift-stdlib --product errscope
E=$ROOT/.build/release/errscope
BIGCODE=$(tail -1 "$DATA/codes-100000.txt" | cut -d" " -f1)

if [ "${SKIP_ORDO:-}" != 1 ]; then
  (cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --format markdown --no-progress) || true
fi

echo "## whole-process comparisons"
hyperfine -N --warmup 3 -r 20 \
  -n "errscope decode --jsonl --summary (100k bodies)" "$E decode --jsonl $DATA/bodies.jsonl --summary --no-user-catalogs" \
  -n "jq -c '.error.code? // .error.type? // .code' (100k bodies)" "jq -R -c 'fromjson? | .error.code? // .error.type? // .code' $DATA/bodies.jsonl"
hyperfine -N --warmup 5 -r 50 \
  -n "errscope lookup CODE" "$E lookup data_service_error-alias_not_found --no-user-catalogs" \
  -n "errscope --help" "$E --help"
hyperfine -N --warmup 3 -r 20 \
  -n "errscope: load 100k-code JSON catalog + lookup" "$E lookup $BIGCODE --no-user-catalogs --catalog $DATA/catalog-100000.json" \
  -n "python3 json.load of the same file" "$PY -c 'import json; json.load(open(\"$DATA/catalog-100000.json\"))'" \
  -n "python3 start only" "$PY -c 'pass'"
echo "## peak memory (max RSS)"
/usr/bin/time -f "errscope 100k-code catalog: %M KB" $E lookup $BIGCODE --no-user-catalogs --catalog $DATA/catalog-100000.json >/dev/null
/usr/bin/time -f "errscope bundled only: %M KB" $E lookup data_service_error-alias_not_found --no-user-catalogs >/dev/null
/usr/bin/time -f "python json.load 100k: %M KB" $PY -c "import json; json.load(open('$DATA/catalog-100000.json'))"
