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

    @Test("the entry's own last vote beyond the clock-skew tolerance, discarded by the operator: shown, not used, and the move back is a warning")
    func futureEntry() throws {
        // No tolerance here, and the operator's decision (issue 18: never without one).
        let set = EvidenceSet(
            network: [Evidence.api("http://a", [Evidence.vote(1, block: 5200)])], now: BlockTimestamp(slot: 10_450), toleranceSeconds: 0,
            discards: [FutureVoteDiscard(key: Fixture.key(1), reason: "test")])
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
            ], now: BlockTimestamp(slot: 3604), toleranceSeconds: 0, discards: [FutureVoteDiscard(key: Fixture.key(3), reason: "test")])
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

    /// The promise of the vote floor, on damaged evidence too (issue 18, item 6): after any
    /// plan, nodeos refuses every block at or before the time of any piece of evidence of
    /// the key's own last vote that a careful person could read from the inputs: the entry,
    /// every backup and copy (clean, or damaged: torn, cut, zeroed magic, count or region,
    /// read byte by byte for the key's 96 bytes), every tracked vote of every node API's
    /// answer (keys listed twice or three times), LIB. A time ahead of "now" by more than
    /// the clock-skew tolerance (votes up to 15 minutes ahead, tolerance 0, 1 or 10
    /// minutes) refuses the plan unless the operator discarded it; then it, and only it, is
    /// left out. Half the cases reset an entry of a file nodeos loads; the other half
    /// repair a damaged file (keys 1 to 3 configured). 300 cases.
    @Test("no plan ever lets a key vote at or before the time of any evidence of its own last vote, damaged, duplicated or skewed")
    func neverBelowEvidence() async throws {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in Self.floorCase(seed) }
    }

    /// One case of the property above.
    static func floorCase(_ seed: UInt64) {
        var rng = SplitMix(seed: seed)
        let libN = UInt32.random(in: 1000...2000, using: &rng)
        let now = BlockTimestamp(slot: (libN + UInt32.random(in: 0...400, using: &rng)) * 2)
        let toleranceSeconds: Double = [0.0, 60, 600].randomElement(using: &rng)!
        let tolerance = Int64(toleranceSeconds * 2)
        // Votes up to 900 blocks (15 minutes) past LIB: some ahead of now, within or beyond the tolerance.
        func maybeVote() -> UInt32? { Bool.random(using: &rng) ? nil : UInt32.random(in: 1...libN + 900, using: &rng) }
        func file(_ keys: [UInt64]) -> SafetyFile {
            SafetyFile(format: .savannaV1, entries: keys.map { k in
                Fixture.savanna(key: k, vote: maybeVote(), lock: maybeVote(), otherBranch: UInt32.random(in: 0...9, using: &rng))
            })
        }
        /// One of the damage kinds a power cut leaves, always one nodeos refuses.
        func damaged(_ f: SafetyFile) -> [UInt8] {
            var b = SafetyFileWriter.encode(f)
            switch Int.random(in: 0...5, using: &rng) {
            case 0: for i in 0..<8 { b[i] = 0 }
            case 1: for i in 16..<24 { b[i] = 0 }
            case 2:
                let start = Int.random(in: 24..<b.count, using: &rng)
                for i in start..<min(b.count, start + Int.random(in: 1...300, using: &rng)) { b[i] = 0 }
            case 3: b = Array(b.prefix(Int.random(in: 0..<b.count, using: &rng)))
            case 4:
                let i = Int.random(in: 0..<b.count, using: &rng)
                b[i] ^= UInt8.random(in: 1...255, using: &rng)
            default:
                for _ in 0..<Int.random(in: 1...40, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            }
            if SafetyFileReader.verify(b).errors.isEmpty, !b.isEmpty { b[b.count - 1] ^= 0x80 }  // torn: the CRC no longer matches
            return b
        }

        let repair = Bool.random(using: &rng)
        let configured: [UInt64] = [1, 2, 3]
        let original = file([1, 2, 3].shuffled(using: &rng))
        let bytes = repair ? damaged(original) : SafetyFileWriter.encode(original)
        var set = EvidenceSet(now: now, toleranceSeconds: toleranceSeconds)
        // Backups and copies: clean (named as ours, or any name) or damaged, as their bytes.
        var copies = [[UInt8]]()
        for i in 0..<Int.random(in: 0...3, using: &rng) {
            let f = file(configured.filter { _ in Bool.random(using: &rng) })
            let b = Bool.random(using: &rng) ? damaged(f) : SafetyFileWriter.encode(f)
            copies.append(b)
            set.add(path: "/b/\(i)" + (Bool.random(using: &rng) ? ".bak" : ".copy"), bytes: b, fileSize: b.count, namedBackup: Bool.random(using: &rng))
        }
        // Node APIs: a key may be listed once, twice or three times in one answer.
        set.network = (0..<Int.random(in: 0...2, using: &rng)).map { i in
            Evidence.api("http://n\(i)", configured.flatMap { k in
                (0..<Int.random(in: 0...3, using: &rng)).compactMap { _ in maybeVote().map { Evidence.vote(k, block: $0) } }
            }.shuffled(using: &rng))
        }
        let discarded = Set(configured.filter { _ in Bool.random(using: &rng) })
        set.discards = discarded.map { FutureVoteDiscard(key: Fixture.key($0), reason: "case \(seed)") }

        // What a careful person reads, independently of the tool: every place the key's
        // 96 bytes appear with a last vote (id and time) after them, every tracked vote.
        func read(_ b: [UInt8], _ k: UInt64) -> [BlockTimestamp] {
            let key = Fixture.keyBytes(k)
            guard b.count >= 96 + 36 else { return [] }
            return (0...(b.count - 96 - 36)).compactMap { p -> BlockTimestamp? in
                guard b[p] == key[0], b[p..<p + 96].elementsEqual(key) else { return nil }
                let id = b[p + 96..<p + 128]
                guard id.contains(where: { $0 != 0 }) else { return nil }
                let t = b[p + 128..<p + 132].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                return BlockTimestamp(slot: t)
            }
        }
        func times(_ k: UInt64) -> [BlockTimestamp] {
            var out = [BlockTimestamp(slot: libN * 2)] + read(bytes, k)
            for c in copies { out += read(c, k) }
            for n in set.network { out += n.votes.filter { $0.publicKey == Fixture.key(k) }.map(\.timestamp) }
            return out
        }
        func beyond(_ t: BlockTimestamp) -> Bool { Int64(t.slot) - Int64(now.slot) > tolerance }
        let keys = repair ? configured : [UInt64.random(in: 1...3, using: &rng)]
        let undecided = keys.contains { k in !discarded.contains(k) && times(k).contains(where: beyond) }

        let plan: Plan
        do {
            if repair {
                let nodeKeys = NodeKeys(
                    keys: configured.map { ConfiguredKey(text: Fixture.key($0).text, key: Fixture.key($0), origin: "test", problem: nil) },
                    looked: ["test"], source: "test")
                let inputs = RepairInputs(lib: try LIBDecision.forPlan([Fixture.lib(libN)], choice: nil, reason: nil), keys: nodeKeys, evidence: set)
                plan = try Planner.repair(bytes: bytes, path: "/x", salvage: DamagedFile.read(bytes), inputs: inputs)
            } else {
                plan = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(keys[0]).text, inputs: Evidence.inputs(libN, set))
            }
        } catch {
            #expect(undecided, "refused without a vote beyond the tolerance: \(error)")
            if undecided { #expect(error.description.contains("--discard-future-vote"), "\(error)") }
            return
        }
        #expect(!undecided, "a vote beyond the tolerance was left out without the operator's decision: \(plan.voteFloors.flatMap(\.lines))")
        guard let written = try? SafetyFileReader.decode(plan.afterBytes, options: .init(checkKeys: false)) else {
            Issue.record("the planned bytes do not decode")
            return
        }
        for k in keys {
            guard let s = written.entries.first(where: { $0.key == Fixture.key(k) })?.savanna else {
                Issue.record("key \(k) has no entry after the plan")
                continue
            }
            let ceiling = times(k).filter { !beyond($0) }.max()!
            #expect(
                s.lastVote.timestamp == ceiling,
                "key \(k): the floor is the newest usable evidence: \(plan.voteFloors.first { $0.key == Fixture.key(k) }?.lines ?? []) times \(times(k)) now \(now) tolerance \(tolerance)")
            for t in [ceiling.slot, ceiling.slot &- 1, ceiling.slot / 2] {
                // The most favourable block there is: extends everything, QC far ahead.
                let b = CandidateBlock(
                    timestamp: BlockTimestamp(slot: t), latestQCTime: BlockTimestamp(slot: UInt32.max), extendsLock: true, extendsLastVote: true)
                #expect(VoteRules.decide(s, on: b).kind == .none, "key \(k) votes at slot \(t), evidence up to \(ceiling.slot)")
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
