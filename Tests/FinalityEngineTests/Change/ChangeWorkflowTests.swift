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
        let location = try Location.resolve(dir)
        let key = Fixture.key(1).text
        let reset = try ChangeWorkflow.review(ResetChange(key: key, inputs: Fixture.inputs(5190)), location: location, procRoot: try emptyProc())
        #expect(reset.confirmation.expected == String(key.dropFirst(8).prefix(8)))
        #expect(reset.confirmation.accepts(String(key.dropFirst(8).prefix(8))))
        #expect(reset.confirmation.accepts("  " + String(key.dropFirst(8).prefix(8)) + "\n"))
        #expect(!reset.confirmation.accepts("y"))
        #expect(!reset.confirmation.accepts(""))
        // Any other part of the key, even longer, is not the rule's part.
        #expect(!reset.confirmation.accepts(String(key.dropFirst(20).prefix(12))))
        #expect(!reset.confirmation.accepts(String(key.dropFirst(8).prefix(8)).lowercased() + "x"))
        let delete = try ChangeWorkflow.review(DeleteChange(key: key, lib: nil), location: location, procRoot: try emptyProc())
        #expect(delete.confirmation == reset.confirmation)

        let backup = path + ".copy"
        var older = Fixture.savannaFile()
        older.entries.removeLast()
        try Data(SafetyFileWriter.encode(older)).write(to: URL(fileURLWithPath: backup))
        let restore = try ChangeWorkflow.review(RestoreChange(backupPath: backup), location: location, procRoot: try emptyProc())
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
                ResetChange(key: Fixture.key(1).text, inputs: Fixture.inputs(5190)), location: location, expectedSHA256: seen,
                procRoot: try emptyProc())
        }
        #expect(Fixture.read(path) == changedBytes)
    }

    @Test("a node running: the review says so first, and applying is refused with exit 4")
    func nodeRunningIsSaidFirst() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let location = try Location.resolve(dir)
        let old = Fixture.read(path)
        let review = try ChangeWorkflow.review(
            ResetChange(key: Fixture.key(1).text, inputs: Fixture.inputs(5190)), location: location, procRoot: try procWithNode(on: dir))
        guard case .nodeRunning? = review.blocker else {
            Issue.record("no node found: \(review.interlocks.lines)")
            return
        }
        #expect(review.lines.first?.hasPrefix("A NODE IS RUNNING on this file: stop nodeos before applying") == true)
        do {
            _ = try ChangeWorkflow.apply(review, context: Fixture.context())
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
        let location = try Location.resolve(dir)
        let review = try ChangeWorkflow.review(
            DeleteChange(key: Fixture.key(2).text, lib: nil), location: location, procRoot: try emptyProc())
        #expect(review.blocker == nil)
        let outcome = try ChangeWorkflow.apply(review, context: Fixture.context(), procRoot: try emptyProc())
        #expect(Fixture.read(path) == review.plan.afterBytes)
        let commands = outcome.nextSteps.compactMap(\.command)
        #expect(commands == ["finality restore \(dir) --from \(outcome.result.backupPath)", "finality report \(dir)"])
        let lines = ChangeWorkflow.lines(outcome.nextSteps)
        for c in commands { #expect(lines.contains("       " + c)) }
    }

    @Test("a plan that changes nothing is blocked as such, not applied")
    func nothingToChange() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let location = try Location.resolve(dir)
        let review = try ChangeWorkflow.review(RestoreChange(backupPath: path), location: location, procRoot: try emptyProc())
        #expect(review.blocker == .nothingToChange)
        #expect(throws: EngineError.self) { try ChangeWorkflow.apply(review, context: Fixture.context(), procRoot: try emptyProc()) }
    }

    @Test("a path a shell would split is quoted in the commands to copy")
    func shellQuoting() {
        #expect(ShellWord.quoted("/srv/node/data") == "/srv/node/data")
        #expect(ShellWord.quoted("/srv/my node/data") == "'/srv/my node/data'")
        #expect(ShellWord.quoted("/srv/it's") == "'/srv/it'\\''s'")
        #expect(ShellWord.quoted("") == "''")
    }

    @Test("the review of a reset or delete says first whether the node votes with the key (its signature-provider lines)")
    func reviewSaysWhetherTheKeyIsConfigured() throws {
        let (dir, _) = try Fixture.dataDir(Fixture.savannaFile())
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let location = try Location.resolve(dir)
        let keys = NodeKeys(
            keys: [ConfiguredKey(text: Fixture.key(1).text, key: Fixture.key(1), origin: "config.ini /c/config.ini line 3", problem: nil)],
            looked: ["/c/config.ini (--config-dir): 1 finalizer key"], source: "config.ini /c/config.ini (--config-dir)")
        let unknown = NodeKeys(keys: [], looked: ["/nowhere/config.ini: no such file"], source: nil)
        let proc = try emptyProc()
        func first(_ change: any ChangeKind) throws -> String? {
            try ChangeWorkflow.review(change, location: location, procRoot: proc).explanation.nodeosWillDo.first
        }
        let configured = try first(ResetChange(key: Fixture.key(1).text, inputs: Fixture.inputs(5190), nodeKeys: keys))
        #expect(configured == "this node votes with this key (config.ini /c/config.ini (--config-dir))")
        let inactive = try first(ResetChange(key: Fixture.key(2).text, inputs: Fixture.inputs(5190), nodeKeys: keys))
        #expect(inactive?.hasPrefix(keys.votingSentence(for: Fixture.key(2))) == true)
        #expect(inactive?.hasPrefix("this node does not vote with this key: it is not among its 1 configured keys") == true, "\(inactive ?? "nil")")
        #expect(inactive?.contains("this change does not bring this node's votes back") == true)
        let deleteInactive = try first(DeleteChange(key: Fixture.key(2).text, lib: nil, nodeKeys: keys))
        #expect(deleteInactive?.hasSuffix("configured keys (config.ini /c/config.ini (--config-dir)); nodeos does not recreate its entry") == true, "\(deleteInactive ?? "nil")")
        let deleteConfigured = try first(DeleteChange(key: Fixture.key(1).text, lib: nil, nodeKeys: keys))
        #expect(deleteConfigured?.contains("nodeos recreates its entry at start-up (lock = its LIB, no last vote)") == true)
        let notFound = try first(ResetChange(key: Fixture.key(1).text, inputs: Fixture.inputs(5190), nodeKeys: unknown))
        #expect(notFound?.hasPrefix("whether this node votes with this key is unknown") == true)
        #expect(notFound == unknown.votingSentence(for: Fixture.key(1)))
        // Not looked for (a caller without keys): nothing is claimed either way.
        let none = try first(ResetChange(key: Fixture.key(1).text, inputs: Fixture.inputs(5190)))
        #expect(none?.contains("votes with this key") != true)
    }
}
