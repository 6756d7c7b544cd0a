/// A colour: the terminal's default, one of 256 indexed colours, or none (monochrome).
public enum Color: Hashable, Sendable {
    case `default`
    case indexed(UInt8)
}

/// How a cell looks. Meaning is never carried by colour alone: views also use text.
public struct Style: Hashable, Sendable {
    public var fg: Color = .default
    public var bg: Color = .default
    public var bold = false
    public var underline = false
    public var dim = false
    public var reverse = false

    public init(fg: Color = .default, bg: Color = .default, bold: Bool = false, underline: Bool = false, dim: Bool = false, reverse: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.underline = underline; self.dim = dim; self.reverse = reverse
    }
    public static let plain = Style()
}

/// One screen cell. A wide character occupies its cell and a continuation cell after it.
public struct Cell: Hashable, Sendable {
    public var text: String
    public var style: Style
    /// 0 for the right half of a wide character.
    public var width: UInt8

    public static let blank = Cell(text: " ", style: .plain, width: 1)
}

public struct Rect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public func inset(_ d: Int) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
}

/// The whole screen as cells: views draw here, tests read it as text, the curses backend
/// copies it to the terminal.
public struct ScreenBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should be (the filter or command prompt), if visible.
    public var cursor: (x: Int, y: Int)?

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public static func == (a: ScreenBuffer, b: ScreenBuffer) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    public mutating func fill(_ r: Rect, style: Style) {
        let x0 = max(0, r.x), x1 = min(width, r.maxX)
        guard x0 < x1 else { return }
        for y in max(0, r.y)..<min(height, r.maxY) {
            unsplit(x0, y)
            unsplit(x1 - 1, y)
            for x in x0..<x1 { self[x, y] = Cell(text: " ", style: style, width: 1) }
        }
    }

    /// Before a cell is overwritten: if it is half of a wide character, blank the other half so
    /// that no orphan half is left to shift the row.
    mutating func unsplit(_ x: Int, _ y: Int) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let c = self[x, y]
        if c.width == 0, x > 0 {
            self[x - 1, y] = Cell(text: " ", style: self[x - 1, y].style, width: 1)
        } else if c.width == 2, x + 1 < width {
            self[x + 1, y] = Cell(text: " ", style: c.style, width: 1)
        }
    }

    /// Draws `text` at (x, y), clipped to `clip`; returns the x after the last cell drawn.
    /// Wide characters that would straddle the clip edge are replaced by a space.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style, clip: Rect? = nil) -> Int {
        let c = clip ?? Rect(x: 0, y: 0, width: width, height: height)
        guard y >= max(0, c.y), y < min(height, c.maxY) else { return x }
        var cx = x
        let limit = min(width, c.maxX)
        for ch in text {
            let w = DisplayWidth.of(ch)
            if w == 0 {
                // Combining mark: attach to the previous cell.
                if cx > max(0, c.x), cx - 1 < limit { self[cx - 1, y].text.append(ch) }
                continue
            }
            if cx + w > limit {
                if cx < limit { unsplit(cx, y); self[cx, y] = Cell(text: " ", style: style, width: 1) }
                return limit
            }
            if cx >= max(0, c.x) {
                unsplit(cx, y)
                if w == 2 { unsplit(cx + 1, y) }
                self[cx, y] = Cell(text: String(ch), style: style, width: UInt8(w))
                if w == 2 { self[cx + 1, y] = Cell(text: "", style: style, width: 0) }
            }
            cx += w
        }
        return cx
    }

    /// The screen as plain text, one line per row, trailing spaces trimmed.
    public var text: String { lines.joined(separator: "\n") }

    public var lines: [String] {
        (0..<height).map { y in
            var s = ""
            for x in 0..<width where self[x, y].width > 0 { s += self[x, y].text }
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
    }

    /// The row at `y` as text.
    public func line(_ y: Int) -> String { lines[y] }
}

/// Terminal column widths, measured in one place (glibc's wcwidth disagrees with terminals on
/// emoji sequences; errscope only emits text it measured here).
public enum DisplayWidth {
    public static func of(_ ch: Character) -> Int {
        let scalars = ch.unicodeScalars
        guard let first = scalars.first else { return 0 }
        // Emoji presentation sequences, ZWJ sequences and flags render two columns wide.
        if scalars.count > 1 {
            if scalars.contains(where: { $0.value == 0xFE0F || $0.value == 0x200D }) || (0x1F1E6...0x1F1FF).contains(first.value) {
                return 2
            }
        }
        return of(first)
    }

    public static func of(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        if isCombining(v) { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    public static func of(_ s: String) -> Int { s.reduce(0) { $0 + of($1) } }

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
