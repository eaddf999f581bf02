import FinalityEngine
import FinalityFormat

/// Something worth flagging about one entry, in a short form for the table and a long
/// form for the detail pane.
public struct EntryFlag: Hashable, Sendable {
    public var short: String
    public var long: String
    public var style: Style
}

public enum EntryFacts {
    /// A key whose last vote is this much older than LIB has stopped voting.
    static let inactiveAfterSlots: Int64 = 15 * 60 * 2

    public static func flags(
        _ entry: SafetyEntry, index: Int, lib: LIB?, findings: [Finding], tracked: (vote: TrackedVoteRow, source: String)? = nil
    ) -> [EntryFlag] {
        var out = [EntryFlag]()
        // The file is older than what the key signed (an old backup, a copy from another
        // node): the most dangerous thing this screen can show.
        if let (vote, source) = tracked, vote.blockNumber > (entry.lastVoteHeight ?? 0) {
            let gap = vote.blockNumber - (entry.lastVoteHeight ?? 0)
            out.append(
                EntryFlag(
                    short: "net+\(Format.compact(gap))",
                    long: "the network tracked a newer vote of this key (block \(Format.number(vote.blockNumber)) at \(vote.timestamp.iso8601), \(source)) than the file's last vote (\(entry.lastVoteHeight.map { "block " + Format.number($0) } ?? "none")): the file is older than what the key signed; a conflicting vote becomes possible",
                    style: .danger))
        }
        for f in findings where f.entry == index {
            out.append(EntryFlag(short: f.check.rawValue, long: "\(f.severity == .error ? "error" : "warning"): \(f.description)", style: f.severity == .error ? .danger : .warning))
        }
        if entry.hasNoLock, !out.contains(where: { $0.short == Finding.Check.noLock.rawValue }) {
            out.append(EntryFlag(short: "no lock", long: "no lock: this key cannot vote until it has one", style: .warning))
        }
        if entry.neverVoted {
            out.append(EntryFlag(short: "never voted", long: "never voted: the last vote is empty", style: .dim))
        }
        guard let lib else { return out }
        let libNumber = lib.number
        switch entry.state {
        case .savanna(let s):
            if let lock = entry.lockHeight, lock < libNumber {
                out.append(
                    EntryFlag(
                        short: "lock-\(Format.compact(libNumber - lock))",
                        long: "lock behind LIB by \(Format.count(libNumber - lock)) blocks (lock \(Format.number(lock)), LIB \(Format.number(libNumber)))",
                        style: .warning))
            }
            if let vote = entry.lastVoteHeight, vote > libNumber {
                out.append(
                    EntryFlag(
                        short: "vote+\(Format.compact(vote - libNumber))",
                        long: "last vote newer than LIB by \(Format.count(vote - libNumber)) blocks",
                        style: .normal))
            }
            if !s.lastVote.isEmpty, Int64(lib.timestamp.slot) - Int64(s.lastVote.timestamp.slot) > inactiveAfterSlots {
                let behind = Int64(lib.timestamp.slot) - Int64(s.lastVote.timestamp.slot)
                out.append(
                    EntryFlag(
                        short: "inactive",
                        long: "inactive? last vote \(Durations.describe(slots: behind)) before LIB",
                        style: .warning))
            }
        case .hotStuff(let h):
            if h.vheight.bheight != 0, h.vheight.bheight < libNumber {
                out.append(
                    EntryFlag(
                        short: "vh-\(Format.compact(libNumber - h.vheight.bheight))",
                        long: "_vheight behind LIB by \(Format.count(libNumber - h.vheight.bheight)) blocks",
                        style: .warning))
            } else if h.vheight.bheight > libNumber {
                out.append(
                    EntryFlag(
                        short: "vote+\(Format.compact(h.vheight.bheight - libNumber))",
                        long: "_vheight newer than LIB by \(Format.count(h.vheight.bheight - libNumber)) blocks",
                        style: .normal))
            }
        }
        return out
    }
}
