import Foundation

/// Counts lines through a JSON buffer as the loader moves forward, so that each code keeps its
/// line and column without the file being kept (or rescanned from the top for every entry).
struct LineCursor {
    private(set) var offset = 0
    private(set) var line = 1
    private var lineStart = 0

    /// Counts the newlines in `offset..<end`.
    mutating func advance(to end: Int, in buf: UnsafeBufferPointer<UInt8>) {
        guard end > offset, let base = buf.baseAddress else { return }
        var p = offset
        while p < end, let hit = memchr(base + p, 0x0A, end - p) {
            let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            line += 1
            lineStart = at + 1
            p = at + 1
        }
        offset = end
    }

    /// 1-based byte column of `i` (after `advance(to: i)`).
    func column(of i: Int) -> Int { i - lineStart + 1 }
}

/// The fields of a code entry that the fast path reads, as they will go into the columns.
struct CodeRow {
    var code = TextRef.empty, domain = TextRef.empty, meaning = TextRef.empty, when = TextRef.empty
    var cause = TextRef.empty, fix = TextRef.empty, retryReason = TextRef.empty, source = TextRef.empty
    var type = TextRef.empty, grpc = TextRef.empty, example = TextRef.empty
    var http: Int16 = 0
    var retry: UInt8 = 0
    var category: UInt8 = 0
    var flags: UInt8 = 0
}

extension CodeStore {
    func appendRow(_ r: CodeRow, system: UInt16, file: UInt16, line: Int, column: Int) {
        self.code.append(r.code); self.domain.append(r.domain); self.meaning.append(r.meaning)
        self.when.append(r.when); self.cause.append(r.cause); self.fix.append(r.fix)
        self.retryReason.append(r.retryReason); self.source.append(r.source); self.type.append(r.type)
        self.grpc.append(r.grpc); self.example.append(r.example)
        self.system.append(system); self.http.append(r.http); self.retry.append(r.retry); self.category.append(r.category); self.flags.append(r.flags)
        self.file.append(file); self.line.append(UInt32(clamping: line)); self.column.append(UInt16(clamping: column))
    }
}

/// The common shape of a JSON code entry, read straight into the columns: keys matched as bytes,
/// string values copied once into the arena, no tape and no `String`s. Anything else (a key it
/// does not know, lists, numbers where text goes, a missing or invalid field) makes it give the
/// entry back untouched, and the general loader reads it and reports what is wrong.
enum JSONCodeEntry {
    enum Field { case code, domain, meaning, when, cause, fix, retryReason, source, type, grpc, example, http, retry, category }

    /// Reads the entry whose `{` is at `start`. Returns the index after its `}`, or nil having
    /// written nothing (text appended to the arena is rolled back).
    /// With `deferTo` (an index in `store.deferredFiles`, whose file `buf` is), the texts only a
    /// code's full view shows are left in the file.
    static func read(_ buf: UnsafeBufferPointer<UInt8>, at start: Int, into store: CodeStore,
                     file: UInt16, line: Int, column: Int, deferTo: Int?) -> Int? {
        let mark = store.textMark
        if let end = parse(buf, start, store, file: file, line: line, column: column, deferTo: deferTo) { return end }
        store.truncateText(to: mark)
        return nil
    }

    @inline(__always)
    private static func ws(_ b: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        var i = i
        while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    private static func parse(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ store: CodeStore,
                              file: UInt16, line: Int, column: Int, deferTo: Int?) -> Int? {
        guard let b = buf.baseAddress else { return nil }
        let n = buf.count
        var r = CodeRow()
        var sawCode = false, sawMeaning = false, sawHTTP = false
        var i = ws(b, n, start + 1)
        while true {
            guard i < n, b[i] == 0x22 else { return nil }
            var ke = i + 1
            while ke < n, b[ke] != 0x22, b[ke] != 0x5C { ke += 1 }
            guard ke < n, b[ke] == 0x22, let field = field(b + i + 1, ke - i - 1) else { return nil }
            i = ws(b, n, ke + 1)
            guard i < n, b[i] == 0x3A else { return nil }
            i = ws(b, n, i + 1)
            guard i < n else { return nil }
            switch field {
            case .http:
                sawHTTP = true
                if b[i] == 0x22 {
                    // "unknown", in any case.
                    guard i + 8 < n, b[i + 8] == 0x22, asciiLowerEquals(b + i + 1, "unknown") else { return nil }
                    r.http = 0
                    i += 9
                } else {
                    var v = 0, d = i
                    while d < n, b[d] >= 0x30, b[d] <= 0x39, d - i < 4 { v = v * 10 + Int(b[d] - 0x30); d += 1 }
                    guard d - i == 3, (100...599).contains(v), d < n, !(b[d] == 0x2E || b[d] == 0x65 || b[d] == 0x45 || (b[d] >= 0x30 && b[d] <= 0x39)) else { return nil }
                    r.http = Int16(v)
                    i = d
                }
            case .retry:
                guard b[i] == 0x22 else { return nil }
                var e = i + 1
                while e < n, b[e] != 0x22, e - i < 11 { e += 1 }
                guard e < n, b[e] == 0x22 else { return nil }
                let len = e - i - 1
                let p = b + i + 1
                if len == 3, asciiLowerEquals(p, "yes") { r.retry = Retryability.yes.code }
                else if len == 2, asciiLowerEquals(p, "no") { r.retry = Retryability.no.code }
                else if len == 9, asciiLowerEquals(p, "sometimes") { r.retry = Retryability.sometimes.code }
                else if len == 4, asciiLowerEquals(p, "once") { r.retry = Retryability.once.code }
                else { return nil }
                i = e + 1
            case .category:
                guard b[i] == 0x22 else { return nil }
                var e = i + 1
                while e < n, b[e] != 0x22, e - i < 17 { e += 1 }
                guard e < n, b[e] == 0x22,
                    let c = ErrorCategory(rawValue: String(decoding: UnsafeBufferPointer(start: b + i + 1, count: e - i - 1), as: UTF8.self))
                else { return nil }
                r.category = c.code
                i = e + 1
            default:
                guard b[i] == 0x22, let (end, escaped) = try? JSONTape.scanString(buf, i) else { return nil }
                let raw = UnsafeBufferPointer(start: b + i + 1, count: end - i - 1)
                let column: TextColumn = field == .code ? .code : field == .domain ? .domain : field == .meaning ? .meaning : .other
                let ref: TextRef
                if let k = deferTo, field == .when || field == .cause || field == .fix || field == .retryReason || field == .example,
                    let r = store.deferredRef(file: k, offset: i + 1, length: end - i - 1, escaped: escaped)
                {
                    ref = r
                } else if escaped {
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(raw.count)
                    JSONTape.unescape(raw, into: &bytes)
                    ref = bytes.withUnsafeBufferPointer { store.append(bytes: $0, to: column) }
                } else {
                    ref = store.append(bytes: raw, to: column)
                }
                switch field {
                case .code: r.code = ref; sawCode = true
                case .domain: r.domain = ref
                case .meaning: r.meaning = ref; sawMeaning = true
                case .when: r.when = ref
                case .cause: r.cause = ref
                case .fix: r.fix = ref
                case .retryReason: r.retryReason = ref
                case .source: r.source = ref
                case .type: r.type = ref
                case .grpc: r.grpc = ref
                case .example: r.example = ref
                case .http, .retry, .category: break
                }
                i = end + 1
            }
            i = ws(b, n, i)
            guard i < n else { return nil }
            if b[i] == 0x2C { i = ws(b, n, i + 1); continue }
            guard b[i] == 0x7D else { return nil }
            i += 1
            break
        }
        guard sawCode, sawMeaning, sawHTTP, !r.code.isEmpty else { return nil }
        let code = store.pointer(r.code)
        if let star = memchr(code.baseAddress!, 0x2A, code.count) {
            // Only a trailing `*` makes a wildcard; the general path reports any other.
            guard UnsafeRawPointer(code.baseAddress!).distance(to: UnsafeRawPointer(star)) == code.count - 1 else { return nil }
            r.flags |= CodeStore.wildcardFlag
        }
        store.appendRow(r, system: 0, file: file, line: line, column: column)
        return i
    }

    /// The field a key names, for the keys the fast path reads.
    @inline(__always)
    private static func field(_ k: UnsafePointer<UInt8>, _ len: Int) -> Field? {
        switch len {
        case 3: return bytesEqual(k, "fix") ? .fix : nil
        case 4:
            if bytesEqual(k, "code") { return .code }
            if bytesEqual(k, "http") { return .http }
            if bytesEqual(k, "when") { return .when }
            if bytesEqual(k, "type") { return .type }
            if bytesEqual(k, "grpc") { return .grpc }
            return nil
        case 5:
            if bytesEqual(k, "cause") { return .cause }
            if bytesEqual(k, "retry") { return .retry }
            return nil
        case 6:
            if bytesEqual(k, "domain") { return .domain }
            if bytesEqual(k, "source") { return .source }
            return nil
        case 7:
            if bytesEqual(k, "meaning") { return .meaning }
            if bytesEqual(k, "example") { return .example }
            return nil
        case 8: return bytesEqual(k, "category") ? .category : nil
        case 12: return bytesEqual(k, "retry_reason") ? .retryReason : nil
        default: return nil
        }
    }

    @inline(__always)
    private static func bytesEqual(_ p: UnsafePointer<UInt8>, _ s: StaticString) -> Bool {
        memcmp(p, s.utf8Start, s.utf8CodeUnitCount) == 0
    }

    @inline(__always)
    private static func asciiLowerEquals(_ p: UnsafePointer<UInt8>, _ s: StaticString) -> Bool {
        let t = s.utf8Start
        for k in 0..<s.utf8CodeUnitCount where asciiLower(p[k]) != t[k] { return false }
        return true
    }
}
