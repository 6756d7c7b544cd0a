import Foundation

/// What to send: an endpoint's saved request with overrides, or an ad-hoc URL. Values may still
/// hold `${env:...}`/`${cmd:...}` templates; `resolve` turns it into bytes to send.
public struct ProbeSpec: Sendable, Equatable {
    /// `endpoint` or `endpoint/request`, for the journal; nil for an ad-hoc URL.
    public var label: String?
    public var method: String
    /// The full URL (base URL + path + query).
    public var url: String
    /// The endpoint's base URL; the path after it picks the expected envelope.
    public var baseURL: String?
    public var headers: [(name: String, value: String)]
    public var body: String?
    public var system: String?
    public var insecure = false
    public var caFile: String?
    public var connectTimeout = Endpoint.defaultConnectTimeout
    public var totalTimeout = Endpoint.defaultTotalTimeout
    public var maxBody = Endpoint.defaultMaxBody
    public var followRedirects = false

    public init(label: String? = nil, method: String = "GET", url: String, baseURL: String? = nil,
                headers: [(name: String, value: String)] = [], body: String? = nil, system: String? = nil)
    {
        self.label = label; self.method = method; self.url = url; self.baseURL = baseURL; self.headers = headers
        self.body = body; self.system = system
    }

    /// The spec for an endpoint and one of its saved requests (or a bare GET of its URL).
    public init(endpoint e: Endpoint, request r: SavedRequest?) {
        var url = e.url
        if let r {
            url = RequestBuilder.join(e.url, r.path)
            if !r.query.isEmpty { url += (url.contains("?") ? "&" : "?") + RequestBuilder.encodeQuery(r.query) }
        }
        self.init(label: r.map { "\(e.name)/\($0.name)" } ?? e.name, method: r?.effectiveMethod ?? "GET", url: url,
                  baseURL: e.url, headers: e.headers, body: r?.body, system: e.system)
        // A request's header replaces the endpoint's header of the same name.
        for h in r?.headers ?? [] { setHeader(h) }
        if r?.bodyIsJSON == true { ensureJSONContentType() }
        insecure = e.insecure
        caFile = e.caFile
        connectTimeout = e.connectTimeout
        totalTimeout = e.totalTimeout
        maxBody = e.maxBody
        followRedirects = e.followRedirects
    }

    /// Sets a header, replacing any of the same name (case-insensitively).
    public mutating func setHeader(_ h: (name: String, value: String)) {
        headers.removeAll { $0.name.caseInsensitiveCompare(h.name) == .orderedSame }
        headers.append(h)
    }

    /// Adds `Content-Type: application/json` unless a content type is set.
    public mutating func ensureJSONContentType() {
        if !headers.contains(where: { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            headers.append(("Content-Type", "application/json"))
        }
    }

    /// The path the expected envelope is chosen by: the part of the URL after the endpoint's base
    /// URL (`/anthropic/v1/messages`), else the URL's own path.
    public var envelopePath: String {
        let noQuery = String(url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if let base = baseURL {
            let b = base.hasSuffix("/") ? String(base.dropLast()) : base
            if noQuery.hasPrefix(b) {
                let rest = String(noQuery.dropFirst(b.count))
                return rest.isEmpty ? "/" : (rest.hasPrefix("/") ? rest : "/" + rest)
            }
        }
        return RequestBuilder.path(of: noQuery)
    }

    public static func == (a: ProbeSpec, b: ProbeSpec) -> Bool {
        a.label == b.label && a.method == b.method && a.url == b.url && a.baseURL == b.baseURL && a.body == b.body
            && a.system == b.system && a.insecure == b.insecure && a.caFile == b.caFile && a.connectTimeout == b.connectTimeout
            && a.totalTimeout == b.totalTimeout && a.maxBody == b.maxBody && a.followRedirects == b.followRedirects
            && a.headers.elementsEqual(b.headers, by: { $0 == $1 })
    }

    /// Resolves templates and checks the request. Errors name the field.
    public func resolve(with resolver: SecretResolver, isCancelled: @Sendable () -> Bool = { false }) throws -> ResolvedProbe {
        guard RequestBuilder.isValidMethod(method) else { throw ProbeSpecError("method `\(method)` is not a valid HTTP method") }
        let u: String
        do { u = try resolver.resolve(url, where: "url", isCancelled: isCancelled) } catch { throw ProbeSpecError(error.description) }
        guard let parsed = URLComponents(string: u), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parsed.host, !host.isEmpty
        else {
            throw ProbeSpecError("`\(Redactor(secrets: resolver.secrets).url(u))` is not an http:// or https:// URL with a host")
        }
        var hs: [(name: String, value: String)] = []
        for h in headers {
            guard RequestBuilder.isValidHeaderName(h.name) else { throw ProbeSpecError("`\(h.name)` is not a valid header name") }
            let v: String
            do { v = try resolver.resolve(h.value, where: "header \(h.name)", isCancelled: isCancelled) } catch { throw ProbeSpecError(error.description) }
            // By scalar: Swift reads "\r\n" as one Character, equal to neither "\r" nor "\n" (a
            // token file written on Windows). The message never contains the value.
            guard !v.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw ProbeSpecError("header \(h.name): value contains a line break or NUL (a token file with Windows line ends?); it was not sent")
            }
            // An empty value drops the header: a saved request can remove an endpoint's header.
            if !v.isEmpty { hs.append((h.name, v)) }
        }
        var bodyBytes: [UInt8]?
        if let b = body {
            do { bodyBytes = Array(try resolver.resolve(b, where: "body", isCancelled: isCancelled).utf8) } catch { throw ProbeSpecError(error.description) }
        }
        // Literal credentials too: a server that echoes one must not get it shown.
        let secrets = resolver.secrets.union(Redactor.literalCredentials(url: u, headers: hs))
        var resolved = ResolvedProbe(spec: self, url: u, headers: hs, body: bodyBytes, redactor: Redactor(secrets: secrets))
        resolved.warnings = resolver.warnings
        return resolved
    }
}

public struct ProbeSpecError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// A spec with its secrets resolved: what goes on the wire. Show it only through `redactor`.
public struct ResolvedProbe: Sendable {
    public var spec: ProbeSpec
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var redactor: Redactor
    /// Said once to the person sending it (a secret too short to mask safely).
    public var warnings: [String] = []

    public init(spec: ProbeSpec, url: String, headers: [(name: String, value: String)], body: [UInt8]?, redactor: Redactor) {
        self.spec = spec; self.url = url; self.headers = headers; self.body = body; self.redactor = redactor
    }

    /// The request as it may be shown or stored.
    public var displayURL: String { redactor.url(url) }
    public var displayHeaders: [(name: String, value: String)] { headers.map { ($0.name, redactor.header($0.name, $0.value)) } }
    public var displayBody: String? { body.map { redactor.text(String(decoding: $0, as: UTF8.self)) } }
}

public enum RequestBuilder {
    /// RFC 9110 token characters.
    static let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars)

    public static func isValidHeaderName(_ s: String) -> Bool { !s.isEmpty && s.unicodeScalars.allSatisfy { tchar.contains($0) } }
    public static func isValidMethod(_ s: String) -> Bool { !s.isEmpty && s.count <= 20 && s.unicodeScalars.allSatisfy { tchar.contains($0) } }

    public static func join(_ base: String, _ path: String) -> String {
        if path.isEmpty || path == "/" && base.hasSuffix("/") { return base }
        let b = base.hasSuffix("/") ? String(base.dropLast()) : base
        return b + (path.hasPrefix("/") ? path : "/" + path)
    }

    static let queryAllowed: CharacterSet = {
        var c = CharacterSet.urlQueryAllowed
        c.remove(charactersIn: "&=+?#")
        return c
    }()

    public static func encodeQuery(_ q: [(name: String, value: String)]) -> String {
        q.map { p in
            // Templates stay readable until they are resolved.
            let v = SecretResolver.hasTemplate(p.value) ? p.value : (p.value.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? p.value)
            return (p.name.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? p.name) + "=" + v
        }.joined(separator: "&")
    }

    /// The path of an absolute URL (`/` when it has none).
    public static func path(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url.hasPrefix("/") ? url : "/" }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }

    /// Parses `Name: value`.
    public static func parseHeader(_ s: String) -> (name: String, value: String)? {
        guard let i = s.firstIndex(of: ":") else { return nil }
        let name = s[..<i].trimmingCharacters(in: .whitespaces)
        guard isValidHeaderName(name) else { return nil }
        return (name, s[s.index(after: i)...].trimmingCharacters(in: .whitespaces))
    }
}
