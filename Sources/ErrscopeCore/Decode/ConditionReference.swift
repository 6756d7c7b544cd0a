import Foundation

/// The reference meaning of an envelope condition (docs/CATALOG.md, "Conditions"), read off a
/// parsed tape. `CompiledDetector` is the fast path beside it: whatever it cannot compile it
/// hands back here, and a differential test holds the two to the same answers.
enum ConditionReference {
    static func holds(_ c: EnvelopeCondition, tape: JSONTape, root: Int, buf: UnsafeBufferPointer<UInt8>,
                      headers: [(name: String, value: String)]) -> Bool {
        switch c.source {
        case .header(let name):
            let value = headers.last { $0.name.lowercased() == name }?.value
            switch c.test {
            case .absent: return value == nil
            case .contains(let t): return value?.lowercased().contains(t) ?? false
            case .equals(let v): return value == v.scalarText
            default: return value != nil
            }
        case .path(let p):
            let node = p.resolve(tape, root: root, in: buf)
            switch c.test {
            case .present: return node != nil
            case .absent: return node == nil
            case .kind(let kinds):
                guard let n = node else { return false }
                return kinds.contains { kindMatches($0, n, tape) }
            case .equals(let v):
                guard let n = node else { return false }
                return equals(n, v, buf, tape)
            case .oneOf(let vs):
                guard let n = node else { return false }
                return vs.contains { equals(n, $0, buf, tape) }
            case .matches(let re):
                guard let n = node, tape.kind(n) == .string else { return false }
                if tape.isEscaped(n) { return re.matches(tape.string(n, in: buf)) }
                return re.matches(bytes: tape.rawBytes(n, in: buf))
            case .contains(let t):
                guard let n = node, tape.kind(n) == .string else { return false }
                return tape.string(n, in: buf).lowercased().contains(t)
            }
        }
    }

    static func kindMatches(_ kind: JSONKind, _ n: Int, _ tape: JSONTape) -> Bool {
        switch (kind, tape.kind(n)) {
        case (.string, .string), (.object, .object), (.array, .array), (.null, .null), (.number, .number), (.boolean, .true), (.boolean, .false):
            return true
        case (.integer, .number): return tape.entry(n).flag
        default: return false
        }
    }

    static func equals(_ n: Int, _ v: JSONValue, _ buf: UnsafeBufferPointer<UInt8>, _ tape: JSONTape) -> Bool {
        switch (v, tape.kind(n)) {
        case (.string(let s), .string):
            var s = s
            return s.withUTF8 { tape.stringEquals(n, $0, in: buf) }
        case (.int(let i), .number): return tape.int(n, in: buf) == i
        case (.double(let d), .number): return tape.double(n, in: buf) == d
        case (.bool(true), .true), (.bool(false), .false), (.null, .null): return true
        default: return false
        }
    }

}
