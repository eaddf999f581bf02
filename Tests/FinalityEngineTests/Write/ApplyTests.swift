import Foundation
import FinalityFormat
import SystemPackage
import Testing
import FinalityTestSupport
@testable import FinalityEngine

private func mode(_ path: String) -> mode_t {
    var st = stat()
    lstat(path, &st)
    return st.st_mode & 0o7777
}

private func resetPlan(_ path: String, key: UInt64, lib: UInt32 = 5190) throws -> Plan {
    try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(key).text, inputs: Fixture.inputs(lib))
}

private func options(_ time: Date = Date(timeIntervalSince1970: 1_790_000_000)) -> ApplyOptions {
    ApplyOptions(context: Fixture.context(time))
}

private func chattr(_ flag: String, _ path: String) { Capabilities.chattr(flag, path) }

@Suite("The write path: backup, temp file, rename, read back, audit", .serialized)
struct ApplyTests {
    @Test("a reset is applied: backup 0600 in backups/, same mode and owner, read back, audit record chained")
    func applyEndToEnd() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        chmod(path, 0o640)
        let old = Fixture.read(path)
        let plan = try resetPlan(path, key: 1)
        let location = try Location.resolve(dir)
        let result = try Apply.run(plan, location: location, options: options())
        #expect(Fixture.read(path) == plan.afterBytes)
        #expect(mode(path) == 0o640)
        #expect(result.backupPath == RecoveryPaths.backupPath(for: path, time: Fixture.context().time, sha256: plan.beforeSHA256))
        #expect(result.backupPath.hasPrefix(dir + "/finalizers/backups/safety.dat."))
        #expect(Fixture.read(result.backupPath) == old)
        #expect(mode(result.backupPath) == 0o600)
        #expect(result.interlocks.checks.map(\.name) == ["state-lock", "processes", "ownership", "node-user", "hard-links", "audit-log", "own-lock", "file-unchanged"])
        let record = try #require(result.auditRecord)
        #expect(record.action == "reset")
        #expect(record.key == Fixture.key(1).text)
        #expect(record.sha256Before == plan.beforeSHA256.hex)
        #expect(record.sha256After == plan.afterSHA256.hex)
        #expect(record.ssh == "10.0.0.1 5555 10.0.0.2 22")
        #expect(record.lib?.chosen.source.kind == "typed")
        #expect(record.lib?.chosen.lib.blockNum == 5190)
        #expect(record.before?.lock?.blockNum == 5210)
        #expect(record.after?.lock?.blockNum == 5190)
        #expect(record.backup == result.backupPath)
        #expect(record.prevSha256 == "")
        #expect(record.overrides == [])
        // A second change chains to the first record.
        let second = try Apply.run(try resetPlan(path, key: 2), location: location, options: options(Date(timeIntervalSince1970: 1_790_000_100)))
        let audit = try AuditLog.verify(result.auditPath)
        #expect(audit.intact)
        // Each change: its record before the rename, its completion after the read-back.
        #expect(audit.entries.count == 4)
        #expect(second.auditRecord?.prevSha256 == AuditLog.sha256Hex(Array(result.completionLine.utf8)))
        let history = try FileHistory.read(file: path)
        #expect(history.backups.count == 2)
        #expect(history.currentMatchesLastRecord == true)
    }

    @Test("a file changed since the plan is refused, and nothing is written (not even a backup)")
    func changedSincePlan() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let plan = try resetPlan(path, key: 1)
        let other = SafetyFileWriter.encode(Fixture.savannaFile(trailing: [1]))
        try Data(other).write(to: URL(fileURLWithPath: path))
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: options())
        } throws: { e in
            (e as? EngineError)?.status == .invalidOrRefused && "\(e)".contains("changed since the plan")
        }
        #expect(Fixture.read(path) == other)
        #expect(!FileManager.default.fileExists(atPath: dir + "/finalizers/backups"))
        #expect(!FileManager.default.fileExists(atPath: AuditLog.path(for: path)))
    }

    @Test("a symlink planted at the temp name is refused and its target untouched")
    func symlinkAtTemp() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let old = Fixture.read(path)
        let plan = try resetPlan(path, key: 1)
        let target = dir + "/precious"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: RecoveryPaths.tempPath(for: path, afterSHA256: plan.afterSHA256), withDestinationPath: target)
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: options())
        } throws: { e in (e as? EngineError)?.status == .invalidOrRefused }
        #expect(String(decoding: Fixture.read(target), as: UTF8.self) == "precious")
        #expect(Fixture.read(path) == old)
    }

    @Test("a symlink planted at the backup name, or as the backups folder, is refused and its target untouched")
    func symlinkAtBackup() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let old = Fixture.read(path)
        let plan = try resetPlan(path, key: 1)
        let target = dir + "/precious"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createDirectory(atPath: RecoveryPaths.backupDirectory(for: path), withIntermediateDirectories: true)
        let name = RecoveryPaths.backupPath(for: path, time: Fixture.context().time, sha256: plan.beforeSHA256)
        try FileManager.default.createSymbolicLink(atPath: name, withDestinationPath: target)
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: options())
        } throws: { e in (e as? EngineError)?.status == .invalidOrRefused && "\(e)".contains("not a backup of ours") }
        #expect(String(decoding: Fixture.read(target), as: UTF8.self) == "precious")
        #expect(Fixture.read(path) == old)

        try FileManager.default.removeItem(atPath: RecoveryPaths.backupDirectory(for: path))
        let elsewhere = dir + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: RecoveryPaths.backupDirectory(for: path), withDestinationPath: elsewhere)
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: options())
        } throws: { e in (e as? EngineError)?.status == .invalidOrRefused }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        #expect(Fixture.read(path) == old)
    }

    @Test("a hard link planted at the temp name is refused, and the linked file untouched")
    func hardLinkAtTemp() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let old = Fixture.read(path)
        let plan = try resetPlan(path, key: 1)
        let target = dir + "/finalizers/precious"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: target))
        #expect(link(target, RecoveryPaths.tempPath(for: path, afterSHA256: plan.afterSHA256)) == 0)
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: options())
        } throws: { e in (e as? EngineError)?.status == .invalidOrRefused && "\(e)".contains("not a plain file of ours") }
        #expect(String(decoding: Fixture.read(target), as: UTF8.self) == "precious")
        #expect(Fixture.read(path) == old)
    }

    @Test("a second backup in the same second gets its own name")
    func backupCollision() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let plan = try resetPlan(path, key: 1)
        try FileManager.default.createDirectory(atPath: RecoveryPaths.backupDirectory(for: path), withIntermediateDirectories: true)
        let taken = RecoveryPaths.backupPath(for: path, time: Fixture.context().time, sha256: plan.beforeSHA256)
        #expect(FileManager.default.createFile(atPath: taken, contents: Data("older".utf8)))
        let result = try Apply.run(plan, location: try Location.resolve(dir), options: options())
        #expect(result.backupPath.hasSuffix("-2.bak"))
        #expect(String(decoding: Fixture.read(taken), as: UTF8.self) == "older")
    }

    @Test("a temp file left by an interrupted run is removed under our lock, and the change goes through")
    func leftoverTemp() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let plan = try resetPlan(path, key: 1)
        let temp = RecoveryPaths.tempPath(for: path, afterSHA256: plan.afterSHA256)
        #expect(FileManager.default.createFile(atPath: temp, contents: Data(plan.afterBytes.prefix(100))))
        let result = try Apply.run(plan, location: try Location.resolve(dir), options: options())
        #expect(result.removedLeftoverTemp == temp)
        #expect(Fixture.read(path) == plan.afterBytes)
        #expect(!FileManager.default.fileExists(atPath: temp))
    }

    @Test("another holder of our lock (another finality applying) means refusal")
    func lockHeld() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let old = Fixture.read(path)
        let plan = try resetPlan(path, key: 1)
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        var fl = Glibc.flock()
        fl.l_type = Int16(F_WRLCK)
        fl.l_whence = Int16(SEEK_SET)
        #expect(fcntl(fd, Interlocks.F_OFD_SETLK, &fl) == 0)
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: options())
        } throws: { e in (e as? EngineError)?.status == .invalidOrRefused && "\(e)".contains("holds a lock") }
        #expect(Fixture.read(path) == old)
    }

    @Test("an immutable file or directory (chattr +i, which stops root too): a clear I/O error, nothing changed")
    func immutable() throws {
        try RequiredTools.require(Capabilities.immutableFiles, Capabilities.immutableFilesNeed)
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let old = Fixture.read(path)
        let plan = try resetPlan(path, key: 1)
        chattr("+i", path)
        defer { chattr("-i", path) }
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: options())
        } throws: { e in (e as? EngineError)?.status == .io && "\(e)".contains("immutable") && "\(e)".contains("nothing changed") }
        chattr("-i", path)
        #expect(Fixture.read(path) == old)

        chattr("+i", dir + "/finalizers")
        defer { chattr("-i", dir + "/finalizers") }
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: options())
        } throws: { e in (e as? EngineError)?.status == .io }
        chattr("-i", dir + "/finalizers")
        #expect(Fixture.read(path) == old)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir + "/finalizers").sorted()
        #expect(left == ["safety.dat"])
    }
}

@Suite("Audit log chain")
struct AuditTests {
    static func record(_ n: Int) -> [(String, JSON)] {
        [("time", .string("2026-11-30T00:00:0\(n % 10)Z")), ("user", .string("tester")), ("action", .string("reset")), ("n", .int(Int64(n)))]
    }

    func log(records: Int) throws -> String {
        let path = TemporaryPaths.name("audit", suffix: ".jsonl")
        for i in 0..<records { _ = try AuditLog.append(Self.record(i), to: path, context: Fixture.context()) }
        return path
    }

    func lines(_ path: String) -> [String] {
        String(decoding: Fixture.read(path), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], _ path: String) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test("an intact log verifies; an edited record breaks the chain at the next line")
    func edited() throws {
        let path = try log(records: 4)
        #expect(try AuditLog.verify(path).intact)
        #expect(try AuditLog.verify(path).entries.count == 4)
        var l = lines(path)
        l[1] = l[1].replacingOccurrences(of: "\"n\":1", with: "\"n\":7")
        try write(l, path)
        let v = try AuditLog.verify(path)
        #expect(v.brokenLine == 3)
        #expect(v.problem?.contains("line 2 was edited") == true)
        // Every record is still read, past the break.
        #expect(v.entries.map(\.line) == [1, 2, 3, 4])
    }

    @Test("a removed first record, a removed middle record, a torn last line are each found")
    func removedAndTorn() throws {
        let path = try log(records: 3)
        var l = lines(path)
        l.removeFirst()
        try write(l, path)
        #expect(try AuditLog.verify(path).brokenLine == 1)

        let p2 = try log(records: 3)
        var m = lines(p2)
        m.remove(at: 1)
        try write(m, p2)
        #expect(try AuditLog.verify(p2).brokenLine == 2)

        let p3 = try log(records: 2)
        let fd = open(p3, O_WRONLY | O_APPEND)
        _ = "{\"n\":".withCString { Glibc.write(fd, $0, 5) }
        close(fd)
        #expect(try AuditLog.verify(p3).brokenLine == 3)
        // A broken log refuses a plain append: nothing is written after a break...
        #expect(throws: EngineError.self) { try AuditLog.append(Self.record(9), to: p3, context: Fixture.context()) }
        #expect(lines(p3).count == 3)
        // ...unless a new segment starts, with a reason: its first record names the break.
        let w = try AuditLog.Writer.open(p3, newSegment: "torn by a crash of version 0.1, checked by hand", context: Fixture.context())
        try w.append(Self.record(9))
        let v = try AuditLog.verify(p3)
        #expect(v.breaks.map(\.line) == [3])
        #expect(v.breaks.first?.resumedAtLine == 4)
        #expect(v.openBreak == nil)
        #expect(v.entries.map(\.line) == [1, 2, 4, 5])
        #expect(v.entries[2].record.segment?.reason == "torn by a crash of version 0.1, checked by hand")
        #expect(v.entries[2].record.segment?.brokenLine == 3)
    }

    @Test("history reads every record past two breaks and shows each break where it is")
    func historyPastBreaks() throws {
        let (_, path) = try Fixture.dataDir(Fixture.savannaFile())
        let audit = AuditLog.path(for: path)
        for i in 0..<3 { _ = try AuditLog.append(Self.record(i), to: audit, context: Fixture.context()) }
        var l = lines(audit)
        l[0] = l[0].replacingOccurrences(of: "\"n\":0", with: "\"n\":5")  // edit: breaks line 2
        l.append("garbage")  // a line that is no record: breaks line 4
        try write(l, audit)
        let w = try AuditLog.Writer.open(audit, newSegment: "line 4 was pasted by mistake, see ticket 12", context: Fixture.context())
        try w.append(Self.record(7))
        let h = try FileHistory.read(file: path)
        #expect(h.audit.breaks.map(\.line) == [2, 4])
        #expect(h.audit.breaks.allSatisfy { $0.resumedAtLine == 5 })
        #expect(h.audit.entries.map(\.line) == [1, 2, 3, 5, 6])
        let text = h.lines.joined(separator: "\n")
        #expect(text.contains("CHAIN BROKEN at line 2"))
        #expect(text.contains("CHAIN BROKEN at line 4"))
        #expect(text.contains("NEW CHAIN SEGMENT after the break at line 4"))
        #expect(text.contains("line 6:"))
    }
}
