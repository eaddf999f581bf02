import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// Issue 18, items 1 to 4: evidence that damage cannot hide. Each test is a case the issue
/// found writing a last vote older than evidence the tool was given.
@Suite("Evidence that damage cannot hide: duplicated answers, damaged backups, salvage past the damage, clock skew", .serialized)
struct EvidenceDamageTests {
    let bytes = SafetyFileWriter.encode(Fixture.savannaFile())

    /// Entry `k` of Fixture's keys with a last vote at `vote` (block n at slot 2n) and lock.
    static func entry(_ k: UInt64, vote: UInt32, lock: UInt32 = 5100) -> SafetyEntry { Fixture.savanna(key: k, vote: vote, lock: lock) }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A backup named as the write path names them.
    static func backupPath(_ file: String, minutes: Int = 0) -> String {
        RecoveryPaths.backupPath(
            for: file, time: Date(timeIntervalSince1970: 1_795_000_000 + Double(minutes * 60)), sha256: Digest.sha256(Array("\(minutes)".utf8)))
    }

    static func reset(_ path: String, key k: UInt64, _ set: EvidenceSet, lib: UInt32 = 5190) throws -> Plan {
        try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(k).text, inputs: Evidence.inputs(lib, set))
    }

    // MARK: 1. every answer counts

    @Test("an answer listing a key twice (#5,320 then #5,340): both are evidence, the newest is written, the duplicate is that node's problem")
    func duplicatedAnswer() throws {
        let info = Evidence.api("http://dup:8888", [Evidence.vote(1, block: 5320), Evidence.vote(2, block: 120), Evidence.vote(1, block: 5340, strong: false)])
        #expect(info.vote(for: Fixture.key(1))?.blockNumber == 5340)
        #expect(info.duplicates.map(\.votes.count) == [2])
        let set = EvidenceSet(network: [info], now: Evidence.now)
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, set))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5340)
        let network = plan.voteFloors[0].evidence.filter { $0.source == .network(url: "http://dup:8888") }
        #expect(network.map(\.vote.blockNumber) == [5320, 5340])
        #expect(network.allSatisfy { $0.note?.contains("PROBLEM in this node's answer: it lists the key 2 times (#5,320 and #5,340)") == true })
        #expect(plan.notes.contains { $0.contains("PROBLEM in this node's answer") && $0.contains("2 times (#5,320 and #5,340)") })
        // The same from the node's own JSON.
        let json = FakeAnswers.finalizerInfo([
            FakeAnswers.Vote(key: Fixture.key(1), block: 220, slot: 440, strong: true),
            FakeAnswers.Vote(key: Fixture.key(1), block: 240, slot: 480, strong: true),
        ])
        let parsed = try NodeAPI.parseFinalizerInfo(Array(json.utf8), url: "http://n")
        #expect(parsed.vote(for: Fixture.key(1))?.blockNumber == 240)
        #expect(parsed.votes(for: Fixture.key(1)).count == 2)
    }

    // MARK: 2. damaged evidence is still evidence

    @Test("a backup with a bad CRC is read entry by entry: its intact newer vote (#5,260) is written, marked as from a damaged file")
    func badCRCBackup() throws {
        let (_, path) = try Fixture.dataDir(Fixture.savannaFile())
        var backup = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [Self.entry(1, vote: 5260), Self.entry(2, vote: 100)]))
        backup[backup.count - 1] ^= 0xFF
        let b = Self.backupPath(path)
        try Self.write(backup, b)
        let set = EvidenceSet.gather(file: path, apiURLs: [], timeoutSeconds: 1)
        #expect(set.unreadableBackups.isEmpty)
        #expect(set.files.map(\.path) == [b])
        let plan = try Self.reset(path, key: 1, set)
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5260)
        let chosen = plan.voteFloors[0].chosen
        #expect(chosen.source == .file(path: b, entry: 0, offset: 24, damaged: true, found: false))
        #expect(chosen.line.contains("damaged file \(b), entry 0 at offset 24"))
        #expect(chosen.note?.contains("its file is damaged") == true)
        #expect(plan.notes.contains { $0.contains(b) && $0.contains("damaged") })
    }

    @Test("a backup cut at 600 bytes: the entries before the cut are evidence (#5,270 in entry 1)")
    func truncatedBackup() throws {
        let (_, path) = try Fixture.dataDir(Fixture.savannaFile())
        let full = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [Self.entry(2, vote: 100), Self.entry(1, vote: 5270), Self.entry(3, vote: 5000)]))
        try Self.write(Array(full.prefix(600)), Self.backupPath(path))
        let plan = try Self.reset(path, key: 1, EvidenceSet.gather(file: path, apiURLs: [], timeoutSeconds: 1))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5270)
    }

    @Test("a named backup whose magic is zeroed: the key is found by its bytes (#5,310)")
    func zeroedBackup() throws {
        let (_, path) = try Fixture.dataDir(Fixture.savannaFile())
        var b = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [Self.entry(2, vote: 100), Self.entry(1, vote: 5310)]))
        for i in 0..<24 { b[i] = 0 }
        try Self.write(b, Self.backupPath(path))
        let plan = try Self.reset(path, key: 1, EvidenceSet.gather(file: path, apiURLs: [], timeoutSeconds: 1))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5310)
        guard case .file(_, 1, 262, true, true) = plan.voteFloors[0].chosen.source else {
            Issue.record("chosen: \(plan.voteFloors[0].chosen.source)")
            return
        }
    }

    @Test("any file with the magic beside the file or in backups/, whatever its name, is evidence; other files are not read")
    func copiesWithAnyName() throws {
        let (_, path) = try Fixture.dataDir(Fixture.savannaFile())
        let dir = (path as NSString).deletingLastPathComponent
        try Self.write(SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [Self.entry(1, vote: 5280)])), dir + "/backups/before-upgrade.dat")
        try Self.write(SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [Self.entry(1, vote: 5290)])), dir + "/safety.dat.old")
        try Self.write(Array("not a safety file\n".utf8), dir + "/notes.txt")
        // No magic and not named as a backup: not read (it could be anything).
        var zeroed = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [Self.entry(1, vote: 5999)]))
        for i in 0..<8 { zeroed[i] = 0 }
        try Self.write(zeroed, dir + "/zeroed.dat")
        let set = EvidenceSet.gather(file: path, apiURLs: [], timeoutSeconds: 1)
        #expect(Set(set.files.map(\.path)) == [dir + "/backups/before-upgrade.dat", dir + "/safety.dat.old"])
        #expect(set.files.allSatisfy { !$0.damaged })
        let plan = try Self.reset(path, key: 1, set)
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5290)
        #expect(plan.voteFloors[0].evidence.contains { $0.source == .file(path: dir + "/backups/before-upgrade.dat", entry: 0, offset: 24, damaged: false, found: false) })
    }

    @Test("bounded: past the number of files or the bytes per file, what was left out is said")
    func bounded() throws {
        let (_, path) = try Fixture.dataDir(Fixture.savannaFile())
        let dir = (path as NSString).deletingLastPathComponent
        for (i, v) in [5281, 5282, 5283].enumerated() {
            try Self.write(SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [Self.entry(2, vote: 100), Self.entry(1, vote: UInt32(v))])), dir + "/copy-\(i).dat")
        }
        let set = EvidenceSet.gather(file: path, apiURLs: [], timeoutSeconds: 1, bounds: EvidenceBounds(maxFiles: 2, maxBytesPerFile: 300))
        #expect(set.files.count == 2)
        #expect(set.summary.contains { $0.contains("not examined: 1 file") && $0.contains("copy-2.dat") })
        #expect(set.files.allSatisfy { $0.bytes.count == 300 && $0.state.hasPrefix("only its first 300 of 502 bytes read") })
        // Entry 0 is within the 300 bytes read; entry 1 (key 1) is not: it is not invented.
        let plan = try Self.reset(path, key: 2, set)
        #expect(plan.voteFloors[0].evidence.filter { if case .file = $0.source { return true } else { return false } }.count == 2)
        let k1 = try Self.reset(path, key: 1, set)
        #expect(k1.entryAfter?.savanna?.lastVote.blockNumber == 5230)
    }

    // MARK: 3. salvage that does not stop at the first damage (repair)

    struct RepairDamage: CustomTestStringConvertible, Sendable {
        var name: String
        var damage: @Sendable ([UInt8]) -> [UInt8]
        /// Entries of v1-five-entries.dat left intact byte for byte.
        var intact: [Int]
        var testDescription: String { name }
    }

    static func zero(_ b: [UInt8], _ r: Range<Int>) -> [UInt8] {
        var b = b
        for i in r { b[i] = 0 }
        return b
    }

    static let repairDamages: [RepairDamage] = [
        RepairDamage(name: "zeroed magic", damage: { zero($0, 0..<8) }, intact: [0, 1, 2, 3, 4]),
        RepairDamage(name: "zeroed count", damage: { zero($0, 16..<24) }, intact: [0, 1, 2, 3, 4]),
        RepairDamage(name: "zeroed region before intact entries", damage: { zero($0, 261..<420) }, intact: [0, 2, 3, 4]),
        RepairDamage(name: "torn: CRC mismatch", damage: { b in var b = b; b[b.count - 2] ^= 0x5A; return b }, intact: [0, 1, 2, 3, 4]),
        RepairDamage(name: "truncated inside entry 3", damage: { Array($0.prefix(24 + 237 * 3 + 200)) }, intact: [0, 1, 2, 3]),
    ]

    @Test("repair keeps every intact entry's last vote, whatever damage precedes it, and says the offset", arguments: repairDamages)
    func repairKeepsEveryIntactEntry(_ d: RepairDamage) throws {
        let good = try Damage.fixture("v1-five-entries.dat")
        let truth = try SafetyFileReader.decode(good)
        let damaged = d.damage(good)
        let plan = try Planner.repair(
            bytes: damaged, path: "/d/finalizers/safety.dat", salvage: DamagedFile.read(damaged), inputs: Damage.inputs(EvidenceSet(now: Damage.now)))
        let written = try SafetyFileReader.decode(plan.afterBytes)
        for i in d.intact where Damage.configured.map(Fixture.key).contains(truth.entries[i].key) {
            let key = truth.entries[i].key
            let expected = try #require(truth.entries[i].savanna?.lastVote)
            let after = try #require(written.entries.first { $0.key == key }?.savanna?.lastVote)
            #expect(after == expected, "\(d.name): entry \(i) written #\(after.blockNumber), its true last vote is #\(expected.blockNumber)")
            let floor = try #require(plan.voteFloors.first { $0.key == key })
            #expect(floor.chosen.source.description.contains("offset"), "\(d.name): \(floor.chosen.source.description)")
        }
    }

    @Test("a key found past the damage is evidence only: other_branch_latest_time takes the safe side, the review says where it was found")
    func foundIsEvidenceOnly() throws {
        let good = try Damage.fixture("v1-five-entries.dat")
        let damaged = Self.zero(good, 0..<8)
        let plan = try Planner.repair(
            bytes: damaged, path: "/d/finalizers/safety.dat", salvage: DamagedFile.read(damaged), inputs: Damage.inputs(EvidenceSet(now: Damage.now)))
        let i = try #require(SafetyFileReader.decode(good).index(of: Fixture.key(2)))
        let k2 = try #require(plan.repair?.keys.first { $0.key == Fixture.key(2) })
        #expect(k2.before?.foundByKey == true)
        #expect(k2.before?.clean == false)
        #expect(k2.outcome == "rebuilt from evidence")
        #expect(k2.lost.contains { $0.contains("the key found at offset \(grouped(25 + 237 * i)) (entry \(i) by position)") }, "\(k2.lost)")
        let written = try #require(SafetyFileReader.decode(plan.afterBytes).entries.first { $0.key == Fixture.key(2) }?.savanna)
        #expect(written.otherBranchLatestTime == written.lastVote.timestamp)
    }

    // MARK: 4. clock skew is not damage

    @Test("a last vote 4.5 s ahead of the clock is clock skew: counted, with the skew shown")
    func skewCounts() throws {
        // Key 1 voted block 5,230 at slot 10,460; now is 9 slots (4.5 s) earlier.
        let set = EvidenceSet(now: BlockTimestamp(slot: 10_451))
        let plan = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, set))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5230)
        let own = plan.voteFloors[0].evidence[0]
        #expect(own.usable)
        #expect(own.aheadSlots == 9)
        #expect(own.note?.contains("ahead of now by 4.5s (this machine's clock): clock skew within the 10m tolerance, counted") == true)
        #expect(reviewText(plan).contains("ahead of now by 4.5s"))
        // With no tolerance, the same vote needs a decision.
        let strict = EvidenceSet(now: BlockTimestamp(slot: 10_451), toleranceSeconds: 0)
        #expect(throws: EngineError.self) {
            try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, strict))
        }
    }

    /// Key 1's entry voted block 157,690,000 (slot 315,380,000: about 5 years after
    /// Evidence.now); a node API saw it vote 5,200.
    static let farAhead = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [
        Fixture.savanna(key: 1, vote: 157_690_000, lock: 5210), Fixture.savanna(key: 2, vote: 100, lock: 90),
    ]))

    @Test("beyond the tolerance: refused without the operator's decision, saying what to do and what discarding allows")
    func beyondToleranceRefused() throws {
        let set = EvidenceSet(network: [Evidence.api("http://a", [Evidence.vote(1, block: 5200)])], now: Evidence.now)
        do {
            _ = try Planner.reset(bytes: Self.farAhead, path: "/x", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, set))
            Issue.record("a vote 5 years ahead was discarded without a decision")
        } catch {
            #expect(error.status == .invalidOrRefused)
            let text = error.description
            #expect(text.contains("--discard-future-vote \(Fixture.key(1).text) --discard-reason TEXT"))
            #expect(text.contains("--clock-skew"))
            #expect(text.contains("never by --yes alone"))
            #expect(text.contains("the key may vote again on blocks after"))
            #expect(text.contains("a double vote at those times becomes possible"))
        }
    }

    @Test("discarded by the operator: the change goes ahead, the review and a warning say what it allows, the audit record keeps the reason")
    func discardedWithReason() throws {
        let reason = "the node's clock was set to 2031 by mistake on 2026-11-30"
        let set = EvidenceSet(
            network: [Evidence.api("http://a", [Evidence.vote(1, block: 5200)])], now: Evidence.now,
            discards: [FutureVoteDiscard(key: Fixture.key(1), reason: reason)])
        let plan = try Planner.reset(bytes: Self.farAhead, path: "/x", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, set))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5200)
        let floor = plan.voteFloors[0]
        #expect(floor.discarded.count == 1)
        #expect(floor.evidence[0].rejected?.contains("DISCARDED by the operator (--discard-future-vote): \(reason)") == true)
        #expect(floor.lines.contains { $0.hasPrefix("discarded by the operator (\(reason))") && $0.contains("double vote") })
        #expect(plan.warnings.contains { $0.message.contains("DISCARDED by the operator (\(reason))") && $0.message.contains("up to") })
        let line = JSON.object(AuditLog.record(plan: plan, backup: "/b", context: Fixture.context()) + [("prev_sha256", .string(""))]).serialized()
        #expect(line.contains("\"discarded_future_votes\""))
        #expect(line.contains(reason))
    }

    @Test("with a node API, now is the network's head time: a vote 30 minutes ahead of this machine's clock but before the head counts")
    func networkHeadIsNow() throws {
        let local = Date(timeIntervalSince1970: 1_796_000_000)
        let localSlot = BlockTimestamp(date: local)!.slot
        let vote = BlockRef(blockID: Fixture.id(7_000), timestamp: BlockTimestamp(slot: localSlot + 3_600))
        let file = SafetyFile(format: .savannaV1, entries: [SafetyEntry(key: Fixture.key(1), state: .savanna(SavannaSafety(lastVote: vote, lock: vote)))])
        let (_, path) = try Fixture.dataDir(file)
        let node = TestHTTPServer([
            "/v1/chain/get_finalizer_info": .respond(status: 200, body: FakeAnswers.finalizerInfo([])),
            "/v1/chain/get_info": .respond(status: 200, body: FakeAnswers.getInfo(head: 7_100, headSlot: localSlot + 7_200, lib: 6_990, libSlot: localSlot - 10)),
        ])
        defer { node.stop() }
        let set = EvidenceSet.gather(file: path, apiURLs: [node.baseURL], timeoutSeconds: 5, now: local, toleranceSeconds: 60)
        #expect(set.now == BlockTimestamp(slot: localSlot + 7_200))
        #expect(set.clock == .network(url: node.baseURL, answered: 1))
        #expect(set.summary.contains { $0.hasPrefix("now: ") && $0.contains("the network's head time (head_block_time from \(node.baseURL))") })
        let lib = LIBReading(lib: LIB(blockID: Fixture.id(6_990), timestamp: BlockTimestamp(slot: localSlot - 10)), source: .typed)
        let inputs = ResetInputs(lib: try LIBDecision.forPlan([lib], choice: nil, reason: nil), evidence: set)
        let plan = try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(1).text, inputs: inputs)
        #expect(plan.entryAfter?.savanna?.lastVote == vote)
        // Without the node, the same vote is 30 minutes ahead of the clock: beyond 60 s.
        let alone = EvidenceSet.gather(file: path, apiURLs: [], timeoutSeconds: 5, now: local, toleranceSeconds: 60)
        var localInputs = inputs
        localInputs.evidence = alone
        #expect(throws: EngineError.self) { try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(1).text, inputs: localInputs) }
    }

    @Test("both doors carry the tolerance and the decision: ChangeRequest's fields reach the review")
    func requestCarriesTheDecision() throws {
        // Key 1 voted at slot 10,460 (2000-01-01 + 87 min); the clock says 2000-01-01T00:00:00.
        let (dir, _) = try Fixture.dataDir(Fixture.savannaFile())
        let proc = TemporaryPaths.name("finality-proc")
        try FileManager.default.createDirectory(atPath: proc, withIntermediateDirectories: true)
        let env = ChangeEnvironment(toolVersion: "test", procRoot: proc, home: "/nonexistent-home", now: { Date(timeIntervalSince1970: 946_684_800) })
        let key = Fixture.key(1).text
        let plain = ChangeRequest(.reset(key: key), path: dir, lib: .readings([Fixture.lib(5190)]))
        #expect(throws: EngineError.self) { try ChangeWorkflow.review(plain, environment: env) }
        // A wider tolerance makes it skew.
        var wide = plain
        wide.clockSkewSeconds = 2 * 3600
        #expect(try ChangeWorkflow.review(wide, environment: env).plan.entryAfter?.savanna?.lastVote.blockNumber == 5230)
        var decided = plain
        decided.futureVoteDiscards = [FutureVoteDiscard(key: Fixture.key(1), reason: "clock reset")]
        let review = try ChangeWorkflow.review(decided, environment: env)
        #expect(review.plan.entryAfter?.savanna?.lastVote.blockNumber == 5190)
        #expect(review.plan.voteFloors[0].discarded.map(\.reason) == ["clock reset"])
    }
}
