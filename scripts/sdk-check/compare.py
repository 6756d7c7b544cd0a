#!/usr/bin/env python3
"""Compare what errscope says each SDK does (`decode --json`, its `sdk[]`) with what the real SDKs
did (check.py's observations) for every case in cases.json.

    compare.py --errscope PATH/TO/errscope [--observed FILE]   (default: Tests/Fixtures/sdk-observed.jsonl)

For each observation: the exception class must be the one errscope names, errscope must say
"retries" exactly when the SDK sent the request more than once, and the number of retries and
the first wait must agree (the wait within the SDK's jitter: backoff waits are 0.75-1.0 of the
base for the Stainless SDKs). Prints one line per disagreement and a closing
`N passed, N failed` line; exits 1 on any disagreement.
"""
from __future__ import annotations

import argparse
import email.utils
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def materialise(value: str) -> str:
    # {http-date:+N}: an HTTP date N seconds from now, as check.py sends it.
    if value.startswith("{http-date:") and value.endswith("}"):
        n = float(value[len("{http-date:"):-1])
        return email.utils.formatdate(time.time() + n, usegmt=True)
    return value


def decode(errscope: str, case: dict) -> dict:
    body = case["body"]
    text = body if isinstance(body, str) else json.dumps(body)
    args = [errscope, "decode", "--json", "--no-user-catalogs", "--status", str(case["status"])]
    for k, v in case.get("headers", {}).items():
        args += ["-H", f"{k}: {materialise(str(v))}"]
    p = subprocess.run(args, input=text.encode(), capture_output=True, timeout=30)
    return json.loads(p.stdout)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errscope", required=True)
    ap.add_argument("--observed", default=str(ROOT / "Tests/Fixtures/sdk-observed.jsonl"))
    a = ap.parse_args()
    cases = {c["id"]: c for c in json.load(open(HERE / "cases.json"))["cases"]}
    verdicts: dict[str, dict] = {}
    passed = failed = 0
    for line in open(a.observed):
        if not line.strip():
            continue
        o = json.loads(line)
        sdk = o["sdk"]
        if "+" in sdk:  # an opted-in configuration: errscope describes the default one
            continue
        case = cases[o["case"]]
        v = verdicts.get(o["case"]) or decode(a.errscope, case)
        verdicts[o["case"]] = v
        mine = next((s for s in v.get("sdk", []) if s["sdk"] == sdk), None)
        problems = []
        if mine is None:
            problems.append("errscope says nothing about this SDK")
        else:
            if mine.get("exception") != o["exception"]:
                problems.append(f"exception: errscope {mine.get('exception')!r}, SDK {o['exception']!r}")
            retried = o["attempts"] > 1
            if mine["retries"] != retried:
                problems.append(f"retries: errscope {mine['retries']}, SDK sent {o['attempts']} request(s)")
            elif retried:
                if mine.get("max_retries") != o["attempts"] - 1:
                    problems.append(f"retries: errscope {mine.get('max_retries')}, SDK {o['attempts'] - 1}")
                d0, m0 = o["delays"][0] if o["delays"] else None, mine.get("first_delay_seconds")
                if d0 is not None and m0 is not None and not (0.74 * m0 - 0.01 <= d0 <= m0 + 1.01):
                    problems.append(f"first wait: errscope {m0}, SDK {d0:.3f}")
        if problems:
            failed += 1
            print(f"{sdk} {o['case']}: " + "; ".join(problems))
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
