import Foundation

/// How safe it is to send the same request again.
public enum Retryability: String, Sendable, CaseIterable, Codable {
    case yes, no, sometimes, once

    init?(code: UInt8) {
        switch code & 0x7F {
        case 1: self = .yes
        case 2: self = .no
        case 3: self = .sometimes
        case 4: self = .once
        default: return nil
        }
    }
    var code: UInt8 {
        switch self {
        case .yes: return 1
        case .no: return 2
        case .sometimes: return 3
        case .once: return 4
        }
    }
}

/// A code's HTTP status as the source gives it.
public enum HTTPStatusSpec: Sendable, Equatable, CustomStringConvertible {
    case status(Int)
    /// The source lists several (e.g. DevSphere's `403/409`).
    case alternatives([Int])
    /// The source gives none; errscope never guesses.
    case unknown

    public var statuses: [Int] {
        switch self {
        case .status(let s): return [s]
        case .alternatives(let a): return a
        case .unknown: return []
        }
    }
    public var primary: Int? { statuses.first }
    public var description: String {
        switch self {
        case .status(let s): return String(s)
        case .alternatives(let a): return a.map(String.init).joined(separator: "/")
        case .unknown: return "unknown"
        }
    }
}

/// A documented-versus-observed annotation.
public struct Note: Sendable, Equatable {
    public enum Kind: String, Sendable { case documented, observed, ambiguity, note }
    public var kind: Kind
    public var text: String
    public init(kind: Kind, text: String) { self.kind = kind; self.text = text }
}

/// A reference to UTF-8 text held by a `CodeStore` (12-bit buffer, 32-bit offset, 20-bit length).
public struct TextRef: Hashable, Sendable {
    var raw: UInt64
    static let empty = TextRef(raw: 0)
    init(raw: UInt64) { self.raw = raw }
    init(buffer: Int, offset: Int, length: Int) {
        raw = UInt64(buffer) << 52 | UInt64(offset) << 20 | UInt64(length)
    }
    var buffer: Int { Int(raw >> 52) }
    var offset: Int { Int((raw >> 20) & 0xFFFF_FFFF) }
    var length: Int { Int(raw & 0xF_FFFF) }
    var isEmpty: Bool { length == 0 }
}

/// Rarely used per-code data, kept out of the columns.
struct CodeExtras: Sendable {
    var httpAlternatives: [Int] = []
    var fields: [String] = []
    var aliases: [String] = []
    var notes: [Note] = []
    var parent: String?
    var grpcNumber: Int?
}

/// Which arena a string goes to. The filter scans codes, domains and meanings for every row:
/// each in its own arena, a scan reads dense memory instead of one cache line (and, every few
/// rows, one page) per row.
public enum TextColumn: Int, CaseIterable, Sendable {
    case code, domain, meaning, other
}

/// All codes of a catalog in columns. Text lives in a few arenas of UTF-8 bytes (one per
/// `TextColumn`), copied out of the catalog files while they are parsed; only a large JSON
/// file's detail texts stay in the file (`DeferredFile`). A 100,000-code JSON catalog of 37 MB
/// costs ~10 MB of text plus ~70 bytes a code.
// @unchecked Sendable: its buffers are written only while the loader builds it, on one thread; once a `Catalog` owns it, it is read-only (texts left in the file are read with pread, which shares no state).
public final class CodeStore: @unchecked Sendable {
    /// One growable byte buffer (malloc'd: it grows and, at `freeze`, shrinks with realloc,
    /// which moves pages rather than copying them).
    struct Arena {
        var base: UnsafeMutablePointer<UInt8>?
        var count = 0
        var capacity = 0

        mutating func reserve(_ n: Int) {
            guard count + n > capacity else { return }
            let cap = count + n
            guard let p = realloc(base, cap) else { fatalError("out of memory for \(cap) bytes of catalog text") }
            base = p.assumingMemoryBound(to: UInt8.self)
            capacity = cap
        }

        /// Trims to the text plus `CodeStore.scanSlack` zeroed bytes: the filter reads 8 bytes
        /// at a time and may read up to 8 bytes past a text's end.
        mutating func shrink() {
            guard let b = base else { return }
            let size = count + CodeStore.scanSlack
            if size > capacity {
                guard let p = realloc(b, size) else { fatalError("out of memory for \(size) bytes of catalog text") }
                base = p.assumingMemoryBound(to: UInt8.self)
                capacity = size
            } else if size < capacity, let p = realloc(b, size) {
                base = p.assumingMemoryBound(to: UInt8.self)
                capacity = size
            }
            (base! + count).initialize(repeating: 0, count: CodeStore.scanSlack)
        }
    }

    /// Readable bytes after the end of each frozen arena (see `Arena.shrink`).
    static let scanSlack = 8

    private var arenas = [Arena](repeating: Arena(), count: TextColumn.allCases.count)
    private(set) var isFrozen = false

    deinit { for a in arenas { free(a.base) } }

    /// Ends loading: the arenas are trimmed to size and never move again, so readers may hold
    /// their addresses.
    func freeze() {
        guard !isFrozen else { return }
        isFrozen = true
        for k in arenas.indices { arenas[k].shrink() }
    }

    /// Each arena's base address once frozen (nil while loading, when they may still move),
    /// indexed by `TextRef.buffer`.
    var frozenBases: [UnsafePointer<UInt8>?] {
        isFrozen ? arenas.map { $0.base.map { UnsafePointer($0) } } : arenas.map { _ in nil }
    }

    /// Makes room for `n` more bytes in an arena up front. Pages not yet written cost no memory.
    func reserveText(_ n: Int, in column: TextColumn) { arenas[column.rawValue].reserve(n) }

    /// Where the next text of each arena goes; `truncateText(to:)` rolls back to it.
    struct TextMark { fileprivate var counts: (Int, Int, Int, Int) }
    var textMark: TextMark { TextMark(counts: (arenas[0].count, arenas[1].count, arenas[2].count, arenas[3].count)) }
    func truncateText(to mark: TextMark) {
        arenas[0].count = min(arenas[0].count, mark.counts.0)
        arenas[1].count = min(arenas[1].count, mark.counts.1)
        arenas[2].count = min(arenas[2].count, mark.counts.2)
        arenas[3].count = min(arenas[3].count, mark.counts.3)
    }

    /// The bytes of `ref` (during loading, valid until the next append); empty for text left in
    /// a file (only the columns nothing scans are left there).
    @inline(__always)
    func pointer(_ ref: TextRef) -> UnsafeBufferPointer<UInt8> {
        guard ref.length > 0, ref.buffer < arenas.count, let base = arenas[ref.buffer].base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base + ref.offset, count: ref.length)
    }

    var fileNames: [String] = []

    @exclusivity(unchecked) var system: [UInt16] = []
    @exclusivity(unchecked) var domain: [TextRef] = []
    @exclusivity(unchecked) var code: [TextRef] = []
    @exclusivity(unchecked) var meaning: [TextRef] = []
    @exclusivity(unchecked) var when: [TextRef] = []
    @exclusivity(unchecked) var cause: [TextRef] = []
    @exclusivity(unchecked) var fix: [TextRef] = []
    @exclusivity(unchecked) var retryReason: [TextRef] = []
    /// Empty: the system's first source (`defaultSource`).
    @exclusivity(unchecked) var source = SparseColumn()
    @exclusivity(unchecked) var type = SparseColumn()
    @exclusivity(unchecked) var grpc = SparseColumn()
    @exclusivity(unchecked) var example = SparseColumn()
    /// Per system slot: the source a code without one cites.
    var defaultSource: [TextRef] = []
    /// > 0: the status; 0: unknown; -1: alternatives in extras.
    @exclusivity(unchecked) var http: [Int16] = []
    /// Retryability code; bit 7 set when it came from a system rule.
    @exclusivity(unchecked) var retry: [UInt8] = []
    /// ErrorCategory code; bit 7 set when derived from the HTTP status.
    @exclusivity(unchecked) var category: [UInt8] = []
    @exclusivity(unchecked) var flags: [UInt8] = []
    @exclusivity(unchecked) var file: [UInt16] = []
    /// 1-based line and column of the entry in its file.
    @exclusivity(unchecked) var line: [UInt32] = []
    @exclusivity(unchecked) var column: [UInt16] = []
    var extras: [Int32: CodeExtras] = [:]

    static let wildcardFlag: UInt8 = 1
    static let derivedRetryBit: UInt8 = 0x80

    public var count: Int { code.count }

    init() {}

    func reserve(_ n: Int) {
        for_each_column { $0.reserveCapacity(n) }
        system.reserveCapacity(n); http.reserveCapacity(n); retry.reserveCapacity(n); category.reserveCapacity(n)
        flags.reserveCapacity(n); file.reserveCapacity(n); line.reserveCapacity(n); column.reserveCapacity(n)
    }

    private func for_each_column(_ body: (inout [TextRef]) -> Void) {
        body(&domain); body(&code); body(&meaning); body(&when); body(&cause); body(&fix); body(&retryReason)
    }

    private func for_each_sparse(_ body: (inout SparseColumn) -> Void) {
        body(&source); body(&type); body(&grpc); body(&example)
    }

    // MARK: Text

    func intern(_ s: String, in column: TextColumn) -> TextRef {
        if s.isEmpty { return .empty }
        var s = s
        return s.withUTF8 { append(bytes: $0, to: column) }
    }

    func append(bytes: UnsafeBufferPointer<UInt8>, to column: TextColumn) -> TextRef {
        guard let src = bytes.baseAddress, !bytes.isEmpty else { return .empty }
        precondition(!isFrozen, "the code store is frozen")
        let n = min(bytes.count, 0xF_FFFF)
        let k = column.rawValue
        if arenas[k].count + n > arenas[k].capacity { arenas[k].reserve(max(n, arenas[k].capacity)) }
        let off = arenas[k].count
        (arenas[k].base! + off).update(from: src, count: n)
        arenas[k].count += n
        return TextRef(buffer: k, offset: off, length: n)
    }

    @inline(__always)
    func withBytes<R>(_ ref: TextRef, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(pointer(ref))
    }

    func string(_ ref: TextRef) -> String {
        if ref.isEmpty { return "" }
        if ref.buffer >= Self.deferredBufferBase { return deferredString(ref) }
        return withBytes(ref) { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Text left in the file

    /// A large JSON catalog's file, kept open after loading: the texts only a code's full view
    /// shows (when, cause, fix, retry reason, example; about 60 % of a catalog's text) stay in
    /// it and are read when asked for, so they cost no memory.
    // @unchecked Sendable: path, fd, size and mtime are immutable; reads use pread (no shared file offset).
    final class DeferredFile: @unchecked Sendable {
        let path: String
        let fd: Int32
        let size: Int
        let modified: timespec

        /// Keeps its own descriptor of the file `mapped` is open on (the same file, whatever
        /// happens to the path later).
        init?(path: String, duplicating mapped: Int32) {
            var st = stat()
            let fd = fcntl(mapped, F_DUPFD_CLOEXEC, 0)
            guard fd >= 0 else { return nil }
            guard fstat(fd, &st) == 0 else {
                close(fd)
                return nil
            }
            self.path = path
            self.fd = fd
            size = Int(st.st_size)
            modified = st.st_mtim
        }

        deinit { close(fd) }

        /// The bytes at `offset`, or nil if the file is no longer what was loaded.
        func read(offset: Int, count: Int) -> [UInt8]? {
            var st = stat()
            guard fstat(fd, &st) == 0, Int(st.st_size) == size, st.st_mtim.tv_sec == modified.tv_sec,
                st.st_mtim.tv_nsec == modified.tv_nsec else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n == count ? bytes : nil
        }
    }

    /// `TextRef.buffer` of text in `deferredFiles[k]`: base + 2k, + 1 when it has JSON escapes.
    static let deferredBufferBase = 16
    var deferredFiles: [DeferredFile] = []

    /// A reference to a JSON string body left in `deferredFiles[file]`, if it fits one.
    func deferredRef(file: Int, offset: Int, length: Int, escaped: Bool) -> TextRef? {
        let buffer = Self.deferredBufferBase + 2 * file + (escaped ? 1 : 0)
        guard buffer < 0x1000, offset <= Int(UInt32.max), length <= 0xF_FFFF else { return nil }
        return TextRef(buffer: buffer, offset: offset, length: length)
    }

    private func deferredString(_ ref: TextRef) -> String {
        let k = (ref.buffer - Self.deferredBufferBase) >> 1
        guard k < deferredFiles.count else { return "" }
        let f = deferredFiles[k]
        guard let raw = f.read(offset: ref.offset, count: ref.length) else {
            return "(\(f.path) changed after errscope loaded it; start errscope again to read this text)"
        }
        guard ref.buffer & 1 == 1 else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        raw.withUnsafeBufferPointer { JSONTape.unescape($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    func optionalString(_ ref: TextRef) -> String? { ref.isEmpty ? nil : string(ref) }

    func equals(_ ref: TextRef, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard ref.length == bytes.count else { return false }
        if bytes.isEmpty { return true }
        return withBytes(ref) { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
    }

    func hash(_ ref: TextRef, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        withBytes(ref) { wordHash($0, seed: seed) }
    }

    // MARK: Rows

    func appendRow() -> Int {
        for_each_column { $0.append(.empty) }
        for_each_sparse { $0.append(.empty) }
        system.append(0); http.append(0); retry.append(0); category.append(0); flags.append(0); file.append(0); line.append(0); column.append(0)
        return code.count - 1
    }

    func removeLastRow() {
        for_each_column { $0.removeLast() }
        for_each_sparse { $0.removeLast() }
        system.removeLast(); http.removeLast(); retry.removeLast(); category.removeLast(); flags.removeLast(); file.removeLast()
        line.removeLast(); column.removeLast()
        extras[Int32(code.count)] = nil
    }

    func httpSpec(_ row: Int) -> HTTPStatusSpec {
        let h = http[row]
        if h > 0 { return .status(Int(h)) }
        if h < 0, let alts = extras[Int32(row)]?.httpAlternatives, !alts.isEmpty { return .alternatives(alts) }
        return .unknown
    }

    /// Whether `status` is one of the row's documented statuses (`httpSpec(row).statuses`
    /// without building the list).
    @inline(__always) func httpMatches(_ row: Int, _ status: Int) -> Bool {
        let h = http[row]
        if h > 0 { return Int(h) == status }
        if h < 0, let alts = extras[Int32(row)]?.httpAlternatives { return alts.contains(status) }
        return false
    }

    /// 1-based line and column of a row's definition.
    func location(_ row: Int) -> (file: String, line: Int, column: Int) {
        let f = Int(file[row])
        return (f < fileNames.count ? fileNames[f] : "?", Int(line[row]), Int(column[row]))
    }
}

/// A text column that most catalogs leave empty (sources, types, gRPC statuses, examples): it
/// takes no memory until some row has a value, then one `TextRef` a row like the others.
struct SparseColumn {
    private var refs: [TextRef] = []
    private(set) var count = 0

    @inline(__always)
    subscript(row: Int) -> TextRef {
        get { refs.isEmpty ? .empty : refs[row] }
        set {
            if refs.isEmpty {
                guard !newValue.isEmpty else { return }
                refs = Array(repeating: .empty, count: count)
            }
            refs[row] = newValue
        }
    }

    mutating func append(_ r: TextRef) {
        if refs.isEmpty {
            guard !r.isEmpty else { count += 1; return }
            refs = Array(repeating: .empty, count: count)
        }
        refs.append(r)
        count += 1
    }

    mutating func removeLast() {
        count -= 1
        if !refs.isEmpty { refs.removeLast() }
    }

    /// Every row's ref, or nil while no row has one.
    var dense: [TextRef]? { refs.isEmpty ? nil : refs }
}

/// A fast 64-bit hash of bytes, 8 at a time (multiply-xorshift), for the code indexes.
/// Not cryptographic; collisions are resolved by comparing the bytes.
@inline(__always)
func wordHash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
    hashBytes(bytes, seed: seed, lower: false)
}

func wordHash(_ s: String) -> UInt64 {
    var s = s
    return s.withUTF8 { wordHash($0) }
}

/// Bytes lowercased for ASCII: codes are matched case-insensitively in lookups.
@inline(__always)
func asciiLower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b | 0x20 : b }

/// The hash of the ASCII-lowercased bytes (equal for `NOT_FOUND` and `not_found`).
@inline(__always)
func wordHashLower(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    hashBytes(bytes, seed: 0xcbf2_9ce4_8422_2325, lower: true)
}

@inline(__always)
func hashBytes(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64, lower: Bool) -> UInt64 {
    var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
    guard let base = bytes.baseAddress, bytes.count > 0 else { return mix(h) }
    let raw = UnsafeRawPointer(base)
    var i = 0
    @inline(__always) func lowered(_ w: UInt64) -> UInt64 {
        // SWAR: set bit 5 of every byte in 'A'...'Z' (bytes >= 0x80 are left alone).
        let hi = w & 0x8080_8080_8080_8080
        let low7 = w & 0x7F7F_7F7F_7F7F_7F7F
        let geA = (low7 &+ 0x3F3F_3F3F_3F3F_3F3F) & 0x8080_8080_8080_8080
        let gtZ = (low7 &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080
        let upper = geA & ~gtZ & ~hi
        return w | (upper >> 2)
    }
    while i + 8 <= bytes.count {
        var w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        if lower { w = lowered(w) }
        h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        i += 8
    }
    if i < bytes.count {
        var w: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            w |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        if lower { w = lowered(w) }
        h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
    }
    return mix(h)
}

@inline(__always)
func mix(_ x: UInt64) -> UInt64 {
    var h = x
    h ^= h >> 33
    h = h &* 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    return h
}
