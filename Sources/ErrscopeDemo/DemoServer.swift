import ErrscopeCore
import Foundation
import Hummingbird
import ServiceLifecycle
import Logging
import NIOCore

/// Why a demo server could not be created or started.
public enum DemoServerError: Error, CustomStringConvertible, Sendable {
    /// The catalog lacks a seed system the server imitates.
    case missingSystems([String])
    /// The trigger table names codes the catalog does not have (`system: code`).
    case missingCodes([String])
    /// Binding the socket failed (port in use, no permission, bad host).
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .missingSystems(let s):
            return "the catalog has no \(s.joined(separator: ", ")) system; the demo server needs the bundled seed catalogs"
        case .missingCodes(let c):
            return "the demo server's trigger table names codes the catalog lacks: \(c.joined(separator: "; "))"
        case .cannotListen(let host, let port, let reason):
            return "cannot listen on \(host):\(port): \(reason)"
        }
    }
}

/// A local HTTP server that answers like the five seed systems, from the catalog: each under
/// `/<system-id>` plus that system's own paths, in the envelope its catalog gives for the path.
/// `GET /` lists the routes. See `routeIndex()`.
public final class DemoServer: Sendable {
    /// The five seed system ids served, in order.
    public static let systems: [String] = SystemProfile.table.map(\.id)
    /// The real providers imitated (bodies and streams as their servers send them), in order.
    public static let providers: [String] = ProviderEmulation.table.map(\.id)
    /// The token every system accepts.
    public static let token = "demo-token"
    /// The models every system knows; any other model is unknown.
    public static let models = ["demo-model", "gpt-4o-mini", "claude-3-5-haiku", "gemini-1.5-flash"]

    let core: DemoCore
    let host: String
    let port: Int
    private let state = Locked<RunState>(RunState())

    struct RunState {
        var task: Task<Void, Never>?
        var group: ServiceGroup?
        var boundPort: Int?
    }

    /// - Parameters:
    ///   - requestsPerSecond: requests with a valid token a system accepts within any window
    ///     before it answers 429.
    ///   - window: the window's length in seconds (1; tests on a loaded machine use longer ones).
    /// - Throws: `DemoServerError` when the catalog lacks a seed system or a code of the trigger table.
    public init(catalog: Catalog, host: String = "127.0.0.1", port: Int = 0, requestsPerSecond: Int = 5, window: TimeInterval = 1) throws {
        self.core = try DemoCore(catalog: catalog, requestsPerSecond: requestsPerSecond, window: window)
        self.host = host
        self.port = port
    }

    /// Starts listening in the background and returns the bound port (port 0 = any free port).
    /// Returns once the socket is listening; throws `DemoServerError.cannotListen` when it cannot.
    public func start() async throws -> Int {
        if let p = state.withLock({ $0.boundPort }) { return p }
        let (ready, readyContinuation) = AsyncStream<Int>.makeStream()
        let failure = Locked<(any Error)?>(nil)
        let responder = DemoResponder(core: core)
        let configuration = ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil)
        var logger = Logger(label: "errscope-demo")
        logger.logLevel = .critical
        let quietLogger = logger
        let app = Application(
            responder: responder, configuration: configuration,
            onServerRunning: { channel in
                readyContinuation.yield(channel.localAddress?.port ?? 0)
                readyContinuation.finish()
            },
            logger: quietLogger)
        // Run under a service group so that stop() can shut down gracefully: cancelling the
        // server task outright while accepted connections wait in its queue trips a NIO
        // precondition ("Deinited NIOAsyncWriter without calling finish()") and kills the process.
        var groupConfig = ServiceGroupConfiguration(services: [.init(service: app)], logger: quietLogger)
        // A slow or huge response still in flight half a second after stop() is abandoned.
        groupConfig.maximumGracefulShutdownDuration = .milliseconds(500)
        let group = ServiceGroup(configuration: groupConfig)
        let task = Task(executorPreference: DemoExecutor.shared) {
            do {
                try await group.run()
            } catch {
                failure.withLock { $0 = error }
            }
            // Ends `start()`'s wait when the server stopped (or never started).
            readyContinuation.finish()
        }
        for await bound in ready {
            state.withLock {
                $0.task = task
                $0.group = group
                $0.boundPort = bound
            }
            return bound
        }
        let error = failure.withLock { $0 }
        throw DemoServerError.cannotListen(host: host, port: port, reason: Self.describe(error))
    }

    /// Stops the server: it stops accepting and finishes what it is answering; a response still
    /// in flight after half a second (a slow or huge route) is abandoned.
    public func stop() async {
        let (task, group) = state.withLock { s -> (Task<Void, Never>?, ServiceGroup?) in
            defer { s = RunState() }
            return (s.task, s.group)
        }
        guard let task else { return }
        await group?.triggerGracefulShutdown()
        await task.value
    }

    /// The plain-text list of routes that `GET /` returns.
    public func routeIndex() -> String { core.routeIndex() }

    static func describe(_ error: (any Error)?) -> String {
        guard let error else { return "the server stopped before it was listening" }
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "address already in use"
            case EACCES: return "permission denied"
            case EADDRNOTAVAIL: return "address not available"
            default: return "\(io)"
            }
        }
        return "\(error)"
    }
}

/// A value behind a lock, for state shared between tasks.
// @unchecked Sendable: `value` is only touched under `lock`.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// The demo server's handlers run on their own threads, not the shared concurrency pool (as many
/// threads as cores): a process that blocks pool threads (the test runner's synchronous tests, a
/// CLI waiting on a semaphore) must not starve the server it is talking to. Child tasks (each
/// connection's) inherit this preference.
final class DemoExecutor: TaskExecutor, Sendable {
    static let shared = DemoExecutor()
    private let queue = DispatchQueue(label: "errscope.demo-server", qos: .userInitiated, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
