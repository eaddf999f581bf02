import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// A private key planted in every configuration these tests write. It must never appear
/// in anything the tool shows or records.
enum Planted {
    static let privateKey = "PVT_BLS_SECRETs3cr3tDoNotPrintMe0123456789abcdefghijklmnopqrstuv"
    static let blockSigningPrivate = "5KQwrPbwdL6PhXujxW37FSSQZ1JiwsST4cqQzDeyXtP79zkvFD3"

    static func configINI(keys: [BLSPublicKey], extra: String = "") -> String {
        var s = "# nodeos config\nplugin = eosio::chain_plugin\nagent-name = \"test\"\n"
        s += "signature-provider = EOS6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV=KEY:\(blockSigningPrivate)\n"
        for (i, k) in keys.enumerated() {
            s += i % 2 == 0 ? "signature-provider = \(k.text)=KEY:\(privateKey)\n" : "signature-provider=\(k.text)=KEY:\(privateKey)   # finalizer \(i)\n"
        }
        return s + extra
    }

    /// Every string a result shows, flattened.
    static func leaks(_ strings: [String]) -> [String] {
        strings.filter { $0.contains("PVT_BLS") || $0.contains(privateKey) || $0.contains(blockSigningPrivate) || $0.contains("SECRET") }
    }
}

@Suite("The node's configured finalizer keys (signature-provider), public part only")
struct NodeKeysTests {
    static func tempDir() throws -> String {
        let d = TemporaryPaths.name("finality-keys")
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test("spring's split: the public key ends at the first '=' run, the type at ':'; only PUB_BLS with KEY is a finalizer key")
    func split() throws {
        let s = try #require(NodeConfig.split("PUB_BLS_abc==KEY:PVT_BLS_x=y:z"))
        #expect(s.publicKey == "PUB_BLS_abc=" && s.type == "KEY")
        let t = try #require(NodeConfig.split("PUB_BLS_abc=KEY:PVT"))
        #expect(t.publicKey == "PUB_BLS_abc")
        #expect(NodeConfig.split("PUB_BLS_abc") == nil)
        #expect(NodeConfig.split("PUB_BLS_abc=KEY") == nil)
        #expect(NodeConfig.isFinalizer(NodeConfig.split("PUB_BLS_a=KEOSD:http://x")!) == false)
        #expect(NodeConfig.isFinalizer(NodeConfig.split("EOS6M=KEY:5K")!) == false)
    }

    @Test("config.ini: finalizer keys with line numbers, block-signing keys counted, comments and sections respected")
    func configINI() throws {
        let keys = [Fixture.key(1), Fixture.key(2)]
        let text = Planted.configINI(keys: keys, extra: "# signature-provider = \(Fixture.key(3).text)=KEY:\(Planted.privateKey)\n[other]\nsignature-provider = \(Fixture.key(4).text)=KEY:x\n")
        let r = NodeConfig.keys(configINI: Array(text.utf8), path: "/etc/n/config.ini")
        #expect(r.keys.map(\.key) == keys)
        #expect(r.keys[0].origin == "config.ini /etc/n/config.ini line 5")
        #expect(r.others == 1)
        #expect(r.problems.isEmpty)
    }

    @Test("a malformed signature-provider line is reported by line number, its value never quoted")
    func malformed() {
        let text = "signature-provider = \(Planted.privateKey)\n"
        let r = NodeConfig.keys(configINI: Array(text.utf8), path: "/c/config.ini")
        #expect(r.keys.isEmpty)
        #expect(r.problems.count == 1 && r.problems[0].contains("line 1"))
        #expect(Planted.leaks(r.problems).isEmpty)
    }

    /// A fake /proc with one "nodeos" (pid 4242) whose command line, working directory and
    /// HOME a test chooses, read by the process scan as a real one is.
    static func fakeNode(_ cmdline: [String], cwd: String, home: String) throws -> NodeosProcess? {
        let root = TemporaryPaths.name("fakeproc")
        let p = root + "/4242"
        try FileManager.default.createDirectory(atPath: p + "/fd", withIntermediateDirectories: true)
        try Data("nodeos\n".utf8).write(to: URL(fileURLWithPath: p + "/comm"))
        try Data(cmdline.map { $0 + "\0" }.joined().utf8).write(to: URL(fileURLWithPath: p + "/cmdline"))
        try Data("Name:\tnodeos\nUid:\t0\t0\t0\t0\n".utf8).write(to: URL(fileURLWithPath: p + "/status"))
        try Data("PATH=/usr/bin\0HOME=\(home)\0".utf8).write(to: URL(fileURLWithPath: p + "/environ"))
        try FileManager.default.createSymbolicLink(atPath: p + "/cwd", withDestinationPath: cwd)
        return NodeosScan.read(pid: 4242, procRoot: root)
    }

    @Test("--config-dir, then the running nodeos as the scan read it (its config dir, prefixes too, and command line), then the defaults; each place listed")
    func searchOrder() throws {
        let base = try Self.tempDir()
        let explicit = base + "/explicit"
        let running = base + "/running"
        let home = base + "/home"
        let beside = base + "/node/config"
        for d in [explicit, running, home + "/.local/share/eosio/nodeos/config", beside, base + "/node/data"] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        try Planted.configINI(keys: [Fixture.key(1)]).write(toFile: explicit + "/config.ini", atomically: true, encoding: .utf8)
        try Planted.configINI(keys: [Fixture.key(2)]).write(toFile: running + "/config.ini", atomically: true, encoding: .utf8)
        try Planted.configINI(keys: [Fixture.key(9)]).write(toFile: home + "/.local/share/eosio/nodeos/config/config.ini", atomically: true, encoding: .utf8)
        try Planted.configINI(keys: [Fixture.key(3)]).write(toFile: beside + "/config.ini", atomically: true, encoding: .utf8)
        let dataDir = base + "/node/data"

        let a = NodeConfig.find(configDir: explicit, dataDir: dataDir, running: nil, home: home)
        #expect(a.publicKeys == [Fixture.key(1)])
        #expect(a.source == "config.ini \(explicit)/config.ini (--config-dir)")

        // A node started with a prefix of --config-dir, relative to its cwd, and two keys on
        // its command line (one --signature-provider, two values: multitoken). Its HOME's
        // default config dir (key 9) is not its config dir.
        let node = try #require(try Self.fakeNode(
            [
                "/usr/bin/nodeos", "--config-d", "running", "-d", dataDir,
                "--signature-provider", "\(Fixture.key(5).text)=KEY:\(Planted.privateKey)", "\(Fixture.key(6).text)=KEY:\(Planted.privateKey)",
            ], cwd: base, home: home))
        #expect(node.configFiles == [running + "/config.ini"])
        let b = NodeConfig.find(configDir: nil, dataDir: dataDir, running: node, home: home)
        #expect(b.publicKeys == [Fixture.key(2), Fixture.key(5), Fixture.key(6)], "boost composes the command line's and config.ini's values")
        #expect(b.source == "config.ini \(running)/config.ini (nodeos pid 4242) and nodeos pid 4242 command line")
        #expect(b.looked == [
            "\(running)/config.ini (the config file of nodeos pid 4242): 1 finalizer key",
            "nodeos pid 4242 command line: 2 finalizer keys",
        ])
        // The same through the entry point that takes the scan's processes.
        let viaScan = NodeConfig.find(
            for: Location(file: dataDir + "/finalizers/safety.dat", dataDir: dataDir), configDir: nil, nodesUsingFile: [node], home: home)
        #expect(viaScan == b)
        // The operator's --config-dir wins over the running node.
        let explicitWins = NodeConfig.find(
            for: Location(file: dataDir + "/finalizers/safety.dat", dataDir: dataDir), configDir: explicit, nodesUsingFile: [node], home: home)
        #expect(explicitWins == a)

        // Nothing running: nodeos's default (absent in this other home), then config/ beside the data dir.
        let c = NodeConfig.find(configDir: nil, dataDir: dataDir, running: nil, home: base + "/nohome")
        #expect(c.publicKeys == [Fixture.key(3)])
        #expect(c.looked.count == 2 && c.looked[0].contains("nodeos's default config dir): not readable or no such file"))
        #expect(c.source?.contains("config/ beside the data dir") == true)

        // An explicit dir that does not exist: unknown, never a guess from elsewhere.
        let d = NodeConfig.find(configDir: base + "/nope", dataDir: dataDir, running: nil, home: home)
        #expect(!d.found && d.publicKeys.isEmpty)
        #expect(d.lines[0].contains("unknown"))

        // No private key anywhere in what is shown, nor in the process as the scan keeps it.
        for r in [a, b, c, d] {
            let shown = r.lines + [r.json.serialized(), String(describing: r)]
            #expect(Planted.leaks(shown).isEmpty, "\(Planted.leaks(shown))")
        }
        #expect(Planted.leaks([String(describing: node)]).isEmpty)
    }

    @Test("a malformed signature-provider value on the command line is reported as the command line's, never quoted")
    func malformedOnCommandLine() throws {
        let base = try Self.tempDir()
        try FileManager.default.createDirectory(atPath: base + "/cfg", withIntermediateDirectories: true)
        try Data("# empty\n".utf8).write(to: URL(fileURLWithPath: base + "/cfg/config.ini"))
        let node = try #require(try Self.fakeNode(["nodeos", "--config-dir", "cfg", "--signature-provider", Planted.privateKey], cwd: base, home: base))
        let k = NodeConfig.find(configDir: nil, dataDir: nil, running: node, home: nil)
        #expect(k.looked.contains("nodeos pid 4242 command line: a signature-provider value without \"=\" or \":\" (not shown: it may hold a private key)"))
        #expect(Planted.leaks(k.lines + [String(describing: node)]).isEmpty)
    }

    @Test("entries whose key is not configured are inactive; configured keys without an entry are listed")
    func coverage() {
        let file = Fixture.savannaFile()
        let keys = NodeKeys(
            keys: [Fixture.key(1), Fixture.key(3), Fixture.key(7)].map { ConfiguredKey(text: $0.text, key: $0, origin: "t", problem: nil) },
            looked: [], source: "test", otherProviders: 0)
        let c = KeyCoverage(file: file, keys: keys)
        #expect(c.inactiveEntries == [1])
        #expect(c.missing == [Fixture.key(7)])
        #expect(c.lines(nodeosLoads: true) == ["configured key without an entry: \(Fixture.key(7).text): nodeos will create it at start-up: lock = its LIB, no last vote"])
        // A file nodeos refuses: it does not start, so it creates nothing.
        #expect(c.lines(nodeosLoads: false) == ["configured key without a readable entry: \(Fixture.key(7).text): \(KeyCoverage.unreadableLine)"])
        // Unknown configuration: nothing is called inactive.
        let unknown = KeyCoverage(file: file, keys: NodeKeys(keys: [], looked: [], source: nil, otherProviders: 0))
        #expect(unknown.inactiveEntries.isEmpty && unknown.missing.isEmpty)
    }
}
