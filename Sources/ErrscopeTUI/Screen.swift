import ErrscopeCore

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
                let scalars = Array(ch.unicodeScalars)
                if w == 2, scalars.count == 2, DisplayWidth.isRegionalIndicator(scalars[0].value) {
                    // A flag: two one-column letters, which a terminal may join into one glyph.
                    self[cx, y] = Cell(text: String(scalars[0]), style: style, width: 1)
                    self[cx + 1, y] = Cell(text: String(scalars[1]), style: style, width: 1)
                } else {
                    self[cx, y] = Cell(text: String(ch), style: style, width: UInt8(w))
                    if w == 2 { self[cx + 1, y] = Cell(text: "", style: style, width: 0) }
                }
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
