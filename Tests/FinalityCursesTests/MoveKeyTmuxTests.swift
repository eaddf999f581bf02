import FinalityEngine
import FinalityFormat
import FinalitySamples
import FinalityTestSupport
import Foundation
import Testing

/// Issue 24, items 4 and 6: the real binary at 80x24 moves a key from node A to standby
/// node B: on A, `x` (Tab: every entry) writes the document; on B, whose file lacks the
/// key, `i` imports it through the wizard; B's entry is then A's, byte for byte. The
/// README's story "Moving a finalizer key to a standby node" shows these screens: the test
/// checks its captures against what the binary draws (FINALITY_README_CAPTURES=FILE writes
/// them to FILE, to paste into the README).
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct MoveKeyTmuxTests {
    init() throws { try RequiredTools.require(needsTmux: true) }

    /// The README's heading for the story.
    static let heading = "## Moving a finalizer key to a standby node"

    /// The demo's entry moved (key 11, `VRqXcdWy`): it votes on A; B is configured with it
    /// but its file has no entry.
    static let moved = 1

    @Test("A exports every entry with x, B imports the document with i: B's entry of the key is A's byte for byte; the README's captures are these screens")
    func moveAKeyToAStandby() throws {
        let t = Tmux()
        let work = t.directory + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let a = try DemoDataDir.build(parent: t.directory)
        let b = try DemoDataDir.build(parent: t.directory)
        var standby = try SafetyFileReader.decode(Self.bytes(b.file))
        let key = standby.entries[Self.moved].key
        standby.entries.remove(at: Self.moved)
        try Data(SafetyFileWriter.encode(standby)).write(to: URL(fileURLWithPath: b.file))
        var captures = [(String, String)]()

        // Node A (stopped): x, Tab (every entry), Enter. The default name is in the working
        // directory (outside the data dir), shown whole.
        try t.start("cd \(work) && " + t.finality(a.dataDir!, extraEnv: "HOME=\(work)"))
        var s = try t.waitFor { $0.contains("from blocks.log") && $0.contains("\n   4 votes ") }
        #expect(s.ok, "\(s.screen)")
        try t.send("x")
        s = try t.waitFor { $0.contains("to this new file") && $0.contains(".json") }
        #expect(s.ok, "\(s.screen)")
        #expect(Self.joined(s.screen).contains(work + "/finality-export-"), "the default name, whole, in the working directory: \(s.screen)")
        try t.send("Tab")
        s = try t.waitFor("Export all 6 entries")
        #expect(s.ok, "\(s.screen)")
        captures.append(("export prompt", s.screen))
        try t.send("Enter")
        s = try t.waitFor("exported 6 keys to the document named above")
        #expect(s.ok, "\(s.screen)")
        captures.append(("export result", s.screen))
        let documents = try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.hasPrefix("finality-export-") && $0.hasSuffix(".json") }
        #expect(documents.count == 1, "\(documents)")
        let document = work + "/" + (documents.first ?? "?")
        #expect(Self.joined(s.screen).contains(document), "the path written, whole: \(s.screen)")
        try t.send("q")
        #expect(t.exitStatus() == 0)

        // The copy to the standby (the story's scp). Both nodes run on this machine here;
        // in the story A is another server, so the copy's host is A's name, node-a (a
        // document exported on this host would make the review look for this host's
        // nodes using A's file: the one-key-one-voter blocker, tested in the engine), and
        // the README's capture names node-a on every machine.
        let standbyHome = t.directory + "/standby"
        try FileManager.default.createDirectory(atPath: standbyHome, withIntermediateDirectories: true)
        let exported = try String(contentsOfFile: document, encoding: .utf8)
        let thisHost = "\"host\": \"\(ProcessInfo.processInfo.hostName)\""
        #expect(exported.contains(thisHost), "the document names this host: \(exported.prefix(600))")
        let copy = standbyHome + "/" + PathText.name(document).replacingOccurrences(of: "-\(ProcessInfo.processInfo.hostName)-", with: "-node-a-")
        try exported.replacingOccurrences(of: thisHost, with: "\"host\": \"node-a\"").write(toFile: copy, atomically: true, encoding: .utf8)

        // Node B: i, the document's name after the offered directory, Enter: the review.
        let t2 = Tmux()
        try t2.start("cd \(standbyHome) && " + t2.finality(b.dataDir!, extraEnv: "HOME=\(standbyHome)"))
        s = try t2.waitFor { $0.contains("from blocks.log") && $0.contains("\n   3 votes ") }
        #expect(s.ok, "\(s.screen)")
        try t2.send("i")
        s = try t2.waitFor("Import the document at this path")
        #expect(s.ok, "\(s.screen)")
        #expect(s.screen.contains(standbyHome + "/"), "the prompt offers the working directory: \(s.screen)")
        try t2.type(PathText.name(copy))
        s = try t2.waitFor(String(PathText.name(copy).suffix(20)))
        try t2.send("Enter")
        s = try t2.waitFor("Enter: go to the typed confirmation")
        #expect(s.ok, "\(s.screen)")
        #expect(s.screen.contains("Wizard: Import, step 3 of 5"), "\(s.screen)")
        captures.append(("import review", s.screen))
        #expect(try SafetyFileReader.decode(Self.bytes(b.file)) == standby, "nothing written before the confirmation")
        // The review names the source of each value and says: one key, one voter.
        var review = s.screen
        for _ in 0..<12 {
            try t2.send("Space")
            review += try t2.waitFor(timeout: 2) { _ in true }.screen
        }
        #expect(Self.says(review, "One key, one voter: before this node votes with an imported key"), "\(review)")
        #expect(Self.says(review, "added from the document"), "\(review)")
        try t2.send("Enter")
        s = try t2.waitFor("Step 4 of 5")
        #expect(s.ok, "\(s.screen)")
        captures.append(("import confirmation", s.screen))
        #expect(try t2.confirmWithShownSHA256(s.screen) != nil, "no SHA-256 to type on \(s.screen)")
        // The file read back (the status bar's "reading the file back…" gone).
        s = try t2.waitFor { $0.contains("Done: the file was written") && !$0.contains("reading the file back") }
        #expect(s.ok, "\(s.screen)")
        captures.append(("import result", s.screen))
        try t2.send("Enter")
        try t2.send("q")
        #expect(t2.exitStatus() == 0)

        // B's entry of the key is A's, byte for byte; the rest of B is as it was.
        let fileA = try SafetyFileReader.decode(Self.bytes(a.file))
        let fileB = try SafetyFileReader.decode(Self.bytes(b.file))
        let entryA = try #require(fileA.entries.first { $0.key == key })
        let entryB = try #require(fileB.entries.first { $0.key == key }, "B has no entry of the key")
        func encoded(_ e: SafetyEntry) -> [UInt8] { SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [e])) }
        #expect(encoded(entryB) == encoded(entryA), "B's entry differs from A's")
        #expect(Array(fileB.entries.dropLast()) == standby.entries, "B's other entries changed")
        let audit = try String(contentsOfFile: b.file + ".audit.jsonl", encoding: .utf8)
        #expect(audit.contains("\"action\":\"import\""), "\(audit)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: b.dataDir! + "/finalizers/backups").count == 1)

        if let out = ProcessInfo.processInfo.environment["FINALITY_README_CAPTURES"] {
            let text = captures.map { "## \($0.0)\n```\n\(Self.trimmed($0.1))\n```\n" }.joined(separator: "\n")
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        }
        // The README's screens were taken where the temporary folder is /tmp/finality-tmux-
        // XXXXXX and the document's path fits a row (a host name of up to 11 characters):
        // elsewhere paths wrap onto more rows, and each screen shows other rows.
        if t.directory.count == "/tmp/finality-tmux-XXXXXX".count && document.count <= 80 {
            try Self.checkReadme(captures.map(\.1), directories: [t.directory, t2.directory])
        } else {
            print("MoveKeyTmuxTests: README captures not compared: \(document) (\(document.count) characters) wraps unlike the README's")
        }
    }

    // MARK: the README's captures

    /// The README's captures in the story match the screens drawn now: each block of the
    /// section is one of this run's screens, up to what changes from run to run (the
    /// temporary folders, the host name, times, hashes) and where text wraps around them.
    static func checkReadme(_ screens: [String], directories: [String]) throws {
        let readme = try String(contentsOf: PackagePaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "\n" + heading + "\n") else {
            Issue.record("README.md has no section \"\(heading)\"")
            return
        }
        let section = readme[start.upperBound...].components(separatedBy: "\n## ").first ?? ""
        // The plain fenced blocks (a capture), not the ```sh ones.
        var blocks = [String]()
        var open: [String]?
        for line in section.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                if let lines = open {
                    if lines.first?.hasPrefix(" finality  ") == true { blocks.append(lines.joined(separator: "\n")) }
                    open = nil
                } else if line == "```" {
                    open = []
                } else {
                    open = ["(not a capture)"]
                }
            } else {
                open?.append(line)
            }
        }
        #expect(blocks.count == 4, "the story shows four captures (found \(blocks.count))")
        let drawn = screens.map { comparable($0, directories: directories) }
        for block in blocks {
            let shown = comparable(block, directories: [])
            #expect(drawn.contains(shown), "a README capture the binary no longer draws:\n\(block)\nnormalized: \(shown)\ndrawn:\n\(drawn.joined(separator: "\n"))")
        }
    }

    /// A screen without what differs from run to run, and without its layout (whitespace:
    /// text wraps differently around a longer host name).
    static func comparable(_ screen: String, directories: [String]) -> String {
        var t = screen
        for d in directories { t = t.replacingOccurrences(of: d, with: "/tmp/finality-tmux-XXXXXX") }
        t = String(t.filter { !$0.isWhitespace })
        // The prompt's own row shows the end of a long path after a mark: where it starts
        // depends on the host name's length.
        t = t.replacingOccurrences(of: #"Exportto:….*?\.json"#, with: "Exportto:…PATH.json", options: .regularExpression)
        let patterns: [(String, String)] = [
            // Random folder names, also where a cut line ends in part of one.
            (#"finality-tmux-[A-Za-z0-9]{0,6}"#, "TMUX"),
            (#"finality-demo-[A-Za-z0-9]{0,6}"#, "DEMO"),
            (#"[0-9]{8}T[0-9]{6}(\.[0-9]+)?Z?"#, "STAMP"),
            (#"[0-9]{4}-[0-9]{2}-[0-9]{2}T?[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z?"#, "TIME"),
            (#"[0-9a-f]{12,64}"#, "HEX"),
            (#"lines[0-9]+-[0-9]+of[0-9]+"#, "LINES"),
        ]
        for (p, r) in patterns { t = t.replacingOccurrences(of: p, with: r, options: .regularExpression) }
        // The host name, in the document's default name.
        t = t.replacingOccurrences(of: #"finality-export-[^/]*?-STAMP\.json"#, with: "finality-export-HOST-STAMP.json", options: .regularExpression)
        return t
    }

    /// A capture as pasted: no trailing blanks, no blank rows at the end.
    static func trimmed(_ screen: String) -> String {
        var lines = screen.components(separatedBy: "\n").map { l in String(l.reversed().drop { $0 == " " }.reversed()) }
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// Whether the screen says `text`, wherever its rows wrap it.
    static func says(_ screen: String, _ text: String) -> Bool {
        screen.filter { !$0.isWhitespace }.contains(text.filter { !$0.isWhitespace })
    }

    /// The screen's rows joined without their line breaks (a path hard-wrapped joins back).
    static func joined(_ screen: String) -> String {
        screen.components(separatedBy: "\n").map { l in String(l.reversed().drop { $0 == " " }.reversed()) }.joined()
    }

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
}
