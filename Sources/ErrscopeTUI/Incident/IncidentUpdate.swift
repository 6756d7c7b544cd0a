import ErrscopeCore
import Foundation

/// The incident pane's part of `update`: log bytes in, keys, the clock.
enum IncidentUpdate {
    /// Opens `source` (a path or `-`): a fresh table, and the runner asked to follow it.
    static func open(_ s: inout AppState, _ source: String) -> [Effect] {
        var i = IncidentState()
        i.source = source
        i.summary = BatchSummary(catalog: s.data.catalog)
        i.status = "following \(source == "-" ? "standard input" : source)"
        s.incident = i
        s.focus = .incident
        return [.followLog(source)]
    }

    /// Bytes the follower read: whole lines are decoded and counted, the rest kept.
    static func ingest(_ s: inout AppState, _ bytes: [UInt8], now: UInt64) {
        guard s.incident.isOpen else { return }
        advance(&s.incident, now)
        var i = s.incident
        s.incident = IncidentState()  // no copy of the summary while it is mutated
        defer { s.incident = i }
        var data = i.partial
        i.partial = []
        data += bytes
        data.withUnsafeBufferPointer { buf in
            var start = 0
            var n = 0
            while let nl = buf[start...].firstIndex(of: 0x0A) {
                let line = UnsafeBufferPointer(rebasing: buf[start..<nl])
                start = nl + 1
                // `add(lines:)` skips a blank line; `total` says whether this one counted.
                let before = i.summary!.total
                i.summary!.add(lines: line)
                if i.summary!.total > before {
                    i.rates[i.summary!.lastKey, default: []].bumpLast(buckets: IncidentState.buckets)
                    n += 1
                }
            }
            if start < buf.count {
                if buf.count - start > IncidentState.maxLine {
                    i.skipped += 1  // a line longer than a MiB: dropped, counted
                } else {
                    i.partial = Array(buf[start...])
                }
            }
            if i.totalRate.isEmpty { i.totalRate = [0] }
            i.totalRate[i.totalRate.count - 1] += n
        }
    }

    /// Moves the buckets on to `now`: every row's newest bucket is for the current 10 s.
    static func advance(_ i: inout IncidentState, _ now: UInt64) {
        let width = IncidentState.bucketSeconds * 1_000_000_000
        if i.bucketStart == 0 { i.bucketStart = now; i.totalRate = [0]; return }
        guard now >= i.bucketStart + width else { return }
        let steps = Int(min(UInt64(IncidentState.buckets), (now - i.bucketStart) / width))
        i.bucketStart += UInt64(steps) * width
        if now >= i.bucketStart + width { i.bucketStart = now }
        // The bucket closing now goes to the journal (it stays in the sparkline).
        tallyNewestBucket(&i, empty: false)
        for k in i.rates.keys { i.rates[k]!.shift(steps, buckets: IncidentState.buckets) }
        i.totalRate.shift(steps, buckets: IncidentState.buckets)
    }

    static func tick(_ s: inout AppState, _ now: UInt64) {
        guard s.incident.isOpen else { return }
        advance(&s.incident, now)
    }

    /// The closed buckets' tallies, as an effect for the journal (once).
    static func flush(_ s: inout AppState) -> [Effect] {
        guard let src = s.incident.source, !s.incident.pending.isEmpty else { return [] }
        defer { s.incident.pending = [] }
        return [.recordIncident(s.incident.pending, source: src)]
    }

    /// On quit: the open bucket too, so the last seconds are not lost.
    static func flushAll(_ s: inout AppState) -> [Effect] {
        guard s.incident.isOpen else { return [] }
        tallyNewestBucket(&s.incident, empty: true)
        return flush(&s)
    }

    /// A tally per row that had lines in the newest bucket, added to `pending`. `empty`: the
    /// bucket stays open, so it is zeroed to keep its lines from being tallied again.
    static func tallyNewestBucket(_ i: inout IncidentState, empty: Bool) {
        for (k, counts) in i.rates where (counts.last ?? 0) > 0 {
            guard let g = i.summary?.group(k) else { continue }
            i.pending.append(IncidentTally(g, count: counts.last!))
            if empty { i.rates[k]![counts.count - 1] = 0 }
        }
    }

    /// Keys while the pane has the focus; nil when the key is not the pane's.
    static func update(_ i: inout IncidentState, _ action: Action, _ ctx: inout PaneContext) -> [Effect]? {
        let rows = i.rows()
        switch action {
        case .moveDown: i.cursor = min(max(0, rows.count - 1), i.cursor + 1)
        case .moveUp: i.cursor = max(0, i.cursor - 1)
        case .top: i.cursor = 0
        case .bottom: i.cursor = max(0, rows.count - 1)
        case .pageDown: i.cursor = min(max(0, rows.count - 1), i.cursor + 10)
        case .pageUp: i.cursor = max(0, i.cursor - 10)
        case .incidentSort:
            let all = IncidentColumn.allCases
            i.sort = all[(all.firstIndex(of: i.sort)! + 1) % all.count]
            i.descending = i.sort == .count || i.sort == .share || i.sort == .rate || i.sort == .last
            ctx.message = StatusMessage(text: "sorted by \(i.sort.rawValue) (\(i.descending ? "descending" : "ascending")); S reverses", isError: false)
        case .incidentReverse:
            i.descending.toggle()
            ctx.message = StatusMessage(text: "sorted by \(i.sort.rawValue) (\(i.descending ? "descending" : "ascending"))", isError: false)
        case .toggle:
            guard rows.indices.contains(i.cursor) else { return [] }
            let g = rows[i.cursor].group
            guard let sys = g.system, let code = g.code,
                let row = ctx.data.catalog.rows(code: code).first(where: { ctx.data.catalog.entry($0).system == sys })
            else {
                ctx.message = StatusMessage(text: "\(g.label) is not a catalog code", isError: true)
                return [.bell]
            }
            ctx.jump = (row, .detail)
            ctx.message = StatusMessage(text: "\(sys)/\(code) in the catalog; Ctrl-O returns to the incident", isError: false)
        case .probeSend:
            guard rows.indices.contains(i.cursor) else { return [] }
            let g = rows[i.cursor].group
            guard let sys = g.system, let ep = ctx.endpoints.endpoints.first(where: { $0.system == sys }) else {
                ctx.message = StatusMessage(text: "no endpoint for \(g.system ?? "this system") in endpoints.yaml", isError: true)
                return [.bell]
            }
            ctx.command = "probe! \(ep.name)"
            return []
        default: return nil
        }
        i.cursor = min(i.cursor, max(0, rows.count - 1))
        return []
    }
}

extension Array where Element == Int {
    /// Adds one to the newest bucket (making one if there is none).
    mutating func bumpLast(buckets: Int) {
        if isEmpty { append(0) }
        self[count - 1] += 1
    }

    /// Moves the window on by `steps` empty buckets, keeping the newest `buckets`.
    mutating func shift(_ steps: Int, buckets: Int) {
        guard steps > 0 else { return }
        append(contentsOf: repeatElement(0, count: Swift.min(steps, buckets)))
        if count > buckets { removeFirst(count - buckets) }
    }
}
