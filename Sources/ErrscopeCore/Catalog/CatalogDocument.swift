import Foundation
import Yams

/// Whole-document conversions used by tools.
public enum CatalogDocument {
    /// YAML text as JSON, with YAML 1.2 scalars (`no` stays a string).
    /// Bounded (see `YAMLReader`); errors are `YAMLReader.Failure` (line, column, message).
    public static func json(fromYAML text: String) throws(YAMLReader.Failure) -> JSONValue {
        guard let node = try YAMLReader.compose(text) else { return .null }
        return YAMLDoc(node: node).json()
    }
}

/// Where catalogs come from, in load order.
public struct CatalogSources: Sendable {
    /// Catalogs compiled into the binary: (file name, JSON text).
    public var bundled: [(name: String, json: StaticString)]
    /// `$XDG_CONFIG_HOME/errscope/catalogs` (or `~/.config/errscope/catalogs`), when it exists.
    public var userDirectory: String?
    /// `--catalog PATH` arguments: files or folders.
    public var extra: [String]

    public init(bundled: [(name: String, json: StaticString)], userDirectory: String? = CatalogSources.defaultUserDirectory(), extra: [String] = []) {
        self.bundled = bundled; self.userDirectory = userDirectory; self.extra = extra
    }

    public static func defaultUserDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let base: String
        if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty {
            base = x
        } else if let home = environment["HOME"], !home.isEmpty {
            base = home + "/.config"
        } else {
            return nil
        }
        return base + "/errscope/catalogs"
    }

    public func load() -> Catalog {
        var loader = CatalogLoader()
        // The bundled catalogs were checked by the build (errscope-catalog-embed).
        loader.checkPatterns = false
        for (name, json) in bundled {
            let bytes = Array(UnsafeBufferPointer(start: json.utf8Start, count: json.utf8CodeUnitCount))
            loader.loadJSON(bytes, file: name)
        }
        loader.checkPatterns = true
        if let dir = userDirectory, FileManager.default.fileExists(atPath: dir) { loader.load(path: dir) }
        for path in extra { loader.load(path: path) }
        return loader.finish()
    }
}
