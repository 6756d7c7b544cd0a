import ErrscopeBundled
import ErrscopeCore
@testable import ErrscopeTUI
import Foundation
import Testing

enum Fixtures {
    /// The bundled catalogs only (no user files), loaded once.
    static let catalog: Catalog = CatalogSources(bundled: BundledCatalogData.files, userDirectory: nil).load()
    static let data = BrowserData(catalog: catalog)

    static func state(width: Int = 120, height: Int = 40, keymap: KeyMap = .default) -> AppState {
        AppState(data: data, width: width, height: height, keymap: keymap)
    }

    /// A catalog from YAML text alone (no bundled files).
    static func load(yaml: String, file: String = "test.yaml") -> Catalog {
        var loader = CatalogLoader()
        loader.loadYAML(yaml, file: file)
        return loader.finish()
    }

    /// The first row of `code` in `system`.
    static func row(_ code: String, system: String = "bodhi") -> Int? {
        catalog.rows(code: code).first { catalog.entry($0).system == system }
    }
}

/// Drives the pure update with events, collecting every effect.
extension AppState {
    @discardableResult
    mutating func send(_ events: Event...) -> [Effect] {
        var out: [Effect] = []
        for e in events { out += update(&self, e) }
        return out
    }

    @discardableResult
    mutating func press(_ keys: Key...) -> [Effect] {
        var out: [Effect] = []
        for k in keys { out += update(&self, .key(k)) }
        return out
    }

    /// Types each character of `text` as a key press.
    @discardableResult
    mutating func type(_ text: String) -> [Effect] {
        var out: [Effect] = []
        for c in text { out += update(&self, .key(.char(c))) }
        return out
    }

    /// `:` + text + Enter.
    @discardableResult
    mutating func command(_ text: String) -> [Effect] {
        var out = press(.char(":"))
        out += type(text)
        out += press(.enter)
        return out
    }

    var selectedCode: String? { selectedEntry?.code }

    var screen: ScreenBuffer { View.render(self) }
}
