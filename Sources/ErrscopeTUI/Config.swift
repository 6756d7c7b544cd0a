import ErrscopeCore
import Foundation

/// `config.yaml`: theme, mouse and key remapping. A bad file gives messages and the defaults.
public struct TUIConfig: Sendable, Equatable {
    public var theme: String?
    public var mouse: Bool?
    public var keys: [String: [String]] = [:]
    public var problems: [String] = []

    public init() {}

    /// `$ERRSCOPE_CONFIG_DIR/config.yaml`, else `$XDG_CONFIG_HOME/errscope/config.yaml`, else
    /// `~/.config/errscope/config.yaml`.
    public static func path(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let d = env["ERRSCOPE_CONFIG_DIR"], !d.isEmpty { return d + "/config.yaml" }
        if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/errscope/config.yaml" }
        return (env["HOME"] ?? "") + "/.config/errscope/config.yaml"
    }

    public static func parse(_ text: String, file: String = "config.yaml") -> TUIConfig {
        var c = TUIConfig()
        let value: JSONValue
        do {
            value = try CatalogDocument.json(fromYAML: text)
        } catch {
            c.problems.append("\(file)\(error.line > 0 ? ":\(error.line):\(error.column)" : ""): not valid YAML: \(error.message); using the defaults")
            return c
        }
        if value.isNull { return c }
        guard let o = value.objectValue else {
            c.problems.append("\(file): expected a mapping (theme, mouse, keys); using the defaults")
            return c
        }
        for (k, v) in o.pairs {
            switch k {
            case "theme":
                if let t = v.stringValue, Theme.names.contains(t) { c.theme = t } else {
                    c.problems.append("\(file): theme must be one of \(Theme.names.joined(separator: ", "))")
                }
            case "mouse":
                if let b = v.boolValue { c.mouse = b } else { c.problems.append("\(file): mouse must be true or false") }
            case "keys":
                guard let m = v.objectValue else { c.problems.append("\(file): keys must map actions to key lists"); continue }
                for (action, keys) in m.pairs {
                    let list = keys.arrayValue?.compactMap(\.scalarText) ?? keys.scalarText.map { [$0] } ?? []
                    c.keys[action] = list
                }
            default:
                c.problems.append("\(file): unknown setting `\(k)`")
            }
        }
        return c
    }

    /// The key map with this config's remappings; problems are added to `problems`.
    public func keymap() -> (KeyMap, [String]) {
        var k = KeyMap.default
        let p = k.remap(keys.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        return (k, p)
    }
}
