import ErrscopeDemo
import ErrscopeJournal
import Foundation
import Testing

/// `ErrscopeCLI.run` swaps process-wide output hooks: in-process CLI runs never overlap.
let cliLock = NSLock()

/// The real `errscope` binary as a subprocess (a probe is a whole-process affair: exit codes,
/// the journal surviving `kill -9`), against the demo server running in this test process.
enum Binary {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/errscope").path
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func start(_ args: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = FileManager.default.temporaryDirectory.path  // never the developer's config or journal
        env.removeValue(forKey: "XDG_CONFIG_HOME")
        env.removeValue(forKey: "XDG_STATE_HOME")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try p.run()
        return (p, out, err)
    }

    static func run(_ args: [String], environment: [String: String] = [:]) throws -> Result {
        let (p, out, err) = try start(args, environment: environment)
        let errData = ErrBox()
        let t = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        t.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        while p.isRunning { usleep(2_000) }
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: errData.wait(), as: UTF8.self))
    }

    /// Standard error, read on its own thread; handed over through a semaphore (ThreadSanitizer
    /// flagged the polled version).
    final class ErrBox: @unchecked Sendable {
        private var data = Data()
        private let ready = DispatchSemaphore(value: 0)
        func set(_ d: Data) { data = d; ready.signal() }
        func wait() -> Data { ready.wait(); return data }
    }
}

final class TempDir {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-probe-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

@Suite("errscope probe (the binary)", .serialized, .enabled(if: Binary.available))
struct ProbeCLITests {
    @Test func jsonVerdictWithTimingAndMaskedRequest() async throws {
        let port = try await SharedDemo.shared.start()
        let dir = try TempDir()
        let r = try Binary.run(["probe", "http://127.0.0.1:\(port)/scaigrid/v1/chat/completions", "-s", "scaigrid",
                                "-H", "Authorization: Bearer ${env:SG_TOKEN}", "-d", #"{"model":"nope","messages":[]}"#,
                                "--json", "--journal", dir.file("j.sqlite"), "--no-user-catalogs"],
                               environment: ["SG_TOKEN": "demo-token"])
        #expect(r.status == 4, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["code"] as? String == "MODEL_NOT_FOUND")
        #expect(o["envelope"] as? String != nil)
        let timing = try #require(o["timing"] as? [String: Any])
        #expect((timing["total_ms"] as? Double ?? 0) > 0)
        #expect(timing["first_byte_ms"] is Double && timing["connect_ms"] is Double)
        let request = try #require(o["request"] as? [String: Any])
        #expect((request["headers"] as? [String: Any])?["Authorization"] as? String == "Bearer ••••••")
        #expect(!r.stdout.contains("demo-token"))
        #expect(o["journal_id"] as? Int == 1)
        let journal = try Journal(path: dir.file("j.sqlite"))
        let e = try #require(try journal.entry(id: 1))
        #expect(e.status == 404 && e.code == "MODEL_NOT_FOUND")
        #expect(!e.requestHeaders.flatMap { $0 }.contains { $0.contains("demo-token") })
    }

    @Test func exitCodesAsXh() async throws {
        let port = try await SharedDemo.shared.start()
        let base = "http://127.0.0.1:\(port)"
        func status(_ args: [String]) throws -> Int32 { try Binary.run(["probe"] + args + ["--no-journal", "--no-user-catalogs"]).status }
        #expect(try status(["\(base)/bodhi/v1/models", "-H", "Authorization: Bearer demo-token"]) == 0)
        #expect(try status(["\(base)/misbehave/redirect-loop"]) == 3)
        #expect(try status(["\(base)/bodhi/v1/models"]) == 4)
        #expect(try status(["\(base)/misbehave/html-502"]) == 5)
        #expect(try status(["\(base)/misbehave/slow", "--timeout", "0.3"]) == 2)
        #expect(try status(["http://127.0.0.1:\(try freePort())/"]) == 1)
        #expect(try status(["\(base)/misbehave/redirect-loop", "-L"]) == 6)
        #expect(try status(["no-such-endpoint"]) == 64)
    }

    @Test func savedRequestsCurlAndWatch() async throws {
        let port = try await SharedDemo.shared.start()
        let dir = try TempDir()
        let yaml = DemoServer.endpointsYAML(port: port).replacingOccurrences(of: "Bearer demo-token", with: "Bearer ${env:DEMO_TOKEN}")
        try yaml.write(toFile: dir.file("endpoints.yaml"), atomically: true, encoding: .utf8)
        let env = ["DEMO_TOKEN": "demo-token"]
        let text = try Binary.run(["probe", "bodhi-demo/unknown-model", "--endpoints", dir.file("endpoints.yaml"), "--no-journal", "--no-user-catalogs"], environment: env)
        #expect(text.status == 4, "\(text.stderr)")
        #expect(text.stdout.contains("data_service_error-alias_not_found"))
        #expect(text.stdout.contains("first byte"))
        let curl = try Binary.run(["probe", "bodhi-demo/unknown-model", "--endpoints", dir.file("endpoints.yaml"), "--curl"])
        #expect(curl.status == 0)
        #expect(curl.stdout.hasPrefix("curl "))
        #expect(curl.stdout.contains(#""Authorization: Bearer ${DEMO_TOKEN}""#), "\(curl.stdout)")
        let watch = try Binary.run(["probe", "bodhi-demo/ok", "--endpoints", dir.file("endpoints.yaml"), "--watch", "0.1", "--count", "3",
                                    "--no-journal", "--no-user-catalogs"], environment: env)
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(watch.stdout.split(separator: "\n").count == 3)
        // Watch mode on a stream that fails after three events: every line says so.
        let streamWatch = try Binary.run(["probe", "llama-cpp-demo/stream-fail", "--endpoints", dir.file("endpoints.yaml"), "--watch", "0.1",
                                          "--count", "2", "--no-journal", "--no-user-catalogs"], environment: env)
        let lines = streamWatch.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(streamWatch.stdout)\(streamWatch.stderr)")
        #expect(lines.allSatisfy { $0.contains("stream error at event 4") && $0.contains("context_length") && $0.contains("do not retry") })
        // One probe with --stream: the timing line has the first and the error event.
        let streamed = try Binary.run(["probe", "vllm-demo/ok", "--endpoints", dir.file("endpoints.yaml"), "--stream", "-H", "x-demo-scenario: stream-fail",
                                       "--no-journal", "--no-user-catalogs"], environment: env)
        #expect(streamed.stdout.contains("first event") && streamed.stdout.contains("error event"), "\(streamed.stdout)")
        #expect(streamed.stdout.contains("the error is event 4"))
        let unset = try Binary.run(["probe", "bodhi-demo/ok", "--endpoints", dir.file("endpoints.yaml"), "--no-journal", "--no-user-catalogs"])
        #expect(unset.status == 1)
        #expect(unset.stdout.contains("DEMO_TOKEN"))
    }

    /// A probe that printed its verdict is in the journal, even when the process is killed with
    /// SIGKILL the moment the line appears.
    @Test func journalSurvivesKillDashNine() async throws {
        let port = try await SharedDemo.shared.start()
        let dir = try TempDir()
        let journalPath = dir.file("journal.sqlite")
        let (p, out, _) = try Binary.start(["probe", "http://127.0.0.1:\(port)/bodhi/v1/models", "--watch", "0.1", "--json",
                                            "--journal", journalPath, "--no-user-catalogs"])
        var seen: [Int] = []
        var buffer = Data()
        let handle = out.fileHandleForReading
        while seen.count < 5 {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let nl = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<nl]
                buffer = Data(buffer[buffer.index(after: nl)...])
                if let o = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let id = o["journal_id"] as? Int { seen.append(id) }
            }
        }
        kill(p.processIdentifier, SIGKILL)
        while p.isRunning { usleep(2_000) }
        #expect(seen.count >= 5)
        let journal = try Journal(path: journalPath)
        for id in seen { #expect(try journal.entry(id: Int64(id)) != nil, "probe #\(id) was printed but is not in the journal") }
        #expect(try journal.count() >= seen.count)
        // The journal reopens cleanly (no recovery error) and takes new probes.
        let again = try Binary.run(["probe", "http://127.0.0.1:\(port)/bodhi/v1/models", "--journal", journalPath, "--no-user-catalogs"])
        #expect(again.status == 4)
        #expect(try journal.count() >= seen.count + 1)
    }
}
