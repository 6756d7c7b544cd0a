import ErrscopeBundled
import ErrscopeCore
import ErrscopeRuntime
import ErrscopeTUI
import Foundation
import Testing

/// The runtime (loop, inbox, signals, effects, external programs, the log follower) driven
/// through the test backend: no terminal, no tmux.
@Suite("Runtime", .serialized)
struct RuntimeTests {
    static let data = BrowserData(catalog: CatalogSources(bundled: BundledCatalogData.files, userDirectory: nil).load())

    static func run(_ script: [TestBackend.Step], width: Int = 120, height: Int = 40, options: Runtime<TestBackend>.Options = .init(),
                    prepare: (inout AppState) -> Void = { _ in }) -> (Int32, TestBackend, Runtime<TestBackend>) {
        var state = AppState(data: data, width: 0, height: 0)
        prepare(&state)
        let backend = TestBackend(width: width, height: height, script: script)
        let runtime = Runtime(backend: backend, state: state, options: options)
        let status = runtime.run()
        return (status, backend, runtime)
    }

    @Test func paintsTheFirstFrameRunsKeysAndGivesTheTerminalBackOnQuit() {
        let (status, backend, runtime) = Self.run(TestBackend.keys([.char("/")]) + TestBackend.type("overloaded") + TestBackend.keys([.enter, .char("q")]))
        #expect(status == 0)
        #expect(!backend.ranOut, "q quit")
        #expect(backend.started)
        #expect(backend.stopped == 1)
        // The first frame is full and shows the catalog; each key painted a frame.
        #expect(backend.fullPaints >= 1)
        #expect(backend.frames.count == 1 + 1 + 10 + 1)
        #expect(TestBackend.text(backend.frames[0]).joined().contains("1 Catalog"))
        #expect(backend.screen.joined(separator: "\n").contains("matches"))
        #expect(runtime.state.tree.filterText == "overloaded")
        #expect(runtime.state.width == 120 && runtime.state.height == 40)
    }

    @Test func theThemeFollowsTheColoursTheTerminalTurnedOutToHave() {
        let colour = Runtime(backend: TestBackend(colors: 256, script: TestBackend.keys([.char("q")])),
                             state: AppState(data: Self.data, width: 0, height: 0), options: .init(themeName: "dark"))
        _ = colour.run()
        #expect(colour.state.theme.name == "dark")
        let none = Runtime(backend: TestBackend(colors: 0, script: TestBackend.keys([.char("q")])),
                           state: AppState(data: Self.data, width: 0, height: 0), options: .init(themeName: "dark"))
        _ = none.run()
        #expect(none.state.theme.name == Theme.mono.name)
        let noColor = Runtime(backend: TestBackend(colors: 256, script: TestBackend.keys([.char("q")])),
                              state: AppState(data: Self.data, width: 0, height: 0), options: .init(themeName: "dark", noColor: true))
        _ = noColor.run()
        #expect(noColor.state.theme.name == Theme.mono.name)
    }

    @Test func aSignalQuitsThroughTheLoopWithItsStatusAndTheTerminalRestored() {
        let (status, backend, _) = Self.run(TestBackend.keys([.down]) + [.signal(SIGTERM)] + TestBackend.keys([.down, .down]))
        #expect(status == 128 + SIGTERM)
        #expect(backend.stopped == 1)
        // Nothing after the signal was read.
        #expect(backend.frames.count == 2)
        // The handlers are the defaults again once the runtime is done.
        var act = sigaction()
        sigaction(SIGTERM, nil, &act)
        #expect(act.__sigaction_handler.sa_handler == nil)
    }

    @Test func ctrlZReleasesTheScreenSuspendsAndRedrawsInFull() {
        let (status, backend, _) = Self.run([.input(.suspend)] + TestBackend.keys([.char("q")]))
        #expect(status == 0)
        #expect(backend.suspends == 1)
        #expect(backend.released == 1 && backend.resumed == 1)
        #expect(backend.fullPaints == 2)
    }

    @Test func effectsReachTheBackend() {
        // m: mouse on; then a code's envelope copied (y in the mapping pane); a bell for nothing to jump back to.
        let (_, backend, _) = Self.run(TestBackend.keys([.char("m"), .ctrl("o")]) + [.input(.event(.command("code data_service_error-alias_not_found")))]
            + TestBackend.keys([.char("3"), .char("y"), .char("q")]))
        #expect(backend.mouse == [true])
        #expect(backend.bells == 1)
        #expect(backend.copied.count == 1)
        #expect(backend.copied.first?.contains("alias_not_found") == true)
        #expect(!backend.ranOut)
    }

    @Test func theEditorIsAGenericExecOnAPrivateFileWithTheScreenHandedOver() throws {
        // A stand-in editor: checks that the file is private (0600) and appends a line to it.
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-rt-editor-\(getpid()).sh").path
        try "#!/bin/sh\ntest \"$(stat -c %a \"$1\")\" = 600 || exit 9\nprintf '\"edited\"' > \"$1\"\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o700)
        defer { unlink(script) }
        let saved = (getenv("VISUAL").map { String(cString: $0) }, getenv("EDITOR").map { String(cString: $0) })
        setenv("VISUAL", script, 1)
        defer {
            if let v = saved.0 { setenv("VISUAL", v, 1) } else { unsetenv("VISUAL") }
            if let e = saved.1 { setenv("EDITOR", e, 1) } else { unsetenv("EDITOR") }
        }
        // 4: the probe pane; e: its body in $VISUAL.
        let (status, backend, runtime) = Self.run(TestBackend.keys([.char("4"), .char("e"), .char("q")]))
        #expect(status == 0)
        #expect(backend.released == 1 && backend.resumed == 1)
        #expect(runtime.state.probe.draft.body == "\"edited\"")
        // A program that fails leaves the form as it was.
        setenv("VISUAL", "false", 1)
        let (_, backend2, runtime2) = Self.run(TestBackend.keys([.char("4"), .char("e"), .char("q")]))
        #expect(backend2.released == 1)
        #expect(runtime2.state.probe.draft.body == AppState(data: Self.data, width: 0, height: 0).probe.draft.body)
    }

    @Test func theLogFollowerPostsThroughTheInboxFromItsThread() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("errscope-rt-log-\(getpid()).jsonl").path
        let line = #"{"status":429,"body":{"error":{"type":"rate_limit_error","message":"slow down"}}}"# + "\n"
        try String(repeating: line, count: 3).write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let (status, backend, runtime) = Self.run([.waitFor("3 lines", timeout: 10)] + TestBackend.keys([.char("q")]),
                                                  options: .init(log: path))
        #expect(status == 0)
        #expect(backend.timedOut.isEmpty)
        #expect(runtime.state.focus == .incident)
        #expect(backend.screen.joined(separator: "\n").contains("rate_limit"))
    }
}

