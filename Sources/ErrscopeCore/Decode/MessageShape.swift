import Foundation

/// How much a message looks like a catalog entry's example message, for ranking the candidates
/// of a code-less envelope (Anthropic, Gemini) where several catalog codes share one type:
/// `mcp '01J9Z8K2QXW3' not found` has the shape of `mcp_error-mcp_not_found`'s example, not of
/// `data_service_error-alias_not_found`'s. What varies between two occurrences of one message
/// (quoted names, ids, numbers) is left out of the shape.
public enum MessageShape {
    /// The message with quoted parts, numbers and id-like words replaced, lowercased, spaces folded.
    public static func skeleton(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiSkeleton(text) }
        return skeletonByCharacter(text)
    }

    /// `skeletonByCharacter` for ASCII text, on bytes (Character's Unicode properties were a tenth
    /// of a summary's time on lines that reach the reference decoder). A test holds them equal.
    static func asciiSkeleton(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        var quote: UInt8 = 0
        var word: [UInt8] = []
        var digits = false
        func flush() {
            guard !word.isEmpty else { return }
            if digits { out.append(UInt8(ascii: "#")) } else { out += word }
            word.removeAll(keepingCapacity: true)
            digits = false
        }
        for var c in text.utf8 {
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            if quote != 0 {
                if c == quote { quote = 0; out += [0x27, 0x5F, 0x27] }
                continue
            }
            switch c {
            case 0x27, 0x22, 0x60:
                flush()
                quote = c
            case 0x61...0x7A, 0x5F, 0x2D:
                word.append(c)
            case 0x30...0x39:
                word.append(c)
                digits = true
            case 0x20, 0x09...0x0D:
                flush()
                if !out.isEmpty, out.last != 0x20 { out.append(0x20) }
            default:
                flush()
                out.append(c)
            }
        }
        if quote != 0 { out += [0x27, 0x5F, 0x27] }
        flush()
        while out.last == 0x20 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    /// The reference: the same reading by `Character` (any text).
    static func skeletonByCharacter(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var quote: Character?
        var word = ""
        func flush() {
            guard !word.isEmpty else { return }
            let digits = word.contains { $0.isNumber }
            // An id (ULID, UUID piece, hex) or a number: the same message with another value.
            out += digits ? "#" : word
            word = ""
        }
        for ch in text.lowercased() {
            if let q = quote {
                if ch == q { quote = nil; out += "'_'" }
                continue
            }
            switch ch {
            case "'", "\"", "`":
                flush()
                quote = ch
            case _ where ch.isLetter || ch.isNumber || ch == "_" || ch == "-":
                word.append(ch)
            case _ where ch.isWhitespace:
                flush()
                if !out.isEmpty, out.last != " " { out += " " }
            default:
                flush()
                out.append(ch)
            }
        }
        if quote != nil { out += "'_'" }  // an unclosed quote: the rest was the value
        flush()
        while out.last == " " { out.removeLast() }
        return out
    }

    /// The words of a skeleton that carry meaning (three letters or more, no placeholders).
    static func words(_ skeleton: String) -> Set<Substring> {
        if skeleton.utf8.allSatisfy({ $0 < 0x80 }) { return asciiWords(skeleton) }
        return wordsByCharacter(skeleton)
    }

    /// The reference: split by `Character` (any text).
    static func wordsByCharacter(_ skeleton: String) -> Set<Substring> {
        Set(skeleton.split { !($0.isLetter || $0 == "_" || $0 == "-") }.filter { $0.count >= 3 })
    }

    /// `wordsByCharacter` for ASCII text, on bytes (Character's Unicode properties were most of
    /// the cost of code inference on lines that reach the reference decoder). A test holds them equal.
    static func asciiWords(_ s: String) -> Set<Substring> {
        var out = Set<Substring>()
        let u = s.utf8
        var start: String.Index?
        var run = 0
        var i = u.startIndex
        while i != u.endIndex {
            let c = u[i]
            if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D {
                if start == nil { start = i; run = 0 }
                run += 1
            } else if let st = start {
                if run >= 3 { out.insert(s[st..<i]) }
                start = nil
            }
            u.formIndex(after: &i)
        }
        if let st = start, run >= 3 { out.insert(s[st..<u.endIndex]) }
        return out
    }

    /// A message's skeleton and its words, worked out once (a decoder keeps its examples').
    public struct Shape: Sendable {
        public let skeleton: String
        let words: Set<Substring>
        public init(_ text: String) {
            skeleton = MessageShape.skeleton(text)
            words = MessageShape.words(skeleton)
        }
    }

    /// 0–10: 10 when the message has exactly the example's shape, else up to 8 by the share of
    /// words they have in common (Jaccard), 0 when either is missing.
    public static func similarity(_ message: String?, _ example: String?) -> Int {
        guard let m = message, let e = example, !m.isEmpty, !e.isEmpty else { return 0 }
        return similarity(Shape(m), Shape(e))
    }

    public static func similarity(_ a: Shape, _ b: Shape) -> Int {
        if a.skeleton == b.skeleton { return 10 }
        // Counted without building the union or the intersection.
        let (small, large) = a.words.count <= b.words.count ? (a.words, b.words) : (b.words, a.words)
        var common = 0
        for w in small where large.contains(w) { common += 1 }
        let union = a.words.count + b.words.count - common
        guard union > 0 else { return 0 }
        return Int((8 * Double(common) / Double(union)).rounded(.down))
    }
}
