import Foundation
import FinalityFormat
import SystemPackage
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// The errors the kernel can return for each call of the write path (issue 8): ENOSPC,
/// EIO, EDQUOT on write and fsync; EROFS, EXDEV, EACCES on rename; EINTR anywhere; and
/// for the others the errors they can meet on a sick disk.
private let errorsByCall: [Sys.Call: [String]] = [
    .write: ["ENOSPC", "EIO", "EDQUOT", "EINTR"],
    .fsync: ["ENOSPC", "EIO", "EDQUOT", "EINTR"],
    .rename: ["EROFS", "EXDEV", "EACCES", "EINTR"],
    .open: ["EACCES", "ENOSPC", "EROFS", "EINTR"],
    .read: ["EIO", "EINTR"],
    .mkdir: ["ENOSPC", "EROFS", "EINTR"],
    .unlink: ["EIO", "EINTR"],
    .fchown: ["EPERM", "EINTR"],
    .fchmod: ["EPERM", "EINTR"],
    .setxattr: ["ENOSPC", "ENOTSUP", "EINTR"],
    .removexattr: ["EPERM", "EINTR"],
    .ftruncate: ["EIO", "EINTR"],
    .fallocate: ["ENOSPC", "ENOTSUP", "EINTR"],
    .lock: ["EINTR"],
    .stat: ["EIO", "EINTR"],
    .lstat: ["EIO", "EINTR"],
    .fstat: ["EIO", "EINTR"],
    .close: ["EIO", "EINTR"],
    .access: ["EIO", "EINTR"],
    .readlink: ["EIO", "EINTR"],
    .opendir: ["EIO", "EINTR"],
]

/// A summary the suite prints: how many faults were injected and what came of them.
private final class Tally: @unchecked Sendable {
    let lock = NSLock()
    var outcomes = [String: Int]()
    func add(_ key: String) {
        lock.lock()
        outcomes[key, default: 0] += 1
        lock.unlock()
    }
}

@Suite("Fault injection under the write path: every call fails with its real errors", .serialized)
struct FaultInjectionTests {
    /// Fault injection is compiled into debug (test) builds only.
    init() throws { try RequiredTools.require(FaultInjection.compiledIn, "a debug build: fault injection is compiled into test builds only") }

    /// The calls one clean apply makes, in order (the plan's trace).
    func trace(xattr: Bool) throws -> [String] {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        if xattr { try? Sys.setXattr(atPath: path, "user.finality-test", Array("kept".utf8)) }
        let plan = try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        let p = FaultInjection.Plan([])
        try FaultInjection.$plan.withValue(p) {
            _ = try Apply.run(plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context()))
        }
        return p.trace
    }

    @Test("each call of a clean apply, failed with each of its errors: old or new content, no partial backup, an audit log that says nothing false, exit 3 (EINTR: retried, success)")
    func everyCallEveryError() throws {
        let calls = try trace(xattr: true)
        #expect(calls.contains { $0.hasPrefix("rename ") })
        #expect(calls.contains { $0.hasPrefix("fsync ") })
        #expect(calls.contains { $0.hasPrefix("write ") })
        let tally = Tally()
        var counts = [String: Int]()
        var injected = 0
        for entry in calls {
            let name = String(entry.split(separator: " ")[0])
            let call = try #require(Sys.Call(rawValue: name))
            counts[name, default: 0] += 1
            let occurrence = counts[name]!
            for errName in errorsByCall[call] ?? ["EINTR"] {
                let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
                try? Sys.setXattr(atPath: path, "user.finality-test", Array("kept".utf8))
                let old = Fixture.read(path)
                let plan = try Planner.reset(bytes: old, path: path, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
                let fault = FaultInjection.Fault(call: call, occurrence: occurrence, errno: FaultInjection.errno(named: errName)!)
                let p = FaultInjection.Plan([fault])
                var failure: EngineError?
                FaultInjection.$plan.withValue(p) {
                    do {
                        _ = try Apply.run(plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context()))
                    } catch let e as EngineError {
                        failure = e
                    } catch {
                        Issue.record("not an EngineError: \(error)")
                    }
                }
                let what = "\(name)#\(occurrence) \(errName) (\(entry))"
                #expect(p.fired.count == 1, "\(what): the fault did not fire")
                injected += p.fired.count
                let now = Fixture.read(path)
                // 1. The file is the old content or the new one, never a mix.
                #expect(now == old || now == plan.afterBytes, "\(what): the file is neither old nor new")
                // 2. No partial backup: any backup holds exactly the old bytes.
                for b in ((try? Sys.directoryEntries(dir + "/finalizers/backups")) ?? []).map({ dir + "/finalizers/backups/" + $0 }) {
                    #expect(Fixture.read(b) == old, "\(what): a backup that is not the old file: \(b)")
                }
                // 3. The audit log says nothing false, and no change is without its record:
                //    intact; a new file has its change's record, applied (completed, or
                //    reconciled from the file); an old file has none, or one not applied; no
                //    outcome unknown.
                let audit = try AuditLog.verify(AuditLog.path(for: path))
                #expect(audit.intact, "\(what): \(audit.problem ?? "")")
                let history = try FileHistory.read(file: path)
                #expect(!history.unknownOpen, "\(what): \(history.reconciliations.map(\.sentence))")
                let changes = audit.entries.filter { $0.record.action != nil }
                #expect(changes.count <= 1, "\(what)")
                if now == plan.afterBytes {
                    #expect(changes.first?.record.sha256After == plan.afterSHA256.hex, "\(what): the new file has no record")
                    #expect(changes.first.flatMap(history.outcome(of:)) == .applied, "\(what)")
                } else if let change = changes.first {
                    #expect(history.outcome(of: change) == .notApplied, "\(what)")
                }
                #expect(history.currentMatchesLastRecord != false, "\(what)")
                // 4. No temp file left behind (a failed rename or write removes it).
                let temps = try Sys.directoryEntries(dir + "/finalizers").filter { $0.hasSuffix(".tmp") }
                #expect(temps.isEmpty, "\(what): \(temps)")
                // 5. The documented exit code: EINTR is retried and the change succeeds; any
                //    other injected error is an I/O error (exit 3) and its message names it.
                if errName == "EINTR" {
                    #expect(failure == nil, "\(what): \(failure.map { "\($0)" } ?? "")")
                    #expect(now == plan.afterBytes && audit.entries.count == 2 && history.reconciliations.isEmpty, "\(what)")
                    tally.add("EINTR retried, applied")
                } else if let failure {
                    #expect(failure.status == .io || failure.status == .invalidOrRefused, "\(what): \(failure)")
                    #expect("\(failure)".contains(fault.errno.description) || failure.status == .invalidOrRefused, "\(what): \(failure)")
                    if now == old {
                        tally.add("refused or failed, old content kept, " + (changes.isEmpty ? "no record" : "recorded as not applied"))
                    } else {
                        tally.add("failed after the rename: new content, recorded, " + (history.reconciliations.isEmpty ? "completed" : "reconciled as applied"))
                        #expect("\(failure)".contains("IS applied") || "\(failure)".contains("new content") || "\(failure)".contains("backup"), "\(what): \(failure)")
                    }
                } else {
                    // A failure the write path can live with (no room to reserve, no xattr support on removal...).
                    tally.add("absorbed, applied")
                    #expect(now == plan.afterBytes && audit.entries.count == 2 && history.reconciliations.isEmpty, "\(what)")
                }
            }
        }
        let summary = tally.outcomes.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: "; ")
        print("fault injection: \(calls.count) calls in a clean apply, \(injected) faults injected: \(summary)")
        #expect(injected >= calls.count)
    }

    @Test("a plan's text form: call, occurrence, errno")
    func planText() throws {
        let p = try #require(FaultInjection.Plan(text: "write#2:ENOSPC,rename:EXDEV"))
        #expect(p.faults == [
            FaultInjection.Fault(call: .write, occurrence: 2, errno: .noSpace),
            FaultInjection.Fault(call: .rename, occurrence: 1, errno: .improperLink),
        ])
        #expect(FaultInjection.Plan(text: "write:EBOGUS") == nil)
        #expect(FaultInjection.Plan(text: "frobnicate:EIO") == nil)
    }
}
