// swift-tools-version: 6.1
import PackageDescription

// Dependencies point inward: ErrscopeCore <- ErrscopeCLI <- errscope.
// ErrscopeCore is pure (Foundation + Yams): no terminal, no network.
let package = Package(
    name: "errscope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "errscope", targets: ["errscope"]),
        .library(name: "ErrscopeCore", targets: ["ErrscopeCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "ErrscopeCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // Build-time tool: validates catalog/*.yaml and compiles it to JSON embedded in the binary,
        // so the bundled catalogs load in about a millisecond from any working directory.
        .executableTarget(
            name: "errscope-catalog-embed",
            dependencies: ["ErrscopeCore"]
        ),
        .plugin(
            name: "EmbedCatalogs",
            capability: .buildTool(),
            dependencies: ["errscope-catalog-embed"]
        ),
        .target(
            name: "ErrscopeBundled",
            plugins: ["EmbedCatalogs"]
        ),
        // The TUI: state, a pure update, and views that draw into a cell buffer. No terminal code.
        .target(
            name: "ErrscopeTUI",
            dependencies: ["ErrscopeCore"]
        ),
        // ncursesw through a module map and a shim of static inline wrappers for its macros.
        .systemLibrary(
            name: "CNcursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // The one module that talks to the terminal: copies the cell buffer to ncurses.
        .target(
            name: "ErrscopeTerminal",
            dependencies: ["ErrscopeTUI", "CNcursesw"]
        ),
        .target(
            name: "ErrscopeCLI",
            dependencies: [
                "ErrscopeCore",
                "ErrscopeBundled",
                "ErrscopeTUI",
                "ErrscopeTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "errscope",
            dependencies: ["ErrscopeCLI"]
        ),
        .testTarget(
            name: "ErrscopeCoreTests",
            dependencies: ["ErrscopeCore", "ErrscopeBundled"]
        ),
        .testTarget(
            name: "ErrscopeTUITests",
            dependencies: ["ErrscopeTUI", "ErrscopeCore", "ErrscopeBundled"]
        ),
        // Drives the real binary in tmux (installed by scripts/test.sh).
        .testTarget(name: "ErrscopeEndToEndTests"),
        .testTarget(
            name: "ErrscopeCLITests",
            dependencies: ["ErrscopeCLI", "ErrscopeCore"]
        ),
    ]
)
