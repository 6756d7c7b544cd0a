import Foundation

/// The browser's incremental filter. A query is space-separated terms, all of which must match
/// a code. A term matches when it is:
///  - a subsequence of the code (fuzzy, like fzf: `alias nf` finds `…alias_not_found`);
///  - a substring of the domain or the meaning;
///  - a prefix of the code's HTTP status (`404`, `5`), of its type or gRPC status, or of a type or
///    status the system's mapping rules give that HTTP status (`not_found_error`, `NOT_FOUND`);
///  - a prefix of its category (`context_length`, `quota`).
/// Matching is ASCII case-insensitive and reads the store's bytes in place. Every rule is
/// monotone (a longer term matches fewer codes), so typing narrows the previous result.
public final class CodeFilter: Sendable {
    public let catalog: Catalog
    /// Per system slot: HTTP status -> lowercased types/statuses its rules give it.
    let ruleTags: [[Int: [String]]]

    public init(catalog: Catalog) {
        self.catalog = catalog
        ruleTags = catalog.systems.map { sys in
            var tags: [Int: Set<String>] = [:]
            for em in sys.emits {
                for rule in em.rules {
                    let values = ["type", "status"].compactMap { rule.set[$0]?.stringValue?.lowercased() }
                    guard !values.isEmpty else { continue }
                    for m in rule.match.http {
                        switch m {
                        case .status(let s): tags[s, default: []].formUnion(values)
                        case .range(let h): for s in (h * 100)..<(h * 100 + 100) { tags[s, default: []].formUnion(values) }
                        case .atLeast(let x): for s in x..<600 { tags[s, default: []].formUnion(values) }
                        }
                    }
                }
            }
            return tags.mapValues { Array($0) }
        }
    }

    public static func terms(_ query: String) -> [String] {
        query.lowercased().split(separator: " ").map(String.init)
    }

    struct CompiledTerm {
        let bytes: [UInt8]
        let isDigits: Bool
        /// (system slot, status) pairs whose rule tags start with the term.
        let tagStatuses: Set<Int>
        /// Bit n set: category code n starts with the term.
        let categories: UInt32
    }

    func compile(_ term: String) -> CompiledTerm {
        var statuses = Set<Int>()
        for (slot, tags) in ruleTags.enumerated() {
            for (status, values) in tags where values.contains(where: { $0.hasPrefix(term) }) { statuses.insert(slot << 10 | status) }
        }
        var cats: UInt32 = 0
        for c in ErrorCategory.allCases where c.rawValue.hasPrefix(term) { cats |= 1 << UInt32(c.code) }
        return CompiledTerm(bytes: Array(term.utf8), isDigits: !term.isEmpty && term.allSatisfy(\.isASCII) && term.allSatisfy(\.isNumber) && term.count <= 3,
                            tagStatuses: statuses, categories: cats)
    }

    /// Why `row` matches `query`, for showing it: the code's characters a fuzzy term matched
    /// (offsets in the code's characters, leftmost as fzf takes them) and, for every term that
    /// matched elsewhere, where (`meaning`, `domain`, `HTTP 404`, `category quota`, ...). A plain
    /// reading of the rules `matches` scans with; asked only for the rows on screen.
    public func explain(row: Int, query: String) -> (codeMatches: Set<Int>, reasons: [String]) {
        let e = catalog.entry(row)
        let code = Array(e.code.lowercased())
        var marks = Set<Int>()
        var reasons: [String] = []
        for term in Self.terms(query) {
            let t = Array(term)
            // Fuzzy in the code: the leftmost subsequence.
            var at = 0, hit: [Int] = []
            for ch in t {
                while at < code.count, code[at] != ch { at += 1 }
                guard at < code.count else { break }
                hit.append(at)
                at += 1
            }
            if hit.count == t.count && !t.isEmpty { marks.formUnion(hit); continue }
            let isDigits = !term.isEmpty && term.count <= 3 && term.allSatisfy { $0.isASCII && $0.isNumber }
            if isDigits, let h = e.http.statuses.first(where: { String($0).hasPrefix(term) }) { reasons.append("HTTP \(h)"); continue }
            if let c = e.category, c.rawValue.hasPrefix(term) { reasons.append("category \(c.rawValue)"); continue }
            if e.domain.lowercased().contains(term) { reasons.append("domain"); continue }
            if e.meaning.lowercased().contains(term) { reasons.append("meaning"); continue }
            if let ty = e.type, ty.lowercased().hasPrefix(term) { reasons.append("type \(ty)"); continue }
            if let g = e.grpc, g.lowercased().hasPrefix(term) { reasons.append("gRPC \(g)"); continue }
            if let slot = catalog.systemIDs.firstIndex(of: e.system), slot < ruleTags.count {
                let tags = e.http.statuses.flatMap { ruleTags[slot][$0] ?? [] }
                if let tag = tags.sorted().first(where: { $0.hasPrefix(term) }) { reasons.append("sent as \(tag)"); continue }
            }
        }
        return (marks, reasons)
    }

    /// Rows matching `query`, in catalog order; only rows in `within` are considered when given.
    public func matches(_ query: String, within: [Int32]? = nil, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int32] {
        let terms = Self.terms(query).map(compile)
        let store = catalog.store
        if terms.isEmpty { return within ?? (0..<Int32(store.count)).map { $0 } }
        let total = within?.count ?? store.count
        if total == 0 { return [] }
        let parts = max(1, min(threads, total / 20_000))
        // One allocation for every part: part p writes its matches from the start of its own
        // range (it cannot have more matches than rows), then the parts are moved together.
        var kept = 0
        let all = [Int32](unsafeUninitializedCapacity: total) { buffer, count in
            nonisolated(unsafe) let out = buffer.baseAddress!
            var counts = [Int](repeating: 0, count: parts)
            if parts == 1 {
                counts[0] = scan(terms, within: within, range: 0..<total, into: out)
            } else {
                counts.withUnsafeMutableBufferPointer { found in
                    nonisolated(unsafe) let found = found
                    DispatchQueue.concurrentPerform(iterations: parts) { p in
                        let lo = total * p / parts
                        found[p] = scan(terms, within: within, range: lo..<(total * (p + 1) / parts), into: out + lo)
                    }
                }
            }
            var n = counts[0]
            for p in 1..<parts {
                let lo = total * p / parts
                if lo != n { memmove(out + n, out + lo, counts[p] * MemoryLayout<Int32>.stride) }
                n += counts[p]
            }
            count = n
            kept = n
        }
        // A narrow result should not hold on to room for every row (the browser keeps one
        // result per typed character). `Array(all)` would share the buffer: copy explicitly.
        guard kept < total / 4 else { return all }
        // Not `Array(unsafeUninitializedCapacity: 0)`: it writes the count into the shared empty
        // array singleton, a data race ThreadSanitizer reports when two filters end empty at once.
        if kept == 0 { return [] }
        return [Int32](unsafeUninitializedCapacity: kept) { buffer, count in
            all.withUnsafeBufferPointer { _ = buffer.initialize(fromContentsOf: $0) }
            count = kept
        }
    }

    /// A term in raw form for the scan loop: no reference-counted fields, so reading it per row
    /// costs no retain/release.
    struct RawTerm {
        var needle: UnsafeBufferPointer<UInt8>
        var digits: (UInt8, UInt8, UInt8, Int)  // up to 3 digits and their count; count 0 = not digits
        /// Bit (slot << 10 | status) set when a mapping rule's type/status starts with the term.
        var tagBits: UnsafeMutableBufferPointer<UInt64>?
        var categories: UInt32
    }

    /// Writes the rows of `range` that match every term to `out`, in order; returns how many.
    private func scan(_ terms: [CompiledTerm], within: [Int32]?, range: Range<Int>, into out: UnsafeMutablePointer<Int32>) -> Int {
        let store = catalog.store
        // Raw terms, freed at the end.
        var raw: [RawTerm] = []
        for t in terms {
            let n = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, t.bytes.count))
            _ = n.initialize(from: t.bytes)
            var d: (UInt8, UInt8, UInt8, Int) = (0, 0, 0, 0)
            if t.isDigits {
                let b = t.bytes
                d = (b[0], b.count > 1 ? b[1] : 0, b.count > 2 ? b[2] : 0, b.count)
            }
            var bits: UnsafeMutableBufferPointer<UInt64>?
            if !t.tagStatuses.isEmpty {
                let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: (64 << 10) / 64)
                words.initialize(repeating: 0)
                for k in t.tagStatuses where k >= 0 && k < (64 << 10) { words[k >> 6] |= 1 << UInt64(k & 63) }
                bits = words
            }
            raw.append(RawTerm(needle: UnsafeBufferPointer(rebasing: n[0..<t.bytes.count]), digits: d, tagBits: bits, categories: t.categories))
        }
        defer {
            for r in raw {
                UnsafeMutableRawPointer(mutating: r.needle.baseAddress)?.deallocate()
                r.tagBits?.deallocate()
            }
        }
        let bases = store.frozenBases
        var found = 0
        let rowsGiven = within != nil
        let within = within ?? []
        within.withUnsafeBufferPointer { withinPtr in
        raw.withUnsafeBufferPointer { terms in
        bases.withUnsafeBufferPointer { bases in
        store.code.withUnsafeBufferPointer { code in
        store.domain.withUnsafeBufferPointer { domain in
        store.meaning.withUnsafeBufferPointer { meaning in
        (store.type.dense ?? []).withUnsafeBufferPointer { type in
        (store.grpc.dense ?? []).withUnsafeBufferPointer { grpc in
        store.http.withUnsafeBufferPointer { http in
        store.system.withUnsafeBufferPointer { system in
        store.category.withUnsafeBufferPointer { category in
            @inline(__always) func bytes(_ r: TextRef) -> UnsafeBufferPointer<UInt8> {
                guard r.length > 0, let b = bases[r.buffer] else { return UnsafeBufferPointer(start: nil, count: 0) }
                return UnsafeBufferPointer(start: b + r.offset, count: r.length)
            }
            for i in range {
                let row = rowsGiven ? Int(withinPtr[i]) : i
                let h = Int(http[row])
                var all = true
                for k in 0..<terms.count {
                    let t = terms[k]
                    if t.digits.3 > 0 {
                        if h > 0 && Self.statusHasPrefix(h, t.digits) { continue }
                        if h < 0, let alts = store.extras[Int32(row)]?.httpAlternatives,
                            alts.contains(where: { Self.statusHasPrefix($0, t.digits) }) { continue }
                    }
                    if t.categories != 0, t.categories & (1 << UInt32(category[row] & 0x7F)) != 0 { continue }
                    if h > 0, let bits = t.tagBits {
                        let key = Int(system[row]) << 10 | h
                        if key < (64 << 10), bits[key >> 6] & (1 << UInt64(key & 63)) != 0 { continue }
                    }
                    let n = t.needle
                    if Self.subsequence(n, bytes(code[row])) || Self.contains(bytes(domain[row]), n)
                        || Self.contains(bytes(meaning[row]), n)
                        || (!type.isEmpty && Self.hasPrefix(bytes(type[row]), n))
                        || (!grpc.isEmpty && Self.hasPrefix(bytes(grpc[row]), n))
                    {
                        continue
                    }
                    all = false
                    break
                }
                if all {
                    out[found] = Int32(row)
                    found += 1
                }
            }
        }}}}}}}}}}}
        return found
    }

    @inline(__always)
    static func statusHasPrefix(_ status: Int, _ d: (UInt8, UInt8, UInt8, Int)) -> Bool {
        if UInt8(48 + status / 100) != d.0 { return false }
        if d.3 > 1 && UInt8(48 + status / 10 % 10) != d.1 { return false }
        if d.3 > 2 && UInt8(48 + status % 10) != d.2 { return false }
        return true
    }

    // The search helpers below read the haystack 8 bytes at a time and may read up to 8 bytes
    // past its end: they are only given texts in a frozen `CodeStore`, whose arenas keep
    // `CodeStore.scanSlack` readable bytes after the last text. Without tail loops, a short
    // field costs one or two word loads.

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The bits to OR into a word so that a lowercase letter matches both of its cases (any
    /// other byte matches only itself).
    @inline(__always)
    static func fold(_ b: UInt8) -> UInt64 { b >= 0x61 && b <= 0x7A ? 0x2020_2020_2020_2020 : 0 }

    @inline(__always)
    static func word(_ p: UnsafePointer<UInt8>) -> UInt64 { UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) }

    /// A flag in the high bit of each zero byte of `x`. Every zero byte is flagged; the lowest
    /// flag is always a zero byte, higher ones may be false (a 0x01 byte after a zero byte).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }

    /// The first index at or after `start`, below `end`, of the byte `b` (lowercase), ASCII
    /// case-insensitively.
    @inline(__always)
    static func firstIndex(of b: UInt8, in h: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        let f = fold(b), pattern = UInt64(b) &* ones
        var i = start
        while i < end {
            let z = zeroBytes((word(h + i) | f) ^ pattern)
            if z != 0 {
                let at = i + z.trailingZeroBitCount >> 3
                return at < end ? at : nil
            }
            i += 8
        }
        return nil
    }

    /// Whether the bytes of `needle` (lowercased) occur in `hay` in order (fzf-style fuzzy).
    @inline(__always)
    static func subsequence(_ needle: UnsafeBufferPointer<UInt8>, _ hay: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = needle.count, m = hay.count
        if n == 0 { return true }
        guard n <= m, let h = hay.baseAddress else { return false }
        var p = 0
        for j in 0..<n {
            guard let at = firstIndex(of: needle[j], in: h, from: p, to: m) else { return false }
            p = at + 1
        }
        return true
    }

    /// Whether `needle` (lowercased) occurs in `hay`, ASCII case-insensitively. Candidates are
    /// positions where the needle's first two bytes both match, found 8 positions at a time.
    @inline(__always)
    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = needle.count, m = hay.count
        if n == 0 { return true }
        guard n <= m, let h = hay.baseAddress else { return false }
        let candidates = m - n + 1
        if n == 1 { return firstIndex(of: needle[0], in: h, from: 0, to: candidates) != nil }
        let b0 = needle[0], b1 = needle[1]
        let f0 = fold(b0), p0 = UInt64(b0) &* ones, f1 = fold(b1), p1 = UInt64(b1) &* ones
        var i = 0
        while i < candidates {
            var z = zeroBytes(((word(h + i) | f0) ^ p0) | ((word(h + i + 1) | f1) ^ p1))
            while z != 0 {
                let at = i + z.trailingZeroBitCount >> 3
                if at >= candidates { return false }
                // All n bytes: a flag above the lowest may be false.
                var k = 0
                while k < n && asciiLower(h[at + k]) == needle[k] { k += 1 }
                if k == n { return true }
                z &= z &- 1
            }
            i += 8
        }
        return false
    }

    @inline(__always)
    static func hasPrefix(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hay.count >= needle.count, needle.count > 0 else { return false }
        for k in 0..<needle.count where asciiLower(hay[k]) != needle[k] { return false }
        return true
    }
}
