import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

/// Kills the real binary at every step of the write path and checks that the file is
/// always the old content or the new one, that the backup exists once writing began,
/// and that running the command again finishes the job.
@Suite("Fault tests: kill points of the write path (the real binary)", .serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct RecoveryFaultTests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    static let trialsPerPoint = 8

    /// The changes tried in turn: reset of key 1, reset of key 2, delete of key 3, restore
    /// of another file.
    func command(_ trial: Int, dir: String) -> (args: [String], plan: (String) throws -> Plan) {
        let lib = ResetInputs(lib: try! LIBDecision.forPlan([Fixture.lib(5190)], choice: nil, reason: nil))
        switch trial % 4 {
        case 0, 1:
            let key = Fixture.key(UInt64(trial % 4 + 1)).text
            return (["reset", dir, "--key", key, "--yes"] + Fixture.libArgs,
                    { path throws in try Planner.reset(bytes: Fixture.read(path), path: path, key: key, inputs: lib) })
        case 2:
            let key = Fixture.key(3).text
            return (["delete", dir, "--key", key, "--yes"],
                    { path throws in try Planner.delete(bytes: Fixture.read(path), path: path, key: key) })
        default:
            var other = Fixture.savannaFile()
            other.entries.removeLast()
            let source = dir + "/restore-source.dat"
            try? Data(SafetyFileWriter.encode(other)).write(to: URL(fileURLWithPath: source))
            return (["restore", dir, "--from", source, "--yes"],
                    { path throws in
                        try Planner.restore(bytes: Fixture.read(path), path: path, backup: Fixture.read(source), backupPath: source)
                    })
        }
    }

    /// A delete cannot run twice (the key is gone); the others can (the second finds nothing to do).
    func repeatable(_ trial: Int) -> Bool { trial % 4 != 2 }

    @Test("killed (SIGKILL) after each step: the file is old or new, never a mix; the backup exists once writing began", arguments: Failpoint.allCases)
    func killAt(_ point: Failpoint) throws {
        for trial in 0..<Self.trialsPerPoint {
            let (dir, path) = try Fixture.dataDir()
            let old = Fixture.read(path)
            let (args, makePlan) = command(trial, dir: dir)
            let plan = try makePlan(path)
            let r = BuiltBinary.run(args, env: ["FINALITY_FAILPOINT": point.rawValue])
            #expect(r.signal == SIGKILL, "\(point.rawValue) trial \(trial): \(r.stderr)")
            let now = Fixture.read(path)
            #expect(now == old || now == plan.afterBytes, "\(point.rawValue): the file is neither old nor new")
            #expect(now == (point.fileIsNew ? plan.afterBytes : old), "\(point.rawValue)")
            #expect((try? SafetyFileReader.decode(now, options: .init(checkKeys: false))) != nil)
            let backups = Fixture.backups(path)
            if point.backupExists {
                #expect(backups.count == 1, "\(point.rawValue): a backup must exist")
                if point != .afterBackupWrite { #expect(backups.first.map(Fixture.read) == old) }
            } else {
                #expect(backups.isEmpty)
            }
            let audit = try AuditLog.verify(AuditLog.path(for: path))
            #expect(audit.intact)
            // The change's record is there from the step before the rename on; its
            // completion only once the write path saw the read-back.
            #expect(audit.entries.count == (point == .afterCompletionRecord ? 2 : point.applyingRecorded ? 1 : 0), "\(point.rawValue)")
            let history = try FileHistory.read(file: path)
            if point.backupExists && !point.applyingRecorded {
                // history points at the backup whose change never got its record.
                #expect(history.unrecordedBackups.count == 1)
            }
            if point.applyingRecorded && point != .afterCompletionRecord {
                // A record without its completion: reconciled against the file.
                #expect(history.reconciliations.map(\.outcome) == [point.fileIsNew ? .applied : .notApplied], "\(point.rawValue)")
            } else {
                #expect(history.reconciliations.isEmpty, "\(point.rawValue)")
            }
            // Running the same command again finishes the job (or finds nothing left to do).
            if !point.fileIsNew || repeatable(trial) {
                let again = BuiltBinary.run(args)
                #expect(again.status == 0, "\(point.rawValue) rerun: \(again.stderr)")
                #expect(Fixture.read(path) == plan.afterBytes)
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/finalizers").filter { $0.hasSuffix(".tmp") }
            if !point.fileIsNew || repeatable(trial) { #expect(leftovers.isEmpty, "\(point.rawValue): \(leftovers)") }
        }
    }

    @Test("blocked at a step and killed from outside: same guarantees", arguments: [Failpoint.afterTempWrite, .afterRename])
    func blockedThenKilled(_ point: Failpoint) throws {
        let (dir, path) = try Fixture.dataDir()
        let old = Fixture.read(path)
        let (args, makePlan) = command(0, dir: dir)
        let plan = try makePlan(path)
        let mark = dir + "/reached"
        let child = BuiltBinary.start(args, env: ["FINALITY_FAILPOINT": point.rawValue, "FINALITY_FAILPOINT_ACTION": "block", "FINALITY_FAILPOINT_MARK": mark])
        for _ in 0..<1000 where !FileManager.default.fileExists(atPath: mark) { usleep(10_000) }
        #expect(FileManager.default.fileExists(atPath: mark))
        // While it sits there holding its locks, another change is refused, even after the
        // rename (when the path already names a new inode).
        let second = BuiltBinary.run(command(1, dir: dir).args)
        #expect(second.status == 1, "\(second.stderr)")
        kill(child.pid, SIGKILL)
        let r = child.wait()
        #expect(r.signal == SIGKILL)
        #expect(Fixture.read(path) == (point.fileIsNew ? plan.afterBytes : old))
        #expect(Fixture.backups(path).count == 1)
    }

    @Test("two applies at once: exactly one succeeds, the other is refused, nothing is lost")
    func twoAtOnce() throws {
        for _ in 0..<10 {
            let (dir, path) = try Fixture.dataDir()
            let old = Fixture.read(path)
            let (args, makePlan) = command(0, dir: dir)
            let plan = try makePlan(path)
            let bound = args + ["--expect-sha256", plan.beforeSHA256.hex]
            let a = BuiltBinary.start(bound)
            let b = BuiltBinary.start(bound)
            let ra = a.wait(), rb = b.wait()
            let statuses = [ra.status, rb.status].sorted()
            #expect(statuses == [0, 1], "a: \(ra.stderr) b: \(rb.stderr)")
            #expect(Fixture.read(path) == plan.afterBytes)
            let backups = Fixture.backups(path)
            #expect(backups.count == 1)
            #expect(backups.first.map(Fixture.read) == old)
            let audit = try AuditLog.verify(AuditLog.path(for: path))
            #expect(audit.intact && audit.entries.count == 2)
        }
    }

    @Test("two applies, one paused while it holds the lock: the other is refused (exit 1), the first completes")
    func pausedHolder() throws {
        let (dir, path) = try Fixture.dataDir()
        let (args, makePlan) = command(1, dir: dir)
        let plan = try makePlan(path)
        let mark = dir + "/reached"
        let first = BuiltBinary.start(args, env: ["FINALITY_FAILPOINT": "after-lock", "FINALITY_FAILPOINT_ACTION": "sleep:1500", "FINALITY_FAILPOINT_MARK": mark])
        for _ in 0..<1000 where !FileManager.default.fileExists(atPath: mark) { usleep(10_000) }
        let second = BuiltBinary.run(args)
        #expect(second.status == 1)
        #expect(second.stderr.contains("another finality is applying a change"))
        let r = first.wait()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Fixture.read(path) == plan.afterBytes)
    }
}

/// The real binary run as another user (setpriv), with output to files.
private func runAs(uid: UInt32, gid: UInt32, groups: [UInt32], _ args: [String]) -> BuiltBinary.Result {
    let tmp = TemporaryPaths.name("finality-setpriv")
    let out = tmp + ".out", err = tmp + ".err"
    TemporaryPaths.register(out)
    TemporaryPaths.register(err)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let groupArgs = groups.isEmpty ? ["--clear-groups"] : ["--groups", groups.map(String.init).joined(separator: ",")]
    let argv = (["/usr/bin/setpriv", "--reuid", "\(uid)", "--regid", "\(gid)"] + groupArgs + ["--", BuiltBinary.finality!] + args)
        .map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/usr/bin/setpriv", &actions, nil, argv, environ) == 0 else {
        return BuiltBinary.Result(status: -1, signal: nil, stdout: "", stderr: "cannot spawn setpriv")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    defer { unlink(out); unlink(err) }
    return BuiltBinary.Result(
        status: (status >> 8) & 0xff, signal: nil, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
}

/// Operators other than root are played with setpriv(1), which only root may run so.
private func requireSwitchUser() throws {
    try RequiredTools.require(Capabilities.isRoot, "root (to run finality as another user with setpriv)")
    try RequiredTools.require(FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "/usr/bin/setpriv (util-linux)")
}

/// Processes of other suites (fake nodeos of the engine tests) may run meanwhile; a non-root
/// operator cannot see into them, which fails closed. These tests are about ownership, so
/// they override that one check, with a reason.
private let overrideScan = ["--override", "processes", "--override-reason", "test: the only nodeos here are other tests' fakes"]

@Suite("Write safety through the real binary: non-root operators, full disks, injected faults", .serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct WriteSafetyCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    @Test("a non-root operator writing through group permission is refused before writing (exit 1), saying who can")
    func groupWriterRefused() throws {
        try requireSwitchUser()
        let (dir, path) = try Fixture.dataDir()
        let fin = dir + "/finalizers"
        #expect(chown(fin, 1001, 1001) == 0 && chmod(fin, 0o775) == 0)
        #expect(chown(path, 1001, 1001) == 0 && chmod(path, 0o660) == 0)
        let old = Fixture.read(path)
        let r = runAs(uid: 1002, gid: 1002, groups: [1001], ["reset", dir, "--key", Fixture.key(1).text, "--yes"] + Fixture.libArgs + overrideScan)
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect((r.stdout + r.stderr).contains("Only root or uid 1001"), "\(r.stdout)\n\(r.stderr)")
        #expect(Fixture.read(path) == old)
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_uid == 1001 && st.st_gid == 1001)
        #expect(Fixture.backups(path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path + ".audit.jsonl"))
    }

    @Test("a non-root operator who owns the file, writing into a group directory: the new file keeps owner and group")
    func ownerKeepsGroup() throws {
        try requireSwitchUser()
        let (dir, path) = try Fixture.dataDir()
        let fin = dir + "/finalizers"
        #expect(chown(fin, 1001, 1001) == 0 && chmod(fin, 0o775) == 0)
        #expect(chown(path, 1002, 1001) == 0 && chmod(path, 0o660) == 0)
        let r = runAs(uid: 1002, gid: 1002, groups: [1001], ["reset", dir, "--key", Fixture.key(1).text, "--yes"] + Fixture.libArgs + overrideScan)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_uid == 1002 && st.st_gid == 1001 && st.st_mode & 0o7777 == 0o660)
        #expect(Fixture.read(path) != [])
    }

    @Test("a non-root operator cannot see into a root nodeos: the scan fails closed (exit 1) and says how to override")
    func nonRootCannotSee() throws {
        try requireSwitchUser()
        let (dir, path) = try Fixture.dataDir()
        let fin = dir + "/finalizers"
        #expect(chown(fin, 1002, 1002) == 0 && chown(path, 1002, 1002) == 0)
        // A root "nodeos" on another data dir: its cwd, fd and environ are closed to uid 1002.
        let shell = TemporaryPaths.name("fake-nodeos")
        try FileManager.default.createDirectory(atPath: shell, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: shell + "/nodeos")
        let nodePID = spawnDetached(shell + "/nodeos", ["60"])
        defer {
            kill(nodePID, SIGKILL)
            var status: Int32 = 0
            while waitpid(nodePID, &status, 0) < 0 && errno == EINTR {}
        }
        for _ in 0..<200 where (try? String(contentsOfFile: "/proc/\(nodePID)/comm", encoding: .utf8)) != "nodeos\n" { usleep(10_000) }
        let old = Fixture.read(path)
        let r = runAs(uid: 1002, gid: 1002, groups: [], ["reset", dir, "--key", Fixture.key(1).text, "--yes"] + Fixture.libArgs)
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("--override processes"), "\(r.stderr)")
        #expect(r.stdout.contains("could not see: nodeos pid \(nodePID)"), "\(r.stdout)")
        #expect(Fixture.read(path) == old)
    }

    @Test("a full disk (small tmpfs): exit 3, the file unchanged, no partial backup, no temp file, no audit record")
    func fullDisk() throws {
        try RequiredTools.require(Capabilities.isRoot, "root (to mount a small tmpfs)")
        for extraPages in [0, 1] {
            let mountPoint = TemporaryPaths.name("finality-full")
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            try RequiredTools.require(
                runToEnd("/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mountPoint]) == 0, "a tmpfs mounted here (mount -t tmpfs)")
            defer { runToEnd("/bin/umount", [mountPoint]); rmdir(mountPoint) }
            let dir = mountPoint + "/data"
            try FileManager.default.createDirectory(atPath: dir + "/finalizers", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
            let path = dir + "/finalizers/safety.dat"
            try Data(SafetyFileWriter.encode(Fixture.savannaFile())).write(to: URL(fileURLWithPath: path))
            let old = Fixture.read(path)
            // Fill the disk, then free exactly the audit log's reservation (16 pages) plus
            // `extraPages`: the backup (0) or the temp file (1) is what runs out of space.
            let filler = mountPoint + "/filler"
            let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
            let page = [UInt8](repeating: 0xAA, count: 4096)
            var written = 0
            while page.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, 4096) }) == 4096 { written += 4096 }
            #expect(ftruncate(fd, off_t(written - (16 + extraPages) * 4096)) == 0)
            close(fd)
            let r = BuiltBinary.run(["reset", dir, "--key", Fixture.key(1).text, "--yes"] + Fixture.libArgs)
            #expect(r.status == 3, "extra \(extraPages): \(r.stdout)\n\(r.stderr)")
            #expect(r.stderr.contains("No space left on device"), "\(r.stderr)")
            #expect(Fixture.read(path) == old)
            for b in Fixture.backups(path) { #expect(Fixture.read(b) == old, "a partial backup remains: \(b)") }
            if extraPages == 0 { #expect(Fixture.backups(path).isEmpty, "\(r.stderr)") }
            let temps = try FileManager.default.contentsOfDirectory(atPath: dir + "/finalizers").filter { $0.hasSuffix(".tmp") }
            #expect(temps.isEmpty)
            let audit = try AuditLog.verify(AuditLog.path(for: path))
            #expect(audit.intact && audit.entries.isEmpty)
        }
    }

    @Test("injected faults through the real binary: the documented exit code and message (FINALITY_FAULT, test builds only)")
    func binaryFaults() throws {
        let cases: [(fault: String, status: Int32, words: String, fileIsNew: Bool)] = [
            ("rename:EXDEV", 3, "Invalid cross-device link; nothing changed", false),
            ("rename:EROFS", 3, "Read-only file system; nothing changed", false),
            ("rename:EACCES", 3, "Permission denied; nothing changed", false),
            ("write#1:ENOSPC", 3, "the incomplete backup was removed", false),
            ("fsync#1:EIO", 3, "Input/output error; nothing changed", false),
            ("write#2:EDQUOT", 3, "Disk quota exceeded; nothing changed (the temp file was removed)", false),
            ("write#3:ENOSPC", 3, "the partial record was removed); nothing changed (the temp file was removed)", false),
            ("write#4:ENOSPC", 3, "the change IS applied", true),
            ("rename:EINTR", 0, "", true),
        ]
        for c in cases {
            let (dir, path) = try Fixture.dataDir()
            let old = Fixture.read(path)
            let fired = dir + "/fired"
            let r = BuiltBinary.run(
                ["reset", dir, "--key", Fixture.key(1).text, "--yes"] + Fixture.libArgs,
                env: ["FINALITY_FAULT": c.fault, "FINALITY_FAULT_FIRED": fired])
            #expect(r.status == c.status, "\(c.fault): \(r.stderr)")
            if !c.words.isEmpty { #expect(r.stderr.contains(c.words), "\(c.fault): \(r.stderr)") }
            #expect(FileManager.default.fileExists(atPath: fired), "\(c.fault) did not fire")
            #expect((Fixture.read(path) == old) == !c.fileIsNew, "\(c.fault)")
            for b in Fixture.backups(path) { #expect(Fixture.read(b) == old) }
            // No change without its record: a new file has its record, applied (completed or
            // reconciled); an old one none, or one not applied.
            let history = try FileHistory.read(file: path)
            #expect(history.audit.intact)
            #expect(!history.unknownOpen, "\(c.fault)")
            let changes = history.audit.entries.filter { $0.record.action != nil }
            if c.fileIsNew {
                #expect(changes.count == 1 && history.outcome(of: changes[0]) == .applied, "\(c.fault)")
            } else {
                #expect(changes.allSatisfy { history.outcome(of: $0) == .notApplied }, "\(c.fault)")
            }
            if c.status == 0 { #expect(history.audit.entries.count == 2, "\(c.fault)") }
        }
    }
}

private func spawnDetached(_ program: String, _ args: [String]) -> pid_t {
    var pid: pid_t = 0
    let argv = ([program] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    _ = posix_spawn(&pid, program, nil, nil, argv, environ)
    return pid
}
