import BLS12381
@testable import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityRunner
import FinalitySamples
import FinalityTestSupport
import Foundation
import Testing

/// Every door, the same change (issue 17): for each kind of change over a table of setups,
/// the wizard (the pure core driven by keys, its effects performed by the real runner) and
/// the command line (the real binary) produce byte-identical new files, the same review
/// text and the same audit record, apart from times and the folder each ran in.
@Suite("Every door, the same change: the wizard and the command line write the same file, review and audit record", .serialized)
struct EveryDoorTests {
    /// One setup: a node's home (`data/`, `config/`) made twice, the same way.
    struct Setup: Sendable, CustomTestStringConvertible {
        var name: String
        /// Makes the node's home under a new folder; returns the data dir.
        var make: @Sendable () throws -> String
        /// The command line, given the data dir (without `--yes`, added here).
        var command: @Sendable (_ data: String) -> [String]
        /// The same choices typed into the interface.
        var keys: WizardKeys
        /// A node API the interface is given (`finality PATH --api URL`).
        var api: String?
        /// What the written file must show (beyond being the same through both doors).
        var check: @Sendable (_ written: SafetyFile) -> [String] = { _ in [] }
        var testDescription: String { name }
    }

    /// What the operator types in the interface.
    enum WizardKeys: Sendable {
        /// Reset entry `index`; at step 2 choose LIB answer `libAnswer`, with a reason when asked.
        case reset(index: Int, libAnswer: Int = 0, reason: String? = nil)
        case delete(index: Int)
        /// Reset: step 1's first line, every key that will not vote (k above the first entry).
        case resetNotVoting
        case repair
        /// Restore the backup at `index` in History (newest first).
        case restore(index: Int)
        /// `i`, the document's path (in the node's home, beside `data/`), Enter: every key.
        case importDocument(name: String)
    }

    /// The binary's own version: the runner is given the same, as the executable gives it.
    static let toolVersion = BuiltBinary.version

    // MARK: the setups

    /// The demo's LIB slot (its entry of key 11 voted 12 blocks, one slot each, after LIB).
    static func libSlot(_ file: SafetyFile) -> UInt32 { file.entries[1].savanna!.lastVote.timestamp.slot - 12 }

    /// Block `n` past the demo's LIB, as a node would report it: an id carrying n.
    static func ref(_ n: UInt32, libSlot: UInt32) -> BlockRef {
        BlockRef(blockID: FakeAnswers.id(n), timestamp: BlockTimestamp(slot: libSlot + (n - DemoDataDir.libNumber)))
    }

    static func demo() throws -> (data: String, file: String, safety: SafetyFile) {
        let parent = try TemporaryPaths.directory("finality-every-door")
        let location = try DemoDataDir.build(parent: parent)
        let bytes = try FileBytes.read(location.file)
        return (location.dataDir!, location.file, SafetyFileReader.verify(bytes).file!)
    }

    static func write(_ file: SafetyFile, to path: String) throws {
        try Data(SafetyFileWriter.encode(file)).write(to: URL(fileURLWithPath: path))
    }

    /// A backup beside the file, named as the write path names them; made at a fixed time
    /// before the test (its name carries the time, and both doors' setups must be alike).
    static func backup(_ file: SafetyFile, of path: String, minutesAgo: Int) throws -> String {
        let dir = RecoveryPaths.backupDirectory(for: path)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let bytes = SafetyFileWriter.encode(file)
        let name = RecoveryPaths.backupPath(
            for: path, time: Date(timeIntervalSince1970: 1_795_000_000 - Double(minutesAgo * 60)), sha256: Digest.sha256(bytes))
        try Data(bytes).write(to: URL(fileURLWithPath: name))
        return name
    }

    /// A node API on this machine answering for the demo's chain: its LIB (blocks.log's
    /// own, or `libOffset` blocks later) and the tracked votes given.
    final class DemoNode: @unchecked Sendable {
        let server = TestHTTPServer([:])
        var url: String { server.baseURL }

        func answer(for data: String, libOffset: UInt32 = 0, votes: [FakeAnswers.Vote]) throws {
            let reading = try LIBSources.fromBlocksDir(data + "/blocks")
            let slot = reading.lib.timestamp.slot + libOffset
            let id = libOffset == 0 ? reading.lib.blockID : FakeAnswers.id(DemoDataDir.libNumber + libOffset)
            let number = id.blockNumber
            let info = """
                {"server_version":"d133c641","chain_id":"\(reading.chainID!.hex)","head_block_num":\(number + 20),\
                "last_irreversible_block_num":\(number),"last_irreversible_block_id":"\(id.hex)",\
                "head_block_id":"\(FakeAnswers.id(number + 20).hex)","head_block_time":"\(FakeAnswers.time(slot + 20))",\
                "head_block_producer":"bp1","last_irreversible_block_time":"\(FakeAnswers.time(slot))"}
                """
            server.route("/v1/chain/get_info", .respond(status: 200, body: info))
            server.route("/v1/chain/get_finalizer_info", .respond(status: 200, body: FakeAnswers.finalizerInfo(votes)))
        }
    }

    static let node = DemoNode()

    /// Issue 24: node A's document (every entry of the demo as built, the chain of its
    /// blocks.log), the same bytes for both doors (fixed host, path and time), put in the
    /// node's home under `name`; node B's file lacks key 11 and has an older entry of key 14.
    static func standbyWithDocument(name: String) throws -> String {
        let d = try demo()
        let chain = try LIBSources.fromBlocksDir(d.data + "/blocks")
        let sourceBytes = SafetyFileWriter.encode(d.safety)
        let document = try InterchangeDocument.export(
            d.safety, chainID: chain.chainID!, chainIDSource: "blocks.log /srv/node-a/data/blocks/blocks.log",
            exported: InterchangeDocument.Exported(
                time: "2026-12-07T03:30:00Z", host: "node-a.example", path: "/srv/node-a/data/finalizers/safety.dat",
                sha256: Digest.sha256(sourceBytes), fileFormat: d.safety.format.name, tool: "finality test", whileRunning: false))
        try Data(document.bytes).write(to: URL(fileURLWithPath: home(d.data) + "/" + name))
        var standby = d.safety
        standby.entries.remove(at: 1)
        let older = d.safety.entries[4].savanna!
        // Blocks 50 and 52 before LIB (one slot each).
        func before(_ n: UInt32) -> BlockRef {
            BlockRef(blockID: FakeAnswers.id(DemoDataDir.libNumber - n), timestamp: BlockTimestamp(slot: libSlot(d.safety) - n))
        }
        standby.entries[3].state = .savanna(SavannaSafety(lastVote: before(50), lock: before(52)))
        #expect(standby.entries[3].key == d.safety.entries[4].key && older.lock.blockNumber > 400_000_148)
        try write(standby, to: d.file)
        return d.data
    }

    static let setups: [Setup] = {
        let key14 = SampleKeys.key(14).text
        let key12 = SampleKeys.key(12).text
        let key11 = SampleKeys.key(11).text
        @Sendable func blocks(_ data: String) -> [String] { ["--blocks-dir", data + "/blocks"] }
        return [
            // The demo reproduction of issue 17: a backup holds a newer last vote for entry
            // 4's key (#400,000,205, after LIB #400,000,200). The wizard wrote #…200.
            Setup(
                name: "reset, a newer backup",
                make: {
                    let d = try demo()
                    var newer = d.safety
                    newer.entries[4].state = .savanna(
                        SavannaSafety(lastVote: ref(400_000_205, libSlot: libSlot(d.safety)), lock: d.safety.entries[4].savanna!.lock))
                    _ = try backup(newer, of: d.file, minutesAgo: 30)
                    return d.data
                },
                command: { ["reset", $0, "--key", key14] + blocks($0) },
                keys: .reset(index: 4),
                check: { f in
                    let v = f.entries[4].savanna!.lastVote.blockNumber
                    return v == 400_000_205 ? [] : ["entry 4's last vote is #\(v), not the backup's #400,000,205"]
                }),
            // Issue 18: a backup whose CRC is bad still holds entry 4's newer last vote
            // (#400,000,207); read entry by entry, it is evidence on both doors.
            Setup(
                name: "reset, a damaged backup",
                make: {
                    let d = try demo()
                    var newer = d.safety
                    newer.entries[4].state = .savanna(
                        SavannaSafety(lastVote: ref(400_000_207, libSlot: libSlot(d.safety)), lock: d.safety.entries[4].savanna!.lock))
                    let path = try backup(newer, of: d.file, minutesAgo: 20)
                    var bytes = try FileBytes.read(path)
                    bytes[bytes.count - 1] ^= 0xFF
                    try Data(bytes).write(to: URL(fileURLWithPath: path))
                    return d.data
                },
                command: { ["reset", $0, "--key", key14] + blocks($0) },
                keys: .reset(index: 4),
                check: { f in
                    let v = f.entries[4].savanna!.lastVote.blockNumber
                    return v == 400_000_207 ? [] : ["entry 4's last vote is #\(v), not the damaged backup's #400,000,207"]
                }),
            // A node API given: its tracked vote (#…230) is evidence on both doors.
            Setup(
                name: "reset, a node API's tracked vote",
                make: {
                    let d = try demo()
                    try node.answer(
                        for: d.data,
                        votes: [FakeAnswers.Vote(key: SampleKeys.key(14), block: 400_000_230, slot: libSlot(d.safety) + 30, strong: true)])
                    return d.data
                },
                command: { ["reset", $0, "--key", key14] + blocks($0) + ["--api", node.url] },
                keys: .reset(index: 4), api: node.url,
                check: { f in
                    let v = f.entries[4].savanna!.lastVote.blockNumber
                    return v == 400_000_230 ? [] : ["entry 4's last vote is #\(v), not the node API's #400,000,230"]
                }),
            // Two LIB sources that disagree: the second chosen, with a reason.
            Setup(
                name: "reset, two LIB sources that disagree",
                make: {
                    let d = try demo()
                    try node.answer(for: d.data, libOffset: 3, votes: [])
                    return d.data
                },
                command: {
                    ["reset", $0, "--key", key11] + blocks($0)
                        + ["--api", node.url, "--lib-choice", "2", "--lib-reason", "blocks.log is behind the network"]
                },
                keys: .reset(index: 1, libAnswer: 1, reason: "blocks.log is behind the network"), api: node.url,
                check: { f in
                    let lock = f.entries[1].savanna!.lock.blockNumber
                    return lock == 400_000_203 ? [] : ["entry 1's lock is #\(lock), not the chosen API's LIB #400,000,203"]
                }),
            // Issue 21: several keys, one incident. Entry 2 loses its lock too: with entry 5
            // (never voted, no lock) two keys will not vote; one change resets both, each
            // with its own vote floor (entry 2's own last vote, entry 5's LIB).
            Setup(
                name: "reset every key that will not vote",
                make: {
                    let d = try demo()
                    var stuck = d.safety
                    stuck.entries[2].state = .savanna(SavannaSafety(lastVote: d.safety.entries[2].savanna!.lastVote, lock: .empty))
                    try write(stuck, to: d.file)
                    return d.data
                },
                command: { ["reset", $0, "--not-voting"] + blocks($0) },
                keys: .resetNotVoting,
                check: { f in
                    var problems = [String]()
                    for i in [2, 5] where f.entries[i].savanna!.lock.blockNumber != DemoDataDir.libNumber {
                        problems.append("entry \(i)'s lock is not LIB")
                    }
                    if f.entries[2].savanna!.lastVote.blockNumber != 400_000_212 { problems.append("entry 2's own last vote was not kept as its floor") }
                    if f.entries[4].savanna!.lock.blockNumber != 400_000_178 { problems.append("entry 4 (it votes) was changed") }
                    return problems
                }),
            Setup(
                name: "delete",
                make: { try demo().data },
                command: { ["delete", $0, "--key", key12] + blocks($0) },
                keys: .delete(index: 2)),
            // A key present twice: the first entry goes, the second stays.
            Setup(
                name: "delete, a duplicated key",
                make: {
                    let d = try demo()
                    var twice = d.safety
                    var copy = d.safety.entries[2]
                    copy.state = .savanna(SavannaSafety(lastVote: ref(400_000_220, libSlot: libSlot(d.safety)), lock: d.safety.entries[2].savanna!.lock))
                    twice.entries.append(copy)
                    try write(twice, to: d.file)
                    return d.data
                },
                command: { ["delete", $0, "--key", key12] + blocks($0) },
                keys: .delete(index: 2),
                check: { f in f.entries.filter { $0.key == SampleKeys.key(12) }.count == 1 ? [] : ["the duplicate of key 12 is not the one left"] }),
            Setup(
                name: "restore",
                make: {
                    let d = try demo()
                    var older = d.safety
                    older.entries.removeLast()
                    _ = try backup(older, of: d.file, minutesAgo: 90)
                    return d.data
                },
                command: { data in
                    let dir = RecoveryPaths.backupDirectory(for: data + "/finalizers/safety.dat")
                    let name = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.first ?? "?"
                    return ["restore", data, "--from", dir + "/" + name]
                },
                keys: .restore(index: 0),
                check: { f in f.entries.count == 5 ? [] : ["the restored file has \(f.entries.count) entries, not the backup's 5"] }),
            // A file cut in its fourth entry: nodeos refuses it; every configured key gets an
            // entry, the ones that read keep their last votes.
            Setup(
                name: "repair, a damaged file",
                make: {
                    let d = try demo()
                    let bytes = SafetyFileWriter.encode(d.safety)
                    try Data(bytes.prefix(24 + 237 * 3 + 100)).write(to: URL(fileURLWithPath: d.file))
                    return d.data
                },
                command: { ["repair", $0] + blocks($0) },
                keys: .repair,
                check: { f in f.entries.count == 7 ? [] : ["the repaired file has \(f.entries.count) entries, not 7 (6 configured keys and the inactive one)"] }),
            Setup(
                name: "repair, a missing file",
                make: {
                    let d = try demo()
                    try FileManager.default.removeItem(atPath: d.file)
                    return d.data
                },
                command: { ["repair", $0] + blocks($0) },
                keys: .repair,
                check: { f in f.entries.count == 6 ? [] : ["the created file has \(f.entries.count) entries, not the 6 configured keys"] }),
            // The Leap prototype's safety_db.dat in the data dir (no finalizers/safety.dat).
            Setup(
                name: "reset, HotStuff",
                make: {
                    let d = try demo()
                    try FileManager.default.removeItem(atPath: d.file)
                    let entries = [UInt64(11), 12].map { k -> SafetyEntry in
                        let jacobian = SampleKeys.key(k).bytes.withUnsafeBytes { G1.jacobianMontgomeryLE(fromAffineLE: $0) }
                        return SafetyEntry(
                            key: SampleKeys.key(k),
                            state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: 400_000_150, pcounter: 3), bLock: Bytes32([UInt8](repeating: UInt8(k), count: 32)))),
                            hotStuffKeyBytes: jacobian)
                    }
                    try write(SafetyFile(format: .hotStuff, entries: entries), to: d.data + "/safety_db.dat")
                    return d.data
                },
                command: { ["reset", $0, "--key", key11] + blocks($0) },
                keys: .reset(index: 0),
                check: { f in f.entries[0].hotStuff?.vheight == VHeight(bheight: DemoDataDir.libNumber, pcounter: 2) ? [] : ["_vheight is not {LIB, 2}"] }),
            // Issue 24: a key moved from node A to standby B. B lacks key 11 (added as A had
            // it) and has an older entry of key 14 (raised to A's: nothing moves back).
            Setup(
                name: "import, a document from another node",
                make: { try standbyWithDocument(name: "moved.json") },
                command: { ["import", $0, home($0) + "/moved.json"] },
                keys: .importDocument(name: "moved.json"),
                check: { f in
                    let a = try? demo().safety
                    var problems = [String]()
                    guard let a else { return ["node A's file could not be made again"] }
                    if f.entries.last != a.entries[1] || a.entries[1].key.text != key11 {
                        problems.append("key 11's entry is not node A's, byte for byte")
                    }
                    if f.entries.first(where: { $0.key == a.entries[4].key }) != a.entries[4] { problems.append("key 14's entry was not raised to node A's") }
                    return problems
                }),
        ]
    }()

    // MARK: the two doors

    /// What one door left: the file, the review it showed, the audit record it appended.
    struct Result {
        var bytes: [UInt8]
        var review: [String]
        var audit: [String: Any]
    }

    /// The interface: the pure core, keys pressed, each effect performed by the runner the
    /// executable uses, each answer fed back (as the program's loop does, without a terminal).
    static func throughTheWizard(_ setup: Setup, data: String) throws -> Result {
        // As `finality PATH` opens it: a data dir whose safety file is missing too.
        let location = try (try? Location.resolve(data)) ?? RepairTarget.resolve(data).location
        var state = AppState(location: location, readOnly: false, size: Size(columns: 120, rows: 40), apiURL: setup.api)
        let runner = EngineEffects(toolVersion: toolVersion)
        func settle(_ effects: [Effect]) {
            var queue = effects
            while !queue.isEmpty { queue += Core.update(&state, runner.perform(queue.removeFirst())) }
        }
        func press(_ keys: Key...) { for k in keys { settle(Core.update(&state, .terminal(.key(k)))) } }
        func type(_ text: String) { for ch in text { press(.character(ch)) } }
        settle(Core.start(&state))
        switch setup.keys {
        case .reset(let index, let libAnswer, let reason):
            for _ in 0..<index { press(.character("j")) }
            press(.character("r"), .enter)
            for _ in 0..<libAnswer { press(.character("j")) }
            press(.enter)
            if let reason, state.prompt != nil {
                type(reason)
                press(.enter)
            }
        case .delete(let index):
            for _ in 0..<index { press(.character("j")) }
            press(.character("d"), .enter)
        case .resetNotVoting:
            press(.character("r"), .character("k"), .enter, .enter)
        case .repair:
            press(.character("R"), .enter, .enter)
        case .restore(let index):
            press(.character("h"))
            for _ in 0..<index { press(.character("j")) }
            press(.character("r"), .enter)
        case .importDocument(let name):
            press(.character("i"), .control("u"))
            type(home(data) + "/" + name)
            press(.enter)
        }
        let plan = try #require(state.wizard?.plan, "no review at step 3: \(state.wizard?.planError ?? "?"); \(state.status?.text ?? "")")
        #expect(plan.refusal == nil, "\(setup.name): the wizard's review refuses: \(plan.refusal ?? "")")
        press(.enter)
        type(plan.confirmation.expected)
        press(.enter)
        guard case .success? = state.wizard?.outcome else {
            throw Failure("\(setup.name): the wizard did not apply: \(String(describing: state.wizard?.outcome))")
        }
        return try result(location.file, review: plan.text)
    }

    /// The command line: the real binary, `--yes`.
    static func throughTheCommandLine(_ setup: Setup, data: String, environment: [String: String] = [:]) throws -> Result {
        let run = BuiltBinary.run(setup.command(data) + ["--yes"], env: environment)
        guard run.status == 0 else { throw Failure("\(setup.name): exit \(run.status): \(run.stderr)\(run.stdout)") }
        // The review is everything printed before the result ("Done. Interlocks while applying:").
        let review = try #require(run.stdout.components(separatedBy: "\nDone. Interlocks while applying:").first)
        let location = try Location.resolve(data)
        var lines = review.components(separatedBy: "\n")
        while lines.last == "" { lines.removeLast() }
        return try result(location.file, review: lines)
    }

    static func result(_ file: String, review: [String]) throws -> Result {
        // The change's record (written before the rename; its completion follows it).
        let lines = try String(contentsOfFile: AuditLog.path(for: file), encoding: .utf8).split(separator: "\n")
        let last = try #require(lines.last { $0.contains("\"state\":\"applying\"") })
        let audit = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        return Result(bytes: try FileBytes.read(file), review: review, audit: audit)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Texts that name the folder a door ran in, or the time it ran, made comparable: the
    /// node's home becomes `<home>`. The process scan's line says what other processes of
    /// the machine run at that moment (other suites start and stop fake nodes): left out.
    static func comparable(_ lines: [String], home: String) -> [String] {
        lines.filter { !$0.contains("processes using ") }.map { $0.replacingOccurrences(of: home, with: "<home>") }
    }

    /// An audit record without what says when it was written (its time, the backup's
    /// timed name, the chain hash over both) and how long a node API took to answer.
    static func comparable(_ audit: [String: Any], home: String) throws -> String {
        var a = audit
        for k in ["time", "backup", "prev_sha256"] { a.removeValue(forKey: k) }
        let data = try JSONSerialization.data(withJSONObject: a, options: [.sortedKeys])
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: home.replacingOccurrences(of: "/", with: "\\/"), with: "<home>")
            .replacingOccurrences(of: home, with: "<home>")
        return text.replacingOccurrences(of: #"in [0-9]+ ms"#, with: "in _ ms", options: .regularExpression)
    }

    static func home(_ data: String) -> String { (data as NSString).deletingLastPathComponent }

    /// The interlocks run once for the review and once under the write path's lock, on
    /// both doors. Each run probes the state lock first (`Interlocks.probeStateLock` opens
    /// `state/shared_memory.bin` through `Sys`), so the fault-injection trace of the change
    /// counts the runs: in process for the wizard, `FINALITY_FAULT_TRACE` for the binary.
    @Test("a change runs the interlocks twice on either door: once for the review, once under the write path's lock")
    func interlocksRunOnceForTheReviewAndOnceUnderTheLock() throws {
        try RequiredTools.require(needsTmux: false)
        let setup = Self.setups.first { $0.name == "delete" }!
        func probes(_ trace: [String], _ data: String) -> Int { trace.filter { $0 == "open \(data)/state/shared_memory.bin" }.count }

        let wizardData = try setup.make()
        let plan = FaultInjection.Plan([])
        _ = try FaultInjection.$plan.withValue(plan) { try Self.throughTheWizard(setup, data: wizardData) }
        #expect(probes(plan.trace, wizardData) == 2, "the wizard's change probed the state lock \(probes(plan.trace, wizardData)) times")

        let cliData = try setup.make()
        let trace = TemporaryPaths.name("finality-trace")
        TemporaryPaths.register(trace)
        _ = try Self.throughTheCommandLine(setup, data: cliData, environment: ["FINALITY_FAULT_TRACE": trace])
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(probes(lines, cliData) == 2, "the command line's change probed the state lock \(probes(lines, cliData)) times")
    }

    @Test("the same request through the wizard and the command line: the same new file, review and audit record", arguments: setups)
    func sameChangeThroughEveryDoor(_ setup: Setup) throws {
        try RequiredTools.require(needsTmux: false)
        let wizardData = try setup.make()
        let wizard = try Self.throughTheWizard(setup, data: wizardData)
        let cliData = try setup.make()
        let cli = try Self.throughTheCommandLine(setup, data: cliData)

        #expect(wizard.bytes == cli.bytes, "\(setup.name): the new files differ (wizard \(Digest.sha256(wizard.bytes).hex), command line \(Digest.sha256(cli.bytes).hex))")
        let written = try #require(SafetyFileReader.verify(cli.bytes).file)
        #expect(SafetyFileReader.verify(cli.bytes).errors.isEmpty, "\(setup.name): nodeos would refuse the new file")
        for problem in setup.check(written) { Issue.record("\(setup.name): \(problem)") }

        let wizardReview = Self.comparable(wizard.review, home: Self.home(wizardData))
        let cliReview = Self.comparable(cli.review, home: Self.home(cliData))
        #expect(wizardReview.count > 5, "\(setup.name): the wizard's review is empty")
        #expect(wizardReview == cliReview, "\(setup.name): the reviews differ:\n\(zip(wizardReview, cliReview).filter { $0 != $1 }.prefix(5).map { "wizard: \($0)\ncli:    \($1)" }.joined(separator: "\n"))")

        let wizardAudit = try Self.comparable(wizard.audit, home: Self.home(wizardData))
        let cliAudit = try Self.comparable(cli.audit, home: Self.home(cliData))
        #expect(wizardAudit == cliAudit, "\(setup.name): the audit records differ:\nwizard: \(wizardAudit)\ncli:    \(cliAudit)")
    }
}
