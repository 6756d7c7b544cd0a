import ErrscopeCore
import Foundation

/// The incident pane: a log followed as it grows, each line decoded by the same reading as
/// `decode --jsonl --summary` (`BatchSummary`, one implementation in the core), and a live table
/// by system/code/category with the rate of the last minutes.
// @unchecked Sendable: the summary (a parse tape, a decoder) is only read and changed by the
// update loop's thread, like the rest of the state.
public struct IncidentState: @unchecked Sendable {
    /// Where the lines come from (a path, or `-` for standard input); nil: no log open.
    public var source: String?
    /// What the follower last said (opened, rotated, truncated, cannot read ...).
    public var status: String?
    public var statusIsError = false
    /// Counting, grouping and decoding: the summary's own code.
    public var summary: BatchSummary?
    /// Bytes after the last newline, kept until the rest of the line arrives (capped).
    var partial: [UInt8] = []
    static let maxLine = 1 << 20
    /// Per row (the summary's key): lines per bucket, the newest last.
    public var rates: [UInt64: [Int]] = [:]
    /// The start (monotonic ns) of the newest bucket.
    public var bucketStart: UInt64 = 0
    public static let bucketSeconds: UInt64 = 10
    public static let buckets = 30  // five minutes
    /// Lines read in the newest buckets of the whole log, for lines/s.
    public var totalRate: [Int] = []
    public var sort: IncidentColumn = .count
    public var descending = true
    public var cursor = 0
    public var scroll = 0
    /// Lines whose bytes were not UTF-8 or too long, shown as a count.
    public var skipped = 0
    /// Closed buckets' counts not yet handed to the journal.
    public var pending: [IncidentTally] = []

    public init() {}

    public var isOpen: Bool { source != nil }

    /// When the runner should next send a tick: each second while a log is open, so the rate
    /// buckets move on in a quiet minute too.
    public func wakeup(lastTick: UInt64) -> UInt64? { isOpen ? lastTick + 1_000_000_000 : nil }

    /// The table's rows in display order.
    public func rows() -> [IncidentRow] {
        guard let s = summary else { return [] }
        let total = max(1, s.total)
        var out = s.keyedRows.map { kv in
            IncidentRow(key: kv.key, group: kv.group, share: Double(kv.group.count) / Double(total), rate: rates[kv.key] ?? [])
        }
        // By the sort column (either way), then by label so the order never flickers.
        out.sort { a, b in
            if IncidentState.less(a, b, sort) { return !descending }
            if IncidentState.less(b, a, sort) { return descending }
            return a.group.label < b.group.label
        }
        return out
    }

    static func less(_ a: IncidentRow, _ b: IncidentRow, _ c: IncidentColumn) -> Bool {
        switch c {
        case .count, .share: return a.group.count < b.group.count
        case .code: return a.group.label < b.group.label
        case .category: return (a.group.category?.rawValue ?? "") < (b.group.category?.rawValue ?? "")
        case .rate: return a.recent < b.recent
        case .http: return (a.group.http ?? 0) < (b.group.http ?? 0)
        case .retry: return (a.group.retry?.rawValue ?? "") < (b.group.retry?.rawValue ?? "")
        case .first: return (a.group.first ?? "") < (b.group.first ?? "")
        case .last: return (a.group.last ?? "") < (b.group.last ?? "")
        }
    }

    /// Lines a second over the last full minute (or what has been seen of it).
    public var linesPerSecond: Double {
        let recent = totalRate.suffix(7).dropLast()
        guard !recent.isEmpty else { return Double(totalRate.last ?? 0) / Double(Self.bucketSeconds) }
        return Double(recent.reduce(0, +)) / Double(recent.count * Int(Self.bucketSeconds))
    }
}

public struct IncidentRow: Sendable {
    public var key: UInt64
    public var group: BatchSummary.Group
    public var share: Double
    /// Lines per bucket, oldest first, the newest last.
    public var rate: [Int]
    /// Lines in the last minute.
    public var recent: Int { rate.suffix(6).reduce(0, +) }
}

/// A column of the incident table (`s` cycles the sort through them).
public enum IncidentColumn: String, Sendable, CaseIterable {
    case count, share, code, category, rate, http, retry, first, last
}
