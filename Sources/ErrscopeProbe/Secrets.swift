import Foundation

/// Resolves `${env:NAME}` and `${cmd:COMMAND}` in config values. Every value it produces is
/// remembered as a secret, so the `Redactor` can mask it wherever it would be shown or stored.
public final class SecretResolver: @unchecked Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unsetVariable(String, where: String)
        case commandFailed(String, status: Int32, detail: String, where: String)
        case unterminated(where: String)
        case unknownSource(String, where: String)

        public var description: String {
            switch self {
            case .unsetVariable(let n, let w): return "\(w): ${env:\(n)} is not set in the environment"
            case .commandFailed(let c, let s, let d, let w):
                return "\(w): ${cmd:\(c)} failed (exit \(s))" + (d.isEmpty ? "" : ": \(d)")
            case .unterminated(let w): return "\(w): `${` without a closing `}`"
            case .unknownSource(let s, let w): return "\(w): unknown secret source `${\(s):...}` (use env or cmd)"
            }
        }
    }

    let environment: [String: String]
    let runCommand: @Sendable (String) -> (status: Int32, output: String, error: String)
    private let lock = NSLock()
    private var commandCache: [String: String] = [:]
    private var resolved: Set<String> = []

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                runCommand: @escaping @Sendable (String) -> (status: Int32, output: String, error: String) = SecretResolver.shell)
    {
        self.environment = environment
        self.runCommand = runCommand
    }

    /// Every value resolved so far (for masking).
    public var secrets: Set<String> { lock.withLock { resolved } }

    public static func hasTemplate(_ s: String) -> Bool { s.contains("${env:") || s.contains("${cmd:") }

    /// `text` with its templates replaced. `where` names the field in error messages.
    public func resolve(_ text: String, where context: String) throws(Failure) -> String {
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
                    let r = runCommand(arg)
                    guard r.status == 0 else {
                        let first = r.error.split(separator: "\n").first.map(String.init) ?? ""
                        throw .commandFailed(arg, status: r.status, detail: String(first.prefix(200)), where: context)
                    }
                    // Like `$(...)`: trailing newlines go.
                    var v = r.output
                    while v.hasSuffix("\n") || v.hasSuffix("\r") { v.removeLast() }
                    value = v
                    lock.withLock { commandCache[arg] = v }
                }
            default:
                throw .unknownSource(String(source), where: context)
            }
            if value.count >= 3 { _ = lock.withLock { resolved.insert(value) } }
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

    /// Runs `/bin/sh -c command` with a 10 s limit; standard input is /dev/null.
    public static let shell: @Sendable (String) -> (status: Int32, output: String, error: String) = { command in
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        do { try p.run() } catch { return (127, "", "cannot run /bin/sh: \(error)") }
        let timer = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 10, execute: timer)
        // Read both pipes fully before waiting, so a chatty command cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let g = DispatchGroup()
        g.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); g.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        g.wait()
        // Polled rather than `waitUntilExit()`, which spins a run loop that a concurrency-pool
        // thread (the TUI resolves secrets on one) never runs. Both pipes are at EOF: it is ending.
        while p.isRunning { usleep(1_000) }
        timer.cancel()
        if p.terminationReason == .uncaughtSignal { return (128 + p.terminationStatus, "", "timed out or killed") }
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// Masks secrets: credential headers by name, and every value a template resolved to, anywhere.
public struct Redactor: Sendable {
    public static let mask = "••••••"
    public var secrets: [String]

    public init(secrets: some Sequence<String> = []) {
        // Each secret also in the forms a JSON body may carry it (`/` as `\/`, escaped quotes and
        // backslashes). Longest first, so a secret that contains another is masked whole.
        var all = Set<String>()
        for s in secrets where s.count >= 3 {
            all.insert(s)
            all.insert(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "/", with: "\\/"))
            all.insert(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))
        }
        self.secrets = all.sorted { $0.count > $1.count }
    }

    static let sensitiveNames: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie", "set-cookie",
    ]

    /// Credential headers: masked even when written literally.
    public static func isSensitiveHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        if sensitiveNames.contains(n) { return true }
        return n.contains("token") || n.contains("secret") || n.contains("password") || n.contains("key")
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
        return out
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

    /// Bytes with secret values masked (bodies from the network may echo a token back).
    public func bytes(_ b: [UInt8]) -> [UInt8] {
        guard !secrets.isEmpty else { return b }
        let s = String(decoding: b, as: UTF8.self)
        guard secrets.contains(where: { s.contains($0) }) else { return b }
        return Array(text(s).utf8)
    }
}
