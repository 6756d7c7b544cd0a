import Foundation

/// The equivalent `curl` command for a spec, safe to paste into a ticket: `${env:NAME}` becomes
/// `$NAME` and `${cmd:...}` becomes `$(...)`, so the reader's shell supplies the secret; a
/// credential written literally is masked.
public enum CurlCommand {
    public static func make(_ spec: ProbeSpec) -> String {
        var parts = ["curl", "-sS", "-i"]
        // curl sends GET, or POST with --data-raw: say -X only when the method differs.
        if spec.method != (spec.body == nil ? "GET" : "POST") { parts += ["-X", spec.method] }
        if spec.insecure { parts.append("-k") }
        if let ca = spec.caFile { parts += ["--cacert", quote(ca)] }
        if spec.followRedirects { parts.append("-L") }
        parts += ["--connect-timeout", number(spec.connectTimeout), "--max-time", number(spec.totalTimeout)]
        parts.append(SecretResolver.hasTemplate(spec.url) ? shellWord(spec.url, sensitive: false) : quote(Redactor().url(spec.url)))
        for h in spec.headers {
            parts += ["-H", shellWord("\(h.name): \(h.value)", sensitive: Redactor.isSensitiveHeader(h.name), prefix: "\(h.name): ")]
        }
        if let b = spec.body { parts += ["--data-raw", shellWord(b, sensitive: false)] }
        return parts.joined(separator: " ")
    }

    static func number(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }

    /// Single quotes when there is no template; double quotes with `$NAME`/`$(cmd)` when there is.
    static func shellWord(_ s: String, sensitive: Bool, prefix: String = "") -> String {
        guard SecretResolver.hasTemplate(s) else {
            if sensitive {
                let value = String(s.dropFirst(prefix.count))
                return quote(prefix + Redactor().header(String(prefix.dropLast(2)), value))
            }
            return quote(s)
        }
        var out = "\""
        var rest = Substring(s)
        while let start = rest.range(of: "${") {
            out += escapeDouble(rest[..<start.lowerBound])
            let after = rest[start.upperBound...]
            guard let end = SecretResolver.closingBrace(after) else { out += escapeDouble(rest[start.lowerBound...]); rest = ""; break }
            let inner = after[..<end]
            if inner.hasPrefix("env:") {
                out += "${" + inner.dropFirst(4) + "}"
            } else if inner.hasPrefix("cmd:") {
                out += "$(" + inner.dropFirst(4) + ")"
            } else {
                out += escapeDouble(rest[start.lowerBound...end])
            }
            rest = after[after.index(after: end)...]
        }
        out += escapeDouble(rest) + "\""
        return out
    }

    static func escapeDouble(_ s: Substring) -> String {
        var o = ""
        for c in s {
            if c == "\"" || c == "\\" || c == "$" || c == "`" { o.append("\\") }
            o.append(c)
        }
        return o
    }

    static func quote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=@,+".contains($0) }) && s.unicodeScalars.allSatisfy({ $0.isASCII }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
