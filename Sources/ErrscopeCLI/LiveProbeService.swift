import ErrscopeJournal
import ErrscopeProbe
import ErrscopeProbeClient
import ErrscopeTUI
import Foundation

/// The probe pane's sender: resolves, sends, decodes and records each probe off the UI thread.
final class LiveProbeService: ProbeService, @unchecked Sendable {
    let prober: Prober
    let journal: Journal?
    private let lock = NSLock()
    private var running: [Int: ProbeCancellation] = [:]

    init(prober: Prober, journal: Journal?) {
        self.prober = prober
        self.journal = journal
    }

    func start(_ spec: ProbeSpec, id: Int, completion: @escaping @Sendable (ProbeOutcome) -> Void) {
        let cancel = ProbeCancellation()
        lock.withLock { running[id] = cancel }
        Task.detached { [self] in
            let outcome = await prober.run(spec, cancel: cancel)
            lock.withLock { _ = running.removeValue(forKey: id) }
            // Recorded before it is shown: a verdict on screen is never missing from the journal.
            if let journal, case .cancelled? = outcome.failure {} else if let journal {
                try? journal.record(ProbeJournal.entry(outcome))
            }
            completion(outcome)
        }
    }

    func cancel(id: Int) {
        let c = lock.withLock { running[id] }
        c?.cancel()
    }
}

/// Runs async work from synchronous code (ArgumentParser's `run`, the TUI's set-up).
enum Blocking {
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

    static func run(_ work: @escaping @Sendable () async -> Void) {
        let sem = DispatchSemaphore(value: 0)
        Task.detached {
            await work()
            sem.signal()
        }
        sem.wait()
    }
}
