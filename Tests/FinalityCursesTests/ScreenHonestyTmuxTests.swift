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

    // MARK: item 4: every refusal names its real cause

    @Test func readOnlyNamesTheImmutableFlag() throws {
        try RequiredTools.require(Capabilities.immutableFiles, Capabilities.immutableFilesNeed)
        let t = Tmux()
        let dir = try dataDir(t)
        let file = dir + "/finalizers/safety.dat"
        #expect(Capabilities.chattr("+i", file) == 0)
        defer { _ = Capabilities.chattr("-i", file) }
        try start(t, dir)
        let s = try t.waitFor("READ-ONLY: the file has the immutable flag")
        #expect(s.ok, "\(s.screen)")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func readOnlyNamesAReadOnlyMount() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        // A private mount namespace: the data dir bound read-only over itself.
        let probe = Spawn.run("/usr/bin/unshare", ["-m", "true"], outputFile: t.directory + "/probe")
        try #require(probe.status == 0, "unshare -m is not allowed here: \(probe.output)")
        var command = t.finality(dir)
        if let other = ProcessInfo.processInfo.environment["FINALITY_UNDER_TEST"] {
            command = command.replacingOccurrences(of: Tmux.finalityPath!, with: other)
        }
        try t.start("unshare -m sh -c 'mount --bind \(dir) \(dir) && mount -o remount,ro,bind \(dir) && exec \(command)'")
        let s = try t.waitFor("READ-ONLY: the file system holding the file is mounted read-only")
        #expect(s.ok, "\(s.screen)")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func readOnlyNamesTheOwner() throws {
        let t = Tmux()
        let dir = try dataDir(t)
        try #require(geteuid() == 0, "needs root to run the binary as another user")
        // The tree readable by everyone; the file and its directory stay root's, mode 644/755.
        for d in [t.directory, dir, dir + "/finalizers"] { chmod(d, 0o755) }
        chmod(dir + "/finalizers/safety.dat", 0o644)
        var command = t.finality(dir)
        if let other = ProcessInfo.processInfo.environment["FINALITY_UNDER_TEST"] {
            command = command.replacingOccurrences(of: Tmux.finalityPath!, with: other)
        }
        try t.start("setpriv --reuid=65534 --regid=65534 --clear-groups \(command)")
        let s = try t.waitFor("READ-ONLY: the file belongs to root (uid 0), not to this user")
        #expect(s.ok, "\(s.screen)")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func aFileRemovedAtTheConfirmationIsNamedAndNothingIsWritten() throws {
        let t = Tmux()
        let demo = Spawn.run(Tmux.finalityPath!, ["demo", "--print-only"], outputFile: t.directory + "/demo")
        #expect(demo.status == 0)
        let dir = demo.output.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { TemporaryPaths.remove(TemporaryPaths.topLevel(of: dir) ?? dir) }
        let file = dir + "/finalizers/safety.dat"
        try start(t, dir)
        #expect(try t.waitFor("from blocks.log").ok)
        try t.send("j", "r")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Step 2 of 5").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Enter: go to the typed confirmation").ok)
        try t.send("Enter")
        let confirm = try t.waitFor("Step 4 of 5")
        guard let keyLine = confirm.screen.split(separator: "\n").first(where: { $0.hasPrefix("  PUB_BLS_") }) else {
            Issue.record("no key on step 4:\n\(confirm.screen)")
            return
        }
        #expect(unlink(file) == 0)
        let s = try t.waitFor(timeout: 5) { $0.contains("READ-ONLY: the file was removed from disk at") }
        #expect(s.ok, "\(s.screen)")
        try t.type(String(keyLine.dropFirst(2 + 8).prefix(8)))
        try t.send("Enter")
        usleep(500_000)
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(!FileManager.default.fileExists(atPath: dir + "/finalizers/backups"))
        // q is text at the confirmation: ESC goes back a step, then q asks.
        try t.send("Escape")
        #expect(try t.waitFor("Step 3 of 5").ok)
        try t.send("q")
        #expect(try t.waitFor("Quit and leave the wizard?").ok)
        try t.send("y")
        #expect(t.exitStatus() == 0)
    }
}
