import Foundation
import Yams

/// A node of a parsed catalog document, YAML or JSON, with its source location.
/// The loader is written once against this and specialised for both.
protocol DocNode {
    var kind: DocKind { get }
    /// 1-based (line, column); computed on demand for JSON.
    func location() -> (line: Int, column: Int)
    var text: String? { get }
    var integer: Int64? { get }
    var boolean: Bool? { get }
    func members() -> [(key: String, value: Self)]
    func elements() -> [Self]
    func member(_ key: String) -> Self?
    func json() -> JSONValue
    /// Copies a string node's text into one of `store`'s arenas.
    func textRef(in store: CodeStore, column: TextColumn) -> TextRef?
}

enum DocKind: String { case map = "a mapping", seq = "a list", string = "a string", int = "an integer", double = "a number", bool = "a boolean", null = "null" }

// MARK: YAML

/// A Yams node read with YAML 1.2 core-schema rules: only `true`/`false` are booleans, so
/// `retry: no` stays the string "no".
struct YAMLDoc: DocNode {
    let node: Node

    var kind: DocKind {
        switch node {
        case .mapping: return .map
        case .sequence: return .seq
        case .alias: return .null
        case .scalar(let s):
            if s.style != .plain { return .string }
            switch s.string {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE", "false", "False", "FALSE": return .bool
            default:
                if Int64(s.string) != nil { return .int }
                if Double(s.string) != nil, s.string.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true {
                    return .double
                }
                return .string
            }
        }
    }

    func location() -> (line: Int, column: Int) {
        let m: Mark?
        switch node {
        case .scalar(let s): m = s.mark
        case .mapping(let x): m = x.mark
        case .sequence(let x): m = x.mark
        case .alias: m = nil
        }
        return (m?.line ?? 0, m?.column ?? 0)
    }

    var text: String? {
        if case .scalar(let s) = node { return s.string }
        return nil
    }
    var integer: Int64? { kind == .int ? text.flatMap { Int64($0) } : nil }
    var boolean: Bool? { kind == .bool ? text.map { $0.lowercased() == "true" } : nil }

    func members() -> [(key: String, value: YAMLDoc)] {
        guard case .mapping(let m) = node else { return [] }
        return m.map { (key: $0.key.string ?? "", value: YAMLDoc(node: $0.value)) }
    }
    func elements() -> [YAMLDoc] {
        guard case .sequence(let s) = node else { return [] }
        return s.map { YAMLDoc(node: $0) }
    }
    func member(_ key: String) -> YAMLDoc? {
        guard case .mapping(let m) = node else { return nil }
        return m.first { $0.key.string == key }.map { YAMLDoc(node: $0.value) }
    }
    func json() -> JSONValue {
        switch kind {
        case .map: return .object(JSONObject(members().map { (key: $0.key, value: $0.value.json()) }))
        case .seq: return .array(elements().map { $0.json() })
        case .null: return .null
        case .bool: return .bool(boolean ?? false)
        case .int: return .int(integer ?? 0)
        case .double: return .double(Double(text ?? "") ?? 0)
        case .string: return .string(text ?? "")
        }
    }
    func textRef(in store: CodeStore, column: TextColumn) -> TextRef? {
        guard let t = text else { return nil }
        return store.intern(t, in: column)
    }
}

// MARK: JSON

/// A node on a `JSONTape`, valid while the buffer it was parsed from is.
struct TapeDoc: DocNode {
    let tape: JSONTape
    let index: Int
    let buf: UnsafeBufferPointer<UInt8>

    var kind: DocKind {
        switch tape.kind(index) {
        case .object: return .map
        case .array: return .seq
        case .string: return .string
        case .number: return tape.entry(index).flag ? .int : .double
        case .true, .false: return .bool
        case .null: return .null
        }
    }
    func location() -> (line: Int, column: Int) {
        // Containers record a child count, not an offset: use their first child's position.
        var i = index
        while tape.kind(i) == .object || tape.kind(i) == .array {
            guard tape.count(i) > 0 else { return (0, 0) }
            i += 1
        }
        let off = Int(tape.entry(i).a) - (tape.kind(i) == .string ? 1 : 0)
        return JSONError.lineColumn(of: off, in: buf)
    }

    var text: String? { tape.kind(index) == .string ? tape.string(index, in: buf) : nil }
    var integer: Int64? { tape.kind(index) == .number ? tape.int(index, in: buf) : nil }
    var boolean: Bool? {
        switch tape.kind(index) {
        case .true: return true
        case .false: return false
        default: return nil
        }
    }
    func members() -> [(key: String, value: TapeDoc)] {
        var out: [(key: String, value: TapeDoc)] = []
        tape.forEachMember(index) { k, v in out.append((tape.string(k, in: buf), child(v))) }
        return out
    }
    func elements() -> [TapeDoc] {
        var out: [TapeDoc] = []
        tape.forEachElement(index) { out.append(child($0)) }
        return out
    }
    func member(_ key: String) -> TapeDoc? {
        var key = key
        return key.withUTF8 { k in tape.member(index, k, in: buf).map(child) }
    }
    func child(_ i: Int) -> TapeDoc { TapeDoc(tape: tape, index: i, buf: buf) }
    func json() -> JSONValue { tape.value(at: index, in: buf) }
    func textRef(in store: CodeStore, column: TextColumn) -> TextRef? {
        guard tape.kind(index) == .string else { return nil }
        let e = tape.entry(index)
        if !e.flag { return store.append(bytes: tape.rawBytes(index, in: buf), to: column) }
        var bytes: [UInt8] = []
        JSONTape.unescape(tape.rawBytes(index, in: buf), into: &bytes)
        return bytes.withUnsafeBufferPointer { store.append(bytes: $0, to: column) }
    }
}
