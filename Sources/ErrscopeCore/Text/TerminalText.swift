import Foundation

/// Makes untrusted text (response bodies, headers, catalog files) safe to put on a terminal:
/// escape sequences (CSI, OSC, DCS, ...) are removed whole, other C0/C1 controls and bidi
/// overrides become U+FFFD, so nothing from the network can move the cursor, retitle the
/// window, write the clipboard or reorder what the user reads.
public enum TerminalText {
    public static func sanitize(_ s: String, keepNewlines: Bool = true) -> String {
        // Fast path: nothing to do for plain text.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || ($0 == 0x0A && keepNewlines) }) { return s }
        var out = String.UnicodeScalarView()
        var it = s.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return it.next()
        }
        while let u = next() {
            switch u.value {
            case 0x1B:  // ESC
                guard let k = it.next() else { break }
                switch k {
                case "[":  // CSI: parameters, then a final byte 0x40-0x7E
                    while let c = it.next() { if (0x40...0x7E).contains(c.value) { break } }
                case "]", "P", "X", "^", "_":  // OSC, DCS, SOS, PM, APC: until BEL or ST
                    while let c = it.next() {
                        if c.value == 0x07 || c.value == 0x9C { break }
                        if c.value == 0x1B { _ = it.next(); break }
                    }
                default:
                    if k.value < 0x20 || k.value > 0x7E { pending = k }  // lone ESC: drop it only
                }
            case 0x9B:  // C1 CSI
                while let c = it.next() { if (0x40...0x7E).contains(c.value) { break } }
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F:  // C1 OSC/DCS/SOS/PM/APC
                while let c = it.next() { if c.value == 0x07 || c.value == 0x9C { break } }
            case 0x0A where keepNewlines: out.append(u)
            case 0x09: out.append(" ")
            case 0x0D: if keepNewlines { continue } else { out.append(" ") }
            case 0x0A: out.append(" ")
            case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069:
                out.append("\u{FFFD}")
            default: out.append(u)
            }
        }
        return String(out)
    }

    /// One line, sanitized and cut to `limit` characters with an ellipsis.
    public static func singleLine(_ s: String, limit: Int = 500) -> String {
        let clean = trimSpaces(sanitize(s, keepNewlines: false))
        if clean.count <= limit { return clean }
        return String(clean.prefix(max(0, limit - 1))) + "…"
    }

    /// Trims ASCII spaces and tabs (cheaper than Foundation's CharacterSet on a cold start).
    public static func trimSpaces(_ s: String) -> String {
        let u = s.utf8
        guard let first = u.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = u.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        if first == u.startIndex && last == u.index(before: u.endIndex) { return s }
        return String(s[first...last])
    }
}
