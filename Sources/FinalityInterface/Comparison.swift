import FinalityFormat

/// Field-by-field comparison of two decoded files, entries matched by key; and the
/// backwards moves an operator must see (a lock or last vote going back makes a
/// conflicting vote possible).
public enum Comparison {
    public static func rows(old: SafetyFile?, new: SafetyFile?) -> [DiffRow] {
        var out = [DiffRow]()
        out.append(DiffRow(section: "file", field: "format", before: old.map { "\($0.format)" } ?? "(absent)", after: new.map { "\($0.format)" } ?? "(absent)"))
        out.append(DiffRow(section: "file", field: "entries", before: old.map { "\($0.entries.count)" } ?? "-", after: new.map { "\($0.entries.count)" } ?? "-"))
        let oldEntries = old?.entries ?? []
        let newEntries = new?.entries ?? []
        var keys = [BLSPublicKey]()
        for e in oldEntries + newEntries where !keys.contains(e.key) { keys.append(e.key) }
        for key in keys {
            let a = oldEntries.first { $0.key == key }
            let b = newEntries.first { $0.key == key }
            let fa = a.map(fields) ?? []
            let fb = b.map(fields) ?? []
            var names = fa.map(\.0)
            for (n, _) in fb where !names.contains(n) { names.append(n) }
            let section = key.text
            if a == nil || b == nil {
                out.append(DiffRow(section: section, field: "entry", before: a == nil ? "(absent)" : "present", after: b == nil ? "(absent)" : "present"))
            }
            for n in names {
                out.append(DiffRow(section: section, field: n, before: fa.first { $0.0 == n }?.1 ?? "(absent)", after: fb.first { $0.0 == n }?.1 ?? "(absent)"))
            }
        }
        return out
    }

    static func fields(_ e: SafetyEntry) -> [(String, String)] {
        switch e.state {
        case .savanna(let s):
            var f: [(String, String)] = [
                ("last_vote.block_id", s.lastVote.blockID.hex + (s.lastVote.isEmpty ? "" : " (#\(Format.number(s.lastVote.blockNumber)))")),
                ("last_vote.timestamp", Format.slotTime(s.lastVote.timestamp)),
                ("last_vote.finality_digest", s.lastVote.finalityDigest.hex),
                ("lock.block_id", s.lock.blockID.hex + (s.lock.isEmpty ? "" : " (#\(Format.number(s.lock.blockNumber)))")),
                ("lock.timestamp", Format.slotTime(s.lock.timestamp)),
                ("lock.finality_digest", s.lock.finalityDigest.hex),
            ]
            if let forked = s.votesForkedSinceLatestStrongVote {
                f.append(("votes_forked_since_latest_strong_vote", forked ? "true" : "false"))
            } else {
                f.append(("other_branch_latest_time", Format.slotTime(s.otherBranchLatestTime)))
            }
            return f
        case .hotStuff(let h):
            return [
                ("_vheight.bheight", Format.number(h.vheight.bheight)),
                ("_vheight.pcounter", "\(h.vheight.pcounter)"),
                ("_b_lock", h.bLock.hex),
            ]
        }
    }

    /// "the lock of PUB_BLS_… moves back from block 5,210 to 5,190: …" for every key in both.
    public static func backwardMoves(old: SafetyFile?, new: SafetyFile?) -> [String] {
        guard let old, let new else { return [] }
        var out = [String]()
        for a in old.entries {
            guard let b = new.entries.first(where: { $0.key == a.key }) else { continue }
            let who = a.key.shortText(24)
            if let x = a.lastVoteHeight, let y = b.lastVoteHeight, y < x {
                out.append("the last vote of \(who) moves back from block \(Format.number(x)) to \(Format.number(y)) (\(Format.number(x - y)) blocks): a conflicting vote becomes possible")
            }
            if let x = a.lockHeight, let y = b.lockHeight, y < x {
                out.append("the lock of \(who) moves back from block \(Format.number(x)) to \(Format.number(y)) (\(Format.number(x - y)) blocks): a conflicting vote becomes possible")
            }
            if let ha = a.hotStuff, let hb = b.hotStuff, hb.vheight < ha.vheight {
                out.append("_vheight of \(who) moves back from \(Format.number(ha.vheight.bheight))/\(ha.vheight.pcounter) to \(Format.number(hb.vheight.bheight))/\(hb.vheight.pcounter): a conflicting vote becomes possible")
            }
        }
        return out
    }
}
