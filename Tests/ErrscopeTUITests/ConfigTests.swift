import ErrscopeCore
@testable import ErrscopeTUI
import Testing

@Suite struct ConfigTests {
    @Test func parsesThemeMouseAndKeys() {
        let c = TUIConfig.parse("""
            theme: light
            mouse: true
            keys:
              move_down: [x, down]
              quit: ctrl-q
            """)
        #expect(c.problems.isEmpty, "\(c.problems)")
        #expect(c.theme == "light")
        #expect(c.mouse == true)
        #expect(c.keys == ["move_down": ["x", "down"], "quit": ["ctrl-q"]])
        let (keymap, problems) = c.keymap()
        #expect(problems.isEmpty)
        #expect(keymap.keys(for: .moveDown) == [.char("x"), .down])
        #expect(keymap.keys(for: .quit) == [.ctrl("q")])
    }

    @Test func emptyFileGivesTheDefaults() {
        for text in ["", "# nothing here\n"] {
            let c = TUIConfig.parse(text)
            #expect(c == TUIConfig())
            #expect(c.keymap().1.isEmpty)
        }
    }

    @Test func anAliasBombIsRefusedAtOnceAndTheDefaultsUsed() {
        var bomb = [#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for i in 1...9 { bomb.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
        bomb.append("theme: dark\nkeys: *a9")
        let start = ContinuousClock.now
        let c = TUIConfig.parse(bomb.joined(separator: "\n"), file: "config.yaml")
        #expect(ContinuousClock.now - start < .seconds(8))  // unbounded: 20 s and 3.5 GB
        #expect(c.problems.count == 1 && c.problems[0].hasPrefix("config.yaml:") && c.problems[0].contains("alias"), "\(c.problems)")
        #expect(c.theme == nil)
    }

    @Test func invalidYAMLGivesAProblemAndTheDefaults() {
        let c = TUIConfig.parse("theme: [light\nmouse: true\n", file: "/home/me/config.yaml")
        #expect(c.problems.count == 1)
        #expect(c.problems.first?.contains("/home/me/config.yaml") == true)
        #expect(c.problems.first?.contains("not valid YAML") == true)
        #expect(c.theme == nil)
        #expect(c.mouse == nil)
        #expect(c.keys.isEmpty)
    }

    @Test func aListAtTheTopIsNotAConfig() {
        let c = TUIConfig.parse("- theme\n- light\n")
        #expect(c.problems.count == 1)
        #expect(c.problems.first?.contains("expected a mapping") == true)
        #expect(c.theme == nil)
    }

    @Test func unknownSettingIsReportedAndTheRestKept() {
        let c = TUIConfig.parse("colour: red\ntheme: mono\n")
        #expect(c.problems.count == 1)
        #expect(c.problems.first?.contains("unknown setting `colour`") == true)
        #expect(c.theme == "mono")
    }

    @Test func badValuesAreReportedAndLeftAtTheirDefaults() {
        let c = TUIConfig.parse("theme: neon\nmouse: 3\nkeys: [j]\n")
        #expect(c.problems.count == 3, "\(c.problems)")
        #expect(c.problems.contains { $0.contains("theme must be one of") && $0.contains("high-contrast") })
        #expect(c.problems.contains { $0.contains("mouse must be true or false") })
        #expect(c.problems.contains { $0.contains("keys must map actions") })
        #expect(c.theme == nil)
        #expect(c.mouse == nil)
        #expect(c.keys.isEmpty)
    }

    @Test func unknownActionAndKeyAreProblemsAndTheDefaultsStay() {
        let c = TUIConfig.parse("""
            keys:
              frobnicate: [x]
              move_up: [notakey]
            """)
        #expect(c.problems.isEmpty, "parse does not judge the names")
        let (keymap, problems) = c.keymap()
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.contains("unknown action `frobnicate`") && $0.contains("move_down") })
        #expect(problems.contains { $0.contains("unknown key `notakey` for move_up") })
        // Nothing was remapped.
        #expect(keymap.keys(for: .moveUp) == KeyMap.default.keys(for: .moveUp))
        #expect(keymap.action(for: .char("x"), in: .tree) == nil)
    }

    @Test func remappingMoveDownToXMovesWithXAndNotJ() {
        let c = TUIConfig.parse("keys:\n  move_down: [x]\n")
        let (keymap, problems) = c.keymap()
        #expect(problems.isEmpty)
        var s = Fixtures.state(keymap: keymap)
        s.press(.char("x"))
        #expect(s.tree.cursor == 1)
        s.press(.char("j"))
        #expect(s.tree.cursor == 1, "j no longer moves")
        s.press(.down)
        #expect(s.tree.cursor == 1, "the whole key list was replaced")
        s.press(.char("k"))
        #expect(s.tree.cursor == 0, "other actions keep their keys")
    }

    @Test func aKeyMovesFromItsOldAction() {
        var keymap = KeyMap.default
        #expect(keymap.remap([(action: "quit", keys: ["j"])]).isEmpty)
        #expect(keymap.keys(for: .moveDown) == [.down])
        var s = Fixtures.state(keymap: keymap)
        #expect(s.press(.char("j")) == [.quit])
        #expect(s.press(.char("q")).isEmpty, "q is no longer bound")
    }

    @Test func quitAlwaysKeepsAKey() {
        var keymap = KeyMap.default
        let problems = keymap.remap([(action: "help", keys: ["q", "ctrl-c"])])
        #expect(problems.contains { $0.contains("quit had no key left") })
        #expect(keymap.keys(for: .quit) == [.ctrl("c")])
        var s = Fixtures.state(keymap: keymap)
        #expect(s.press(.ctrl("c")) == [.quit])
        s.press(.char("q"))
        #expect(s.showHelp)
    }

    @Test func paneScopedBindingsWinInTheirPane() {
        var keymap = KeyMap.default
        // `o` for a global action; the mapping pane still has its own `o`.
        #expect(keymap.remap([(action: "toggle_mouse", keys: ["o"])]).isEmpty)
        #expect(keymap.action(for: .char("o"), in: .tree) == .toggleMouse)
        // The key moved away from toggle_variant, so the mapping pane falls back to the global binding.
        #expect(keymap.keys(for: .toggleVariant).isEmpty)
        #expect(keymap.action(for: .char("o"), in: .mapping) == .toggleMouse)
        #expect(KeyMap.default.action(for: .char("h"), in: .tree) == .collapse)
        #expect(KeyMap.default.action(for: .char("o"), in: .tree) == nil)
        #expect(KeyMap.default.action(for: .char("o"), in: .mapping) == .toggleVariant)
    }

    @Test func keyNamesParse() {
        #expect(Key(name: "j") == .char("j"))
        #expect(Key(name: "G") == .char("G"))
        #expect(Key(name: "ctrl-c") == .ctrl("c"))
        #expect(Key(name: "Ctrl-F") == .ctrl("f"))
        #expect(Key(name: "f1") == .f(1))
        #expect(Key(name: "F12") == .f(12))
        #expect(Key(name: "f13") == nil)
        #expect(Key(name: "pgdn") == .pageDown)
        #expect(Key(name: "PageUp") == .pageUp)
        #expect(Key(name: "S-tab") == .backTab)
        #expect(Key(name: "space") == .char(" "))
        #expect(Key(name: "esc") == .escape)
        #expect(Key(name: "notakey") == nil)
        #expect(Key(name: "") == nil)
        #expect(Key.char(" ").label == "Space")
        #expect(Key.ctrl("c").label == "Ctrl-C")
    }

    @Test func configPathFollowsTheEnvironment() {
        #expect(TUIConfig.path(environment: ["ERRSCOPE_CONFIG_DIR": "/etc/es", "XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/etc/es/config.yaml")
        #expect(TUIConfig.path(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/errscope/config.yaml")
        #expect(TUIConfig.path(environment: ["ERRSCOPE_CONFIG_DIR": "", "HOME": "/h"]) == "/h/.config/errscope/config.yaml")
    }

    @Test func everyConfiguredThemeExists() {
        for name in Theme.names {
            #expect(Theme.named(name)?.name == name)
            #expect(TUIConfig.parse("theme: \(name)").problems.isEmpty)
        }
        #expect(Theme.named("neon") == nil)
        #expect(Theme.named("dark", colors: 2) == Theme.mono)
    }
}
