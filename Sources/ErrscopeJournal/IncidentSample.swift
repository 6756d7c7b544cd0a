import ErrscopeCore
import Foundation
import GRDB

/// What the incident pane saw of one system/code in one stretch of a followed log (about ten
/// seconds): recorded beside the probes so that `journal export --markdown` tells both. The
/// tally's fields read as the sample's own (`sample.label`, `sample.count`).
@dynamicMemberLookup
public struct IncidentSample: Sendable, Equatable {
    public var time: Date
    /// The log followed (a path, or `-`).
    public var source: String
    public var tally: IncidentTally

    public init(time: Date, source: String, tally: IncidentTally) {
        self.time = time; self.source = source; self.tally = tally
    }

    public init(time: Date, source: String, label: String, system: String?, code: String?, category: String?, http: Int?, count: Int) {
        self.init(time: time, source: source, tally: IncidentTally(label: label, system: system, code: code, category: category, http: http, count: count))
    }

    public subscript<T>(dynamicMember field: KeyPath<IncidentTally, T>) -> T { tally[keyPath: field] }
}

extension Journal {
    /// Records a batch of samples in one transaction.
    public func record(incident samples: [IncidentSample]) throws {
        guard !samples.isEmpty else { return }
        do {
            try pool.write { db in
                for s in samples {
                    try db.execute(
                        sql: "INSERT INTO incident (time, source, label, system, code, category, http, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        arguments: [s.time.timeIntervalSince1970, s.source, s.label, s.system, s.code, s.category, s.http, s.count])
                }
            }
        } catch {
            throw JournalError.wrap(error, path: path, doing: "record the incident log")
        }
    }

    /// Samples at or after `since` (all when nil), oldest first.
    public func incidentSamples(since: Date? = nil, limit: Int = 5000) throws -> [IncidentSample] {
        let from = since?.timeIntervalSince1970 ?? 0
        return try readIncident { db in
            try Row.fetchAll(db, sql: "SELECT * FROM incident WHERE time >= ? ORDER BY time, id LIMIT ?", arguments: [from, limit]).map { row in
                IncidentSample(time: Date(timeIntervalSince1970: row["time"]), source: row["source"], label: row["label"], system: row["system"],
                               code: row["code"], category: row["category"], http: row["http"], count: row["count"])
            }
        }
    }
}
