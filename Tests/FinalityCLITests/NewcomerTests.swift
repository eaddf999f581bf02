import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityRunner
import FinalityTestSupport
import Foundation
import Testing

/// A newcomer finds the way (issue 10, item 12) and the report is the same everywhere
/// (item 8): the real binary, as someone new to it would run it.
@Suite(
    "A newcomer finds the way; the report is the same everywhere (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct NewcomerTests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    /// The binary run in `directory` with stdin from /dev/null.
    func run(_ args: [String], in directory: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: BuiltBinary.finality!)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        p.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func words(_ s: String) -> String { s.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ") }

    @Test("`finality` alone outside a data dir prints how to start: finality PATH and finality demo (exit 2)")
    func noArgumentPrintsUsage() throws {
        let empty = TemporaryPaths.name("finality-empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let r = try run([], in: empty)
        #expect(r.status == 2)
        #expect(r.stderr.contains("finality PATH"))
        #expect(r.stderr.contains("finality demo"))
        #expect(r.stderr.contains("--read-only"))
    }

    @Test("--help names PATH, --read-only, the demo and every key of every screen (from the binding table)")
    func helpListsEveryKey() throws {
        let r = try run(["--help"], in: "/")
        #expect(r.status == 0)
        let help = Self.words(r.stdout)
        #expect(help.contains("finality [PATH] [--read-only]"))
        #expect(help.contains("finality demo"))
        for b in Bindings.table {
            #expect(help.contains(Self.words(b.help)), "--help lacks: \(b.help)")
        }
    }

    @Test("--json errors are JSON on stdout, with the kind, the message and the exit status")
    func jsonErrorsAreJSON() throws {
        let missing = try run(["list", "/nonexistent/safety.dat", "--json"], in: "/")
        #expect(missing.status == 3)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any])
        let error = try #require(doc["error"] as? [String: Any])
        #expect(error["kind"] as? String == "io")
        #expect(error["exit_status"] as? Int == 3)
        #expect((error["message"] as? String)?.contains("/nonexistent/safety.dat") == true)

        let usage = try run(["list", "--json", "--no-such-option"], in: "/")
        #expect(usage.status == 2)
        let u = try #require(try JSONSerialization.jsonObject(with: Data(usage.stdout.utf8)) as? [String: Any])
        #expect((u["error"] as? [String: Any])?["kind"] as? String == "usage")
    }

    @Test("`finality report DIR` finds the data dir's blocks.log and prints exactly what the interface's w writes")
    func reportIsTheSameEverywhere() throws {
        let demo = try run(["demo", "--print-only"], in: "/")
        let dir = demo.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { TemporaryPaths.remove(TemporaryPaths.topLevel(of: dir) ?? dir) }
        let location = try Location.resolve(dir)
        let cli = try run(["report", dir], in: "/")
        #expect(cli.status == 0)
        #expect(cli.stdout.contains("blocks.log \(dir)/blocks"), "the data dir's blocks.log was not read:\n\(cli.stdout)")

        // The interface: its default LIB requests, answered by the runner, then `w`.
        let runner = EngineEffects(toolVersion: BuiltBinary.version)
        let state = AppState(location: location, readOnly: true, size: .minimum)
        guard case .libRead(let answers) = runner.perform(.readLIB(Core.defaultLIBRequests(state))) else {
            Issue.record("no LIB answers")
            return
        }
        let path = dir + "/report-from-w.txt"
        let errors = answers.compactMap { a -> String? in
            if case .failure(let e) = a.result { return CaseReport.libErrorLine(a.request, e) }
            return nil
        }
        _ = runner.perform(.writeReport(path: path, location: location, readings: answers.compactMap(\.reading), libErrors: errors))
        let fromW = try String(contentsOfFile: path, encoding: .utf8)
        // The same text but for the line saying when it was written, and the live process
        // scan (other processes come and go between the two runs).
        func body(_ s: String) -> [String] {
            s.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("written ") && !$0.hasPrefix("  [ok] processes using ") }.map(String.init)
        }
        #expect(body(cli.stdout) == body(fromW))
        #expect(body(fromW).count > 20)
    }

    /// Block numbers (`#5,210`, `block 5,210`, `_vheight 5,212/2`) and byte counts are
    /// grouped in every text a person reads, as on the screens; only JSON and values meant
    /// to be typed back (slots, hashes, `--lib-id`) keep plain digits.
    ///
    /// Counts too: entries, keys, records, backups (`1,200 entries`, `1,199 of 1,200 entries
    /// read`, `Backups (1,000)`, `configured finalizer keys: 1,100`), and entry numbers in a
    /// sentence (`entry 1,150`); the `#` column of `list`'s table is a column, not a sentence.
    static func ungroupedNumbers(_ text: String) -> [String] {
        let patterns = [
            #"#[0-9]{4,}"#, #"\bblock [0-9]{4,}"#, #"\bbheight [0-9]{4,}"#, #"\b[0-9]{4,} bytes"#, #"(^|  )[0-9]{4,}/[0-9]"#,
            #"\b[0-9]{4,} (entr|keys?\b|configured|records?\b|backups?\b|pieces?\b|break|interlock|finalizer|other\b|lines?\b|offsets?\b|blocks?\b|more\b|elsewhere|sources?\b|times\b|of [0-9])"#,
            #"\bof [0-9]{4,}"#, #"[a-z] \([0-9]{4,}\)"#, #"\b(keys|entries|records|count|backups( examined)?): [0-9]{4,}"#,
            #"\b[eE]ntry +#?[0-9]{4,}"#, #"\bentries [0-9]{4,}"#, #"^ *[0-9]{4,}\. "#,
        ]
        let prose = text.split(separator: "\n").filter { !$0.drop(while: { $0 == " " }).hasPrefix("{") }
        return patterns.flatMap { p in
            prose.filter { $0.range(of: p, options: .regularExpression) != nil }.map(String.init)
        }
    }

    @Test("numbers read the same in list, show, verify and the report as on the screens: block numbers and sizes grouped")
    func numbersAreGroupedEverywhere() throws {
        // The pattern itself can fail: it finds what `list` printed before.
        #expect(Self.ungroupedNumbers("0  PUB_BLS_u8Yi2wr…  #400000210 2026-11-01T00:01:45.000Z").count == 1)
        #expect(Self.ungroupedNumbers("x.dat: Savanna safety.dat version 1, 5 entries, 1213 bytes").count == 1)
        #expect(Self.ungroupedNumbers("0  PUB_BLS_u8Yi2wr…  5230/3  none").count == 1)
        #expect(Self.ungroupedNumbers("#400,000,210 at 2026-11-01T00:01:45.000Z (slot 1693613010), 1,213 bytes").isEmpty)
        // ... and what verify printed for a million entries before counts were grouped.
        #expect(Self.ungroupedNumbers("Savanna safety.dat version 1, 1000000 entries, 237,000,028 bytes").count == 1)
        #expect(!Self.ungroupedNumbers("truncated in entry 1150 (1150 of 1200 entries read)").isEmpty)
        #expect(!Self.ungroupedNumbers("configured finalizer keys: 1100, from config.ini").isEmpty)
        #expect(Self.ungroupedNumbers("Savanna safety.dat version 1, 1,000,000 entries; entry 1,150 of 1,200; keys: 1,100").isEmpty)
        for fixture in ["v1-five-entries.dat", "hotstuff-three-entries.dat", "truncated-entry.dat"] {
            let path = HostileInputTests.fixture(fixture)
            let first = try #require(BuiltBinary.run(["list", path]).stdout.split(separator: "\n").first { $0.hasPrefix("0 ") }.map(String.init))
            // The key is the column that starts with PUB_BLS_ (the verdict comes first, issue 21).
            let key = String((first.split(separator: " ", omittingEmptySubsequences: true).first { $0.hasPrefix("PUB_BLS_") } ?? "").prefix(16).dropLast())
            for args in [["list", path], ["verify", path], ["show", path, key], ["report", path]] {
                let r = BuiltBinary.run(args)
                #expect(r.stdout.count > 100, "\(args): \(r.stderr)")
                #expect(Self.ungroupedNumbers(r.stdout).isEmpty, "finality \(args.joined(separator: " ")) prints plain digits")
            }
        }
        try countsOfABigFile()
    }

    /// A file of 1,200 entries (real keys), a config.ini with 1,100 of them and 20 others,
    /// a truncated copy, a backup and an audit record: every command that prints a count
    /// (verify, list, show, report, diff, history, reset) prints it grouped.
    func countsOfABigFile() throws {
        let n = 1200
        let entries = (0..<n).map { (i: Int) -> SafetyEntry in
            SafetyEntry(key: Fixture.key(UInt64(i + 1)), state: .savanna(SavannaSafety(
                lastVote: Fixture.ref(UInt32(5000 + i)), lock: Fixture.ref(UInt32(4990 + i)))))
        }
        let (dir, path) = try TestFiles.dataDir(SafetyFile(format: .savannaV1, entries: entries), prefix: "finality-counts")
        let base = (dir as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: base) }
        // config/ beside the data dir: keys 1…1,100 of the file and 20 without an entry.
        try FileManager.default.createDirectory(atPath: base + "/config", withIntermediateDirectories: true)
        let configured = (1...1100).map(UInt64.init) + (5001...5020).map(UInt64.init)
        try configured.map { "signature-provider = \(Fixture.key($0).text)=KEY:PVT_BLS_never_read\n" }.joined()
            .write(toFile: base + "/config/config.ini", atomically: true, encoding: .utf8)
        // The same file cut inside entry 1,150: "1,150 of 1,200 entries read".
        let truncated = base + "/truncated.dat"
        let bytes = TestFiles.read(path)
        try Data(bytes[0..<(24 + 1150 * 237 + 100)]).write(to: URL(fileURLWithPath: truncated))
        let inFile = Fixture.key(1150).text, notConfigured = Fixture.key(1160).text
        let reset = BuiltBinary.run(["reset", dir, "--key", notConfigured, "--yes"] + Fixture.libArgs)
        #expect(reset.status == 0, "\(reset.stderr)")
        let backup = try #require(TestFiles.backups(of: path).first)
        // The debug binary checks 1,200 keys slowly: each command once, on the file where it
        // says the most (about 25 s in all).
        let runs: [[String]] = [
            ["verify", path], ["verify", truncated], ["list", truncated], ["show", dir, notConfigured], ["show", truncated, inFile],
            ["report", dir], ["diff", backup, path], ["history", dir],
            ["show", dir, "PUB_BLS_no_such_key"], ["show", dir, Fixture.key(9999).text],
        ]
        var seen = reset.stdout
        for args in runs {
            let r = BuiltBinary.run(args)
            let text = r.stdout + r.stderr
            seen += text
            #expect(text.count > 40, "\(args): \(r.stderr)")
            #expect(Self.ungroupedNumbers(text).isEmpty, "finality \(args.joined(separator: " ")) prints plain digits: \(Self.ungroupedNumbers(text))")
        }
        #expect(Self.ungroupedNumbers(reset.stdout).isEmpty, "finality reset prints plain digits: \(Self.ungroupedNumbers(reset.stdout))")
        // The counts were printed (grouped), so the checks above had something to find.
        for count in ["1,200 entries", "1,150 of 1,200 entries read", "1,100"] { #expect(seen.contains(count), "no \(count) anywhere") }
    }
}
