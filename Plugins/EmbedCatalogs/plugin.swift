import Foundation
import PackagePlugin

/// Compiles `catalog/*.yaml` into JSON embedded in the binary, after validating it: a broken
/// bundled catalog fails the build with `file:line:col` errors instead of shipping.
@main
struct EmbedCatalogs: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let dir = context.package.directoryURL.appending(path: "catalog")
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { ["yaml", "yml"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let out = context.pluginWorkDirectoryURL.appending(path: "BundledCatalogData.swift")
        let tool = try context.tool(named: "errscope-catalog-embed")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) catalogs from catalog/",
                executable: tool.url,
                arguments: [out.path(percentEncoded: false), context.package.directoryURL.path(percentEncoded: false)]
                    + files.map { $0.path(percentEncoded: false) },
                inputFiles: files,
                outputFiles: [out])
        ]
    }
}
