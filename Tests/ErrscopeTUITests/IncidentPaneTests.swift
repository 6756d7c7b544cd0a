@testable import ErrscopeTUI
import ErrscopeCore
import ErrscopeProbe
import Testing

/// Issue 12 §3: the incident pane, through `update` and on the cell buffer.
@Suite struct IncidentPaneTests {
    static let second: UInt64 = 1_000_000_000
    static let lines = [
        #"{"ts":"2026-12-06T03:00:01Z","status":429,"body":{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}}"#,
        #"{"ts":"2026-12-06T03:00:02Z","status":529,"body":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}}"#,
        #"{"ts":"2026-12-06T03:00:03Z","status":429,"body":{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}}"#,
    ]

    static func opened(width: Int = 120, height: Int = 40) -> AppState {
        var s = AppState(data: Fixtures.data, width: width, height: height, endpoints: ProbeFixtures.config)
        let effects = s.command("log /var/log/gateway.log")
        #expect(effects == [.followLog("/var/log/gateway.log")])
        return s
    }

    @Test func linesAreDecodedCountedAndShown() {
        var s = Self.opened()
        #expect(s.focus == .incident)
        s.send(.logData(Array((Self.lines.joined(separator: "\n") + "\n").utf8), now: 5 * Self.second))
        let rows = s.incident.rows()
        #expect(rows.count == 2)
        #expect(rows[0].group.label == "anthropic/rate_limit_error")
        #expect(rows[0].group.count == 2)
        #expect(rows[0].group.http == 429)
        #expect(rows[0].group.category == .rateLimit)
        #expect(rows[0].group.first == "2026-12-06T03:00:01Z" && rows[0].group.last == "2026-12-06T03:00:03Z")
        #expect(rows[1].group.label == "anthropic/overloaded_error")
        let text = s.screen.text
        #expect(text.contains("▶ 5 Incident · gateway.log · 3 lines"))
        #expect(text.contains("count▼"))
        #expect(text.contains("anthropic/rate_limit_error"))
        #expect(text.contains("66.7%"))
        #expect(text.contains("03:00:01Z"))
    }

    @Test func aLineSplitAcrossReadsIsReadOnceWhole() {
        var s = Self.opened()
        let all = Array((Self.lines[0] + "\n" + Self.lines[1] + "\n").utf8)
        s.send(.logData(Array(all[..<50]), now: Self.second))
        #expect(s.incident.summary?.total == 0)
        s.send(.logData(Array(all[50..<200]), now: Self.second))
        #expect(s.incident.summary?.total == 1)
        s.send(.logData(Array(all[200...]), now: Self.second))
        #expect(s.incident.summary?.total == 2)
        #expect(s.incident.rows().map(\.group.count) == [1, 1])
    }

    @Test func theSameLinesCountAsDecodeJsonlSummaryCountsThem() {
        // One implementation: the pane's rows are the summary's rows for the same text.
        let text = Self.lines.joined(separator: "\n") + "\nnot json at all\n" + #"{"error":"model 'x' not found"}"# + "\n"
        var s = Self.opened()
        for chunk in Array(text.utf8).chunked(7) { s.send(.logData(chunk, now: Self.second)) }
        let direct = Array(text.utf8).withUnsafeBufferPointer { BatchSummary.summarize(lines: $0, catalog: Fixtures.catalog, threads: 1) }
        #expect(s.incident.rows().map { "\($0.group.label) \($0.group.count)" }.sorted() == direct.rows.map { "\($0.label) \($0.count)" }.sorted())
    }

    @Test func ratesMoveOnWithTheClockAndDrawASparkline() {
        var s = Self.opened()
        s.send(.logData(Array((Self.lines[0] + "\n").utf8), now: 1 * Self.second))
        s.send(.logData(Array((Self.lines[0] + "\n" + Self.lines[0] + "\n").utf8), now: 12 * Self.second))
        s.send(.tick(25 * Self.second))
        let row = s.incident.rows()[0]
        #expect(row.rate == [1, 2, 0])
        #expect(IncidentPane.sparkline([1, 2, 0], width: 5) == "  ▄█ ")
        #expect(IncidentPane.sparkline([0, 0, 8, 4, 1], width: 5) == "  █▄▁")
        // Five minutes of silence: the line is flat, not gone.
        s.send(.tick(400 * Self.second))
        #expect(s.incident.rows()[0].rate.allSatisfy { $0 == 0 })
        #expect(s.incident.rows()[0].rate.count == IncidentState.buckets)
    }

    @Test func closedBucketsAndTheLastOneOnQuitGoToTheJournal() {
        var s = Self.opened()
        var effects = s.send(.logData(Array((Self.lines.joined(separator: "\n") + "\n").utf8), now: 1 * Self.second))
        #expect(effects.isEmpty, "nothing closed yet")
        effects = s.send(.tick(12 * Self.second))
        guard case .recordIncident(let tallies, let source)? = effects.first else { Issue.record("no tallies: \(effects)"); return }
        #expect(source == "/var/log/gateway.log")
        #expect(tallies.map { "\($0.label) \($0.count) \($0.http ?? 0)" }.sorted() == ["anthropic/overloaded_error 1 529", "anthropic/rate_limit_error 2 429"])
        #expect(s.send(.tick(13 * Self.second)).isEmpty, "each bucket once")
        s.send(.logData(Array((Self.lines[1] + "\n").utf8), now: 14 * Self.second))
        let quit = s.press(.char("q"))
        #expect(quit.last == .quit)
        guard case .recordIncident(let last, _)? = quit.first else { Issue.record("the open bucket was not kept on quit: \(quit)"); return }
        #expect(last.map(\.count) == [1])
    }

    @Test func sortCyclesThroughColumnsAndReverses() {
        var s = Self.opened()
        s.send(.logData(Array((Self.lines.joined(separator: "\n") + "\n").utf8), now: Self.second))
        #expect(s.incident.rows().first?.group.label == "anthropic/rate_limit_error")
        s.press(.char("s"))  // share
        s.press(.char("s"))  // code, ascending
        #expect(s.incident.sort == .code)
        #expect(s.incident.rows().first?.group.label == "anthropic/overloaded_error", "o before r")
        #expect(s.screen.text.contains("system/code▲"))
        s.press(.char("S"))
        #expect(s.incident.rows().first?.group.label == "anthropic/rate_limit_error")
    }

    @Test func enterOpensTheCodeAndCtrlOComesBack() {
        var s = Self.opened()
        s.send(.logData(Array((Self.lines.joined(separator: "\n") + "\n").utf8), now: Self.second))
        s.press(.char("j"))
        s.press(.enter)
        #expect(s.focus == .detail)
        #expect(s.selectedEntry?.system == "anthropic" && s.selectedEntry?.code == "overloaded_error")
        s.press(.ctrl("o"))
        #expect(s.focus == .incident)
        #expect(s.incident.cursor == 1)
    }

    @Test func pProbesTheEndpointOfTheRowsSystem() {
        var s = Self.opened()
        let bodhi = #"{"error":{"message":"alias 'x' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#
        s.send(.logData(Array((bodhi + "\n").utf8), now: Self.second))
        let effects = s.press(.char("p"))
        #expect(ProbeFixtures.probe(effects)?.spec.label?.hasPrefix("bodhi-demo") == true)
        #expect(s.focus == .probe)
        // A system with no endpoint says so.
        var t = Self.opened()
        t.send(.logData(Array((Self.lines[1] + "\n").utf8), now: Self.second))
        #expect(t.press(.char("p")) == [.bell])
        #expect(t.message?.text.contains("no endpoint for anthropic") == true)
    }

    @Test func followerNewsIsShownAndNothingOpenSaysHow() {
        var s = AppState(data: Fixtures.data, width: 120, height: 40)
        s.press(.char("5"))
        #expect(s.screen.text.contains("No log open. Start with `errscope --log FILE`"))
        s = Self.opened()
        s.send(.logStatus("/var/log/gateway.log was rotated: reading the new file", isError: false))
        #expect(s.screen.text.contains("was rotated: reading the new file"))
        #expect(s.command("log") == [.bell])
    }

    @Test func controlSequencesInTheLogNeverReachTheScreen() {
        var s = Self.opened()
        let evil = #"{"status":500,"body":{"error":{"message":"x","type":"server_error","code":"\u001b]0;pwned\u0007boom"}}}"#
        s.send(.logData(Array((evil + "\n").utf8), now: Self.second))
        let b = s.screen
        #expect(!b.text.contains("\u{1b}"))
        #expect(!b.text.contains("\u{07}"))
    }
}

extension Array {
    func chunked(_ n: Int) -> [[Element]] { stride(from: 0, to: count, by: n).map { Array(self[$0..<Swift.min(count, $0 + n)]) } }
}
