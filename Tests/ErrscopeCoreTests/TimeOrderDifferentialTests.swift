@testable import ErrscopeCore
import Testing

/// A summary row keeps its first and last time as bytes and orders them byte-wise; the
/// reference orders Strings (epoch numbers as numbers). On random log times (ISO 8601, epoch
/// integers and decimals, exponents, words, non-ASCII, empty) both must give the same order.
@Suite("Time order on bytes agrees with the String order")
struct TimeOrderDifferentialTests {
    @Test func randomTimesOrderAlike() {
        var r = SplitMix(state: 0x71AE)
        let fixed = ["", "nan", "inf", "-inf", "1e3", "1000", "999.5", "0x10", " 12", "12 ", "2026-12-06T03:00:01Z",
                     "2026-12-06T03:00:01.5Z", "2026-12-06 03:00:01", "Dec  6 03:00:01", "é", "e\u{301}", "\u{E9}", "１２", "-5", "+5"]
        func random() -> String {
            switch r.int(5) {
            case 0: return fixed[r.int(fixed.count)]
            case 1: return String(1_764_990_000 + r.int(5_000))
            case 2: return "\(1_764_990_000 + r.int(50)).\(r.int(1000))"
            case 3: return String(format: "2026-12-%02dT%02d:%02d:%02dZ", 1 + r.int(9), r.int(24), r.int(60), r.int(60))
            default: return String((0..<r.int(6)).map { _ in Array("09:.-eé Z")[r.int(9)] })
            }
        }
        var compared = 0
        for _ in 0..<20_000 {
            let a = random(), b = random()
            let want = BatchSummary.Group.earlierReference(a, b)
            let got = BatchSummary.Group.earlier(Array(a.utf8), Array(b.utf8))
            #expect(got == want, "\(a) before \(b): bytes \(got), strings \(want)")
            compared += 1
        }
        #expect(compared == 20_000)
    }
}
