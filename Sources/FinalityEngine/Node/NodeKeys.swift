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

    static func configuredKey(_ text: String, origin: String) -> ConfiguredKey {
        // Key text parse errors name the text, which is public: safe to show.
        do {
            return ConfiguredKey(text: text, key: try BLSPublicKey(text: text), origin: origin, problem: nil)
        } catch {
            return ConfiguredKey(text: text, key: nil, origin: origin, problem: "\(error)")
        }
    }

    /// The finalizer keys among signature-provider values (`NodeosOptions`' reading),
    /// the count of the others (block-signing keys, KEOSD) and the values that are not
    /// specs at all (named by where they are, never quoted: they may hold a private key).
    /// `commandLine` names the command line the values of `.commandLine` came from.
    public static func keys(of providers: [SignatureProvider], commandLine: String) -> (keys: [ConfiguredKey], others: Int, problems: [String]) {
        var keys = [ConfiguredKey]()
        var others = 0
        var problems = [String]()
        for p in providers {
            let origin = p.origin(commandLine: commandLine)
            if p.isFinalizerKey, let text = p.publicKey {
                keys.append(configuredKey(text, origin: origin))
            } else if p.publicKey == nil {
                let place = switch p.source {
                case .configFile(let path, let line): "\(path) line \(line)"
                case .commandLine: commandLine
                }
                problems.append("\(place): a signature-provider value without \"=\" or \":\" (not shown: it may hold a private key)")
            } else {
                others += 1
            }
        }
        return (keys, others, problems)
    }

    /// The finalizer keys of a config.ini, read by the one reader of nodeos's options
    /// (`NodeosOptions.configFile`).
    public static func keys(configINI bytes: [UInt8], path: String) -> (keys: [ConfiguredKey], others: Int, problems: [String]) {
        keys(of: NodeosOptions.configFile(bytes, path: path).signatureProviders, commandLine: "command line")
    }

    static func absolute(_ path: String, against base: String?) -> String {
        path.hasPrefix("/") ? path : ((base ?? FileManager.default.currentDirectoryPath) + "/" + path)
    }

    /// Where nodeos's configuration is, and the keys in it. In order: `--config-dir DIR`
    /// (only that); else the running nodeos using the file, as the process scan read it
    /// (its config file(s), resolved from its `--config-dir`/`--config` or its user's
    /// default, plus its command line's signature providers: boost composes both; unknown
    /// when its config file cannot be read); else nodeos's default
    /// `~/.local/share/eosio/nodeos/config`, then `config/` beside the data dir. Every
    /// place looked at is listed.
    public static func find(configDir: String?, dataDir: String?, running: NodeosProcess?, home: String?) -> NodeKeys {
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
        if let node = running {
            // The scan's reading of this nodeos: no second parse of its command line or config.
            let origin = "nodeos pid \(node.pid) command line"
            var keys = [ConfiguredKey]()
            var others = 0
            var sources = [String]()
            var unread = false
            for file in node.configFiles {
                let why = "the config file of nodeos pid \(node.pid)"
                if let error = node.configFileErrors[file] {
                    looked.append("\(file) (\(why)): not read, \(error)")
                    unread = true
                    continue
                }
                let r = Self.keys(
                    of: node.options.signatureProviders.filter { $0.source.isConfigFile(file) },
                    commandLine: origin)
                looked.append("\(file) (\(why)): \(grouped(r.keys.count)) finalizer key\(r.keys.count == 1 ? "" : "s")")
                looked += r.problems
                keys += r.keys
                others += r.others
                sources.append("config.ini \(file) (nodeos pid \(node.pid))")
            }
            let cl = Self.keys(of: node.options.signatureProviders.filter { $0.source == .commandLine }, commandLine: origin)
            looked.append("\(origin): \(grouped(cl.keys.count)) finalizer key\(cl.keys.count == 1 ? "" : "s")")
            looked += cl.problems
            keys += cl.keys
            others += cl.others
            if !cl.keys.isEmpty { sources.append(origin) }
            // Its config file is known but cannot be read now: its keys are unknown (the
            // command line's alone would be taken for all of them), and no other place is
            // this node's configuration.
            if unread { return NodeKeys(keys: [], looked: looked, source: nil, otherProviders: 0) }
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

    /// The keys of the node this file belongs to, from a process scan already made: the
    /// interlocks' (`InterlockReport.nodesUsingFile`, or `Interlocks.Scan.nodesUsingFile`).
    /// The change workflow runs the interlocks once per review and looks up the node's keys
    /// from the same scan, so that both speak of the same nodeos, read once.
    /// - configDir: the operator's `--config-dir` (then only that is read).
    /// - nodesUsingFile: the nodeos processes the scan found using this file (the first is
    ///   the node; empty when none runs).
    /// - home: where nodeos's default config dir is looked for when no node runs (the
    ///   operator's HOME).
    public static func find(for location: Location, configDir: String?, nodesUsingFile: [NodeosProcess], home: String?) -> NodeKeys {
        find(configDir: configDir, dataDir: location.dataDir, running: configDir == nil ? nodesUsingFile.first : nil, home: home)
    }

    /// The nodeos using this file, from a process scan of its own (the first one found), as
    /// that scan read it. Where the interlocks have just scanned, use their reading instead
    /// (`InterlockReport.nodesUsingFile`).
    public static func runningNodeos(location: Location, procRoot: String = "/proc") -> NodeosProcess? {
        Interlocks.scanProcesses(file: location.file, dataDir: location.dataDir, procRoot: procRoot).nodesUsingFile.first
    }

    /// The keys of the node this file belongs to, for the read-only commands: scans the
    /// processes itself (not when `configDir` is given), then as above.
    public static func find(for location: Location, configDir: String?, procRoot: String = "/proc") -> NodeKeys {
        let running = configDir == nil ? runningNodeos(location: location, procRoot: procRoot) : nil
        return find(configDir: configDir, dataDir: location.dataDir, running: running, home: ProcessInfo.processInfo.environment["HOME"])
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
    public static let unreadableLine = "no readable entry; nodeos refuses the file and does not start (a repair gives it one)"

    /// What nodeos does about a configured key without an entry, in the one sentence
    /// `list`, the case report and the Entries screen say: it creates the entry at
    /// start-up when it loads the file; when it refuses the file it does not start at all
    /// (spring libraries/chain/finalizer.cpp @94475fb, `load_finalizer_safety_info` 308-378:
    /// a failed check (magic, version, an entry, the CRC) is rethrown by the
    /// `FC_LOG_AND_RETHROW()` that ends it, out of `my_finalizers_t::set_keys`, which runs
    /// once at start-up: nodeos does not start; only a missing or unopenable file gives
    /// the defaults).
    public static func missingSentence(nodeosLoads: Bool) -> String { nodeosLoads ? missingLine : unreadableLine }

    /// `configured key without an entry: KEY: …`, or `… without a readable entry` when
    /// nodeos refuses the file.
    public static func missingKeyLine(_ keyText: String, nodeosLoads: Bool) -> String {
        "configured key without \(nodeosLoads ? "an" : "a readable") entry: \(keyText): \(missingSentence(nodeosLoads: nodeosLoads))"
    }

    /// Each configured key without an entry, on its line (`missingKeyLine`).
    public func lines(nodeosLoads: Bool) -> [String] {
        missing.map { Self.missingKeyLine($0.text, nodeosLoads: nodeosLoads) }
    }
}
