import ErrscopeCore
import Foundation

// errscope-catalog-embed OUTPUT PACKAGE_ROOT FILE...
// Validates the catalogs together and writes them as JSON string literals into OUTPUT.
let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write("usage: errscope-catalog-embed OUTPUT PACKAGE_ROOT FILE...\n".data(using: .utf8)!)
    exit(2)
}
let output = args[1]
let root = args[2].hasSuffix("/") ? args[2] : args[2] + "/"
let files = Array(args.dropFirst(3))

func relative(_ path: String) -> String { path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path }

var loader = CatalogLoader()
var entries: [(String, String)] = []
var failed = false
for file in files {
    guard let data = FileManager.default.contents(atPath: file) else {
        print("\(file):0:0: error: cannot read")
        failed = true
        continue
    }
    let text = String(decoding: data, as: UTF8.self)
    loader.loadYAML(text, file: relative(file))
    do {
        let json = try CatalogDocument.json(fromYAML: text)
        entries.append((relative(file), json.compactText))
    } catch {
        print("\(file):0:0: error: \(error)")
        failed = true
    }
}
let catalog = loader.finish()
for d in catalog.diagnostics {
    // Absolute paths so that the build log links to the file.
    var d = d
    if !d.file.hasPrefix("/") { d.file = root + d.file }
    print(d.description)
}
if failed || !catalog.errors.isEmpty {
    print("error: the bundled catalogs have \(catalog.errors.count) error(s); fix catalog/ (see docs/CATALOG.md)")
    exit(1)
}

func literal(_ s: String) -> String {
    var hashes = "#"
    while s.contains("\"" + hashes) || s.contains("\\" + hashes) { hashes += "#" }
    return hashes + "\"" + s + "\"" + hashes
}

var swift = "// Generated at build time by errscope-catalog-embed from catalog/*.yaml. Do not edit.\n"
swift += "public enum BundledCatalogData {\n"
swift += "    /// (file name, catalog as JSON), in file-name order.\n"
swift += "    public static let files: [(name: String, json: StaticString)] = [\n"
for (name, json) in entries {
    swift += "        (\(literal(name)), \(literal(json))),\n"
}
swift += "    ]\n}\n"
let existing = FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self) }
if existing != swift {
    try! swift.write(toFile: output, atomically: true, encoding: .utf8)
}
