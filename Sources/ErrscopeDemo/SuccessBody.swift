import ErrscopeCore
import Foundation

/// Small plausible success bodies, in the flavour of the envelope the path answers in.
enum SuccessBody {
    static let reply = "Hello from the errscope demo server."

    static func make(envelope: String, system: String, list: Bool, model: String, requestID: String) -> JSONValue {
        let now = Int64(Date().timeIntervalSince1970)
        let id = String(requestID.dropFirst(4))
        switch envelope {
        case "anthropic":
            if list {
                let data: [JSONValue] = DemoServer.models.map {
                    ["type": "model", "id": .string($0), "display_name": .string($0), "created_at": "2024-10-22T00:00:00Z"]
                }
                return ["data": .array(data), "has_more": false, "first_id": .string(DemoServer.models.first!),
                        "last_id": .string(DemoServer.models.last!)]
            }
            return ["id": .string("msg_" + id), "type": "message", "role": "assistant", "model": .string(model),
                    "content": [["type": "text", "text": .string(reply)]], "stop_reason": "end_turn",
                    "stop_sequence": nil, "usage": ["input_tokens": 9, "output_tokens": 9]]
        case "gemini":
            if list {
                let models: [JSONValue] = DemoServer.models.map {
                    ["name": .string("models/" + $0), "displayName": .string($0),
                     "supportedGenerationMethods": ["generateContent", "countTokens"]]
                }
                return ["models": .array(models)]
            }
            return ["candidates": [["content": ["parts": [["text": .string(reply)]], "role": "model"],
                                    "finishReason": "STOP", "index": 0]],
                    "usageMetadata": ["promptTokenCount": 9, "candidatesTokenCount": 9, "totalTokenCount": 18],
                    "modelVersion": .string(model)]
        case "scaigrid":
            return ["status": "success", "data": openAI(list: list, model: model, id: id, now: now),
                    "meta": ["request_id": .string(requestID)]]
        case "devsphere":
            let lead: JSONValue = ["id": "lead_01", "name": "Ada Lovelace", "email": "ada@example.com", "status": "new"]
            return list ? ["data": [lead], "has_more": false] : ["data": lead]
        default:
            // bodhi-native, openai, worldflow and jan-server endpoints speak OpenAI's success shapes.
            return openAI(list: list, model: model, id: id, now: now)
        }
    }

    static func openAI(list: Bool, model: String, id: String, now: Int64) -> JSONValue {
        if list {
            let data: [JSONValue] = DemoServer.models.map {
                ["id": .string($0), "object": "model", "created": 1_715_000_000, "owned_by": "errscope-demo"]
            }
            return ["object": "list", "data": .array(data)]
        }
        return ["id": .string("chatcmpl-" + id), "object": "chat.completion", "created": .int(now), "model": .string(model),
                "choices": [["index": 0, "message": ["role": "assistant", "content": .string(reply)], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": 9, "completion_tokens": 9, "total_tokens": 18]]
    }
}
