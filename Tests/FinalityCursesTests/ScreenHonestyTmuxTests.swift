import FinalityTestSupport
import Foundation
import Glibc
import Testing

/// Issue 20 on the real binary in tmux at 80x24: signals, keys nobody typed, a paste, and
/// a screen that follows the file and the node. `FINALITY_UNDER_TEST=/path/to/finality`
/// runs the same tests against another build (how they were seen to fail on the old one).
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct ScreenHonestyTmuxTests {
    init() throws { try RequiredTools.require(needsTmux: true) }

    func dataDir(_ t: Tmux) throws -> String {
        let dir = t.directory + "/data"
        try FileManager.default.createDirectory(atPath: dir + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: PackagePaths.fixtures.appendingPathComponent("v1-five-entries.dat").path, toPath: dir + "/finalizers/safety.dat")
        return dir
    }

    /// The pane's command: the binary under test, its pid written first (exec keeps it).
    func start(_ t: Tmux, _ args: String, term: String = "vt100") throws {
        var command = t.finality(args, term: term)
        if let other = ProcessInfo.processInfo.environment["FINALITY_UNDER_TEST"] {
            command = command.replacingOccurrences(of: Tmux.finalityPath!, with: other)
        }
        try t.start("sh -c 'echo $$ > \(t.directory)/pid; exec \(command)'")
    }

    /// The finality process itself (the pane runs it under `timeout`).
    func finalityPID(_ t: Tmux) -> Int32? {
        guard let text = try? String(contentsOfFile: t.directory + "/pid", encoding: .utf8),
            let outer = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let children = try? String(contentsOfFile: "/proc/\(outer)/task/\(outer)/children", encoding: .utf8)
        else { return nil }
        return children.split(separator: " ").first.flatMap { Int32($0) }
    }

    // MARK: item 1: every signal ends or pauses the program cleanly

    @Test func ctrlBackslashRestoresTheTerminalAndExits131() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try start(t, dir)
        #expect(try t.waitFor("nodeos will load").ok)
        try t.send("C-\\")
        #expect(t.exitStatus(timeout: 5) == 131)
        let screen = try t.capture()
        #expect(!screen.contains("crashed") && !screen.contains("Press space"), "\(screen)")
    }

    @Test func aCrashGivesTheTerminalBackAndSaysWhereTheDetailsAre() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try t.start(
            "sh -c 'echo $$ > \(t.directory)/pid; exec \(ProcessInfo.processInfo.environment["FINALITY_UNDER_TEST"].map { t.finality(dir).replacingOccurrences(of: Tmux.finalityPath!, with: $0) } ?? t.finality(dir))'; s=$?; stty -a > \(t.directory)/stty; (exit $s)")
        #expect(try t.waitFor("nodeos will load").ok)
        let pid = try #require(finalityPID(t))
        #expect(kill(pid, SIGSEGV) == 0)
        let said = try t.waitFor("finality stopped on an internal error")
        #expect(said.ok, "\(said.screen)")
        #expect(said.screen.contains("finality-crash-\(pid).txt"))
        #expect(!said.screen.contains("Press space"))
        #expect(t.exitStatus(timeout: 10) == 128 + SIGSEGV)
        let details = (try? String(contentsOfFile: "/tmp/finality-crash-\(pid).txt", encoding: .utf8)) ?? ""
        #expect(details.contains("crashed"), "\(details.prefix(300))")
        // The terminal is usable: line editing and echo are back.
        let stty = (try? String(contentsOfFile: t.directory + "/stty", encoding: .utf8)) ?? ""
        #expect(stty.contains(" icanon") && stty.contains(" echo "), "\(stty)")
        try? FileManager.default.removeItem(atPath: "/tmp/finality-crash-\(pid).txt")
    }

    // MARK: item 2: keys nobody typed

    @Test func aMouseClickAndALongSequenceOpenNoWizard() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try start(t, dir)
        #expect(try t.waitFor("nodeos will load").ok)
        // X10 click: ESC [ M, then button ' ', x 'r', y 'r'; then ESC[1;2;3;4;5;6;7;8;9;d.
        try t.tmux(["send-keys", "-H", "1b", "5b", "4d", "20", "72", "72"])
        try t.tmux(["send-keys", "-H"] + Array("\u{1b}[1;2;3;4;5;6;7;8;9;d".utf8).map { String($0, radix: 16) })
        try t.send("j")
        let s = try t.waitFor("Entry #1 of 5")
        #expect(s.ok, "\(s.screen)")
        #expect(s.screen.contains(" finality  Entries"), "\(s.screen)")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func aPasteIsTextForTheFilterAndItsNewlineSubmitsNothing() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try start(t, dir)
        #expect(try t.waitFor("nodeos will load").ok)
        try t.send("/")
        #expect(try t.waitFor("Search").ok)
        let paste = t.directory + "/paste.txt"
        try "zzzq\nr".write(toFile: paste, atomically: true, encoding: .utf8)
        try t.tmux(["load-buffer", paste])
        try t.tmux(["paste-buffer", "-p"])
        let s = try t.waitFor("zzzqr")
        #expect(s.ok, "\(s.screen)")
        try t.send("Escape")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    // MARK: item 3: the screen follows the world

    @Test func theScreenFollowsTheFileWhileItIsOpen() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        let file = dir + "/finalizers/safety.dat"
        try start(t, dir)
        #expect(try t.waitFor("5 entries").ok)
        // Swapped for another file (a rename over it): read again, said with the time.
        let other = dir + "/finalizers/other.dat"
        try FileManager.default.copyItem(atPath: PackagePaths.fixtures.appendingPathComponent("v1-five-entries.dat").path, toPath: other)
        #expect(rename(other, file) == 0)
        let replaced = try t.waitFor(timeout: 5) { $0.contains("replaced on disk at") && $0.contains("UTC") }
        #expect(replaced.ok, "\(replaced.screen)")
        // Removed: says so, shows nothing of it, read-only.
        #expect(unlink(file) == 0)
        let gone = try t.waitFor(timeout: 5) { $0.contains("removed from disk at") && $0.contains("READ-ONLY") }
        #expect(gone.ok, "\(gone.screen)")
        #expect(!gone.screen.contains("nodeos will load this file"))
        // A link planted in its place.
        #expect(symlink("/etc/hostname", file) == 0)
        let linked = try t.waitFor(timeout: 5) { $0.contains("symbolic link") }
        #expect(linked.ok, "\(linked.screen)")
        #expect(!linked.screen.contains("rReset"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func aNodeThatStartsTurnsTheScreenReadOnlyWithinSeconds() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        try start(t, dir)
        let first = try t.waitFor("rReset")
        #expect(first.ok && !first.screen.contains("READ-ONLY"), "\(first.screen)")
        // nodeos starts: it takes the write lock on state/shared_memory.bin.
        let fd = Glibc.open(dir + "/state/shared_memory.bin", O_RDWR | O_CREAT, 0o600)
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        #expect(fcntl(fd, F_SETLK, &lock) == 0)
        let s = try t.waitFor(timeout: 8) { $0.contains("READ-ONLY: a node is running") }
        #expect(s.ok, "\(s.screen)")
        #expect(!s.screen.contains("rReset"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func aFileChangedInPlaceIsReadAgainAndCtrlRReadsItToo() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        let file = dir + "/finalizers/safety.dat"
        try start(t, dir)
        #expect(try t.waitFor("5 entries").ok)
        // Truncated in place (same inode): the verdict changes on screen.
        #expect(truncate(file, 100) == 0)
        let s = try t.waitFor(timeout: 5) { $0.contains("changed on disk at") }
        #expect(s.ok, "\(s.screen)")
        #expect(!s.screen.contains("✔ nodeos will load this file"), "\(s.screen)")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    // MARK: item 5: quitting is asked inside a change at any size

    @Test func qWhileTooSmallAsksBeforeLeavingTheWizard() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try start(t, dir)
        #expect(try t.waitFor("rReset").ok)
        try t.send("r")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.resize(columns: 60, rows: 20)
        #expect(try t.waitFor("terminal too small").ok)
        try t.send("q")
        let asked = try t.waitFor("leave the wizard?")
        #expect(asked.ok, "\(asked.screen)")
        try t.send("n")
        try t.resize(columns: 80, rows: 24)
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("q")
        #expect(try t.waitFor("Quit and leave the wizard?").ok)
        try t.send("y")
        #expect(t.exitStatus() == 0)
    }
}
