import Foundation

/// Where a field is read from: a dot path into the body, or a response header.
public enum FieldSource: Sendable, Equatable, CustomStringConvertible {
    case path(FieldPath)
    case header(String)

    public init(_ text: String) {
        if text.lowercased().hasPrefix("header:") {
            self = .header(String(text.dropFirst(7)).lowercased())
        } else {
            self = .path(FieldPath(text))
        }
    }
    public var description: String {
        switch self {
        case .path(let p): return p.description
        case .header(let h): return "header:\(h)"
        }
    }
}

/// `error.details.0.retryDelay`: object keys and array indexes.
public struct FieldPath: Sendable, Equatable, CustomStringConvertible {
    public enum Component: Sendable, Equatable {
        case key([UInt8])
        case index(Int)
        /// `*`: the first element of an array (or member of an object) where the rest resolves.
        case any
    }
    public let components: [Component]
    public let description: String

    init(components: [Component]) {
        self.components = components
        description = components.map {
            switch $0 {
            case .key(let k): return String(decoding: k, as: UTF8.self)
            case .index(let i): return String(i)
            case .any: return "*"
            }
        }.joined(separator: ".")
    }

    public init(_ text: String) {
        description = text
        components = text.split(separator: ".", omittingEmptySubsequences: true).map { part in
            if part == "*" { return .any }
            if let n = Int(part), n >= 0 { return .index(n) }
            return .key(Array(part.utf8))
        }
    }

    /// Resolves the path on a parsed body.
    @inline(__always)
    func resolve(_ tape: JSONTape, root: Int, in buf: UnsafeBufferPointer<UInt8>) -> Int? {
        resolve(tape, root, components[...], buf)
    }

    private func resolve(_ tape: JSONTape, _ root: Int, _ rest: ArraySlice<Component>, _ buf: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = root
        for (n, c) in zip(rest.indices, rest) {
            switch c {
            case .any:
                let tail = rest[(n + 1)...]
                var found: Int?
                if tape.kind(i) == .array {
                    var k = i + 1
                    let end = tape.next(i)
                    while k < end && found == nil { found = resolve(tape, k, tail, buf); k = tape.next(k) }
                } else if tape.kind(i) == .object {
                    var k = i + 1
                    let end = tape.next(i)
                    while k < end && found == nil { found = resolve(tape, k + 1, tail, buf); k = tape.next(k + 1) }
                }
                return found
            case .key(let k):
                guard let next = k.withUnsafeBufferPointer({ tape.member(i, $0, in: buf) }) else { return nil }
                i = next
            case .index(let n):
                guard let next = tape.element(i, n) else { return nil }
                i = next
            }
        }
        return i
    }

    func resolve(_ value: JSONValue) -> JSONValue? {
        var v = value
        for (n, c) in components.enumerated() {
            switch c {
            case .any:
                let tail = FieldPath(components: Array(components[(n + 1)...]))
                let children = v.arrayValue ?? v.objectValue?.pairs.map(\.value) ?? []
                return children.lazy.compactMap { tail.resolve($0) }.first
            case .key(let k):
                guard let next = v.objectValue?[String(decoding: k, as: UTF8.self)] else { return nil }
                v = next
            case .index(let n):
                guard let a = v.arrayValue, n < a.count else { return nil }
                v = a[n]
            }
        }
        return v
    }
}

/// A compiled regular expression that can be shared across threads (it is immutable).
/// Simple patterns (anchors, literals, classes, `. * + ?`) run on bytes without Foundation.
// @unchecked Sendable: the lazily compiled NSRegularExpression is only touched under `lock`; the byte matcher is immutable.
public final class SharedRegex: @unchecked Sendable, Equatable {
    public let pattern: String
    /// Compiled on first use when the byte matcher cannot run the pattern: ICU's start-up costs
    /// milliseconds, and most runs never match a message against a rule. Patterns are checked
    /// when a catalog is linted or built (`CatalogLoader.checkPatterns`).
    private var compiled: NSRegularExpression??
    private let lock = NSLock()
    let fast: ByteRegex?
    init(_ pattern: String, icuOnly: Bool = false, check: Bool = true) throws {
        self.pattern = pattern
        fast = icuOnly ? nil : ByteRegex(pattern)
        if fast == nil, check { compiled = .some(try NSRegularExpression(pattern: pattern)) }
    }
    var regex: NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let c = compiled { return c }
        let r = try? NSRegularExpression(pattern: pattern)
        compiled = .some(r)
        return r
    }
    /// The first capture group of the first match (or the whole match when there is none).
    func firstCapture(_ s: String) -> String? {
        guard let regex, let m = regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
        let r = m.numberOfRanges > 1 ? m.range(at: 1) : m.range
        guard r.location != NSNotFound, let range = Range(r, in: s) else { return nil }
        return String(s[range])
    }
    func matches(_ s: String) -> Bool {
        if let f = fast { var s = s; if let m = s.withUTF8({ f.matches($0) }) { return m } }
        return icuMatches(s)
    }
    func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let f = fast, let m = f.matches(bytes) { return m }
        return icuMatches(String(decoding: bytes, as: UTF8.self))
    }
    /// The reference: ICU, always.
    func icuMatches(_ s: String) -> Bool {
        guard let regex else { return false }
        return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
    public static func == (a: SharedRegex, b: SharedRegex) -> Bool { a.pattern == b.pattern }
}

/// A JSON value's kind, as a detection rule names it (`is: string`).
public enum JSONKind: String, Sendable, CaseIterable {
    case string, number, integer, object, array, boolean, null
    /// `bool` is read as `boolean`.
    public init?(name: String) {
        if name == "bool" { self = .boolean } else { self.init(rawValue: name) }
    }
}

/// One test in an envelope's detection rules.
public struct EnvelopeCondition: Sendable, Equatable {
    public enum Test: Sendable, Equatable {
        case kind([JSONKind])
        case equals(JSONValue)
        case oneOf([JSONValue])
        case present
        case absent
        case matches(SharedRegex)
        case contains(String)
    }
    public var source: FieldSource
    public var test: Test
}

/// An envelope: a wire shape for errors, entirely described by data.
public struct EnvelopeDefinition: Sendable, Equatable {
    public var id: String
    public var name: String
    public var summary: String?
    /// Accept a one-element array around the object (Gemini's streaming errors).
    public var unwrapArray: Bool
    public var mediaTypes: [String]
    public var require: [EnvelopeCondition]
    public var prefer: [EnvelopeCondition]
    /// Canonical field -> sources, first present wins.
    public var fields: [(name: String, sources: [FieldSource])]
    public var template: JSONValue
    /// Generic HTTP -> value maps used to translate a code into this envelope.
    public var translate: [(field: String, map: [(HTTPMatcher, JSONValue)])]
    /// Where this envelope comes among the translations rendered for a system with one native
    /// envelope (`translation_order` in envelopes.yaml); nil: never rendered as a translation.
    public var translationOrder: Int? = nil
    public var file: String

    public static func == (a: EnvelopeDefinition, b: EnvelopeDefinition) -> Bool { a.id == b.id && a.file == b.file }

    public func sources(for field: String) -> [FieldSource] { fields.first { $0.name == field }?.sources ?? [] }

    /// The value of a translated field for an HTTP status: the exact status, then its class.
    public func translated(_ field: String, http: Int?) -> JSONValue? {
        guard let h = http, let t = translate.first(where: { $0.field == field }) else { return nil }
        if let exact = t.map.first(where: { if case .status(h) = $0.0 { return true } else { return false } }) {
            return exact.1
        }
        return t.map.first { $0.0.matches(h) }?.1
    }

    /// A one-line description of the shape, from the template.
    public var shape: String { Self.shape(of: template) }

    static func shape(of v: JSONValue) -> String {
        switch v {
        case .object(let o):
            return "{" + o.pairs.map { "\"\($0.key)\":" + shape(of: $0.value) }.joined(separator: ",") + "}"
        case .array(let a): return "[" + a.map { shape(of: $0) }.joined(separator: ",") + "]"
        case .string(let s):
            if s.hasPrefix("${"), s.hasSuffix("}") {
                let inner = s.dropFirst(2).dropLast()
                let name = inner.split(separator: "|").first.map(String.init) ?? String(inner)
                return "<\(name)>"
            }
            return JSONWriter.quoted(s)
        default: return v.compactText
        }
    }
}

extension FieldPath {
    /// The value at this path in a JSON value (`*`: the first element where the rest resolves).
    public func value(in v: JSONValue) -> JSONValue? {
        func walk(_ v: JSONValue, _ rest: ArraySlice<Component>) -> JSONValue? {
            guard let c = rest.first else { return v }
            switch c {
            case .key(let k):
                guard let next = v.objectValue?[String(decoding: k, as: UTF8.self)] else { return nil }
                return walk(next, rest.dropFirst())
            case .index(let i):
                guard let a = v.arrayValue, i < a.count else { return nil }
                return walk(a[i], rest.dropFirst())
            case .any:
                for e in v.arrayValue ?? [] { if let hit = walk(e, rest.dropFirst()) { return hit } }
                return nil
            }
        }
        return walk(v, components[...])
    }
}
