import Foundation

/// A malformed-JSON report: what was wrong and at which byte.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    /// True when the input simply ended early (a truncated body), as opposed to a wrong byte.
    public var truncated: Bool

    public var description: String { "\(message) at byte \(offset)" }
}

/// A validating JSON parser that records values on a flat, reusable tape instead of building
/// a tree. Decoding thousands of bodies a second reuses one tape and allocates nothing per body;
/// values are read in place (strings are only materialised on request).
///
/// Tape layout: one entry per value, in document order. A container's entry stores its child
/// count and the index just past its last descendant, so siblings are reached in O(1).
public final class JSONTape {
    public static let defaultMaxDepth = 512

    public enum Kind: UInt8 { case object = 1, array, string, number, `true`, `false`, null }

    public struct Entry {
        public var kind: Kind
        /// Strings: contains escapes. Numbers: is an integer literal.
        public var flag: Bool
        /// Scalars: first byte. Containers: number of children (objects: keys + values).
        public var a: UInt32
        /// Scalars: one past the last byte. Containers: index of the entry after the last descendant.
        public var b: UInt32
    }

    /// Raw storage: the hot paths read entries with plain loads (no bounds, retain or
    /// exclusivity checks). Every index handed out comes from the parser, so it is in range.
    @exclusivity(unchecked) private var storage: UnsafeMutablePointer<Entry>
    private var capacity: Int
    @exclusivity(unchecked) public private(set) var entryCount = 0
    private var maxDepth = defaultMaxDepth

    public init() {
        capacity = 64
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    @inline(__always) public func entry(_ i: Int) -> Entry { storage[i] }

    @inline(__always) private func append(_ e: Entry) {
        if entryCount == capacity { grow() }
        storage[entryCount] = e
        entryCount += 1
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<Entry>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: storage, count: entryCount)
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }

    // MARK: Parsing

    /// Parses a whole document: one value and only whitespace after it.
    public func parse(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int = JSONTape.defaultMaxDepth) throws(JSONError) {
        let end = try parseValue(buf, from: 0, maxDepth: maxDepth)
        let rest = Self.skipWhitespace(buf, end)
        if rest < buf.count {
            throw JSONError(message: "unexpected data after the JSON value", offset: rest, truncated: false)
        }
    }

    /// Parses one value starting at `from` (after optional whitespace) and returns the offset
    /// just past it. The tape is reset first.
    @discardableResult
    public func parseValue(_ buf: UnsafeBufferPointer<UInt8>, from: Int, maxDepth: Int = JSONTape.defaultMaxDepth) throws(JSONError) -> Int {
        entryCount = 0
        self.maxDepth = maxDepth
        let start = Self.skipWhitespace(buf, from)
        return try value(buf, start, depth: 0)
    }

    @inline(__always)
    static func skipWhitespace(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < buf.count {
            let c = buf[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
        return i
    }

    private func fail(_ msg: String, _ at: Int, _ buf: UnsafeBufferPointer<UInt8>) -> JSONError {
        JSONError(message: at >= buf.count ? "unexpected end of input" : msg, offset: at, truncated: at >= buf.count)
    }

    private func value(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int, depth: Int) throws(JSONError) -> Int {
        guard i < buf.count else { throw fail("expected a value", i, buf) }
        switch buf[i] {
        case UInt8(ascii: "{"): return try object(buf, i, depth: depth)
        case UInt8(ascii: "["): return try array(buf, i, depth: depth)
        case UInt8(ascii: "\""): return try string(buf, i)
        case UInt8(ascii: "t"): return try literal(buf, i, "true", .true)
        case UInt8(ascii: "f"): return try literal(buf, i, "false", .false)
        case UInt8(ascii: "n"): return try literal(buf, i, "null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number(buf, i)
        default: throw fail("unexpected character '\(Self.printable(buf[i]))'", i, buf)
        }
    }

    static func printable(_ c: UInt8) -> String {
        (0x21...0x7E).contains(c) ? String(UnicodeScalar(c)) : String(format: "\\x%02X", c)
    }

    private func literal(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: StaticString, _ kind: Kind) throws(JSONError) -> Int {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0..<n {
            guard i + k < buf.count else { throw fail("", i + k, buf) }
            if buf[i + k] != w[k] { throw fail("invalid literal", i + k, buf) }
        }
        append(Entry(kind: kind, flag: false, a: UInt32(i), b: UInt32(i + n)))
        return i + n
    }

    private func number(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int) throws(JSONError) -> Int {
        var i = start
        var integer = true
        if buf[i] == UInt8(ascii: "-") { i += 1 }
        guard i < buf.count else { throw fail("", i, buf) }
        if buf[i] == UInt8(ascii: "0") {
            i += 1
        } else if buf[i] >= UInt8(ascii: "1") && buf[i] <= UInt8(ascii: "9") {
            while i < buf.count && buf[i] >= UInt8(ascii: "0") && buf[i] <= UInt8(ascii: "9") { i += 1 }
        } else {
            throw fail("invalid number", i, buf)
        }
        if i < buf.count && buf[i] == UInt8(ascii: ".") {
            integer = false
            i += 1
            let d = i
            while i < buf.count && buf[i] >= UInt8(ascii: "0") && buf[i] <= UInt8(ascii: "9") { i += 1 }
            if i == d { throw fail("invalid number", i, buf) }
        }
        if i < buf.count && (buf[i] == UInt8(ascii: "e") || buf[i] == UInt8(ascii: "E")) {
            integer = false
            i += 1
            if i < buf.count && (buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-")) { i += 1 }
            let d = i
            while i < buf.count && buf[i] >= UInt8(ascii: "0") && buf[i] <= UInt8(ascii: "9") { i += 1 }
            if i == d { throw fail("invalid number", i, buf) }
        }
        append(Entry(kind: .number, flag: integer, a: UInt32(start), b: UInt32(i)))
        return i
    }

    private func string(_ buf: UnsafeBufferPointer<UInt8>, _ quote: Int) throws(JSONError) -> Int {
        let (end, escaped) = try Self.scanString(buf, quote)
        append(Entry(kind: .string, flag: escaped, a: UInt32(quote + 1), b: UInt32(end)))
        return end + 1
    }

    /// Finds the closing quote of the string that opens at `quote`: its index, and whether the
    /// body has escapes (and so cannot be used as it is).
    @inline(__always)
    static func scanString(_ buf: UnsafeBufferPointer<UInt8>, _ quote: Int) throws(JSONError) -> (end: Int, escaped: Bool) {
        func fail(_ msg: String, _ at: Int) -> JSONError {
            JSONError(message: at >= buf.count ? "unexpected end of input" : msg, offset: at, truncated: at >= buf.count)
        }
        var i = quote + 1
        var escaped = false
        let base = UnsafeRawPointer(buf.baseAddress!)
        while i < buf.count {
            // Skip 8 plain bytes at a time: no '"', no '\\', no control character among them.
            while i + 8 <= buf.count {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                let q = w ^ (ones &* 0x22), bs = w ^ (ones &* 0x5C)
                let hasQuote = (q &- ones) & ~q & highs
                let hasBackslash = (bs &- ones) & ~bs & highs
                let hasControl = (w &- (ones &* 0x20)) & ~w & highs
                let m = hasQuote | hasBackslash | hasControl
                // The lowest flagged byte is exact (a false flag only follows a true one): go
                // straight to it.
                if m != 0 { i += m.trailingZeroBitCount >> 3; break }
                i += 8
            }
            guard i < buf.count else { break }
            let c = buf[i]
            if c == UInt8(ascii: "\"") {
                return (i, escaped)
            } else if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < buf.count else { throw fail("", i + 1) }
                switch buf[i + 1] {
                case UInt8(ascii: "u"):
                    for k in 2...5 {
                        guard i + k < buf.count else { throw fail("", i + k) }
                        guard hexValue(buf[i + k]) != nil else { throw fail("invalid \\u escape", i + k) }
                    }
                    i += 6
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                default:
                    throw fail("invalid escape", i + 1)
                }
            } else if c < 0x20 {
                throw fail("control character in string", i)
            } else {
                i += 1
            }
        }
        throw fail("", i)
    }

    private func array(_ buf: UnsafeBufferPointer<UInt8>, _ open: Int, depth: Int) throws(JSONError) -> Int {
        guard depth < maxDepth else { throw JSONError(message: "nested deeper than \(maxDepth) levels", offset: open, truncated: false) }
        let me = entryCount
        append(Entry(kind: .array, flag: false, a: 0, b: 0))
        var i = Self.skipWhitespace(buf, open + 1)
        var children: UInt32 = 0
        if i < buf.count && buf[i] == UInt8(ascii: "]") {
            storage[me].b = UInt32(entryCount)
            return i + 1
        }
        while true {
            i = try value(buf, i, depth: depth + 1)
            children += 1
            i = Self.skipWhitespace(buf, i)
            guard i < buf.count else { throw fail("", i, buf) }
            if buf[i] == UInt8(ascii: ",") {
                i = Self.skipWhitespace(buf, i + 1)
            } else if buf[i] == UInt8(ascii: "]") {
                storage[me].a = children
                storage[me].b = UInt32(entryCount)
                return i + 1
            } else {
                throw fail("expected ',' or ']'", i, buf)
            }
        }
    }

    private func object(_ buf: UnsafeBufferPointer<UInt8>, _ open: Int, depth: Int) throws(JSONError) -> Int {
        guard depth < maxDepth else { throw JSONError(message: "nested deeper than \(maxDepth) levels", offset: open, truncated: false) }
        let me = entryCount
        append(Entry(kind: .object, flag: false, a: 0, b: 0))
        var i = Self.skipWhitespace(buf, open + 1)
        var children: UInt32 = 0
        if i < buf.count && buf[i] == UInt8(ascii: "}") {
            storage[me].b = UInt32(entryCount)
            return i + 1
        }
        while true {
            guard i < buf.count else { throw fail("", i, buf) }
            guard buf[i] == UInt8(ascii: "\"") else { throw fail("expected a string key", i, buf) }
            i = try string(buf, i)
            i = Self.skipWhitespace(buf, i)
            guard i < buf.count else { throw fail("", i, buf) }
            guard buf[i] == UInt8(ascii: ":") else { throw fail("expected ':'", i, buf) }
            i = try value(buf, Self.skipWhitespace(buf, i + 1), depth: depth + 1)
            children += 2
            i = Self.skipWhitespace(buf, i)
            guard i < buf.count else { throw fail("", i, buf) }
            if buf[i] == UInt8(ascii: ",") {
                i = Self.skipWhitespace(buf, i + 1)
            } else if buf[i] == UInt8(ascii: "}") {
                storage[me].a = children
                storage[me].b = UInt32(entryCount)
                return i + 1
            } else {
                throw fail("expected ',' or '}'", i, buf)
            }
        }
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    // MARK: Reading

    @inline(__always) public func kind(_ i: Int) -> Kind { storage[i].kind }

    /// Index of the entry after `i` and all its descendants.
    @inline(__always) public func next(_ i: Int) -> Int {
        let e = storage[i]
        return (e.kind == .object || e.kind == .array) ? Int(e.b) : i + 1
    }

    /// Number of elements of an array, or of members of an object.
    public func count(_ i: Int) -> Int {
        let e = storage[i]
        switch e.kind {
        case .array: return Int(e.a)
        case .object: return Int(e.a) / 2
        default: return 0
        }
    }

    /// The value of member `key` of the object at `obj`.
    @inline(__always)
    public func member(_ obj: Int, _ key: UnsafeBufferPointer<UInt8>, in buf: UnsafeBufferPointer<UInt8>) -> Int? {
        guard storage[obj].kind == .object else { return nil }
        var k = obj + 1
        let end = Int(storage[obj].b)
        while k < end {
            let v = k + 1
            if stringEquals(k, key, in: buf) { return v }
            k = next(v)
        }
        return nil
    }

    /// The `n`th element of the array at `arr`.
    public func element(_ arr: Int, _ n: Int) -> Int? {
        guard storage[arr].kind == .array, n >= 0, n < Int(storage[arr].a) else { return nil }
        var k = arr + 1
        for _ in 0..<n { k = next(k) }
        return k
    }

    /// Calls `body` with each (keyIndex, valueIndex) of the object at `obj`.
    public func forEachMember(_ obj: Int, _ body: (Int, Int) throws -> Void) rethrows {
        guard storage[obj].kind == .object else { return }
        var k = obj + 1
        let end = Int(storage[obj].b)
        while k < end {
            try body(k, k + 1)
            k = next(k + 1)
        }
    }

    /// Calls `body` with each element index of the array at `arr`.
    public func forEachElement(_ arr: Int, _ body: (Int) throws -> Void) rethrows {
        guard storage[arr].kind == .array else { return }
        var k = arr + 1
        let end = Int(storage[arr].b)
        while k < end {
            try body(k)
            k = next(k)
        }
    }

    /// Compares a string entry with raw UTF-8 bytes without materialising it.
    @inline(__always)
    public func stringEquals(_ i: Int, _ bytes: UnsafeBufferPointer<UInt8>, in buf: UnsafeBufferPointer<UInt8>) -> Bool {
        let e = storage[i]
        guard e.kind == .string else { return false }
        if e.flag { return Array(string(i, in: buf).utf8).elementsEqual(bytes) }
        let n = Int(e.b - e.a)
        guard n == bytes.count else { return false }
        if n == 0 { return true }
        return memcmp(buf.baseAddress! + Int(e.a), bytes.baseAddress!, n) == 0
    }

    /// Raw bytes of a scalar (strings without quotes, still escaped).
    public func rawBytes(_ i: Int, in buf: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let e = storage[i]
        return UnsafeBufferPointer(rebasing: buf[Int(e.a)..<Int(e.b)])
    }

    /// Whether the string entry has escapes (and so cannot be referenced in place).
    public func isEscaped(_ i: Int) -> Bool { storage[i].flag }

    /// The decoded text of a string entry; invalid UTF-8 becomes U+FFFD.
    public func string(_ i: Int, in buf: UnsafeBufferPointer<UInt8>) -> String {
        let e = storage[i]
        let raw = UnsafeBufferPointer(rebasing: buf[Int(e.a)..<Int(e.b)])
        if !e.flag { return String(decoding: raw, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        Self.unescape(raw, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the unescaped UTF-8 of a JSON string body (without quotes) to `out`
    /// (`unescape(_:to:)` into the array's new tail).
    public static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard !raw.isEmpty else { return }
        let old = out.count
        out.append(contentsOf: repeatElement(0, count: raw.count + unescapeSlack))
        let n = out.withUnsafeMutableBufferPointer { unescape(raw, to: $0.baseAddress! + old) }
        out.removeLast(raw.count + unescapeSlack - n)
    }

    /// Room past `raw.count` that `unescape(_:to:)` may need: a cut `\u` at the very end
    /// becomes U+FFFD (3 bytes for 2); every other escape is shorter than its text.
    public static let unescapeSlack = 8

    /// Writes the unescaped UTF-8 of `raw` at `out`, which has room for `raw.count +
    /// unescapeSlack` bytes, and returns how many it wrote. Runs without a backslash are copied
    /// eight bytes at a time. The reference is `unescapeReference`; a differential test compares them.
    public static func unescape(_ raw: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let base = raw.baseAddress else { return 0 }
        let n = raw.count
        let src = UnsafeRawPointer(base), dst = UnsafeMutableRawPointer(out)
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0, o = 0
        @inline(__always) func put(_ b: UInt8) { out[o] = b; o += 1 }
        while i < n {
            // The output never runs ahead of the input, so an 8-byte store at `o` stays in room.
            while i + 8 <= n {
                let w = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                dst.storeBytes(of: w, toByteOffset: o, as: UInt64.self)
                let x = UInt64(littleEndian: w) ^ (ones &* 0x5C)
                let m = (x &- ones) & ~x & highs
                if m != 0 {
                    let k = m.trailingZeroBitCount >> 3
                    i += k; o += k
                    break
                }
                i += 8; o += 8
            }
            guard i < n else { break }
            let c = base[i]
            if c != 0x5C { put(c); i += 1; continue }
            guard i + 1 < n else { put(c); break }
            switch base[i + 1] {
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(raw, i + 2)
                var consumed = 6
                if (0xD800..<0xDC00).contains(scalar), i + 12 <= n, base[i + 6] == UInt8(ascii: "\\"), base[i + 7] == UInt8(ascii: "u") {
                    let low = hex4(raw, i + 8)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        consumed = 12
                    }
                }
                let v = (UnicodeScalar(scalar) ?? "\u{FFFD}").value
                switch v {
                case ..<0x80: put(UInt8(v))
                case ..<0x800: put(UInt8(0xC0 | v >> 6)); put(UInt8(0x80 | v & 0x3F))
                case ..<0x10000: put(UInt8(0xE0 | v >> 12)); put(UInt8(0x80 | v >> 6 & 0x3F)); put(UInt8(0x80 | v & 0x3F))
                default:
                    put(UInt8(0xF0 | v >> 18)); put(UInt8(0x80 | v >> 12 & 0x3F)); put(UInt8(0x80 | v >> 6 & 0x3F)); put(UInt8(0x80 | v & 0x3F))
                }
                i += consumed
                continue
            case let e: put(e)
            }
            i += 2
        }
        return o
    }

    /// The plain reading of a JSON string body: a run to the next backslash, then one escape.
    static func unescapeReference(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard let base = raw.baseAddress else { return }
        out.reserveCapacity(out.count + raw.count)
        var i = 0
        while i < raw.count {
            // The run up to the next backslash is copied as it is.
            guard let p = memchr(base + i, 0x5C, raw.count - i) else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i...]))
                return
            }
            let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(p))
            if at > i { out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i..<at])) }
            i = at
            guard i + 1 < raw.count else { out.append(raw[i]); return }
            let e = raw[i + 1]
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(raw, i + 2)
                var consumed = 6
                if (0xD800..<0xDC00).contains(scalar), i + 12 <= raw.count,
                    raw[i + 6] == UInt8(ascii: "\\"), raw[i + 7] == UInt8(ascii: "u")
                {
                    let low = hex4(raw, i + 8)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        consumed = 12
                    }
                }
                appendUTF8(UnicodeScalar(scalar) ?? "\u{FFFD}", to: &out)
                i += consumed
                continue
            default: out.append(e)
            }
            i += 2
        }
    }

    @inline(__always) static func appendUTF8(_ u: UnicodeScalar, to out: inout [UInt8]) {
        let v = u.value
        switch v {
        case ..<0x80: out.append(UInt8(v))
        case ..<0x800: out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case ..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        guard at + 4 <= raw.count else { return 0xFFFD }
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 4 | (hexValue(raw[at + k]) ?? 0) }
        return v
    }

    /// An integer entry's value (also a float with an integral value).
    public func int(_ i: Int, in buf: UnsafeBufferPointer<UInt8>) -> Int64? {
        let e = storage[i]
        guard e.kind == .number else { return nil }
        if e.flag, e.b - e.a <= 18 {
            var v: Int64 = 0
            var k = Int(e.a)
            let neg = buf[k] == UInt8(ascii: "-")
            if neg { k += 1 }
            while k < Int(e.b) { v = v * 10 + Int64(buf[k] - UInt8(ascii: "0")); k += 1 }
            return neg ? -v : v
        }
        guard let d = double(i, in: buf), d.rounded() == d, abs(d) < 9e15 else { return nil }
        return Int64(d)
    }

    public func double(_ i: Int, in buf: UnsafeBufferPointer<UInt8>) -> Double? {
        let e = storage[i]
        guard e.kind == .number else { return nil }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: buf[Int(e.a)..<Int(e.b)]), as: UTF8.self))
    }

    /// Builds a `JSONValue` tree for the entry at `i`.
    public func value(at i: Int, in buf: UnsafeBufferPointer<UInt8>) -> JSONValue {
        switch storage[i].kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .string: return .string(string(i, in: buf))
        case .number:
            if storage[i].flag, let v = int(i, in: buf) { return .int(v) }
            return .double(double(i, in: buf) ?? 0)
        case .array:
            var items: [JSONValue] = []
            items.reserveCapacity(Int(storage[i].a))
            forEachElement(i) { items.append(value(at: $0, in: buf)) }
            return .array(items)
        case .object:
            var pairs: [(key: String, value: JSONValue)] = []
            pairs.reserveCapacity(Int(storage[i].a) / 2)
            forEachMember(i) { k, v in pairs.append((string(k, in: buf), value(at: v, in: buf))) }
            return .object(JSONObject(pairs))
        }
    }
}

extension JSONError {
    /// 1-based line and column of `offset` in `bytes`.
    public static func lineColumn(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var col = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            if bytes[i] == 0x0A { line += 1; col = 1 } else if bytes[i] & 0xC0 != 0x80 { col += 1 }
            i += 1
        }
        return (line, col)
    }
}
