import Foundation

/// Dates as HTTP headers write them, read by hand: the formats are fixed, and a DateFormatter
/// per call (three per `Retry-After`, as before) cost more than the rest of a decode. A test
/// compares these with DateFormatter and ISO8601DateFormatter on random dates.
enum HTTPDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the obsolete RFC 850
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms
    /// (RFC 9110 §5.6.7). The zone must be GMT (or UTC).
    static func parse(_ s: String, now: Date = Date()) -> Date? {
        let parts = s.split(separator: " ", omittingEmptySubsequences: true).map { $0.lowercased() }
        if parts.count == 6, parts[0].hasSuffix(","), days.contains(String(parts[0].dropLast().prefix(3))),
           let day = Int(parts[1]), parts[1].count <= 2, let month = months.firstIndex(of: parts[2]),
           parts[3].count == 4, let year = Int(parts[3]), let t = clock(parts[4]), parts[5] == "gmt" || parts[5] == "utc"
        {
            return date(year, month + 1, day, t)
        }
        if parts.count == 4, parts[0].hasSuffix(","), let weekday = parts[0].dropLast().lowercased() as String?,
           days.contains(String(weekday.prefix(3))), let t = clock(parts[2]), parts[3] == "gmt" || parts[3] == "utc"
        {
            let dmy = parts[1].split(separator: "-")
            guard dmy.count == 3, let day = Int(dmy[0]), let month = months.firstIndex(of: String(dmy[1])), dmy[2].count == 2, let yy = Int(dmy[2]) else { return nil }
            // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
            let current = Calendar(identifier: .gregorian).component(.year, from: now)
            var year = current / 100 * 100 + yy
            if year > current + 50 { year -= 100 }
            return date(year, month + 1, day, t)
        }
        if parts.count == 5, days.contains(parts[0]), let month = months.firstIndex(of: parts[1]), let day = Int(parts[2]),
           let t = clock(parts[3]), parts[4].count == 4, let year = Int(parts[4])
        {
            return date(year, month + 1, day, t)
        }
        return nil
    }

    /// `HH:MM:SS` as seconds into the day.
    static func clock(_ s: String) -> Int? {
        let f = s.split(separator: ":")
        guard f.count == 3, f.allSatisfy({ $0.count == 2 }), let h = Int(f[0]), let m = Int(f[1]), let sec = Int(f[2]),
              h < 24, m < 60, sec <= 60 else { return nil }
        return h * 3600 + m * 60 + sec
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func date(_ y: Int, _ m: Int, _ d: Int, _ secondsOfDay: Int) -> Date? {
        guard (1...12).contains(m), d >= 1, d <= daysIn(y, m) else { return nil }
        return Date(timeIntervalSince1970: Double(days(y, m, d) * 86400 + secondsOfDay))
    }

    static func daysIn(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// RFC 3339 timestamps (`2026-12-06T10:33:17Z`, `...17.250+01:00`), read by hand for the same
/// reason (Anthropic's rate-limit reset headers).
enum RFC3339Date {
    static func parse(_ s: String) -> Date? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for i in from..<(from + n) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == UInt8(ascii: "-"), let mo = num(5, 2), b[7] == UInt8(ascii: "-"), let d = num(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let h = num(11, 2), b[13] == UInt8(ascii: ":"), let mi = num(14, 2), b[16] == UInt8(ascii: ":"), let sec = num(17, 2),
              h < 24, mi < 60, sec <= 60
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { fraction += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count, let base = HTTPDate.date(y, mo, d, h * 3600 + mi * 60 + sec) else { return nil }
        return base.addingTimeInterval(fraction - Double(offset))
    }
}
