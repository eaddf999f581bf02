import Foundation
import FinalityEngine
import FinalityFormat
import Testing

/// Kills the real binary at every step of the write path and checks that the file is
/// always the old content or the new one, that the backup exists once writing began,
/// and that running the command again finishes the job.
@Suite("Fault tests: kill points of the write path (the real binary)", .serialized, .enabled(if: RecoveryCLI.binary != nil))
struct RecoveryFaultTests {
    static let trialsPerPoint = 8

    /// The changes tried in turn: reset of key 1, reset of key 2, delete of key 3, restore
    /// of another file.
    func command(_ trial: Int, dir: String) -> (args: [String], plan: (String) throws -> Plan) {
        let lib = ResetInputs(lib: try! LIBDecision.forPlan([RecoveryFixture.lib], choice: nil, reason: nil))
        switch trial % 4 {
        case 0, 1:
            let key = RecoveryFixture.key(UInt64(trial % 4 + 1)).text
            return (["reset", dir, "--key", key, "--yes"] + RecoveryFixture.libArgs,
                    { path throws in try Planner.reset(bytes: RecoveryFixture.read(path), path: path, key: key, inputs: lib) })
        case 2:
            let key = RecoveryFixture.key(3).text
            return (["delete", dir, "--key", key, "--yes"],
                    { path throws in try Planner.delete(bytes: RecoveryFixture.read(path), path: path, key: key) })
        default:
            var other = RecoveryFixture.file()
            other.entries.removeLast()
            let source = dir + "/restore-source.dat"
            try? Data(SafetyFileWriter.encode(other)).write(to: URL(fileURLWithPath: source))
            return (["restore", dir, "--from", source, "--yes"],
                    { path throws in
                        try Planner.restore(bytes: RecoveryFixture.read(path), path: path, backup: RecoveryFixture.read(source), backupPath: source)
                    })
        }
    }

    /// A delete cannot run twice (the key is gone); the others can (the second finds nothing to do).
    func repeatable(_ trial: Int) -> Bool { trial % 4 != 2 }

    @Test("killed (SIGKILL) after each step: the file is old or new, never a mix; the backup exists once writing began", arguments: Failpoint.allCases)
    func killAt(_ point: Failpoint) throws {
        for trial in 0..<Self.trialsPerPoint {
            let (dir, path) = try RecoveryFixture.dataDir()
            let old = RecoveryFixture.read(path)
            let (args, makePlan) = command(trial, dir: dir)
            let plan = try makePlan(path)
            let r = RecoveryCLI.run(args, env: ["FINALITY_FAILPOINT": point.rawValue])
            #expect(r.signal == SIGKILL, "\(point.rawValue) trial \(trial): \(r.stderr)")
            let now = RecoveryFixture.read(path)
            #expect(now == old || now == plan.afterBytes, "\(point.rawValue): the file is neither old nor new")
            #expect(now == (point.fileIsNew ? plan.afterBytes : old), "\(point.rawValue)")
            #expect((try? SafetyFileReader.decode(now, options: .init(checkKeys: false))) != nil)
            let backups = RecoveryFixture.backups(path)
            if point.backupExists {
                #expect(backups.count == 1, "\(point.rawValue): a backup must exist")
                if point != .afterBackupWrite { #expect(backups.first.map(RecoveryFixture.read) == old) }
            } else {
                #expect(backups.isEmpty)
            }
            let audit = try AuditLog.verify(AuditLog.path(for: path))
            #expect(audit.intact)
            #expect(audit.entries.count == (point == .afterAudit ? 1 : 0))
            if point.backupExists && point != .afterAudit {
                // history points at the backup whose change never got its record.
                #expect(try FileHistory.read(file: path).unrecordedBackups.count == 1)
            }
            // Running the same command again finishes the job (or finds nothing left to do).
            if !point.fileIsNew || repeatable(trial) {
                let again = RecoveryCLI.run(args)
                #expect(again.status == 0, "\(point.rawValue) rerun: \(again.stderr)")
                #expect(RecoveryFixture.read(path) == plan.afterBytes)
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/finalizers").filter { $0.hasSuffix(".tmp") }
            if !point.fileIsNew || repeatable(trial) { #expect(leftovers.isEmpty, "\(point.rawValue): \(leftovers)") }
        }
    }

    @Test("blocked at a step and killed from outside: same guarantees", arguments: [Failpoint.afterTempWrite, .afterRename])
    func blockedThenKilled(_ point: Failpoint) throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let old = RecoveryFixture.read(path)
        let (args, makePlan) = command(0, dir: dir)
        let plan = try makePlan(path)
        let mark = dir + "/reached"
        let child = RecoveryCLI.start(args, env: ["FINALITY_FAILPOINT": point.rawValue, "FINALITY_FAILPOINT_ACTION": "block", "FINALITY_FAILPOINT_MARK": mark])
        for _ in 0..<1000 where !FileManager.default.fileExists(atPath: mark) { usleep(10_000) }
        #expect(FileManager.default.fileExists(atPath: mark))
        // While it sits there holding its locks, another change is refused, even after the
        // rename (when the path already names a new inode).
        let second = RecoveryCLI.run(command(1, dir: dir).args)
        #expect(second.status == 1, "\(second.stderr)")
        kill(child.pid, SIGKILL)
        let r = child.wait()
        #expect(r.signal == SIGKILL)
        #expect(RecoveryFixture.read(path) == (point.fileIsNew ? plan.afterBytes : old))
        #expect(RecoveryFixture.backups(path).count == 1)
    }

    @Test("two applies at once: exactly one succeeds, the other is refused, nothing is lost")
    func twoAtOnce() throws {
        for _ in 0..<10 {
            let (dir, path) = try RecoveryFixture.dataDir()
            let old = RecoveryFixture.read(path)
            let (args, makePlan) = command(0, dir: dir)
            let plan = try makePlan(path)
            let bound = args + ["--expect-sha256", plan.beforeSHA256.hex]
            let a = RecoveryCLI.start(bound)
            let b = RecoveryCLI.start(bound)
            let ra = a.wait(), rb = b.wait()
            let statuses = [ra.status, rb.status].sorted()
            #expect(statuses == [0, 1], "a: \(ra.stderr) b: \(rb.stderr)")
            #expect(RecoveryFixture.read(path) == plan.afterBytes)
            let backups = RecoveryFixture.backups(path)
            #expect(backups.count == 1)
            #expect(backups.first.map(RecoveryFixture.read) == old)
            let audit = try AuditLog.verify(AuditLog.path(for: path))
            #expect(audit.intact && audit.entries.count == 1)
        }
    }

    @Test("two applies, one paused while it holds the lock: the other is refused (exit 1), the first completes")
    func pausedHolder() throws {
        let (dir, path) = try RecoveryFixture.dataDir()
        let (args, makePlan) = command(1, dir: dir)
        let plan = try makePlan(path)
        let mark = dir + "/reached"
        let first = RecoveryCLI.start(args, env: ["FINALITY_FAILPOINT": "after-lock", "FINALITY_FAILPOINT_ACTION": "sleep:1500", "FINALITY_FAILPOINT_MARK": mark])
        for _ in 0..<1000 where !FileManager.default.fileExists(atPath: mark) { usleep(10_000) }
        let second = RecoveryCLI.run(args)
        #expect(second.status == 1)
        #expect(second.stderr.contains("another finality is applying a change"))
        let r = first.wait()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(RecoveryFixture.read(path) == plan.afterBytes)
    }
}
