#!/usr/bin/env python3
"""Generates benchmark inputs (deterministic, seeded):
  bodies.jsonl     N mixed error bodies, one per line, in every bundled envelope, with real
                   catalog codes plus unknown codes, HTML and truncated lines;
  catalog-N.json   a catalog with N generated codes (JSON; also catalog-N.yaml with --yaml).
Usage: gen-bench-data.py OUTDIR [--bodies 100000] [--codes 100000] [--yaml]"""
import json, os, random, sys
import yaml

def main():
    out = sys.argv[1]
    args = sys.argv[2:]
    def opt(name, default):
        return int(args[args.index(name) + 1]) if name in args else default
    n_bodies, n_codes = opt("--bodies", 100_000), opt("--codes", 100_000)
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(42)
    root = os.path.join(os.path.dirname(__file__), "..", "catalog")
    codes = {}
    for f in os.listdir(root):
        if f.endswith(".yaml"):
            d = yaml.safe_load(open(os.path.join(root, f)))
            if d.get("system"):
                codes[d["system"]["id"]] = [c for c in d.get("codes", []) if not str(c["code"]).endswith("*")]
    def pick(sys_id):
        return rnd.choice(codes[sys_id])
    def http(c):
        h = c.get("http")
        return h if isinstance(h, int) else (h[0] if isinstance(h, list) else 500)
    makers = [
        lambda: {"error": {"message": "m", "type": "not_found_error", "code": pick("bodhi")["code"]}},
        lambda: {"error": {"message": "m", "type": "invalid_request_error", "param": None, "code": pick("openai")["code"]}},
        lambda: {"type": "error", "error": {"type": pick("anthropic")["code"], "message": "m"}, "request_id": "req_01"},
        lambda: {"error": {"code": 404, "message": "m", "status": pick("gemini")["code"]}},
        lambda: [{"error": {"code": 429, "message": "m", "status": "RESOURCE_EXHAUSTED",
                            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"}]}}],
        lambda: {"error": {"message": "m", "type": pick("worldflow-synapse")["code"], "retry_after_secs": 60}},
        lambda: {"status": "error", "error": {"code": pick("scaigrid")["code"], "message": "m"}, "meta": {"request_id": "r1"}},
        lambda: {"error": "Not Found", "code": pick("jan-server")["code"], "message": "m", "request_id": "req_abc"},
        lambda: {"error": pick("devsphere")["code"]},
        lambda: {"error": {"message": "m", "type": "server_error", "code": "unknown_code_%d" % rnd.randrange(50)}},
    ]
    with open(os.path.join(out, "bodies.jsonl"), "w") as f:
        for i in range(n_bodies):
            r = rnd.random()
            if r < 0.01:
                f.write("<html><head><title>502 Bad Gateway</title></head></html>\n")
            elif r < 0.02:
                f.write('{"error":{"message":"cut","type":"api_er\n')
            else:
                f.write(json.dumps(rnd.choice(makers)(), separators=(",", ":")) + "\n")
    words = ["alias", "token", "model", "quota", "upstream", "backend", "tenant", "session", "budget", "node"]
    cat_codes = []
    for i in range(n_codes):
        d = "domain_%03d" % (i % 500)
        w = rnd.choice(words)
        cat_codes.append({
            "code": "%s-%s_%d" % (d, w, i), "domain": d, "http": rnd.choice([400, 401, 403, 404, 409, 422, 429, 500, 502, 503]),
            "meaning": "The %s %d could not be processed by the %s service." % (w, i, d),
            "when": "A request names a %s that the gateway rejects." % w,
            "cause": "Misconfigured %s or a stale client cache." % w,
            "fix": "Check the %s settings and send the request again." % w,
            "retry": rnd.choice(["yes", "no", "sometimes", "once"]),
            "retry_reason": "Generated entry.",
        })
    cat = {"errscope": 1, "system": {"id": "generated", "name": "Generated %d" % n_codes,
           "convention": {"domain_separator": "-"}}, "codes": cat_codes}
    with open(os.path.join(out, "catalog-%d.json" % n_codes), "w") as f:
        json.dump(cat, f, separators=(",", ":"))
    if "--yaml" in args:
        with open(os.path.join(out, "catalog-%d.yaml" % n_codes), "w") as f:
            yaml.safe_dump(cat, f, sort_keys=False)
    # One line per catalog code, for the TUI filter benchmark against fzf.
    with open(os.path.join(out, "codes-%d.txt" % n_codes), "w") as f:
        for c in cat_codes:
            f.write("%s %s %d %s\n" % (c["code"], c["domain"], c["http"], c["meaning"]))

if __name__ == "__main__":
    main()
