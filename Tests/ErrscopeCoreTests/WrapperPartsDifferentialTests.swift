@testable import ErrscopeCore
import Testing

/// The summary finds a log line's wrapper fields in one pass over the keys (`wrapperParts`);
/// the reference is `LogLine.parts`, one member lookup per name. On random objects (known
/// names, near misses, duplicates, escaped and long keys) and field sets, they must agree.
@Suite("The summary's wrapper reading agrees with LogLine.parts")
struct WrapperPartsDifferentialTests {
    @Test func randomLinesAgree() throws {
        var r = SplitMix(state: 0x3A77)
        let long = String(repeating: "k", count: 70)
        let keys = ["ts", "time", "timestamp", "@timestamp", "status", "status_code", "http_status", "statusCode",
                    "http_status_code", "body", "response", "response_body", "error", "errors", "stat", "bodyx", "",
                    "bo\\u0064y", "st\\\"", long, "payload", "when", "code_http", "t"]
        let values = ["429", "\"503\"", "{\"error\":{\"code\":\"x\"}}", "\"{\\\"a\\\":1}\"", "null", "[1,2]", "true", "\"t1\""]
        let fieldSets: [LogFields] = [
            .auto, .named(status: "code_http", body: "payload", time: "when"), .named(status: nil, body: "error", time: nil),
            .named(status: long, body: nil, time: "t"), .named(status: nil, body: "", time: nil),
        ]
        let catalog = Fixtures.catalog
        var compared = 0
        for fields in fieldSets {
            let summary = BatchSummary(catalog: catalog, fields: fields)
            let tape = JSONTape()
            for _ in 0..<3_000 {
                let members = (0..<r.int(7)).map { _ in "\"\(keys[r.int(keys.count)])\":\(values[r.int(values.count)])" }
                let line = Array(("{" + members.joined(separator: ",") + "}").utf8)
                try line.withUnsafeBufferPointer { buf in
                    try tape.parse(buf)
                    let fast = summary.wrapperParts(tape, buf)
                    let want = LogLine.parts(tape, buf, fields: fields)
                    let text = String(decoding: line, as: UTF8.self)
                    #expect(fast.body == want.body, "body of \(text)")
                    #expect(fast.status == want.status, "status of \(text)")
                    #expect(fast.time == want.time, "time of \(text)")
                    #expect(fast.isWrapper == want.isWrapper, "isWrapper of \(text)")
                    if want.body != nil {
                        #expect(fast.bodyIsError == (want.bodyName == "error" && !fields.explicitBody), "body name of \(text)")
                    }
                }
                compared += 1
            }
        }
        #expect(compared == 15_000)
    }
}
