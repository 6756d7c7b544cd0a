@testable import ErrscopeTUI
import ErrscopeCore
import ErrscopeProbe
import Foundation
import Testing

/// Issue 12 §4: probe history (re-open a past request) and diff (two answers side by side).
@Suite struct HistoryTests {
    static func item(_ id: Int64, label: String?, status: Int, body: String, headers: [(name: String, value: String)] = [("content-type", "application/json")]) -> ProbeHistoryItem {
        ProbeHistoryItem(id: id, time: Date(timeIntervalSince1970: 1_750_000_000 + Double(id)), label: label, method: "POST",
                         url: ProbeFixtures.base + "/v1/chat/completions", requestHeaders: [("Authorization", "Bearer [redacted]"), ("X-Trace", "t1")],
                         requestBody: #"{"model":"old"}"#, status: status, summary: "\(status) · from the journal", responseHeaders: headers,
                         body: Array(body.utf8))
    }

    @Test func hLoadsTheJournalAndEnterReopensTheRequest() throws {
        var s = ProbeFixtures.state()
        #expect(s.press(.char("H")) == [.loadHistory(diff: false)])
        s.send(.historyLoaded([Self.item(7, label: "bodhi-demo/unknown-model", status: 404, body: "{}"), Self.item(3, label: nil, status: 500, body: "{}")], diff: false))
        let p = try #require(s.picker)
        #expect(p.title == "a probe to re-open")
        #expect(s.screen.text.contains("#7 "))
        s.press(.enter)
        #expect(s.picker == nil)
        #expect(s.probe.endpoint?.name == "bodhi-demo")
        #expect(s.probe.draft.body == #"{"model":"old"}"#)
        #expect(s.probe.draft.headers.contains { $0.name == "Authorization" && !$0.value.contains("[redacted]") }, "the endpoint's own header, not the masked copy")
        #expect(s.message?.text == "re-opened probe #7 from the journal: s sends it again")
        // An ad hoc one keeps its recorded headers minus the masked credentials.
        var t = ProbeFixtures.state()
        t.send(.historyLoaded([Self.item(3, label: nil, status: 500, body: "{}")], diff: false))
        t.press(.enter)
        #expect(t.probe.endpoint == nil)
        #expect(t.probe.draft.headers.map(\.name) == ["X-Trace"])
        // An empty journal says so.
        var u = ProbeFixtures.state()
        u.send(.historyLoaded([], diff: false))
        #expect(u.picker == nil && u.message?.text == "no probes in the journal yet")
    }

    @Test func dComparesThisAnswerWithAPastOneSideBySide() throws {
        var s = ProbeFixtures.state()
        #expect(s.press(.char("D")) == [.bell], "nothing to compare yet")
        s.probeAndFinish { ProbeFixtures.outcome($0) }
        #expect(s.press(.char("D")) == [.loadHistory(diff: true)])
        let old = #"{"error":{"message":"alias 'no-such-model' not found","type":"not_found_error","param":null,"code":"data_service_error-alias_not_found"},"extra":1}"#
        s.send(.historyLoaded([Self.item(9, label: "bodhi-demo/unknown-model", status: 500, body: old, headers: [("content-type", "application/json"), ("x-old", "1")])], diff: true))
        s.press(.enter)
        let d = try #require(s.probe.diff)
        #expect(d.old.id == 9)
        let text = s.screen.text
        #expect(text.contains("── diff: probe #9"))
        #expect(text.contains("status 500") && text.contains("status 404"))
        #expect(text.contains("≠"))
        #expect(text.contains("x-old: 1"))
        #expect(text.contains("\"extra\": 1"))
        // Lines the two share are not marked.
        let shared = try #require(s.screen.lines.first { $0.contains("\"type\": \"not_found_error\",") })
        #expect(!shared.contains("≠"))
        s.press(.escape)
        #expect(s.probe.diff == nil)
    }

    @Test func alignmentPairsChangedLinesAndKeepsSharedOnes() {
        let rows = DiffView.align(["a", "b", "c", "d"], ["a", "x", "c", "d", "e"])
        #expect(rows.map { "\($0.0 ?? "-")\($0.1 ?? "-")" } == ["aa", "bx", "cc", "dd", "-e"])
    }
}
