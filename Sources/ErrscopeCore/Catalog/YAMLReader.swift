import CYaml
import Foundation
import Yams

/// The one way errscope reads YAML (catalogs, `config.yaml`, `endpoints.yaml`): bounded, with
/// errors that name a line and stay short.
///
/// YAML aliases let a few hundred bytes stand for billions of nodes ("billion laughs": each
/// anchor a list of nine aliases to the one before). Yams expands them without limit, so before
/// composing, one pass over libyaml's events measures what the document expands to, exactly (an
/// anchor's size is known when its node ends; an alias adds that size), and refuses it past the
/// bounds, as the YAML libraries that defend against this do (go-yaml's alias ratio, SnakeYAML's
/// alias count): at most `maxDepth` levels of nesting, and at most `maxExpandedNodes(events)`
/// nodes once aliases are expanded.
public enum YAMLReader {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { line > 0 ? "line \(line), column \(column): \(message)" : message }
    }

    /// Nesting deeper than this is refused (no errscope file needs more than ten).
    public static let maxDepth = 256
    /// Aliases may expand the document to this many nodes: generous for any real use (a merge
    /// key per entry expands a catalog a few times over), linear in the input.
    public static func maxExpandedNodes(events: Int) -> Int { 100_000 + 10 * events }

    /// The document's root (nil for an empty document). A leading byte-order mark is accepted.
    public static func compose(_ text: String) throws(Failure) -> Node? {
        var text = text
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        try measure(text)
        do {
            return try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw describe(e, text: text)
        } catch {
            throw Failure(line: 0, column: 0, message: "\(error)")
        }
    }

    /// libyaml's events, counted: refuses documents too deep or that expand too far. Syntax errors
    /// are left to the composer, which reports them with their context.
    static func measure(_ text: String) throws(Failure) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Failure(line: 0, column: 0, message: "out of memory") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        // Each open collection: the nodes it holds so far (expanded), the deepest child below it
        // (expanded, in levels) and its anchor. An anchor's size and height are known when its
        // node ends; an alias adds both, so a chain of aliases cannot nest deeper than the limit.
        var stack: [(count: Int, height: Int, anchor: String?)] = []
        var anchors: [String: (count: Int, height: Int)] = [:]
        var events = 0, total = 0
        func add(_ n: Int, height: Int) {
            total += n
            if !stack.isEmpty {
                stack[stack.count - 1].count += n
                stack[stack.count - 1].height = max(stack[stack.count - 1].height, height)
            }
        }
        func anchorName(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? { p.map { String(cString: $0) } }
        try bytes.withUnsafeBufferPointer { (buf) throws(Failure) in
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }  // the composer reports it
                defer { yaml_event_delete(&event) }
                events += 1
                let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SCALAR_EVENT:
                    add(1, height: 1)
                    if let a = anchorName(event.data.scalar.anchor) { anchors[a] = (1, 1) }
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let a = event.type == YAML_SEQUENCE_START_EVENT ? anchorName(event.data.sequence_start.anchor) : anchorName(event.data.mapping_start.anchor)
                    stack.append((1, 0, a))
                    if stack.count > maxDepth {
                        throw Failure(line: line, column: column, message: "nested more than \(maxDepth) levels deep")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let top = stack.popLast() else { continue }
                    let height = top.height + 1
                    total += 1
                    if let a = top.anchor { anchors[a] = (top.count, height) }
                    if !stack.isEmpty {
                        stack[stack.count - 1].count += top.count
                        stack[stack.count - 1].height = max(stack[stack.count - 1].height, height)
                    }
                case YAML_ALIAS_EVENT:
                    let target = anchorName(event.data.alias.anchor).flatMap { anchors[$0] } ?? (1, 1)
                    if stack.count + target.height > maxDepth {
                        throw Failure(line: line, column: column, message: "aliases nest this document more than \(maxDepth) levels deep")
                    }
                    add(target.count, height: target.height)
                default:
                    break
                }
                if total > maxExpandedNodes(events: events) {
                    throw Failure(line: line, column: column, message: "aliases expand this document past \(maxExpandedNodes(events: events)) nodes (an alias bomb?)")
                }
            }
        }
    }

    /// A libyaml or Yams error as a line, a column and a short message (never the whole file,
    /// which some Yams errors carry).
    static func describe(_ e: YamlError, text: String) -> Failure {
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return Failure(line: mark.line, column: mark.column, message: [context?.text, problem].compactMap { $0 }.joined(separator: ": "))
        case .reader(let problem, let offset, _, _):
            let line = offset.map { o in text.utf8.prefix(o).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 } } ?? 0
            return Failure(line: line, column: line > 0 ? 1 : 0, message: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            var line = context.mark.line, column = context.mark.column
            var first = ""
            if line > 0, let second = nextOccurrence(ofKey: key, after: line, column: column, in: text) {
                // Yams marks the first of the two: point at the duplicate, name the first.
                first = " (first on line \(line))"
                line = second
            } else if line == 0, let found = secondOccurrence(ofKey: key, in: text) {
                // No mark at all: find the key's second appearance.
                line = found; column = 1
            }
            let shown = TerminalText.singleLine(key, limit: 60)
            let more = duplicates.count > 1 ? "; \(duplicates.count - 1) more duplicate key\(duplicates.count > 2 ? "s" : "")" : ""
            return Failure(line: line, column: column, message: "duplicate key `\(shown)` in a mapping\(first)\(more)")
        default:
            return Failure(line: 0, column: 0, message: TerminalText.singleLine("\(e)", limit: 200))
        }
    }

    /// Whether `line` (indentation removed) is the entry `key:`, the key plain or quoted.
    static func startsEntry(_ line: Substring, key: String) -> Bool {
        [key, "\"\(key)\"", "'\(key)'"].contains { form in
            line.hasPrefix(form) && line.dropFirst(form.count).drop(while: { $0 == " " }).hasPrefix(":")
        }
    }

    /// The line after `line` where `key:` appears again at the same column, in the same block
    /// mapping (it ends at a line indented less).
    static func nextOccurrence(ofKey key: String, after line: Int, column: Int, in text: String) -> Int? {
        let indent = column - 1
        var n = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            n += 1
            guard n > line else { continue }
            let lead = raw.prefix { $0 == " " }.count
            let l = raw.dropFirst(lead)
            if l.isEmpty || l.hasPrefix("#") { continue }
            if lead < indent || (lead == indent && l.hasPrefix("- ")) { return nil }
            if lead == indent, startsEntry(l, key: key) { return n }
        }
        return nil
    }

    /// The 1-based line where `key:` appears a second time in the same block mapping (by
    /// indentation: a key at a shallower level, or a new `- ` item, starts a new mapping).
    static func secondOccurrence(ofKey key: String, in text: String) -> Int? {
        var seen: [Int: Int] = [:]  // indentation -> times the key was seen in the current mapping there
        var n = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            n += 1
            let indent = raw.prefix { $0 == " " }.count
            var l = raw.dropFirst(indent)
            if l.isEmpty || l.hasPrefix("#") { continue }
            var keyIndent = indent
            if l.hasPrefix("- ") {
                // A new item: the mappings inside the previous one are done.
                seen = seen.filter { $0.key <= indent }
                let rest = l.dropFirst(2)
                keyIndent = indent + 2 + rest.prefix { $0 == " " }.count
                l = rest.drop { $0 == " " }
            }
            seen = seen.filter { $0.key <= keyIndent }
            if startsEntry(l, key: key) {
                seen[keyIndent, default: 0] += 1
                if seen[keyIndent] == 2 { return n }
            }
        }
        return nil
    }
}
