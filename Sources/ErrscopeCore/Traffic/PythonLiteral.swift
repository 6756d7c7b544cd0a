import Foundation

/// Reads a Python literal as the SDKs print it (`{'error': {'message': 'x', 'code': None}}`)
/// and writes it as JSON. A parser, not `eval`: dicts, lists, tuples, strings (single, double,
/// triple-quoted, with escapes and implicit concatenation), numbers, None, True and False.
/// Anything else is an error. Depth and size are bounded.
public enum PythonLiteral {
    public static let maxDepth = 64

    /// The JSON text of the literal that starts at `start`, and the index after it.
    public static func toJSON(_ bytes: [UInt8], from start: Int = 0) -> (json: [UInt8], end: Int)? {
        var p = Parser(b: bytes, i: start)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count - start)
        guard p.value(into: &out, depth: 0) else { return nil }
        return (out, p.i)
    }

    struct Parser {
        let b: [UInt8]
        var i: Int

        mutating func ws() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }

        mutating func value(into out: inout [UInt8], depth: Int) -> Bool {
            guard depth < PythonLiteral.maxDepth else { return false }
            ws()
            guard i < b.count else { return false }
            switch b[i] {
            case UInt8(ascii: "{"): return container(into: &out, depth: depth, close: UInt8(ascii: "}"), dict: true)
            case UInt8(ascii: "["): return container(into: &out, depth: depth, close: UInt8(ascii: "]"), dict: false)
            case UInt8(ascii: "("): return container(into: &out, depth: depth, close: UInt8(ascii: ")"), dict: false)
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return strings(into: &out)
            case UInt8(ascii: "b") where i + 1 < b.count && (b[i + 1] == 0x27 || b[i + 1] == 0x22):
                i += 1
                return strings(into: &out)
            default:
                for (word, json) in [("None", "null"), ("True", "true"), ("False", "false"), ("null", "null"), ("true", "true"), ("false", "false")] {
                    let w = Array(word.utf8)
                    if b.count - i >= w.count, Array(b[i..<(i + w.count)]) == w, i + w.count == b.count || !isIdent(b[i + w.count]) {
                        out += Array(json.utf8)
                        i += w.count
                        return true
                    }
                }
                return number(into: &out)
            }
        }

        func isIdent(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F }

        mutating func container(into out: inout [UInt8], depth: Int, close: UInt8, dict: Bool) -> Bool {
            i += 1
            out.append(dict ? UInt8(ascii: "{") : UInt8(ascii: "["))
            var first = true
            while true {
                ws()
                guard i < b.count else { return false }
                if b[i] == close { i += 1; break }
                if !first {
                    guard b[i] == UInt8(ascii: ",") else { return false }
                    i += 1
                    ws()
                    if i < b.count, b[i] == close { i += 1; break }
                    out.append(UInt8(ascii: ","))
                }
                first = false
                if dict {
                    // JSON keys are strings: a number or None key is written as its text.
                    var key: [UInt8] = []
                    guard value(into: &key, depth: depth + 1) else { return false }
                    if key.first == UInt8(ascii: "\"") { out += key } else { out.append(0x22); out += key; out.append(0x22) }
                    ws()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
                    i += 1
                    out.append(UInt8(ascii: ":"))
                }
                guard value(into: &out, depth: depth + 1) else { return false }
            }
            out.append(dict ? UInt8(ascii: "}") : UInt8(ascii: "]"))
            return true
        }

        /// One or more adjacent string literals, concatenated, as one JSON string.
        mutating func strings(into out: inout [UInt8]) -> Bool {
            var text: [UInt8] = []
            var any = false
            while true {
                ws()
                guard i < b.count, b[i] == 0x27 || b[i] == 0x22 else { break }
                guard string(into: &text) else { return false }
                any = true
            }
            guard any else { return false }
            out.append(0x22)
            for c in text {
                switch c {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                case 0x0D: out += [0x5C, UInt8(ascii: "r")]
                case 0x09: out += [0x5C, UInt8(ascii: "t")]
                case 0..<0x20: out += Array(String(format: "\\u%04x", c).utf8)
                default: out.append(c)
                }
            }
            out.append(0x22)
            return true
        }

        mutating func string(into text: inout [UInt8]) -> Bool {
            let q = b[i]
            let triple = b.count - i >= 3 && b[i + 1] == q && b[i + 2] == q
            i += triple ? 3 : 1
            while i < b.count {
                let c = b[i]
                if c == q {
                    if !triple { i += 1; return true }
                    if b.count - i >= 3, b[i + 1] == q, b[i + 2] == q { i += 3; return true }
                }
                if c == 0x0A, !triple { return false }
                if c == 0x5C, i + 1 < b.count {
                    let e = b[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "n"): text.append(0x0A)
                    case UInt8(ascii: "t"): text.append(0x09)
                    case UInt8(ascii: "r"): text.append(0x0D)
                    case UInt8(ascii: "0"): text.append(0)
                    case UInt8(ascii: "x"):
                        guard let v = hex(2) else { return false }
                        appendScalar(v, to: &text)
                    case UInt8(ascii: "u"):
                        guard let v = hex(4) else { return false }
                        appendScalar(v, to: &text)
                    case UInt8(ascii: "U"):
                        guard let v = hex(8) else { return false }
                        appendScalar(v, to: &text)
                    case 0x0A: break
                    case 0x27, 0x22, 0x5C: text.append(e)
                    default: text += [0x5C, e]
                    }
                    continue
                }
                text.append(c)
                i += 1
            }
            return false
        }

        mutating func hex(_ n: Int) -> UInt32? {
            guard b.count - i >= n else { return nil }
            var v: UInt32 = 0
            for k in 0..<n {
                let c = b[i + k]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            i += n
            return v
        }

        func appendScalar(_ v: UInt32, to text: inout [UInt8]) {
            let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
            text += Array(String(Character(scalar)).utf8)
        }

        mutating func number(into out: inout [UInt8]) -> Bool {
            let s = i
            if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
            while i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e")
                || b[i] == UInt8(ascii: "E") || b[i] == UInt8(ascii: "_")
                || ((b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) && (b[i - 1] == UInt8(ascii: "e") || b[i - 1] == UInt8(ascii: "E")))
            { i += 1 }
            let text = String(decoding: b[s..<i].filter { $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: "+") }, as: UTF8.self)
            guard !text.isEmpty, let d = Double(text), d.isFinite else { i = s; return false }
            if let n = Int64(text) { out += Array(String(n).utf8) } else { out += Array(String(d).utf8) }
            return true
        }
    }
}
