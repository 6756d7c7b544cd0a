import Benchmark
import ErrscopeCore
import Foundation

// Inputs come from scripts/gen-bench-data.py (Benchmarks/run.sh makes them) in $ERRSCOPE_BENCH_DATA.
let dataDir = ProcessInfo.processInfo.environment["ERRSCOPE_BENCH_DATA"] ?? "/tmp/errscope-bench"

func bytes(_ name: String) -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: dataDir + "/" + name) else {
        fatalError("missing \(dataDir)/\(name): run Benchmarks/run.sh")
    }
    return [UInt8](d)
}

/// The bundled catalogs, read from catalog/ the way a user catalog folder is.
func bundledCatalog() -> Catalog {
    var loader = CatalogLoader()
    loader.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("catalog").path)
    return loader.finish()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal],
                                           timeUnits: .milliseconds, maxDuration: .seconds(10), maxIterations: 50)

    Benchmark("decode --jsonl --summary, 100,000 mixed bodies (2 threads)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput, .peakMemoryResident], scalingFactor: .one)) { benchmark in
        let catalog = bundledCatalog()
        let input = bytes("bodies.jsonl")
        benchmark.startMeasurement()
        let s = input.withUnsafeBufferPointer { BatchSummary.summarize(lines: $0, catalog: catalog) }
        benchmark.stopMeasurement()
        precondition(s.total == 100_000)
        blackHole(s)
    }

    Benchmark("decode --jsonl --summary, 100,000 mixed bodies (1 thread)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal])) { benchmark in
        let catalog = bundledCatalog()
        let input = bytes("bodies.jsonl")
        benchmark.startMeasurement()
        let s = input.withUnsafeBufferPointer { BatchSummary.summarize(lines: $0, catalog: catalog, threads: 1) }
        benchmark.stopMeasurement()
        blackHole(s)
    }

    Benchmark("decode one body, full verdict", configuration: .init(timeUnits: .microseconds)) { benchmark in
        let decoder = ErrorDecoder(catalog: bundledCatalog())
        let body = Array(#"{"error":{"message":"alias 'x' not found","type":"not_found_error","code":"data_service_error-alias_not_found"}}"#.utf8)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(decoder.decode(DecodeInput(body: body, http: 404)))
        }
    }

    Benchmark("load generated 100,000-code catalog from its file (as the CLI and TUI do)") { benchmark in
        var loader = CatalogLoader()
        loader.load(path: dataDir + "/catalog-100000.json")
        let c = loader.finish()
        benchmark.stopMeasurement()
        precondition(c.codeCount == 100_000)
        blackHole(c)
    }

    Benchmark("load generated 100,000-code catalog from bytes in memory (every text copied)") { benchmark in
        let input = bytes("catalog-100000.json")
        benchmark.startMeasurement()
        var loader = CatalogLoader()
        loader.loadJSON(input, file: "catalog-100000.json")
        let c = loader.finish()
        benchmark.stopMeasurement()
        precondition(c.codeCount == 100_000)
        blackHole(c)
    }

    // The browser's filter as typing narrows it: `a` over every code, then `al` over what `a`
    // kept (nearly every code keeps `a`, almost none `al`: the slowest keystroke, every code,
    // domain and meaning read to the end). The TUI's keystroke adds the tree rebuild to this.
    for n in [100_000, 1_000_000] {
        let label = n == 100_000 ? "100,000" : "1,000,000"
        Benchmark("filter keystroke `al` after `a`, \(label) codes (2 threads)") { benchmark in
            var loader = CatalogLoader()
            loader.load(path: dataDir + "/catalog-\(n).json")
            let filter = CodeFilter(catalog: loader.finish())
            let a = filter.matches("a")
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(filter.matches("al", within: a)) }
        }
        Benchmark("filter keystroke `a`, \(label) codes (2 threads)") { benchmark in
            var loader = CatalogLoader()
            loader.load(path: dataDir + "/catalog-\(n).json")
            let filter = CodeFilter(catalog: loader.finish())
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(filter.matches("a")) }
        }
    }

    Benchmark("load bundled catalogs from YAML (catalog/)") { benchmark in
        benchmark.startMeasurement()
        blackHole(bundledCatalog())
    }

    Benchmark("lookup, in process (bundled catalogs loaded)", configuration: .init(timeUnits: .microseconds)) { benchmark in
        let catalog = bundledCatalog()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(catalog.lookup("data_service_error-alias_not_found"))
        }
    }
}
