import FinalityFormat

/// What nodeos will do with one key's entry, before and after a change (voting.md).
public struct KeyDecision: Hashable, Sendable {
    public var key: BLSPublicKey
    /// "today: …", "after: …".
    public var lines: [String]

    public init(key: BLSPublicKey, lines: [String]) {
        self.key = key
        self.lines = lines
    }

    public var json: JSON { .object([("key", .string(key.text)), ("lines", .array(lines.map { .string($0) }))]) }
}

/// The recovery semantics shared by reset and repair (product.md, "Recovery semantics").
public enum Recovery {
    /// Savanna reset of one entry: lock := {LIB id, LIB time, digest}; last_vote := the
    /// vote floor; other_branch_latest_time kept. A version 0 file keeps its bool, from
    /// which nodeos derives other_branch_latest_time against the new last vote on load.
    public static func resetState(_ s: SavannaSafety, lib: LIB, digest: Bytes32, floor: VoteFloor) -> SavannaSafety {
        var n = s
        n.lock = BlockRef(blockID: lib.blockID, timestamp: lib.timestamp, finalityDigest: digest)
        n.lastVote = floor.lastVote
        if let forked = s.votesForkedSinceLatestStrongVote {
            n.otherBranchLatestTime = forked ? n.lastVote.timestamp : .zero
        }
        return n
    }

    /// What the operator must read about the last vote the plan writes.
    public static func floorWarnings(_ floor: VoteFloor, entryVote: BlockRef?, lib: LIB) -> [PlanWarning] {
        var out = [PlanWarning]()
        let new = floor.lastVote
        for e in floor.evidence where e.usable && e.vote.timestamp > new.timestamp {
            // Only --vote-floor lib leaves usable evidence above the value written.
            let blocks = Int64(e.vote.blockNumber) - Int64(new.blockNumber)
            let slots = Int64(e.vote.timestamp.slot) - Int64(new.timestamp.slot)
            let what: String
            if case .entry = e.source {
                what = "the last vote (block \(grouped(e.vote.blockNumber)), \(e.vote.timestamp.iso8601)) is newer than LIB by \(Regression.distance(blocks: blocks, slots: slots))"
            } else {
                what = "\(e.source.description) shows a vote on block \(grouped(e.vote.blockNumber)) at \(e.vote.timestamp.iso8601), newer than LIB by \(Regression.distance(blocks: blocks, slots: slots))"
            }
            out.append(PlanWarning(
                .voteNewerThanLIB,
                "\(what): with --vote-floor lib the key may vote again at those times, a double vote becomes possible"))
        }
        if let v = entryVote, !VoteRules.isEmpty(v), v.timestamp > new.timestamp,
            let own = floor.evidence.first(where: { if case .entry = $0.source { return true } else { return false } }), !own.usable
        {
            let blocks = Int64(v.blockNumber) - Int64(new.blockNumber)
            let slots = Int64(v.timestamp.slot) - Int64(new.timestamp.slot)
            out.append(PlanWarning(
                .lastVoteMovesBack,
                "the entry's last vote (block \(grouped(v.blockNumber)), \(v.timestamp.iso8601)) is \(own.rejected ?? "not used"): it moves back to block \(grouped(new.blockNumber)) (\(Regression.distance(blocks: blocks, slots: slots))); if the key really voted then, a double vote becomes possible"))
        }
        return out
    }

    static func otherBranchNote(_ before: SavannaSafety, after: SavannaSafety) -> String {
        if let forked = before.votesForkedSinceLatestStrongVote {
            return "votes_forked_since_latest_strong_vote (version 0) kept: \(forked)"
                + (forked ? "; nodeos reads it as other_branch_latest_time = the last vote's time" : "")
        }
        return before.otherBranchLatestTime.slot == 0
            ? "other_branch_latest_time kept: 0 (none)"
            : "other_branch_latest_time kept: \(before.otherBranchLatestTime.iso8601)"
    }
}

/// Repair: every key with what was recovered, from where, and what is lost.
public struct RepairSummary: Hashable, Sendable {
    public struct KeyLine: Hashable, Sendable {
        public var key: BLSPublicKey
        /// salvaged | rebuilt | created | inactive-salvaged
        public var outcome: String
        public var recovered: [String]
        public var lost: [String]
        /// What the damaged file held for the key (its first entry, as read), and how it
        /// read; nil: absent or unreadable.
        public var before: DamagedEntry?
        /// The entry written (nil: dropped).
        public var after: SafetyEntry?

        public init(key: BLSPublicKey, outcome: String, recovered: [String], lost: [String], before: DamagedEntry? = nil, after: SafetyEntry? = nil) {
            self.key = key
            self.outcome = outcome
            self.recovered = recovered
            self.lost = lost
            self.before = before
            self.after = after
        }

        /// "read cleanly", "read whole, evidence only: …" (a file-wide problem such as a bad
        /// CRC), "read with problems: …", "absent or unreadable".
        public var beforeState: String {
            guard let b = before else { return "absent or unreadable" }
            if b.problems.isEmpty { return "read cleanly" }
            return (b.clean ? "read whole, evidence only: " : "read with problems: ") + b.problems.joined(separator: "; ")
        }
    }

    public var keys: [KeyLine]
    public var damage: [String]
    /// What nodeos does with the damaged file (nil when it is missing: said per key).
    public var today: String?

    public var lines: [String] {
        var out = ["Repair of a damaged file:"]
        out += damage.map { "  damage: " + $0 }
        for k in keys {
            out.append("  \(k.key.shortText(40)): \(k.outcome)")
            out += k.recovered.map { "    recovered: " + $0 }
            out += k.lost.map { "    LOST: " + $0 }
        }
        return out
    }
}

extension ReviewExplanation {
    /// The review's slot filled from a plan: what nodeos will do with each changed entry,
    /// and each written last vote's evidence (the vote floor), per key when several.
    public init(plan: Plan) {
        var will = [String]()
        if let today = plan.repair?.today { will.append(today) }
        for d in plan.decisions {
            if plan.decisions.count > 1 { will.append("\(d.key.shortText(40)):") }
            will += d.lines.map { (plan.decisions.count > 1 ? "  " : "") + $0 }
        }
        var evidence = [String]()
        for f in plan.voteFloors {
            if plan.voteFloors.count > 1 { evidence.append("\(f.key.shortText(40)):") }
            evidence += f.lines.map { (plan.voteFloors.count > 1 ? "  " : "") + $0 }
        }
        self.init(nodeosWillDo: will, voteFloorEvidence: evidence)
    }
}

extension Plan {
    /// Lines of a plan that only recovery adds: the repair summary (every key, what was
    /// recovered and what is lost) and a LIB from one source. What nodeos will do and the
    /// vote floor's evidence are the review's (`ReviewExplanation(plan:)`).
    public var recoveryLines: [String] {
        var out = [String]()
        if let repair { out += [""] + repair.lines }
        if let lib, !lib.crossChecked {
            out.append("")
            out.append("LIB: \(LIBDecision.oneSource) (\(lib.chosen.source))")
        }
        return out
    }

    public var recoveryJSON: [(String, JSON)] {
        [
            ("vote_floors", .array(voteFloors.map(\.json))),
            ("decisions", .array(decisions.map(\.json))),
            ("lib_cross_checked", lib.map { .bool($0.crossChecked) } ?? .null),
        ]
    }
}
