import Foundation
import FinalityFormat
import PropertyBased
import Testing
import FinalityTestSupport
@testable import FinalityEngine

@Suite("The vote floor: last vote := the newest evidence of the key's own last vote")
struct VoteFloorTests {
    let bytes = SafetyFileWriter.encode(Fixture.savannaFile())

    @Test("a backup holding a newer vote wins over the entry and LIB; every piece is listed with its source")
    func backupWins() throws {
        let set = EvidenceSet(
            backups: [
                Evidence.backup("/b/old.bak", [Fixture.savanna(key: 2, vote: 7000, lock: 6990)]),
                Evidence.backup("/b/new.bak", [Fixture.savanna(key: 2, vote: 6000, lock: 5990)]),
            ], now: Evidence.now)
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(2).text, inputs: Evidence.inputs(5190, set))
        let floor = try #require(plan.voteFloors.first)
        #expect(floor.evidence.map(\.source) == [
            .entry(file: "/x/safety.dat"), .backup(path: "/b/new.bak"), .backup(path: "/b/old.bak"), .lib(.typed),
        ])
        // The older backup's vote is newer: the last vote was moved back since; it still counts.
        #expect(floor.chosen.source == .backup(path: "/b/old.bak"))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 7000)
        #expect(plan.entryAfter?.savanna?.lastVote.finalityDigest == Bytes32([UInt8](repeating: 0x11, count: 32)))
        let text = reviewText(plan)
        #expect(text.contains("=> backup /b/old.bak: block #7,000"))
        #expect(text.contains("the newest backup holding the key"))
        #expect(text.contains("after: votes on the first block after"))
        #expect(text.contains("will not vote at or before"))
    }

    @Test("the network's tracked votes from every API given: the newest wins, its URL named")
    func networkWins() throws {
        let set = EvidenceSet(
            network: [
                Evidence.api("http://a:8888", [Evidence.vote(1, block: 5300)]),
                Evidence.api("http://b:8888", [Evidence.vote(1, block: 5310, strong: false), Evidence.vote(3, block: 1)]),
            ], now: Evidence.now)
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, set))
        let floor = try #require(plan.voteFloors.first)
        #expect(floor.chosen.source == .network(url: "http://b:8888"))
        #expect(floor.chosen.note == "weak vote")
        #expect(plan.entryAfter?.savanna?.lastVote == BlockRef(blockID: Fixture.id(5310, fill: 0x99), timestamp: BlockTimestamp(slot: 10620)))
        #expect(!plan.warnings.contains { $0.kind == .lastVoteMovesBack })
        #expect(plan.json.serialized().contains("\"vote_floors\""))
    }

    @Test("the entry's own last vote in the future is shown, not used, and the move back is a warning")
    func futureEntry() throws {
        let set = EvidenceSet(network: [Evidence.api("http://a", [Evidence.vote(1, block: 5200)])], now: BlockTimestamp(slot: 10_450))
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, set))
        let floor = try #require(plan.voteFloors.first)
        #expect(floor.evidence[0].rejected?.hasPrefix("in the future") == true)
        #expect(floor.chosen.source == .network(url: "http://a"))
        #expect(plan.warnings.contains { $0.kind == .lastVoteMovesBack && $0.message.contains("in the future") && $0.message.contains("double vote") })
        #expect(reviewText(plan).contains("NOT USED, in the future"))
    }

    @Test("equal times: the entry's own last vote is kept as it is (its id and digest)")
    func tieKeepsEntry() throws {
        let set = EvidenceSet(network: [Evidence.api("http://a", [Evidence.vote(1, block: 5230)])], now: Evidence.now)
        let plan = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, set))
        #expect(plan.voteFloors[0].chosen.source == .entry(file: "/x"))
        #expect(plan.entryAfter?.savanna?.lastVote == plan.entryBefore?.savanna?.lastVote)
    }

    @Test("a newest backup in the future does not hide an older backup's usable vote (found by the property below)")
    func futureBackupHidesNothing() throws {
        let set = EvidenceSet(
            backups: [
                Evidence.backup("/b/0.bak", [Fixture.savanna(key: 3, vote: 1732, lock: 1)]),
                Evidence.backup("/b/1.bak", [Fixture.savanna(key: 3, vote: 2036, lock: 1)]),
            ], now: BlockTimestamp(slot: 3604))
        let plan = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(3).text, inputs: Evidence.inputs(1629, set))
        #expect(plan.voteFloors[0].chosen.source == .backup(path: "/b/0.bak"))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 1732)
    }

    @Test("--vote-floor lib: last vote := LIB, with a warning for every newer piece of evidence")
    func libFloor() throws {
        let set = EvidenceSet(
            backups: [Evidence.backup("/b/1.bak", [Fixture.savanna(key: 1, vote: 5250, lock: 5240)])],
            network: [Evidence.api("http://a", [Evidence.vote(1, block: 5260)])], now: Evidence.now)
        let plan = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: Evidence.inputs(5190, set, floor: .lib))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5190)
        let newer = plan.warnings.filter { $0.kind == .voteNewerThanLIB }
        #expect(newer.count == 3)
        #expect(newer.contains { $0.message.contains("backup /b/1.bak") })
        #expect(newer.contains { $0.message.contains("node API http://a") && $0.message.contains("70 blocks, 1m 10s") })
        #expect(plan.voteFloors[0].ignoredNewer.count == 3)
        #expect(reviewText(plan).contains("last vote := LIB (--vote-floor lib)"))
    }

    @Test("nothing empties a last vote: a key that never voted gets LIB")
    func neverVoted() throws {
        let plan = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(3).text, inputs: Fixture.inputs(5190))
        #expect(plan.entryAfter?.savanna?.lastVote.blockNumber == 5190)
        #expect(plan.voteFloors[0].evidence.count == 1)
    }

    /// The promise of item 1 and 2 together: after any plan, nodeos refuses every block at
    /// or before the time of any (not future) evidence of the key's own last vote.
    @Test("no plan ever lets a key vote at or before the time of any evidence of its own last vote")
    func neverBelowEvidence() async throws {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var rng = SplitMix(seed: seed)
            let libN = UInt32.random(in: 1000...2000, using: &rng)
            let now = BlockTimestamp(slot: (libN + UInt32.random(in: 0...400, using: &rng)) * 2)
            func maybeVote() -> UInt32? { Bool.random(using: &rng) ? nil : UInt32.random(in: 1...libN + 600, using: &rng) }
            let entries = (1...3).map { k in Fixture.savanna(key: UInt64(k), vote: maybeVote(), lock: maybeVote(), otherBranch: UInt32.random(in: 0...9, using: &rng)) }
            let file = SafetyFile(format: .savannaV1, entries: entries)
            let backups = (0..<Int.random(in: 0...3, using: &rng)).map { i in
                Evidence.backup("/b/\(i).bak", (1...3).compactMap { k in
                    Bool.random(using: &rng) ? Fixture.savanna(key: UInt64(k), vote: maybeVote(), lock: maybeVote()) : nil
                })
            }
            let network = (0..<Int.random(in: 0...2, using: &rng)).map { i in
                Evidence.api("http://n\(i)", (1...3).compactMap { k in maybeVote().map { Evidence.vote(UInt64(k), block: $0) } })
            }
            let set = EvidenceSet(backups: backups, network: network, now: now)
            let bytes = SafetyFileWriter.encode(file)
            let k = UInt64.random(in: 1...3, using: &rng)
            guard let plan = try? Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(k).text, inputs: Evidence.inputs(libN, set)) else {
                Issue.record("plan failed")
                return
            }
            guard let written = try? SafetyFileReader.decode(plan.afterBytes, options: .init(checkKeys: false)),
                let s = written.entries[Int(k) - 1].savanna
            else {
                Issue.record("the planned bytes do not decode")
                return
            }
            // Every piece of evidence, gathered independently of the planner.
            var times = [BlockTimestamp(slot: libN * 2)]
            if let v = entries[Int(k) - 1].savanna?.lastVote, !v.isEmpty { times.append(v.timestamp) }
            for b in backups { if let i = b.file.index(of: Fixture.key(k)), let v = b.file.entries[i].savanna?.lastVote, !v.isEmpty { times.append(v.timestamp) } }
            for n in network { if let v = n.vote(for: Fixture.key(k)) { times.append(v.timestamp) } }
            let ceiling = times.filter { $0 <= now }.max()!
            #expect(s.lastVote.timestamp == ceiling, "the floor is the newest usable evidence: \(plan.voteFloors.first?.lines ?? []) times \(times) now \(now)")
            for t in [ceiling.slot, ceiling.slot &- 1, ceiling.slot / 2] {
                // The most favourable block there is: extends everything, QC far ahead.
                let b = CandidateBlock(
                    timestamp: BlockTimestamp(slot: t), latestQCTime: BlockTimestamp(slot: UInt32.max), extendsLock: true, extendsLastVote: true)
                #expect(VoteRules.decide(s, on: b).kind == .none, "votes at slot \(t), evidence up to \(ceiling.slot)")
            }
            let next = CandidateBlock(
                timestamp: BlockTimestamp(slot: ceiling.slot + 1), latestQCTime: BlockTimestamp(slot: ceiling.slot), extendsLock: true,
                extendsLastVote: true)
            #expect(VoteRules.decide(s, on: next).kind != .none, "liveness: the next block after the floor that extends LIB gets a vote")
        }
    }
}

@Suite("LIB cross-checked before a plan uses it")
struct LIBCrossCheckTests {
    let bytes = SafetyFileWriter.encode(Fixture.savannaFile())

    @Test("sources on different chains refuse the plan, whatever the operator chooses")
    func chainMismatch() throws {
        var a = Fixture.lib(5190, source: .blocksLog(path: "/d/blocks/blocks.log"))
        a.chainID = Bytes32([UInt8](repeating: 0xAA, count: 32))
        var b = Fixture.lib(5190, source: .api(url: "http://n:8888"))
        b.chainID = Bytes32([UInt8](repeating: 0xBB, count: 32))
        for choice in [nil, 0, 1] as [Int?] {
            do {
                _ = try LIBDecision.forPlan([a, b], choice: choice, reason: "I am sure")
                Issue.record("expected a refusal")
            } catch {
                #expect(error.status == .invalidOrRefused)
                #expect(error.description.contains("DIFFERENT CHAINS"))
                #expect(error.description.contains(String(repeating: "aa", count: 32)))
            }
        }
        // Same chain id: cross-checked, agreed.
        b.chainID = a.chainID
        let d = try LIBDecision.forPlan([a, b], choice: nil, reason: nil)
        #expect(d.crossChecked && d.verdict == .agree)
        // A source without a chain id (typed) does not trip the check.
        #expect(throws: Never.self) { try LIBDecision.forPlan([a, Fixture.lib(5190)], choice: nil, reason: nil) }
    }

    @Test("one source is allowed and says so in the plan, its text and the audit record")
    func oneSource() throws {
        let d = try LIBDecision.forPlan([Fixture.lib(5190)], choice: nil, reason: nil)
        #expect(d.reason == "one source, not cross-checked")
        let plan = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: ResetInputs(lib: d))
        #expect(plan.lines.contains("LIB: one source, not cross-checked (typed by the operator)"))
        let line = JSON.object(AuditLog.record(plan: plan, backup: "/b", context: Fixture.context()) + [("prev_sha256", .string(""))]).serialized()
        let record = try #require(AuditRecord.decode(Array(line.utf8)))
        #expect(record.lib?.reason == "one source, not cross-checked")
        // Two agreeing sources: the line is absent.
        let two = try LIBDecision.forPlan([Fixture.lib(5190), Fixture.lib(5190, source: .api(url: "http://n"))], choice: nil, reason: nil)
        let p2 = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: ResetInputs(lib: two))
        #expect(!p2.lines.contains { $0.contains("not cross-checked") })
    }

    @Test("an id that says block 0 is refused")
    func blockZero() {
        let zero = LIBReading(lib: LIB(blockID: .zero, timestamp: BlockTimestamp(slot: 5)), source: .typed)
        #expect(throws: EngineError.refused("typed by the operator gives LIB \(Bytes32.zero.hex), whose first 4 bytes say block 0: not a block id; no plan uses it")) {
            try LIBDecision.forPlan([zero], choice: nil, reason: nil)
        }
    }
}
