import Foundation

/// A problem found while loading or linting a catalog, with where it is.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String

    public init(file: String, line: Int, column: Int, severity: Severity, message: String) {
        self.file = file; self.line = line; self.column = column; self.severity = severity; self.message = message
    }
    public var description: String { "\(file):\(line):\(column): \(severity.rawValue): \(message)" }
}

public struct SourcePage: Sendable, Equatable {
    public var id: String
    public var title: String
    public var ref: String
}

public struct CodeConvention: Sendable, Equatable {
    public var pattern: String?
    public var description: String?
    /// When set, a code's domain is the text before the first separator.
    public var domainSeparator: String?
}

public struct DomainInfo: Sendable, Equatable {
    public var id: String
    public var title: String?
    public var section: String?
    public var summary: String?
}

public struct HeaderDoc: Sendable, Equatable {
    public var name: String
    public var meaning: String
}

/// Which variant of a mapping to show: what the page says, or what the real service does.
public enum MappingVariant: String, Sendable, CaseIterable { case documented, observed }

/// An HTTP status matcher: one status, a class such as `5xx`, or `>=500` (how the SDKs test:
/// `status >= 500` is true for a non-standard 999 too).
public enum HTTPMatcher: Sendable, Equatable, CustomStringConvertible {
    case status(Int)
    case range(Int)  // hundreds digit
    case atLeast(Int)

    public func matches(_ status: Int?) -> Bool {
        guard let s = status else { return false }
        switch self {
        case .status(let x): return s == x
        case .range(let h): return s / 100 == h
        case .atLeast(let x): return s >= x
        }
    }
    public var description: String {
        switch self {
        case .status(let s): return String(s)
        case .range(let h): return "\(h)xx"
        case .atLeast(let x): return ">=\(x)"
        }
    }
    static func parse(_ text: String) -> HTTPMatcher? {
        let t = text.lowercased()
        if t.hasPrefix(">="), let s = Int(t.dropFirst(2).trimmingCharacters(in: .whitespaces)), (100...599).contains(s) { return .atLeast(s) }
        if t.count == 3, t.hasSuffix("xx"), let h = Int(t.prefix(1)), (1...5).contains(h) { return .range(h) }
        if let s = Int(t), (100...599).contains(s) { return .status(s) }
        return nil
    }
}

public struct RuleMatch: Sendable, Equatable {
    public var http: [HTTPMatcher] = []
    public var domains: [String] = []
    public var codes: [String] = []
    public var otherwise = false
}

/// How a system's error goes out in one envelope; applied in order, later rules win.
public struct MappingRule: Sendable, Equatable {
    public var match: RuleMatch
    /// nil: both variants.
    public var variant: MappingVariant?
    public var set: JSONObject
    public var sanitize: String?
    public var envelope: String?
    public var note: String?
}

/// One envelope a system emits, where, and the rules that fill it.
public struct Emission: Sendable, Equatable {
    public var envelope: String
    public var paths: [String]
    public var carriesCode: Bool
    public var rules: [MappingRule]
    /// Only some errors go out in this envelope (a gateway's own shape, a validation shape):
    /// decoding expects it, rendering does not put every code in it.
    public var decodeOnly = false

    /// Whether `path` is one of this emission's endpoint paths (`*` matches the rest).
    public func matches(path: String) -> Bool {
        paths.contains { pattern in PathPattern.matches(pattern, path) }
    }
}

enum PathPattern {
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let p = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        if pattern.hasSuffix("*") {
            let prefix = pattern.dropLast()
            return p.hasPrefix(prefix) || (prefix.hasSuffix("/") && p == String(prefix.dropLast()))
        }
        return p == pattern
    }
    /// Longer literal prefixes are more specific.
    static func specificity(_ pattern: String) -> Int { pattern.hasSuffix("*") ? pattern.count - 1 : pattern.count + 1000 }
}

public struct RetryRule: Sendable, Equatable {
    public var match: RuleMatch
    public var retry: Retryability
    public var reason: String
}

/// A system: one API or gateway whose errors a catalog describes.
public struct SystemInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var summary: String?
    public var sources: [SourcePage] = []
    public var convention: CodeConvention?
    public var defaultEnvelope: String?
    public var emits: [Emission] = []
    public var retryRules: [RetryRule] = []
    public var headers: [HeaderDoc] = []
    public var rateLimit: String?
    public var notes: [Note] = []
    public var domains: [DomainInfo] = []
    /// Rules that refine a code by its message (data, with sources).
    public var messageRules: [MessageRule] = []
    /// Signs that a response came from this system.
    public var fingerprints: [Fingerprint] = []
    /// Files that defined or extended it.
    public var files: [String] = []

    public func emission(for envelope: String) -> Emission? { emits.first { $0.envelope == envelope } }

    /// The emission whose paths match `path`, most specific pattern first.
    public func emission(forPath path: String) -> Emission? {
        var best: (Emission, Int)?
        for e in emits {
            for p in e.paths where PathPattern.matches(p, path) {
                let s = PathPattern.specificity(p)
                if best == nil || s > best!.1 { best = (e, s) }
            }
        }
        return best?.0
    }
}

/// A read-only view of one code in a catalog.
public struct CodeEntry: Sendable, Hashable {
    let store: CodeStore
    public let row: Int
    let systemIDs: [String]

    public static func == (a: CodeEntry, b: CodeEntry) -> Bool { a.row == b.row && a.store === b.store }
    public func hash(into h: inout Hasher) { h.combine(row) }

    public var system: String { systemIDs[Int(store.system[row])] }
    public var domain: String { store.string(store.domain[row]) }
    public var code: String { store.string(store.code[row]) }
    public var http: HTTPStatusSpec { store.httpSpec(row) }
    public var meaning: String { store.string(store.meaning[row]) }
    public var when: String? { store.optionalString(store.when[row]) }
    public var cause: String? { store.optionalString(store.cause[row]) }
    public var fix: String? { store.optionalString(store.fix[row]) }
    public var retry: Retryability? { Retryability(code: store.retry[row]) }
    /// The cross-provider category; derived from the HTTP status when the entry gives none.
    public var category: ErrorCategory? { ErrorCategory(code: store.category[row] & 0x7F) }
    /// True when the category came from the HTTP status rather than the entry.
    public var categoryIsDerived: Bool { store.category[row] & CodeStore.derivedRetryBit != 0 }
    /// True when the retry class came from a system rule rather than the code itself.
    public var retryIsDerived: Bool { store.retry[row] & CodeStore.derivedRetryBit != 0 }
    public var retryReason: String? { store.optionalString(store.retryReason[row]) }
    public var source: String? {
        let r = store.source[row]
        if !r.isEmpty { return store.string(r) }
        let s = Int(store.system[row])
        return s < store.defaultSource.count ? store.optionalString(store.defaultSource[s]) : nil
    }
    public var type: String? { store.optionalString(store.type[row]) }
    public var grpc: String? { store.optionalString(store.grpc[row]) }
    public var example: String? { store.optionalString(store.example[row]) }
    public var isWildcard: Bool { store.flags[row] & CodeStore.wildcardFlag != 0 }
    public var fields: [String] { store.extras[Int32(row)]?.fields ?? [] }
    public var aliases: [String] { store.extras[Int32(row)]?.aliases ?? [] }
    public var notes: [Note] { store.extras[Int32(row)]?.notes ?? [] }
    public var parent: String? { store.extras[Int32(row)]?.parent }
    public var grpcNumber: Int? { store.extras[Int32(row)]?.grpcNumber }
    public var location: (file: String, line: Int, column: Int) { store.location(row) }

    /// Identity: (system, domain, code).
    public var id: String { "\(system)/\(domain)/\(code)" }

    /// The fixed part of a wildcard (`inference_error-*` -> `inference_error-`).
    public var wildcardPrefix: String? { isWildcard ? String(code.dropLast()) : nil }

    /// Whether `text` is this code, or falls under it when it is a wildcard.
    public func covers(_ text: String) -> Bool {
        if let p = wildcardPrefix { return text.hasPrefix(p) && text.count > p.count }
        return text == code
    }
}

/// Everything errscope knows: systems, envelopes and codes, plus what went wrong loading them.
public struct Catalog: Sendable {
    public internal(set) var systems: [SystemInfo]
    public internal(set) var envelopes: [EnvelopeDefinition]
    public internal(set) var diagnostics: [Diagnostic]
    /// Categories, global message rules, retry-delay sources and SDK rules.
    public internal(set) var traffic = TrafficRules()
    let store: CodeStore
    let index: CodeIndex

    public var codeCount: Int { store.count }

    public func system(_ id: String) -> SystemInfo? { systems.first { $0.id == id } }
    public func envelope(_ id: String) -> EnvelopeDefinition? { envelopes.first { $0.id == id } }

    public func entry(_ row: Int) -> CodeEntry { CodeEntry(store: store, row: row, systemIDs: systemIDs) }
    var systemIDs: [String] { index.systemIDs }

    /// All codes in catalog order.
    public var entries: [CodeEntry] { (0..<store.count).map(entry) }

    /// Codes of one system, in catalog order.
    public func entries(system id: String) -> [CodeEntry] {
        guard let s = index.systemIDs.firstIndex(of: id) else { return [] }
        return (0..<store.count).lazy.filter { Int(self.store.system[$0]) == s }.map(entry)
    }

    /// Rows whose code string equals `code` exactly (case-sensitive), in catalog order.
    public func rows(code: String, caseInsensitive: Bool = false) -> [Int] {
        index.rows(code: code, caseInsensitive: caseInsensitive, store: store)
    }

    /// The most specific entry covering `code` in `system` (exact first, then the longest wildcard).
    public func resolve(code: String, system: String? = nil) -> [CodeEntry] {
        var exact = rows(code: code).map(entry)
        if let s = system { exact = exact.filter { $0.system == s } }
        if !exact.isEmpty { return exact }
        var wild = index.wildcardRows.map(entry).filter { $0.covers(code) }
        if let s = system { wild = wild.filter { $0.system == s } }
        return wild.sorted { ($0.wildcardPrefix?.count ?? 0) > ($1.wildcardPrefix?.count ?? 0) }
    }

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}

/// Hash indexes over the store, built once at load.
struct CodeIndex: Sendable {
    var systemIDs: [String]
    /// Rows by the hash of their lowercased code, each chain in row order.
    var byCode: RowChains
    var wildcardRows: [Int]
    var aliasRows: [String: [Int]]

    init(store: CodeStore, systemIDs: [String]) {
        self.systemIDs = systemIDs
        byCode = RowChains(count: store.count)
        wildcardRows = []
        aliasRows = [:]
        for row in stride(from: store.count - 1, through: 0, by: -1) {
            byCode.push(row, hash: wordHashLower(store.pointer(store.code[row])))
            if store.flags[row] & CodeStore.wildcardFlag != 0 { wildcardRows.append(row) }
        }
        wildcardRows.reverse()
        for (row, ex) in store.extras where !ex.aliases.isEmpty {
            for a in ex.aliases { aliasRows[a.lowercased(), default: []].append(Int(row)) }
        }
    }

    func rows(code: String, caseInsensitive: Bool, store: CodeStore) -> [Int] {
        var code = code
        return code.withUTF8 { q in
            var out: [Int] = []
            var r = byCode.first(wordHashLower(q))
            while r >= 0 {
                let row = Int(r)
                let ok = store.withBytes(store.code[row]) { b -> Bool in
                    guard b.count == q.count else { return false }
                    if caseInsensitive { return zip(b, q).allSatisfy { asciiLower($0) == asciiLower($1) } }
                    return b.elementsEqual(q)
                }
                if ok { out.append(row) }
                r = byCode.next(row)
            }
            return out
        }
    }

    /// Rows for a code given as raw bytes (the decoder's hot path).
    func rows(bytes q: UnsafeBufferPointer<UInt8>, store: CodeStore, into out: inout [Int]) {
        var r = byCode.first(wordHashLower(q))
        while r >= 0 {
            if store.equals(store.code[Int(r)], q) { out.append(Int(r)) }
            r = byCode.next(Int(r))
        }
    }
}

/// Rows chained by a hash in two flat arrays (no per-entry allocation, no rehashing): a bucket
/// holds the first row of its chain, `next` the row after each. Chains may mix hashes that
/// share a bucket, so readers compare the rows themselves.
struct RowChains: Sendable {
    private var buckets: [Int32]
    private var links: [Int32]
    private let mask: UInt64

    init(count: Int) {
        var size = 16
        while size < count * 2 { size <<= 1 }
        buckets = Array(repeating: -1, count: size)
        links = Array(repeating: -1, count: count)
        mask = UInt64(size - 1)
    }

    /// Puts `row` at the head of its chain (push rows in descending order for chains in row order).
    @inline(__always)
    mutating func push(_ row: Int, hash: UInt64) {
        let b = Int(hash & mask)
        links[row] = buckets[b]
        buckets[b] = Int32(row)
    }

    /// The first row of the chain for `hash`, or -1.
    @inline(__always)
    func first(_ hash: UInt64) -> Int32 { buckets[Int(hash & mask)] }

    /// The row after `row` in its chain, or -1.
    @inline(__always)
    func next(_ row: Int) -> Int32 { links[row] }
}
