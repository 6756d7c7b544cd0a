/// The argument shapes the start-up fast paths read themselves (docs/DECISIONS.md): flags,
/// options whose value is the next argument and does not start with `-`, and positionals; each
/// flag or option at most once under any of its spellings, unless it is repeatable. Anything else
/// (`--opt=value`, bundled short flags, `--`, unknown names, repeats) gives nil, and the caller
/// hands the arguments to ArgumentParser, which reports or resolves them its own way.
struct PlainArguments {
    /// Flag key -> the spelling used (`mouse` -> `--no-mouse`).
    private(set) var flags: [String: String] = [:]
    private(set) var options: [String: [String]] = [:]
    private(set) var positionals: [String] = []

    /// `flags` and `options` map each spelling to its key (`-l` and `--long` to `long`).
    init?(_ args: [String], flags flagNames: [String: String], options optionNames: [String: String], repeatable: Set<String> = []) {
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("-") else {
                positionals.append(a)
                continue
            }
            if let key = flagNames[a] {
                guard flags[key] == nil, options[key] == nil else { return nil }
                flags[key] = a
            } else if let key = optionNames[a] {
                guard i < args.count, !args[i].hasPrefix("-"), options[key] == nil || repeatable.contains(key) else { return nil }
                options[key, default: []].append(args[i])
                i += 1
            } else {
                return nil
            }
        }
    }

    func option(_ key: String) -> String? { options[key]?.first }
}
