import FinalityTestSupport
import Foundation
import Glibc
import Testing

/// The real `finality` binary in a private tmux server: what an operator sees over SSH.
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct RealBinaryTests {
    /// Under CI=true a missing tmux or binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: true) }

    static let fixtures = PackagePaths.fixtures

    /// `<tmp>/data/finalizers/safety.dat` from a fixture; returns the data dir.
    func dataDir(_ t: Tmux, fixture: String = "v1-five-entries.dat") throws -> String {
        let dir = t.directory + "/data"
        try FileManager.default.createDirectory(atPath: dir + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(fixture).path, toPath: dir + "/finalizers/safety.dat")
        return dir
    }

    @Test func opensAtEightyByTwentyFourAndQuitsWithQ() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(t.finality(dir))
        let first = try t.waitFor("nodeos will load this file")
        #expect(first.ok, "\(first.screen)")
        #expect(first.screen.hasPrefix(" finality  Entries"))
        #expect(first.screen.contains("5 entries"))
        try t.send("j")
        #expect(try t.waitFor("Entry #1 of 5").ok)
        try t.send("?")
        #expect(try t.waitFor(" finality  Help").ok)
        try t.send("Escape")
        #expect(try t.waitFor(" finality  Entries").ok)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func followsResizesAndSaysWhenTooSmall() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(t.finality(dir))
        #expect(try t.waitFor("nodeos will load").ok)
        try t.resize(columns: 120, rows: 40)
        let wide = try t.waitFor { ($0.split(separator: "\n", omittingEmptySubsequences: false).first?.count ?? 0) > 110 }
        #expect(wide.ok, "\(wide.screen)")
        try t.resize(columns: 70, rows: 20)
        #expect(try t.waitFor("terminal too small").ok)
        try t.resize(columns: 80, rows: 24)
        #expect(try t.waitFor("nodeos will load").ok)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func asciiLinesOutsideUTF8() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(t.finality(dir, lang: "C"))
        let s = try t.waitFor("Entry #0 of 5")
        #expect(s.ok, "\(s.screen)")
        #expect(s.screen.contains("- Entry #0 of 5 ---"))
        #expect(s.screen.contains("+ nodeos will load this file"))
        #expect(!s.screen.contains("─"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func readOnlyHasNoMutationKeys() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(t.finality(dir + " --read-only"))
        // The interface's words, not the option (issue 22).
        let s = try t.waitFor("READ-ONLY: asked at start")
        #expect(s.ok, "\(s.screen)")
        #expect(!s.screen.contains("Reset") && !s.screen.contains("Delete"))
        try t.send("r")
        try t.send("d")
        #expect(try t.waitFor(" finality  Entries").ok)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func theReportIsWrittenFromTheInterface() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(t.finality(dir + " --read-only"))
        #expect(try t.waitFor("nodeos will load").ok)
        try t.send("w")
        #expect(try t.waitFor("Write report to: ").ok)
        try t.send("C-u")
        try t.type(t.directory + "/case.txt")
        try t.send("Enter")
        let s = try t.waitFor("report written to")
        #expect(s.ok, "\(s.screen)")
        let text = try String(contentsOfFile: t.directory + "/case.txt", encoding: .utf8)
        #expect(text.contains("finality case report"))
        #expect(text.contains("nodeos will load this file"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    /// nodeos holds a write lock on state/shared_memory.bin while it runs: the interface
    /// opens read-only by itself and says why.
    @Test func aRunningNodeMakesItReadOnly() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        let fd = Glibc.open(dir + "/state/shared_memory.bin", O_RDWR | O_CREAT, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        #expect(fcntl(fd, F_SETLK, &lock) == 0)
        try t.start(t.finality(dir))
        let s = try t.waitFor("READ-ONLY: a node is running")
        #expect(s.ok, "\(s.screen)")
        #expect(!s.screen.contains("Reset"))
        // nodeos stops (its lock goes): ^R checks again and the reset comes back, no restart.
        lock.l_type = Int16(F_UNLCK)
        #expect(fcntl(fd, F_SETLK, &lock) == 0)
        try t.send("C-r")
        let lifted = try t.waitFor { $0.contains("Reset") && !$0.contains("READ-ONLY") }
        #expect(lifted.ok, "\(lifted.screen)")
        try t.send("r")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("q")
        #expect(try t.waitFor("Quit and leave the wizard?").ok)
        try t.send("y")
        #expect(t.exitStatus() == 0)
    }

    /// Under TERM=vt100 tmux sends PgDn, Home and End as CSI sequences vt100's terminfo
    /// lacks: they move the selection, never act as ESC (which would leave the wizard).
    @Test func pageKeysUnderVT100AreNotEscape() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(t.finality(dir, term: "vt100"))
        #expect(try t.waitFor("Entries").ok)
        try t.send("r")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("NPage")
        try t.send("End")
        try t.send("Home")
        try t.send("PPage")
        // Help, then q: back to the screen Help was opened on. Had a page key been taken
        // as ESC, that is Entries, not the wizard.
        try t.send("?")
        #expect(try t.waitFor(" finality  Help").ok)
        try t.send("q")
        let s = try t.waitFor(" finality  Wizard: Reset, step 1 of 5")
        #expect(s.ok, "\(s.screen)")
        try t.send("q", "y")
        #expect(t.exitStatus() == 0)
    }

    /// The demo says, on the way out, where its folder stays.
    @Test func demoSaysWhereItsFolderIsOnExit() throws {
        let t = Tmux()
        try t.start(t.finality("demo"))
        #expect(try t.waitFor("Entries").ok)
        try t.send("q")
        let s = try t.waitFor("The demo data dir stays at")
        #expect(s.ok, "\(s.screen)")
        // The folder it names (`rm -r /tmp/finality-demo-XXXXXX`): removed here.
        if let r = s.screen.range(of: #"/[^ \n]*finality-demo-[A-Za-z0-9]{6}"#, options: .regularExpression) {
            TemporaryPaths.remove(String(s.screen[r]))
        }
        #expect(s.screen.contains("open it again:  finality "))
        #expect(t.exitStatus() == 0)
    }

    /// A dropped SSH link (SIGHUP) at the typed confirmation: nothing is written.
    @Test func hangupAtConfirmationWritesNothing() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        let file = dir + "/finalizers/safety.dat"
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        try t.start(t.finality(dir))
        #expect(try t.waitFor("nodeos will load").ok)
        try t.send("d")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("Enter")
        let review = try t.waitFor("Enter: go to the typed confirmation")
        #expect(review.ok, "\(review.screen)")
        try t.send("Enter")
        #expect(try t.waitFor("Step 4 of 5").ok)
        try t.tmux(["kill-session"])
        usleep(300_000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        #expect(!FileManager.default.fileExists(atPath: dir + "/finalizers/backups"))
    }

    /// ncurses sends only what changed: moving the selection by one row rewrites that row,
    /// the previous one and the detail pane, not the screen (80x24 = 1,920 cells).
    @Test func movingTheSelectionSendsOnlyTheChange() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(t.finality(dir))
        #expect(try t.waitFor("Entry #0 of 5").ok)
        let log = t.directory + "/bytes"
        try t.tmux(["pipe-pane", "-o", "cat > \(log)"])
        usleep(200_000)
        try t.send("j")
        #expect(try t.waitFor("Entry #1 of 5").ok)
        usleep(300_000)
        try t.tmux(["pipe-pane"])
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: log)).count) ?? -1
        print("bytes sent for one row down at 80x24 (selection + detail pane): \(bytes)")
        #expect(bytes > 0 && bytes < 1_200, "sent \(bytes) bytes")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    /// SIGTERM and SIGINT end the session through the event loop: endwin runs, the exit
    /// status says which signal, nothing is written.
    @Test func signalsEndTheSessionCleanly() throws {
        for (signal, status) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
            let t = Tmux()
            let dir = try dataDir(t)
            let pidFile = t.directory + "/pid"
            // exec keeps the pid the shell wrote: the test signals the program itself.
            try t.start("sh -c 'echo $$ > \(pidFile); exec \(t.finality(dir))'")
            #expect(try t.waitFor("nodeos will load").ok)
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            else {
                Issue.record("no pid")
                continue
            }
            try t.send("d")
            #expect(try t.waitFor("Step 1 of 5").ok)
            #expect(kill(pid, signal) == 0)
            #expect(t.exitStatus() == status)
        }
    }

    @Test func refusesWithoutATerminal() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        let r = Spawn.run(Tmux.finalityPath!, [dir], outputFile: t.directory + "/out")
        #expect(r.status == 2)
        #expect(r.output.contains("needs a terminal"))
    }

    @Test func refusesTERMDumb() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(t.finality(dir, term: "dumb"))
        #expect(t.exitStatus() == 2)
        #expect(try t.waitFor("cannot run the full-screen interface").ok)
    }
}

/// The whole reset on the demo data dir, through the five steps, with the real engine.
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct RealBinaryWizardTests {
    /// Under CI=true a missing tmux or binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: true) }

    @Test func resetThroughTheFiveStepsWritesBackupAuditAndFile() throws {
        let t = Tmux()
        let demo = Spawn.run(Tmux.finalityPath!, ["demo", "--print-only"], outputFile: t.directory + "/demo")
        #expect(demo.status == 0)
        let dir = demo.output.trimmingCharacters(in: .whitespacesAndNewlines)
        // The whole demo folder (data/ and config/ beside it), not only data/.
        defer { TemporaryPaths.remove(TemporaryPaths.topLevel(of: dir) ?? dir) }
        let file = dir + "/finalizers/safety.dat"
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        try t.start(t.finality(dir))
        #expect(try t.waitFor("from blocks.log").ok)
        try t.send("j", "r")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Step 2 of 5").ok)
        try t.send("Enter")
        let review = try t.waitFor("Enter: go to the typed confirmation")
        #expect(review.ok, "\(review.screen)")
        // The interlocks come first; the lock's move back to LIB is further down the review.
        var warned = review.screen.contains("moves back")
        for _ in 0..<45 where !warned {
            try t.send("j")
            usleep(50_000)
            warned = try t.capture().contains("moves back")
        }
        #expect(warned)
        try t.send("Enter")
        let confirm = try t.waitFor("Step 4 of 5")
        #expect(confirm.ok)
        // The 8 characters after PUB_BLS_ of the key shown at step 4.
        guard let keyLine = confirm.screen.split(separator: "\n").first(where: { $0.hasPrefix("  PUB_BLS_") }) else {
            Issue.record("no key on step 4:\n\(confirm.screen)")
            return
        }
        let part = String(keyLine.dropFirst(2 + 8).prefix(8))
        // A wrong confirmation writes nothing.
        try t.type("wrong")
        try t.send("Enter")
        #expect(try t.waitFor("does not match").ok)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        try t.type(part)
        try t.send("Enter")
        let done = try t.waitFor("Done: the file was written")
        #expect(done.ok, "\(done.screen)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) != before)
        let backups = try FileManager.default.contentsOfDirectory(atPath: dir + "/finalizers/backups")
        #expect(backups.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/finalizers/backups/" + backups[0])) == before)
        #expect(FileManager.default.fileExists(atPath: file + ".audit.jsonl"))
        // Back on Entries, the reset entry is locked on LIB and keeps its last vote
        // (newer than LIB: the newest evidence of it; issue 9, nothing empties a last vote).
        try t.send("Enter")
        let entries = try t.waitFor("Entry #1 of 6")
        #expect(entries.ok)
        #expect(entries.screen.contains("last_vote  #400,000,212"))
        #expect(entries.screen.contains("lock       #400,000,200"))
        // The change's record (before the rename) and its completion (after the read-back).
        try t.send("h")
        #expect(try t.waitFor("Audit records (2)").ok)
        // The file against its backup on the Diff screen: the reset's fields, marked.
        try t.send("c")
        let compared = try t.waitFor("fields changed")
        #expect(compared.ok, "\(compared.screen)")
        #expect(compared.screen.contains("* lock.block_id"))
        #expect(!compared.screen.contains("last_vote"))
        try t.send("h")
        #expect(try t.waitFor("Audit records (2)").ok)

        // Restore the backup through the same wizard: the file is back to its first bytes.
        try t.send("r")
        #expect(try t.waitFor("Restore the file from this backup").ok)
        try t.send("Enter")
        let restoreReview = try t.waitFor("Enter: go to the typed confirmation")
        #expect(restoreReview.ok, "\(restoreReview.screen)")
        try t.send("Enter")
        #expect(try t.waitFor("first 12 hex digits").ok)
        // The engine names a backup after the first 12 digits of its SHA-256.
        let sha12 = String(backups[0].split(separator: ".").dropLast().last ?? "")
        try t.type(sha12)
        try t.send("Enter")
        // Applying scans /proc and fsyncs: slow on a loaded machine, so a longer wait.
        let restored = try t.waitFor("Done: the file was written", timeout: 60)
        #expect(restored.ok, "\(restored.screen)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        try t.send("Enter")
        try t.send("h")
        #expect(try t.waitFor("Audit records (4)").ok)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }
}
