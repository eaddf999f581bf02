import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Issue 9, item 3: the real binary at 80x24 repairs a truncated safety file from the
/// Entries screen, by the node's keys, through the same workflow as `finality repair`.
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct RepairTmuxTests {
    init() throws { try RequiredTools.require(needsTmux: true) }

    static let secret = "PVT_BLS_PlantedTmuxSecretNeverShown_00112233445566778899aabbccdd"

    @Test("R on a truncated file: five steps, the loader accepts the result, every configured key present, the damaged file is the backup")
    func repairATruncatedFileByKeys() throws {
        let t = Tmux()
        let walk = try WalkthroughTests()
        // truncated-entry.dat: the file ends 100 bytes into entry 2; entries 0 and 1 (keys 1, 2) read.
        let (dir, file) = try walk.dataDir(t, fixture: "truncated-entry.dat")
        let damaged = try walk.bytes(file)
        #expect(!SafetyFileReader.verify(damaged).errors.isEmpty)
        // The node's keys: 1, 2 (read) and 3 (its entry was in the lost part), beside the data dir.
        let config = t.directory + "/config"
        let home = t.directory + "/home"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let configured = [1, 2, 3].map { Fixture.key(UInt64($0)) }
        let ini = configured.map { "signature-provider = \($0.text)=KEY:\(Self.secret)\n" }.joined()
        try ini.write(toFile: config + "/config.ini", atomically: true, encoding: .utf8)

        try t.start(t.finality(dir, extraEnv: "HOME=\(home)"))
        var s = try t.waitFor { $0.contains("R: repair") && $0.contains("3 configured") && $0.contains("from blocks.log") }
        #expect(s.ok, "\(s.screen)")
        #expect(s.screen.contains("RRepair"), "R is on the key bar: \(s.screen)")
        try t.send("R")
        s = try t.waitFor { $0.contains("Step 1 of 5: Damage and node keys") && $0.contains("The node votes with 3 keys") }
        #expect(s.ok, "\(s.screen)")
        try t.send("Enter")
        #expect(try t.waitFor("Step 2 of 5").ok)
        try t.send("Enter")
        s = try t.waitFor("Enter: go to the typed confirmation")
        #expect(s.ok, "\(s.screen)")
        #expect(s.screen.contains("Repair of a damaged file:"))
        var screens = [s.screen]
        #expect(try walk.bytes(file) == damaged, "nothing written before the confirmation")
        try t.send("Enter")
        s = try t.waitFor("Step 4 of 5")
        #expect(s.ok, "\(s.screen)")
        screens.append(s.screen)
        // The new file's SHA-256 is on the screen; its first 12 hex digits confirm.
        guard let sha = try t.confirmWithShownSHA256(s.screen) else {
            Issue.record("no SHA-256 on the confirmation step: \(s.screen)")
            return
        }
        s = try t.waitFor("Done: the file was written")
        #expect(s.ok, "\(s.screen)")
        screens.append(s.screen)

        // nodeos's loader accepts the result, with every configured key.
        let after = try walk.bytes(file)
        let v = SafetyFileReader.verify(after)
        #expect(v.errors.isEmpty, "\(v.errors)")
        let keys = Set(v.file?.entries.map(\.key) ?? [])
        for k in configured { #expect(keys.contains(k), "\(k.text) missing") }
        #expect(LoadedFile(location: Location(file: file, dataDir: dir), bytes: after).sha256.hex == sha, "the file is the one reviewed")
        // The damaged file is the backup; the audit record says repair.
        let backups = try FileManager.default.contentsOfDirectory(atPath: dir + "/finalizers/backups")
        #expect(backups.count == 1)
        #expect(try walk.bytes(dir + "/finalizers/backups/" + backups[0]) == damaged)
        let audit = try String(contentsOfFile: file + ".audit.jsonl", encoding: .utf8)
        #expect(audit.contains("\"action\":\"repair\""))
        #expect(audit.contains("\"sha256_after\":\"\(sha)\""))
        // Back on Entries, the file now loads.
        try t.send("Enter")
        s = try t.waitFor("nodeos will load this file")
        #expect(s.ok, "\(s.screen)")
        screens.append(s.screen)
        for text in screens + [audit] { #expect(!text.contains("PVT_BLS") && !text.contains("PlantedTmuxSecret")) }
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test("a missing safety file: the interface opens on the data dir, R creates it with every configured key; an empty stand-in is the backup")
    func repairAMissingFile() throws {
        let t = Tmux()
        let walk = try WalkthroughTests()
        let (dir, file) = try walk.dataDir(t, fixture: "v1-five-entries.dat")
        try FileManager.default.removeItem(atPath: file)
        let config = t.directory + "/config"
        let home = t.directory + "/home"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let configured = [1, 2].map { Fixture.key(UInt64($0)) }
        try configured.map { "signature-provider = \($0.text)=KEY:\(Self.secret)\n" }.joined().write(toFile: config + "/config.ini", atomically: true, encoding: .utf8)

        try t.start(t.finality(dir, extraEnv: "HOME=\(home)"))
        var s = try t.waitFor { $0.contains("The safety file is missing") && $0.contains("R: repair") }
        #expect(s.ok, "\(s.screen)")
        try t.send("R")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Step 2 of 5").ok)
        try t.send("Enter")
        s = try t.waitFor("Enter: go to the typed confirmation")
        #expect(s.ok, "\(s.screen)")
        #expect(!FileManager.default.fileExists(atPath: file), "nothing created before the confirmation")
        try t.send("Enter")
        s = try t.waitFor("Step 4 of 5")
        #expect(s.screen.contains("Create "), "\(s.screen)")
        guard try t.confirmWithShownSHA256(s.screen) != nil else {
            Issue.record("no SHA-256 on the confirmation step: \(s.screen)")
            return
        }
        s = try t.waitFor("Done: the file was written")
        #expect(s.ok, "\(s.screen)")
        let after = try walk.bytes(file)
        let v = SafetyFileReader.verify(after)
        #expect(v.errors.isEmpty, "\(v.errors)")
        #expect(Set(v.file?.entries.map(\.key) ?? []) == Set(configured))
        let backups = try FileManager.default.contentsOfDirectory(atPath: dir + "/finalizers/backups")
        #expect(backups.count == 1)
        #expect(try walk.bytes(dir + "/finalizers/backups/" + backups[0]).isEmpty, "the stand-in records the absence")
        try t.send("Enter")
        #expect(try t.waitFor("nodeos will load this file").ok)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test("--config-dir: the keys come from there (said on the screen), and w's report names the same source")
    func configDirGiven() throws {
        let t = Tmux()
        let walk = try WalkthroughTests()
        let (dir, _) = try walk.dataDir(t, fixture: "v1-five-entries.dat")
        let config = t.directory + "/etc-nodeos"
        let home = t.directory + "/home"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try [1, 2, 3, 4].map { "signature-provider = \(Fixture.key(UInt64($0)).text)=KEY:\(Self.secret)\n" }.joined()
            .write(toFile: config + "/config.ini", atomically: true, encoding: .utf8)
        try t.start(t.finality(dir + " --config-dir " + config, extraEnv: "HOME=\(home)"))
        let s = try t.waitFor { $0.contains("4 configured, from config.ini") && $0.contains("from blocks.log") }
        #expect(s.ok, "\(s.screen)")
        // Entry 4 (key 5) is not configured: inactive, certain.
        try t.send("G")
        let last = try t.waitFor("flag: inactive: the node is not configured with this key")
        #expect(last.ok, "\(last.screen)")
        try t.send("w")
        #expect(try t.waitFor("Write report to: ").ok)
        try t.send("C-u")
        try t.type(t.directory + "/case.txt")
        try t.send("Enter")
        #expect(try t.waitFor("report written to").ok)
        let report = try String(contentsOfFile: t.directory + "/case.txt", encoding: .utf8)
        #expect(report.contains("configured finalizer keys: 4, from config.ini \(config)/config.ini (--config-dir)"), "\(report)")
        #expect(!report.contains("PVT_BLS") && !last.screen.contains("PVT_BLS"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }
}
