import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityRunner
import FinalitySamples
import FinalityTestSupport
import Foundation
import Testing

/// Issue 19, item 2, for the interface: the planted text in the data dir's name (so in
/// every path made from it), config.ini, a backup's name, the audit log, a node API's
/// answers, and the command line of another user's nodeos in a fake /proc; the pure core
/// driven by keys, each effect performed by the runner the executable uses; every screen
/// rendered at 80x24 and 120x40, and the case report written. No cell holds a character
/// the boundary shows as an escape, no row is one a planted value started, and the
/// report file holds neither.
@Suite("Planted text: every screen and the report", .serialized)
struct PlantedScreensTests {
    static let planted =
        "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[1;1Hall good\r\nFORGED\u{01}\u{08}\t\u{7F}\u{9B}2J\u{85}\u{202E}dne\u{2066}x\u{2069}"

    /// The screen's rows, margins trimmed and joined, so text wrapped over rows reads whole.
    static func joined(_ g: Grid) -> String {
        (0..<g.size.rows).map { r in
            var line = Substring(g.text(row: r))
            while line.first == " " { line = line.dropFirst() }
            while line.last == " " { line = line.dropLast() }
            return String(line)
        }.joined()
    }

    /// A cell holding a character the boundary shows as an escape, or FORGED not right
    /// after its escaped CR LF (a row the planted value started).
    static func problems(_ g: Grid, _ what: String) -> [String] {
        var out = [String]()
        for r in 0..<g.size.rows {
            for c in 0..<g.size.columns {
                if let u = g[r, c].character.unicodeScalars.first(where: { DisplayText.needsEscape($0) }) {
                    out.append("\(what): row \(r) column \(c) holds U+\(String(u.value, radix: 16, uppercase: true)): \(DisplayText.sanitize(g.text(row: r)))")
                }
            }
        }
        let text = joined(g)
        var rest = Substring(text)
        while let r = rest.range(of: "FORGED") {
            if !rest[..<r.lowerBound].hasSuffix("\\r\\n") {
                out.append("\(what): a row a value started: …\(DisplayText.sanitize(String(rest[..<r.upperBound].suffix(80))))")
            }
            rest = rest[r.upperBound...]
        }
        return out
    }

    /// A fake /proc: one nodeos (pid 4242) of another user (uid 1000) whose data dir and
    /// config dir hold the planted text; readable enough to be "elsewhere", not unknown.
    static func fakeProc(dataDir: String) throws -> String {
        let root = try TemporaryPaths.directory("finality-planted-proc")
        let p = root + "/4242"
        for d in [p + "/fd", p + "/ns", root + "/self/ns"] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try Data("nodeos\n".utf8).write(to: URL(fileURLWithPath: p + "/comm"))
        let cmdline = ["/usr/local/bin/nodeos", "--data-dir", dataDir, "--config-dir", dataDir + "/../config-" + planted]
        try Data(cmdline.map { $0 + "\0" }.joined().utf8).write(to: URL(fileURLWithPath: p + "/cmdline"))
        try Data("Name:\tnodeos\nState:\tS (sleeping)\nUid:\t1000\t1000\t1000\t1000\n".utf8).write(to: URL(fileURLWithPath: p + "/status"))
        try Data("HOME=/home/\(planted)\0".utf8).write(to: URL(fileURLWithPath: p + "/environ"))
        try FileManager.default.createSymbolicLink(atPath: p + "/cwd", withDestinationPath: "/")
        for ns in ["mnt", "pid"] {
            try FileManager.default.createSymbolicLink(atPath: p + "/ns/" + ns, withDestinationPath: "\(ns):[4026531840]")
            try FileManager.default.createSymbolicLink(atPath: root + "/self/ns/" + ns, withDestinationPath: "\(ns):[4026531840]")
        }
        return root
    }

    @Test("every screen at 80x24 and 120x40, from Entries through the reset wizard's result, History, a comparison, LIB, Watch and Help, and the report written")
    func everyScreen() throws {
        let parent = try TemporaryPaths.directory("finality-planted-screens") + "/" + Self.planted
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        let location = try DemoDataDir.build(parent: parent)
        let data = try #require(location.dataDir)
        let home = PathText.directory(data)
        let config = try FileHandle(forWritingTo: URL(fileURLWithPath: home + "/config/config.ini"))
        config.seekToEndOfFile()
        config.write(Data("signature-provider = PUB_BLS_\(Self.planted)=KEY:PVT_BLS_planted-private-part\n".utf8))
        config.write(Data("signature-provider = \(Self.planted)\n".utf8))
        try config.close()
        let proc = try Self.fakeProc(dataDir: parent + "/elsewhere")
        let json = JSON.string(Self.planted).serialized()
        // The node is on the demo's chain, at its LIB: the sources agree and the reset goes on.
        let logLIB = try LIBSources.fromBlocksDir(data + "/blocks")
        let lib = DemoDataDir.libNumber
        let libSlot = logLIB.lib.timestamp.slot
        let now = FakeAnswers.nowSlot()
        let keys = DemoDataDir.configuredKeys.map { SampleKeys.key($0) }
        let votes = keys.map { FakeAnswers.Vote(key: $0, block: lib + 10, slot: libSlot + 10, strong: true) }
        let info = FakeAnswers.getInfo(head: lib + 20, headSlot: now, lib: lib, libSlot: libSlot, chainID: try #require(logLIB.chainID).hex)
            .replacingOccurrences(of: FakeAnswers.id(lib).hex, with: logLIB.lib.blockID.hex)
            .replacingOccurrences(of: "\"v1.1.2\"", with: json)
        let node = TestHTTPServer([
            "/v1/chain/get_info": .respond(status: 200, body: info),
            "/v1/chain/get_finalizer_info": .respond(status: 200, body: FakeAnswers.finalizerInfo(votes).replacingOccurrences(of: "\"bp\"", with: json)),
            "/v1/chain/get_block_info": .respond(status: 500, body: Self.planted),
        ])
        defer { node.stop() }

        // The working directory holds the planted text too: the report goes there.
        var state = AppState(
            location: location, readOnly: false, size: Size(columns: 120, rows: 40), apiURL: node.baseURL, workingDirectory: parent, home: parent)
        let runner = EngineEffects(toolVersion: "test", procRoot: proc)
        func settle(_ effects: [Effect]) {
            var queue = effects
            while !queue.isEmpty { queue += Core.update(&state, runner.perform(queue.removeFirst())) }
        }
        func press(_ keys: Key...) { for k in keys { settle(Core.update(&state, .terminal(.key(k)))) } }
        func type(_ text: String) { for ch in text { press(.character(ch)) } }
        var problems = [String]()
        var rendered = 0
        var shown = Set<String>()
        /// Renders at both sizes; `name` is recorded as showing the planted text when it does.
        func look(_ name: String, scroll: Bool = false) {
            for size in [Size(columns: 80, rows: 24), Size(columns: 120, rows: 40)] {
                settle(Core.update(&state, .terminal(.resize(size))))
                var pages = 0
                repeat {
                    let g = Render.render(state)
                    rendered += 1
                    problems += Self.problems(g, "\(name) at \(size.columns)x\(size.rows)")
                    if Self.joined(g).contains("\\r\\nFORGED") { shown.insert(name) }
                    pages += 1
                    if scroll { press(.pageDown) }
                } while scroll && pages < 12
                if scroll { press(.character("g")) }
            }
        }
        settle(Core.start(&state))
        for _ in 0..<40 where state.file?.backgroundPending == true {
            usleep(50_000)
            settle(Core.update(&state, .tick))
        }
        look("entries")
        press(.character("j"), .enter)
        look("entry detail")
        press(.enter)
        press(.character("l"))
        look("lib")
        press(.character("e"))

        // A reset through the wizard: the review lists the interlocks (the other user's
        // nodeos among them), then the result step (backup, audit record, next steps).
        press(.character("j"), .character("r"), .enter)
        look("wizard: LIB step")
        press(.enter)
        let review = try #require(state.wizard?.plan, "no review: \(state.wizard?.planError ?? "?")")
        look("wizard: review", scroll: true)
        press(.character("v"))
        look("diff of the plan")
        press(.escape)
        press(.enter)
        look("wizard: confirmation")
        type(review.confirmation.expected)
        press(.enter)
        guard case .success? = state.wizard?.outcome else {
            Issue.record("the wizard did not apply: \(String(describing: state.wizard?.outcome))")
            return
        }
        look("wizard: result", scroll: true)
        press(.escape)

        // A backup named with the planted text, and an audit line holding it.
        let file = location.file
        let backups = RecoveryPaths.backupDirectory(for: file)
        let first = backups + "/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: backups).sorted().first))
        try FileManager.default.copyItem(atPath: first, toPath: backups + "/safety.dat.20261121T115802Z.\(Self.planted).bak")
        let record = JSON.object([
            ("time", .string(Self.planted)), ("user", .string(Self.planted)), ("action", .string(Self.planted)),
            ("key", .string(Self.planted)), ("prev_sha256", .string(Self.planted)),
        ]).serialized()
        let audit = try FileHandle(forWritingTo: URL(fileURLWithPath: AuditLog.path(for: file)))
        audit.seekToEndOfFile()
        audit.write(Data((record + "\n" + Self.planted + "\n").utf8))
        try audit.close()
        press(.character("h"))
        look("history")
        press(.character("G"))
        look("history, the planted backup")
        press(.character("c"))
        look("comparison with a backup")
        // A comparison with a path typed at the prompt (an operator's paste).
        press(.character("c"))
        type(parent + "/nowhere")
        press(.enter)
        look("comparison that fails")
        press(.character("e"))

        press(.character("W"))
        for _ in 0..<60 where (state.watch?.model.refreshes ?? 0) < 2 {
            usleep(100_000)
            settle(Core.update(&state, .tick))
        }
        #expect((state.watch?.model.refreshes ?? 0) >= 2)
        look("watch", scroll: true)
        press(.escape)
        press(.character("?"))
        look("help")
        press(.escape)

        // The case report, written where the prompt proposes (a name made from the path).
        press(.character("w"))
        let reportPath = try #require(state.prompt?.text)
        look("report prompt")
        press(.enter)
        look("report written")
        let report = try #require(FileManager.default.contents(atPath: reportPath), "no report at \(DisplayText.sanitize(reportPath))")
        TemporaryPaths.register(reportPath)
        let reportText = try #require(String(validating: [UInt8](report), as: UTF8.self))
        #expect(reportText.contains("\\r\\nFORGED"))
        for (i, line) in reportText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.unicodeScalars.contains(where: { DisplayText.needsEscape($0) }) { problems.append("report line \(i + 1): a raw control: \(DisplayText.sanitize(String(line)))") }
            if line.contains("FORGED") && !line.contains("\\r\\nFORGED") { problems.append("report line \(i + 1): a line a value started: \(DisplayText.sanitize(String(line)))") }
        }

        // Every screen the planted text reaches showed it (made visible).
        for name in ["entries", "entry detail", "lib", "wizard: review", "wizard: result", "history", "history, the planted backup", "comparison with a backup", "comparison that fails", "watch", "report prompt", "report written"] {
            #expect(shown.contains(name), "\(name) never showed the planted text")
        }
        #expect(rendered >= 40)
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(40).joined(separator: "\n"))")
    }
}
