// swift-tools-version: 6.1
import Foundation
import PackageDescription

// A path dependency's identity is its folder name, which differs between clones.
let mainPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

// Benchmarks live in their own package so the main build and CI never compile the harness.
// Run: Benchmarks/run.sh (generates the data, runs these and the whole-process comparisons).
let package = Package(
    name: "errscope-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ErrscopeBenchmarks",
            dependencies: [
                .product(name: "ErrscopeCore", package: mainPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ErrscopeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
