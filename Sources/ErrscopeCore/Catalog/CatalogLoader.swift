import Foundation

/// Reads catalog files into a `Catalog`. A broken file or entry is reported as a `Diagnostic`
/// with file, line and column, and everything else still loads.
///
/// The parts: `CatalogFileReader` (the source: folders, mapped or read files, size limits);
/// `CatalogBuild` (the state, and the YAML and JSON documents: JSON streams its `codes` through
/// `CatalogJSONStream`); the entry reader (`CatalogEntryReader.swift`, the reference reader of
/// every field); the finisher (`CatalogFinisher.swift`).
public struct CatalogLoader {
    var build = CatalogBuild()

    public var diagnostics: [Diagnostic] { build.diagnostics }
    /// Compile every regular expression at load to report a bad one (lint, the build's embed
    /// step, user files); the bundled catalogs, checked when errscope was built, skip it.
    public var checkPatterns: Bool {
        get { build.checkPatterns }
        set { build.checkPatterns = newValue }
    }

    /// Files larger than this are refused (a catalog is data, not a dump).
    public static let maxFileSize = CatalogFileReader.maxFileSize

    public init() {}

    /// Loads a file or every `*.yaml`, `*.yml` and `*.json` file of a folder (sorted by name).
    public mutating func load(path: String) {
        switch CatalogFileReader.open(path) {
        case .folder(let files):
            for f in files { load(path: f) }
        case .problem(let message):
            build.report(path, 0, 0, .error, message)
        case .mapped(let mapped):
            // Parsing walks the mapping once, front to back, and gives back the pages it has
            // passed; a large JSON catalog leaves its detail texts in the file (`DeferredFile`).
            var deferTo: Int?
            if mapped.bytes.count > CatalogBuild.deferredTextThreshold, let f = CodeStore.DeferredFile(path: path, duplicating: mapped.fd) {
                build.store.deferredFiles.append(f)
                deferTo = build.store.deferredFiles.count - 1
            }
            build.load(buffer: mapped.bytes, file: path, deferTo: deferTo) { mapped.release(upTo: $0) }
        case .read(let bytes):
            load(bytes: bytes, file: path)
        }
    }

    /// Loads catalog text; JSON (first non-space byte `{`) takes the fast path, the rest is YAML.
    public mutating func load(bytes: [UInt8], file: String) {
        bytes.withUnsafeBufferPointer { build.load(buffer: $0, file: file) }
    }

    public mutating func loadYAML(_ text: String, file: String) { build.loadYAML(text, file: file) }

    public mutating func loadJSON(_ bytes: [UInt8], file: String) {
        bytes.withUnsafeBufferPointer { build.loadJSON($0, file: file, deferTo: nil, release: nil) }
    }

    /// Resolves derived data (domains, default sources, retry classes), checks cross-references
    /// and returns the catalog.
    public consuming func finish() -> Catalog { build.finish() }
}

/// The source: what a catalog path holds, as the loader reads it.
enum CatalogFileReader {
    /// Files larger than this are refused (a catalog is data, not a dump).
    static let maxFileSize = 512 << 20

    enum Opened {
        /// The catalog files of a folder, sorted by name (`schema.json` is not one).
        case folder([String])
        /// A file mapped read-only.
        case mapped(MappedFile)
        /// A file that cannot be mapped (a pipe, /dev/stdin, an empty file), read.
        case read([UInt8])
        case problem(String)
    }

    static func isCatalogFileName(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json"))
    }

    static func open(_ path: String) -> Opened {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return .problem("no such file or folder") }
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return .folder(names.sorted().filter { isCatalogFileName($0) && $0 != "schema.json" }.map { (path as NSString).appendingPathComponent($0) })
        }
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path), let size = attrs[.size] as? Int else {
            return .problem("cannot read the file")
        }
        if size > maxFileSize { return .problem("file is \(size) bytes; catalogs are read up to \(maxFileSize) bytes") }
        if let mapped = MappedFile(path: path) { return .mapped(mapped) }
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .problem("cannot read the file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while data.count <= maxFileSize {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        if data.count > maxFileSize { return .problem("more than \(maxFileSize) bytes; catalogs are read up to that") }
        return .read(data)
    }
}
