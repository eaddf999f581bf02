import Foundation
import Glibc
import Testing

/// The real `finality` binary in a private tmux server: what an operator sees over SSH.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux and the built finality binary"))
struct RealBinaryTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

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
        let s = try t.waitFor("READ-ONLY: --read-only")
        #expect(s.ok, "\(s.screen)")
        #expect(!s.screen.contains("Reset") && !s.screen.contains("Delete"))
        try t.send("r")
        try t.send("d")
        #expect(try t.waitFor(" finality  Entries").ok)
        try t.send("q")
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
