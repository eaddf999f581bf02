import FinalityFormat
import PropertyBased
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// Block n on a test chain: id = n big-endian then `fill`, time = slot 2n.
private func ref(_ n: UInt32, fill: UInt8 = 0xAB) -> BlockRef {
    BlockRef(blockID: Fixture.id(n, fill: fill), timestamp: BlockTimestamp(slot: n * 2))
}

private func fsi(vote: BlockRef = .empty, lock: BlockRef = .empty, other: UInt32 = 0) -> SavannaSafety {
    SavannaSafety(lastVote: vote, lock: lock, otherBranchLatestTime: BlockTimestamp(slot: other))
}

private func block(_ n: UInt32, qc: UInt32, extendsLock: Bool = false, extendsLastVote: Bool = false) -> CandidateBlock {
    CandidateBlock(
        id: Fixture.id(n, fill: 0xEE), timestamp: BlockTimestamp(slot: n * 2), latestQCTime: BlockTimestamp(slot: qc * 2),
        qcClaimedBlock: ref(qc, fill: 0xEE), extendsLock: extendsLock, extendsLastVote: extendsLastVote)
}

/// voting.md, "How nodeos uses an entry when it decides to vote", rule by rule.
@Suite("Vote model: finalizer::decide_vote case by case (voting.md)")
struct VoteRuleTests {
    @Test("1. monotony: a block at or before the last vote's time gets no vote, whatever else holds")
    func monotony() {
        let s = fsi(vote: ref(100), lock: ref(90))
        for n: UInt32 in [99, 100] {
            let d = VoteRules.decide(s, on: block(n, qc: 95, extendsLock: true, extendsLastVote: true))
            #expect(!d.monotony && d.kind == .none, "block \(n)")
            #expect(d.after == s, "no vote leaves the entry as it was")
        }
        #expect(VoteRules.decide(s, on: block(101, qc: 95, extendsLock: true)).kind != .none)
        // An empty last vote passes monotony at any time.
        #expect(VoteRules.decide(fsi(lock: ref(90)), on: block(1, qc: 95)).monotony)
    }

    @Test("2. liveness: a QC newer than the lock is enough, even off the lock's branch")
    func liveness() {
        let d = VoteRules.decide(fsi(vote: ref(100), lock: ref(90)), on: block(120, qc: 91, extendsLock: false))
        #expect(d.liveness && !d.safety && d.kind != .none)
        // A QC at the lock's own time is not newer.
        let e = VoteRules.decide(fsi(vote: ref(100), lock: ref(90)), on: block(120, qc: 90, extendsLock: false))
        #expect(!e.liveness && e.kind == .none)
    }

    @Test("3. safety: extending the lock is enough without a newer QC")
    func safety() {
        let d = VoteRules.decide(fsi(vote: ref(100), lock: ref(90)), on: block(120, qc: 80, extendsLock: true))
        #expect(!d.liveness && d.safety && d.kind != .none)
    }

    @Test("3. an empty lock fails liveness and safety: the key never votes")
    func emptyLock() {
        for extends in [false, true] {
            let d = VoteRules.decide(fsi(vote: ref(100)), on: block(500, qc: 499, extendsLock: extends))
            #expect(!d.liveness && !d.safety && d.kind == .none)
        }
    }

    @Test("4. neither liveness nor safety: no vote")
    func neither() {
        let d = VoteRules.decide(fsi(vote: ref(100), lock: ref(95)), on: block(200, qc: 94, extendsLock: false))
        #expect(d.monotony && !d.liveness && !d.safety && d.kind == .none)
    }

    @Test("5. strong when the last vote is not newer than the QC")
    func strongByQC() {
        let d = VoteRules.decide(fsi(vote: ref(100), lock: ref(90), other: 500), on: block(200, qc: 100, extendsLock: true))
        #expect(d.kind == .strong, "other_branch_latest_time is not consulted on this path")
    }

    @Test("5. newer last vote, same branch: strong unless other_branch_latest_time is after the QC")
    func sameBranch() {
        let s = fsi(vote: ref(100), lock: ref(90), other: 0)
        #expect(VoteRules.decide(s, on: block(200, qc: 95, extendsLock: true, extendsLastVote: true)).kind == .strong)
        var forked = s
        forked.otherBranchLatestTime = BlockTimestamp(slot: 96 * 2)
        #expect(VoteRules.decide(forked, on: block(200, qc: 95, extendsLock: true, extendsLastVote: true)).kind == .weak)
        forked.otherBranchLatestTime = BlockTimestamp(slot: 95 * 2)
        #expect(VoteRules.decide(forked, on: block(200, qc: 95, extendsLock: true, extendsLastVote: true)).kind == .strong)
    }

    @Test("5. newer last vote, other branch: weak, and other_branch_latest_time := the last vote's time")
    func otherBranch() {
        let d = VoteRules.decide(fsi(vote: ref(100), lock: ref(90)), on: block(200, qc: 95, extendsLock: true, extendsLastVote: false))
        #expect(d.kind == .weak)
        #expect(d.after.otherBranchLatestTime == BlockTimestamp(slot: 200))
        #expect(d.after.lock == ref(90), "a weak vote never moves the lock")
    }

    @Test("6. after a vote last_vote := the block; a strong vote clears other_branch_latest_time and raises the lock to the QC block")
    func afterVote() {
        let b = block(200, qc: 150, extendsLock: true)
        let d = VoteRules.decide(fsi(vote: ref(100), lock: ref(90), other: 120), on: b)
        #expect(d.kind == .strong)
        #expect(d.after.lastVote.blockID == b.id && d.after.lastVote.timestamp == b.timestamp)
        #expect(d.after.otherBranchLatestTime == .zero)
        #expect(d.after.lock == b.qcClaimedBlock)
        // A QC not newer than the lock leaves the lock.
        let e = VoteRules.decide(fsi(vote: ref(100), lock: ref(150)), on: block(200, qc: 150, extendsLock: true))
        #expect(e.kind == .strong && e.after.lock == ref(150))
    }

    @Test("7. before its first vote, a QC with its strong vote raises lock and last vote, only forward")
    func heal() {
        let s = fsi(vote: ref(100), lock: ref(90), other: 7)
        let healed = VoteRules.healFromQC(s, block: ref(130), qcClaimedBlock: ref(120))
        #expect(healed.lock == ref(120) && healed.lastVote == ref(130) && healed.otherBranchLatestTime == .zero)
        #expect(VoteRules.healFromQC(s, block: ref(100), qcClaimedBlock: ref(120)) == s, "block not newer than the last vote")
        #expect(VoteRules.healFromQC(s, block: ref(130), qcClaimedBlock: ref(90)) == s, "QC block not newer than the lock")
    }

    @Test("start-up default for a key without an entry: {last vote empty, lock LIB}")
    func nodeosDefault() {
        let lib = LIB(blockID: Fixture.id(400, fill: 0xCD), timestamp: BlockTimestamp(slot: 800))
        let d = VoteRules.nodeosDefault(lib: lib)
        #expect(d.lastVote.blockID.isZero && d.lock.blockID == lib.blockID && d.lock.timestamp == lib.timestamp)
    }
}

@Suite("Vote model: what nodeos will do, in the operator's words")
struct VoteOutlookTests {
    // 2026-11-30T09:01:59.500Z is slot 1_698_689_039 (Unix ms 1_796_029_319_500).
    static let libSlot: UInt32 = 1_698_689_039
    static let lib = LIB(blockID: Fixture.id(400_000_200, fill: 0xCD), timestamp: BlockTimestamp(slot: libSlot))

    @Test("the issue's example: a key locked on a branch the chain abandoned, then reset to LIB with its last vote kept")
    func issueExample() {
        #expect(Self.lib.timestamp.iso8601 == "2026-11-30T09:01:59.500Z")
        let lock = BlockRef(blockID: Fixture.id(400_000_205, fill: 0x01), timestamp: BlockTimestamp(slot: Self.libSlot + 10))
        let vote = BlockRef(blockID: Fixture.id(400_000_211, fill: 0x01), timestamp: BlockTimestamp(slot: Self.libSlot + 11))
        let stuck = fsi(vote: vote, lock: lock)
        let chain = ChainView(lib: Self.lib, latestQCTime: Self.lib.timestamp, abandoned: [lock.blockID])
        let before = VoteRules.outlook(stuck, chain: chain)
        #expect(before.verdict == .stuck)
        #expect(before.which == "no vote on any block (lock on a block the chain does not extend, no QC newer than it)")
        var after = stuck
        after.lock = BlockRef(blockID: Self.lib.blockID, timestamp: Self.lib.timestamp)
        let lines = VoteRules.beforeAfter(before: stuck, after: after, chain: chain)
        #expect(lines[0].hasPrefix("today: no vote on any block (lock on a block the chain does not extend, no QC newer than it)"))
        #expect(lines[1].hasPrefix("after: votes on the first block after 09:02:05.0 that extends LIB #400,000,200"))
        #expect(lines[1].contains("will not vote at or before 09:02:05.0 (its last vote, block #400,000,211)"))
        #expect(lines[1].contains("weak on others until a QC at or after 09:02:05.0"))
    }

    @Test("a lock on a block above LIB that the chain may or may not extend: the outlook says it depends")
    func unknownBranch() {
        let lock = ref(500)
        let o = VoteRules.outlook(fsi(vote: ref(510), lock: lock), chain: ChainView(lib: LIB(blockID: Fixture.id(400), timestamp: BlockTimestamp(slot: 800))))
        #expect(o.verdict == .conditional)
        #expect(o.which.contains("extends its lock, block #500"))
    }

    @Test("a lock at LIB's height with another id is on an abandoned branch, even without being told")
    func sameHeightOtherID() {
        let libRef = ref(400, fill: 0xCD)
        let chain = ChainView(lib: LIB(blockID: libRef.blockID, timestamp: libRef.timestamp), latestQCTime: libRef.timestamp)
        let o = VoteRules.outlook(fsi(vote: ref(401), lock: ref(400, fill: 0x77)), chain: chain)
        #expect(o.verdict == .stuck)
    }

    @Test("a lock older than LIB never stops a vote: every new block claims a QC at or after LIB")
    func oldLock() {
        let o = VoteRules.outlook(fsi(vote: ref(100), lock: ref(90)), chain: ChainView(lib: LIB(blockID: Fixture.id(400), timestamp: BlockTimestamp(slot: 800))))
        #expect(o.verdict == .votes && o.strength == "its first vote is strong")
    }

    @Test("no lock: never votes; no last vote: the missing protection is said")
    func emptyRefs() {
        let chain = ChainView(lib: Self.lib)
        #expect(VoteRules.outlook(fsi(vote: ref(100)), chain: chain).which == "no vote on any block (no lock)")
        let d = VoteRules.outlook(VoteRules.nodeosDefault(lib: Self.lib), chain: chain)
        #expect(d.monotony.hasPrefix("no last vote"))
        #expect(d.verdict == .votes)
    }

    /// A random entry against a random stalled chain: what the outlook says must be what
    /// decide_vote does on every block consistent with that chain.
    @Test("the outlook agrees with decide_vote on random entries and blocks")
    func outlookMatchesRules() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var rng = SplitMix(seed: seed)
            let libN = UInt32.random(in: 100...200, using: &rng)
            let libRef = ref(libN, fill: 0xCD)
            let qcN = libN + UInt32.random(in: 0...5, using: &rng)
            func randomRef() -> BlockRef {
                switch Int.random(in: 0...4, using: &rng) {
                case 0: return .empty
                case 1: return libRef
                default: return ref(UInt32.random(in: libN - 50...libN + 50, using: &rng), fill: UInt8.random(in: 1...3, using: &rng))
                }
            }
            let s = fsi(vote: randomRef(), lock: randomRef(), other: Bool.random(using: &rng) ? 0 : (libN + 3) * 2)
            let abandoned: Set<Bytes32> = s.lock.blockID == libRef.blockID || Bool.random(using: &rng) ? [] : [s.lock.blockID]
            let chain = ChainView(
                lib: LIB(blockID: libRef.blockID, timestamp: libRef.timestamp), latestQCTime: BlockTimestamp(slot: qcN * 2),
                abandoned: abandoned)
            let o = VoteRules.outlook(s, chain: chain)
            let lockOnChain = chain.extends(s.lock)
            // Canonical blocks after LIB claim the stalled QC.
            for n in libN + 1...libN + 80 {
                let b = block(
                    n, qc: qcN, extendsLock: lockOnChain ?? Bool.random(using: &rng),
                    extendsLastVote: Bool.random(using: &rng))
                let d = VoteRules.decide(s, on: b)
                if !VoteRules.isEmpty(s.lastVote) && b.timestamp <= s.lastVote.timestamp {
                    #expect(d.kind == .none, "monotony: \(s) on \(n)")
                }
                switch o.verdict {
                case .stuck: #expect(d.kind == .none, "stuck but votes: \(s) on \(n), \(o.sentence)")
                case .votes:
                    let after = max(s.lastVote.blockID.isZero ? .zero : s.lastVote.timestamp, libRef.timestamp, lockOnChain == true ? s.lock.timestamp : .zero)
                    if b.timestamp > after { #expect(d.kind != .none, "says votes but none: \(s) on \(n), \(o.sentence)") }
                case .conditional: break
                }
                if o.strength == "its first vote is strong" && d.kind != .none { #expect(d.kind == .strong, "\(s) on \(n)") }
            }
        }
    }
}
