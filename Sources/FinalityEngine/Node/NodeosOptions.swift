/// The directory options of one nodeos, read from its command line exactly as
/// boost::program_options reads it, and from its config.ini.
///
/// Facts relied on (AntelopeIO/appbase `application_base.cpp`, `set_program_options` and
/// `initialize_impl`; AntelopeIO/spring `plugins/chain_plugin/chain_plugin.cpp`,
/// `set_program_options` and `plugin_initialize`):
/// - appbase's CLI options are `data-dir,d`, `config-dir`, `config,c` (default
///   `config.ini`, relative to the config dir); every plugin's config options
///   (`finalizers-dir`, `state-dir`, …) are also added to the command-line table
///   (`my->_app_options.add(plugin_cfg_opts)`), so they can be given either way.
/// - The command line is parsed with `bpo::command_line_parser(argc, argv)` and the
///   default style: `--name value`, `--name=value`, `-d value`, `-dvalue` (everything
///   after the letter is the value, so `-d=x` means the directory `=x`), and unambiguous
///   prefixes of long names (`--data-d`); an exact name wins over prefixes.
/// - The command line is stored first, then config.ini: the command line's value wins.
/// - A relative `--data-dir`/`--config-dir` is taken against the working directory at
///   start-up (`std::filesystem::current_path() / data_dir`).
/// - `finalizers-dir` (default `finalizers`) and `state-dir` (default `state`) are taken
///   under the data dir when relative (`finalizers_dir = app().data_dir() / fd`).
/// - config.ini holds `name = value` lines, `#` comments, `[section]` headers; names there
///   must match exactly (no prefixes).
public struct NodeosOptions: Hashable, Sendable {
    /// Every value given, in order (a single-valued option given twice stops nodeos with
    /// boost's multiple-occurrences error; all are kept so that every reading is checked).
    public var dataDir: [String] = []
    public var configDir: [String] = []
    public var configFile: [String] = []
    public var finalizersDir: [String] = []
    public var stateDir: [String] = []
    /// Tokens whose meaning could not be settled (an ambiguous prefix of two of the
    /// options above, an option without its value).
    public var unsettled: [String] = []

    public init() {}

    /// The options this reader follows, by long name.
    static let followed = ["data-dir", "config-dir", "config", "finalizers-dir", "state-dir"]

    /// Long names of nodeos options that share a prefix with a followed one, so that a
    /// prefix such as `--state` or `--data` is known to be ambiguous (nodeos then refuses to
    /// start) rather than taken for ours. From appbase's table, chain_plugin's and
    /// state_history_plugin's (spring `plugins/state_history_plugin/state_history_plugin.cpp`).
    static let neighbours = [
        "database-map-mode", "data-dir", "config", "config-dir", "contracts-console", "contract-whitelist",
        "contract-blacklist", "connection-cleanup-period", "finality-data-history", "state-history-dir",
        "state-history-retained-dir", "state-history-archive-dir", "state-history-stride", "state-history-endpoint",
        "state-history-unix-socket-path", "state-history-log-retain-blocks", "chain-state-history", "finalizers-dir",
        "state-dir",
    ]

    /// Which followed option a long name (or prefix) means: exact first, then the single
    /// option it is a prefix of.
    static func resolveLong(_ name: String) -> (option: String?, ambiguous: Bool) {
        if followed.contains(name) { return (name, false) }
        if neighbours.contains(name) { return (nil, false) }
        let candidates = Set(neighbours.filter { $0.hasPrefix(name) })
        let ours = candidates.filter { followed.contains($0) }
        if candidates.count == 1 { return (candidates.first.flatMap { followed.contains($0) ? $0 : nil }, false) }
        // Ambiguous for boost: nodeos stops at start-up. If it names one of ours, count it
        // anyway (a newer nodeos may lack the neighbour): reading too much is safe.
        if ours.count == 1 { return (ours.first, false) }
        return (nil, !ours.isEmpty)
    }

    mutating func add(_ option: String, _ value: String) {
        switch option {
        case "data-dir": dataDir.append(value)
        case "config-dir": configDir.append(value)
        case "config": configFile.append(value)
        case "finalizers-dir": finalizersDir.append(value)
        case "state-dir": stateDir.append(value)
        default: break
        }
    }

    /// Reads `arguments` (without argv[0]) as nodeos's parser does.
    public static func commandLine(_ arguments: [String]) -> NodeosOptions {
        var o = NodeosOptions()
        var i = 0
        while i < arguments.count {
            let token = arguments[i]
            i += 1
            if token == "--" { break }
            if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let name: String
                var value: String?
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq])
                    value = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
                let (option, ambiguous) = resolveLong(name)
                if ambiguous { o.unsettled.append(token) }
                guard let option else { continue }
                if value == nil {
                    guard i < arguments.count else { o.unsettled.append(token + " (no value)"); continue }
                    value = arguments[i]
                    i += 1
                }
                o.add(option, value!)
            } else if token.hasPrefix("-") && token.count >= 2 {
                let letter = token.dropFirst().first!
                let option: String? = letter == "d" ? "data-dir" : letter == "c" ? "config" : nil
                guard let option else { continue }
                let adjacent = String(token.dropFirst(2))
                if !adjacent.isEmpty {
                    o.add(option, adjacent)
                } else if i < arguments.count {
                    o.add(option, arguments[i])
                    i += 1
                } else {
                    o.unsettled.append(token + " (no value)")
                }
            }
        }
        return o
    }

    /// Adds config.ini's `finalizers-dir` and `state-dir` where the command line set none.
    public mutating func merge(configINI text: String) {
        var section = ""
        var fromFile = [String: [String]]()
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let text = trimmed(line)
            if text.isEmpty { continue }
            if text.hasPrefix("[") && text.hasSuffix("]") {
                section = String(text.dropFirst().dropLast()) + "."
                continue
            }
            guard let eq = text.firstIndex(of: "=") else { continue }
            let name = section + trimmed(text[..<eq])
            let value = trimmed(text[text.index(after: eq)...])
            fromFile[name, default: []].append(value)
        }
        if finalizersDir.isEmpty { finalizersDir = fromFile["finalizers-dir"] ?? [] }
        if stateDir.isEmpty { stateDir = fromFile["state-dir"] ?? [] }
    }
}

/// boost trims spaces and tabs around names and values in config files.
private func trimmed(_ s: Substring) -> String {
    var s = s
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return String(s)
}
