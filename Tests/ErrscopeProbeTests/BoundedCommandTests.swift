import ErrscopeCore
import ErrscopeProbe
import ErrscopeProbeClient
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Running (a killed process whose parent is gone can stay a zombie until PID 1 reaps it, and a
/// container's PID 1 may never do so).
private func alive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

private func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// `${cmd:}`: the time limit, the output limit and cancelling are enforced, and whatever the
/// command started dies with it.
@Suite("${cmd:} runs bounded")
struct BoundedCommandTests {
    @Test func aHangingCommandIsKilledAtTheLimitWithWhatItStarted() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-cmd-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let start = ContinuousClock.now
        // The shell starts `sleep` in the background and waits: `sleep` holds the output pipe.
        let r = BoundedCommand.run("sleep 100 & echo $! > '\(dir)'; wait", timeout: 0.5)
        #expect(r.ending == .timedOut(seconds: 0.5))
        #expect(seconds(since: start) < 2)
        let pid = try #require(Int32(try String(contentsOfFile: dir, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        usleep(50_000)
        #expect(!alive(pid), "the background sleep was killed with the group")
    }

    @Test func aCommandThatClosesItsOutputAndHangsIsStillStopped() {
        let start = ContinuousClock.now
        let r = BoundedCommand.run("exec >&- 2>&-; sleep 100", timeout: 0.4)
        #expect(r.ending == .timedOut(seconds: 0.4))
        #expect(seconds(since: start) < 2)
    }

    @Test func outputIsBounded() {
        let start = ContinuousClock.now
        let r = BoundedCommand.run("yes", maxOutput: 64 * 1024)
        #expect(r.ending == .outputTooLarge(limit: 64 * 1024))
        #expect(r.output.isEmpty)
        #expect(seconds(since: start) < 2)
    }

    @Test func cancellingStopsItAtOnce() {
        let flag = CancelFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { flag.set() }
        let start = ContinuousClock.now
        let r = BoundedCommand.run("sleep 100", isCancelled: { flag.isSet })
        #expect(r.ending == .cancelled)
        #expect(seconds(since: start) < 1)
    }

    @Test func normalCommandsKeepTheirOutputAndStatus() {
        #expect(BoundedCommand.run("printf 'tok-123\\n'") == BoundedCommand.Result(ending: .exited(0), output: "tok-123\n", error: ""))
        let failed = BoundedCommand.run("echo nope >&2; exit 3")
        #expect(failed.ending == .exited(3) && failed.error == "nope\n")
        // Standard input is /dev/null: a command that reads it does not hang.
        #expect(BoundedCommand.run("cat", timeout: 2).ending == .exited(0))
    }

    @Test func theResolverSaysWhatHappened() {
        let slow = SecretResolver(environment: [:]) { c, cancel in BoundedCommand.run(c, timeout: 0.3, isCancelled: cancel) }
        #expect(throws: SecretResolver.Failure.self) { _ = try slow.resolve("Bearer ${cmd:sleep 100}", where: "header Authorization") }
        do { _ = try slow.resolve("Bearer ${cmd:sleep 100}", where: "header Authorization") } catch {
            #expect(error.description.contains("did not finish within 0.3 s"), "\(error)")
            #expect(error.description.hasPrefix("header Authorization"))
        }
        do { _ = try SecretResolver(environment: [:]).resolve("${cmd:head -c 200000 /dev/zero}", where: "body") } catch {
            #expect(error.description.contains("more than 64 KiB"), "\(error)")
        }
    }

    @Test func cancellingAProbeStopsItsSecretCommand() async {
        let cancel = ProbeCancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.15) { cancel.cancel() }
        let start = ContinuousClock.now
        let spec = ProbeSpec(method: "GET", url: "http://127.0.0.1:9/", headers: [("Authorization", "Bearer ${cmd:sleep 100}")])
        let o = await Prober(catalog: probeCatalog).run(spec, cancel: cancel)
        #expect(o.failure == .cancelled)
        #expect(seconds(since: start) < 1.5)
    }
}

final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
