import ErrscopeCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request context: Hummingbird's basics plus the connection, which `/misbehave/reset` cuts.
struct DemoRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

/// Routes every request: `/`, `/misbehave/...`, and `/<system>/<path>`.
struct DemoResponder: HTTPResponder {
    typealias Context = DemoRequestContext
    let core: DemoCore

    /// Request bodies larger than this are refused (413).
    static let maxRequestBody = 4 << 20

    func respond(to request: Request, context: DemoRequestContext) async throws -> Response {
        let path = request.uri.path
        if path == "/" || path.isEmpty {
            return Self.text(.ok, core.routeIndex())
        }
        if path == "/misbehave" || path.hasPrefix("/misbehave/") {
            return try await Misbehave.respond(String(path.dropFirst("/misbehave".count)), request: request, context: context)
        }
        let trimmed = path.dropFirst()
        let id = String(trimmed.prefix { $0 != "/" })
        if let emulation = ProviderEmulation.named(id) {
            let rest = String(trimmed.dropFirst(id.count))
            var request = request
            return try await ProviderRequest(emulation: emulation, rest: rest.isEmpty ? "/" : rest).respond(&request)
        }
        if let rp = core.profiles[id] {
            let rest = String(trimmed.dropFirst(id.count))
            var request = request
            return try await SystemRequest(core: core, rp: rp, rest: rest.isEmpty ? "/" : rest).respond(&request)
        }
        return Self.text(.notFound, "404 not found: \(path)\nGET / lists the routes.\n")
    }

    static func text(_ status: HTTPResponse.Status, _ s: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: value.compactText)))
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("x-request-id")!
    static let requestID = HTTPField.Name("request-id")!
    static let xAPIKey = HTTPField.Name("x-api-key")!
    static let xGoogAPIKey = HTTPField.Name("x-goog-api-key")!
    static let errscopeForce = HTTPField.Name("x-errscope-force")!
    static let errscopeVariant = HTTPField.Name("x-errscope-variant")!
    static let errscopeCode = HTTPField.Name("x-errscope-code")!
    static let errscopeNote = HTTPField.Name("x-errscope-note")!
    static let demoBurst = HTTPField.Name("x-demo-burst")!
}

/// One request to a system route, after the `/<system>` prefix: force, route, auth, rate
/// limit, body, success, in that order.
struct SystemRequest {
    let core: DemoCore
    let rp: ResolvedProfile
    /// The path after the system prefix, as the system itself would see it.
    let rest: String
    let requestID = "req_" + String(UInt64.random(in: 1 << 60 ..< UInt64.max), radix: 16)

    var systemID: String { rp.system.id }
    var emission: Emission? { rp.system.emission(forPath: rest) }
    /// The envelope the path answers in: its emission's, else the system's default.
    var envelope: String { emission?.envelope ?? rp.system.defaultEnvelope ?? "problem-json" }

    enum Credential { case missing, invalid, valid }

    func respond(_ request: inout Request) async throws -> Response {
        let headers = request.headers
        let variant: MappingVariant = headers[.errscopeVariant]?.lowercased() == "observed" ? .observed : .documented
        var vars = ["method": request.method.rawValue, "path": rest, "model": "", "error": ""]

        if let force = headers[.errscopeForce], !force.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let (entry, concrete) = core.forcedEntry(force, defaultSystem: systemID) else {
                return DemoResponder.text(.badRequest, """
                    errscope demo: x-errscope-force names no catalog code: `\(force)`.
                    Give a code of \(systemID) (e.g. \(rp.entries.values.first?.code ?? "CODE")), system:CODE, or system/domain/CODE.

                    """)
            }
            return error(entry, concrete: concrete, message: nil, params: [], variant: variant)
        }

        guard emission != nil else { return fire(.unknownRoute, vars, variant) ?? notFound(request) }

        switch credential(request) {
        case .missing: if let r = fire(.missingToken, vars, variant) { return r }
        case .invalid: if let r = fire(.invalidToken, vars, variant) { return r }
        case .valid: break
        }

        let burst = headers[.demoBurst].map { $0 == "1" || $0.lowercased() == "true" } ?? false
        let admitted = core.limiter.admit(systemID)
        if burst || !admitted, let r = fire(.rateLimited, vars, variant) { return r }

        var model: String?
        if [.post, .put, .patch].contains(request.method) {
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: DemoResponder.maxRequestBody)
            } catch {
                return DemoResponder.text(.contentTooLarge, "request body over \(DemoResponder.maxRequestBody) bytes\n")
            }
            let bytes = Array(buffer.readableBytesView)
            do {
                let json = try JSONValue.parse(bytes)
                model = json["model"]?.stringValue
            } catch {
                vars["error"] = bytes.isEmpty ? "the body is empty" : "\(error)"
                if let r = fire(.badJSON, vars, variant) { return r }
            }
            // Gemini-style paths name the model in the path: /v1beta/models/<model>:generateContent.
            if let m = Self.modelInPath(rest) { model = m }
            if let m = model, !DemoServer.models.contains(m) {
                vars["model"] = m
                if let r = fire(.unknownModel, vars, variant) { return r }
            }
        }
        return success(request.method, model: model)
    }

    // MARK: Credentials

    /// Any non-empty credential that is the demo token makes the request valid; non-empty ones
    /// that are not make it invalid; none (or only empty values) is missing.
    func credential(_ request: Request) -> Credential {
        var given: [String] = []
        if let auth = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces), !auth.isEmpty {
            let lower = auth.lowercased()
            if lower.hasPrefix("bearer") {
                let token = auth.dropFirst("bearer".count).trimmingCharacters(in: .whitespaces)
                if !token.isEmpty { given.append(token) }
            } else {
                given.append(auth)  // another scheme (Basic ...) is never the demo token
            }
        }
        var names: [HTTPField.Name] = [.xAPIKey]
        let gemini = envelope == "gemini"
        if gemini { names.append(.xGoogAPIKey) }
        for n in names {
            if let v = request.headers[n]?.trimmingCharacters(in: .whitespaces), !v.isEmpty { given.append(v) }
        }
        if gemini, let k = request.uri.queryParameters["key"], !k.isEmpty { given.append(String(k)) }
        if given.isEmpty { return .missing }
        return given.contains(DemoServer.token) ? .valid : .invalid
    }

    static func modelInPath(_ path: String) -> String? {
        guard let r = path.range(of: "/models/") else { return nil }
        let tail = path[r.upperBound...]
        guard let colon = tail.firstIndex(of: ":") else { return nil }
        let m = String(tail[..<colon])
        return m.isEmpty ? nil : m
    }

    // MARK: Errors

    /// The trigger's code rendered in the path's envelope; nil when the system has no code for it.
    func fire(_ trigger: Trigger, _ vars: [String: String], _ variant: MappingVariant) -> Response? {
        guard let entry = rp.entries[trigger], let tc = rp.profile.codes[trigger] else { return nil }
        func fill(_ s: String) -> String {
            var out = s
            for (k, v) in vars { out = out.replacingOccurrences(of: "{\(k)}", with: v) }
            return out
        }
        return error(entry, concrete: entry.code, message: tc.message.map(fill),
                     params: tc.params.map { (key: $0.key, value: fill($0.value)) }, variant: variant)
    }

    /// Renders `entry` through the catalog's Renderer in the path's envelope; the status is the
    /// rendered one. `concrete` is the code asked for when `entry` is a wildcard covering it.
    func error(_ entry: CodeEntry, concrete: String, message: String?, params: [(key: String, value: String)],
               variant: MappingVariant) -> Response
    {
        let options = RenderOptions(message: message, params: params, requestID: requestID,
                                    timestamp: ISO8601DateFormatter().string(from: Date()), variant: variant)
        guard let rendered = core.renderer.render(entry, envelope: envelope, options: options) else {
            return DemoResponder.text(.internalServerError, "errscope demo: the catalog cannot render \(entry.id) in the \(envelope) envelope\n")
        }
        var body = rendered.body
        if let prefix = entry.wildcardPrefix, concrete != entry.code, entry.covers(concrete) {
            // The Renderer writes a wildcard as `<prefix>example`; put back the code that was asked for.
            body = Self.replacingString(prefix + "example", with: concrete, in: body)
        }
        var headers: HTTPFields = [:]
        headers[.contentType] = core.catalog.envelope(rendered.sentAs)?.mediaTypes.first ?? "application/json"
        headers[.xRequestID] = requestID
        if rendered.sentAs == "anthropic" { headers[.requestID] = requestID }
        headers[.errscopeCode] = entry.id
        let status: Int
        if let h = rendered.http {
            status = h
        } else {
            status = 500
            headers[.errscopeNote] = "the catalog gives no HTTP status for \(entry.code); 500 sent"
        }
        if status == 429 { addRetryHeaders(&headers, body: body) }
        return Response(status: .init(code: status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: body.compactText)))
    }

    /// The system's documented rate-limit headers, agreeing with the wait the body gives.
    func addRetryHeaders(_ headers: inout HTTPFields, body: JSONValue) {
        let wait = Self.retryAfter(in: body) ?? Int64(core.limiter.window.rounded(.up))
        for h in rp.profile.retryHeaders {
            switch h {
            case .retryAfter(let n): headers[HTTPField.Name(n)!] = String(wait)
            case .limit(let n): headers[HTTPField.Name(n)!] = String(core.limiter.limit)
            case .remaining(let n): headers[HTTPField.Name(n)!] = "0"
            case .resetEpoch(let n): headers[HTTPField.Name(n)!] = String(Int64(Date().timeIntervalSince1970) + wait)
            }
        }
    }

    /// The first `retry_after` / `retry_after_secs` number in a body.
    static func retryAfter(in v: JSONValue) -> Int64? {
        switch v {
        case .object(let o):
            for (k, x) in o.pairs where k == "retry_after" || k == "retry_after_secs" {
                if let i = x.intValue { return i }
            }
            for (_, x) in o.pairs { if let i = retryAfter(in: x) { return i } }
            return nil
        case .array(let a):
            for x in a { if let i = retryAfter(in: x) { return i } }
            return nil
        default:
            return nil
        }
    }

    static func replacingString(_ old: String, with new: String, in v: JSONValue) -> JSONValue {
        switch v {
        case .string(let s) where s == old: return .string(new)
        case .object(var o):
            for i in o.pairs.indices { o.pairs[i].value = replacingString(old, with: new, in: o.pairs[i].value) }
            return .object(o)
        case .array(let a): return .array(a.map { replacingString(old, with: new, in: $0) })
        default: return v
        }
    }

    func notFound(_ request: Request) -> Response {
        DemoResponder.text(.notFound, "404 not found: \(request.method.rawValue) /\(systemID)\(rest)\n")
    }

    // MARK: Success

    func success(_ method: HTTPRequest.Method, model: String?) -> Response {
        let body = SuccessBody.make(envelope: emission?.envelope ?? envelope, system: systemID,
                                    list: method == .get || method == .head, model: model ?? DemoServer.models[0],
                                    requestID: requestID)
        return DemoResponder.json(.ok, body, headers: [.xRequestID: requestID])
    }
}
