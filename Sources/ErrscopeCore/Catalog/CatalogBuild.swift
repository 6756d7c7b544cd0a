import Foundation
import Yams

/// A catalog being built: the systems, envelopes, traffic rules and codes read so far, and
/// what went wrong. `CatalogLoader` feeds it files; the entry reader (CatalogEntryReader.swift)
/// checks and adds each part; the finisher (CatalogFinisher.swift) derives, cross-checks and
/// returns the `Catalog`.
struct CatalogBuild {
    var diagnostics: [Diagnostic] = []
    var systems: [SystemInfo] = []
    var systemSlots: [String: Int] = [:]
    var envelopes: [EnvelopeDefinition] = []
    var traffic = TrafficRules()
    let store = CodeStore()
    /// Compile every regular expression at load to report a bad one (lint, the build's embed
    /// step, user files); the bundled catalogs, checked when errscope was built, skip it.
    var checkPatterns = true

    /// JSON files larger than this leave their detail texts on disk.
    static let deferredTextThreshold = 1 << 20

    mutating func addFile(_ name: String) -> Int {
        store.fileNames.append(name)
        return store.fileNames.count - 1
    }

    mutating func report(_ file: String, _ line: Int, _ col: Int, _ sev: Diagnostic.Severity, _ msg: String) {
        diagnostics.append(Diagnostic(file: file, line: line, column: col, severity: sev, message: msg))
    }

    mutating func report<N: DocNode>(_ file: String, _ node: N, _ sev: Diagnostic.Severity, _ msg: String) {
        let l = node.location()
        report(file, l.line, l.column, sev, msg)
    }

    // MARK: Documents

    /// `release(n)` is told when the first `n` bytes are no longer needed.
    mutating func load(buffer: UnsafeBufferPointer<UInt8>, file: String, deferTo: Int? = nil, release: ((Int) -> Void)? = nil) {
        let first = buffer.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if first == UInt8(ascii: "{") {
            loadJSON(buffer, file: file, deferTo: deferTo, release: release)
        } else {
            loadYAML(String(decoding: buffer, as: UTF8.self), file: file)
        }
    }

    mutating func loadYAML(_ text: String, file: String) {
        let fileIndex = addFile(file)
        let node: Node?
        do {
            node = try YAMLReader.compose(text)
        } catch {
            report(file, error.line, error.column, .error, "invalid YAML: \(error.message); the file was not loaded")
            return
        }
        guard let root = node.map(YAMLDoc.init) else {
            report(file, 1, 1, .warning, "empty catalog file")
            return
        }
        guard root.kind == .map else {
            let l = root.location()
            report(file, l.line, l.column, .error, "a catalog file must be a mapping with `errscope: 1` at the top")
            return
        }
        let firstRow = store.count
        for code in root.member("codes")?.elements() ?? [] {
            let l = code.location()
            addCode(code, file: file, fileIndex: fileIndex, line: l.line, column: l.column)
        }
        if let codes = root.member("codes"), codes.kind != .seq, codes.kind != .null {
            let l = codes.location()
            report(file, l.line, l.column, .error, "`codes` must be a list")
        }
        loadHeader(root.members().filter { $0.key != "codes" }, root: root, file: file, firstRow: firstRow)
    }

    /// Loads a JSON catalog. Every string the catalog keeps is copied into the store, so `buf`
    /// need not outlive the call; `release(n)` is told as the first `n` bytes stop being needed.
    mutating func loadJSON(_ buf: UnsafeBufferPointer<UInt8>, file: String, deferTo: Int?, release: ((Int) -> Void)?) {
        let fileIndex = addFile(file)
        let firstRow = store.count
        // About 300 bytes a code: reserve the columns once instead of doubling them as they grow;
        // the text is at most the file's size (pages the arena never reaches cost nothing).
        if buf.count > 1 << 20 {
            store.reserve(store.count + buf.count / 300 + 64)
            // Estimated shares of the text; an underestimate only means a realloc.
            store.reserveText(buf.count / 8, in: .code)
            store.reserveText(buf.count / 16, in: .domain)
            store.reserveText(buf.count / 4, in: .meaning)
            store.reserveText(deferTo == nil ? buf.count : buf.count / 8, in: .other)
        }
        var header: [(key: String, value: TapeDoc)] = []
        var released = 0
        let codeTape = JSONTape()
        let outcome = CatalogJSONStream.walk(buf, member: { key, value in
            header.append((key, value))
        }, code: { at, line, column throws(JSONError) in
            // The fast path for a plain entry; the entry reader for anything else.
            if buf[at] == UInt8(ascii: "{"),
               let end = JSONCodeEntry.read(buf, at: at, into: store, file: UInt16(truncatingIfNeeded: fileIndex), line: line, column: column, deferTo: deferTo)
            {
                return end
            }
            let end = try codeTape.parseValue(buf, from: at)
            addCode(TapeDoc(tape: codeTape, index: 0, buf: buf), file: file, fileIndex: fileIndex, line: line, column: column)
            return end
        }, passed: { i in
            if let release, i - released > 1 << 20 {
                released = i
                release(i)
            }
        })
        switch outcome {
        case .done:
            loadHeader(header, root: nil, file: file, firstRow: firstRow)
        case .codesNotAList(let offset):
            let lc = JSONError.lineColumn(of: offset, in: buf)
            report(file, lc.line, lc.column, .error, "`codes` must be a list")
            loadHeader(header, root: nil, file: file, firstRow: firstRow)
        case .failed(let e):
            let lc = JSONError.lineColumn(of: e.offset, in: buf)
            report(file, lc.line, lc.column, .error, "invalid JSON: \(e.message); the rest of the file was not loaded")
            // What came before still needs its system (or goes, if the file had none yet).
            if store.count > firstRow || !header.isEmpty { loadHeader(header, root: nil, file: file, firstRow: firstRow) }
        }
    }

}

/// The JSON catalog stream: walks a catalog's top-level object by hand, so that `codes` streams
/// one entry at a time (a 100,000-code catalog is never a tree in memory). Header members are
/// parsed whole and handed over; each code entry goes to `code`, which returns where it ends.
enum CatalogJSONStream {
    enum Outcome {
        case done
        /// `codes` was not a list (at that offset); the rest was read.
        case codesNotAList(Int)
        /// Invalid JSON: nothing after `offset` was read.
        case failed(JSONError)
    }

    static func walk(_ buf: UnsafeBufferPointer<UInt8>, member: (String, TapeDoc) -> Void,
                     code: (_ at: Int, _ line: Int, _ column: Int) throws(JSONError) -> Int, passed: (Int) -> Void) -> Outcome
    {
        var i = JSONTape.skipWhitespace(buf, 0)
        if i + 2 < buf.count, buf[i] == 0xEF, buf[i + 1] == 0xBB, buf[i + 2] == 0xBF { i = JSONTape.skipWhitespace(buf, i + 3) }
        var lines = LineCursor()
        var codesNotAList: Int?
        func expect(_ c: Character) throws(JSONError) {
            i = JSONTape.skipWhitespace(buf, i)
            if i < buf.count, buf[i] == c.asciiValue! { i += 1; return }
            throw JSONError(message: "expected '\(c)'", offset: i, truncated: i >= buf.count)
        }
        do throws(JSONError) {
            try expect("{")
            i = JSONTape.skipWhitespace(buf, i)
            if i < buf.count, buf[i] == UInt8(ascii: "}") { return .done }
            while true {
                let keyTape = JSONTape()
                i = try keyTape.parseValue(buf, from: i)
                guard keyTape.kind(0) == .string else { throw JSONError(message: "expected a string key", offset: i, truncated: false) }
                let key = keyTape.string(0, in: buf)
                try expect(":")
                i = JSONTape.skipWhitespace(buf, i)
                if key == "codes", i < buf.count, buf[i] == UInt8(ascii: "[") {
                    i = JSONTape.skipWhitespace(buf, i + 1)
                    if i < buf.count, buf[i] == UInt8(ascii: "]") {
                        i += 1
                    } else {
                        while true {
                            i = JSONTape.skipWhitespace(buf, i)
                            guard i < buf.count else { throw JSONError(message: "", offset: i, truncated: true) }
                            lines.advance(to: i, in: buf)
                            i = try code(i, lines.line, lines.column(of: i))
                            passed(i)
                            i = JSONTape.skipWhitespace(buf, i)
                            guard i < buf.count else { throw JSONError(message: "", offset: i, truncated: true) }
                            if buf[i] == UInt8(ascii: ",") { i += 1; continue }
                            if buf[i] == UInt8(ascii: "]") { i += 1; break }
                            throw JSONError(message: "expected ',' or ']'", offset: i, truncated: false)
                        }
                    }
                } else {
                    let t = JSONTape()
                    i = try t.parseValue(buf, from: i)
                    if key == "codes" { codesNotAList = i } else { member(key, TapeDoc(tape: t, index: 0, buf: buf)) }
                }
                i = JSONTape.skipWhitespace(buf, i)
                guard i < buf.count else { throw JSONError(message: "", offset: i, truncated: true) }
                if buf[i] == UInt8(ascii: ",") { i = JSONTape.skipWhitespace(buf, i + 1); continue }
                if buf[i] == UInt8(ascii: "}") { break }
                throw JSONError(message: "expected ',' or '}'", offset: i, truncated: false)
            }
        } catch {
            return .failed(error)
        }
        return codesNotAList.map { .codesNotAList($0) } ?? .done
    }
}
