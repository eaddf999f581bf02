import FinalityFormat

/// One field's value, typed so text and JSON can each show it properly.
public enum FieldValue: Hashable, Sendable, CustomStringConvertible {
    /// A block id: shown with its block number.
    case blockID(Bytes32)
    /// A digest or a proposal id: 32 bytes with no block number in them.
    case digest(Bytes32)
    case time(BlockTimestamp)
    case number(UInt64)
    case bool(Bool)

    public var description: String {
        switch self {
        case .blockID(let id): id.isZero ? "\(id.hex) (empty)" : "\(id.hex) (block \(grouped(id.blockNumber)))"
        case .digest(let d): d.hex
        case .time(let t): t.slot == 0 ? "0 (none)" : "\(t.iso8601) (slot \(t.slot))"
        case .number(let n): grouped(n)
        case .bool(let b): b ? "true" : "false"
        }
    }

    public var json: JSON {
        switch self {
        case .blockID(let id): .object([("block_num", .uint(UInt64(id.blockNumber))), ("block_id", .string(id.hex))])
        case .digest(let d): .string(d.hex)
        case .time(let t): JSONModel.time(t)
        case .number(let n): .uint(n)
        case .bool(let b): .bool(b)
        }
    }
}

/// One field, before and after, in the file's own vocabulary with the other one beside it.
public struct FieldChange: Hashable, Sendable {
    /// The name in the file's own vocabulary (`lock.block_id`, `_b_lock`).
    public var name: String
    /// The name in the other vocabulary (`_b_lock`, `lock`).
    public var alias: String
    public var before: FieldValue?
    public var after: FieldValue?

    public var changed: Bool { before != after }
}

/// The fields of one entry, in file order.
public enum EntryFields {
    public static func of(_ entry: SafetyEntry, format: SafetyFormat) -> [(name: String, alias: String, value: FieldValue)] {
        switch entry.state {
        case .savanna(let s):
            var out: [(String, String, FieldValue)] = [
                ("last_vote.block_id", "_vheight", .blockID(s.lastVote.blockID)),
                ("last_vote.timestamp", "_vheight", .time(s.lastVote.timestamp)),
                ("last_vote.finality_digest", "-", .digest(s.lastVote.finalityDigest)),
                ("lock.block_id", "_b_lock", .blockID(s.lock.blockID)),
                ("lock.timestamp", "_b_lock", .time(s.lock.timestamp)),
                ("lock.finality_digest", "-", .digest(s.lock.finalityDigest)),
            ]
            if format == .savannaV0 {
                out.append((
                    "votes_forked_since_latest_strong_vote", "-",
                    .bool(s.votesForkedSinceLatestStrongVote ?? (s.otherBranchLatestTime.slot != 0))))
            } else {
                out.append(("other_branch_latest_time", "-", .time(s.otherBranchLatestTime)))
            }
            return out
        case .hotStuff(let h):
            return [
                ("_vheight.bheight", "last_vote (height)", .number(UInt64(h.vheight.bheight))),
                ("_vheight.pcounter", "last_vote (phase)", .number(UInt64(h.vheight.pcounter))),
                ("_b_lock", "lock (a proposal id)", .digest(h.bLock)),
            ]
        }
    }

    /// Field-by-field changes between two states of one key (nil: the entry is absent).
    public static func changes(
        before: SafetyEntry?, beforeFormat: SafetyFormat, after: SafetyEntry?, afterFormat: SafetyFormat
    ) -> [FieldChange] {
        let b = before.map { of($0, format: beforeFormat) } ?? []
        let a = after.map { of($0, format: afterFormat) } ?? []
        var out = [FieldChange]()
        var names = b.map(\.name)
        for f in a where !names.contains(f.name) { names.append(f.name) }
        for name in names {
            let bf = b.first { $0.name == name }
            let af = a.first { $0.name == name }
            out.append(FieldChange(name: name, alias: (bf ?? af)!.alias, before: bf?.value, after: af?.value))
        }
        return out
    }
}

/// One key's difference between two files.
public struct EntryDiff: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case changed, unchanged, removed, added
    }

    public var key: BLSPublicKey
    public var kind: Kind
    /// Index in the old file (nil when added) and in the new file (nil when removed).
    public var oldIndex: Int?
    public var newIndex: Int?
    public var fields: [FieldChange]
}

/// Two files compared key by key (`finality diff OLD NEW`, and every plan's review).
public struct FileDiff: Sendable {
    public var oldFormat: SafetyFormat
    public var newFormat: SafetyFormat
    public var entries: [EntryDiff]
    public var oldTrailingBytes: Int
    public var newTrailingBytes: Int
    /// Entries keep their keys but their order changed.
    public var orderChanged: Bool
    /// Values that move backwards, entries that disappear.
    public var warnings: [PlanWarning]

    public var changedCount: Int { entries.filter { $0.kind != .unchanged }.count }
    public var isIdentical: Bool {
        changedCount == 0 && oldFormat == newFormat && !orderChanged && oldTrailingBytes == newTrailingBytes
    }

    /// Pairs entries by key; a duplicated key pairs its n-th occurrence in each file.
    public static func compare(old: SafetyFile, new: SafetyFile) -> FileDiff {
        var newByKey = [BLSPublicKey: [Int]]()
        for (i, e) in new.entries.enumerated() { newByKey[e.key, default: []].append(i) }
        var used = Set<Int>()
        var out = [EntryDiff]()
        var pairedNewOrder = [Int]()
        for (i, e) in old.entries.enumerated() {
            if var candidates = newByKey[e.key], !candidates.isEmpty {
                let j = candidates.removeFirst()
                newByKey[e.key] = candidates
                used.insert(j)
                pairedNewOrder.append(j)
                let fields = EntryFields.changes(
                    before: e, beforeFormat: old.format, after: new.entries[j], afterFormat: new.format)
                let same = fields.allSatisfy { !$0.changed }
                out.append(EntryDiff(key: e.key, kind: same ? .unchanged : .changed, oldIndex: i, newIndex: j, fields: fields))
            } else {
                out.append(EntryDiff(
                    key: e.key, kind: .removed, oldIndex: i, newIndex: nil,
                    fields: EntryFields.changes(before: e, beforeFormat: old.format, after: nil, afterFormat: new.format)))
            }
        }
        for (j, e) in new.entries.enumerated() where !used.contains(j) {
            out.append(EntryDiff(
                key: e.key, kind: .added, oldIndex: nil, newIndex: j,
                fields: EntryFields.changes(before: nil, beforeFormat: old.format, after: e, afterFormat: new.format)))
        }
        var warnings = [PlanWarning]()
        if old.format != new.format {
            warnings.append(PlanWarning(
                .formatChanges, "the format changes from \(old.format) to \(new.format)"))
        }
        for d in out {
            switch d.kind {
            case .changed:
                warnings += Regression.check(
                    key: d.key, before: old.entries[d.oldIndex!], after: new.entries[d.newIndex!])
            case .removed:
                warnings.append(PlanWarning(
                    .entryRemoved,
                    "the entry of \(d.key.shortText(24)) disappears: nodeos recreates it at its next start as {empty last vote, lock = its own LIB}, forgetting its last vote"))
            case .added, .unchanged:
                break
            }
        }
        return FileDiff(
            oldFormat: old.format, newFormat: new.format, entries: out,
            oldTrailingBytes: old.trailingBytes.count, newTrailingBytes: new.trailingBytes.count,
            orderChanged: pairedNewOrder != pairedNewOrder.sorted(), warnings: warnings)
    }
}
