/// How many lines of a followed log went to one summary row (system/code) in one stretch: what
/// the incident pane hands the journal, and what the journal keeps beside the probes.
public struct IncidentTally: Sendable, Equatable {
    public var label: String
    public var system: String?
    public var code: String?
    public var category: String?
    public var http: Int?
    public var count: Int

    public init(label: String, system: String?, code: String?, category: String?, http: Int?, count: Int) {
        self.label = label; self.system = system; self.code = code; self.category = category; self.http = http; self.count = count
    }

    /// `count` lines of summary row `g`.
    public init(_ g: BatchSummary.Group, count: Int) {
        self.init(label: g.label, system: g.system, code: g.code, category: g.category?.rawValue, http: g.http, count: count)
    }
}
