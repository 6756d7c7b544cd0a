#!/usr/bin/env python3
"""Writes DIR/provider-bodies.jsonl: N error bodies from the real-provider capture corpus
(Tests/Fixtures/captures, every capture whose input is a JSON body), cycled, half of them as a
gateway log keeps them ({"ts", "status", "body"}), for `decode --jsonl` benchmarks.

Usage: gen-provider-bench.py DIR [N]   (N defaults to 100000)"""
import glob, json, os, sys

out_dir = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
here = os.path.dirname(os.path.abspath(__file__))
bodies = []
for f in sorted(glob.glob(os.path.join(here, "..", "Tests", "Fixtures", "captures", "*.json"))):
    for c in json.load(open(f))["captures"]:
        text = c.get("input", "")
        if not text.lstrip().startswith(("{", "[")):
            continue
        try:
            body = json.dumps(json.loads(text), separators=(",", ":"))
        except ValueError:
            continue
        args = c.get("args", [])
        status = int(args[args.index("--status") + 1]) if "--status" in args else c.get("expect", {}).get("http") or 500
        bodies.append((body, status))
os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "provider-bodies.jsonl"), "w") as out:
    for i in range(n):
        b, status = bodies[i % len(bodies)]
        if i % 2:
            out.write('{"ts":"2026-12-06T03:%02d:%02dZ","status":%d,"body":%s}\n' % (i // 60 % 60, i % 60, status, json.dumps(b)))
        else:
            out.write(b + "\n")
print("%d lines from %d distinct bodies" % (n, len(bodies)))
