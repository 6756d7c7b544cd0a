@testable import ErrscopeCore
import Foundation
import Testing

/// The hand-written date readers against Foundation's formatters (the reference), on random dates.
@Suite("HTTP and RFC 3339 dates against Foundation")
struct DateParsingTests {
    static func formatter(_ f: String) -> DateFormatter {
        let df = DateFormatter()
        df.locale = Locale(identifier: "en_US_POSIX")
        df.timeZone = TimeZone(identifier: "GMT")
        df.dateFormat = f
        return df
    }

    @Test func randomDatesAgreeWithDateFormatter() {
        let imf = Self.formatter("EEE, dd MMM yyyy HH:mm:ss 'GMT'"), asctime = Self.formatter("EEE MMM d HH:mm:ss yyyy")
        let iso = ISO8601DateFormatter()
        var seed: UInt64 = 0x0DA7E
        for _ in 0..<5_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let t = Date(timeIntervalSince1970: Double((seed >> 20) % 4_102_444_800))  // 1970 ... 2100
            let a = imf.string(from: t)
            #expect(HTTPDate.parse(a) == imf.date(from: a), "\(a)")
            var b = asctime.string(from: t)
            // asctime pads a one-digit day with a space: `Nov  6`.
            if let r = b.range(of: #" [0-9] "#, options: .regularExpression) { b.replaceSubrange(r, with: " " + b[r]) }
            #expect(HTTPDate.parse(b) == t, "\(b)")
            let c = iso.string(from: t)
            #expect(RFC3339Date.parse(c) == iso.date(from: c), "\(c)")
        }
    }

    @Test func theFormsAndWhatIsRefused() {
        let sunday = Date(timeIntervalSince1970: 784_111_777)  // 1994-11-06 08:49:37 GMT
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == sunday)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == sunday)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == sunday)
        for bad in ["", "tomorrow", "Sun, 31 Feb 2026 00:00:00 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Foo 1994 08:49:37 GMT"] {
            #expect(HTTPDate.parse(bad) == nil, "\(bad)")
        }
        #expect(RFC3339Date.parse("2026-12-06T10:33:17Z") == Date(timeIntervalSince1970: 1_796_553_197))
        #expect(RFC3339Date.parse("2026-12-06T11:33:17.5+01:00") == Date(timeIntervalSince1970: 1_796_553_197.5))
        for bad in ["2026-12-06", "2026-13-06T00:00:00Z", "2026-12-06T10:33:17", "2026-12-06T10:33:17+0100", "x"] {
            #expect(RFC3339Date.parse(bad) == nil, "\(bad)")
        }
    }
}
