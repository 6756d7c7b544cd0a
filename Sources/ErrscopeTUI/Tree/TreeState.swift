import ErrscopeCore

/// The tree pane's state: which systems and domains are open, the visible rows, the cursor, and
/// the filter (its text, its matches, the matches of each prefix typed, the filters kept).
public struct TreeState: Sendable {
    let data: BrowserData
    public var expandedSystems: Set<Int> = []
    public var expandedDomains: Set<Int> = []
    public private(set) var rows = TreeRows()
    public var cursor = 0
    public var scroll = 0
    public var filterText = ""
    /// Rows matching the filter (nil: no filter).
    public private(set) var filterMatches: [Int32]?
    /// (query, matches) for each filter prefix typed: Backspace pops instead of rescanning.
    var filterHistory: [(String, [Int32])] = []
    /// The filters kept before.
    var filterEntries: [String] = []

    init(data: BrowserData) {
        self.data = data
        // Start with every system closed: all of them (25 and more) visible at a glance, even in
        // the tree's six rows at 80×24; Enter or → opens one.
        rebuildRows()
    }

    public var selectedRow: TreeRow? { rows.indices.contains(cursor) ? rows[cursor] : nil }

    public var selectedEntry: CodeEntry? {
        if case .code(_, _, let r)? = selectedRow { return data.catalog.entry(Int(r)) }
        return nil
    }

    public var matchCount: Int? { filterMatches?.count }

    static func domainKey(_ s: Int, _ d: Int) -> Int { s << 20 | d }

    /// Recomputes the visible rows from the tree, the expansion state and the filter.
    mutating func rebuildRows() {
        let tree = data.tree
        var out = TreeRows()
        if let matches = filterMatches {
            // Matches under their system and domain: one pass over the tree with a bitset
            // (linear in the catalog, no per-match hashing).
            var mark = [Bool](repeating: false, count: data.catalog.codeCount)
            for r in matches { mark[Int(r)] = true }
            out.reserveCapacity(matches.count + 64)
            for (si, sys) in tree.systems.enumerated() {
                var systemShown = false
                for (di, dom) in sys.domains.enumerated() {
                    var domainShown = false
                    for r in dom.rows where mark[Int(r)] {
                        if !systemShown { out.append(.system(si)); systemShown = true }
                        if !domainShown { out.append(.domain(si, di)); domainShown = true }
                        out.append(.code(si, di, r))
                    }
                }
            }
        } else {
            out.reserveCapacity(tree.systems.count * 8)
            for (si, sys) in tree.systems.enumerated() {
                out.append(.system(si))
                guard expandedSystems.contains(si) else { continue }
                for (di, dom) in sys.domains.enumerated() {
                    out.append(.domain(si, di))
                    guard expandedDomains.contains(Self.domainKey(si, di)) else { continue }
                    for r in dom.rows { out.append(.code(si, di, r)) }
                }
            }
        }
        rows = out
        cursor = min(max(0, cursor), max(0, rows.count - 1))
    }

    /// Selects `target` if it is visible.
    mutating func select(_ target: TreeRow) {
        if let i = rows.firstIndex(of: target) { cursor = i }
    }

    /// Opens the tree down to a code and selects it.
    mutating func reveal(row: Int) {
        let (s, d) = data.tree.location(of: row)
        if filterMatches != nil, !(filterMatches!.contains(Int32(row))) { clearFilter() }
        expandedSystems.insert(s)
        expandedDomains.insert(Self.domainKey(s, d))
        rebuildRows()
        select(.code(s, d, Int32(row)))
    }

    mutating func applyFilter(_ text: String) {
        filterText = text
        if text.allSatisfy { $0 == " " } {
            filterMatches = nil
            filterHistory = []
        } else if let last = filterHistory.last, text.hasPrefix(last.0) {
            // Narrowing: only the previous matches can still match.
            let m = data.filter.matches(text, within: last.1)
            filterHistory.append((text, m))
            filterMatches = m
        } else {
            while let last = filterHistory.last, !text.hasPrefix(last.0) { filterHistory.removeLast() }
            if let last = filterHistory.last, last.0 == text {
                filterMatches = last.1
            } else {
                let m = data.filter.matches(text, within: filterHistory.last?.1)
                filterHistory.append((text, m))
                filterMatches = m
            }
        }
        let keep = selectedRow
        rebuildRows()
        if let k = keep, let i = rows.firstIndex(of: k) { cursor = i } else { cursor = firstCodeRow() ?? 0 }
    }

    mutating func clearFilter() {
        let keep = selectedRow
        filterText = ""
        filterMatches = nil
        filterHistory = []
        if case .code(let s, let d, _)? = keep {
            expandedSystems.insert(s)
            expandedDomains.insert(Self.domainKey(s, d))
        }
        rebuildRows()
        if let k = keep { select(k) }
    }

    func firstCodeRow(from start: Int = 0, step: Int = 1) -> Int? {
        var i = start
        while i >= 0 && i < rows.count {
            if case .code = rows[i] { return i }
            i += step
        }
        return nil
    }
}

/// A visible row of the tree.
public enum TreeRow: Hashable, Sendable {
    case system(Int)
    case domain(Int, Int)
    case code(Int, Int, Int32)

    /// kind (2 bits) | system (10) | domain (20) | catalog row (32).
    var packed: UInt64 {
        switch self {
        case .system(let s): return UInt64(s & 0x3FF) << 52
        case .domain(let s, let d): return 1 << 62 | UInt64(s & 0x3FF) << 52 | UInt64(d & 0xF_FFFF) << 32
        case .code(let s, let d, let r): return 2 << 62 | UInt64(s & 0x3FF) << 52 | UInt64(d & 0xF_FFFF) << 32 | UInt64(UInt32(bitPattern: r))
        }
    }

    init(packed p: UInt64) {
        let s = Int(p >> 52 & 0x3FF), d = Int(p >> 32 & 0xF_FFFF)
        switch p >> 62 {
        case 0: self = .system(s)
        case 1: self = .domain(s, d)
        default: self = .code(s, d, Int32(bitPattern: UInt32(truncatingIfNeeded: p)))
        }
    }
}

/// The visible rows, 8 bytes each: a filter that matches a million codes lists a million rows,
/// and as an array of `TreeRow` (24 bytes, with a tag to compare) building and searching them
/// was most of a keystroke.
public struct TreeRows: RandomAccessCollection, Equatable, Sendable {
    var packed: [UInt64] = []

    public var startIndex: Int { 0 }
    public var endIndex: Int { packed.count }
    public subscript(i: Int) -> TreeRow { TreeRow(packed: packed[i]) }

    mutating func append(_ row: TreeRow) { packed.append(row.packed) }
    mutating func reserveCapacity(_ n: Int) { packed.reserveCapacity(n) }

    /// Compares packed words, without decoding each row.
    public func firstIndex(of row: TreeRow) -> Int? {
        let p = row.packed
        return packed.withUnsafeBufferPointer { b in b.firstIndex(of: p) }
    }
}
