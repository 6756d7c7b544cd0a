import ErrscopeCore
import Foundation

/// Fuzz targets for the readers of untrusted input, through their public entry points:
///
///   json     the JSON tape parser (`JSONValue.parse`)
///   traffic  what a person pastes or a server sends: `curl -si` text (the HTTP response
///            reader), SSE and AWS event streams, SDK log prints (the Python-literal reader),
///            bare bodies; each decoded in full against the bundled catalogs
///   catalog  the catalog loader (JSON and YAML catalogs, bounded YAML)
///   jsonl    `decode --jsonl --summary` over log lines (the batch fast path)
///
/// Built with libFuzzer and AddressSanitizer by `scripts/fuzz.sh` (`-sanitize=fuzzer,address`
/// and `-D ERRSCOPE_LIBFUZZER`); the target is `$ERRSCOPE_FUZZ_TARGET`. Without libFuzzer it is
/// a replay driver: `errscope-fuzz TARGET FILE...` runs the target once per file (a crash
/// reproducer, or the corpus in a plain test run).
enum FuzzTargets {
    nonisolated(unsafe) static var decoder: ErrorDecoder?
    nonisolated(unsafe) static var catalog: Catalog?

    /// The catalogs from `$ERRSCOPE_CATALOG_DIR` (default `catalog/`, run from the repository):
    /// read as a user's YAML catalogs are, so the target needs no build plugin.
    static func bundled() -> Catalog {
        if let c = catalog { return c }
        let dir = ProcessInfo.processInfo.environment["ERRSCOPE_CATALOG_DIR"] ?? "catalog"
        let c = CatalogSources(bundled: [], userDirectory: nil, extra: [dir]).load()
        precondition(!c.systems.isEmpty, "no catalogs in \(dir): run from the repository or set ERRSCOPE_CATALOG_DIR")
        catalog = c
        return c
    }

    static func run(_ target: String, _ data: UnsafeBufferPointer<UInt8>) {
        switch target {
        case "json":
            if let v = try? JSONValue.parse(Array(data)) {
                // A value it accepts must print and read back as the same value.
                // (A number may change kind: `1.0` prints as `1` and reads back as an integer.)
                let again = try? JSONValue.parse(v.compactText)
                precondition(again.map { $0.sameValue(as: v) } == true, "JSON round trip changed the value")
            }
        case "traffic":
            let d = decoder ?? ErrorDecoder(catalog: bundled())
            decoder = d
            let traffic = TrafficInput.read(Array(data))
            let verdict = d.decode(DecodeInput(traffic: traffic))
            // Whatever it read, nothing it shows may carry a terminal control sequence.
            for text in [verdict.code, verdict.type, verdict.message, verdict.status].compactMap({ $0 }) {
                precondition(!TerminalText.singleLine(text, limit: 200).unicodeScalars.contains { $0.value == 0x1B }, "escape reached the output")
            }
        case "catalog":
            var loader = CatalogLoader()
            loader.load(bytes: Array(data), file: "fuzz.yaml")
            _ = loader.finish()
        case "jsonl":
            _ = BatchSummary.summarize(lines: data, catalog: bundled())
        default:
            fatalError("unknown fuzz target `\(target)` (json, traffic, catalog, jsonl)")
        }
    }
}

extension JSONValue {
    /// Equal as JSON: numbers by value, whatever their kind; a number past Double's range is
    /// written as `null` (JSON has no infinity).
    func sameValue(as other: JSONValue) -> Bool {
        switch (self, other) {
        case (.double(let d), .null) where !d.isFinite, (.null, .double(let d)) where !d.isFinite: return true
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.sameValue(as: $1) }
        case (.object(let a), .object(let b)):
            return a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value.sameValue(as: $1.value) }
        default: return self == other
        }
    }
}

/// libFuzzer's entry point for each input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let target = ProcessInfo.processInfo.environment["ERRSCOPE_FUZZ_TARGET"] ?? "json"
    FuzzTargets.run(target, UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if ERRSCOPE_LIBFUZZER
/// libFuzzer's driver (compiler-rt): `main` hands it the arguments and the entry point, since
/// SwiftPM links an executable's `main` to the module's own.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
#endif

@main
struct FuzzMain {
    static func main() {
        #if ERRSCOPE_LIBFUZZER
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
        #else
        let args = Array(CommandLine.arguments.dropFirst())
        guard let target = args.first else {
            print("usage: errscope-fuzz json|traffic|catalog|jsonl FILE...  (replays inputs; scripts/fuzz.sh builds the libFuzzer version)")
            exit(64)
        }
        var n = 0
        for path in args.dropFirst() {
            guard let d = FileManager.default.contents(atPath: path) else { print("cannot read \(path)"); exit(66) }
            Array(d).withUnsafeBufferPointer { FuzzTargets.run(target, $0) }
            n += 1
        }
        print("errscope-fuzz \(target): \(n) input(s), no crash")
        #endif
    }
}
