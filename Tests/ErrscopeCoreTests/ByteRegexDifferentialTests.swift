@testable import ErrscopeCore
import Foundation
import Testing

/// The byte matcher (`ByteRegex`, the fast path for catalog patterns) against ICU
/// (`NSRegularExpression`, the reference), on seeded random patterns and inputs.
@Suite("ByteRegex agrees with NSRegularExpression")
struct ByteRegexDifferentialTests {

    static let atoms = ["a", "b", "c", ".", "\\d", "\\w", "\\s", "\\.", "-", " ", ":", "[a-c]", "[^a]", "[^\\n]", "[ab-]", "[0-9_]", "x", "_", "\\$", "\\/"]
    static let quantifiers = ["", "", "", "*", "+", "?"]
    static let inputAlphabet: [String] = ["a", "b", "c", "x", "0", "7", "_", "-", " ", ".", ":", "$", "/", "\n", "\r", "\t", "\u{0B}", "\u{0C}",
                                          "é", "ß", "\u{A0}", "٣", "\u{2028}", "\u{85}", "😀", "A", "Z"]

    static func pattern(_ r: inout SplitMix) -> String {
        var p = r.int(3) == 0 ? "^" : ""
        for _ in 0..<(1 + r.int(4)) { p += r.pick(atoms) + r.pick(quantifiers) }
        if r.int(3) == 0 { p += "$" }
        return p
    }

    static func input(_ r: inout SplitMix, asciiOnly: Bool) -> String {
        var s = ""
        for _ in 0..<r.int(9) {
            var c = r.pick(inputAlphabet)
            while asciiOnly && !c.unicodeScalars.allSatisfy(\.isASCII) { c = r.pick(inputAlphabet) }
            s += c
        }
        return s
    }

    func compare(seed: UInt64, cases: Int, asciiOnly: Bool) throws -> (compared: Int, fast: Int, differences: [String]) {
        var r = SplitMix(state: seed)
        var compared = 0, fastRuns = 0
        var differences: [String] = []
        for _ in 0..<cases {
            let p = Self.pattern(&r)
            let shared = try SharedRegex(p)
            let icu = try NSRegularExpression(pattern: p)
            for _ in 0..<4 {
                let s = Self.input(&r, asciiOnly: asciiOnly)
                let expected = icu.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
                var copy = s
                if let f = shared.fast, copy.withUTF8({ f.matches($0) }) != nil { fastRuns += 1 }
                let got = shared.matches(s)
                var bytes = Array(s.utf8)
                let gotBytes = bytes.withUnsafeMutableBufferPointer { shared.matches(bytes: UnsafeBufferPointer($0)) }
                compared += 1
                if got != expected || gotBytes != expected { differences.append("\(p.debugDescription) on \(s.debugDescription): ICU \(expected), fast \(got)") }
            }
        }
        return (compared, fastRuns, differences)
    }

    @Test func randomASCIIPatternsAndInputsAgree() throws {
        let r = try compare(seed: 0xE55C09E, cases: 5_000, asciiOnly: true)
        #expect(r.differences.isEmpty, "\(r.differences.count) differences, e.g. \(r.differences.prefix(5))")
        // The fast path really ran (not everything fell back).
        #expect(r.fast > r.compared / 2, "\(r.fast) of \(r.compared) on the fast path")
    }

    @Test func nonASCIIInputFallsBackAndAgrees() throws {
        let r = try compare(seed: 0xBADC0DE, cases: 5_000, asciiOnly: false)
        #expect(r.differences.isEmpty, "\(r.differences.count) differences, e.g. \(r.differences.prefix(5))")
    }

    @Test func knownDifferencesAreHandled() throws {
        // `$` before a trailing newline, `.` and CR, non-ASCII under `?`.
        for (p, s) in [("a$", "a\n"), ("a$", "a\r\n"), ("^a.$", "a\r"), ("^.?$", "é"), ("^[^a]$", "é"), ("^\\w+$", "café"), ("^\\s$", "\u{A0}")] {
            let icu = try NSRegularExpression(pattern: p)
            #expect(try SharedRegex(p).matches(s) == (icu.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil), "\(p) on \(s.debugDescription)")
        }
        // Constructs it cannot match identically are refused, so ICU runs them.
        for p in ["[[:alpha:]]", "[a&&b]", "[a--b]", "[]a]", "é+", "(a|b)", "a{2}", "a*?", "[!-\\]]", "[\\0]"] { #expect(ByteRegex(p) == nil, "\(p)") }
    }
}
