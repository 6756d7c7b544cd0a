import ErrscopeCore
import Foundation
import Testing

/// Issue 12 §2: a code the wire did not carry is never shown as decoded, and a success is a success.
@Suite struct InferenceTests {
    static let mcpMissing = #"{"type":"error","error":{"type":"not_found_error","message":"mcp '01J9Z8K2QXW3' not found"}}"#

    @Test func skeletonsLeaveOutWhatVariesBetweenOccurrences() {
        #expect(MessageShape.skeleton("mcp '01J9Z8K2QXW3' not found") == "mcp '_' not found")
        #expect(MessageShape.skeleton("MCP \"other\" not  found") == "mcp '_' not found")
        #expect(MessageShape.skeleton("rate limit: 60 requests per 1m") == "rate limit: # requests per #")
        #expect(MessageShape.skeleton("unclosed 'quote") == "unclosed '_'")
        #expect(MessageShape.similarity("mcp 'x' not found", "mcp '01J9Z8K2QXW3' not found") == 10)
        #expect(MessageShape.similarity("mcp server 'github' not found", "mcp '01J9' not found") < 10)
        #expect(MessageShape.similarity("mcp server 'github' not found", "mcp '01J9' not found") > 0)
        #expect(MessageShape.similarity(nil, "x") == 0)
        #expect(MessageShape.similarity("completely different words", "alias 'x' not found") == 0)
    }

    @Test func anthropicShapedBodhiErrorIsCandidatesNotAFact() throws {
        let v = Fixtures.decode(Self.mcpMissing, http: 404, system: "bodhi")
        #expect(v.code == nil)
        let inf = try #require(v.inference)
        #expect(inf.basis == .typeMapping)
        #expect(inf.candidates.count == 7)
        #expect(inf.candidates.allSatisfy { $0.entry.system == "bodhi" && $0.entry.http.statuses.contains(404) })
        // The message has the shape of exactly one candidate's example: it leads, and says why.
        #expect(inf.candidates.first?.entry.code == "mcp_error-mcp_not_found")
        #expect(inf.candidates.first?.messageShape == 10)
        #expect(inf.candidates.dropFirst().allSatisfy { $0.messageShape < 10 })
        #expect(inf.distinguishedBy == "the message has the shape of its example")
        #expect(v.bestMatch?.entry.code == "mcp_error-mcp_not_found")
    }

    @Test func anotherMessageLeadsWithItsOwnCode() throws {
        let body = #"{"type":"error","error":{"type":"not_found_error","message":"alias 'qwen:7b' not found"}}"#
        let inf = try #require(Fixtures.decode(body, http: 404, system: "bodhi").inference)
        #expect(inf.candidates.first?.entry.code == "data_service_error-alias_not_found")
    }

    @Test func nothingToTellThemApartIsSaid() throws {
        let body = #"{"type":"error","error":{"type":"not_found_error","message":"zzz"}}"#
        let inf = try #require(Fixtures.decode(body, http: 404, system: "bodhi").inference)
        #expect(inf.candidates.count == 7)
        #expect(inf.distinguishedBy == nil)
    }

    @Test func aCodeOnTheWireIsNoInference() {
        let v = Fixtures.decode(#"{"error":{"message":"alias 'x' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#, http: 404)
        #expect(v.code == "data_service_error-alias_not_found")
        #expect(v.inference == nil)
        // Anthropic's own type is its code: one candidate in its system, no guess.
        let a = Fixtures.decode(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, http: 529)
        #expect(a.system == "anthropic")
        #expect(a.inference == nil)
    }

    @Test func aSuccessIsASuccess() {
        let v = Fixtures.decode(#"{"id":"chatcmpl-1","object":"chat.completion","choices":[]}"#, http: 200)
        #expect(v.success)
        #expect(v.category == nil)
        #expect(v.inference == nil)
        let e = Fixtures.decode(#"{"error":{"message":"x","type":"server_error"}}"#, http: 500)
        #expect(!e.success)
    }
}

