/// The options of one nodeos that this tool needs, read from its command line and from its
/// config file exactly as nodeos reads them: the one reading used by the process scan, the
/// interlocks and the key lookup.
///
/// How nodeos reads its options (AntelopeIO/appbase `application_base.cpp`,
/// `application_base::set_program_options` and `initialize_impl`, as of commit 06c6806):
/// - The command line is parsed with `bpo::command_line_parser(argc, argv)
///   .options(_app_options).run()`, boost's default style, against every option of every
///   plugin linked into nodeos (`_app_options.add(plugin_cfg_opts)`) plus appbase's own:
///   `data-dir,d`, `config-dir`, `config,c` (default `config.ini`), `logconf,l`, `help,h`,
///   `version,v`. A positional token is refused ("Unknown option ... passed as command line
///   argument"), so in a running nodeos every token is an option or an option's value.
/// - The config file is parsed with `bpo::parse_config_file(..., _cfg_options, false)`:
///   only the plugins' config options and `plugin`; `data-dir`, `config-dir` and `config`
///   are unknown there (nodeos refuses such a file), so they come from the command line only.
/// - The command line is stored first, then the config file (`bpo::store` twice): a
///   single-valued option keeps the command line's value; a `composing()` option gets both.
/// - A relative `data-dir`/`config-dir` is taken against the working directory at start-up
///   (`std::filesystem::current_path() / data_dir`); a relative `config` against the config dir.
///
/// boost::program_options' rules, as followed here (boostorg/program_options
/// `src/cmdline.cpp`, `cmdline::run`, `parse_long_option`, `parse_short_option`,
/// `finish_option`; `src/options_description.cpp`, `find_nothrow`; `src/config_file.cpp`,
/// `common_config_file_iterator::get`; `include/boost/program_options/detail/
/// value_semantic.hpp`, the generic `validate` through `lexical_cast`):
/// - `--name value`, `--name=value` (`--name=` with nothing after is refused); an
///   unambiguous prefix of a long name (`--config-d`); an exact name wins over the longer
///   names it prefixes (`--config` is `config`, not `config-dir`); a prefix of two names
///   is refused (nodeos does not start).
/// - `-d value`, `-dvalue` (everything after the letter, so `-d=x` is the directory `=x`);
///   short options without a value can be grouped in front of one (`-ed DIR`: `-e`, then
///   `-d DIR`).
/// - A value is the next token whatever it looks like, unless it is a known short option.
///   (Limit of this reader: it knows the arity of the options it follows and of `-l`,
///   `-p`, not of every nodeos option, so the value of another option written as a
///   separate token that looks like one of ours, `--agent-name --data-dir=x`, is read as
///   ours: too much, never too little.)
/// - A `multitoken()` option also takes the tokens after its value up to the next one that
///   looks like an option (`--signature-provider A B`).
/// - `--` ends the options (nodeos then refuses any token after it).
/// - Config file: lines split at `\n`; `#` starts a comment anywhere, `;` in the first
///   column comments the line (newer boost; an older one refuses the line, so it never
///   means an option to a running nodeos); spaces, tabs and `\r` are trimmed around names and values;
///   `[section]` prefixes the names after it with `section.`; `name = value` is split at
///   the first `=`; names must match exactly (no prefixes); line numbers are kept for messages.
/// - Values of `std::filesystem::path` options (`finalizers-dir`, `state-dir`,
///   `blocks-dir`) go through `lexical_cast`, i.e. `operator>>` with `std::quoted`: a
///   value in double quotes loses them (`"/srv/my node"`), backslash escapes one character.
///   `data-dir`, `config-dir` and `config` are `std::string` and are taken as written.
///
/// The options (AntelopeIO/spring):
/// - `plugins/chain_plugin/chain_plugin.cpp`, `chain_plugin::set_program_options`:
///   `blocks-dir` (default `blocks`), `state-dir` (default `state`), `finalizers-dir`
///   (default `finalizers`), each `bpo::value<std::filesystem::path>()`, single-valued,
///   and taken under the data dir when relative (`plugin_initialize`; shared/docs
///   format.md cites lines 569–590).
/// - `plugins/producer_plugin/producer_plugin.cpp`, `producer_plugin::set_program_options`:
///   `("signature-provider", boost::program_options::value<vector<string>>()->composing()
///   ->multitoken()->default_value({<the eosio development key>=KEY:...}))`, added to the
///   config options (`config_file_options.add(producer_options)`), so it is read from the
///   command line and config.ini alike; composing, so both are used (boost's `store`
///   keeps adding to a composing option); multitoken, so one `--signature-provider` can
///   take several values. `producer_plugin_impl::plugin_initialize`
///   passes every value to `signature_provider_plugin::bls_public_key_for_specification`,
///   which makes a finalizer key of each `PUB_BLS...=KEY:...` value. The producer plugin is
///   always initialized (`programs/nodeos/main.cpp`: `app->initialize<chain_plugin,
///   net_plugin, producer_plugin, resource_monitor_plugin>`). The default is a K1 key,
///   never a finalizer key, and is replaced by any value given.
///
/// Only the public part of a signature-provider value is kept (`SignatureProvider`): the
/// rest of the value is dropped as soon as it is read.
public struct NodeosOptions: Hashable, Sendable {
    /// Every value given, in order (a single-valued option given twice stops nodeos with
    /// boost's multiple-occurrences error; all are kept so that every reading is checked).
    public var dataDir: [String] = []
    public var configDir: [String] = []
    public var configFile: [String] = []
    public var finalizersDir: [String] = []
    public var stateDir: [String] = []
    public var blocksDir: [String] = []
    /// Every `signature-provider` value, public part only: the command line's first, then
    /// the config file's (boost composes them).
    public var signatureProviders: [SignatureProvider] = []
    /// Tokens whose meaning could not be settled (an ambiguous prefix of two of the
    /// options above, an option without its value). Names only, never a value.
    public var unsettled: [String] = []

    public init() {}

    /// How a followed option's value is read.
    enum Kind { case text, path, providers }

    /// The options this reader follows, by long name.
    static let followed: [String: Kind] = [
        "data-dir": .text, "config-dir": .text, "config": .text,
        "finalizers-dir": .path, "state-dir": .path, "blocks-dir": .path,
        "signature-provider": .providers,
    ]

    /// The followed options a config file can set (the plugins' config options).
    static let inConfigFile: Set<String> = ["finalizers-dir", "state-dir", "blocks-dir", "signature-provider"]

    /// Long names of nodeos options that share a prefix with a followed one, so that a
    /// prefix such as `--state` or `--signature` is known to be ambiguous (nodeos then
    /// refuses to start) rather than taken for ours. From appbase's table, chain_plugin's
    /// (`blocks-*`, `database-map-mode`, `contract*`, `signature-cpu-billable-pct`),
    /// net_plugin's (`connection-cleanup-period`) and state_history_plugin's (spring
    /// `plugins/state_history_plugin/state_history_plugin.cpp`).
    static let neighbours = [
        "database-map-mode", "data-dir", "config", "config-dir", "contracts-console", "contract-whitelist",
        "contract-blacklist", "connection-cleanup-period", "finality-data-history", "state-history-dir",
        "state-history-retained-dir", "state-history-archive-dir", "state-history-stride", "state-history-endpoint",
        "state-history-unix-socket-path", "state-history-log-retain-blocks", "chain-state-history", "finalizers-dir",
        "state-dir", "blocks-dir", "blocks-log-stride", "blocks-retained-dir", "blocks-archive-dir",
        "block-log-retain-blocks", "signature-provider", "signature-cpu-billable-pct",
    ]

    /// Short options without a value, which boost lets stand grouped in front of another
    /// (`allow_sticky`): appbase's `-h`, `-v`; producer_plugin's `-e`
    /// (enable-stale-production) and `-x` (pause-on-startup), both `bool_switch`.
    static let shortWithoutValue: Set<Character> = ["h", "v", "e", "x"]
    /// Short options with a value: `-d` data-dir, `-c` config (followed); `-l` logconf and
    /// `-p` producer-name (not followed, but their value is theirs).
    static let shortWithValue: [Character: String?] = ["d": "data-dir", "c": "config", "l": nil, "p": nil]

    /// Which followed option a long name (or prefix) means: exact first, then the single
    /// option it is a prefix of.
    static func resolveLong(_ name: String) -> (option: String?, ambiguous: Bool) {
        if followed[name] != nil { return (name, false) }
        if neighbours.contains(name) { return (nil, false) }
        let candidates = Set(neighbours.filter { $0.hasPrefix(name) })
        let ours = candidates.filter { followed[$0] != nil }
        if candidates.count == 1 { return (candidates.first.flatMap { followed[$0] != nil ? $0 : nil }, false) }
        // Ambiguous for boost: nodeos stops at start-up. If it names one of ours, count it
        // anyway (a newer nodeos may lack the neighbour): reading too much is safe.
        if ours.count == 1 { return (ours.first, false) }
        return (nil, !ours.isEmpty)
    }

    /// Whether boost's style parsers take `token` for an option or the `--` terminator
    /// (`-x…`, `--x…`, `--`; a lone `-` is a value): what ends a multitoken option's values.
    static func looksLikeOption(_ token: String) -> Bool {
        token.utf8.count >= 2 && token.utf8.first == UInt8(ascii: "-")
    }

    mutating func add(_ option: String, _ value: String, source: SignatureProvider.Source) {
        let path = Self.followed[option] == .path ? Self.unquotedPath(value) : value
        switch option {
        case "data-dir": dataDir.append(value)
        case "config-dir": configDir.append(value)
        case "config": configFile.append(value)
        case "finalizers-dir": finalizersDir.append(path)
        case "state-dir": stateDir.append(path)
        case "blocks-dir": blocksDir.append(path)
        case "signature-provider": signatureProviders.append(SignatureProvider(value: Substring(value), source: source))
        default: break
        }
    }

    /// A `std::filesystem::path` value as `lexical_cast` reads it: `"..."` loses its quotes
    /// (backslash escapes the next character). A value nodeos would refuse (an unquoted
    /// space, text after the closing quote) is kept as written: reading too much is safe.
    static func unquotedPath(_ value: String) -> String {
        guard value.first == "\"" else { return value }
        var out = ""
        var escaped = false
        var rest = value.dropFirst()
        while let c = rest.first {
            rest = rest.dropFirst()
            if escaped {
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                return rest.isEmpty ? out : value
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Reads `arguments` (without argv[0]) as nodeos's parser does.
    public static func commandLine(_ arguments: [String]) -> NodeosOptions {
        readCommandLine(arguments).options
    }

    /// The reading, and the indexes of the tokens that carry a signature-provider value
    /// (they hold private keys: see `redacted`).
    static func readCommandLine(_ arguments: [String]) -> (options: NodeosOptions, secret: Set<Int>) {
        var o = NodeosOptions()
        var secret = Set<Int>()
        var i = 0
        while i < arguments.count {
            let token = arguments[i]
            let at = i
            i += 1
            if token == "--" { break }
            if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let name: String
                var value: (String, Int)?
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq])
                    let adjacent = String(body[body.index(after: eq)...])
                    if adjacent.isEmpty {
                        if resolveLong(name).option != nil { o.unsettled.append("--\(name)= (no value after \"=\": nodeos refuses it)") }
                        continue
                    }
                    value = (adjacent, at)
                } else {
                    name = String(body)
                }
                let (option, ambiguous) = resolveLong(name)
                if ambiguous { o.unsettled.append("--\(name)") }
                guard let option else { continue }
                if value == nil {
                    guard i < arguments.count else { o.unsettled.append("--\(name) (no value)"); continue }
                    value = (arguments[i], i)
                    i += 1
                }
                var values = [value!]
                if followed[option] == .providers {
                    // multitoken: the following tokens that are not options are values too.
                    while i < arguments.count && !looksLikeOption(arguments[i]) {
                        values.append((arguments[i], i))
                        i += 1
                    }
                    for (_, index) in values { secret.insert(index) }
                }
                for (v, _) in values { o.add(option, v, source: .commandLine) }
            } else if token.hasPrefix("-") && token.count >= 2 {
                // A group of short options: letters without a value, then at most one with a
                // value (the rest of the token, or the next token).
                let letters = Array(token.dropFirst())
                var j = 0
                while j < letters.count {
                    let letter = letters[j]
                    let rest = String(letters[(j + 1)...])
                    if shortWithoutValue.contains(letter) {
                        j += 1
                        continue
                    }
                    if let option = shortWithValue[letter] {
                        var value: String? = rest.isEmpty ? nil : rest
                        if value == nil {
                            if i < arguments.count {
                                value = arguments[i]
                                i += 1
                            } else if option != nil {
                                o.unsettled.append("-\(letter) (no value)")
                            }
                        }
                        if let option, let value { o.add(option, value, source: .commandLine) }
                    } else if rest.contains(where: { $0 == "d" || $0 == "c" }) {
                        // A short option this reader does not know, grouped before what
                        // could be -d or -c: whether they are options or its value is unknown.
                        o.unsettled.append("-\(letter) in \(token.prefix(2))… (a short option unknown to this reader)")
                    }
                    break
                }
            }
            // Anything else is a positional token: nodeos refuses those, so a running one
            // has none (the tests' stand-in has its script path there).
        }
        return (o, secret)
    }

    /// `arguments` (without argv[0]) with every signature-provider value replaced by its
    /// public part, so that a command line can be kept or shown without private keys. Any
    /// other token that looks like it holds one (`=KEY:`, `PVT_`) is replaced too.
    public static func redacted(_ arguments: [String]) -> [String] {
        redacted(arguments, secret: readCommandLine(arguments).secret)
    }

    static func redacted(_ arguments: [String], secret: Set<Int>) -> [String] {
        arguments.enumerated().map { i, token in
            guard secret.contains(i) || token.contains("=KEY:") || token.contains("PVT_") else { return token }
            var prefix = ""
            var value = Substring(token)
            if token.hasPrefix("--"), let eq = token.firstIndex(of: "=") {
                prefix = String(token[...eq])
                value = token[token.index(after: eq)...]
            }
            if let s = NodeConfig.split(value) { return prefix + s.publicKey + "=" + s.type + ":(not shown)" }
            return prefix + "(not shown)"
        }
    }

    /// Reads a config file (`config.ini`) as `bpo::parse_config_file` does: the followed
    /// options a config file can set, each signature-provider value with its line number.
    public static func configFile(_ bytes: [UInt8], path: String) -> NodeosOptions {
        var o = NodeosOptions()
        var prefix = ""
        for (n, raw) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var line = Substring(String(decoding: raw, as: UTF8.self))
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            if line.first == ";" { continue }
            let text = trimmed(line)
            if text.isEmpty { continue }
            if text.count >= 2 && text.first == "[" && text.last == "]" {
                var section = String(text.dropFirst().dropLast())
                // An empty section name is refused by boost (nodeos does not start).
                if section.isEmpty { continue }
                if !section.hasSuffix(".") { section += "." }
                prefix = section
                continue
            }
            // A line without "=" is refused by boost (nodeos does not start).
            guard let eq = text.firstIndex(of: "=") else { continue }
            let name = prefix + trimmed(text[..<eq])
            guard inConfigFile.contains(name) else { continue }
            o.add(name, trimmed(text[text.index(after: eq)...]), source: .configFile(path: path, line: n + 1))
        }
        return o
    }

    /// Adds a later source as `bpo::store` does: a single-valued option keeps the value
    /// stored first (the command line's); signature-provider, composing, gets both.
    public mutating func store(_ later: NodeosOptions) {
        if dataDir.isEmpty { dataDir = later.dataDir }
        if configDir.isEmpty { configDir = later.configDir }
        if configFile.isEmpty { configFile = later.configFile }
        if finalizersDir.isEmpty { finalizersDir = later.finalizersDir }
        if stateDir.isEmpty { stateDir = later.stateDir }
        if blocksDir.isEmpty { blocksDir = later.blocksDir }
        signatureProviders += later.signatureProviders
        unsettled += later.unsettled
    }
}

/// The public part of one `signature-provider` value (`<public-key>=<type>:<data>`), and
/// where it was given. The data (a private key for `KEY`) is never kept.
public struct SignatureProvider: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        case commandLine
        case configFile(path: String, line: Int)

        /// Given in the config file at `path`.
        public func isConfigFile(_ path: String) -> Bool {
            if case .configFile(path, _) = self { return true }
            return false
        }
    }

    /// The public key text (before the `=`); nil when the value has no `=` or `:` (then
    /// nothing of it is kept: it may be a private key).
    public var publicKey: String?
    /// The provider type (`KEY`, `KEOSD`, `SE`, …).
    public var type: String?
    public var source: Source

    public init(value: Substring, source: Source) {
        if let s = NodeConfig.split(value) {
            publicKey = String(s.publicKey)
            type = String(s.type)
        }
        self.source = source
    }

    /// A BLS finalizer key (`PUB_BLS...=KEY:...`, spring
    /// `signature_provider_plugin::bls_public_key_for_specification`).
    public var isFinalizerKey: Bool {
        guard let publicKey, let type else { return false }
        return NodeConfig.isFinalizer((Substring(publicKey), Substring(type)))
    }

    /// Where it was given, for messages: "config.ini PATH line N", or `commandLine`.
    public func origin(commandLine: String) -> String {
        switch source {
        case .commandLine: commandLine
        case .configFile(let path, let line): "config.ini \(path) line \(line)"
        }
    }
}

/// boost trims spaces, tabs and line ends around names and values in config files.
private func trimmed(_ s: Substring) -> String {
    var s = s
    while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
    return String(s)
}
