import ErrscopeCore
import Foundation

/// Resolves `${env:NAME}` and `${cmd:COMMAND}` in config values. Every value it produces is
/// remembered as a secret, so the `Redactor` can mask it wherever it would be shown or stored.
// @unchecked Sendable: the command cache, resolved values and warnings are only touched under `lock`; the environment and runner are immutable.
public final class SecretResolver: @unchecked Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unsetVariable(String, where: String)
        case commandFailed(String, status: Int32, detail: String, where: String)
        case commandStopped(String, reason: String, where: String)
        case unterminated(where: String)
        case unknownSource(String, where: String)

        public var description: String {
            switch self {
            case .unsetVariable(let n, let w): return "\(w): ${env:\(n)} is not set in the environment"
            case .commandFailed(let c, let s, let d, let w):
                return "\(w): ${cmd:\(c)} failed (exit \(s))" + (d.isEmpty ? "" : ": \(d)")
            case .commandStopped(let c, let r, let w): return "\(w): ${cmd:\(c)} \(r)"
            case .unterminated(let w): return "\(w): `${` without a closing `}`"
            case .unknownSource(let s, let w): return "\(w): unknown secret source `${\(s):...}` (use env or cmd)"
            }
        }
    }

    let environment: [String: String]
    public typealias CommandRunner = @Sendable (_ command: String, _ isCancelled: @Sendable () -> Bool) -> BoundedCommand.Result
    let runCommand: CommandRunner
    private let lock = NSLock()
    private var commandCache: [String: String] = [:]
    private var resolved: Set<String> = []
    private var shortWarnings: [String] = []

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                runCommand: @escaping CommandRunner = SecretResolver.shell)
    {
        self.environment = environment
        self.runCommand = runCommand
    }

    /// Every value resolved so far (for masking).
    public var secrets: Set<String> { lock.withLock { resolved } }

    /// One line per template that resolved to a value too short to mask safely.
    public var warnings: [String] { lock.withLock { shortWarnings } }

    public static func hasTemplate(_ s: String) -> Bool { s.contains("${env:") || s.contains("${cmd:") }

    /// `text` with its templates replaced. `where` names the field in error messages.
    public func resolve(_ text: String, where context: String, isCancelled: @Sendable () -> Bool = { false }) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = Self.closingBrace(after) else { throw .unterminated(where: context) }
            let inner = after[..<end]
            rest = after[after.index(after: end)...]
            guard let colon = inner.firstIndex(of: ":") else { throw .unknownSource(String(inner), where: context) }
            let source = inner[..<colon], arg = String(inner[inner.index(after: colon)...])
            let value: String
            switch source {
            case "env":
                guard let v = environment[arg] else { throw .unsetVariable(arg, where: context) }
                value = v
            case "cmd":
                if let cached = lock.withLock({ commandCache[arg] }) {
                    value = cached
                } else {
                    let r = runCommand(arg, isCancelled)
                    switch r.ending {
                    case .exited(0): break
                    case .exited(let status):
                        let first = r.error.split(separator: "\n").first.map(String.init) ?? ""
                        throw .commandFailed(arg, status: status, detail: String(first.prefix(200)), where: context)
                    case .signalled(let signal):
                        throw .commandStopped(arg, reason: "was killed by signal \(signal)", where: context)
                    case .timedOut(let s):
                        throw .commandStopped(arg, reason: "did not finish within \(ProbeFailure.seconds(s)); it was killed (with anything it started)", where: context)
                    case .outputTooLarge(let limit):
                        throw .commandStopped(arg, reason: "printed more than \(limit / 1024) KiB; it was killed (a secret is one line)", where: context)
                    case .cancelled:
                        throw .commandStopped(arg, reason: "was cancelled; it was killed", where: context)
                    case .cannotStart(let why):
                        throw .commandStopped(arg, reason: "could not start: \(why)", where: context)
                    }
                    // Like `$(...)`: trailing line ends go, Windows' CRLF included (by scalar: Swift
                    // reads "\r\n" as one Character, so `hasSuffix("\n")` is false for it).
                    var scalars = r.output.unicodeScalars[...]
                    while let last = scalars.last, last == "\n" || last == "\r" { scalars.removeLast() }
                    let v = String(String.UnicodeScalarView(scalars))
                    value = v
                    lock.withLock { commandCache[arg] = v }
                }
            default:
                throw .unknownSource(String(source), where: context)
            }
            if !value.isEmpty {
                lock.withLock {
                    let new = resolved.insert(value).inserted
                    if new, value.count < Redactor.minimumLength {
                        shortWarnings.append("${\(source):\(source == "env" ? arg : "…")} in \(context) is only \(value.count) characters: it is masked only where it stands alone, not inside other words; use a longer secret")
                    }
                }
            }
            out += value
        }
        out += rest
        return out
    }

    /// The `}` that closes a template, allowing nested braces in commands (`${cmd:jq '{a}' f}`).
    static func closingBrace(_ s: Substring) -> Substring.Index? {
        var depth = 0
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "{" { depth += 1 }
            if s[i] == "}" {
                if depth == 0 { return i }
                depth -= 1
            }
            i = s.index(after: i)
        }
        return nil
    }

    /// Runs `/bin/sh -c command` with a 10 s limit and a 64 KiB output limit, in its own
    /// process group (killed whole at a limit or a cancel); standard input is /dev/null.
    public static let shell: CommandRunner = { command, isCancelled in
        BoundedCommand.run(command, isCancelled: isCancelled)
    }
}

/// Masks secrets: credential headers by name, and every value a template resolved to (and every
/// credential sent literally), anywhere it comes back: as written, JSON-escaped (`\/`, `\"`), or
/// inside a JSON string with `\u` escapes (`"\u0074ok…"`), however deeply the string is nested.
///
/// Secrets of `minimumLength` characters or more are masked wherever they occur. Shorter ones
/// (a 3-character value would otherwise be masked inside unrelated words, `••••••en_error`) are
/// masked only where they stand alone, between characters that cannot be part of a token.
public struct Redactor: Sendable {
    public static let mask = "••••••"
    /// Below this, a secret is masked only as a whole word, and resolving it warns.
    public static let minimumLength = 8
    /// Masked anywhere, longest first (a secret that contains another is masked whole).
    public var secrets: [String]
    /// Masked only as whole words.
    public var shortSecrets: [String]

    public init(secrets: some Sequence<String> = []) {
        // Each secret also in the forms a JSON body may carry it (`/` as `\/`, escaped quotes and
        // backslashes).
        var all = Set<String>(), short = Set<String>()
        for s in secrets where !s.isEmpty {
            if s.count < Self.minimumLength {
                short.insert(s)
                continue
            }
            all.insert(s)
            // Percent-encoded, as a server may echo it inside a URL (`%2F`, `%2B`, `%3D`).
            for allowed in [Self.unreserved, .alphanumerics] {
                if let p = s.addingPercentEncoding(withAllowedCharacters: allowed) { all.insert(p) }
            }
            all.insert(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "/", with: "\\/"))
            all.insert(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))
        }
        self.secrets = all.sorted { $0.count > $1.count }
        shortSecrets = short.sorted { $0.count > $1.count }
    }

    public var isEmpty: Bool { secrets.isEmpty && shortSecrets.isEmpty }

    /// RFC 3986's unreserved characters: what a URL encoder leaves as is.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The credentials a request carries literally, so they are masked when a server echoes them:
    /// credential header values (whole, and without their `Bearer`/`Basic` scheme), the userinfo
    /// of the URL, and credential query parameters (as written and percent-decoded).
    public static func literalCredentials(url: String, headers: [(name: String, value: String)]) -> [String] {
        var out: [String] = []
        for h in headers where isSensitiveHeader(h.name) {
            let v = h.value.trimmingCharacters(in: .whitespaces)
            guard !v.isEmpty else { continue }
            out.append(v)
            let parts = v.split(separator: " ", maxSplits: 1)
            if parts.count == 2, ["bearer", "basic", "token", "digest"].contains(parts[0].lowercased()) {
                let cred = String(parts[1]).trimmingCharacters(in: .whitespaces)
                out.append(cred)
                // Basic's base64 user:password, decoded: a server may echo either half.
                if parts[0].lowercased() == "basic", let d = Data(base64Encoded: cred), let plain = String(data: d, encoding: .utf8) {
                    out.append(plain)
                    if let colon = plain.firstIndex(of: ":") { out.append(String(plain[plain.index(after: colon)...])) }
                }
            }
        }
        if let scheme = url.range(of: "://") {
            let rest = url[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                let userinfo = String(rest[..<at])
                out.append(userinfo)
                out.append(userinfo.removingPercentEncoding ?? userinfo)
                if let colon = userinfo.firstIndex(of: ":") {
                    let pw = String(userinfo[userinfo.index(after: colon)...])
                    out.append(pw)
                    out.append(pw.removingPercentEncoding ?? pw)
                }
            }
        }
        if let q = url.firstIndex(of: "?") {
            let query = url[url.index(after: q)...].split(separator: "#", maxSplits: 1).first ?? ""
            for pair in query.split(separator: "&") {
                guard let eq = pair.firstIndex(of: "=") else { continue }
                guard sensitiveQuery.contains(pair[..<eq].lowercased()) else { continue }
                let v = String(pair[pair.index(after: eq)...])
                out.append(v)
                out.append(v.removingPercentEncoding ?? v)
            }
        }
        return out.filter { !$0.isEmpty }
    }

    static let sensitiveNames: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie", "set-cookie",
    ]

    /// Name parts that make a header a credential (`x-auth-token`, `x-api-key`, `x-client-secret`).
    static let sensitiveParts: Set<String> = ["token", "key", "apikey", "secret", "password", "passwd", "credential", "credentials", "auth", "session"]
    /// Headers whose names have such a part but carry no secret.
    static let notSensitive: Set<String> = ["idempotency-key", "x-idempotency-key", "sec-websocket-key"]

    /// Credential headers: masked even when written literally. Decided by whole name parts, so
    /// rate-limit headers (`x-ratelimit-remaining-tokens`, `anthropic-ratelimit-tokens-reset`)
    /// stay readable.
    public static func isSensitiveHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        if sensitiveNames.contains(n) { return true }
        if notSensitive.contains(n) { return false }
        return n.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }).contains { sensitiveParts.contains(String($0)) }
    }

    static let sensitiveQuery: Set<String> = ["key", "api_key", "apikey", "token", "access_token", "secret", "password", "sig", "signature"]

    /// A header value as it may be shown: credential headers keep only their scheme (`Bearer ••••••`).
    public func header(_ name: String, _ value: String) -> String {
        if Self.isSensitiveHeader(name) {
            if value.isEmpty { return "" }
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2, ["bearer", "basic", "token", "digest"].contains(parts[0].lowercased()) {
                return parts[0] + " " + Self.mask
            }
            return Self.mask
        }
        return text(value)
    }

    /// `s` with every known secret value masked.
    public func text(_ s: String) -> String {
        var out = s
        for secret in secrets where out.contains(secret) { out = out.replacingOccurrences(of: secret, with: Self.mask) }
        for secret in shortSecrets where out.contains(secret) { out = Self.maskWholeWords(secret, in: out) }
        return out
    }

    /// Characters that can be part of a token: a short secret next to one is part of another word.
    static func isWordScalar(_ u: Unicode.Scalar) -> Bool {
        u.properties.isAlphabetic || u.properties.numericType != nil || u == "_" || u == "-"
    }

    /// `s` with the standalone occurrences of `word` masked.
    static func maskWholeWords(_ word: String, in s: String) -> String {
        let text = Array(s.unicodeScalars), w = Array(word.unicodeScalars)
        guard !w.isEmpty, text.count >= w.count else { return s }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < text.count {
            if i + w.count <= text.count, text[i] == w[0], Array(text[i..<(i + w.count)]) == w,
               i == 0 || !isWordScalar(text[i - 1]), i + w.count == text.count || !isWordScalar(text[i + w.count])
            {
                out.append(contentsOf: mask.unicodeScalars)
                i += w.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return String(out)
    }

    /// A URL with secret values and credential query parameters (`key=`, `token=`...) masked.
    public func url(_ s: String) -> String {
        var u = text(s)
        // user:password@ in the authority.
        if let scheme = u.range(of: "://") {
            let rest = u[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                u = String(u[..<scheme.upperBound]) + Self.mask + String(u[at...])
            }
        }
        guard let q = u.firstIndex(of: "?") else { return u }
        let base = u[..<q]
        var fragment = ""
        var query = String(u[u.index(after: q)...])
        if let h = query.firstIndex(of: "#") { fragment = String(query[h...]); query = String(query[..<h]) }
        let masked = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let eq = pair.firstIndex(of: "=") else { return String(pair) }
            let name = pair[..<eq].lowercased()
            return Self.sensitiveQuery.contains(name) ? pair[..<eq] + "=" + Self.mask : String(pair)
        }.joined(separator: "&")
        u = base + "?" + masked + fragment
        return u
    }

    /// Bytes with secret values masked (bodies from the network may echo a token back), also
    /// where a JSON string spells the secret with escapes (`\u0074ok…`), nested JSON included.
    public func bytes(_ b: [UInt8]) -> [UInt8] {
        guard !isEmpty else { return b }
        let escaped = Self.maskingEscapedStrings(b, depth: 0) { self.text($0) }
        let s = String(decoding: escaped ?? b, as: UTF8.self)
        let masked = text(s)
        if escaped == nil && masked == s { return b }
        return Array(masked.utf8)
    }

    /// Every JSON string literal in `b` that has escapes is decoded; where `mask` (applied to the
    /// decoded text, and to the literals nested in it, up to 4 levels) changes it, the literal is
    /// written again from the masked text. nil when nothing changed. Literals without a backslash
    /// are left to the plain-text pass.
    static func maskingEscapedStrings(_ b: [UInt8], depth: Int, _ mask: (String) -> String) -> [UInt8]? {
        guard depth < 4, b.contains(UInt8(ascii: "\\")) else { return nil }
        var out: [UInt8] = []
        var copied = 0, i = 0, changed = false
        let n = b.count
        while i < n {
            guard b[i] == UInt8(ascii: "\"") else { i += 1; continue }
            // A string literal: up to the next unescaped quote on the same line.
            var j = i + 1, hasEscape = false
            while j < n, b[j] != UInt8(ascii: "\""), b[j] != 0x0A {
                if b[j] == UInt8(ascii: "\\") { hasEscape = true; j += 2 } else { j += 1 }
            }
            guard j < n, b[j] == UInt8(ascii: "\"") else { i = j; continue }
            // Decoded by the core's JSON parser (nil when the escapes are invalid).
            if hasEscape, let decoded = (try? JSONValue.parse(b[i...j]))?.stringValue {
                let inner = Array(decoded.utf8)
                let nested = maskingEscapedStrings(inner, depth: depth + 1, mask)
                let text = nested.map { String(decoding: $0, as: UTF8.self) } ?? decoded
                let masked = mask(text)
                if nested != nil || masked != decoded {
                    if !changed { out.reserveCapacity(n) }
                    changed = true
                    out.append(contentsOf: b[copied..<i])
                    out.append(contentsOf: JSONWriter.quoted(masked).utf8)
                    copied = j + 1
                }
            }
            i = j + 1
        }
        guard changed else { return nil }
        out.append(contentsOf: b[copied..<n])
        return out
    }
}
