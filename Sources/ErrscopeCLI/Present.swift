import ErrscopeCore
import Foundation

/// Human and JSON presentation of catalog entries and verdicts. Everything printed from a
/// catalog or a body goes through `TerminalText` first.
enum Present {
    static func safe(_ s: String, limit: Int = 2000) -> String { TerminalText.singleLine(s, limit: limit) }

    static func json(_ e: CodeEntry, basis: MatchBasis? = nil) -> JSONValue {
        var o = JSONObject()
        o["system"] = .string(e.system)
        o["domain"] = .string(e.domain)
        o["code"] = .string(e.code)
        o["http"] = httpJSON(e.http)
        o["retryable"] = e.retry.map { .string($0.rawValue) } ?? .null
        o["category"] = e.category.map { .string($0.rawValue) } ?? .null
        if let r = e.retryReason { o["retry_reason"] = .string(r) }
        if e.isWildcard { o["wildcard"] = true }
        if let t = e.type { o["type"] = .string(t) }
        if let g = e.grpc { o["grpc"] = .string(g) }
        o["meaning"] = .string(e.meaning)
        if let w = e.when { o["when"] = .string(w) }
        if let c = e.cause { o["cause"] = .string(c) }
        if let f = e.fix { o["fix"] = .string(f) }
        if !e.fields.isEmpty { o["fields"] = .array(e.fields.map { .string($0) }) }
        if let p = e.parent { o["parent"] = .string(p) }
        if let s = e.source { o["source"] = .string(s) }
        if !e.notes.isEmpty {
            o["notes"] = .array(e.notes.map { ["kind": .string($0.kind.rawValue), "text": .string($0.text)] })
        }
        if let b = basis { o["match"] = .string(b.rawValue) }
        return .object(o)
    }

    static func httpJSON(_ h: HTTPStatusSpec) -> JSONValue {
        switch h {
        case .status(let s): return .int(Int64(s))
        case .alternatives(let a): return .array(a.map { .int(Int64($0)) })
        case .unknown: return .null
        }
    }

    static func retryText(_ e: CodeEntry) -> String {
        guard let r = e.retry else { return "?" }
        return e.retryIsDerived ? "\(r.rawValue)*" : r.rawValue
    }

    static func card(_ e: CodeEntry, basis: MatchBasis?, traffic: TrafficRules? = nil) {
        let title = "\(e.code)\(e.isWildcard ? "  (wildcard)" : "")"
        Output.line("\(safe(title))  [\(e.system) / \(safe(e.domain))]\(basis.map { $0 == .code ? "" : "  matched by \($0.rawValue)" } ?? "")")
        let fields = e.displayFields(whatToDo: { traffic?.info($0)?.whatToDo }).map { (label: $0.label == "HTTP" ? "http" : $0.label, value: $0.value) }
        // The label column is as wide as the widest label and a space (`documented` is ten).
        let w = max(9, (fields.map { $0.label.columns }.max() ?? 0) + 1)
        for f in fields where !f.value.isEmpty {
            Output.line("  " + f.label.rightPad(w) + wrap(safe(f.value), indent: w + 2))
        }
    }

    /// Wraps to the output width with a hanging indent.
    static func wrap(_ s: String, indent: Int) -> String {
        let width = max(40, Output.width) - indent
        var lines: [String] = []
        var cur = ""
        for word in s.split(separator: " ", omittingEmptySubsequences: false) {
            if !cur.isEmpty && cur.columns + 1 + DisplayWidth.of(word) > width {
                lines.append(cur)
                cur = String(word)
            } else {
                cur += cur.isEmpty ? String(word) : " " + word
            }
        }
        lines.append(cur)
        return lines.joined(separator: "\n" + String(repeating: " ", count: indent))
    }

    static func table(_ hits: [LookupHit]) {
        let rows = hits.map { h in
            [h.entry.system, safe(h.entry.code, limit: 60), h.entry.http.description, h.entry.category?.rawValue ?? "-", retryText(h.entry), safe(h.entry.meaning)]
        }
        var widths = [6, 4, 4, 8, 5]
        for r in rows { for i in 0..<5 { widths[i] = max(widths[i], r[i].columns) } }
        let header = ["SYSTEM", "CODE", "HTTP", "CATEGORY", "RETRY", "MEANING"]
        func fmt(_ r: [String]) -> String {
            var s = ""
            for i in 0..<5 { s += r[i].rightPad(widths[i]) + "  " }
            let room = max(10, Output.width - s.columns)
            return s + DisplayWidth.truncate(r[5], to: room)
        }
        Output.line(fmt(header))
        for r in rows { Output.line(fmt(r)) }
        let systems = Set(hits.map { $0.entry.system })
        Output.line("\(hits.count) match\(hits.count == 1 ? "" : "es") in \(systems.count) system\(systems.count == 1 ? "" : "s")\(hits.contains { $0.entry.retryIsDerived } ? " (* retry class from the system's default rule)" : "")")
    }
}
