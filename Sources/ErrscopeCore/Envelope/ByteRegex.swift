/// A backtracking matcher for the regular-expression subset envelope detection needs:
/// `^`, `$`, literals, `\` escapes, `.`, classes `[a-z0-9_-]` / `[^...]`, and the quantifiers
/// `*`, `+`, `?` on one atom. It runs on bytes in nanoseconds; anything else (groups,
/// alternation, counted repeats, non-ASCII in the pattern, set operations) returns nil and the
/// caller uses NSRegularExpression (ICU), the reference.
///
/// It agrees with ICU only on ASCII input, so `matches` returns nil for input with a non-ASCII
/// byte (ICU's `.`, `\w`, `\s` and negated classes work on code points, not bytes) and the caller
/// asks ICU. On ASCII it follows ICU's rules: `.` matches no line terminator (`\n`, `\x0B`, `\f`,
/// `\r`), and `$` matches at the end or before one line terminator (or `\r\n`) that ends the
/// input. A seeded differential test compares the two on random patterns and inputs.
struct ByteRegex: Sendable {
    struct Atom: Sendable {
        var set: [Bool]  // 256 entries
        var min: Int
        var max: Int  // Int.max for unbounded
    }
    let atoms: [Atom]
    let anchoredStart: Bool
    let anchoredEnd: Bool

    init?(_ pattern: String) {
        var p = Array(pattern.utf8)
        guard p.allSatisfy({ $0 < 0x80 }) else { return nil }
        var start = false, end = false
        if p.first == UInt8(ascii: "^") { start = true; p.removeFirst() }
        if p.last == UInt8(ascii: "$"), !(p.count >= 2 && p[p.count - 2] == UInt8(ascii: "\\")) { end = true; p.removeLast() }
        var atoms: [Atom] = []
        var i = 0
        while i < p.count {
            var set = [Bool](repeating: false, count: 256)
            let c = p[i]
            switch c {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "|"), UInt8(ascii: "{"), UInt8(ascii: "}"),
                UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                return nil
            case UInt8(ascii: "."):
                for k in 0..<256 where !(0x0A...0x0D).contains(k) { set[k] = true }
                i += 1
            case UInt8(ascii: "\\"):
                guard i + 1 < p.count else { return nil }
                let e = p[i + 1]
                switch e {
                case UInt8(ascii: "d"): for k in 48...57 { set[k] = true }
                case UInt8(ascii: "w"):
                    for k in 48...57 { set[k] = true }
                    for k in 65...90 { set[k] = true }
                    for k in 97...122 { set[k] = true }
                    set[95] = true
                case UInt8(ascii: "s"): for k in [9, 10, 11, 12, 13, 32] { set[k] = true }
                default:
                    if (e >= 65 && e <= 90) || (e >= 97 && e <= 122) || (e >= 48 && e <= 57) { return nil }
                    set[Int(e)] = true
                }
                i += 2
            case UInt8(ascii: "["):
                var j = i + 1
                var negate = false
                if j < p.count, p[j] == UInt8(ascii: "^") { negate = true; j += 1 }
                var first = true
                while j < p.count && (p[j] != UInt8(ascii: "]") || first) {
                    // ICU reads `[` (nested sets, `[:alpha:]`) and `&&` / `--` (set operations)
                    // inside a class; leave those to it.
                    if p[j] == UInt8(ascii: "[") { return nil }
                    if j + 1 < p.count, p[j] == p[j + 1], p[j] == UInt8(ascii: "&") || p[j] == UInt8(ascii: "-") { return nil }
                    if first && p[j] == UInt8(ascii: "]") { return nil }
                    first = false
                    var lo = p[j]
                    if lo == UInt8(ascii: "\\") {
                        guard j + 1 < p.count else { return nil }
                        lo = p[j + 1]
                        // Letters (`\d`, `\w`) and digits (ICU's `\0` is NUL) are ICU's to read.
                        if (lo >= 65 && lo <= 90) || (lo >= 97 && lo <= 122) || (lo >= 48 && lo <= 57) { return nil }
                        j += 1
                    }
                    // An escaped range end (`[!-\]]`) is ICU's to read.
                    if j + 2 < p.count, p[j + 1] == UInt8(ascii: "-"), p[j + 2] == UInt8(ascii: "\\") { return nil }
                    if j + 2 < p.count, p[j + 1] == UInt8(ascii: "-"), p[j + 2] != UInt8(ascii: "]") {
                        let hi = p[j + 2]
                        guard lo <= hi else { return nil }
                        for k in Int(lo)...Int(hi) { set[k] = true }
                        j += 3
                    } else {
                        set[Int(lo)] = true
                        j += 1
                    }
                }
                guard j < p.count else { return nil }
                if negate { for k in 0..<256 { set[k].toggle() } }
                i = j + 1
            default:
                set[Int(c)] = true
                i += 1
            }
            var minN = 1, maxN = 1
            if i < p.count {
                switch p[i] {
                case UInt8(ascii: "*"): minN = 0; maxN = .max; i += 1
                case UInt8(ascii: "+"): minN = 1; maxN = .max; i += 1
                case UInt8(ascii: "?"): minN = 0; maxN = 1; i += 1
                case UInt8(ascii: "{"): return nil
                default: break
                }
            }
            atoms.append(Atom(set: set, min: minN, max: maxN))
        }
        self.atoms = atoms
        anchoredStart = start
        anchoredEnd = end
    }

    /// nil when the input has a non-ASCII byte: ask ICU.
    func matches(_ s: UnsafeBufferPointer<UInt8>) -> Bool? {
        for b in s where b >= 0x80 { return nil }
        if anchoredStart { return match(s, 0, 0) }
        for start in 0...s.count where match(s, 0, start) { return true }
        return false
    }

    /// ICU's `$` without multiline: the end, or before a final line terminator (`\r\n` as one).
    @inline(__always)
    private func atEnd(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        if i == s.count { return true }
        if i == s.count - 1 { return (0x0A...0x0D).contains(s[i]) }
        return i == s.count - 2 && s[i] == 0x0D && s[i + 1] == 0x0A
    }

    private func match(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ i: Int) -> Bool {
        if a == atoms.count { return !anchoredEnd || atEnd(s, i) }
        let atom = atoms[a]
        var n = 0
        while n < atom.max && i + n < s.count && atom.set[Int(s[i + n])] { n += 1 }
        if n < atom.min { return false }
        var k = n
        while k >= atom.min {
            if match(s, a + 1, i + k) { return true }
            k -= 1
        }
        return false
    }
}
