import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// A /proc with one nodeos running on `dataDir` (comm and command line only).
private func procWithNode(on dataDir: String) throws -> String {
    let root = TemporaryPaths.name("finality-proc")
    try FileManager.default.createDirectory(atPath: root + "/4242", withIntermediateDirectories: true)
    try Data("nodeos\n".utf8).write(to: URL(fileURLWithPath: root + "/4242/comm"))
    try Data("nodeos\0--data-dir\0\(dataDir)\0".utf8).write(to: URL(fileURLWithPath: root + "/4242/cmdline"))
    return root
}

/// The engine's environment for a test: a /proc of our own, a fixed home (no default
/// config dir is found there), and the clock.
private func environment(proc: String) -> ChangeEnvironment {
    ChangeEnvironment(toolVersion: "test", procRoot: proc, home: "/nonexistent-home")
}

private func emptyProc() throws -> String {
    let root = TemporaryPaths.name("finality-proc")
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    return root
}

@Suite("One change workflow for every front end: review, one confirmation rule, apply, next steps", .serialized)
struct ChangeWorkflowTests {
    @Test("the one confirmation rule: the 8 characters after PUB_BLS_ for an entry, 12 hex digits of the new file for a restore")
    func oneConfirmationRule() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let key = Fixture.key(1).text
        let env = environment(proc: try emptyProc())
        let reset = try ChangeWorkflow.review(ChangeRequest(.reset(key: key), path: dir, lib: .readings([Fixture.lib(5190)])), environment: env)
        #expect(reset.confirmation.expected == String(key.dropFirst(8).prefix(8)))
        #expect(reset.confirmation.accepts(String(key.dropFirst(8).prefix(8))))
        #expect(reset.confirmation.accepts("  " + String(key.dropFirst(8).prefix(8)) + "\n"))
        #expect(!reset.confirmation.accepts("y"))
        #expect(!reset.confirmation.accepts(""))
        // Any other part of the key, even longer, is not the rule's part.
        #expect(!reset.confirmation.accepts(String(key.dropFirst(20).prefix(12))))
        #expect(!reset.confirmation.accepts(String(key.dropFirst(8).prefix(8)).lowercased() + "x"))
        let delete = try ChangeWorkflow.review(ChangeRequest(.delete(key: key), path: dir), environment: env)
        #expect(delete.confirmation == reset.confirmation)

        let backup = path + ".copy"
        var older = Fixture.savannaFile()
        older.entries.removeLast()
        try Data(SafetyFileWriter.encode(older)).write(to: URL(fileURLWithPath: backup))
        let restore = try ChangeWorkflow.review(ChangeRequest(.restore(backup: backup), path: dir), environment: env)
        #expect(restore.confirmation.expected == String(restore.plan.afterSHA256.hex.prefix(12)))
        #expect(restore.confirmation.hint.contains("backup's SHA-256"))
    }

    @Test("a plan is bound to the hash the operator saw: a file changed since is refused, nothing written")
    func boundToTheReviewedHash() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let location = try Location.resolve(dir)
        let seen = LoadedFile(location: location, bytes: Fixture.read(path)).sha256
        var changed = Fixture.savannaFile()
        changed.entries.removeLast()
        let changedBytes = SafetyFileWriter.encode(changed)
        try Data(changedBytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: EngineError.self) {
            try ChangeWorkflow.review(
                ChangeRequest(.reset(key: Fixture.key(1).text), path: dir, lib: .readings([Fixture.lib(5190)]), expectedSHA256: seen),
                environment: environment(proc: try emptyProc()))
        }
        #expect(Fixture.read(path) == changedBytes)
    }

    @Test("a node running: the review says so first, and applying is refused with exit 4")
    func nodeRunningIsSaidFirst() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let old = Fixture.read(path)
        let env = environment(proc: try procWithNode(on: dir))
        let review = try ChangeWorkflow.review(
            ChangeRequest(.reset(key: Fixture.key(1).text), path: dir, lib: .readings([Fixture.lib(5190)])), environment: env)
        guard case .nodeRunning? = review.blocker else {
            Issue.record("no node found: \(review.interlocks.lines)")
            return
        }
        #expect(review.verdict.status == .nodeRunning)
        #expect(review.lines.first?.hasPrefix("A NODE IS RUNNING on this file: stop nodeos before applying") == true)
        do {
            _ = try ChangeWorkflow.apply(review, context: Fixture.context(), environment: env)
            Issue.record("applied while a node runs")
        } catch {
            #expect(error.status == .nodeRunning)
        }
        #expect(Fixture.read(path) == old)
        #expect(FileHistory.backups(of: path, current: nil).isEmpty)
    }

    @Test("applying: the file is the plan's bytes; next steps give the undo and report commands on their own, naming the data dir")
    func applyAndNextSteps() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let env = environment(proc: try emptyProc())
        let review = try ChangeWorkflow.review(ChangeRequest(.delete(key: Fixture.key(2).text), path: dir), environment: env)
        #expect(review.verdict == .ready)
        let outcome = try ChangeWorkflow.apply(review, context: Fixture.context(), environment: env)
        #expect(Fixture.read(path) == review.plan.afterBytes)
        let backup = try #require(outcome.result).backupPath
        // Issue 22: each command one short line after a `cd` line (copied whole over SSH).
        let commands = outcome.nextSteps.filter { $0.command != nil }.map(\.commandLines)
        let backupDir = (backup as NSString).deletingLastPathComponent
        let name = (backup as NSString).lastPathComponent
        #expect(commands == [["cd \(backupDir)", "finality restore ../.. --from \(name)"], ["cd \(dir)", "finality report ."]])
        let lines = ChangeWorkflow.lines(outcome.nextSteps)
        for c in commands.joined() { #expect(lines.contains(c), "each command line from column 0: \(lines)") }
    }

    @Test("a plan that changes nothing: verdict nothing-to-change (exit 0 on every door), applying writes nothing")
    func nothingToChange() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let env = environment(proc: try emptyProc())
        let review = try ChangeWorkflow.review(ChangeRequest(.restore(backup: path), path: dir), environment: env)
        #expect(review.verdict == .nothingToChange)
        #expect(review.verdict.status == .success)
        #expect(review.verdict.message == "this changes nothing: the file already holds these values")
        let before = Fixture.read(path)
        let outcome = try ChangeWorkflow.apply(review, context: Fixture.context(), environment: env)
        #expect(outcome.result == nil)
        #expect(Fixture.read(path) == before)
        #expect(FileHistory.backups(of: path, current: nil).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: AuditLog.path(for: path)))
    }

    @Test("a path a shell would split is quoted in the commands to copy")
    func shellQuoting() {
        #expect(ShellWord.quoted("/srv/node/data") == "/srv/node/data")
        #expect(ShellWord.quoted("/srv/my node/data") == "'/srv/my node/data'")
        #expect(ShellWord.quoted("/srv/it's") == "'/srv/it'\\''s'")
        #expect(ShellWord.quoted("") == "''")
    }

    @Test(
        "a cd line wider than the screen becomes the directory built in a shell variable, a piece per row: each row fits, and sh runs the rows into the directory",
        arguments: [80, 40, 24])
    func longDirectoryFitsTheScreen(width: Int) throws {
        // A directory no screen holds, with what a shell would split or expand in it.
        var dir = try TemporaryPaths.directory("finality-long")
        for part in ["a directory with spaces", "it's quoted", String(repeating: "n", count: 120), "$HOME and `x` *", String(repeating: "é", count: 30)] {
            dir += "/" + part
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let step = NextStep("report:", command: "pwd", directory: dir)
        let lines = step.commandLines(width: width)
        #expect(lines.count > 3, "\(lines)")
        for line in lines { #expect(line.count <= width, "a row wider than \(width): \(line)") }
        #expect(lines.suffix(2) == ["cd \"$d\"", "pwd"])
        let r = Spawn.run("/bin/sh", ["-c", lines.joined(separator: "\n")], outputFile: TemporaryPaths.name("finality-sh") + ".out")
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.trimmingCharacters(in: .newlines) == dir, "\(lines)")
        // A short one is the plain cd line.
        #expect(NextStep("", command: "pwd", directory: "/srv").commandLines(width: width) == ["cd /srv", "pwd"])
    }

    @Test("the review of a reset or delete says first whether the node votes with the key (its signature-provider lines)")
    func reviewSaysWhetherTheKeyIsConfigured() throws {
        let (dir, _) = try Fixture.dataDir(Fixture.savannaFile())
        let config = try TemporaryPaths.directory("finality-config")
        try Data("signature-provider = \(Fixture.key(1).text)=KEY:PVT_BLS_never-shown\n".utf8)
            .write(to: URL(fileURLWithPath: config + "/config.ini"))
        let source = "config.ini \(config)/config.ini (--config-dir)"
        let env = environment(proc: try emptyProc())
        func first(_ kind: ChangeRequest.Kind, configDir: String) throws -> String? {
            try ChangeWorkflow.review(
                ChangeRequest(kind, path: dir, lib: .readings([Fixture.lib(5190)]), configDir: configDir), environment: env
            ).explanation.nodeosWillDo.first
        }
        let configured = try first(.reset(key: Fixture.key(1).text), configDir: config)
        #expect(configured == "this node votes with this key (\(source))")
        let inactive = try first(.reset(key: Fixture.key(2).text), configDir: config)
        #expect(inactive?.hasPrefix("this node does not vote with this key: it is not among its 1 configured keys") == true, "\(inactive ?? "nil")")
        #expect(inactive?.contains("this change does not bring this node's votes back") == true)
        let deleteInactive = try first(.delete(key: Fixture.key(2).text), configDir: config)
        #expect(deleteInactive?.hasSuffix("configured keys (\(source)); nodeos does not recreate its entry") == true, "\(deleteInactive ?? "nil")")
        let deleteConfigured = try first(.delete(key: Fixture.key(1).text), configDir: config)
        #expect(deleteConfigured?.contains("nodeos recreates its entry at start-up (lock = its LIB, no last vote)") == true)
        let notFound = try first(.reset(key: Fixture.key(1).text), configDir: config + "/nowhere")
        #expect(notFound?.hasPrefix("whether this node votes with this key is unknown") == true)
        // A restore is of the whole file: it claims nothing about one key.
        let restore = try ChangeWorkflow.review(
            ChangeRequest(.restore(backup: dir + "/finalizers/safety.dat"), path: dir, configDir: config), environment: env)
        #expect(restore.explanation.nodeosWillDo.allSatisfy { !$0.contains("votes with this key") })
    }
}
