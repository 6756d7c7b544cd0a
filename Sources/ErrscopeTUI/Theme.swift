/// Named styles for every role the views draw. Themes map roles to colours; `mono` uses
/// attributes only (NO_COLOR, or a terminal without colours).
public struct Theme: Sendable, Equatable {
    public var name: String
    public var normal: Style
    public var dim: Style
    public var title: Style
    public var border: Style
    public var borderFocused: Style
    public var selected: Style
    public var selectedUnfocused: Style
    public var jsonKey: Style
    public var jsonString: Style
    public var jsonNumber: Style
    public var jsonLiteral: Style
    public var jsonPunct: Style
    public var badgeWarn: Style
    public var badgeInfo: Style
    public var badgeGood: Style
    public var error: Style
    public var statusBar: Style
    public var statusKey: Style
    public var match: Style

    public static let names = ["dark", "light", "high-contrast", "mono"]

    public static func named(_ name: String, colors: Int = 256) -> Theme? {
        if colors < 8 { return name == "mono" || names.contains(name) ? mono : nil }
        switch name {
        case "dark": return dark(colors)
        case "light": return light(colors)
        case "high-contrast": return highContrast
        case "mono": return mono
        default: return nil
        }
    }

    static func c(_ i256: UInt8, _ i16: UInt8, _ colors: Int) -> Color { .indexed(colors >= 256 ? i256 : i16) }

    static func dark(_ n: Int) -> Theme {
        Theme(name: "dark", normal: .plain, dim: Style(fg: c(245, 8, n)), title: Style(bold: true),
              border: Style(fg: c(240, 8, n)), borderFocused: Style(fg: c(75, 12, n), bold: true),
              selected: Style(fg: c(16, 0, n), bg: c(75, 12, n), bold: true), selectedUnfocused: Style(bg: c(237, 8, n)),
              jsonKey: Style(fg: c(117, 14, n)), jsonString: Style(fg: c(150, 10, n)), jsonNumber: Style(fg: c(215, 11, n)),
              jsonLiteral: Style(fg: c(176, 13, n)), jsonPunct: Style(fg: c(245, 8, n)),
              badgeWarn: Style(fg: c(16, 0, n), bg: c(214, 11, n), bold: true), badgeInfo: Style(fg: c(16, 0, n), bg: c(110, 14, n)),
              badgeGood: Style(fg: c(16, 0, n), bg: c(114, 10, n)), error: Style(fg: c(203, 9, n), bold: true),
              statusBar: Style(fg: c(252, 15, n), bg: c(236, 8, n)), statusKey: Style(fg: c(75, 12, n), bg: c(236, 8, n), bold: true),
              match: Style(fg: c(220, 11, n), bold: true, underline: true))
    }

    static func light(_ n: Int) -> Theme {
        Theme(name: "light", normal: .plain, dim: Style(fg: c(244, 8, n)), title: Style(bold: true),
              border: Style(fg: c(250, 7, n)), borderFocused: Style(fg: c(25, 4, n), bold: true),
              selected: Style(fg: c(231, 15, n), bg: c(25, 4, n), bold: true), selectedUnfocused: Style(bg: c(254, 7, n)),
              jsonKey: Style(fg: c(25, 4, n)), jsonString: Style(fg: c(28, 2, n)), jsonNumber: Style(fg: c(130, 3, n)),
              jsonLiteral: Style(fg: c(90, 5, n)), jsonPunct: Style(fg: c(244, 8, n)),
              badgeWarn: Style(fg: c(231, 15, n), bg: c(166, 1, n), bold: true), badgeInfo: Style(fg: c(231, 15, n), bg: c(31, 6, n)),
              badgeGood: Style(fg: c(231, 15, n), bg: c(28, 2, n)), error: Style(fg: c(160, 1, n), bold: true),
              statusBar: Style(fg: c(235, 0, n), bg: c(253, 7, n)), statusKey: Style(fg: c(25, 4, n), bg: c(253, 7, n), bold: true),
              match: Style(fg: c(166, 1, n), bold: true, underline: true))
    }

    static let highContrast = Theme(
        name: "high-contrast", normal: Style(fg: .indexed(15), bg: .indexed(0)), dim: Style(fg: .indexed(15), bg: .indexed(0)),
        title: Style(fg: .indexed(15), bg: .indexed(0), bold: true, underline: true),
        border: Style(fg: .indexed(15), bg: .indexed(0)), borderFocused: Style(fg: .indexed(11), bg: .indexed(0), bold: true),
        selected: Style(fg: .indexed(0), bg: .indexed(11), bold: true), selectedUnfocused: Style(fg: .indexed(0), bg: .indexed(15)),
        jsonKey: Style(fg: .indexed(14), bg: .indexed(0), bold: true), jsonString: Style(fg: .indexed(10), bg: .indexed(0)),
        jsonNumber: Style(fg: .indexed(11), bg: .indexed(0)), jsonLiteral: Style(fg: .indexed(13), bg: .indexed(0)),
        jsonPunct: Style(fg: .indexed(15), bg: .indexed(0)),
        badgeWarn: Style(fg: .indexed(0), bg: .indexed(11), bold: true), badgeInfo: Style(fg: .indexed(0), bg: .indexed(14), bold: true),
        badgeGood: Style(fg: .indexed(0), bg: .indexed(10), bold: true), error: Style(fg: .indexed(9), bg: .indexed(0), bold: true),
        statusBar: Style(fg: .indexed(0), bg: .indexed(15)), statusKey: Style(fg: .indexed(0), bg: .indexed(15), bold: true, underline: true),
        match: Style(fg: .indexed(11), bg: .indexed(0), bold: true, underline: true))

    /// No colour at all: attributes carry emphasis, text carries meaning.
    public static let mono = Theme(
        name: "mono", normal: .plain, dim: Style(dim: true), title: Style(bold: true), border: .plain, borderFocused: Style(bold: true),
        selected: Style(reverse: true), selectedUnfocused: Style(underline: true), jsonKey: Style(bold: true), jsonString: .plain,
        jsonNumber: .plain, jsonLiteral: .plain, jsonPunct: Style(dim: true), badgeWarn: Style(bold: true, reverse: true),
        badgeInfo: Style(reverse: true), badgeGood: Style(reverse: true), error: Style(bold: true), statusBar: Style(reverse: true),
        statusKey: Style(bold: true, reverse: true), match: Style(bold: true, underline: true))
}
