import FoundationEssentials
import Glibc
import FinalityFormat

/// A finalizer key the node is configured with: the public part of one
/// `signature-provider = PUB_BLS_…=KEY:…` line, and where it was read.
///
/// Only the public part is ever kept. The rest of the line (the provider type is read to
/// tell a finalizer key from a block-signing key; the private key is never copied) must
/// not reach output, logs, reports or audit records.
public struct ConfiguredKey: Hashable, Sendable {
    /// The public key text as written (before the `=`).
    public var text: String
    public var key: BLSPublicKey?
    /// "config.ini /etc/nodeos/config.ini line 12", "nodeos pid 4242 command line".
    public var origin: String
    /// Why the text is not a usable key, when it is not.
    public var problem: String?
}

/// A nodeos found running on the data dir: its command line and working directory.
public struct RunningNodeos: Hashable, Sendable {
    public var pid: Int32
    public var arguments: [String]
    public var cwd: String?
    /// Home of the user it runs as (for its default config dir).
    public var home: String?
    /// Its config.ini as the process scan resolved it (absolute), when known.
    public var configFile: String?

    public init(pid: Int32, arguments: [String], cwd: String?, home: String?) {
        self.pid = pid
        self.arguments = arguments
        self.cwd = cwd
        self.home = home
    }
}

/// The keys of a node, and every place looked for them.
public struct NodeKeys: Hashable, Sendable {
    public var keys: [ConfiguredKey]
    /// Each place looked at, with what it gave ("found 2 finalizer keys", "no such file").
    public var looked: [String]
    /// Where the keys came from (nil: no configuration found).
    public var source: String?
    /// signature-provider lines that are not finalizer keys (block-signing keys, KEOSD).
    public var otherProviders: Int

    public init(keys: [ConfiguredKey], looked: [String], source: String?, otherProviders: Int = 0) {
        self.keys = keys
        self.looked = looked
        self.source = source
        self.otherProviders = otherProviders
    }

    public var found: Bool { source != nil }

    /// The distinct keys that parse.
    public var publicKeys: [BLSPublicKey] {
        var seen = Set<BLSPublicKey>()
        return keys.compactMap(\.key).filter { seen.insert($0).inserted }
    }

    /// No allocation: called once per entry (a file can hold a million).
    public func isConfigured(_ key: BLSPublicKey) -> Bool? { found ? keys.contains { $0.key == key } : nil }

    /// Whether the node votes with `key`, in the one sentence `show`, the review of a reset
    /// or delete (KeyConfiguration) and the Entries screen all say (`isConfigured` gives
    /// the short answer: yes, no, or nil for unknown).
    public func votingSentence(for key: BLSPublicKey) -> String {
        let from = DisplayText.sanitize(source ?? "")
        switch isConfigured(key) {
        case true?: return "this node votes with this key (\(from))"
        case false?: return "this node does not vote with this key: it is not among its \(grouped(publicKeys.count)) configured keys (\(from))"
        case nil: return "whether this node votes with this key is unknown: no nodeos configuration found (give --config-dir DIR)"
        }
    }

    public var lines: [String] {
        var out = [String]()
        if let source {
            out.append("configured finalizer keys: \(grouped(publicKeys.count)), from \(source)")
        } else {
            out.append("configured finalizer keys: unknown (no nodeos configuration found; give --config-dir DIR)")
        }
        for k in keys {
            out.append("  \(k.text.count > 40 ? String(k.text.prefix(40)) + "…" : k.text)  (\(k.origin))" + (k.problem.map { ": NOT A KEY, \($0)" } ?? ""))
        }
        if otherProviders > 0 { out.append("  \(grouped(otherProviders)) other signature-provider line\(otherProviders == 1 ? "" : "s") (not BLS finalizer keys) ignored") }
        out += looked.map { "  looked at " + $0 }
        return out
    }

    public var json: JSON {
        .object([
            ("source", source.map { .string($0) } ?? .null),
            ("keys", .array(keys.map { k in
                .object([("public_key", .string(k.text)), ("origin", .string(k.origin)), ("problem", k.problem.map { .string($0) } ?? .null)])
            })),
            ("other_signature_providers", .int(Int64(otherProviders))),
            ("looked", .array(looked.map { .string($0) })),
        ])
    }
}

public enum NodeConfig {
    /// The public key and provider type of a signature-provider spec, as spring's
    /// `signature_provider_plugin::parse_signature_provider_spec` splits it
    /// (plugins/signature_provider_plugin/signature_provider_plugin.cpp): the public key
    /// ends at the first `=`, extended over a run of `=` (base64 padding of the key), and
    /// the type runs to the first `:` after it. nil when the spec has no `=` or `:`.
    /// The data after the `:` (a private key for KEY) is never looked at.
    public static func split(_ spec: Substring) -> (publicKey: Substring, type: Substring)? {
        guard var delim = spec.firstIndex(of: "=") else { return nil }
        while spec.index(after: delim) < spec.endIndex && spec[spec.index(after: delim)] == "=" { delim = spec.index(after: delim) }
        let rest = spec[spec.index(after: delim)...]
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        return (spec[..<delim], rest[..<colon])
    }

    /// Only `PUB_BLS…` keys with provider type `KEY` are finalizer keys
    /// (`bls_public_key_for_specification`, same file).
    static func isFinalizer(_ s: (publicKey: Substring, type: Substring)) -> Bool {
        s.publicKey.hasPrefix("PUB_BLS") && s.type == "KEY"
    }

    static func configuredKey(_ text: Substring, origin: String) -> ConfiguredKey {
        // Key text parse errors name the text, which is public: safe to show.
        do {
            return ConfiguredKey(text: String(text), key: try BLSPublicKey(text: String(text)), origin: origin, problem: nil)
        } catch {
            return ConfiguredKey(text: String(text), key: nil, origin: origin, problem: "\(error)")
        }
    }

    /// The finalizer keys of a config.ini, parsed as boost::program_options reads a config
    /// file: `name = value` lines, `#` starts a comment, `[section]` prefixes names.
    public static func keys(configINI bytes: [UInt8], path: String) -> (keys: [ConfiguredKey], others: Int, problems: [String]) {
        var keys = [ConfiguredKey]()
        var others = 0
        var problems = [String]()
        var section = ""
        for (n, raw) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var line = Substring(String(decoding: raw, as: UTF8.self))
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            line = trim(line)
            if line.isEmpty { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(trim(line.dropFirst().dropLast()))
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let name = (section.isEmpty ? "" : section + ".") + trim(line[..<eq])
            guard name == "signature-provider" else { continue }
            let value = trim(line[line.index(after: eq)...])
            guard let spec = split(value) else {
                // Never quote the value: it may hold a private key.
                problems.append("\(path) line \(n + 1): a signature-provider value without \"=\" or \":\" (not shown: it may hold a private key)")
                continue
            }
            if isFinalizer(spec) {
                keys.append(configuredKey(spec.publicKey, origin: "config.ini \(path) line \(n + 1)"))
            } else {
                others += 1
            }
        }
        return (keys, others, problems)
    }

    /// The options of a nodeos command line that this tool reads. Values of
    /// `--signature-provider` are split at once and only the public part kept.
    public struct CommandLine: Hashable, Sendable {
        public var configDir: String?
        public var configFile: String?
        public var dataDir: String?
        public var keys: [ConfiguredKey]
        public var others: Int
    }

    /// boost::program_options long options (`--name VALUE`, `--name=VALUE`, and
    /// unambiguous prefixes are not accepted here: only the names nodeos prints).
    public static func parse(arguments args: [String], origin: String) -> CommandLine {
        var out = CommandLine(configDir: nil, configFile: nil, dataDir: nil, keys: [], others: 0)
        var i = 1
        while i < args.count {
            let a = args[i]
            var name = a
            var value: String?
            if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                value = String(a[a.index(after: eq)...])
            } else if a.hasPrefix("-d") && a.count > 2 && !a.hasPrefix("--") {
                name = "-d"
                value = String(a.dropFirst(2))
            } else if a.hasPrefix("-c") && a.count > 2 && !a.hasPrefix("--") {
                name = "-c"
                value = String(a.dropFirst(2))
            }
            let takes = ["--config-dir", "--config", "-c", "--data-dir", "-d", "--signature-provider"]
            if takes.contains(name) && value == nil {
                if i + 1 < args.count { value = args[i + 1]; i += 1 }
            }
            switch name {
            case "--config-dir": out.configDir = value
            case "--config", "-c": out.configFile = value
            case "--data-dir", "-d": out.dataDir = value
            case "--signature-provider":
                if let v = value, let spec = split(Substring(v)) {
                    if isFinalizer(spec) { out.keys.append(configuredKey(spec.publicKey, origin: origin)) } else { out.others += 1 }
                }
            default: break
            }
            i += 1
        }
        return out
    }

    static func trim(_ s: Substring) -> Substring {
        var s = s
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return s
    }

    static func absolute(_ path: String, against base: String?) -> String {
        path.hasPrefix("/") ? path : ((base ?? FileManager.default.currentDirectoryPath) + "/" + path)
    }

    /// Where nodeos's configuration is, and the keys in it. In order: `--config-dir DIR`
    /// (only that); else the running nodeos's (its `--config-dir`, else its user's
    /// default, plus its command line's signature providers: boost composes both); else
    /// nodeos's default `~/.local/share/eosio/nodeos/config`, then `config/` beside the
    /// data dir. Every place looked at is listed.
    public static func find(configDir: String?, dataDir: String?, running: RunningNodeos?, home: String?) -> NodeKeys {
        var looked = [String]()
        func read(_ dir: String, file: String = "config.ini", why: String) -> (path: String, keys: [ConfiguredKey], others: Int)? {
            let path = absolute(file, against: dir)
            guard let bytes = try? FileBytes.read(path) else {
                looked.append("\(path) (\(why)): not readable or no such file")
                return nil
            }
            let r = keys(configINI: bytes, path: path)
            looked.append("\(path) (\(why)): \(grouped(r.keys.count)) finalizer key\(r.keys.count == 1 ? "" : "s")")
            looked += r.problems
            return (path, r.keys, r.others)
        }
        if let configDir {
            if let r = read(configDir, why: "--config-dir") {
                return NodeKeys(keys: r.keys, looked: looked, source: "config.ini \(r.path) (--config-dir)", otherProviders: r.others)
            }
            return NodeKeys(keys: [], looked: looked, source: nil, otherProviders: 0)
        }
        if let running {
            let origin = "nodeos pid \(running.pid) command line"
            let cl = parse(arguments: running.arguments, origin: origin)
            let dir =
                cl.configDir.map { absolute($0, against: running.cwd) }
                ?? running.home.map { $0 + "/.local/share/eosio/nodeos/config" }
            var keys = cl.keys
            var others = cl.others
            var sources = [String]()
            if !cl.keys.isEmpty { sources.append(origin) }
            let resolved = running.configFile.map { (PathText.directory($0), PathText.name($0)) }
            if let (dir, file) = resolved ?? dir.map({ ($0, cl.configFile ?? "config.ini") }),
                let r = read(dir, file: file, why: "the config dir of nodeos pid \(running.pid)")
            {
                keys += r.keys
                others += r.others
                sources.insert("config.ini \(r.path) (nodeos pid \(running.pid))", at: 0)
            }
            looked.append("nodeos pid \(running.pid) command line: \(grouped(cl.keys.count)) finalizer key\(cl.keys.count == 1 ? "" : "s")")
            if !sources.isEmpty {
                return NodeKeys(keys: keys, looked: looked, source: sources.joined(separator: " and "), otherProviders: others)
            }
        }
        var candidates = [(String, String)]()
        if let home { candidates.append((home + "/.local/share/eosio/nodeos/config", "nodeos's default config dir")) }
        if let dataDir {
            let beside = PathText.directory(absolute(dataDir, against: nil)) + "/config"
            if !candidates.contains(where: { $0.0 == beside }) { candidates.append((beside, "config/ beside the data dir")) }
        }
        for (dir, why) in candidates {
            if let r = read(dir, why: why) {
                return NodeKeys(keys: r.keys, looked: looked, source: "config.ini \(r.path) (\(why))", otherProviders: r.others)
            }
        }
        return NodeKeys(keys: [], looked: looked, source: nil, otherProviders: 0)
    }

    /// The nodeos running on this file or data dir, from the interlocks' process scan
    /// (its command line, working directory, user and config.ini as that scan resolved them).
    public static func runningNodeos(location: Location, procRoot: String = "/proc") -> RunningNodeos? {
        let scan = Interlocks.scanProcesses(file: location.file, dataDir: location.dataDir, procRoot: procRoot)
        guard let node = scan.nodesUsingFile.first else { return nil }
        var home: String?
        if let uid = node.uid, let pw = getpwuid(uid), let dir = pw.pointee.pw_dir { home = String(cString: dir) }
        var r = RunningNodeos(pid: node.pid, arguments: node.arguments, cwd: node.cwd, home: home)
        r.configFile = node.configFiles.first
        return r
    }

    /// The keys of the node this file belongs to, from the places above.
    public static func find(for location: Location, configDir: String?) -> NodeKeys {
        let running = configDir == nil ? runningNodeos(location: location) : nil
        let home = ProcessInfo.processInfo.environment["HOME"]
        return find(configDir: configDir, dataDir: location.dataDir, running: running, home: home)
    }
}

/// Entries against the node's configured keys: which are inactive, which keys have no entry.
public struct KeyCoverage: Hashable, Sendable {
    /// Entry indexes whose key is not configured (nodeos keeps them, never uses them).
    public var inactiveEntries: [Int]
    /// Configured keys without an entry: nodeos creates one at start-up.
    public var missing: [BLSPublicKey]

    public init(file: SafetyFile, keys: NodeKeys) {
        let configured = Set(keys.publicKeys)
        inactiveEntries = keys.found ? file.entries.indices.filter { !configured.contains(file.entries[$0].key) } : []
        // Only the configured keys are looked for (a set of a million file keys cost
        // ~200 MB in `list` on a million-entry file: reader, issue 7).
        var present = Set<BLSPublicKey>()
        if !configured.isEmpty {
            for e in file.entries where configured.contains(e.key) { present.insert(e.key) }
        }
        missing = keys.publicKeys.filter { !present.contains($0) }
    }

    public static let inactiveFlag = "inactive"
    public static let missingLine = "nodeos will create it at start-up: lock = its LIB, no last vote"
    /// The same key when nodeos refuses the file: it does not start at all.
    public static let unreadableLine = "no readable entry; nodeos refuses the file (a repair gives it one)"

    public var lines: [String] {
        missing.map { "configured key without an entry: \($0.text): \(Self.missingLine)" }
    }
}
