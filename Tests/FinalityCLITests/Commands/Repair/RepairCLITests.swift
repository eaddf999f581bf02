import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

/// A private key planted in config.ini and on nodeos's command line: it must never appear.
private let secret = "PVT_BLS_PlantedSecretNeverPrintMe_9f8e7d6c5b4a39281706f5e4d3c2b1a0zz"

/// A data dir whose safety file is torn (CRC mismatch), a config/ beside it with
/// signature-provider lines for keys 1, 2 and 7 (7 has no entry), and a HOME of its own.
private func incident() throws -> (dir: String, file: String, config: String, home: String) {
    let (dir, file) = try Fixture.dataDir()
    var bytes = Fixture.read(file)
    bytes[bytes.count - 1] ^= 0x5A
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    let base = (dir as NSString).deletingLastPathComponent
    let config = base + "/config"
    let home = base + "/home"
    try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    var ini = "# test node\nsignature-provider = EOS6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV=KEY:5KQwrPbwdL6PhXujxW37FSSQZ1JiwsST4cqQzDeyXtP79zkvFD3\n"
    for k: UInt64 in [1, 2, 7] { ini += "signature-provider = \(Fixture.key(k).text)=KEY:\(secret)\n" }
    try ini.write(toFile: config + "/config.ini", atomically: true, encoding: .utf8)
    return (dir, file, config, home)
}

@Suite("finality repair, and the node's keys in list (real binary)", .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct RepairCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    @Test("repair --yes: the loader accepts the result, every configured key present, the damaged file is the backup, audit action repair")
    func repairApplies() throws {
        let (dir, file, _, home) = try incident()
        let damaged = Fixture.read(file)
        let r = BuiltBinary.run(["repair", dir] + Fixture.libArgs + ["--yes"], env: ["HOME": home])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let after = try SafetyFileReader.decode(Fixture.read(file))
        for k: UInt64 in [1, 2, 7] { #expect(after.entries.filter { $0.key == Fixture.key(k) }.count == 1, "key \(k)") }
        // Key 1 voted 5,230 (newer than LIB 5,190): its last vote is kept, not emptied.
        #expect(after.entries.first { $0.key == Fixture.key(1) }?.savanna?.lastVote.blockNumber == 5230)
        // Key 3 is not configured: inactive, read cleanly (only the CRC was bad), kept.
        #expect(after.entries.first { $0.key == Fixture.key(3) } != nil)
        let backups = Fixture.backups(file)
        #expect(backups.count == 1 && Fixture.read(backups[0]) == damaged)
        let audit = try String(contentsOfFile: AuditLog.path(for: file), encoding: .utf8)
        #expect(audit.contains("\"action\":\"repair\""))
        #expect(r.stdout.contains("config/ beside the data dir"))
        #expect(r.stdout.contains("What nodeos will do:"))
        #expect(r.stdout.contains("Vote floor evidence:"))
        #expect(r.stdout.contains("LIB: one source, not cross-checked"))
    }

    @Test("repair without a terminal and without --yes is refused and writes nothing; --dry-run writes nothing")
    func refusedWithoutConfirmation() throws {
        let (dir, file, _, home) = try incident()
        let before = Fixture.read(file)
        let r = BuiltBinary.run(["repair", dir] + Fixture.libArgs, env: ["HOME": home])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no terminal to confirm on"))
        let d = BuiltBinary.run(["repair", dir] + Fixture.libArgs + ["--dry-run"], env: ["HOME": home])
        #expect(d.status == 0, "\(d.stderr)")
        #expect(d.stdout.contains("Repair of a damaged file:"))
        #expect(Fixture.read(file) == before)
        #expect(Fixture.backups(file).isEmpty)
    }

    @Test("repair of a missing file creates one with every configured key")
    func repairMissing() throws {
        let (dir, file, _, home) = try incident()
        try FileManager.default.removeItem(atPath: file)
        let r = BuiltBinary.run(["repair", dir] + Fixture.libArgs + ["--yes"], env: ["HOME": home])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let after = try SafetyFileReader.decode(Fixture.read(file))
        #expect(Set(after.entries.map(\.key)) == Set([1, 2, 7].map(Fixture.key)))
        #expect(after.entries.allSatisfy { $0.savanna?.lastVote.blockNumber == 5190 })
    }

    @Test("a repair of a file nodeos loads is refused")
    func refusesGoodFile() throws {
        let (dir, _, _, home) = try incident()
        let (good, _) = try Fixture.dataDir()
        _ = dir
        let r = BuiltBinary.run(["repair", good] + Fixture.libArgs + ["--dry-run"], env: ["HOME": home])
        #expect(r.status == 1)
        #expect(r.stderr.contains("nothing to repair"))
    }

    @Test("list marks entries whose key is not configured as inactive and lists configured keys without an entry")
    func listInactive() throws {
        let (dir, file, config, home) = try incident()
        var bytes = Fixture.read(file)
        bytes[bytes.count - 1] ^= 0x5A  // undo the damage: list a good file
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let r = BuiltBinary.run(["list", dir, "--config-dir", config], env: ["HOME": home])
        #expect(r.status == 0, "\(r.stderr)")
        let row3 = r.stdout.split(separator: "\n").first { $0.hasPrefix("2 ") }
        #expect(row3?.contains("inactive") == true, "\(r.stdout)")
        #expect(r.stdout.split(separator: "\n").first { $0.hasPrefix("0 ") }?.contains("inactive") == false)
        #expect(r.stdout.contains("configured key without an entry: \(Fixture.key(7).text): nodeos will create it at start-up: lock = its LIB, no last vote"))
        let j = BuiltBinary.run(["list", dir, "--config-dir", config, "--json"], env: ["HOME": home])
        struct Listing: Decodable { var inactive_entries: [Int] }
        let json = try JSONDecoder().decode(Listing.self, from: Data(j.stdout.utf8))
        #expect(json.inactive_entries.count == 1)
    }

    @Test("the planted private key never appears in any output, report, backup name or audit record")
    func privateKeyNeverShown() throws {
        let (dir, file, config, home) = try incident()
        var shown = [String]()
        for args in [
            ["list", dir], ["list", dir, "--json"], ["list", dir, "--config-dir", config],
            ["repair", dir, "--dry-run"] + Fixture.libArgs, ["repair", dir, "--dry-run", "--json"] + Fixture.libArgs,
            ["report", dir], ["repair", dir, "--yes"] + Fixture.libArgs, ["list", dir, "--json"], ["history", dir],
            ["report", dir],
        ] {
            let r = BuiltBinary.run(args, env: ["HOME": home])
            shown += [r.stdout, r.stderr]
        }
        shown.append((try? String(contentsOfFile: AuditLog.path(for: file), encoding: .utf8)) ?? "")
        shown += Fixture.backups(file)
        #expect(shown.joined().contains("PUB_BLS_"), "the public keys are shown")
        for s in shown {
            #expect(!s.contains(secret) && !s.contains("PVT_BLS") && !s.contains("5KQwrPbwdL6PhXujxW37"), "leaked in: \(s.prefix(400))")
        }
    }
}
