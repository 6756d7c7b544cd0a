/// One labelled line of a code's description, as the CLI card and the TUI detail pane show it.
public struct EntryField: Sendable, Equatable {
    public enum Role: Sendable, Equatable { case http, retry(Retryability), note(Note.Kind), plain }
    public var label: String
    public var value: String
    public var role: Role
}

extension CodeEntry {
    /// The fields worth showing for this code, in reading order, empty ones left out. `sourceTitle`
    /// turns a source id into the page's title.
    public func displayFields(sourceTitle: (String) -> String? = { _ in nil }, whatToDo: (ErrorCategory) -> String? = { _ in nil }) -> [EntryField] {
        var out: [EntryField] = []
        func add(_ label: String, _ value: String?, _ role: EntryField.Role = .plain) {
            guard let v = value, !v.isEmpty else { return }
            out.append(EntryField(label: label, value: v, role: role))
        }
        var http = http.description
        if let p = self.http.primary, let phrase = HTTPReason.phrase(p) { http += " " + phrase }
        if case .unknown = self.http { http = "unknown (the source gives none)" }
        add("HTTP", http, .http)
        if isWildcard { add("code", "wildcard: every code starting \(wildcardPrefix ?? "")") }
        add("type", type)
        add("grpc", grpc)
        add("meaning", meaning)
        if let c = category {
            add("category", c.rawValue + (categoryIsDerived ? " (from the HTTP status)" : ""))
            add("do", whatToDo(c))
        }
        add("when", when)
        add("cause", cause)
        add("fix", fix)
        if let r = retry {
            add("retry", r.rawValue + (retryReason.map { " — \($0)" } ?? "") + (retryIsDerived ? " (system default)" : ""), .retry(r))
        }
        add("fields", fields.isEmpty ? nil : fields.joined(separator: ", "))
        add("parent", parent)
        for n in notes { add(n.kind.rawValue, n.text, .note(n.kind)) }
        add("source", source.map { id in sourceTitle(id) ?? id })
        return out
    }
}
