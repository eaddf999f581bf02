import Foundation
import FinalityFormat
import SystemPackage
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// No change without its record (issue 18, item 5): the record of a change is durable
/// before the rename ("applying", with the planned new SHA-256), completed after the
/// read-back, and a record left without its completion is reconciled against the file and
/// its backup, by `history` and by the next write, which records the outcome first.
@Suite("Write-ahead audit: the record before the rename, its completion after, the rest reconciled", .serialized)
struct WriteAheadAuditTests {
    static func plan(_ path: String, key: UInt64) throws -> Plan {
        try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(key).text, inputs: Fixture.inputs(5190))
    }

    static func apply(_ dir: String, key: UInt64, acknowledge: String? = nil, time: TimeInterval = 1_790_000_000) throws -> ApplyResult {
        let location = try Location.resolve(dir)
        return try Apply.run(
            try plan(location.file, key: key), location: location,
            options: ApplyOptions(context: Fixture.context(Date(timeIntervalSince1970: time)), acknowledgeUnknown: acknowledge))
    }

    static func lines(_ log: String) -> [String] {
        String(decoding: Fixture.read(log), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// A change applied, then its completion record cut off the log: what a SIGKILL
    /// between the rename and the completion leaves (the file new, the record open).
    static func openChange() throws -> (dir: String, path: String, old: [UInt8], result: ApplyResult) {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let old = Fixture.read(path)
        let result = try apply(dir, key: 1)
        let log = AuditLog.path(for: path)
        let kept = lines(log).dropLast()
        try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        return (dir, path, old, result)
    }

    @Test("a change leaves two records: \"applying\" with the planned new SHA-256 and the backup, then its completion (applied, seen) naming it")
    func twoRecords() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let plan = try Self.plan(path, key: 1)
        let result = try Self.apply(dir, key: 1)
        let applying = try #require(result.auditRecord)
        #expect(applying.state == "applying")
        #expect(applying.sha256Before == plan.beforeSHA256.hex)
        #expect(applying.sha256After == plan.afterSHA256.hex)
        #expect(applying.backup == result.backupPath)
        let completion = try #require(AuditRecord.decode(Array(result.completionLine.utf8))?.completion)
        #expect(completion.outcome == "applied")
        #expect(completion.how == "seen")
        #expect(completion.applyingSha256 == AuditLog.sha256Hex(Array(result.auditLine.utf8)))
        #expect(completion.applyingLine == 1)
        #expect(completion.sha256File == plan.afterSHA256.hex)
        let v = try AuditLog.verify(result.auditPath)
        #expect(v.intact)
        #expect(v.entries.count == 2)
        #expect(v.openChanges.isEmpty)
        let h = try FileHistory.read(file: path)
        #expect(h.reconciliations.isEmpty)
        #expect(h.outcome(of: v.entries[0]) == .applied)
        #expect(h.currentMatchesLastRecord == true)
        #expect(h.lines.joined(separator: "\n").contains("line 2: 2026-09-21T14:13:20.000Z tester completes line 1: APPLIED (seen by the write path)"))
    }

    @Test("the record is durable before the rename: written and fsync'd, and a new log's directory fsync'd, before rename(2)")
    func recordBeforeRename() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let log = AuditLog.path(for: path)
        let plan = try Self.plan(path, key: 1)
        let trace = FaultInjection.Plan([])
        try FaultInjection.$plan.withValue(trace) {
            _ = try Apply.run(plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context()))
        }
        let calls = trace.trace
        let rename = try #require(calls.firstIndex(of: "rename \(path)"), "\(calls)")
        let write = try #require(calls.firstIndex(of: "write \(log)"), "\(calls)")
        let fsync = try #require(calls[write...].firstIndex(of: "fsync \(log)"), "\(calls)")
        let dirSync = try #require(calls[fsync...].firstIndex(of: "fsync \(dir)/finalizers"), "\(calls)")
        #expect(write < rename && fsync < rename && dirSync < rename, "\(calls)")
        // The completion comes after the read-back: a second write and fsync of the log.
        #expect(calls[rename...].contains("write \(log)") && calls[rename...].contains("fsync \(log)"), "\(calls)")
    }

    @Test("reconciled against the file: applied (the planned new one), not applied (still the old one; the backup there or gone), unknown (neither, or missing)")
    func reconcileAgainstTheFile() throws {
        let (_, path, old, result) = try Self.openChange()
        let log = AuditLog.path(for: path)
        var h = try FileHistory.read(file: path)
        #expect(h.audit.intact)
        #expect(h.reconciliations.map(\.outcome) == [.applied])
        #expect(h.reconciliations.first?.found.contains("the file's SHA-256 is the planned new one") == true)
        #expect(h.reconciliations.first?.backupFound == "the backup \(result.backupPath) holds the old content")
        #expect(!h.unknownOpen)
        var text = h.lines.joined(separator: "\n")
        #expect(text.contains("NO COMPLETION RECORD: reconciled as APPLIED"), "\(text)")
        #expect(text.contains("1 change without a completion record"), "\(text)")

        try Data(old).write(to: URL(fileURLWithPath: path))
        h = try FileHistory.read(file: path)
        #expect(h.reconciliations.map(\.outcome) == [.notApplied])
        #expect(h.reconciliations.first?.found.contains("still the old one") == true)
        #expect(h.currentMatchesLastRecord == true)
        try FileManager.default.removeItem(atPath: result.backupPath)
        h = try FileHistory.read(file: path)
        #expect(h.reconciliations.map(\.outcome) == [.notApplied])
        #expect(h.reconciliations.first?.backupFound == "the backup \(result.backupPath) is missing")

        var other = Fixture.savannaFile()
        other.entries.removeLast()
        try Data(SafetyFileWriter.encode(other)).write(to: URL(fileURLWithPath: path))
        h = try FileHistory.read(file: path)
        #expect(h.reconciliations.map(\.outcome) == [.unknown])
        #expect(h.unknownOpen)
        text = h.lines.joined(separator: "\n")
        #expect(text.contains("its outcome is UNKNOWN"), "\(text)")
        #expect(text.contains("--acknowledge-unknown"), "\(text)")

        try FileManager.default.removeItem(atPath: path)
        h = try FileHistory.read(file: path)
        #expect(h.reconciliations.map(\.outcome) == [.unknown])
        #expect(h.reconciliations.first?.found.hasPrefix("the file is missing") == true)
        #expect(Self.lines(log).count == 1, "history writes nothing")
    }

    /// One hand-made line: an "applying" record or an older complete one.
    static func change(_ action: String, before: String, after: String, applying: Bool = true, prev: String) -> String {
        JSON.object(
            [("time", .string("2026-11-30T00:00:00.000Z")), ("user", .string("t"))]
                + (applying ? [("state", JSON.string("applying"))] : [])
                + [("action", .string(action)), ("sha256_before", .string(before)), ("sha256_after", .string(after)),
                   ("backup", .string("/nonexistent/b.bak")), ("prev_sha256", .string(prev))]
        ).serialized()
    }

    static func log(_ records: [(String, String, String, Bool)]) -> AuditLog.Verification {
        var lines = [String]()
        for (action, before, after, applying) in records {
            lines.append(change(action, before: before, after: after, applying: applying, prev: lines.last.map { AuditLog.sha256Hex(Array($0.utf8)) } ?? ""))
        }
        return AuditLog.verify(bytes: Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    @Test("a later record decides: it started from the planned new SHA-256 (applied), from the old one (not applied), or from neither (unknown)")
    func laterRecordDecides() {
        let (x, y, z, w) = (String(repeating: "1", count: 64), String(repeating: "2", count: 64), String(repeating: "3", count: 64), String(repeating: "4", count: 64))
        for (next, want) in [(y, AuditLog.Reconciliation.Outcome.applied), (x, .notApplied), (w, .unknown)] {
            let v = Self.log([("reset", x, y, true), ("delete", next, z, false)])
            #expect(v.intact)
            // The file is z (what the later change left) in every case: the later record decides.
            let r = AuditLog.reconcile(v, file: .sha256(z))
            #expect(r.map(\.outcome) == [want], "next from \(next.prefix(1))")
            #expect(r.first?.found.contains("the next change (line 2)") == true)
        }
    }

    @Test("a repair of a missing file whose run stopped: the file still missing is not applied; another change's missing file is unknown")
    func missingFile() {
        let empty = Digest.sha256([]).hex
        let y = String(repeating: "2", count: 64)
        #expect(AuditLog.reconcile(Self.log([("repair", empty, y, true)]), file: .missing).map(\.outcome) == [.notApplied])
        #expect(AuditLog.reconcile(Self.log([("reset", y, empty, true)]), file: .missing).map(\.outcome) == [.unknown])
        // A record older than the write-ahead audit (no state) is complete by itself.
        #expect(AuditLog.reconcile(Self.log([("reset", y, empty, false)]), file: .missing).isEmpty)
    }

    @Test("the next write reconciles an open change first and records it (\"reconciled\", not seen), then writes its own two records")
    func nextWriteReconciles() throws {
        let (dir, path, _, first) = try Self.openChange()
        let log = AuditLog.path(for: path)
        let check = Interlocks.run(try Location.resolve(dir)).checks.first { $0.name == "audit-log" }
        #expect(check?.outcome == .clear)
        #expect(check?.found.contains("reconciled as APPLIED") == true, "\(check?.found ?? "")")
        let second = try Self.apply(dir, key: 2, time: 1_790_000_100)
        #expect(second.reconciled.map(\.outcome) == [.applied])
        let v = try AuditLog.verify(log)
        #expect(v.intact)
        #expect(v.entries.count == 4)
        let completion = try #require(v.entries[1].record.completion)
        #expect(completion.how == "reconciled")
        #expect(completion.outcome == "applied")
        #expect(completion.applyingSha256 == AuditLog.sha256Hex(Array(first.auditLine.utf8)))
        #expect(completion.applyingLine == 1)
        #expect(v.entries[2].record.isApplying && v.entries[2].record.key == Fixture.key(2).text)
        #expect(v.entries[3].record.completion?.how == "seen")
        #expect(v.openChanges.isEmpty)
        let h = try FileHistory.read(file: path)
        #expect(h.reconciliations.isEmpty)
        #expect(h.currentMatchesLastRecord == true)
        #expect(h.lines.joined(separator: "\n").contains("completes line 1: APPLIED (reconciled afterwards)"))
    }

    @Test("an unknown outcome stops the next write (exit 1, nothing written) until the operator acknowledges it with a reason, kept in the record")
    func unknownStopsUntilAcknowledged() throws {
        let (dir, path, _, _) = try Self.openChange()
        let log = AuditLog.path(for: path)
        var other = Fixture.savannaFile()
        other.entries.removeLast()
        try Data(SafetyFileWriter.encode(other)).write(to: URL(fileURLWithPath: path))
        let before = Fixture.read(path), logBefore = Fixture.read(log), backups = Fixture.backups(path)
        let check = Interlocks.run(try Location.resolve(dir)).checks.first { $0.name == "audit-log" }
        #expect(check?.outcome == .refused)
        #expect(check?.found.contains("--acknowledge-unknown") == true)
        var failure: EngineError?
        do { _ = try Self.apply(dir, key: 2) } catch let e as EngineError { failure = e }
        #expect(failure?.status == .invalidOrRefused, "\(failure.map { "\($0)" } ?? "no error")")
        #expect("\(failure.map { "\($0)" } ?? "")".contains("UNKNOWN"))
        #expect(Fixture.read(path) == before)
        #expect(Fixture.read(log) == logBefore)
        #expect(Fixture.backups(path) == backups)

        let reason = "checked by hand: the file was restored from another node's copy"
        let ackCheck = Interlocks.run(try Location.resolve(dir), options: InterlockOptions(acknowledgeUnknown: reason)).checks.first { $0.name == "audit-log" }
        #expect(ackCheck?.outcome == .warning)
        let result = try Self.apply(dir, key: 2, acknowledge: reason)
        #expect(result.reconciled.map(\.outcome) == [.unknown])
        let v = try AuditLog.verify(log)
        let completion = try #require(v.entries[1].record.completion)
        #expect(completion.outcome == "unknown")
        #expect(completion.acknowledged == reason)
        #expect(completion.how == "reconciled")
        let h = try FileHistory.read(file: path)
        #expect(!h.unknownOpen)
        #expect(h.reconciliations.isEmpty)
        #expect(h.lines.joined(separator: "\n").contains("acknowledged: \(reason)"))
    }

    @Test("a rename that fails after the record: the record is completed as not applied (seen), the file old, nothing open")
    func renameFailsCompletedNotApplied() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let old = Fixture.read(path)
        let plan = try Self.plan(path, key: 1)
        let faults = FaultInjection.Plan([FaultInjection.Fault(call: .rename, occurrence: 1, errno: .improperLink)])
        var failure: EngineError?
        FaultInjection.$plan.withValue(faults) {
            do { _ = try Apply.run(plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context())) } catch let e as EngineError {
                failure = e
            } catch {}
        }
        #expect(failure?.status == .io)
        #expect("\(failure.map { "\($0)" } ?? "")".contains("its record is completed as not applied"))
        #expect(Fixture.read(path) == old)
        let h = try FileHistory.read(file: path)
        #expect(h.audit.entries.count == 2)
        #expect(h.audit.entries[1].record.completion?.outcome == "not-applied")
        #expect(h.audit.entries[1].record.completion?.how == "seen")
        #expect(h.reconciliations.isEmpty)
        #expect(h.currentMatchesLastRecord == true)
    }
}
