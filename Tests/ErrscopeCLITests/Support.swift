import ErrscopeCLI
import Foundation
import Testing

/// `ErrscopeCLI.run` swaps process-wide output hooks while it runs, so two invocations must
/// never overlap: every test goes through `CLI.run`, which holds this lock.
let cliLock = NSLock()

enum CLI {
    /// How many systems and envelopes the bundled catalogs hold.
    static let bundledCounts: (systems: Int, envelopes: Int) = {
        let json = (try? JSONSerialization.jsonObject(with: Data(run(["catalog", "list", "--json"]).stdout.utf8))) as? [[String: Any]] ?? []
        let envs = (try? JSONSerialization.jsonObject(with: Data(run(["envelopes", "--json"]).stdout.utf8))) as? [[String: Any]] ?? []
        return (json.count, envs.filter { $0["id"] as? String != "none" }.count)
    }()

    struct Run {
        var exitCode: Int32
        var stdout: String
        var stderr: String

        /// stdout parsed as JSON (JSONSerialization), or a recorded failure.
        func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
            let data = try #require(stdout.data(using: .utf8), sourceLocation: sourceLocation)
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        }

        func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
            try #require(try json(sourceLocation: sourceLocation) as? [String: Any], sourceLocation: sourceLocation)
        }

        func array(sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
            try #require(try json(sourceLocation: sourceLocation) as? [[String: Any]], sourceLocation: sourceLocation)
        }
    }

    /// Runs errscope in-process. `--no-user-catalogs` is appended so the developer's own
    /// catalogs never leak into a test (`catalog lint` has no such flag: it only reads the
    /// paths it is given, and the tests always give paths).
    static func run(_ arguments: [String], stdin: String? = nil, width: Int = 120) -> Run {
        cliLock.lock()
        defer { cliLock.unlock() }
        return runUnlocked(arguments, stdin: stdin, width: width)
    }

    /// `run` without taking `cliLock`: only for a caller that already holds it.
    static func runUnlocked(_ arguments: [String], stdin: String? = nil, width: Int = 120) -> Run {
        var args = arguments
        if !(args.count >= 2 && args[0] == "catalog" && args[1] == "lint") {
            args.append("--no-user-catalogs")
        }
        let r = ErrscopeCLI.run(arguments: args, stdin: stdin, width: width)
        return Run(exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr)
    }

    /// `decode --json` of a body (read from standard input), parsed.
    static func decodeJSON(_ body: String, _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws
        -> (verdict: [String: Any], exitCode: Int32)
    {
        let r = run(["decode", "--json"] + extra, stdin: body)
        return (try r.object(sourceLocation: sourceLocation), r.exitCode)
    }
}

/// A fresh temporary directory, removed when the value goes away.
final class TempDir {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}

// MARK: - Reading parsed JSON

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    func double(_ key: String) -> Double? { (self[key] as? NSNumber)?.doubleValue }
    func bool(_ key: String) -> Bool? { self[key] as? Bool }
    func isNull(_ key: String) -> Bool { self[key] is NSNull }
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func objects(_ key: String) -> [[String: Any]]? { self[key] as? [[String: Any]] }
    func strings(_ key: String) -> [String]? { self[key] as? [String] }
    /// An `http` value: an integer, or a list of alternatives.
    func statuses(_ key: String = "http") -> [Int] {
        if let n = self[key] as? NSNumber { return [n.intValue] }
        if let a = self[key] as? [NSNumber] { return a.map(\.intValue) }
        return []
    }
}

/// ESC, BEL and the C1 CSI/OSC introducers: none may reach a terminal from untrusted input.
func containsTerminalControl(_ s: String) -> Bool {
    s.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B || $0.value == 0x9D }
}

struct ErrscopeCLIResult: Sendable {
    var exitCode: Int32
    var stdout: String
}

/// A value set by another thread.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T? { lock.lock(); defer { lock.unlock() }; return value }
}
