import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Issue 22, items 2 and 3: a command to copy survives a copy, from the real binary at
/// 80x24 (the interface's result screen and the command line's next steps), and the
/// command line's confirmation shows what it asks for.
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct CopyCommandTmuxTests {
    init() throws { try RequiredTools.require(needsTmux: true) }

    /// The pane as copied: `capture-pane -p -J` joins only the terminal's own soft wraps.
    static func copied(_ t: Tmux) throws -> [String] {
        try t.tmux(["capture-pane", "-p", "-J"]).split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    }

    /// The copied lines from `cd ` up to and including the one starting with `command`;
    /// a directory too long for a row comes first as `d=…` rows, then `cd "$d"`: from
    /// the first of them (nil while it is not on the screen).
    static func commandLines(_ lines: [String], _ command: String) -> [String]? {
        guard let i = lines.firstIndex(where: { $0.hasPrefix(command) }), i > 0, lines[i - 1].hasPrefix("cd ") else { return nil }
        var start = i - 1
        if lines[start] == "cd \"$d\"" || lines[start].hasPrefix("cd \"$d\" ") {
            while start > 0, lines[start - 1].hasPrefix("d=\"$d\"") { start -= 1 }
            guard start > 0, lines[start - 1].hasPrefix("d="), !lines[start - 1].hasPrefix("d=\"$d\"") else { return nil }
            start -= 1
        }
        return lines[start...i].map { var l = $0; while l.last == " " { l.removeLast() }; return l }
    }

    /// Deletes entry 3 (of `key`) through the wizard's five steps, up to its result.
    static func deleteEntry3(_ t: Tmux, key: BLSPublicKey) throws {
        try t.send("j", "j", "d")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Enter: go to the typed confirmation").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Step 4 of 5").ok)
        try t.type(String(key.text.dropFirst(8).prefix(8)))
        try t.send("Enter")
        #expect(try t.waitFor("Next steps").ok)
    }

    /// Runs copied lines in a shell with `finality` on the PATH; its status and output.
    static func runInShell(_ lines: [String], _ t: Tmux) -> (status: Int32, output: String) {
        let bin = (Tmux.finalityPath! as NSString).deletingLastPathComponent
        let script = "export PATH=\(bin):$PATH\n" + lines.joined(separator: "\n") + "\n"
        return Spawn.run("/bin/sh", ["-c", script], outputFile: t.directory + "/shell.out")
    }

    @Test("the undo and report commands on the result screen: one line each after a cd line, copied from the pane and run")
    func resultScreenCommandsRun() throws {
        let t = Tmux()
        let walk = try WalkthroughTests()
        let (dir, file) = try walk.dataDir(t, fixture: "v1-five-entries.dat")
        let key = try SafetyFileReader.decode(try walk.bytes(file)).entries[2].key
        try t.start(t.finality(dir))
        #expect(try t.waitFor("from blocks.log").ok)
        try Self.deleteEntry3(t, key: key)
        let changed = try walk.bytes(file)
        // Scroll until the undo command is on the screen.
        var undo: [String]?
        var report: [String]?
        for _ in 0..<20 {
            let lines = try Self.copied(t)
            undo = undo ?? Self.commandLines(lines, "finality restore ")
            report = report ?? Self.commandLines(lines, "finality report ")
            if undo != nil && report != nil { break }
            try t.send("j")
            usleep(100_000)
        }
        let screen = try t.capture()
        let undoLines = try #require(undo, "the undo command never showed as a cd line and one command line: \(screen)")
        let reportLines = try #require(report, "the report command never showed as a cd line and one command line: \(screen)")
        #expect(undoLines.allSatisfy { $0.count <= 80 })
        let ran = Self.runInShell(reportLines, t)
        #expect(ran.status == 0, "\(reportLines) → \(ran.output)")
        #expect(ran.output.contains("safety.dat"), "\(ran.output)")
        // The undo, confirmed by --yes (the copy has no terminal to confirm on): the file is back.
        let undone = Self.runInShell([undoLines[0], undoLines[1] + " --yes"], t)
        #expect(undone.status == 0, "\(undoLines) → \(undone.output)")
        #expect(try walk.bytes(file) != changed, "the undo restored the backup")
    }

    @Test("a data dir deeper than the screen is wide: the undo's directory is built a piece per row, every row fits, and the copied rows run")
    func longDirectoryCommandsRun() throws {
        let t = Tmux()
        let walk = try WalkthroughTests()
        // 180 columns of directory, with a space a shell would split at.
        let name = "nodes/" + (1...4).map { "standby node \($0) of the eu-west data centre" }.joined(separator: "/") + "/data"
        let (dir, file) = try walk.dataDir(t, fixture: "v1-five-entries.dat", name: name)
        #expect((dir + "/finalizers/backups").count > 80)
        let before = try walk.bytes(file)
        let key = try SafetyFileReader.decode(before).entries[2].key
        try t.start(t.finality(ShellWord.quoted(dir)))
        #expect(try t.waitFor("from blocks.log").ok)
        try Self.deleteEntry3(t, key: key)
        #expect(try walk.bytes(file) != before)
        var undo: [String]?
        for _ in 0..<30 {
            undo = Self.commandLines(try Self.copied(t), "finality restore ")
            if undo != nil { break }
            try t.send("j")
            usleep(100_000)
        }
        let screen = try t.capture()
        let lines = try #require(undo, "the undo command never showed whole: \(screen)")
        #expect(lines.count > 3 && lines.first?.hasPrefix("d=") == true, "\(lines)")
        for line in lines { #expect(line.count <= 80, "a row wider than the screen: \(line)") }
        let undone = Self.runInShell(Array(lines.dropLast()) + [lines.last! + " --yes"], t)
        #expect(undone.status == 0, "\(lines) → \(undone.output)")
        #expect(try walk.bytes(file) == before, "the copied undo restored the backup")
    }

    @Test("the command line: the value to type right above the prompt, upper-case hex accepted, then paths and one summary line (no JSON); its next steps copy and run")
    func commandLineConfirmationAndNextSteps() throws {
        let t = Tmux()
        let walk = try WalkthroughTests()
        let (dir, file) = try walk.dataDir(t, fixture: "v1-five-entries.dat")
        let key = try SafetyFileReader.decode(try walk.bytes(file)).entries[2].key
        // A first change makes a backup to restore.
        let first = BuiltBinary.run(["delete", dir, "--key", key.text, "--yes"])
        #expect(first.status == 0, "\(first.stderr)")
        let backup = try #require(Fixture.backups(file).last)
        try t.start(t.finality("restore \(dir) --from \(backup)"))
        let asked = try t.waitFor("Anything else cancels. >")
        #expect(asked.ok, "\(asked.screen)")
        let lines = try Self.copied(t)
        let prompt = try #require(lines.lastIndex { $0.hasPrefix("Anything else cancels. >") })
        let value = lines[prompt - 1].trimmingCharacters(in: .whitespaces)
        #expect(value.hasSuffix("<- type this"), "the value is right above the prompt: \(lines[prompt - 1])")
        let hex = String(value.prefix(12))
        #expect(hex.count == 12 && hex.allSatisfy(\.isHexDigit))
        #expect(lines[prompt - 2].contains(hex), "the whole SHA-256 above it: \(lines[prompt - 2])")
        try t.type(hex.uppercased())
        try t.send("Enter")
        let done = try t.waitFor("Next steps:")
        #expect(done.ok, "\(done.screen)")
        #expect(t.exitStatus() == 0)
        let after = try Self.copied(t)
        #expect(after.contains { $0.hasPrefix("Backup:       ") })
        #expect(after.contains { $0.hasPrefix("Audit record: /") })
        #expect(!after.contains { $0.contains("{\"") }, "no record JSON on the terminal: \(after)")
        #expect(after.contains { $0.hasPrefix("  restore of the whole file: SHA-256 ") })
        let report = try #require(Self.commandLines(after, "finality report "), "\(after)")
        let ran = Self.runInShell(report, t)
        #expect(ran.status == 0, "\(report) → \(ran.output)")
    }

    @Test("quitting under TERM=vt100 (no alternate screen) leaves the prompt on a line of its own, not over the key bar")
    func vt100QuitLeavesACleanPrompt() throws {
        let t = Tmux()
        let walk = try WalkthroughTests()
        let (dir, _) = try walk.dataDir(t, fixture: "v1-five-entries.dat")
        // What a shell does next: its prompt where the cursor was left.
        try t.start(t.finality(dir, term: "vt100") + "; printf 'PROMPT$ '")
        #expect(try t.waitFor("from blocks.log").ok)
        try t.send("q")
        let after = try t.waitFor("PROMPT$")
        #expect(after.ok, "\(after.screen)")
        let rows = after.screen.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        let prompt = try #require(rows.firstIndex { $0.contains("PROMPT$") })
        #expect(rows[prompt].trimmingCharacters(in: .whitespaces) == "PROMPT$", "the prompt shares its row with the last frame: \(rows[prompt])")
        #expect(prompt > 0 && rows[prompt - 1].hasPrefix("qQuit") || rows[..<prompt].contains { $0.contains("?Help") }, "the key bar is left whole above: \(after.screen)")
    }
}
