import ErrscopeCore
import Foundation

/// A request saved under an endpoint in `endpoints.yaml`. Values may hold `${env:...}` and
/// `${cmd:...}` templates; they are resolved only when the request is sent.
public struct SavedRequest: Sendable, Equatable {
    public var name: String
    public var method: String?
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    /// The body as written: a JSON document (from `json:`) or raw text (from `body:`).
    public var body: String?
    public var bodyIsJSON: Bool

    public init(name: String, method: String? = nil, path: String = "/", query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], body: String? = nil, bodyIsJSON: Bool = false)
    {
        self.name = name; self.method = method; self.path = path; self.query = query; self.headers = headers
        self.body = body; self.bodyIsJSON = bodyIsJSON
    }

    public var effectiveMethod: String { method ?? (body == nil ? "GET" : "POST") }

    public static func == (a: SavedRequest, b: SavedRequest) -> Bool {
        a.name == b.name && a.method == b.method && a.path == b.path && a.body == b.body && a.bodyIsJSON == b.bodyIsJSON
            && a.query.elementsEqual(b.query, by: { $0 == $1 }) && a.headers.elementsEqual(b.headers, by: { $0 == $1 })
    }
}

/// A named endpoint: where to send, which catalog system answers, and how.
public struct Endpoint: Sendable, Equatable {
    public var name: String
    public var url: String
    public var system: String?
    public var headers: [(name: String, value: String)]
    public var insecure: Bool
    public var caFile: String?
    public var connectTimeout: Double
    public var totalTimeout: Double
    public var maxBody: Int
    public var followRedirects: Bool
    public var requests: [SavedRequest]

    public static let defaultConnectTimeout = 5.0
    public static let defaultTotalTimeout = 30.0
    public static let defaultMaxBody = 16 << 20

    public init(name: String, url: String, system: String? = nil, headers: [(name: String, value: String)] = [],
                insecure: Bool = false, caFile: String? = nil, connectTimeout: Double = Endpoint.defaultConnectTimeout,
                totalTimeout: Double = Endpoint.defaultTotalTimeout, maxBody: Int = Endpoint.defaultMaxBody,
                followRedirects: Bool = false, requests: [SavedRequest] = [])
    {
        self.name = name; self.url = url; self.system = system; self.headers = headers; self.insecure = insecure
        self.caFile = caFile; self.connectTimeout = connectTimeout; self.totalTimeout = totalTimeout
        self.maxBody = maxBody; self.followRedirects = followRedirects; self.requests = requests
    }

    public func request(named n: String) -> SavedRequest? { requests.first { $0.name == n } }

    public static func == (a: Endpoint, b: Endpoint) -> Bool {
        a.name == b.name && a.url == b.url && a.system == b.system && a.insecure == b.insecure && a.caFile == b.caFile
            && a.connectTimeout == b.connectTimeout && a.totalTimeout == b.totalTimeout && a.maxBody == b.maxBody
            && a.followRedirects == b.followRedirects && a.requests == b.requests
            && a.headers.elementsEqual(b.headers, by: { $0 == $1 })
    }
}

/// `endpoints.yaml`: the endpoints, and what was wrong with the file (never fatal: a bad entry
/// is skipped with a message naming it).
public struct EndpointsConfig: Sendable, Equatable {
    public var endpoints: [Endpoint] = []
    public var problems: [String] = []
    public var warnings: [String] = []

    public init(endpoints: [Endpoint] = [], problems: [String] = [], warnings: [String] = []) {
        self.endpoints = endpoints; self.problems = problems; self.warnings = warnings
    }

    public func endpoint(named n: String) -> Endpoint? { endpoints.first { $0.name == n } }

    /// The endpoint whose base URL `url` lies under (same origin, path prefix at a segment
    /// boundary), the longest base first: an ad-hoc URL to a configured service is still read
    /// relative to that service's base (`http://host/bodhi` + `/v1/chat/completions`).
    public func endpoint(containing url: String) -> Endpoint? {
        let target = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        return endpoints.filter { e in
            let base = e.url.hasSuffix("/") ? String(e.url.dropLast()) : e.url
            guard target.hasPrefix(base) else { return false }
            let rest = target.dropFirst(base.count)
            guard rest.isEmpty || rest.hasPrefix("/") else { return false }
            guard let a = URLComponents(string: target), let b = URLComponents(string: base) else { return false }
            return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && a.port == b.port
        }.max { $0.url.count < $1.url.count }
    }

    /// `$ERRSCOPE_CONFIG_DIR/endpoints.yaml`, else `$XDG_CONFIG_HOME/errscope/endpoints.yaml`,
    /// else `~/.config/errscope/endpoints.yaml`.
    public static func path(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let d = env["ERRSCOPE_CONFIG_DIR"], !d.isEmpty { return d + "/endpoints.yaml" }
        if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/errscope/endpoints.yaml" }
        return (env["HOME"] ?? "") + "/.config/errscope/endpoints.yaml"
    }

    /// Reads the file at `path`; a missing file is an empty config. Warns about literal secrets in a
    /// file that group or others can read.
    public static func load(path: String) -> EndpointsConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                return EndpointsConfig(problems: ["\(path): cannot be read"])
            }
            return EndpointsConfig()
        }
        var c = parse(String(decoding: data, as: UTF8.self), file: path)
        if let attrs = try? FileManager.default.attributesOfItem(atPath: path),
           let mode = (attrs[.posixPermissions] as? NSNumber)?.uint16Value, mode & 0o077 != 0
        {
            for l in c.literalSecrets {
                c.warnings.append("\(path): \(l) holds a literal secret and the file is readable by group or others (mode \(String(mode & 0o777, radix: 8))); use ${env:NAME} or ${cmd:...}, or chmod 600")
            }
        }
        return c
    }

    /// Where a credential header holds a literal value instead of a `${...}` template.
    public var literalSecrets: [String] {
        var out: [String] = []
        for e in endpoints {
            for h in e.headers where Redactor.isSensitiveHeader(h.name) && !h.value.contains("${") && !h.value.isEmpty {
                out.append("endpoint `\(e.name)` header \(h.name)")
            }
            for r in e.requests {
                for h in r.headers where Redactor.isSensitiveHeader(h.name) && !h.value.contains("${") && !h.value.isEmpty {
                    out.append("request `\(e.name)/\(r.name)` header \(h.name)")
                }
            }
        }
        return out
    }

    public static func parse(_ text: String, file: String = "endpoints.yaml") -> EndpointsConfig {
        var c = EndpointsConfig()
        let value: JSONValue
        do {
            value = try CatalogDocument.json(fromYAML: text)
        } catch {
            c.problems.append("\(file)\(error.line > 0 ? ":\(error.line):\(error.column)" : ""): not valid YAML: \(error.message)")
            return c
        }
        if value.isNull { return c }
        guard let root = value.objectValue, let eps = root["endpoints"] else {
            c.problems.append("\(file): expected `endpoints:` mapping names to endpoints")
            return c
        }
        for k in root.keys where k != "endpoints" { c.problems.append("\(file): unknown setting `\(k)`") }
        guard let map = eps.objectValue else {
            c.problems.append("\(file): `endpoints` must map names to endpoints")
            return c
        }
        for (name, v) in map.pairs {
            let here = "\(file): endpoint `\(name)`"
            guard isValidName(name) else {
                c.problems.append("\(here): names use letters, digits, `-`, `_` and `.` only")
                continue
            }
            guard let o = v.objectValue else { c.problems.append("\(here): expected a mapping"); continue }
            guard let url = o["url"]?.stringValue, !url.isEmpty else { c.problems.append("\(here): `url` is required"); continue }
            if !url.contains("${"), !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                c.problems.append("\(here): url must start with http:// or https://, got `\(url)`")
                continue
            }
            var e = Endpoint(name: name, url: url)
            for (k, fv) in o.pairs {
                switch k {
                case "url": break
                case "system":
                    if let s = fv.stringValue { e.system = s } else { c.problems.append("\(here): system must be a catalog id") }
                case "headers":
                    e.headers = headerList(fv, "\(here) headers", &c.problems)
                case "insecure":
                    if let b = fv.boolValue { e.insecure = b } else { c.problems.append("\(here): insecure must be true or false") }
                case "ca_file":
                    e.caFile = fv.stringValue
                case "timeouts":
                    guard let t = fv.objectValue else { c.problems.append("\(here): timeouts is {connect: s, total: s}"); continue }
                    for (tk, tv) in t.pairs {
                        guard let d = tv.doubleValue, d > 0, d <= 3600 else { c.problems.append("\(here): timeouts.\(tk) must be 0-3600 seconds"); continue }
                        switch tk {
                        case "connect": e.connectTimeout = d
                        case "total": e.totalTimeout = d
                        default: c.problems.append("\(here): unknown timeout `\(tk)` (connect, total)")
                        }
                    }
                case "max_body":
                    if let n = fv.intValue, n > 0 { e.maxBody = Int(n) } else { c.problems.append("\(here): max_body must be a positive byte count") }
                case "follow_redirects":
                    if let b = fv.boolValue { e.followRedirects = b } else { c.problems.append("\(here): follow_redirects must be true or false") }
                case "requests":
                    guard let rs = fv.objectValue else { c.problems.append("\(here): requests must map names to requests"); continue }
                    for (rname, rv) in rs.pairs {
                        if let r = savedRequest(rname, rv, "\(here) request `\(rname)`", &c.problems) { e.requests.append(r) }
                    }
                default:
                    c.problems.append("\(here): unknown setting `\(k)`")
                }
            }
            c.endpoints.append(e)
        }
        return c
    }

    static func isValidName(_ n: String) -> Bool {
        !n.isEmpty && n.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    static func headerList(_ v: JSONValue, _ here: String, _ problems: inout [String]) -> [(name: String, value: String)] {
        guard let o = v.objectValue else { problems.append("\(here): expected `Name: value` pairs"); return [] }
        var out: [(name: String, value: String)] = []
        for (k, hv) in o.pairs {
            guard let s = hv.scalarText ?? (hv.isNull ? "" : nil) else { problems.append("\(here): \(k) must be text"); continue }
            guard RequestBuilder.isValidHeaderName(k) else { problems.append("\(here): `\(k)` is not a valid header name"); continue }
            out.append((k, s))
        }
        return out
    }

    static func savedRequest(_ name: String, _ v: JSONValue, _ here: String, _ problems: inout [String]) -> SavedRequest? {
        guard isValidName(name) else { problems.append("\(here): names use letters, digits, `-`, `_` and `.` only"); return nil }
        guard let o = v.objectValue else { problems.append("\(here): expected a mapping"); return nil }
        var r = SavedRequest(name: name)
        for (k, fv) in o.pairs {
            switch k {
            case "method":
                guard let m = fv.stringValue, RequestBuilder.isValidMethod(m.uppercased()) else { problems.append("\(here): method must be a token such as GET or POST"); return nil }
                r.method = m.uppercased()
            case "path":
                guard let p = fv.stringValue else { problems.append("\(here): path must be text"); return nil }
                r.path = p.hasPrefix("/") ? p : "/" + p
            case "query":
                guard let q = fv.objectValue else { problems.append("\(here): query maps names to values"); return nil }
                r.query = q.pairs.map { ($0.key, $0.value.scalarText ?? $0.value.compactText) }
            case "headers":
                r.headers = headerList(fv, "\(here) headers", &problems)
            case "json":
                r.body = fv.compactText
                r.bodyIsJSON = true
            case "body":
                guard let s = fv.stringValue else { problems.append("\(here): body must be text (use json: for a JSON document)"); return nil }
                r.body = s
            default:
                problems.append("\(here): unknown setting `\(k)`")
            }
        }
        if o["json"] != nil && o["body"] != nil { problems.append("\(here): give json or body, not both; using json") }
        return r
    }
}
