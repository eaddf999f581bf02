import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// A node laid out so that only its config dir says where its safety file is: data dir
/// `base/data`, config dir `base/cfg` whose config.ini names the finalizers dir `base/fin`
/// (outside the data dir) and configures keys 1 and 2; the safety file is `base/fin/safety.dat`.
private func layout() throws -> (base: String, data: String, cfg: String, fin: String) {
    let base = TemporaryPaths.name("one-reading")
    let (data, cfg, fin) = (base + "/data", base + "/cfg", base + "/fin")
    for d in [data, cfg, fin] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
    let (_, original) = try Fixture.dataDir(Fixture.savannaFile())
    try FileManager.default.copyItem(atPath: original, toPath: fin + "/safety.dat")
    try Planted.configINI(keys: [Fixture.key(1), Fixture.key(2)], extra: "finalizers-dir = \(fin)\n")
        .write(toFile: cfg + "/config.ini", atomically: true, encoding: .utf8)
    return (base, data, cfg, fin)
}

@Suite("One reading of a running nodeos: the process scan, the interlocks and the key lookup agree", .serialized)
struct OneReadingTests {
    @Test(
        "a nodeos started with --config-d DIR (absolute, or relative to its own cwd): all three use DIR",
        arguments: [false, true])
    func configDirPrefix(relative: Bool) throws {
        let (base, data, cfg, fin) = try layout()
        // Key 3 on the command line, through a prefix of --signature-provider; key 4 and a
        // block-signing key through its multitoken values.
        let node = try Child.nodeos(
            [
                "--data-dir", data, "--config-d", relative ? "cfg" : cfg,
                "--signature-prov", "\(Fixture.key(3).text)=KEY:\(Planted.privateKey)", "\(Fixture.key(4).text)=KEY:\(Planted.privateKey)",
                "EOS6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV=KEY:\(Planted.blockSigningPrivate)",
            ],
            cwd: base)
        defer { node.stop() }
        let location = try Location.resolve(fin + "/safety.dat")
        #expect(location.dataDir == nil, "only the config says which node uses this file")

        // 1. The process scan: DIR is its config dir, DIR/config.ini its config file, read.
        let scanned = try #require(NodeosScan.read(pid: node.pid))
        #expect(scanned.configDirs == [cfg])
        #expect(scanned.configFiles == [cfg + "/config.ini"])
        #expect(scanned.configFileErrors.isEmpty)
        #expect(scanned.finalizersDirs == [fin])

        // 2. The interlocks: the node is running on the file, found through DIR/config.ini's
        // finalizers-dir, and the report carries the scan's reading of it.
        let report = Interlocks.run(location)
        let processes = try #require(report.checks.first { $0.name == "processes" })
        #expect(processes.outcome == .nodeRunning, "\(processes.found)")
        #expect(processes.pids.contains(node.pid))
        #expect(processes.found.contains("nodeos pid \(node.pid) uses it as \(fin)/safety.dat (its finalizers dir)"), "\(processes.found)")
        #expect(report.nodesUsingFile.map(\.pid) == [node.pid])
        #expect(report.nodesUsingFile.first?.configFiles == [cfg + "/config.ini"])

        // 3. The key lookup, from that same scan: DIR/config.ini's keys and the command line's.
        let expected = "config.ini \(cfg)/config.ini (nodeos pid \(node.pid)) and nodeos pid \(node.pid) command line"
        let keys = NodeConfig.find(for: location, configDir: nil, nodesUsingFile: report.nodesUsingFile, home: "/nonexistent-home")
        #expect(keys.source == expected, "\(keys.lines)")
        #expect(keys.publicKeys == [Fixture.key(1), Fixture.key(2), Fixture.key(3), Fixture.key(4)], "\(keys.lines)")
        #expect(keys.keys.first?.origin == "config.ini \(cfg)/config.ini line 5")
        #expect(keys.keys.last?.origin == "nodeos pid \(node.pid) command line")
        #expect(keys.otherProviders == 2, "a block-signing key in config.ini and one on the command line")
        // The read-only commands' entry point scans by itself, and agrees.
        let alone = NodeConfig.find(for: location, configDir: nil)
        #expect(alone.source == expected)
        #expect(alone.publicKeys == keys.publicKeys)

        // No private key in anything kept or shown.
        let shown = [String(describing: report), String(describing: scanned), keys.json.serialized()] + keys.lines + report.checks.map(\.description)
        #expect(Planted.leaks(shown).isEmpty, "\(Planted.leaks(shown))")
        #expect(scanned.arguments.contains("\(Fixture.key(3).text)=KEY:(not shown)"))
    }

    @Test("a nodeos whose config file cannot be read: the interlocks say so and the key lookup says where it looked")
    func unreadableConfig() throws {
        let (base, data, cfg, _) = try layout()
        // A config dir beside the data dir, with other keys: not this node's, never taken for it.
        try FileManager.default.createDirectory(atPath: base + "/config", withIntermediateDirectories: true)
        try Planted.configINI(keys: [Fixture.key(9)]).write(toFile: base + "/config/config.ini", atomically: true, encoding: .utf8)
        let node = try Child.nodeos(["--data-dir", data, "--config-dir", cfg, "-c", "missing.ini"], cwd: base)
        defer { node.stop() }
        let scanned = try #require(NodeosScan.read(pid: node.pid))
        #expect(scanned.configFiles == [cfg + "/missing.ini"])
        #expect(scanned.configFileErrors[cfg + "/missing.ini"] == "no such file")
        let keys = NodeConfig.find(configDir: nil, dataDir: data, running: scanned, home: nil)
        #expect(keys.looked.first == "\(cfg)/missing.ini (the config file of nodeos pid \(node.pid)): not read, no such file")
        // Its configuration is unknown (nodeos read that file at start-up; it is gone now):
        // no guess from elsewhere.
        #expect(!keys.found, "\(keys.lines)")
        #expect(keys.lines[0].contains("unknown"))
    }
}
