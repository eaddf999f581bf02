import FinalityFormat

/// Something the operator must read before a change: a value that moves backwards (a
/// conflicting vote becomes possible), an entry that disappears, sources that disagree.
public struct PlanWarning: Hashable, Sendable, CustomStringConvertible {
    /// Stable machine names (`--json`, audit records).
    public enum Kind: String, Sendable {
        case lastVoteMovesBack = "last-vote-moves-back"
        case lockMovesBack = "lock-moves-back"
        case vheightMovesBack = "vheight-moves-back"
        case bLockReplaced = "b-lock-replaced"
        case entryRemoved = "entry-removed"
        case formatChanges = "format-changes"
        case libSourcesDisagree = "lib-sources-disagree"
        case voteNewerThanLIB = "vote-newer-than-lib"
        case otherBranchTimeCleared = "other-branch-time-cleared"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Which values of one key move backwards between two states, and by how much.
public enum Regression {
    /// "20 blocks, 10s" (time only when both ends have one).
    static func distance(blocks: Int64, slots: Int64?) -> String {
        var s = "\(grouped(blocks)) block\(blocks == 1 ? "" : "s")"
        if let slots { s += ", \(Durations.describe(slots: slots))" }
        return s
    }

    static func describe(_ r: BlockRef) -> String {
        r.isEmpty ? "none" : "block \(grouped(r.blockNumber)) (\(r.timestamp.iso8601))"
    }

    public static func check(key: BLSPublicKey, before: SafetyEntry, after: SafetyEntry) -> [PlanWarning] {
        var out = [PlanWarning]()
        let who = key.shortText(24)
        switch (before.state, after.state) {
        case (.savanna(let b), .savanna(let a)):
            // nodeos's voting rule compares last_vote by timestamp: a lower one re-opens votes.
            if !b.lastVote.isEmpty && (a.lastVote.isEmpty || a.lastVote.timestamp < b.lastVote.timestamp) {
                let to = a.lastVote.isEmpty ? "none (never voted)" : "block \(grouped(a.lastVote.blockNumber))"
                let blocks = Int64(b.lastVote.blockNumber) - Int64(a.lastVote.isEmpty ? 0 : a.lastVote.blockNumber)
                let slots = Int64(b.lastVote.timestamp.slot) - Int64(a.lastVote.timestamp.slot)
                let amount = a.lastVote.isEmpty ? "" : " (\(distance(blocks: blocks, slots: slots)))"
                out.append(PlanWarning(
                    .lastVoteMovesBack,
                    "\(who): the last vote moves back from block \(grouped(b.lastVote.blockNumber)) (\(b.lastVote.timestamp.iso8601)) to \(to)\(amount): a second vote on a block it already voted past becomes possible"))
            }
            if !b.lock.isEmpty && (a.lock.isEmpty || a.lock.timestamp < b.lock.timestamp
                || (a.lock.timestamp == b.lock.timestamp && a.lock.blockNumber < b.lock.blockNumber))
            {
                if a.lock.isEmpty {
                    out.append(PlanWarning(
                        .lockMovesBack,
                        "\(who): the lock is cleared (was block \(grouped(b.lock.blockNumber))): the key cannot vote until it gets one"))
                } else {
                    let blocks = Int64(b.lock.blockNumber) - Int64(a.lock.blockNumber)
                    let slots = Int64(b.lock.timestamp.slot) - Int64(a.lock.timestamp.slot)
                    out.append(PlanWarning(
                        .lockMovesBack,
                        "\(who): the lock moves back from block \(grouped(b.lock.blockNumber)) to \(grouped(a.lock.blockNumber)) (\(distance(blocks: blocks, slots: slots))): a conflicting vote becomes possible"))
                }
            }
        case (.hotStuff(let b), .hotStuff(let a)):
            if a.vheight < b.vheight {
                let blocks = Int64(b.vheight.bheight) - Int64(a.vheight.bheight)
                out.append(PlanWarning(
                    .vheightMovesBack,
                    "\(who): _vheight (last vote) moves back from \(grouped(b.vheight.bheight))/phase \(b.vheight.pcounter) to \(grouped(a.vheight.bheight))/phase \(a.vheight.pcounter) (\(distance(blocks: blocks, slots: nil)); HotStuff stores no time): a second vote at those heights becomes possible"))
            }
            if !b.bLock.isZero && b.bLock != a.bLock {
                out.append(PlanWarning(
                    .bLockReplaced,
                    "\(who): _b_lock (lock) is replaced, \(b.bLock.hex) → \(a.bLock.isZero ? "none" : a.bLock.hex): a proposal id carries no height, so the file cannot tell whether the lock moves back; if it does, a conflicting vote becomes possible"))
            }
        default:
            break
        }
        return out
    }
}
