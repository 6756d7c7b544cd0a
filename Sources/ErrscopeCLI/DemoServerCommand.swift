import ArgumentParser
import ErrscopeCore
import ErrscopeDemo
import Foundation

struct DemoServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-server",
        abstract: "Serve the five seed systems on 127.0.0.1, answering from the catalog, to try the probe on.",
        discussion: """
            Each system answers under /<system-id> on its own paths and in its own envelopes:
            no or a bad token, an unknown model, malformed JSON and too many requests give that
            system's errors; the x-errscope-force: CODE header renders any catalog code.
            /misbehave/* holds routes that break clients (slow, huge, escapes, reset, ...).
            GET / lists every route. Runs until interrupted (Ctrl-C).
            """).topLevel

    @Option(help: ArgumentHelp("Port to listen on; 0 picks a free one.", valueName: "port"))
    var port: Int = 8089

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
    }

    func run() throws {
        // SIGINT and SIGTERM stop the server. Caught from the start: a signal that comes while the
        // catalog loads or the socket opens waits in the pipe and stops the server once it is up.
        let wakeUp = try InterruptPipe()
        let catalog = catalogOptions.load()
        let server: DemoServer
        do {
            server = try DemoServer(catalog: catalog, port: port)
        } catch {
            Output.warn("\(error)")
            throw ExitCode(1)
        }
        // The root command is synchronous: start the server on the concurrency pool and wait here.
        let started = Rendezvous<Result<Int, any Error>>()
        Task {
            do { started.put(.success(try await server.start())) } catch { started.put(.failure(error)) }
        }
        let bound: Int
        switch started.take() {
        case .success(let p): bound = p
        case .failure(let error):
            Output.warn("\(error)")
            throw ExitCode(1)
        }
        Output.line("errscope demo server on http://127.0.0.1:\(bound)")
        Output.line("")
        Output.line(server.routeIndex())
        fflush(nil)  // all C streams: the banner must reach a pipe at once

        wakeUp.wait()
        let stopped = DispatchSemaphore(value: 0)
        Task {
            await server.stop()
            stopped.signal()
        }
        stopped.wait()
        Output.line("errscope demo server stopped")
    }
}

/// Hands one value from a task to a waiting thread.
// @unchecked Sendable: its value is only touched under `condition`.
final class Rendezvous<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?

    func put(_ v: Value) {
        condition.lock()
        value = v
        condition.signal()
        condition.unlock()
    }

    func take() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}

/// Write end of the pipe `InterruptPipe` reads; the signal handler can only reach a global.
nonisolated(unsafe) private var interruptWriteFD: Int32 = -1

/// Waits for SIGINT or SIGTERM. A C handler writes a byte to a pipe (`write` is async-signal-safe);
/// libdispatch signal sources are not used because on Linux they miss signals set to SIG_IGN.
struct InterruptPipe {
    let readFD: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ExitCode(70) }
        readFD = fds[0]
        interruptWriteFD = fds[1]
        var mask = sigset_t()
        sigemptyset(&mask)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                var byte: UInt8 = 1
                _ = write(interruptWriteFD, &byte, 1)
            }
            sigaddset(&mask, sig)
        }
        // A parent may have started us with these signals blocked (the mask is inherited); threads
        // created from here on (the server's) inherit this thread's unblocked mask.
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    /// Blocks until a signal arrived.
    func wait() {
        var byte: UInt8 = 0
        while read(readFD, &byte, 1) < 0 && errno == EINTR {}
    }
}
