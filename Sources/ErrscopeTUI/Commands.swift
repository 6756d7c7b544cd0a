import ErrscopeCore
import ErrscopeProbe
import Foundation

/// One `:` command: its names, its usage and help (what `?` and `:help` list), and what it does.
/// The table below both runs the commands and writes their help, so the two cannot drift.
struct Command: Sendable {
    var names: [String]
    var usage: String
    var help: String
    /// Runs with the name typed (`:probe` or `:probe!`) and the rest of the line, trimmed.
    var run: @Sendable (inout AppState, String, String) -> CommandResult
}

enum CommandResult {
    case done([Effect])
    case failed(String)
}

enum Commands {
    static let table: [Command] = [
        Command(names: ["system", "sys"], usage: ":system ID", help: "jump to a system (bodhi, openai, ...), opened") { s, _, arg in
            guard let si = s.data.tree.systems.firstIndex(where: { $0.id == arg || $0.id.hasPrefix(arg) && !arg.isEmpty }) else {
                return .failed("no system `\(arg)`; systems: \(s.data.tree.systems.map(\.id).joined(separator: ", "))")
            }
            s.pushJump()
            if s.tree.filterMatches != nil { s.clearFilter() }
            s.tree.expandedSystems.insert(si)
            s.tree.rebuildRows()
            s.tree.select(.system(si))
            s.focus = .tree
            return .done([])
        },
        Command(names: ["code"], usage: ":code [CODE]", help: "jump to a code; without an exact id (or alias), a fuzzy picker over every code") { s, _, arg in
            // One exact answer jumps; anything else is a choice, made in the picker.
            let exact = arg.isEmpty ? [] : s.data.catalog.resolve(code: arg)
            guard exact.count == 1, let e = exact.first else {
                let picker = PickerUpdate.codes(s, query: arg)
                guard !picker.matches.isEmpty else { return .failed("no code `\(arg)`, not even fuzzily") }
                s.picker = picker
                return .done([])
            }
            s.pushJump()
            s.reveal(row: e.row)
            s.focus = .tree
            return .done([])
        },
        Command(names: ["http"], usage: ":http N", help: "filter by HTTP status") { s, _, arg in
            guard let n = Int(arg), (100...599).contains(n) else { return .failed(":http takes a status, 100-599") }
            s.tree.applyFilter(String(n))
            s.focus = .tree
            return .done([])
        },
        Command(names: ["envelope", "env"], usage: ":envelope ID", help: "show that envelope's column") { s, _, arg in
            guard s.selectedEntry != nil else { return .failed("select a code first") }
            guard let i = s.renderings.firstIndex(where: { $0.envelope == arg }) else {
                return .failed("`\(arg)` is not among this code's envelopes: \(s.renderings.map(\.envelope).joined(separator: ", "))")
            }
            s.mapping.column = i
            s.focus = .mapping
            return .done([])
        },
        Command(names: ["compare"], usage: ":compare CATEGORY|N", help: "one category (context_length, quota, ...) or HTTP status across every system") { s, _, arg in
            guard let subject = CompareState.subject(arg) else {
                return .failed(":compare takes a category (\(ErrorCategory.allCases.map(\.rawValue).joined(separator: ", "))) or an HTTP status")
            }
            s.compare = CompareState.make(subject, catalog: s.data.catalog)
            return .done([])
        },
        Command(names: ["category", "cat"], usage: ":category CATEGORY", help: "the same, for a category") { s, name, arg in
            guard ErrorCategory(rawValue: arg.lowercased()) != nil, let subject = CompareState.subject(arg) else {
                return .failed(":\(name) takes a category (\(ErrorCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            s.compare = CompareState.make(subject, catalog: s.data.catalog)
            return .done([])
        },
        Command(names: ["observed"], usage: ":observed", help: "show the mapping the real service sends") { s, _, _ in
            s.mapping.variant = .observed
            return .done([])
        },
        Command(names: ["documented"], usage: ":documented", help: "show the mapping the docs describe") { s, _, _ in
            s.mapping.variant = .documented
            return .done([])
        },
        Command(names: ["expand"], usage: ":expand", help: "open every system in the tree") { s, _, _ in
            let row = s.selectedRow
            s.tree.expandedSystems = Set(s.data.tree.systems.indices)
            s.tree.rebuildRows()
            if let r = row { s.tree.select(r) }
            return .done([])
        },
        Command(names: ["collapse"], usage: ":collapse", help: "close every system and domain") { s, _, _ in
            let system: Int? = {
                switch s.selectedRow {
                case .system(let si)?, .domain(let si, _)?, .code(let si, _, _)?: return si
                default: return nil
                }
            }()
            s.tree.expandedSystems = []
            s.tree.expandedDomains = []
            s.tree.rebuildRows()
            if let si = system { s.tree.select(.system(si)) }
            return .done([])
        },
        Command(names: ["theme"], usage: ":theme NAME", help: "dark, light, high-contrast, mono") { s, _, arg in
            guard let t = Theme.named(arg) else { return .failed("themes: \(Theme.names.joined(separator: ", "))") }
            s.theme = t
            return .done([])
        },
        Command(names: ["probe", "probe!"], usage: ":probe[!] [ENDPOINT[/REQUEST] | URL]",
                help: "load an endpoint, saved request or URL into the probe form; with ! send it at once") { s, name, arg in
            s.focus = .probe
            let sendNow = name.hasSuffix("!")
            guard !arg.isEmpty else {
                // No name: pick one (or, with !, send what the form holds).
                if sendNow { return .done(s.inPane(\.probe) { ProbeUpdate.send(&$0, &$1) } ?? []) }
                if !s.probe.config.endpoints.isEmpty { s.picker = PickerUpdate.endpoints(s, query: "", send: false) }
                return .done([])
            }
            var loaded: String
            if arg.hasPrefix("http://") || arg.hasPrefix("https://") {
                s.probe.select(endpoint: nil, request: nil)
                s.probe.draft.url = arg
                if let e = s.probe.config.endpoint(containing: arg) {
                    // Read relative to the endpoint it lies under (not sent its credentials).
                    s.probe.draft.baseURL = e.url
                    s.probe.draft.system = e.system
                }
                s.probe.row = sendNow ? .send : .url
                loaded = "URL loaded"
            } else {
                let parts = arg.split(separator: "/", maxSplits: 1).map(String.init)
                guard let ei = s.probe.config.endpoints.firstIndex(where: { $0.name == parts[0] }) else {
                    // Not a name: the picker, with what was typed as its query (when it matches).
                    let picker = PickerUpdate.endpoints(s, query: arg, send: sendNow)
                    guard !picker.matches.isEmpty else {
                        return .failed("no endpoint `\(parts[0])`; endpoints: \(s.probe.config.endpoints.map(\.name).joined(separator: ", "))")
                    }
                    s.picker = picker
                    return .done([])
                }
                var ri: Int? = s.probe.config.endpoints[ei].requests.isEmpty ? nil : 0
                if parts.count > 1 {
                    guard let r = s.probe.config.endpoints[ei].requests.firstIndex(where: { $0.name == parts[1] }) else {
                        return .failed("endpoint `\(parts[0])` has no request `\(parts[1])`")
                    }
                    ri = r
                }
                s.probe.select(endpoint: ei, request: ri)
                s.probe.result = nil
                s.probe.row = .send
                let ep = s.probe.config.endpoints[ei]
                loaded = "\(ep.name)" + (ri.map { "/\(ep.requests[$0].name)" } ?? "") + " loaded"
            }
            if sendNow { return .done(s.inPane(\.probe) { ProbeUpdate.send(&$0, &$1) } ?? []) }
            // Loading is not sending: say so, and how to send.
            s.message = StatusMessage(text: "\(loaded), not sent: s or Enter sends it (:probe! \(arg) loads and sends)", isError: false)
            return .done([])
        },
        Command(names: ["watch"], usage: ":watch [SECONDS|off]", help: "repeat the probe every N seconds (default 5); :watch off stops") { s, _, arg in
            s.focus = .probe
            if arg == "off" {
                s.probe.watchInterval = nil
                s.probe.nextWatchAt = nil
                return .done([])
            }
            guard let n = arg.isEmpty ? ProbeState.defaultWatchInterval : Double(arg), n >= 0.1, n <= 86400 else {
                return .failed(":watch takes seconds, 0.1 to 86400")
            }
            return .done(s.inPane(\.probe) { ProbeUpdate.startWatch(&$0, n, &$1) } ?? [])
        },
        Command(names: ["log"], usage: ":log FILE|-", help: "follow a log in the incident pane (like tail -F; - is standard input)") { s, _, arg in
            guard !arg.isEmpty else { return .failed(":log takes a file (or - for standard input)") }
            return .done(IncidentUpdate.open(&s, arg))
        },
        Command(names: ["mouse"], usage: ":mouse on|off", help: "mouse support") { s, _, arg in
            s.mouse = arg != "off"
            return .done([.setMouse(s.mouse)])
        },
        Command(names: ["help", "h"], usage: ":help", help: "this help: keys, commands, the filter") { s, _, _ in
            s.mode = .help(scroll: 0)
            return .done([])
        },
        Command(names: ["q", "quit", "q!", "wq"], usage: ":q", help: "quit") { _, _, _ in .done([.quit]) },
    ]

    static func find(_ name: String) -> Command? { table.first { $0.names.contains(name) } }
}

/// Runs a `:` line through the command table.
func runCommand(_ s: inout AppState, _ text: String) -> [Effect] {
    let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
    guard let name = parts.first else { return [] }
    let arg = parts.count > 1 ? TerminalText.trimSpaces(parts[1]) : ""
    guard let command = Commands.find(name) else {
        s.message = StatusMessage(text: "unknown command `:\(name)` (:help lists them)", isError: true)
        return [.bell]
    }
    switch command.run(&s, name, arg) {
    case .done(let effects): return effects
    case .failed(let m):
        s.message = StatusMessage(text: m, isError: true)
        return [.bell]
    }
}
