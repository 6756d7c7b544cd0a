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
        for e in ProviderEmulation.table {
            out += "  \(e.id)-demo:\n"
            out += "    url: \(quote("\(base)/\(e.id)"))\n"
            out += "    system: \(e.id)\n"
            if e.checksToken {
                out += "    headers:\n"
                out += "      Authorization: \(quote("Bearer \(token)"))\n"
            }
            out += "    requests:\n"
            for r in savedRequests(e) { out += yaml(r) }
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

    /// A provider's saved requests: ok, its auth and not-found errors, one per scenario, a stream that fails.
    static func savedRequests(_ e: ProviderEmulation) -> [SampleRequest] {
        let path = e.mainPath.replacingOccurrences(of: "{model}", with: models[0])
        let chat: JSONValue = ["model": .string(models[0]), "max_tokens": 16, "messages": [["role": "user", "content": "Say hi"]]]
        var rs = [SampleRequest(name: "ok", method: "POST", path: path, json: chat)]
        if e.answers[.auth] != nil {
            rs.append(SampleRequest(name: "bad-token", method: "POST", path: path, headers: [(name: "Authorization", value: "Bearer wrong-token")], json: chat))
        }
        if e.answers[.notFound] != nil {
            var unknown = chat
            if case .object(var o) = unknown { o["model"] = "no-such-model"; unknown = .object(o) }
            rs.append(SampleRequest(name: "unknown-model", method: "POST", path: e.mainPath.replacingOccurrences(of: "{model}", with: "no-such-model"), json: unknown))
        }
        for sc in ProviderEmulation.Scenario.allCases where sc != .auth && sc != .notFound && sc != .streamFail && e.answers[sc] != nil {
            rs.append(SampleRequest(name: sc.rawValue, method: "POST", path: path, headers: [(name: "x-demo-scenario", value: sc.rawValue)], json: chat))
        }
        if e.stream != nil {
            var streamed = chat
            if case .object(var o) = streamed { o["stream"] = true; streamed = .object(o) }
            let sp = (e.streamPath ?? e.mainPath).replacingOccurrences(of: "{model}", with: models[0])
            rs.append(SampleRequest(name: "stream-fail", method: "POST", path: sp,
                                    headers: [(name: "x-demo-scenario", value: "stream-fail"), (name: "x-demo-fail-after", value: "3")], json: streamed))
        }
        return rs
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
