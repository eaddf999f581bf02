import FinalityFormat

// A pure model of how nodeos (Savanna) uses a safety-file entry when it decides to vote.
//
// Source: AntelopeIO/spring `libraries/chain/finalizer.cpp`, `finalizer::decide_vote`
// (read at commit 94475fbb; the function starts at line 8). Lines cited below are at that
// commit; docs/voting.md restates the same rules (at 17ed17f, lines 8–110).
//
// A block reference is "empty" when its block id is all zero (voting.md): `empty()` is
// what `decide_vote` tests for `last_vote` (line 11) and `lock` (line 27).

/// A block the key might vote on, as `decide_vote` sees it: its time, the time of the
/// newest block its QC claim is on, and whether it extends the lock and the last vote.
public struct CandidateBlock: Hashable, Sendable {
    public var id: Bytes32
    public var timestamp: BlockTimestamp
    /// `bsp->core.latest_qc_block_timestamp()`.
    public var latestQCTime: BlockTimestamp
    /// The block its QC claim is on (what a strong vote moves the lock to, line 91).
    public var qcClaimedBlock: BlockRef
    /// `bsp->core.extends(fsi.lock.block_id)`.
    public var extendsLock: Bool
    /// `bsp->core.extends(fsi.last_vote.block_id)`.
    public var extendsLastVote: Bool

    public init(
        id: Bytes32 = .zero, timestamp: BlockTimestamp, latestQCTime: BlockTimestamp, qcClaimedBlock: BlockRef? = nil,
        extendsLock: Bool, extendsLastVote: Bool
    ) {
        self.id = id
        self.timestamp = timestamp
        self.latestQCTime = latestQCTime
        self.qcClaimedBlock = qcClaimedBlock ?? BlockRef(blockID: .zero, timestamp: latestQCTime)
        self.extendsLock = extendsLock
        self.extendsLastVote = extendsLastVote
    }
}

/// What `decide_vote` returns, and the entry as it leaves it.
public struct VoteDecision: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case none, strong, weak
    }

    public var monotony: Bool
    public var liveness: Bool
    public var safety: Bool
    public var kind: Kind
    /// The entry after the decision (unchanged when there is no vote).
    public var after: SavannaSafety
}

public enum VoteRules {
    /// `block_ref::empty()`: the block id is all zero.
    public static func isEmpty(_ r: BlockRef) -> Bool { r.blockID.isZero }

    /// `finalizer::decide_vote`, rule by rule (voting.md steps 1–6).
    public static func decide(_ fsi: SavannaSafety, on b: CandidateBlock) -> VoteDecision {
        var fsi = fsi
        // Line 11: monotony = last_vote empty, or the block is strictly newer than it.
        let monotony = isEmpty(fsi.lastVote) || b.timestamp > fsi.lastVote.timestamp
        guard monotony else {
            // Line 24: no vote at all.
            return VoteDecision(monotony: false, liveness: false, safety: false, kind: .none, after: fsi)
        }
        var liveness = false
        var safety = false
        if !isEmpty(fsi.lock) {
            // Line 34: liveness = the QC claim is newer than the lock.
            liveness = b.latestQCTime > fsi.lock.timestamp
            // Line 43: safety = the block extends the lock (evaluated only when liveness fails).
            if !liveness { safety = b.extendsLock }
        }
        // Lines 49–56: an empty lock fails both ("should not happen").
        // Line 59: can_vote = liveness || safety.
        guard liveness || safety else {
            return VoteDecision(monotony: true, liveness: liveness, safety: safety, kind: .none, after: fsi)
        }
        let q = b.latestQCTime
        let kind: VoteDecision.Kind
        if fsi.lastVote.timestamp <= q {
            // Line 71: the last vote is not newer than the QC: strong.
            kind = .strong
        } else if b.extendsLastVote {
            // Lines 73–82: on the last vote's branch: strong unless another branch was voted on after the QC.
            kind = fsi.otherBranchLatestTime <= q ? .strong : .weak
        } else {
            // Lines 83–85: another branch: weak, and remember when.
            kind = .weak
            fsi.otherBranchLatestTime = fsi.lastVote.timestamp
        }
        if kind == .strong {
            // Lines 88–93: a strong vote clears other_branch_latest_time and raises the lock to the QC block.
            fsi.otherBranchLatestTime = .zero
            if q > fsi.lock.timestamp { fsi.lock = b.qcClaimedBlock }
        }
        // Line 95: last_vote := the block.
        fsi.lastVote = BlockRef(blockID: b.id, timestamp: b.timestamp)
        return VoteDecision(monotony: true, liveness: liveness, safety: safety, kind: kind, after: fsi)
    }

    /// `finalizer::maybe_update_fsi` (finalizer.cpp line 118): before its first vote since
    /// start-up, a block whose QC carries this key's strong vote raises the lock and the
    /// last vote, if the QC block is newer than the lock and the block newer than the last vote.
    public static func healFromQC(_ fsi: SavannaSafety, block: BlockRef, qcClaimedBlock: BlockRef) -> SavannaSafety {
        guard qcClaimedBlock.timestamp > fsi.lock.timestamp && block.timestamp > fsi.lastVote.timestamp else { return fsi }
        var out = fsi
        out.lock = qcClaimedBlock
        out.lastVote = block
        out.otherBranchLatestTime = .zero
        return out
    }

    /// nodeos's entry for a configured key without one (or with both refs empty):
    /// `{last_vote: empty, lock: LIB}` (finalizer.cpp `set_default_safety_information`,
    /// controller.cpp's fork database root).
    public static func nodeosDefault(lib: LIB) -> SavannaSafety {
        SavannaSafety(lastVote: .empty, lock: BlockRef(blockID: lib.blockID, timestamp: lib.timestamp))
    }
}

/// What is known of the chain when an entry is judged.
public struct ChainView: Hashable, Sendable {
    public var lib: LIB
    /// The newest QC time that new blocks claim, when known (never before LIB's time:
    /// every block past LIB claims a QC on LIB or later).
    public var latestQCTime: BlockTimestamp?
    /// Blocks known to be extended by the canonical chain (LIB always is).
    public var canonical: Set<Bytes32>
    /// Blocks known NOT to be extended by the canonical chain.
    public var abandoned: Set<Bytes32>

    public init(lib: LIB, latestQCTime: BlockTimestamp? = nil, canonical: Set<Bytes32> = [], abandoned: Set<Bytes32> = []) {
        self.lib = lib
        self.latestQCTime = latestQCTime
        self.canonical = canonical.union([lib.blockID])
        self.abandoned = abandoned
    }

    /// The QC time every new block claims at least.
    var qcFloor: BlockTimestamp { max(latestQCTime ?? lib.timestamp, lib.timestamp) }

    /// Whether the canonical chain extends this block: true, false, or nil (unknown).
    func extends(_ r: BlockRef) -> Bool? {
        if canonical.contains(r.blockID) { return true }
        if abandoned.contains(r.blockID) { return false }
        // A block at or before LIB's height that is not LIB, with a time at or after LIB's:
        // on the canonical chain a lower block is older, so it is on another branch.
        if r.blockNumber <= lib.number && r.timestamp >= lib.timestamp { return false }
        return nil
    }
}

/// What nodeos will do with one entry, in the operator's words.
public struct VoteOutlook: Hashable, Sendable {
    public enum Verdict: String, Hashable, Sendable {
        /// Votes on the canonical chain (from some time on).
        case votes
        /// Votes only if something not yet known happens (the chain extends the lock, a newer QC).
        case conditional
        /// No vote on any block until the entry changes.
        case stuck
    }

    public var verdict: Verdict
    /// Which blocks it votes on, or why none.
    public var which: String
    /// "will not vote at or before … (its last vote)", or the missing protection.
    public var monotony: String
    /// Strong or weak, when it votes.
    public var strength: String?

    public var sentence: String { ([which, monotony] + (strength.map { [$0] } ?? [])).joined(separator: "; ") }
}

extension VoteRules {
    /// `09:01:59.5` (the date too when it is not LIB's day).
    static func clock(_ t: BlockTimestamp, near reference: BlockTimestamp) -> String {
        let iso = t.iso8601  // 2026-11-30T09:01:59.500Z
        let day = String(iso.prefix(10))
        // Block times are whole half-seconds: the tenths say it all.
        let time = String(iso.dropFirst(11).prefix(10))  // 09:01:59.5
        return day == String(reference.iso8601.prefix(10)) ? time : "\(day) \(time)"
    }

    static func block(_ r: BlockRef) -> String { "#\(grouped(r.blockNumber))" }

    /// The entry judged against the chain: which blocks it votes on (voting.md steps 1–5).
    public static func outlook(_ s: SavannaSafety, chain: ChainView) -> VoteOutlook {
        let lib = chain.lib
        let t = { (x: BlockTimestamp) in clock(x, near: lib.timestamp) }
        let hasVote = !isEmpty(s.lastVote)
        let monotony =
            hasVote
            ? "will not vote at or before \(t(s.lastVote.timestamp)) (its last vote, block \(block(s.lastVote)))"
            : "no last vote: nothing stops it voting again at times it already voted at"
        // The first time it may vote at: after its last vote (monotony), and only on blocks past LIB.
        let after = hasVote && s.lastVote.timestamp > lib.timestamp ? s.lastVote.timestamp : lib.timestamp
        let libText = "LIB #\(grouped(lib.number))"
        let verdict: VoteOutlook.Verdict
        let which: String
        if isEmpty(s.lock) {
            // finalizer.cpp 49–56: an empty lock fails liveness and safety.
            verdict = .stuck
            which = "no vote on any block (no lock)"
        } else if s.lock.timestamp < chain.qcFloor {
            // Every new block claims a QC at or after LIB (or the known QC): liveness holds (line 34).
            verdict = .votes
            let why =
                s.lock.timestamp < lib.timestamp
                ? "its lock, block \(block(s.lock)) at \(t(s.lock.timestamp)), is older than LIB" : "every new QC is newer than its lock"
            which = "votes on the first block after \(t(after)) that extends \(libText) (\(why))"
        } else if let on = chain.extends(s.lock), on {
            // Safety (line 43): every block of the canonical chain extends a canonical lock.
            verdict = .votes
            let start = max(after, s.lock.timestamp)
            let what = s.lock.blockID == lib.blockID ? libText : "its lock, block \(block(s.lock))"
            which = "votes on the first block after \(t(start)) that extends \(what)"
        } else if chain.extends(s.lock) == false {
            if let q = chain.latestQCTime, q <= s.lock.timestamp {
                verdict = .stuck
                which = "no vote on any block (lock on a block the chain does not extend, no QC newer than it)"
            } else {
                verdict = .conditional
                which =
                    "votes only once a block claims a QC newer than \(t(s.lock.timestamp)) (its lock, block \(block(s.lock)), is on a branch the chain does not extend); while finality is stalled, no vote on any block"
            }
        } else {
            verdict = .conditional
            which =
                "votes only on a block that extends its lock, block \(block(s.lock)) at \(t(s.lock.timestamp)), or claims a QC newer than it; if the chain went another way and finality stalled, no vote on any block"
        }
        var strength: String?
        if verdict != .stuck {
            if !hasVote || s.lastVote.timestamp <= chain.qcFloor {
                // Line 71: a last vote no newer than the QC gives a strong vote.
                strength = "its first vote is strong"
            } else {
                // Lines 73–85.
                strength =
                    "strong on blocks that extend its last vote (block \(block(s.lastVote))), weak on others until a QC at or after \(t(s.lastVote.timestamp))"
                if s.otherBranchLatestTime.slot != 0 && s.otherBranchLatestTime > chain.qcFloor {
                    strength! += "; other_branch_latest_time \(t(s.otherBranchLatestTime)) keeps them weak until a QC at or after it"
                }
            }
        }
        return VoteOutlook(verdict: verdict, which: which, monotony: monotony, strength: strength)
    }

    /// "today: …; after: …" for a change of one entry (nil after: the entry is removed and
    /// nodeos recreates it at start-up with its own default).
    public static func beforeAfter(before: SavannaSafety?, after: SavannaSafety?, chain: ChainView, today: String? = nil) -> [String] {
        var out = [String]()
        if let today {
            out.append("today: " + today)
        } else if let before {
            out.append("today: " + outlook(before, chain: chain).sentence)
        } else {
            out.append("today: no entry; nodeos gives it {last vote: empty, lock: its LIB} at start-up: " + outlook(nodeosDefault(lib: chain.lib), chain: chain).sentence)
        }
        if let after {
            out.append("after: " + outlook(after, chain: chain).sentence)
        } else {
            let d = nodeosDefault(lib: chain.lib)
            out.append("after (nodeos recreates the entry at start-up, lock = its LIB): " + outlook(d, chain: chain).sentence)
        }
        return out
    }
}
