/// A backtracking matcher for the regular-expression subset envelope detection needs:
/// `^`, `$`, literals, `\` escapes, `.`, classes `[a-z0-9_-]` / `[^...]`, and the quantifiers
/// `*`, `+`, `?` on one atom. It runs on UTF-8 bytes (ASCII classes) in nanoseconds; anything
/// else (groups, alternation, counted repeats) returns nil and falls back to NSRegularExpression.
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
                for k in 0..<256 where k != 0x0A { set[k] = true }
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
                    first = false
                    var lo = p[j]
                    if lo == UInt8(ascii: "\\") {
                        guard j + 1 < p.count else { return nil }
                        lo = p[j + 1]
                        if (lo >= 65 && lo <= 90) || (lo >= 97 && lo <= 122) { return nil }
                        j += 1
                    }
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

    func matches(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        if anchoredStart { return match(s, 0, 0) }
        for start in 0...s.count where match(s, 0, start) { return true }
        return false
    }

    private func match(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ i: Int) -> Bool {
        if a == atoms.count { return !anchoredEnd || i == s.count }
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
