#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with the Swift toolchain: installs the Debian
# packages the tests need (tmux for the end-to-end TUI tests, ncurses and SQLite headers,
# openssl for the TLS tests), checks the
# catalogs against catalog/schema.json, builds, and runs every Swift Testing test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
[ -e /usr/include/ncurses.h ] || need+=(libncurses-dev)
[ -e /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)   # the probe journal (GRDB)
command -v openssl >/dev/null 2>&1 || need+=(openssl)      # TLS tests: certificates and s_server
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== catalogs against catalog/schema.json"
VENV=.build/venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check jsonschema pyyaml
fi
"$VENV/bin/python" scripts/validate-catalogs.py

echo "== build"
swift build --build-tests

echo "== tests"
swift test --disable-xctest --skip-build "$@"

# The official SDKs themselves (PyPI), against a local server: what they raise and how they
# retry must be what errscope's catalog/sdks.yaml says. Skip with ERRSCOPE_SKIP_SDKS=1.
if [ "${ERRSCOPE_SKIP_SDKS:-}" != 1 ]; then
  echo "== the real SDKs against a local server (scripts/sdk-check)"
  SDKVENV=.build/sdk-venv
  if [ ! -x "$SDKVENV/bin/python" ] || ! cmp -s scripts/sdk-check/requirements.txt "$SDKVENV/requirements.txt"; then
    rm -rf "$SDKVENV"
    python3 -m venv "$SDKVENV"
    "$SDKVENV/bin/pip" install -q --disable-pip-version-check -r scripts/sdk-check/requirements.txt
    cp scripts/sdk-check/requirements.txt "$SDKVENV/requirements.txt"
  fi
  OBS=$(mktemp)
  "$SDKVENV/bin/python" scripts/sdk-check/check.py --out "$OBS" --verify catalog/sdks.yaml >/dev/null
  "$SDKVENV/bin/python" scripts/sdk-check/compare.py --errscope "$(swift build --show-bin-path)/errscope" --observed "$OBS"
  rm -f "$OBS"
fi
