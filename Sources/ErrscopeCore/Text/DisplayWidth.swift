/// Terminal column widths, measured in one place, for the TUI's cell buffer and the CLI's tables.
///
/// A grapheme cluster (a `Character`) is drawn in the cells of its base scalar: the curses
/// backend writes the base and its combining marks as one cell (a curses cell holds one spacing
/// character), so a ZWJ sequence (`👩‍💻`) is drawn as its first emoji and a variation selector is
/// not sent. Its width is therefore the base's, as the terminal's `wcwidth` sees it: East Asian
/// wide and emoji-presentation scalars are 2 columns, combining marks and format characters 0.
/// A flag (two regional indicators) is the one cluster drawn as two cells of one column each.
public enum DisplayWidth {
    public static func of(_ ch: Character) -> Int {
        let scalars = ch.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if isRegionalIndicator(first.value), scalars.count == 2 { return 2 }
        return of(first)
    }

    public static func isRegionalIndicator(_ v: UInt32) -> Bool { (0x1F1E6...0x1F1FF).contains(v) }

    public static func of(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        if isCombining(v) { return 0 }
        if isWide(v) { return 2 }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if u.properties.isEmojiPresentation { return 2 }
        return 1
    }

    public static func of(_ s: String) -> Int { of(s[...]) }

    public static func of(_ s: Substring) -> Int {
        // Printable ASCII, the common case: one column a byte.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s.utf8.count }
        return s.reduce(0) { $0 + of($1) }
    }

    /// The scalars of `ch` a terminal cell can show: the base and its combining marks (at most
    /// four in all); no joiners, variation selectors or further spacing characters.
    public static func drawable(_ ch: Character) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        for (i, u) in ch.unicodeScalars.enumerated() {
            if i == 0 { out.append(u); continue }
            // Joiners and variation selectors (Mn themselves) are never sent.
            if u.value == 0x200D || (0xFE00...0xFE0F).contains(u.value) || (0xE0100...0xE01EF).contains(u.value) { continue }
            let cat = u.properties.generalCategory
            guard cat == .nonspacingMark || cat == .enclosingMark || cat == .spacingMark else {
                if cat == .format { continue }
                break
            }
            out.append(u)
            if out.count == 4 { break }
        }
        return out
    }

    static func isCombining(_ v: UInt32) -> Bool {
        (0x300...0x36F).contains(v) || (0x483...0x489).contains(v) || (0x591...0x5BD).contains(v)
            || (0x1AB0...0x1AFF).contains(v) || (0x1DC0...0x1DFF).contains(v) || (0x20D0...0x20FF).contains(v)
            || (0xFE20...0xFE2F).contains(v) || v == 0x200B || v == 0x200C || v == 0x200D || v == 0xFE0F || v == 0xFE0E
    }

    static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x2FFFD).contains(v) || (0x30000...0x3FFFD).contains(v)
    }

    /// `s` cut to at most `width` columns, with an ellipsis when cut.
    public static func truncate(_ s: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(s) <= width { return s }
        var out = ""
        var w = 0
        for ch in s {
            let cw = of(ch)
            if w + cw > width - 1 { break }
            out.append(ch)
            w += cw
        }
        return out + "…"
    }

    /// Word-wraps `s` into lines of at most `width` columns.
    public static func wrap(_ s: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in s.split(separator: "\n", omittingEmptySubsequences: false) {
            var cur = ""
            var curW = 0
            for word in paragraph.split(separator: " ") {
                var word = String(word)
                var ww = of(word)
                while ww > width {
                    // Hard-break a word longer than the line.
                    if !cur.isEmpty { lines.append(cur); cur = ""; curW = 0 }
                    var head = ""
                    var hw = 0
                    var rest = word[...]
                    while let ch = rest.first, hw + of(ch) <= width { head.append(ch); hw += of(ch); rest = rest.dropFirst() }
                    // A character wider than the line: it goes alone (never an endless loop).
                    if head.isEmpty, let ch = rest.first { head.append(ch); rest = rest.dropFirst() }
                    lines.append(head)
                    word = String(rest)
                    ww = of(word)
                }
                if curW > 0 && curW + 1 + ww > width {
                    lines.append(cur)
                    cur = ""
                    curW = 0
                }
                if curW > 0 { cur += " "; curW += 1 }
                cur += word
                curW += ww
            }
            lines.append(cur)
        }
        return lines
    }
}
