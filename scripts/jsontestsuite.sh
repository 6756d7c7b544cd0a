#!/usr/bin/env bash
# Runs the JSON tape parser over nst/JSONTestSuite's test_parsing (y_ accepted, n_ rejected,
# i_ no crash). The suite is not vendored; give a checkout:
#   scripts/jsontestsuite.sh /path/to/JSONTestSuite
set -euo pipefail
dir="${1:?usage: scripts/jsontestsuite.sh /path/to/JSONTestSuite (a checkout of github.com/nst/JSONTestSuite)}"
[ -d "$dir/test_parsing" ] || { echo "no test_parsing/ in $dir" >&2; exit 64; }
cd "$(dirname "$0")/.."
swift build --build-tests
JSONTESTSUITE_DIR="$(cd "$dir" && pwd)" swift test --skip-build --disable-xctest --filter JSONConformanceTests
