import ErrscopeBundled
import ErrscopeCore
import Foundation
import Testing

enum Fixtures {
    /// The bundled catalogs only (no user files), loaded once.
    static let catalog: Catalog = CatalogSources(bundled: BundledCatalogData.files, userDirectory: nil).load()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `../shared/seeds` beside the repository (present on developer machines and in CI).
    static let seeds = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/seeds")
    static var seedsPresent: Bool { FileManager.default.fileExists(atPath: seeds.path) }

    static func seed(_ prefix: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: seeds.path)
        let name = try #require(names.first { $0.hasPrefix(prefix) })
        return try String(contentsOf: seeds.appendingPathComponent(name), encoding: .utf8)
    }

    static func decode(_ body: String, http: Int? = nil, headers: [(String, String)] = [], path: String? = nil,
                       system: String? = nil, now: Date = Date(timeIntervalSince1970: 1_700_000_000)) -> DecodeResult
    {
        ErrorDecoder(catalog: catalog).decode(DecodeInput(
            body: Array(body.utf8), http: http, headers: headers.map { (name: $0.0, value: $0.1) }, path: path,
            system: system, now: now))
    }

    static func load(yaml: String, file: String = "test.yaml", withBundled: Bool = true) -> Catalog {
        var loader = CatalogLoader()
        if withBundled {
            for (name, json) in BundledCatalogData.files {
                loader.loadJSON(Array(UnsafeBufferPointer(start: json.utf8Start, count: json.utf8CodeUnitCount)), file: name)
            }
        }
        loader.loadYAML(yaml, file: file)
        return loader.finish()
    }
}

/// A seeded generator for the differential tests: the same cases on every run.
struct SplitMix {
    var state: UInt64
    init(state: UInt64) { self.state = state }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
}
