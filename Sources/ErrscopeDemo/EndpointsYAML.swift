import ErrscopeCore

extension DemoServer {
    /// An endpoints.yaml (format: docs/ENDPOINTS.md) for a demo server on `port`: one endpoint per
    /// seed system named `<system>-demo`, with saved requests for each trigger and one per envelope
    /// path where a system answers in several, plus `misbehave` with one request per route.
    public static func endpointsYAML(port: Int) -> String {
        let base = "http://127.0.0.1:\(port)"
        var out = """
            # errscope demo server endpoints (errscope demo-server --port \(port)).
            # The demo token is written literally: it is not a secret.
            endpoints:

            """
        for p in SystemProfile.table {
            out += "  \(p.id)-demo:\n"
            out += "    url: \(quote("\(base)/\(p.id)"))\n"
            out += "    system: \(p.id)\n"
            out += "    headers:\n"
            out += "      Authorization: \(quote("Bearer \(token)"))\n"
            out += "    requests:\n"
            for r in savedRequests(p) { out += yaml(r) }
        }
        out += "  misbehave:\n"
        out += "    url: \(quote("\(base)/misbehave"))\n"
        out += "    requests:\n"
        for route in Misbehave.routes {
            var r = SampleRequest(name: route, method: "GET", path: "/" + route)
            if route == "slow" { r.path = "/slow?seconds=3" }
            out += yaml(r)
        }
        return out
    }

    /// The saved requests of one system's endpoint.
    static func savedRequests(_ p: SystemProfile) -> [SampleRequest] {
        var unknown = p.mainBody
        if case .object(var o) = unknown, o["model"] != nil {
            o["model"] = "no-such-model"
            unknown = .object(o)
        }
        var rs = [
            SampleRequest(name: "ok", method: "POST", path: p.mainPath, json: p.mainBody),
            SampleRequest(name: "list", method: "GET", path: p.listPath),
            SampleRequest(name: "no-token", method: "POST", path: p.mainPath,
                          headers: [(name: "Authorization", value: "")], json: p.mainBody),
            SampleRequest(name: "bad-token", method: "POST", path: p.mainPath,
                          headers: [(name: "Authorization", value: "Bearer wrong-token")], json: p.mainBody),
        ]
        if p.codes[.unknownModel] != nil {
            rs.append(SampleRequest(name: "unknown-model", method: "POST", path: p.mainPath, json: unknown))
        }
        rs.append(SampleRequest(name: "bad-json", method: "POST", path: p.mainPath,
                                headers: [(name: "Content-Type", value: "application/json")], body: #"{"model": "#))
        if p.codes[.rateLimited] != nil {
            rs.append(SampleRequest(name: "rate-limited", method: "POST", path: p.mainPath,
                                    headers: [(name: "x-demo-burst", value: "1")], json: p.mainBody))
        }
        if p.codes[.unknownRoute] != nil {
            rs.append(SampleRequest(name: "unknown-route", method: "GET", path: "/no/such/route"))
        }
        return rs + p.samples
    }

    static func yaml(_ r: SampleRequest) -> String {
        var out = "      \(r.name):\n"
        out += "        method: \(r.method)\n"
        let parts = r.path.split(separator: "?", maxSplits: 1)
        out += "        path: \(quote(String(parts[0])))\n"
        if parts.count == 2 {
            let pairs = parts[1].split(separator: "&").map { kv -> String in
                let x = kv.split(separator: "=", maxSplits: 1).map(String.init)
                return "\(quote(x[0])): \(quote(x.count > 1 ? x[1] : ""))"
            }
            out += "        query: {\(pairs.joined(separator: ", "))}\n"
        }
        if !r.headers.isEmpty {
            out += "        headers: {\(r.headers.map { "\(quote($0.name)): \(quote($0.value))" }.joined(separator: ", "))}\n"
        }
        // JSON is YAML: compact JSON is a valid flow mapping.
        if let j = r.json { out += "        json: \(j.compactText)\n" }
        if let b = r.body { out += "        body: \(quote(b))\n" }
        return out
    }

    /// A double-quoted YAML scalar (JSON string escapes are valid YAML escapes).
    static func quote(_ s: String) -> String { JSONWriter.quoted(s) }
}
