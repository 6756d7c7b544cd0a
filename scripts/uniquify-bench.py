#!/usr/bin/env python3
"""Rewrites a JSONL benchmark file so that no two lines are alike, as in a real gateway log:
every id-like field (request_id, id, requestId, trace_id, ...) gets a value of its own per line,
and every run of digits inside a message gets new digits (token counts, delays, sizes), the
same length. A body kept as a JSON string inside a log line is rewritten inside the string.
This is the input that shows what `decode --jsonl --summary` costs when no two bodies repeat.

Usage: uniquify-bench.py IN OUT"""
import json, random, re, sys

rng = random.Random(1764990000)
ID_KEY = re.compile(r"(^id$|_id$|Id$|^request|^trace|^x-request)", re.I)
MESSAGE_KEY = re.compile(r"^(message|msg|detail|error_description|description)$", re.I)


def digits(m):
    return "".join(rng.choice("0123456789") for _ in m.group(0))


def rewrite(v, key=None, line=0):
    if isinstance(v, dict):
        return {k: rewrite(x, k, line) for k, x in v.items()}
    if isinstance(v, list):
        return [rewrite(x, key, line) for x in v]
    if isinstance(v, str):
        if key and ID_KEY.search(key):
            return "%s%08x" % (v[: max(0, len(v) - 8)], line * 2654435761 % (1 << 32))
        if key and MESSAGE_KEY.match(key):
            return re.sub(r"\d+", digits, v)
        if key in ("body", "response", "response_body") and v.lstrip().startswith(("{", "[")):
            try:
                return json.dumps(rewrite(json.loads(v), None, line), separators=(",", ":"))
            except ValueError:
                return v
    return v


with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
    for i, line in enumerate(src):
        line = line.rstrip("\n")
        try:
            out.write(json.dumps(rewrite(json.loads(line), None, i), separators=(",", ":")) + "\n")
        except ValueError:
            out.write(line + "\n")
