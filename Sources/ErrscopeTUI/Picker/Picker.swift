import ErrscopeCore
import Foundation

/// A fuzzy picker (like fzf) over a list: type to narrow, ↑/↓ to move, Enter to choose, Esc to
/// leave. Used for `:code` (every catalog code) and `:probe` (endpoints and saved requests).
/// Its own state, pure update and view; `AppState.picker` is non-nil while it is open.
public struct PickerState: Sendable, Equatable {
    public enum Purpose: Sendable, Equatable {
        /// Items are catalog rows.
        case code
        /// Items are `endpoint` or `endpoint/request` names, for `:probe` (`send`: `:probe!`).
        case probe(send: Bool)
        /// Items are the probe history (`row`: its index); `diff`: to compare, else to re-open.
        case history(diff: Bool)
    }

    public struct Item: Sendable, Equatable {
        public var text: String
        public var detail: String
        /// The catalog row (codes) or -1.
        public var row: Int
    }

    public var title: String
    public var purpose: Purpose
    public var items: [Item]
    public var query: String
    public var cursor = 0
    /// Matching items, best first: (index into `items`, matched character offsets).
    public private(set) var matches: [(Int, [Int])] = []
    static let shown = 200

    public static func == (a: PickerState, b: PickerState) -> Bool {
        a.title == b.title && a.purpose == b.purpose && a.query == b.query && a.cursor == b.cursor && a.items == b.items
    }

    public init(title: String, purpose: Purpose, items: [Item], query: String = "") {
        self.title = title
        self.purpose = purpose
        self.items = items
        self.query = query
        refilter()
    }

    /// fzf-style: the query's characters in order (ASCII case-insensitive), scored higher when
    /// they run together, start a word (after `/ _ - . :` or a space) or start the text; ties
    /// keep the list's order. An empty query keeps every item.
    mutating func refilter() {
        let q = Array(query.lowercased().filter { $0 != " " })
        var scored: [(Int, Int, [Int])] = []
        for (i, item) in items.enumerated() {
            if q.isEmpty { scored.append((i, 0, [])); continue }
            if let (score, at) = Self.score(q, Array(item.text.lowercased())) { scored.append((i, score, at)) }
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        matches = scored.prefix(Self.shown).map { ($0.0, $0.2) }
        cursor = min(cursor, max(0, matches.count - 1))
    }

    static func score(_ q: [Character], _ text: [Character]) -> (Int, [Int])? {
        var at: [Int] = []
        var j = 0
        for (i, c) in text.enumerated() where j < q.count && c == q[j] {
            at.append(i)
            j += 1
        }
        guard j == q.count else { return nil }
        // Prefer the tightest occurrence ending where the greedy one ends: walk back from it.
        var k = q.count - 1, i = at.last!
        var tight = at
        while k >= 0 && i >= 0 {
            if text[i] == q[k] { tight[k] = i; k -= 1 }
            i -= 1
        }
        at = tight
        var score = 0
        for (n, p) in at.enumerated() {
            score += 1
            if n > 0 && at[n - 1] == p - 1 { score += 8 }
            if p == 0 || " /_-.:".contains(text[p - 1]) { score += 6 }
        }
        score -= (at.last! - at.first!) / 4  // spread out: worse
        return (score, at)
    }

    public var selected: Item? { matches.indices.contains(cursor) ? items[matches[cursor].0] : nil }
}

enum PickerUpdate {
    enum Outcome { case stay, cancel, choose(PickerState.Item) }

    static func key(_ p: inout PickerState, _ key: Key) -> Outcome {
        switch key {
        case .escape, .ctrl("g"): return .cancel
        case .enter: return p.selected.map { .choose($0) } ?? .stay
        case .down, .ctrl("n"): p.cursor = min(p.cursor + 1, max(0, p.matches.count - 1))
        case .up, .ctrl("p"): p.cursor = max(0, p.cursor - 1)
        case .pageDown: p.cursor = min(p.cursor + 10, max(0, p.matches.count - 1))
        case .pageUp: p.cursor = max(0, p.cursor - 10)
        case .backspace, .ctrl("h"):
            if !p.query.isEmpty { p.query.removeLast(); p.cursor = 0; p.refilter() }
        case .ctrl("u"): p.query = ""; p.cursor = 0; p.refilter()
        case .ctrl("w"):
            // Delete the last word, as a shell's line editor does.
            while p.query.last == " " { p.query.removeLast() }
            while let c = p.query.last, c != " " { _ = c; p.query.removeLast() }
            p.cursor = 0
            p.refilter()
        case .char(let c):
            guard p.query.count < 200, !c.isNewline else { return .stay }
            p.query.append(c)
            p.cursor = 0
            p.refilter()
        default: break
        }
        return .stay
    }

    /// The codes of the catalog as picker items (`system/code`, its HTTP status and meaning).
    static func codes(_ s: AppState, query: String) -> PickerState {
        let c = s.data.catalog
        let items = (0..<c.codeCount).map { row -> PickerState.Item in
            let e = c.entry(row)
            return .init(text: "\(e.system)/\(TerminalText.singleLine(e.code, limit: 120))", detail: "\(e.http) · \(e.meaning)", row: row)
        }
        return PickerState(title: "code", purpose: .code, items: items, query: query)
    }

    /// The configured endpoints and their saved requests.
    static func endpoints(_ s: AppState, query: String, send: Bool) -> PickerState {
        var items: [PickerState.Item] = []
        for e in s.probe.config.endpoints {
            items.append(.init(text: e.name, detail: "\(e.system ?? "") · \(e.url)", row: -1))
            for r in e.requests { items.append(.init(text: "\(e.name)/\(r.name)", detail: "\(r.effectiveMethod) \(r.path)", row: -1)) }
        }
        return PickerState(title: send ? "probe! (loads and sends)" : "probe (loads the request)", purpose: .probe(send: send), items: items, query: query)
    }
}

enum PickerView {
    static func draw(_ b: inout ScreenBuffer, _ s: AppState, _ p: PickerState) {
        let t = s.theme
        let w = min(s.width - 4, 100)
        let h = min(s.height - 2, max(8, min(p.matches.count + 4, 24)))
        guard w > 20, h > 4 else { return }
        let r = Rect(x: (s.width - w) / 2, y: max(1, (s.height - h) / 3), width: w, height: h)
        b.fill(r, style: t.normal)
        View.frame(&b, s, r, title: "Pick \(p.title) · \(p.matches.count)\(p.matches.count == PickerState.shown ? "+" : "")/\(p.items.count) · Enter picks · Esc leaves", focused: true)
        let inner = r.inset(1)
        let x = b.put("> " + p.query, x: inner.x + 1, y: inner.y, style: t.title, clip: inner)
        b.cursor = (min(x, inner.maxX - 1), inner.y)
        let listTop = inner.y + 1
        let visible = max(1, inner.maxY - listTop)
        let top = min(max(0, p.cursor - visible + 1), max(0, p.matches.count - visible))
        if p.matches.isEmpty {
            b.put("  nothing matches “\(DisplayWidth.truncate(p.query, to: 40))”", x: inner.x, y: listTop, style: t.dim, clip: inner)
        }
        for (k, (index, at)) in p.matches.dropFirst(top).prefix(visible).enumerated() {
            let y = listTop + k
            let selected = top + k == p.cursor
            let item = p.items[index]
            let base = selected ? t.selected : t.normal
            if selected { b.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: base) }
            var cx = b.put(selected ? "▶ " : "  ", x: inner.x, y: y, style: base, clip: inner)
            var mark = base
            mark.bold = true
            mark.underline = true
            if !selected { mark.fg = t.jsonKey.fg }
            let marks = Set(at)
            let textW = min(DisplayWidth.of(item.text), inner.width * 3 / 5)
            for (i, ch) in DisplayWidth.truncate(item.text, to: textW).enumerated() {
                cx = b.put(String(ch), x: cx, y: y, style: marks.contains(i) ? mark : base, clip: inner)
            }
            b.put("  " + TerminalText.singleLine(item.detail, limit: 300), x: cx, y: y, style: selected ? base : t.dim, clip: inner)
        }
    }
}
