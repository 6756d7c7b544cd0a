import ErrscopeCLI
import ErrscopeJournal
import Foundation
import Testing

/// A fresh folder for one test's journal, removed when the value goes away.
private final class JournalDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-journal-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String = "journal.sqlite") -> String { url.appendingPathComponent(name).path }
}

private func cli(_ arguments: [String]) -> ErrscopeCLI.Result {
    cliLock.lock()
    defer { cliLock.unlock() }
    return ErrscopeCLI.run(arguments: arguments)
}

private func sample(
    _ n: Int, time: Date = Date(timeIntervalSince1970: 1_750_000_000), endpoint: String? = "bodhi-demo/bad-model",
    status: Int? = 404, body: String = #"{"error":{"code":"model_not_found"}}"#
) -> JournalEntry {
    JournalEntry(
        time: time, endpoint: endpoint, method: "POST", url: "http://127.0.0.1:8080/v1/chat/completions?n=\(n)",
        requestHeaders: [["authorization", "Bearer [redacted]"], ["content-type", "application/json"]],
        requestBody: #"{"model":"nope"}"#, status: status, failure: status == nil ? "connection refused" : nil,
        connectMs: 1.5, firstByteMs: 12.25, totalMs: 13.75,
        responseHeaders: status == nil ? [] : [["content-type", "application/json"], ["x-request-id", "req-\(n)"]],
        body: Data(body.utf8), system: "bodhi", envelope: "bodhi", code: status == nil ? nil : "model_not_found",
        known: status != nil, summary: status.map { "\($0) bodhi model_not_found" } ?? "connection refused",
        verdict: #"{"system":"bodhi","code":"model_not_found"}"#)
}

/// `|` not preceded by a backslash: the cell separators of a Markdown table row.
private func unescapedPipes(_ line: String) -> Int {
    var count = 0
    var previous: Character = " "
    for c in line {
        if c == "|" && previous != "\\" { count += 1 }
        previous = c
    }
    return count
}

@Suite("Journal")
struct JournalTests {
    @Test func recordsAndReadsBackEveryField() throws {
        let dir = try JournalDir()
        let journal = try Journal(path: dir.path())
        #expect(try journal.count() == 0)
        #expect(try journal.list().isEmpty)

        // An arbitrary Date (not a round number) must come back exactly.
        var entry = sample(1, time: Date())
        entry.body = Data([0x7B, 0xFF, 0x00, 0x7D])  // not UTF-8, with a NUL: stored as bytes
        entry.bodyBytes = 4
        let id = try journal.record(entry)
        #expect(id > 0)
        entry.id = id
        #expect(try journal.entry(id: id) == entry)
        #expect(try journal.list() == [entry])
        #expect(try journal.count() == 1)
        #expect(try journal.entry(id: id + 100) == nil)

        // A transport failure: no status, no response, nils everywhere they are allowed.
        var failed = JournalEntry(time: Date(timeIntervalSince1970: 1_750_000_100), method: "GET", url: "http://127.0.0.1:9/",
                                  failure: "connection refused", totalMs: 0.4, summary: "connection refused")
        failed.id = try journal.record(failed)
        #expect(try journal.entry(id: failed.id!) == failed)
        #expect(try journal.count() == 2)
    }

    @Test func createsFoldersAndAPrivateFile() throws {
        let dir = try JournalDir()
        let path = dir.path("state/errscope/journal.sqlite")
        _ = try Journal(path: path)
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: path))
        let folder = try fm.attributesOfItem(atPath: dir.path("state/errscope"))
        #expect((folder[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let file = try fm.attributesOfItem(atPath: path)
        #expect((file[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func capsTheBodyAndKeepsTheFullSize() throws {
        let dir = try JournalDir()
        let journal = try Journal(path: dir.path(), bodyCap: 16)
        let big = String(repeating: "x", count: 100)
        let id = try journal.record(sample(1, body: big))
        let stored = try #require(try journal.entry(id: id))
        #expect(stored.body == Data(big.utf8.prefix(16)))
        #expect(stored.bodyBytes == 100)
        #expect(stored.bodyIsCapped)

        // A caller that capped the body itself passes the full size.
        var precapped = sample(2, body: "0123456789")
        precapped.bodyBytes = 1_000_000
        let id2 = try journal.record(precapped)
        let stored2 = try #require(try journal.entry(id: id2))
        #expect(stored2.body.count == 10)
        #expect(stored2.bodyBytes == 1_000_000)

        // The default cap is 256 KiB.
        let roomy = try Journal(path: dir.path("other.sqlite"))
        #expect(roomy.bodyCap == 256 * 1024)
        let huge = Data(repeating: 0x61, count: 300 * 1024)
        var e = sample(3)
        e.body = huge
        e.bodyBytes = huge.count
        let id3 = try roomy.record(e)
        let stored3 = try #require(try roomy.entry(id: id3))
        #expect(stored3.body.count == 256 * 1024)
        #expect(stored3.bodyBytes == 300 * 1024)
    }

    @Test func listsNewestFirstWithFilters() throws {
        let dir = try JournalDir()
        let journal = try Journal(path: dir.path())
        let t0 = Date(timeIntervalSince1970: 1_750_000_000)
        // Recorded out of time order: the list follows the probes' times, not the ids.
        let a = try journal.record(sample(1, time: t0, endpoint: "one"))
        let c = try journal.record(sample(3, time: t0.addingTimeInterval(20), endpoint: "one"))
        let b = try journal.record(sample(2, time: t0.addingTimeInterval(10), endpoint: "two"))
        let d = try journal.record(sample(4, time: t0.addingTimeInterval(30), endpoint: nil))

        #expect(try journal.list().map(\.id) == [d, c, b, a])
        #expect(try journal.list(limit: 2).map(\.id) == [d, c])
        #expect(try journal.list(limit: 0).count == 4)
        #expect(try journal.list(endpoint: "one").map(\.id) == [c, a])
        #expect(try journal.list(endpoint: "nowhere").isEmpty)
        #expect(try journal.list(since: t0.addingTimeInterval(10)).map(\.id) == [d, c, b])
        #expect(try journal.list(limit: 1, endpoint: "one", since: t0.addingTimeInterval(5)).map(\.id) == [c])
        #expect(try journal.list().last?.endpoint == "one")
        #expect(try journal.list().first?.endpoint == nil)
    }

    @Test func survivesClosingAndReopening() throws {
        let dir = try JournalDir()
        let path = dir.path()
        var ids: [Int64] = []
        do {
            let journal = try Journal(path: path)
            ids.append(try journal.record(sample(1)))
            ids.append(try journal.record(sample(2, status: nil)))
            try journal.close()
            #expect(throws: JournalError.self) { try journal.count() }
        }
        do {
            // Dropped without close: deinit closes.
            let journal = try Journal(path: path)
            #expect(try journal.count() == 2)
            ids.append(try journal.record(sample(3)))
        }
        let journal = try Journal(path: path)
        #expect(try journal.count() == 3)
        #expect(Set(try journal.list().compactMap(\.id)) == Set(ids))
        #expect(try journal.entry(id: ids[1])?.failure == "connection refused")
        // Ids keep growing: never reused.
        #expect(try journal.record(sample(4)) > ids.max()!)
    }

    @Test func twoInstancesOnOneFile() async throws {
        let dir = try JournalDir()
        let path = dir.path()
        let writer = try Journal(path: path)
        let reader = try Journal(path: path)
        let writing = Task.detached {
            for i in 0..<60 { try writer.record(sample(i, time: Date(timeIntervalSince1970: 1_750_000_000 + Double(i)))) }
        }
        var last = 0
        for _ in 0..<100 {
            let n = try reader.count()
            #expect(n >= last)
            last = n
            let page = try reader.list(limit: 5)
            #expect(page.count <= 5)
            #expect(page.map(\.time) == page.map(\.time).sorted(by: >))
        }
        try await writing.value
        #expect(try reader.count() == 60)
        #expect(try reader.list(limit: 1).first?.url.hasSuffix("n=59") == true)

        // Both writing at once: SQLite's lock and the busy timeout serialize them.
        let one = Task.detached { for i in 0..<25 { try writer.record(sample(100 + i)) } }
        let two = Task.detached { for i in 0..<25 { try reader.record(sample(200 + i)) } }
        try await one.value
        try await two.value
        #expect(try writer.count() == 110)
    }

    @Test func corruptFileThrowsNamingThePath() throws {
        let dir = try JournalDir()
        let path = dir.path()
        try Data(String(repeating: "this is not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try Journal(path: path)
            Issue.record("opening garbage should throw")
        } catch let error as JournalError {
            #expect(error.path == path)
            #expect(error.description.contains(path))
            #expect(error.description.contains("not an SQLite database"))
        }
        // The file is left alone for the user to look at.
        #expect(FileManager.default.contents(atPath: path)?.count == 23 * 200)
    }

    @Test func unusablePathsThrowNamingThePath() throws {
        let dir = try JournalDir()
        // A folder where the file should be.
        try FileManager.default.createDirectory(atPath: dir.path("folder.sqlite"), withIntermediateDirectories: false)
        #expect(throws: JournalError.self) { try Journal(path: dir.path("folder.sqlite")) }
        // A file where the folder should be.
        #expect(FileManager.default.createFile(atPath: dir.path("plain"), contents: Data("x".utf8)))
        do {
            _ = try Journal(path: dir.path("plain/journal.sqlite"))
            Issue.record("a file as the folder should throw")
        } catch let error as JournalError {
            #expect(error.description.contains(dir.path("plain/journal.sqlite")))
        }
    }

    @Test func defaultPathFollowsTheEnvironment() {
        #expect(Journal.defaultPath(environment: ["ERRSCOPE_STATE_DIR": "/s", "XDG_STATE_HOME": "/x", "HOME": "/h"]) == "/s/journal.sqlite")
        #expect(Journal.defaultPath(environment: ["XDG_STATE_HOME": "/x/", "HOME": "/h"]) == "/x/errscope/journal.sqlite")
        #expect(Journal.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"]) == "/h/.local/state/errscope/journal.sqlite")
        #expect(Journal.defaultPath(environment: ["ERRSCOPE_STATE_DIR": "", "HOME": "/h"]) == "/h/.local/state/errscope/journal.sqlite")
    }
}

@Suite("Journal Markdown")
struct JournalMarkdownTests {
    @Test func tableEscapesPipesAndEverythingDropsTerminalControls() throws {
        var e = sample(1)
        e.id = 7
        e.endpoint = "demo|pipe"
        e.url = "http://127.0.0.1/a|b"
        e.code = "rate|limit"
        e.summary = "429 \u{1B}]0;pwned\u{07}x | y \u{1B}[31mred\u{1B}[0m"
        e.body = Data("{\"error\":\"\u{1B}[2Jboom | bang\u{9B}2J\"}".utf8)
        e.responseHeaders = [["x-evil", "\u{1B}[2J"]]
        e.verdict = "{\"message\":\"\u{1B}[2J\"}"
        let md = Journal.markdown([e])
        #expect(!md.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(!md.contains("[2J"))
        #expect(!md.contains("pwned"))

        let row = try #require(md.split(separator: "\n").first { $0.hasPrefix("| 7 |") }.map(String.init))
        #expect(unescapedPipes(row) == 9)  // 8 columns
        #expect(row.contains("demo\\|pipe"))
        #expect(row.contains("a\\|b"))
        #expect(row.contains("rate\\|limit"))
        #expect(row.contains("x \\| y red"))
        #expect(md.hasPrefix("# errscope probe timeline\n"))
        #expect(md.contains("boom | bang"))  // inside the fenced body, not a table
    }

    @Test func oldestFirstWithSectionsAndTruncatedBodies() throws {
        let t0 = Date(timeIntervalSince1970: 1_750_000_000)
        var newer = sample(2, time: t0.addingTimeInterval(60), body: String(repeating: "y", count: 5000))
        newer.id = 2
        var older = sample(1, time: t0, status: nil)
        older.id = 1
        var fenced = sample(3, time: t0.addingTimeInterval(120), body: "```\nnot the end\n```")
        fenced.id = 3
        let md = Journal.markdown([fenced, newer, older], title: "Incident 42")
        #expect(md.hasPrefix("# Incident 42\n"))
        #expect(md.contains("3 probes from 2025-06-15 15:06:40.000 to 2025-06-15 15:08:40.000 UTC."))
        let s1 = try #require(md.range(of: "## #1 · "))
        let s2 = try #require(md.range(of: "## #2 · "))
        let s3 = try #require(md.range(of: "## #3 · "))
        #expect(s1.lowerBound < s2.lowerBound && s2.lowerBound < s3.lowerBound)
        #expect(md.contains("**No response:** connection refused"))
        #expect(md.contains("**Timings:** connect 1.5 ms · first byte 12.2 ms · total 13.8 ms") ||
                md.contains("**Timings:** connect 1.5 ms · first byte 12.3 ms · total 13.8 ms"))
        #expect(md.contains(String(repeating: "y", count: 2048)))
        #expect(!md.contains(String(repeating: "y", count: 2049)))
        #expect(md.contains("showing the first 2048 of 5000 bytes"))
        // A body holding a fence gets a longer one.
        #expect(md.contains("````json\n```\nnot the end\n```\n````"))
        #expect(md.contains("x-request-id: req-2"))
        #expect(md.contains("authorization: Bearer [redacted]"))
        #expect(md.contains(#"{"system":"bodhi","code":"model_not_found"}"#))
        #expect(Journal.markdown([]).contains("No probes recorded."))
    }
}

@Suite("Journal CLI", .serialized)
struct JournalCLITests {
    /// A journal with three probes: ids 1 (404), 2 (transport failure), 3 (429, other endpoint).
    private func seeded(_ dir: JournalDir) throws -> String {
        let path = dir.path()
        let journal = try Journal(path: path)
        let now = Date()
        try journal.record(sample(1, time: now.addingTimeInterval(-7200)))
        try journal.record(sample(2, time: now.addingTimeInterval(-60), endpoint: nil, status: nil))
        var limited = sample(3, time: now.addingTimeInterval(-30), endpoint: "openai/rate", status: 429,
                             body: "{\"error\":{\"message\":\"slow \u{1B}[2J down\"}}")
        limited.code = "rate_limit_exceeded"
        limited.summary = "429 openai rate_limit_exceeded — retry in 30s"
        try journal.record(limited)
        return path
    }

    @Test func listWithoutAJournal() throws {
        let dir = try JournalDir()
        let path = dir.path("missing/journal.sqlite")
        let r = cli(["journal", "list", "--journal", path])
        #expect(r.exitCode == 0)
        #expect(r.stdout == "no probes recorded yet (journal: \(path))\n")
        #expect(!FileManager.default.fileExists(atPath: path))  // reading never creates one
        let j = cli(["journal", "list", "--json", "--journal", path])
        #expect(j.exitCode == 0)
        #expect(j.stdout == "[]\n")
    }

    @Test func listText() throws {
        let dir = try JournalDir()
        let path = try seeded(dir)
        let r = cli(["journal", "list", "--journal", path])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ID  TIME ") == true)
        #expect(lines.first?.contains("ENDPOINT / REQUEST") == true)
        #expect(lines[1].hasPrefix(" 3  "))
        #expect(lines[1].contains("openai/rate"))
        #expect(lines[1].contains("429"))
        #expect(lines[1].contains("rate_limit_exceeded"))
        #expect(lines[1].contains("13.8"))
        #expect(lines[2].contains("POST http://127.0.0.1:8080/v1/chat/completions?n=2"))
        #expect(lines[2].contains("fail"))
        #expect(lines[3].hasPrefix(" 1  "))
        #expect(lines.last == "3 of 3 probes (journal: \(path))")
        // Columns line up: the status column starts at the same offset on every row.
        let statusColumn = try #require(lines[0].range(of: "STATUS")).lowerBound.utf16Offset(in: lines[0])
        for line in lines[1...3] {
            let i = line.index(line.startIndex, offsetBy: statusColumn)
            #expect(line[i...].hasPrefix("429") || line[i...].hasPrefix("fail") || line[i...].hasPrefix("404"))
        }

        let filtered = cli(["journal", "list", "--endpoint", "bodhi-demo/bad-model", "-n", "5", "--journal", path])
        #expect(filtered.stdout.split(separator: "\n").count == 3)
        #expect(filtered.stdout.contains("1 of 3 probes"))
        let none = cli(["journal", "list", "--endpoint", "nowhere", "--journal", path])
        #expect(none.exitCode == 0)
        #expect(none.stdout.contains("no probes of nowhere recorded"))
    }

    @Test func listJSON() throws {
        let dir = try JournalDir()
        let path = try seeded(dir)
        let r = cli(["journal", "list", "--json", "--limit", "2", "--journal", path])
        #expect(r.exitCode == 0)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        #expect((array[0]["id"] as? NSNumber)?.intValue == 3)
        #expect((array[0]["status"] as? NSNumber)?.intValue == 429)
        #expect(array[0]["code"] as? String == "rate_limit_exceeded")
        #expect(array[1]["status"] is NSNull)
        #expect(array[1]["failure"] as? String == "connection refused")
        #expect(array[0]["body"] == nil)
    }

    @Test func show() throws {
        let dir = try JournalDir()
        let path = try seeded(dir)
        let r = cli(["journal", "show", "3", "--journal", path])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("probe #3  "))
        #expect(r.stdout.contains("openai/rate"))
        #expect(r.stdout.contains("authorization: Bearer [redacted]"))
        #expect(r.stdout.contains("x-request-id: req-3"))
        #expect(r.stdout.contains("429 openai rate_limit_exceeded — retry in 30s"))
        #expect(r.stdout.contains("slow  down") || r.stdout.contains("slow \u{FFFD}"))
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(r.stdout.contains("\"system\": \"bodhi\""))  // the verdict, pretty

        let j = cli(["journal", "show", "3", "--json", "--journal", path])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect(o["body"] as? String == "{\"error\":{\"message\":\"slow \u{1B}[2J down\"}}")
        #expect((o["verdict"] as? [String: Any])?["code"] as? String == "model_not_found")
        #expect((o["request_headers"] as? [[String]])?.first == ["authorization", "Bearer [redacted]"])

        let missing = cli(["journal", "show", "99", "--journal", path])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains("no probe #99"))
        #expect(missing.stderr.contains(path))
        #expect(missing.stdout.isEmpty)

        let noJournal = cli(["journal", "show", "1", "--journal", dir.path("none.sqlite")])
        #expect(noJournal.exitCode == 1)
        #expect(noJournal.stderr.contains("no probes recorded yet"))
    }

    @Test func exportMarkdown() throws {
        let dir = try JournalDir()
        let path = try seeded(dir)
        let noFormat = cli(["journal", "export", "--journal", path])
        #expect(noFormat.exitCode == 64)
        #expect(noFormat.stderr.contains("--markdown"))

        let r = cli(["journal", "export", "--markdown", "--journal", path])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("# errscope probe timeline"))
        #expect(!r.stdout.contains("\u{1B}"))
        let s1 = try #require(r.stdout.range(of: "## #1 · "))
        let s3 = try #require(r.stdout.range(of: "## #3 · "))
        #expect(s1.lowerBound < s3.lowerBound)

        let recent = cli(["journal", "export", "--markdown", "--since", "1h", "--journal", path])
        #expect(!recent.stdout.contains("## #1 · "))
        #expect(recent.stdout.contains("## #2 · "))
        #expect(recent.stdout.contains("## #3 · "))

        let iso = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-45))
        let sinceISO = cli(["journal", "export", "--markdown", "--since", iso, "--journal", path])
        #expect(sinceISO.exitCode == 0, "\(sinceISO.stderr)")
        #expect(sinceISO.stdout.contains("1 probe from"))

        let badSince = cli(["journal", "export", "--markdown", "--since", "yesterday", "--journal", path])
        #expect(badSince.exitCode == 64)
        #expect(badSince.stderr.contains("--since"))

        let limited = cli(["journal", "export", "--markdown", "-n", "1", "--journal", path])
        #expect(limited.stdout.contains("## #3 · "))
        #expect(!limited.stdout.contains("## #2 · "))
        #expect(limited.stderr.contains("exporting the newest 1"))

        let file = dir.path("timeline.md")
        let written = cli(["journal", "export", "--markdown", "-o", file, "--journal", path])
        #expect(written.exitCode == 0)
        #expect(written.stdout == "wrote 3 probes to \(file)\n")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("| 3 |"))
        #expect(text.hasSuffix("\n"))
    }

    @Test func corruptJournalIsAClearError() throws {
        let dir = try JournalDir()
        let path = dir.path()
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
        for args in [["journal", "list"], ["journal", "show", "1"], ["journal", "export", "--markdown"]] {
            let r = cli(args + ["--journal", path])
            #expect(r.exitCode == 66, "\(args)")
            #expect(r.stderr.contains("journal \(path): not an SQLite database"), "\(args): \(r.stderr)")
        }
    }
}

@Suite("Journal: the incident pane's counts beside the probes")
struct JournalIncidentTests {
    @Test func samplesRoundTripAndTheExportJoinsThemWithTheProbes() throws {
        let dir = try JournalDir()
        let journal = try Journal(path: dir.path())
        let t0 = Date(timeIntervalSince1970: 1_750_000_020)
        let samples = [
            IncidentSample(time: t0, source: "/var/log/gw.log", label: "anthropic/overloaded_error", system: "anthropic", code: "overloaded_error",
                           category: "overloaded", http: 529, count: 40),
            IncidentSample(time: t0.addingTimeInterval(10), source: "/var/log/gw.log", label: "anthropic/overloaded_error", system: "anthropic",
                           code: "overloaded_error", category: "overloaded", http: 529, count: 17),
            IncidentSample(time: t0.addingTimeInterval(70), source: "/var/log/gw.log", label: "openai/rate_limit_exceeded", system: "openai",
                           code: "rate_limit_exceeded", category: "rate_limit", http: 429, count: 3),
        ]
        try journal.record(incident: samples)
        #expect(try journal.incidentSamples() == samples)
        #expect(try journal.incidentSamples(since: t0.addingTimeInterval(60)).count == 1)
        var probe = sample(1, time: t0.addingTimeInterval(30))
        probe.id = 1
        probe.summary = "529 · anthropic · overloaded_error · overloaded · retryable"
        let md = Journal.markdown([probe], incident: try journal.incidentSamples())
        #expect(md.contains("## Timeline: logs and probes"))
        #expect(md.contains("60 error lines counted by the incident pane in `/var/log/gw.log`"))
        // The two samples of one minute are one row; the probe sits between the two minutes.
        let lines = md.split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.contains("57× `anthropic/overloaded_error` (529, overloaded)") })
        let probeRow = try #require(lines.firstIndex { $0.contains("probe #1") && $0.contains("529 · anthropic") })
        let second = try #require(lines.firstIndex { $0.contains("3× `openai/rate_limit_exceeded` (429, rate_limit)") })
        #expect(first < probeRow && probeRow < second)
        #expect(unescapedPipes(lines[first]) == 4, "three cells")
    }

    @Test func reopeningKeepsProbesAndSamples() throws {
        let dir = try JournalDir()
        let journal = try Journal(path: dir.path())
        try journal.record(sample(1))
        try journal.close()
        let again = try Journal(path: dir.path())
        #expect(try again.count() == 1)
        try again.record(incident: [IncidentSample(time: Date(), source: "-", label: "x", system: nil, code: nil, category: nil, http: nil, count: 1)])
        #expect(try again.incidentSamples().count == 1)
    }
}
