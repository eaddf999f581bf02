import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

@Suite(
    "finality reset, delete, restore, diff, history, report (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct RecoveryCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    let key1 = RecoveryFixture.key(1).text

    @Test("--dry-run prints the interlocks and the plan, changes nothing, and gives the hash to bind to")
    func dryRun() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let old = RecoveryFixture.read(path)
        let r = RecoveryCLI.run(["reset", dir, "--key", String(key1.suffix(20)), "--dry-run"] + RecoveryFixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Interlocks:"))
        #expect(r.stdout.contains("[ok] lock on \(dir)/state/shared_memory.bin"))
        #expect(r.stdout.contains("the lock moves back from block 5,210 to 5,190 (20 blocks, 20s): a conflicting vote becomes possible"))
        #expect(r.stdout.contains("lock.block_id (_b_lock)"))
        #expect(r.stdout.contains("--expect-sha256"))
        #expect(RecoveryFixture.read(path) == old)
        #expect(RecoveryFixture.backups(path).isEmpty)
    }

    @Test("without a terminal and without --yes, a reset is refused (exit 1) and nothing changes")
    func noTerminal() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let old = RecoveryFixture.read(path)
        let r = RecoveryCLI.run(["reset", dir, "--key", key1] + RecoveryFixture.libArgs)
        #expect(r.status == 1)
        #expect(r.stderr.contains("no terminal"))
        #expect(RecoveryFixture.read(path) == old)
    }

    /// Runs the binary on a pseudo-terminal (util-linux `script`), typing `input`.
    func onTerminal(_ args: [String], typing input: String) -> RecoveryCLI.Result {
        let quoted = ([RecoveryCLI.binary!] + args).map { "'" + $0 + "'" }.joined(separator: " ")
        let inputFile = TemporaryPaths.name("typed")
        #expect(FileManager.default.createFile(atPath: inputFile, contents: Data((input + "\n").utf8)))
        defer { unlink(inputFile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qec", quoted, "/dev/null"]
        p.standardInput = FileHandle(forReadingAtPath: inputFile)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try? p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return RecoveryCLI.Result(status: p.terminationStatus, signal: nil, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }

    @Test("on a terminal, the 8 characters after PUB_BLS_ confirm (the workflow's one rule); \"y\" or another part of the key does not", .enabled(if: RequiredTools.isCI || RequiredTools.which("script") != nil, "needs script(1) for a terminal"))
    func typedConfirmation() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let old = RecoveryFixture.read(path)
        let no = onTerminal(["reset", dir, "--key", key1] + RecoveryFixture.libArgs, typing: "y")
        #expect(no.status == 1, "\(no.stdout)")
        #expect(no.stdout.contains("type the 8 characters after PUB_BLS_ of the key"))
        #expect(no.stdout.contains("not confirmed"))
        #expect(RecoveryFixture.read(path) == old)
        // Another part of the key, long as it is, is not the rule's part.
        let other = onTerminal(["reset", dir, "--key", key1] + RecoveryFixture.libArgs, typing: String(key1.dropFirst(20).prefix(12)))
        #expect(other.status == 1, "\(other.stdout)")
        #expect(RecoveryFixture.read(path) == old)
        let yes = onTerminal(["reset", dir, "--key", key1] + RecoveryFixture.libArgs, typing: String(key1.dropFirst(8).prefix(8)))
        #expect(yes.status == 0, "\(yes.stdout)")
        #expect(RecoveryFixture.read(path) != old)
        #expect(RecoveryFixture.backups(path).count == 1)
    }

    @Test("reset --yes applies: prints backup and audit record; the file equals the engine's plan")
    func resetApplies() throws {
        let (_, path) = try RecoveryFixture.dataDir()
        let old = RecoveryFixture.read(path)
        let plan = try Planner.reset(
            bytes: old, path: path, key: key1, inputs: ResetInputs(lib: try! LIBDecision.forPlan([RecoveryFixture.lib], choice: nil, reason: nil)))
        let r = RecoveryCLI.run(["reset", path, "--key", key1, "--yes", "--expect-sha256", plan.beforeSHA256.hex] + RecoveryFixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(RecoveryFixture.read(path) == plan.afterBytes)
        let backups = RecoveryFixture.backups(path)
        #expect(backups.count == 1)
        #expect(r.stdout.contains("Backup:       \(backups[0])"))
        #expect(r.stdout.contains("Audit record: \(path).audit.jsonl"))
        #expect(RecoveryFixture.read(backups[0]) == old)
    }

    @Test("--json gives the plan, interlocks and the audit record as one JSON document")
    func json() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let r = RecoveryCLI.run(["delete", dir, "--key", key1, "--yes", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        struct Document: Decodable {
            struct PlanPart: Decodable { var action: String; var key: String?; var sha256After: String }
            struct Check: Decodable { var name: String }
            var applied: Bool
            var plan: PlanPart
            var interlocks: [Check]
            var auditRecord: AuditRecord?
            var backup: String?
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let doc = try decoder.decode(Document.self, from: Data(r.stdout.utf8))
        #expect(doc.applied)
        #expect(doc.plan.action == "delete")
        #expect(doc.plan.key == key1)
        // Issue 8: the six interlocks, then our lock and the file-unchanged check.
        #expect(doc.interlocks.map(\.name) == ["state-lock", "processes", "ownership", "node-user", "hard-links", "audit-log", "own-lock", "file-unchanged"])
        #expect(doc.auditRecord?.sha256After == doc.plan.sha256After)
        #expect(doc.backup == RecoveryFixture.backups(path).first)
    }

    @Test("exit codes: unknown or ambiguous key 2, bad hex 2, no LIB 2, invalid file 1, changed since plan 1")
    func exitCodes() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        var r = RecoveryCLI.run(["reset", dir, "--key", "nothing-like-this", "--yes"] + RecoveryFixture.libArgs)
        #expect(r.status == 2)
        r = RecoveryCLI.run(["delete", dir, "--key", "PUB_BLS_", "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("matches 3 keys"))
        r = RecoveryCLI.run(["reset", dir, "--key", key1, "--yes", "--finality-digest", "xyz"] + RecoveryFixture.libArgs)
        #expect(r.status == 2)
        r = RecoveryCLI.run(["reset", dir, "--key", key1, "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("needs the LIB"))
        r = RecoveryCLI.run(["reset", dir, "--key", key1, "--yes", "--expect-sha256", String(repeating: "0", count: 64)] + RecoveryFixture.libArgs)
        #expect(r.status == 1)
        #expect(r.stderr.contains("changed since the plan"))
        var bytes = RecoveryFixture.read(path)
        bytes[bytes.count - 1] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        r = RecoveryCLI.run(["reset", dir, "--key", key1, "--yes"] + RecoveryFixture.libArgs)
        #expect(r.status == 1)
        #expect(r.stderr.contains("crc"))
        #expect(RecoveryFixture.read(path) == bytes)
    }

    @Test("a node holding the state lock: exit 4, nothing written", .enabled(if: RequiredTools.isCI || RequiredTools.which("python3") != nil, "needs python3 to hold the lock as nodeos does"))
    func nodeRunning() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let shm = dir + "/state/shared_memory.bin"
        #expect(FileManager.default.createFile(atPath: shm, contents: Data(count: 64)))
        let ready = dir + "/locked"
        let script = "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\nopen(sys.argv[2],'w').close()\ntime.sleep(120)"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", script, shm, ready]
        try holder.run()
        defer { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: ready) { usleep(10_000) }
        let old = RecoveryFixture.read(path)
        let r = RecoveryCLI.run(["reset", dir, "--key", key1, "--yes"] + RecoveryFixture.libArgs)
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stdout.contains("NODE RUNNING"))
        #expect(r.stderr.contains("a node is running"))
        #expect(RecoveryFixture.read(path) == old)
        #expect(RecoveryFixture.backups(path).isEmpty)
        // A dry run while the node runs says first that it must be stopped.
        let dry = RecoveryCLI.run(["reset", dir, "--key", key1, "--dry-run"] + RecoveryFixture.libArgs)
        #expect(dry.status == 0)
        #expect(dry.stdout.hasPrefix("A NODE IS RUNNING on this file: stop nodeos before applying"), "\(dry.stdout.prefix(200))")
        #expect(dry.stdout.contains("Stop nodeos first"))
        #expect(RecoveryFixture.read(path) == old)
    }

    @Test("an immutable file (chattr +i stops root too): exit 3, a clear message, nothing changed", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chattr")))
    func immutableFile() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let old = RecoveryFixture.read(path)
        func chattr(_ flag: String) -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
            p.arguments = [flag, path]
            p.standardError = FileHandle.nullDevice
            try? p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        guard chattr("+i") == 0 else { return }  // a file system without the attribute
        defer { _ = chattr("-i") }
        let r = RecoveryCLI.run(["reset", dir, "--key", key1, "--yes"] + RecoveryFixture.libArgs)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("\(path): cannot open for writing: Operation not permitted (an immutable or append-only attribute?"))
        #expect(r.stderr.contains("nothing changed"))
        _ = chattr("-i")
        #expect(RecoveryFixture.read(path) == old)
        #expect(RecoveryFixture.backups(path).isEmpty)
    }

    @Test("a HotStuff safety_db.dat: reset writes _vheight {LIB, 2} and the proposal id of LIB; --final-on-qc and --b-lock change it")
    func hotStuff() throws {
        let dir = TemporaryPaths.name("finality-hotstuff")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/safety_db.dat"
        let original = SafetyFileWriter.encode(RecoveryFixture.hotStuffFile())
        try Data(original).write(to: URL(fileURLWithPath: path))
        let key2 = RecoveryFixture.key(2).text
        let dry = RecoveryCLI.run(["reset", dir, "--key", key2, "--dry-run"] + RecoveryFixture.libArgs)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("_vheight.bheight (last_vote (height))"))
        #expect(dry.stdout.contains("inner sha256   8e33e3e88af90e9e9d6cfeb8b86ede2de7ef38cf3be9769645ed39d7dd02dd66"))
        #expect(dry.stdout.contains("_vheight (last vote) moves back from 5,230/phase 3 to 5,190/phase 2 (40 blocks"))
        #expect(dry.stdout.contains("[not checked] lock on <data-dir>/state/shared_memory.bin"))

        let r = RecoveryCLI.run(["reset", path, "--key", key2, "--yes"] + RecoveryFixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        var file = try SafetyFileReader.decode(RecoveryFixture.read(path))
        #expect(file.format == .hotStuff)
        #expect(file.entries[1].hotStuff?.vheight == VHeight(bheight: 5190, pcounter: 2))
        #expect(file.entries[1].hotStuff?.bLock.hex == "09ef7e0e61dbae6ed1b652df76c94f6ce784b522f3432caed2fa44391cb7a662")
        #expect(RecoveryFixture.read(path)[9..<190] == original[9..<190])

        let q = RecoveryCLI.run(["reset", path, "--key", key2, "--yes", "--final-on-qc", String(repeating: "77", count: 32)] + RecoveryFixture.libArgs)
        #expect(q.status == 0, "\(q.stderr)")
        file = try SafetyFileReader.decode(RecoveryFixture.read(path))
        #expect(file.entries[1].hotStuff?.bLock.hex == "e5718559af3464c28e4195d0cc11e5b127c72c4e2e65b811c92473583aa322e9")

        let b = RecoveryCLI.run(["reset", path, "--key", key2, "--yes", "--b-lock", String(repeating: "42", count: 32)] + RecoveryFixture.libArgs)
        #expect(b.status == 0, "\(b.stderr)")
        file = try SafetyFileReader.decode(RecoveryFixture.read(path))
        #expect(file.entries[1].hotStuff?.bLock.hex == String(repeating: "42", count: 32))
        #expect(RecoveryCLI.run(["reset", path, "--key", key2, "--yes", "--finality-digest", String(repeating: "00", count: 32)] + RecoveryFixture.libArgs).status == 2)

        let d = RecoveryCLI.run(["delete", path, "--key", RecoveryFixture.key(1).text, "--yes"])
        #expect(d.status == 0, "\(d.stderr)")
        file = try SafetyFileReader.decode(RecoveryFixture.read(path))
        #expect(file.entries.map(\.key) == [RecoveryFixture.key(2)])
        let h = RecoveryCLI.run(["history", path])
        #expect(h.stdout.contains("4 records"))
        #expect(h.stdout.contains("chain intact"))
    }

    @Test("restore brings a backup back, flagging what moves backwards; history lists both changes")
    func restoreAndHistory() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let old = RecoveryFixture.read(path)
        #expect(RecoveryCLI.run(["reset", dir, "--key", key1, "--yes"] + RecoveryFixture.libArgs).status == 0)
        let backup = try #require(RecoveryFixture.backups(path).first)
        // After a reset of key 2 too, the backup holds key 2's old lock (block 90): going
        // back to it moves that lock back.
        let reset2 = RecoveryCLI.run(["reset", dir, "--key", RecoveryFixture.key(2).text, "--yes", "--json"] + RecoveryFixture.libArgs)
        #expect(reset2.status == 0)
        let dry = RecoveryCLI.run(["restore", dir, "--from", backup, "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("the lock moves back from block 5,190 to 90"))
        let r = RecoveryCLI.run(["restore", dir, "--from", backup, "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(RecoveryFixture.read(path) == old)
        let h = RecoveryCLI.run(["history", dir])
        #expect(h.status == 0)
        #expect(h.stdout.contains("3 records"))
        #expect(h.stdout.contains("chain intact"))
        #expect(h.stdout.contains("restore from \(backup)"))
    }

    @Test("history finds an edited audit record: exit 1 with the line number")
    func historyBroken() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        #expect(RecoveryCLI.run(["reset", dir, "--key", key1, "--yes"] + RecoveryFixture.libArgs).status == 0)
        #expect(RecoveryCLI.run(["delete", dir, "--key", RecoveryFixture.key(3).text, "--yes"]).status == 0)
        let log = path + ".audit.jsonl"
        var text = try String(contentsOfFile: log, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"user\":\"", with: "\"user\":\"someone-else-", options: [], range: text.range(of: "\"user\":\""))
        try Data(text.utf8).write(to: URL(fileURLWithPath: log))
        let h = RecoveryCLI.run(["history", dir])
        #expect(h.status == 1)
        #expect(h.stderr.contains("chain broken at line 2"))
        #expect(h.stdout.contains("CHAIN BROKEN at line 2"))
    }

    @Test("diff compares two files by key, in text and JSON")
    func diff() throws {
        let (_, a) = try RecoveryFixture.dataDir()
        var f = RecoveryFixture.file()
        f.entries.reverse()
        f.entries[0] = SafetyEntry(key: RecoveryFixture.key(3), state: .savanna(SavannaSafety(lastVote: RecoveryFixture.ref(7), lock: RecoveryFixture.ref(6))))
        let (_, b) = try RecoveryFixture.dataDir(f)
        let t = RecoveryCLI.run(["diff", a, b])
        #expect(t.status == 0)
        #expect(t.stdout.contains("changed"))
        #expect(t.stdout.contains("the order of entries changed"))
        let j = RecoveryCLI.run(["diff", b, a, "--json"])
        struct Document: Decodable {
            struct DiffPart: Decodable { var changedEntries: Int; var warnings: [AuditRecord.Warning] }
            var diff: DiffPart
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let doc = try decoder.decode(Document.self, from: Data(j.stdout.utf8))
        #expect(doc.diff.changedEntries == 1)
        #expect(!doc.diff.warnings.isEmpty)
    }

    @Test("report is plain text with hashes, verdict, entries, LIB and interlocks")
    func report() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let r = RecoveryCLI.run(["report", dir] + RecoveryFixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("SHA-256"))
        #expect(r.stdout.contains("Verdict: nodeos will load this file"))
        #expect(r.stdout.contains(key1))
        #expect(r.stdout.contains("typed by the operator"))
        #expect(r.stdout.contains("Interlocks:"))
        #expect(r.stdout.contains(path))
        #expect(!r.stdout.contains("SSH_"))
    }
}
