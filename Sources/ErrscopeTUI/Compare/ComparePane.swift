import ErrscopeCore

/// The compare view: one category (`context_length`) or HTTP status (`429`) across every system
/// as a table (system, code, HTTP, retryable, delay source, what to do); Enter opens the code.
/// A component: its own state, a pure update and a view that draws into a rectangle.
public struct CompareState: Sendable, Equatable {
    public enum Subject: Sendable, Equatable {
        case category(ErrorCategory)
        case http(Int)
    }
    public struct Row: Sendable, Equatable {
        public var catalogRow: Int
        public var system: String
        public var code: String
        public var http: String
        public var category: String
        public var retry: String
        public var delay: String
        public var whatToDo: String
    }
    public var subject: Subject
    public var rows: [Row]
    public var cursor = 0
    public var scroll = 0

    public var title: String {
        switch subject {
        case .category(let c): return "Compare · \(c.rawValue) in every system"
        case .http(let h): return "Compare · HTTP \(h) in every system"
        }
    }

    /// Parses `context_length`, `quota`, `429`.
    public static func subject(_ text: String) -> Subject? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let c = ErrorCategory(rawValue: t) { return .category(c) }
        if let h = Int(t), (100...599).contains(h) { return .http(h) }
        return nil
    }

    /// The table for `subject`, from the catalog: one row per code, ordered by system.
    public static func make(_ subject: Subject, catalog: Catalog) -> CompareState {
        var rows: [Row] = []
        for e in catalog.entries {
            switch subject {
            case .category(let c): guard e.category == c else { continue }
            case .http(let h): guard e.http.statuses.contains(h), e.system != "http" else { continue }
            }
            let sys = catalog.system(e.system)
            rows.append(Row(
                catalogRow: e.row, system: e.system, code: e.code, http: e.http.description,
                category: e.category?.rawValue ?? "-", retry: e.retry?.rawValue ?? "-",
                delay: delaySource(e, sys), whatToDo: e.category.flatMap { catalog.traffic.info($0)?.whatToDo } ?? ""))
        }
        rows.sort { $0.system != $1.system ? $0.system < $1.system : $0.code < $1.code }
        return CompareState(subject: subject, rows: rows)
    }

    /// Where this system says how long to wait: the code's own fields, else the system's retry headers.
    static func delaySource(_ e: CodeEntry, _ sys: SystemInfo?) -> String {
        let known = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms", "retry_after", "retry_after_secs", "retryDelay",
                     "x-ratelimit-reset", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]
        if let f = e.fields.first(where: { f in known.contains { f.lowercased().contains($0.lowercased()) } }) { return f }
        guard e.retry != .no else { return "-" }
        let headers = sys?.headers.map(\.name) ?? []
        if let h = headers.first(where: { h in known.contains { h.lowercased() == $0 } }) { return h }
        return "message / backoff"
    }
}

/// What a key does in the compare view.
public enum CompareAction: Equatable {
    case none, close
    case open(row: Int)
}

enum CompareUpdate {
    static func key(_ c: inout CompareState, _ key: Key, page: Int) -> CompareAction {
        switch key {
        case .down, .char("j"): c.cursor = min(c.rows.count - 1, c.cursor + 1)
        case .up, .char("k"): c.cursor = max(0, c.cursor - 1)
        case .pageDown: c.cursor = min(c.rows.count - 1, c.cursor + page)
        case .pageUp: c.cursor = max(0, c.cursor - page)
        case .char("g"), .home: c.cursor = 0
        case .char("G"), .end: c.cursor = max(0, c.rows.count - 1)
        case .enter:
            guard c.rows.indices.contains(c.cursor) else { return .none }
            return .open(row: c.rows[c.cursor].catalogRow)
        case .escape, .char("q"): return .close
        default: break
        }
        c.cursor = max(0, c.cursor)
        return .none
    }
}

enum CompareView {
    static let headers = ["SYSTEM", "CODE", "HTTP", "RETRY", "DELAY FROM", "WHAT TO DO"]

    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ c: CompareState, in r: Rect) {
        b.fill(r, style: s.theme.normal)
        View.frame(&b, s, r, title: "\(c.title) · \(c.rows.count) code\(c.rows.count == 1 ? "" : "s") · Enter opens · Esc closes", focused: true)
        let inner = r.inset(1)
        guard inner.height > 2, inner.width > 20 else { return }
        let cells = c.rows.map { [$0.system, $0.code, $0.http, $0.retry, $0.delay, $0.whatToDo] }
        // Column widths from the content, the last column takes the rest.
        var widths = headers.map { DisplayWidth.of($0) }
        for row in cells { for i in 0..<5 { widths[i] = min(i == 1 ? 34 : 22, max(widths[i], DisplayWidth.of(row[i]))) } }
        func line(_ cols: [String], y: Int, style: Style, marker: String) {
            var x = inner.x
            b.put(marker, x: x, y: y, style: style, clip: inner)
            x += 2
            for (i, text) in cols.enumerated() {
                let w = i < 5 ? widths[i] : max(1, inner.maxX - x)
                b.put(DisplayWidth.truncate(TerminalText.singleLine(text, limit: 400), to: w), x: x, y: y, style: style, clip: inner)
                x += w + 2
                if x >= inner.maxX { break }
            }
        }
        line(headers, y: inner.y, style: s.theme.title, marker: "  ")
        let visible = inner.height - 1
        let start = min(max(0, c.cursor - visible + 1), max(0, c.rows.count - visible))
        let first = max(start, min(c.scroll, c.cursor))
        for (k, i) in (first..<min(c.rows.count, first + visible)).enumerated() {
            let selected = i == c.cursor
            line(cells[i], y: inner.y + 1 + k, style: selected ? s.theme.selected : (c.rows[i].retry == "no" ? s.theme.normal : s.theme.jsonString),
                 marker: selected ? "▶ " : "  ")
        }
        if c.rows.isEmpty { b.put("no code in any catalog", x: inner.x + 2, y: inner.y + 1, style: s.theme.dim, clip: inner) }
    }
}
