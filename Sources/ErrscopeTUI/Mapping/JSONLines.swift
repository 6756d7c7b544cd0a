import ErrscopeCore
import Foundation

/// Pretty JSON as coloured segments per line, from the value itself (no re-parsing).
enum JSONLines {
    typealias Line = [(String, Style)]

    /// Breaks lines wider than `width` at token boundaries (a key, `: `, a value, punctuation),
    /// never inside a token that fits on a line of its own; a string longer than a whole line is
    /// broken after a space where it has one, else where it must. Continuation lines start with
    /// `↪` under the line's indent, so a wrapped value is never mistaken for a new member.
    static func wrap(_ lines: [Line], width: Int) -> [Line] {
        guard width > 8 else { return lines }
        var out: [Line] = []
        for line in lines {
            let indent = min(line.first.map { $0.0.prefix { $0 == " " }.count } ?? 0, width / 2)
            let mark = String(repeating: " ", count: indent) + "↪ "
            let markW = indent + 2
            var cur: Line = []
            var w = 0
            var lineStart = 0  // the width before the first token of this line (indent or mark)
            var first = true
            func breakLine(_ style: Style) {
                out.append(cur)
                cur = [(mark, style)]
                w = markW
                lineStart = markW
            }
            for (text, style) in line {
                var rest = Substring(text)
                if first {
                    // The leading indent is part of the first segment.
                    first = false
                    lineStart = min(indent, DisplayWidth.of(text))
                }
                while !rest.isEmpty {
                    let tw = DisplayWidth.of(String(rest))
                    if w + tw <= width { cur.append((String(rest), style)); w += tw; break }
                    // Does not fit here: a token that fits on a fresh line moves there whole
                    // (unless nothing is on this line yet but its indent).
                    if markW + tw <= width, w > lineStart { breakLine(style); continue }
                    // Longer than a line: as much as fits, cut after a space (or an identifier's
                    // joint) when there is one.
                    let room = width - w
                    var take = "", takeW = 0, lastSpace: (String.Index, Int)? = nil
                    var i = rest.startIndex
                    while i < rest.endIndex {
                        let cw = DisplayWidth.of(rest[i])
                        if takeW + cw > room { break }
                        take.append(rest[i])
                        takeW += cw
                        // A break may follow a space, or the joints of an identifier (- _ / . :).
                        if " -_/.:".contains(rest[i]) { lastSpace = (rest.index(after: i), takeW) }
                        i = rest.index(after: i)
                    }
                    if let (at, sw) = lastSpace, sw > room / 3, at < rest.endIndex {
                        take = String(rest[rest.startIndex..<at])
                        takeW = sw
                        i = at
                    }
                    if take.isEmpty {
                        // Not even one character fits after the mark: put it anyway.
                        take = String(rest[rest.startIndex])
                        i = rest.index(after: rest.startIndex)
                        takeW = DisplayWidth.of(take)
                    }
                    cur.append((take, style))
                    w += takeW
                    rest = rest[i...]
                    if !rest.isEmpty { breakLine(style) }
                }
            }
            out.append(cur)
        }
        return out
    }

    static func lines(_ v: JSONValue, theme t: Theme) -> [Line] {
        var out: [Line] = [[]]
        func emit(_ s: String, _ st: Style) { out[out.count - 1].append((s, st)) }
        func newline(_ indent: Int) { out.append([(String(repeating: "  ", count: indent), t.normal)]) }
        func walk(_ v: JSONValue, _ indent: Int) {
            switch v {
            case .object(let o):
                if o.pairs.isEmpty { emit("{}", t.jsonPunct); return }
                emit("{", t.jsonPunct)
                for (i, p) in o.pairs.enumerated() {
                    newline(indent + 1)
                    emit(TerminalText.singleLine(JSONWriter.quoted(p.key), limit: 200), t.jsonKey)
                    emit(": ", t.jsonPunct)
                    walk(p.value, indent + 1)
                    if i < o.pairs.count - 1 { emit(",", t.jsonPunct) }
                }
                newline(indent)
                emit("}", t.jsonPunct)
            case .array(let a):
                if a.isEmpty { emit("[]", t.jsonPunct); return }
                emit("[", t.jsonPunct)
                for (i, item) in a.enumerated() {
                    newline(indent + 1)
                    walk(item, indent + 1)
                    if i < a.count - 1 { emit(",", t.jsonPunct) }
                }
                newline(indent)
                emit("]", t.jsonPunct)
            case .string(let s): emit(TerminalText.singleLine(JSONWriter.quoted(s), limit: 400), t.jsonString)
            case .int, .double: emit(v.compactText, t.jsonNumber)
            case .bool, .null: emit(v.compactText, t.jsonLiteral)
            }
        }
        walk(v, 0)
        return out
    }
}
