import ErrscopeCore
import ErrscopeJournal
import ErrscopeProbe
import ErrscopeProbeClient
import ErrscopeTUI
import Foundation

/// The probe pane's sender: resolves, sends, decodes and records each probe off the UI thread.
// @unchecked Sendable: `running`, `journalState` and `_prober` are only touched under `lock`; `catalog` and `journaling` are immutable.
final class LiveProbeService: ProbeService, @unchecked Sendable {
    let catalog: Catalog
    let journaling: Bool
    private let lock = NSLock()
    private var running: [Int: ProbeCancellation] = [:]
    private var journalState: (opened: Bool, journal: Journal?) = (false, nil)
    private var _prober: Prober?

    /// The HTTP client (its event loop threads), the decoder and the journal are made at the first
    /// probe, not at start-up: a session that never probes pays nothing for them and creates no
    /// journal file.
    init(catalog: Catalog, journaling: Bool) {
        self.catalog = catalog
        self.journaling = journaling
    }

    private var prober: Prober {
        lock.withLock {
            if let p = _prober { return p }
            let p = Prober(catalog: catalog)
            _prober = p
            return p
        }
    }

    private var journal: Journal? {
        guard journaling else { return nil }
        return lock.withLock {
            if !journalState.opened {
                journalState = (true, try? Journal(path: Journal.defaultPath()))
            }
            return journalState.journal
        }
    }

    func start(_ spec: ProbeSpec, id: Int, completion: @escaping @Sendable (ProbeOutcome) -> Void) {
        let cancel = ProbeCancellation()
        lock.withLock { running[id] = cancel }
        let prober = self.prober
        Task.detached { [self] in
            let outcome = await prober.run(spec, cancel: cancel)
            lock.withLock { _ = running.removeValue(forKey: id) }
            // Recorded before it is shown: a verdict on screen is never missing from the journal.
            if case .cancelled? = outcome.failure {} else if let journal = self.journal {
                try? journal.record(ProbeJournal.entry(outcome))
            }
            completion(outcome)
        }
    }

    func cancel(id: Int) {
        let c = lock.withLock { running[id] }
        c?.cancel()
    }

    /// The journal's newest probes for the probe pane's history and diff.
    func history(limit: Int) -> [ProbeHistoryItem] {
        guard let journal, let entries = try? journal.list(limit: limit) else { return [] }
        return entries.compactMap { e in
            guard let id = e.id else { return nil }
            let pairs = { (h: [[String]]) in h.compactMap { $0.count == 2 ? (name: $0[0], value: $0[1]) : nil } }
            return ProbeHistoryItem(id: id, time: e.time, label: e.endpoint, method: e.method, url: e.url, requestHeaders: pairs(e.requestHeaders),
                                    requestBody: e.requestBody, status: e.status, summary: e.summary, responseHeaders: pairs(e.responseHeaders),
                                    body: [UInt8](e.body))
        }
    }

    /// The incident pane's counts, beside the probes (`journal export --markdown` joins them).
    func record(incident: [IncidentTally], source: String, time: Date) {
        guard let journal else { return }
        try? journal.record(incident: incident.map { IncidentSample(time: time, source: source, tally: $0) })
    }
}

/// Runs async work from synchronous code (ArgumentParser's `run`, the TUI's set-up).
enum Blocking {
    // @unchecked Sendable: written once by the task before `sem.signal()`, read only after `sem.wait()`.
    final class Box<T>: @unchecked Sendable { var value: T? }

    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = Box<Result<T, any Error>>()
        let sem = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.value = .success(try await work()) } catch { box.value = .failure(error) }
            sem.signal()
        }
        sem.wait()
        return try box.value!.get()
    }

    static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let sem = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await work()
            sem.signal()
        }
        sem.wait()
        return box.value!
    }
}
