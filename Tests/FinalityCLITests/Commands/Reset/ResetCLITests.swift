import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

@Suite(
    "finality reset and delete (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct ResetCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    let key1 = Fixture.key(1).text

    @Test("--dry-run prints the interlocks and the plan, changes nothing, and gives the hash to bind to")
    func dryRun() throws {
        let (dir, path) = try Fixture.dataDir()
        let old = Fixture.read(path)
        let r = BuiltBinary.run(["reset", dir, "--key", String(key1.suffix(20)), "--dry-run"] + Fixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Interlocks:"))
        #expect(r.stdout.contains("[ok] lock on \(dir)/state/shared_memory.bin"))
        #expect(r.stdout.contains("the lock moves back from block 5,210 to 5,190 (20 blocks, 20s): a conflicting vote becomes possible"))
        #expect(r.stdout.contains("lock.block_id (_b_lock)"))
        #expect(r.stdout.contains("--expect-sha256"))
        #expect(Fixture.read(path) == old)
        #expect(Fixture.backups(path).isEmpty)
    }

    @Test("without a terminal and without --yes, a reset is refused (exit 1) and nothing changes")
    func noTerminal() throws {
        let (dir, path) = try Fixture.dataDir()
        let old = Fixture.read(path)
        let r = BuiltBinary.run(["reset", dir, "--key", key1] + Fixture.libArgs)
        #expect(r.status == 1)
        #expect(r.stderr.contains("no terminal"))
        #expect(Fixture.read(path) == old)
    }

    /// Runs the binary on a pseudo-terminal (util-linux `script`), typing `input`.
    func onTerminal(_ args: [String], typing input: String) -> BuiltBinary.Result {
        let quoted = ([BuiltBinary.finality!] + args).map { "'" + $0 + "'" }.joined(separator: " ")
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
        return BuiltBinary.Result(status: p.terminationStatus, signal: nil, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }

    @Test("on a terminal, the 8 characters after PUB_BLS_ confirm (the workflow's one rule); \"y\" or another part of the key does not")
    func typedConfirmation() throws {
        try RequiredTools.require(RequiredTools.which("script") != nil, "script(1) for a terminal (util-linux)")
        let (dir, path) = try Fixture.dataDir()
        let old = Fixture.read(path)
        let no = onTerminal(["reset", dir, "--key", key1] + Fixture.libArgs, typing: "y")
        #expect(no.status == 1, "\(no.stdout)")
        #expect(no.stdout.contains("type the 8 characters after PUB_BLS_ of the key"))
        #expect(no.stdout.contains("not confirmed"))
        #expect(Fixture.read(path) == old)
        // Another part of the key, long as it is, is not the rule's part.
        let other = onTerminal(["reset", dir, "--key", key1] + Fixture.libArgs, typing: String(key1.dropFirst(20).prefix(12)))
        #expect(other.status == 1, "\(other.stdout)")
        #expect(Fixture.read(path) == old)
        let yes = onTerminal(["reset", dir, "--key", key1] + Fixture.libArgs, typing: String(key1.dropFirst(8).prefix(8)))
        #expect(yes.status == 0, "\(yes.stdout)")
        #expect(Fixture.read(path) != old)
        #expect(Fixture.backups(path).count == 1)
    }

    @Test("reset --yes applies: prints backup and audit record; the file equals the engine's plan")
    func resetApplies() throws {
        let (_, path) = try Fixture.dataDir()
        let old = Fixture.read(path)
        let plan = try Planner.reset(
            bytes: old, path: path, key: key1, inputs: ResetInputs(lib: try! LIBDecision.forPlan([Fixture.lib(5190)], choice: nil, reason: nil)))
        let r = BuiltBinary.run(["reset", path, "--key", key1, "--yes", "--expect-sha256", plan.beforeSHA256.hex] + Fixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Fixture.read(path) == plan.afterBytes)
        let backups = Fixture.backups(path)
        #expect(backups.count == 1)
        #expect(r.stdout.contains("Backup:       \(backups[0])"))
        #expect(r.stdout.contains("Audit record: \(path).audit.jsonl"))
        #expect(Fixture.read(backups[0]) == old)
    }

    @Test("--json gives the plan, interlocks and the audit record as one JSON document")
    func json() throws {
        let (dir, path) = try Fixture.dataDir()
        let r = BuiltBinary.run(["delete", dir, "--key", key1, "--yes", "--json"])
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
        #expect(doc.backup == Fixture.backups(path).first)
    }

    @Test("exit codes: unknown or ambiguous key 2, bad hex 2, no LIB 2, invalid file 1, changed since plan 1")
    func exitCodes() throws {
        let (dir, path) = try Fixture.dataDir()
        var r = BuiltBinary.run(["reset", dir, "--key", "nothing-like-this", "--yes"] + Fixture.libArgs)
        #expect(r.status == 2)
        r = BuiltBinary.run(["delete", dir, "--key", "PUB_BLS_", "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("matches 3 keys"))
        r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes", "--finality-digest", "xyz"] + Fixture.libArgs)
        #expect(r.status == 2)
        r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("needs the LIB"))
        r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes", "--expect-sha256", String(repeating: "0", count: 64)] + Fixture.libArgs)
        #expect(r.status == 1)
        #expect(r.stderr.contains("changed since the plan"))
        var bytes = Fixture.read(path)
        bytes[bytes.count - 1] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes"] + Fixture.libArgs)
        #expect(r.status == 1)
        #expect(r.stderr.contains("crc"))
        #expect(Fixture.read(path) == bytes)
    }

    @Test("a node holding the state lock: exit 4, nothing written")
    func nodeRunning() throws {
        try RequiredTools.require(RequiredTools.which("python3") != nil, "python3 (to hold the state lock as nodeos does)")
        let (dir, path) = try Fixture.dataDir()
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
        let old = Fixture.read(path)
        let r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes"] + Fixture.libArgs)
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stdout.contains("NODE RUNNING"))
        #expect(r.stderr.contains("a node is running"))
        #expect(Fixture.read(path) == old)
        #expect(Fixture.backups(path).isEmpty)
        // A dry run while the node runs says first that it must be stopped.
        let dry = BuiltBinary.run(["reset", dir, "--key", key1, "--dry-run"] + Fixture.libArgs)
        #expect(dry.status == 0)
        #expect(dry.stdout.hasPrefix("A NODE IS RUNNING on this file: stop nodeos before applying"), "\(dry.stdout.prefix(200))")
        #expect(dry.stdout.contains("Stop nodeos first"))
        #expect(Fixture.read(path) == old)
    }

    @Test("an immutable file (chattr +i stops root too): exit 3, a clear message, nothing changed")
    func immutableFile() throws {
        try RequiredTools.require(Capabilities.immutableFiles, Capabilities.immutableFilesNeed)
        let (dir, path) = try Fixture.dataDir()
        let old = Fixture.read(path)
        func chattr(_ flag: String) -> Int32 { Capabilities.chattr(flag, path) }
        #expect(chattr("+i") == 0)
        defer { _ = chattr("-i") }
        let r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes"] + Fixture.libArgs)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("\(path): cannot open for writing: Operation not permitted (an immutable or append-only attribute?"))
        #expect(r.stderr.contains("nothing changed"))
        _ = chattr("-i")
        #expect(Fixture.read(path) == old)
        #expect(Fixture.backups(path).isEmpty)
    }

    @Test("a HotStuff safety_db.dat: reset writes _vheight {LIB, 2} and the proposal id of LIB; --final-on-qc and --b-lock change it")
    func hotStuff() throws {
        let dir = TemporaryPaths.name("finality-hotstuff")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/safety_db.dat"
        let original = SafetyFileWriter.encode(Fixture.hotStuffFile())
        try Data(original).write(to: URL(fileURLWithPath: path))
        let key2 = Fixture.key(2).text
        let dry = BuiltBinary.run(["reset", dir, "--key", key2, "--dry-run"] + Fixture.libArgs)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("_vheight.bheight (last_vote (height))"))
        #expect(dry.stdout.contains("inner sha256   8e33e3e88af90e9e9d6cfeb8b86ede2de7ef38cf3be9769645ed39d7dd02dd66"))
        #expect(dry.stdout.contains("_vheight (last vote) moves back from 5,230/phase 3 to 5,190/phase 2 (40 blocks"))
        #expect(dry.stdout.contains("[not checked] lock on <data-dir>/state/shared_memory.bin"))

        let r = BuiltBinary.run(["reset", path, "--key", key2, "--yes"] + Fixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        var file = try SafetyFileReader.decode(Fixture.read(path))
        #expect(file.format == .hotStuff)
        #expect(file.entries[1].hotStuff?.vheight == VHeight(bheight: 5190, pcounter: 2))
        #expect(file.entries[1].hotStuff?.bLock.hex == "09ef7e0e61dbae6ed1b652df76c94f6ce784b522f3432caed2fa44391cb7a662")
        #expect(Fixture.read(path)[9..<190] == original[9..<190])

        let q = BuiltBinary.run(["reset", path, "--key", key2, "--yes", "--final-on-qc", String(repeating: "77", count: 32)] + Fixture.libArgs)
        #expect(q.status == 0, "\(q.stderr)")
        file = try SafetyFileReader.decode(Fixture.read(path))
        #expect(file.entries[1].hotStuff?.bLock.hex == "e5718559af3464c28e4195d0cc11e5b127c72c4e2e65b811c92473583aa322e9")

        let b = BuiltBinary.run(["reset", path, "--key", key2, "--yes", "--b-lock", String(repeating: "42", count: 32)] + Fixture.libArgs)
        #expect(b.status == 0, "\(b.stderr)")
        file = try SafetyFileReader.decode(Fixture.read(path))
        #expect(file.entries[1].hotStuff?.bLock.hex == String(repeating: "42", count: 32))
        #expect(BuiltBinary.run(["reset", path, "--key", key2, "--yes", "--finality-digest", String(repeating: "00", count: 32)] + Fixture.libArgs).status == 2)

        let d = BuiltBinary.run(["delete", path, "--key", Fixture.key(1).text, "--yes"])
        #expect(d.status == 0, "\(d.stderr)")
        file = try SafetyFileReader.decode(Fixture.read(path))
        #expect(file.entries.map(\.key) == [Fixture.key(2)])
        let h = BuiltBinary.run(["history", path])
        // Four changes, each its record before the rename and its completion after.
        #expect(h.stdout.contains("8 records"))
        #expect(h.stdout.contains("chain intact"))
    }
}
