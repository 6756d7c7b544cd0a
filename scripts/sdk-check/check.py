#!/usr/bin/env python3
"""Run the official Python LLM SDKs against canned error responses and record what they do.

For every case in cases.json and every SDK, a local HTTP server on 127.0.0.1 answers the SDK's
request with the case's status, headers and body (an HTTP 200 event stream for `stream: true`
cases). The SDK runs for real, with its default retry policy; time.sleep is replaced so retries
are recorded instead of waited for. One JSON object is printed per case per SDK:

  {"sdk": ..., "case": ..., "status": ..., "headers": {...}, "exception": ..., "attempts": N, "delays": [...]}

`exception` is the class name of what the SDK raised (null if nothing), `attempts` the number of
requests the server received, `delays` the sleeps the SDK asked for between them, in seconds.

With --verify PATH (catalog/sdks.yaml), every observation is also checked against the rules in
that file; a disagreement is printed to stderr and makes the exit status 1.

    python3 -m venv /tmp/sdkvenv && /tmp/sdkvenv/bin/pip install -r requirements.txt
    /tmp/sdkvenv/bin/python check.py --out ../../Tests/Fixtures/sdk-observed.jsonl --verify ../../catalog/sdks.yaml
"""
from __future__ import annotations

import argparse
import email.utils
import json
import math
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Nothing from the caller's environment may redirect or authenticate a client.
for _k in list(os.environ):
    if _k.upper().startswith(("OPENAI_", "ANTHROPIC_", "GOOGLE_", "GEMINI_", "CLAUDE_")) or _k.lower().endswith("_proxy"):
        del os.environ[_k]
os.environ["NO_PROXY"] = "127.0.0.1,localhost"

# --------------------------------------------------------------------------------------------
# The server

_lock = threading.Lock()
_hits: dict[str, int] = {}
_cases: dict[str, dict] = {}


def render_header(value: str, now: float) -> str:
    m = re.fullmatch(r"\{http-date:([+-]\d+)\}", value)
    if m:
        return email.utils.formatdate(now + int(m.group(1)), usegmt=True)
    return value


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _serve(self):
        n = int(self.headers.get("content-length") or 0)
        if n:
            self.rfile.read(n)
        # /c/<case>/<sdk>/...
        parts = self.path.split("/")
        if len(parts) < 4 or parts[1] != "c" or parts[2] not in _cases:
            self.send_error(599, "no such case")
            return
        case, key = _cases[parts[2]], parts[2] + "/" + parts[3]
        with _lock:
            _hits[key] = _hits.get(key, 0) + 1
        body = case["body"]
        data = (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(case["status"])
        now = time.time()
        for k, v in case["headers"].items():
            self.send_header(k, render_header(v, now))
        self.send_header("content-length", str(len(data)))
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _serve


# --------------------------------------------------------------------------------------------
# The SDKs

_delays: list[float] = []
_real_sleep = time.sleep
_main = threading.main_thread()


def _fake_sleep(seconds):
    if threading.current_thread() is _main:
        _delays.append(float(seconds))
    else:
        _real_sleep(seconds)


MESSAGES = [{"role": "user", "content": "hi"}]


def run_openai(base: str, case: dict):
    import openai

    client = openai.OpenAI(api_key="sk-test", base_url=base + "/v1", timeout=5.0)
    if case.get("stream"):
        for _ in client.chat.completions.create(model="gpt-test", messages=MESSAGES, stream=True):
            pass
    else:
        client.chat.completions.create(model="gpt-test", messages=MESSAGES)


def run_anthropic(base: str, case: dict):
    import anthropic

    client = anthropic.Anthropic(api_key="sk-ant-test", base_url=base, timeout=5.0)
    if case.get("stream"):
        for _ in client.messages.create(model="claude-test", max_tokens=16, messages=MESSAGES, stream=True):
            pass
    else:
        client.messages.create(model="claude-test", max_tokens=16, messages=MESSAGES)


def _genai(base: str, case: dict, retry: bool):
    from google import genai
    from google.genai import types

    opts = types.HttpOptions(base_url=base + "/", timeout=5000,
                             retry_options=types.HttpRetryOptions() if retry else None)
    client = genai.Client(api_key="test-key", http_options=opts)
    if case.get("stream"):
        for _ in client.models.generate_content_stream(model="gemini-test", contents="hi"):
            pass
    else:
        client.models.generate_content(model="gemini-test", contents="hi")


SDKS = {
    "openai-python": run_openai,
    "anthropic-python": run_anthropic,
    "google-genai": lambda b, c: _genai(b, c, retry=False),
    # the same SDK with retries switched on with all-default HttpRetryOptions()
    "google-genai+HttpRetryOptions": lambda b, c: _genai(b, c, retry=True),
}


def run_case(port: int, sdk: str, case: dict) -> dict:
    key = f"{case['id']}/{sdk}"
    base = f"http://127.0.0.1:{port}/c/{key}"
    _delays.clear()
    exc = None
    bases: list[str] = []
    try:
        SDKS[sdk](base, case)
    except Exception as e:  # noqa: BLE001 — recording what the SDK raises is the point
        exc = type(e).__name__
        bases = [c.__name__ for c in type(e).__mro__[1:] if c.__module__.split(".")[0] in ("openai", "anthropic", "google")]
    return {
        "sdk": sdk,
        "case": case["id"],
        "status": case["status"],
        "headers": case["headers"],
        "exception": exc,
        "exception_bases": bases,
        "attempts": _hits.get(key, 0),
        "delays": [round(d, 4) for d in _delays],
    }


# --------------------------------------------------------------------------------------------
# Checking observations against catalog/sdks.yaml


def _http_matches(spec, status: int) -> bool:
    if isinstance(spec, list):
        return any(_http_matches(s, status) for s in spec)
    if isinstance(spec, int):
        return spec == status
    s = str(spec)
    if re.fullmatch(r"[1-5]xx", s):
        return status // 100 == int(s[0])
    m = re.fullmatch(r"(\d+)-(\d+)", s)
    if m:
        return int(m.group(1)) <= status <= int(m.group(2))
    m = re.fullmatch(r">=(\d+)", s)
    if m:
        return status >= int(m.group(1))
    raise ValueError(f"bad http spec {spec!r}")


def _path(obj, dotted: str):
    for part in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def classify(rules: list, status, body, code_path: str | None):
    code = _path(body, code_path) if code_path else None
    for r in rules:
        if "error_code" in r and r["error_code"] != code:
            continue
        if r.get("otherwise") or ("http" in r and isinstance(status, int) and _http_matches(r["http"], status)):
            return r["exception"]
    raise ValueError(f"no rule for {status}")


def sse_events(text: str):
    """(event name or None, data string) for each event of a server-sent-event body."""
    for block in text.replace("\r\n", "\n").split("\n\n"):
        event, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if data or event:
            yield event, "\n".join(data)


def expected_stream_exception(sdk: dict, case: dict):
    se = sdk["stream_error"]
    for event, data in sse_events(case["body"]):
        if event is not None and se.get("event_line_exception"):
            return se["event_line_exception"]
        try:
            obj = json.loads(data)
        except ValueError:
            obj = None
        hit = False
        for t in se["triggers"]:
            if "event" in t and event == t["event"] and not t.get("data_key"):
                hit = True
            if "data_key" in t and isinstance(obj, dict) and obj.get(t["data_key"]):
                if not t.get("first_key") or next(iter(obj), None) == t["data_key"]:
                    if not any(event and event.startswith(p) for p in t.get("unless_event_prefix", [])):
                        hit = True
        if not hit:
            continue
        if "exception" in se:
            return se["exception"]
        code = _path(obj, se["classify_by"])
        if not isinstance(code, int):
            return se["non_integer_code"]
        return classify(sdk["exceptions"], code, obj, None)
    return None


def header_delay(retry: dict, headers: dict, now: float):
    """(seconds, from_an_http_date) read from the first delay header that parses, or (None, False)."""
    h = {k.lower(): render_header(v, now) for k, v in headers.items()}
    for name in retry.get("delay_headers", []):
        v = h.get(name)
        if v is None:
            continue
        try:
            d = float(v)
        except ValueError:
            continue
        return (d / 1000 if name.endswith("-ms") else d), False
    if retry.get("retry_after_http_date") and "retry-after" in h:
        t = email.utils.parsedate_tz(h["retry-after"])
        if t:
            return email.utils.mktime_tz(t) - now, True
    return None, False


def expected_retry(retry: dict, status: int, headers: dict, now: float):
    """(attempts, [(lo, hi) for each delay]) that the rules in `retry` predict."""
    if not retry.get("enabled", True):
        return 1, []
    hd, from_date = header_delay(retry, headers, now)
    cap, above = retry.get("max_header_delay_seconds"), retry.get("above_max")
    if hd is not None and math.isfinite(hd) and cap is not None and hd > cap and above == "no_retry":
        return 1, []
    x = {k.lower(): v for k, v in headers.items()}.get(retry.get("should_retry_header") or "-")
    go = True if x == "true" else False if x == "false" else _http_matches(retry["statuses"], status)
    if not go:
        return 1, []
    use = None
    if hd is not None and hd > retry.get("min_header_delay_exclusive", 0):
        if math.isfinite(hd) and (cap is None or hd <= cap):
            use = hd
        elif above == "clamp":
            use = cap
    b, out = retry["backoff"], []
    for i in range(retry["max_retries"]):
        if use is not None:
            slack = 1.5 if from_date else 0.001  # an HTTP date has whole seconds
            out.append((use - slack, use + slack))
            continue
        base = b["initial_seconds"] * b["multiplier"] ** i
        if "jitter_factor" in b:
            lo, hi = b["jitter_factor"]
            out.append((min(base, b["max_seconds"]) * lo, min(base, b["max_seconds"]) * hi))
        else:
            lo, hi = b["jitter_add_seconds"]
            out.append((min(base + lo, b["max_seconds"]), min(base + hi, b["max_seconds"])))
    return 1 + retry["max_retries"], out


def verify(obs: dict, sdks: dict, cases: dict) -> list[str]:
    name = obs["sdk"]
    opt_in = name.endswith("+HttpRetryOptions")
    sdk = sdks[name.split("+")[0]]
    case = cases[obs["case"]]
    problems = []
    if case.get("stream"):
        exp_exc, (exp_n, ranges) = expected_stream_exception(sdk, case), (1, [])
    else:
        body = case["body"] if isinstance(case["body"], dict) else None
        exp_exc = classify(sdk.get("exceptions_by_error_code", []) + sdk["exceptions"], case["status"], body,
                           sdk.get("error_code_path"))
        retry = sdk["retry_opt_in"] if opt_in else sdk["retry"]
        exp_n, ranges = expected_retry(retry, case["status"], case["headers"], time.time())
    if obs["exception"] != exp_exc:
        problems.append(f"exception {obs['exception']} != expected {exp_exc}")
    if obs["attempts"] != exp_n:
        problems.append(f"attempts {obs['attempts']} != expected {exp_n}")
    elif len(obs["delays"]) != len(ranges):
        problems.append(f"{len(obs['delays'])} delays != expected {len(ranges)}")
    else:
        for i, (d, (lo, hi)) in enumerate(zip(obs["delays"], ranges)):
            if not (lo - 1e-6 <= d <= hi + 1e-6):
                problems.append(f"delay[{i}] {d} not in [{lo:.3f}, {hi:.3f}]")
    return problems


# --------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=str(HERE / "cases.json"))
    ap.add_argument("--sdk", action="append", choices=list(SDKS), help="only these SDKs (repeatable)")
    ap.add_argument("--case", action="append", help="only these case ids (repeatable)")
    ap.add_argument("--out", help="also write the JSON lines to this file")
    ap.add_argument("--verify", metavar="SDKS_YAML", help="check every observation against this catalog")
    args = ap.parse_args()

    cases = json.load(open(args.cases))["cases"]
    _cases.update({c["id"]: c for c in cases})
    selected = [c for c in cases if not args.case or c["id"] in args.case]
    sdks = args.sdk or list(SDKS)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    catalog = None
    if args.verify:
        import yaml

        catalog = {s["id"]: s for s in yaml.safe_load(open(args.verify))["sdks"]}

    time.sleep = _fake_sleep
    lines, failures = [], 0
    try:
        for case in selected:
            for sdk in sdks:
                obs = run_case(port, sdk, case)
                line = json.dumps(obs)
                print(line, flush=True)
                lines.append(line)
                if catalog is not None:
                    for p in verify(obs, catalog, _cases):
                        failures += 1
                        print(f"MISMATCH {sdk} {case['id']}: {p}", file=sys.stderr)
    finally:
        time.sleep = _real_sleep
        server.shutdown()
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    if catalog is not None:
        print(f"verify: {len(lines)} observations, {failures} mismatches", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
