// swift-tools-version: 6.1
import PackageDescription

// Dependencies point inward: ErrscopeCore <- ErrscopeProbe <- ErrscopeTUI / ErrscopeProbeClient <- ErrscopeCLI <- errscope.
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
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        // The probe's model: endpoints config, secrets, requests, outcomes, redaction, curl. Pure.
        .target(
            name: "ErrscopeProbe",
            dependencies: ["ErrscopeCore", .product(name: "Yams", package: "Yams")]
        ),
        // The probe's transport: sends a request with async-http-client and times it.
        .target(
            name: "ErrscopeProbeClient",
            dependencies: [
                "ErrscopeProbe",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The probe journal: every probe in SQLite (GRDB), for incident timelines.
        .target(
            name: "ErrscopeJournal",
            dependencies: ["ErrscopeCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // A local server that answers like the seed systems, from the catalog (Hummingbird).
        .target(
            name: "ErrscopeDemo",
            dependencies: [
                "ErrscopeCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The TUI: state, a pure update, and views that draw into a cell buffer. No terminal code.
        .target(
            name: "ErrscopeTUI",
            dependencies: ["ErrscopeCore", "ErrscopeProbe"]
        ),
        // ncursesw through a module map and a shim of static inline wrappers for its macros.
        .systemLibrary(
            name: "CNcursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // The TUI's runtime: the event loop, effects, signals, external programs, the log
        // follower; it drives any `TerminalBackend` (and a test one, without a terminal).
        .target(
            name: "ErrscopeRuntime",
            dependencies: ["ErrscopeCore", "ErrscopeTUI"]
        ),
        // The one module that talks to the terminal: the ncurses backend.
        .target(
            name: "ErrscopeTerminal",
            dependencies: ["ErrscopeCore", "ErrscopeTUI", "ErrscopeRuntime", "CNcursesw"]
        ),
        .target(
            name: "ErrscopeCLI",
            dependencies: [
                "ErrscopeCore",
                "ErrscopeBundled",
                "ErrscopeTUI",
                "ErrscopeTerminal",
                "ErrscopeProbe",
                "ErrscopeProbeClient",
                "ErrscopeJournal",
                "ErrscopeDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "errscope",
            dependencies: ["ErrscopeCLI"],
            // Start-up (docs/PERFORMANCE.md). A release build links the Swift runtime statically
            // (dynamic was slower to start) and exports none of its ~41 k Swift symbols (the
            // static stdlib's link file adds -export-dynamic, and the runtime then scans .dynsym
            // at start). It is a PIE with full RELRO (`-z relro -z now`): it parses untrusted
            // network data, so its image is randomised and its relocated data read-only before
            // main. The PIE's 131 k relative relocations are packed (`-z pack-relative-relocs`,
            // DT_RELR: a few KB instead of 3 MB for ld.so to read), which needs lld (the
            // toolchain's; gold has no DT_RELR). docs/DECISIONS.md.
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-use-ld=lld", "-Xlinker", "--no-export-dynamic", "-Xlinker", "-z", "-Xlinker", "relro",
                                           "-Xlinker", "-z", "-Xlinker", "now", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                                          .when(configuration: .release)),
                             // `-static-stdlib` alone links Foundation's static archives without the
                             // ICU and C shims they need (`--static-swift-stdlib` adds them): a plain
                             // `swift build -c release` failed to link.
                             .linkedLibrary("CoreFoundation", .when(configuration: .release)),
                             .linkedLibrary("_FoundationICU", .when(configuration: .release)),
                             .linkedLibrary("_FoundationCShims", .when(configuration: .release)),
                             .linkedLibrary("_FoundationCollections", .when(configuration: .release))]
        ),
        // Fuzz targets for the readers of untrusted input (scripts/fuzz.sh builds them with
        // libFuzzer and AddressSanitizer); built plainly, a replay driver for saved inputs.
        .executableTarget(name: "errscope-fuzz", dependencies: ["ErrscopeCore"]),
        .testTarget(
            name: "ErrscopeCoreTests",
            dependencies: ["ErrscopeCore", "ErrscopeBundled"]
        ),
        .testTarget(
            name: "ErrscopeTUITests",
            dependencies: ["ErrscopeTUI", "ErrscopeCore", "ErrscopeBundled", "ErrscopeProbe"]
        ),
        .testTarget(
            name: "ErrscopeRuntimeTests",
            dependencies: ["ErrscopeRuntime", "ErrscopeTUI", "ErrscopeCore", "ErrscopeBundled", "ErrscopeProbe", "ErrscopeDemo", "ErrscopeProbeClient"]
        ),
        // Drives the real binary in tmux (installed by scripts/test.sh).
        .testTarget(name: "ErrscopeEndToEndTests", dependencies: ["ErrscopeCore"]),
        .testTarget(
            name: "ErrscopeCLITests",
            dependencies: ["ErrscopeCLI", "ErrscopeCore"]
        ),
        // The probe against the demo server on 127.0.0.1, in the same process; the journal.
        .testTarget(
            name: "ErrscopeProbeTests",
            dependencies: ["ErrscopeProbe", "ErrscopeProbeClient", "ErrscopeJournal", "ErrscopeDemo", "ErrscopeCore", "ErrscopeBundled", "ErrscopeCLI"]
        ),
    ]
)
