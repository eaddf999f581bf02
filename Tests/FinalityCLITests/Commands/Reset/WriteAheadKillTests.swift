import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

/// No change without its record (issue 18, item 5), through the real binary: SIGKILL at
/// every step of the write path, at 200 random moments, and at every fsync of a reset
/// (strace), and after each one the file is the old content or exactly the new one, a
/// new file always has its change's record, `history` reconciles every record left
/// without its completion to applied or not applied (never unknown) and exits 0, and the
/// next change works and records that outcome first.
@Suite("Kill tests of the write-ahead audit (the real binary)", .serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct WriteAheadKillTests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    static func resetArgs(_ dir: String, key: UInt64) -> [String] {
        ["reset", dir, "--key", Fixture.key(key).text, "--yes"] + Fixture.libArgs
    }

    static func plan(_ path: String, key: UInt64) throws -> Plan {
        try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(key).text, inputs: Fixture.inputs(5190))
    }

    /// What a killed reset of key 1 left, checked: the file old or exactly new; a new file
    /// has its record and that record's outcome is applied; an old file has no record of
    /// the change or one not applied; the chain intact; no outcome unknown. Returns what
    /// the log says of the change.
    @discardableResult
    static func checkAfterKill(_ path: String, old: [UInt8], new plan: Plan, _ what: String) throws -> String {
        let now = Fixture.read(path)
        #expect(now == old || now == plan.afterBytes, "\(what): the file is neither old nor new")
        let h = try FileHistory.read(file: path)
        #expect(h.audit.intact, "\(what): \(h.audit.problem ?? "")")
        #expect(!h.unknownOpen, "\(what): \(h.reconciliations.map(\.sentence))")
        let changes = h.audit.entries.filter { $0.record.action != nil }
        #expect(changes.count <= 1, "\(what)")
        let outcome = changes.first.flatMap(h.outcome(of:))
        let open = !h.reconciliations.isEmpty
        if now == plan.afterBytes {
            #expect(changes.first?.record.sha256After == plan.afterSHA256.hex, "\(what): a changed file without its record")
            #expect(outcome == .applied, "\(what)")
            return open ? "new file, record open, reconciled as applied" : "new file, record completed (applied)"
        }
        #expect(outcome == nil || outcome == .notApplied, "\(what)")
        return changes.isEmpty ? "old file, no record" : open ? "old file, record open, reconciled as not applied" : "old file, record completed (not applied)"
    }

    /// The next change (a reset of key 2) works, writes the reconciled outcome of any open
    /// record first, and leaves nothing open; `history` then exits 0. Through the binary,
    /// or (`inProcess`) through the engine's same write path, which is quicker.
    static func nextChangeWorks(_ dir: String, _ path: String, _ what: String, inProcess: Bool = false) throws {
        let openBefore = try FileHistory.read(file: path).reconciliations
        let plan = try plan(path, key: 2)
        if inProcess {
            let environment = ChangeEnvironment(toolVersion: "test")
            let review = try ChangeWorkflow.review(
                ChangeRequest(.reset(key: Fixture.key(2).text), path: dir, lib: .readings([Fixture.lib(5190)])), environment: environment)
            let outcome = try ChangeWorkflow.apply(review, context: .current(toolVersion: "test"), environment: environment)
            #expect(outcome.result?.reconciled.map(\.outcome) == openBefore.map(\.outcome), "\(what)")
        } else {
            let r = BuiltBinary.run(resetArgs(dir, key: 2))
            #expect(r.status == 0, "\(what): the next change: \(r.stderr)")
            if !openBefore.isEmpty { #expect(r.stdout.contains("Reconciled first: line "), "\(what): \(r.stdout)") }
        }
        #expect(Fixture.read(path) == plan.afterBytes, "\(what)")
        let h = try FileHistory.read(file: path)
        #expect(h.audit.intact && h.reconciliations.isEmpty, "\(what): \(h.reconciliations.map(\.sentence))")
        for o in openBefore {
            let c = h.audit.entries.first { $0.record.completion?.applyingSha256 == o.lineSHA256 }?.record.completion
            #expect(c?.how == "reconciled" && c?.outcome == o.outcome.rawValue, "\(what): the reconciled outcome is not recorded")
        }
    }

    /// Polls the failpoint mark until it names `point` (each step rewrites it) or the
    /// process is gone.
    static func waitForMark(_ mark: String, _ point: Failpoint, pid: pid_t) {
        for _ in 0..<20_000 {
            if let text = try? String(contentsOfFile: mark, encoding: .utf8), text == point.rawValue { return }
            if kill(pid, 0) != 0 { return }
            usleep(250)
        }
    }

    @Test("SIGKILL at every step, between the rename and the completion too: history reconciles (exit 0), the next change records it", arguments: Failpoint.allCases)
    func killAtEveryStep(_ point: Failpoint) throws {
        let (dir, path) = try Fixture.dataDir()
        let old = Fixture.read(path)
        let plan = try Self.plan(path, key: 1)
        let r = BuiltBinary.run(Self.resetArgs(dir, key: 1), env: ["FINALITY_FAILPOINT": point.rawValue])
        #expect(r.signal == SIGKILL, "\(point.rawValue): \(r.stderr)")
        let said = try Self.checkAfterKill(path, old: old, new: plan, point.rawValue)
        let expected: String
        switch point {
        case .afterCompletionRecord: expected = "new file, record completed (applied)"
        case _ where point.fileIsNew: expected = "new file, record open, reconciled as applied"
        case _ where point.applyingRecorded: expected = "old file, record open, reconciled as not applied"
        default: expected = "old file, no record"
        }
        #expect(said == expected, "\(point.rawValue)")
        // history (the binary) says it, and exits 0: applied and not applied are outcomes.
        let h = BuiltBinary.run(["history", dir])
        #expect(h.status == 0, "\(point.rawValue): \(h.stderr)")
        if point.applyingRecorded && point != .afterCompletionRecord {
            let word = point.fileIsNew ? "reconciled as APPLIED" : "reconciled as NOT APPLIED"
            #expect(h.stdout.contains("NO COMPLETION RECORD: \(word)"), "\(point.rawValue): \(h.stdout)")
            let json = BuiltBinary.run(["history", dir, "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let open = try #require(object["open_changes"] as? [[String: Any]])
            #expect(open.map { $0["outcome"] as? String } == [point.fileIsNew ? "applied" : "not-applied"])
            #expect(object["unknown_outcome_open"] as? Bool == false)
        }
        try Self.nextChangeWorks(dir, path, point.rawValue)
    }

    @Test("200 SIGKILLs at random moments of a reset's write path: zero changes without a record; each time the next change works")
    func randomKills() throws {
        var rng = SplitMix(seed: 0x18_05)
        // A pause of 4 ms at every step spreads the write path out. The window: from the
        // end of the reconciliation (locks, hash check and interlocks done: before it
        // nothing is written) to the end of the process, measured on unkilled runs.
        let env = ["FINALITY_FAILPOINT": "*", "FINALITY_FAILPOINT_ACTION": "sleep:4"]
        var window: UInt64 = 0
        for _ in 0..<3 {
            let (dir, _) = try Fixture.dataDir()
            let mark = dir + "/reached"
            let child = BuiltBinary.start(Self.resetArgs(dir, key: 1), env: env.merging(["FINALITY_FAILPOINT_MARK": mark]) { $1 })
            Self.waitForMark(mark, .afterReconciliation, pid: child.pid)
            let start = DispatchTime.now().uptimeNanoseconds
            let r = child.wait()
            #expect(r.status == 0, "\(r.stderr)")
            window = max(window, (DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        var tally = [String: Int]()
        var finished = 0
        let trials = 200
        for trial in 0..<trials {
            let (dir, path) = try Fixture.dataDir()
            let old = Fixture.read(path)
            let plan = try Self.plan(path, key: 1)
            let mark = dir + "/reached"
            let child = BuiltBinary.start(Self.resetArgs(dir, key: 1), env: env.merging(["FINALITY_FAILPOINT_MARK": mark]) { $1 })
            Self.waitForMark(mark, .afterReconciliation, pid: child.pid)
            usleep(UInt32(rng.next() % window))
            kill(child.pid, SIGKILL)
            let r = child.wait()
            if r.signal == nil {
                finished += 1
                #expect(r.status == 0, "trial \(trial): \(r.stderr)")
            }
            let what = "random kill \(trial)"
            tally[try Self.checkAfterKill(path, old: old, new: plan, what), default: 0] += 1
            // Every tenth: history and the next change through the binary.
            let binary = trial % 10 == 0
            if binary {
                let h = BuiltBinary.run(["history", dir])
                #expect(h.status == 0, "\(what): \(h.stderr)")
            }
            try Self.nextChangeWorks(dir, path, what, inProcess: !binary)
            try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent)
        }
        let summary = tally.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: "; ")
        print("random kills: \(trials) trials over a \(window / 1000) ms window, \(trials - finished) killed, \(finished) finished first: \(summary)")
        // The kills reached the window the issue found unrecorded (between the rename and
        // the completion) and the one before the rename: the test saw them, not only the ends.
        #expect(tally["new file, record open, reconciled as applied", default: 0] > 0, "\(summary)")
        #expect(tally["old file, record open, reconciled as not applied", default: 0] > 0, "\(summary)")
    }

    @Test("strace -e inject=fsync:signal=KILL:when=N for every fsync of a reset (the issue's reproduction): never a changed file without its record")
    func straceEveryFsync() throws {
        let strace = RequiredTools.which("strace")
        try RequiredTools.require(strace != nil, "strace (apt-get install strace; .ci/run installs it)")
        let finality = try #require(BuiltBinary.finality)
        func traced(_ dir: String, _ extra: [String]) -> Int32 {
            let args = ["-f", "-qq", "-e", "trace=fsync"] + extra + [finality] + Self.resetArgs(dir, key: 1)
            return runToEnd("/bin/sh", ["-c", "exec \"$0\" \"$@\" >/dev/null 2>&1", strace!] + args)
        }
        // A clean reset under strace: how many fsyncs it makes.
        let (cleanDir, _) = try Fixture.dataDir()
        let log = TemporaryPaths.name("finality-strace")
        TemporaryPaths.register(log)
        #expect(traced(cleanDir, ["-o", log]) == 0)
        let count = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").filter { $0.contains("fsync(") && !$0.contains("resumed>") }.count
        // backup, backups/ (new), its directory, temp, the record (and the new log's
        // directory), the directory after the rename, the completion: 8 at least.
        #expect(count >= 8, "\(count) fsyncs")
        var tally = [String: Int]()
        for n in 1...count {
            let (dir, path) = try Fixture.dataDir()
            let old = Fixture.read(path)
            let plan = try Self.plan(path, key: 1)
            let status = traced(dir, ["-o", "/dev/null", "-e", "inject=fsync:signal=KILL:when=\(n)"])
            #expect(status != 0, "fsync \(n) of \(count): not killed")
            tally[try Self.checkAfterKill(path, old: old, new: plan, "killed at fsync \(n) of \(count)"), default: 0] += 1
            let h = BuiltBinary.run(["history", dir])
            #expect(h.status == 0, "fsync \(n): \(h.stderr)")
            try Self.nextChangeWorks(dir, path, "killed at fsync \(n)")
        }
        let summary = tally.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: "; ")
        print("strace: a reset makes \(count) fsyncs; killed at each: \(summary)")
        #expect(tally["new file, record open, reconciled as applied", default: 0] > 0, "\(summary)")
    }
}

/// A record without its completion whose file is neither its old nor its new content:
/// `history` says UNKNOWN and exits 1; the next change stops until acknowledged.
@Suite("history and an unknown outcome (the real binary)", .serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct UnknownOutcomeCLITests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    @Test("killed after the rename, then the file replaced by hand: history exits 1 saying UNKNOWN; a reset is refused (exit 1) until --acknowledge-unknown \"why\"")
    func unknownUntilAcknowledged() throws {
        let (dir, path) = try Fixture.dataDir()
        let killed = BuiltBinary.run(WriteAheadKillTests.resetArgs(dir, key: 1), env: ["FINALITY_FAILPOINT": Failpoint.afterRename.rawValue])
        #expect(killed.signal == SIGKILL)
        var other = Fixture.savannaFile()
        other.entries.removeLast()
        try Data(SafetyFileWriter.encode(other)).write(to: URL(fileURLWithPath: path))
        let log = AuditLog.path(for: path)
        let logBefore = Fixture.read(log)

        let h = BuiltBinary.run(["history", dir])
        #expect(h.status == 1, "\(h.stdout)\n\(h.stderr)")
        #expect(h.stdout.contains("its outcome is UNKNOWN"), "\(h.stdout)")
        #expect(h.stderr.contains("line 1 (reset"), "\(h.stderr)")
        let json = BuiltBinary.run(["history", dir, "--json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["unknown_outcome_open"] as? Bool == true)

        let refused = BuiltBinary.run(WriteAheadKillTests.resetArgs(dir, key: 2))
        #expect(refused.status == 1, "\(refused.stdout)\n\(refused.stderr)")
        #expect((refused.stdout + refused.stderr).contains("--acknowledge-unknown"), "\(refused.stderr)")
        #expect(Fixture.read(log) == logBefore)
        let short = BuiltBinary.run(WriteAheadKillTests.resetArgs(dir, key: 2) + ["--acknowledge-unknown", "ok"])
        #expect(short.status == 2, "\(short.stderr)")

        let reason = "restored by hand from node 2's copy, ticket 4711"
        let done = BuiltBinary.run(WriteAheadKillTests.resetArgs(dir, key: 2) + ["--acknowledge-unknown", reason])
        #expect(done.status == 0, "\(done.stdout)\n\(done.stderr)")
        let v = try AuditLog.verify(log)
        #expect(v.intact)
        #expect(v.entries[1].record.completion?.outcome == "unknown")
        #expect(v.entries[1].record.completion?.acknowledged == reason)
        let after = BuiltBinary.run(["history", dir])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("acknowledged: \(reason)"))
    }
}
