import FoundationEssentials

/// One audit record as read back: every field the write path puts in a line, typed,
/// decoded with the standard `JSONDecoder` (snake_case keys). The write side builds the
/// same fields with the engine's JSON writer (`AuditLog.record`), whose entry and LIB
/// objects are exactly `list --json`'s. Fields a record of an older
/// version lacks are nil. A record is one of three kinds:
/// - a change (`action`): since the write-ahead audit, written and made durable before the
///   rename with `state` "applying" and the planned new SHA-256; older records (no
///   `state`) were written after the read-back and are complete by themselves;
/// - the completion of a change (`completion`): applied, not applied or unknown, seen by
///   the write path or reconciled later against the file and its backup;
/// - the start of a new chain segment after a break (`segment`).
public struct AuditRecord: Codable, Hashable, Sendable {
    public struct Time: Codable, Hashable, Sendable {
        public var slot: UInt32
        public var utc: String
    }

    public struct BlockRef: Codable, Hashable, Sendable {
        public var blockNum: UInt32
        public var blockId: String
        public var timestamp: Time
        public var finalityDigest: String?
        public var empty: Bool?
    }

    public struct VHeight: Codable, Hashable, Sendable {
        public var bheight: UInt32
        public var pcounter: UInt8
    }

    /// An entry before or after the change, as `list --json` shows it.
    public struct Entry: Codable, Hashable, Sendable {
        public var index: Int?
        public var key: String?
        public var lastVote: BlockRef?
        public var lock: BlockRef?
        public var otherBranchLatestTime: Time?
        public var votesForkedSinceLatestStrongVote: Bool?
        public var vheight: VHeight?
        public var bLock: String?
        public var duplicateOf: Int?
        public var flags: [String]?

        enum CodingKeys: String, CodingKey {
            case index, key, lastVote, lock, otherBranchLatestTime, votesForkedSinceLatestStrongVote, duplicateOf, flags
            case vheight = "_vheight"
            case bLock = "_bLock"
        }
    }

    public struct LIBSource: Codable, Hashable, Sendable {
        public var kind: String
        public var path: String?
        public var url: String?
    }

    public struct LIBValue: Codable, Hashable, Sendable {
        public var blockNum: UInt32
        public var blockId: String
        public var timestamp: Time
    }

    public struct LIBReading: Codable, Hashable, Sendable {
        public var source: LIBSource
        public var lib: LIBValue
        public var chainId: String?
        public var details: [String]?
        public var warnings: [String]?
    }

    public struct LIBDecision: Codable, Hashable, Sendable {
        public var chosenIndex: Int?
        public var chosen: LIBReading
        public var reason: String?
        public var verdict: String?
        public var comparison: [String]?
        public var alternatives: [LIBReading]?
    }

    public struct ProposalInputs: Codable, Hashable, Sendable {
        public var blockId: String
        public var phaseCounter: UInt8
        public var finalOnQc: String
        public var proposalId: String
    }

    public struct ChangedKey: Codable, Hashable, Sendable {
        public var key: String
        public var change: String
    }

    public struct Warning: Codable, Hashable, Sendable {
        public var kind: String
        public var message: String
    }

    /// An interlock the operator overrode, and why.
    public struct Override: Codable, Hashable, Sendable {
        public var check: String
        public var found: String
        public var reason: String
    }

    /// The start of a new chain segment: the break it follows and the operator's reason.
    public struct Segment: Codable, Hashable, Sendable {
        public var reason: String
        public var brokenLine: Int
        public var problem: String
    }

    /// How a change ended, written after its "applying" record: by the write path that made
    /// it (`how` "seen": read back, or failed before the rename), or by a later run or
    /// `history`'s reconciler that compared the file and the backup with the record
    /// (`how` "reconciled").
    public struct Completion: Codable, Hashable, Sendable {
        /// The SHA-256 (hex) of the "applying" record's line: the record this completes.
        public var applyingSha256: String
        /// That record's line number when this was written (for people; the hash decides).
        public var applyingLine: Int?
        /// applied | not-applied | unknown
        public var outcome: String
        /// seen | reconciled
        public var how: String
        /// What was found: "read back: the plan's bytes", "the file's SHA-256 is the planned new one"…
        public var found: String
        /// The file's SHA-256 when the completion was written (nil: missing or unreadable).
        public var sha256File: String?
        /// The backup the change made, as found then.
        public var backupFound: String?
        /// An unknown outcome goes on only with the operator's reason (--acknowledge-unknown).
        public var acknowledged: String?
    }

    /// One piece of evidence of a key's last vote, with its source (`VoteFloor.json`).
    public struct EvidencePiece: Codable, Hashable, Sendable {
        /// entry | backup | network | lib
        public var source: String
        public var detail: String
        public var blockNum: UInt32
        public var blockId: String
        public var timestamp: Time
        public var used: Bool
        public var rejected: String?
        public var note: String?
    }

    public struct Vote: Codable, Hashable, Sendable {
        public var blockNum: UInt32
        public var blockId: String
        public var timestamp: Time
    }

    /// The last vote a reset or repair wrote for one key, and why: every piece of evidence
    /// and the index of the chosen one.
    public struct VoteFloor: Codable, Hashable, Sendable {
        public var key: String
        /// evidence | lib
        public var mode: String
        public var lastVote: Vote
        public var chosen: Int
        public var evidence: [EvidencePiece]

        public var chosenPiece: EvidencePiece? { evidence.indices.contains(chosen) ? evidence[chosen] : nil }
    }

    /// A repair's key: what it had before (or "absent or unreadable") and after.
    public struct RepairedKey: Codable, Hashable, Sendable {
        public var key: String
        public var outcome: String?
        public var beforeState: String
        public var before: Entry?
        public var after: Entry?
        public var lost: [String]?
    }

    public var time: String
    public var user: String
    public var uid: UInt32?
    public var sudoUser: String?
    public var ssh: String?
    public var host: String?
    public var action: String?
    public var file: String?
    public var format: String?
    public var key: String?
    public var entryIndex: Int?
    public var before: Entry?
    public var after: Entry?
    public var changedKeys: [ChangedKey]?
    /// Reset and repair (records since issue 9; nil in older ones).
    public var voteFloors: [VoteFloor]?
    /// Repair: every key, before and after (nil in older records).
    public var keys: [RepairedKey]?
    public var lib: LIBDecision?
    public var bLockInputs: ProposalInputs?
    public var restoreFrom: String?
    public var sha256Before: String?
    public var sha256After: String?
    public var backup: String?
    public var warnings: [Warning]?
    public var overrides: [Override]?
    public var segment: Segment?
    /// "applying" on a change written ahead of its rename (nil: an older, complete record).
    public var state: String?
    public var completion: Completion?
    public var toolVersion: String?
    public var prevSha256: String

    /// A change written ahead of its rename, which needs a completion record.
    public var isApplying: Bool { action != nil && state == AuditLog.applyingState }

    /// What the record is, in one word or two: the action ("reset"), "new-segment", or
    /// the completion's outcome ("applied", "not-applied", "unknown").
    public var kindText: String {
        if let c = completion { return c.outcome }
        if segment != nil { return "new-segment" }
        return action ?? "?"
    }

    /// Decodes one line (nil: not a record of ours). snake_case keys; `_vheight` and
    /// `_b_lock` keep their leading underscore (`convertFromSnakeCase` keeps it).
    public static func decode(_ line: some Collection<UInt8>) -> AuditRecord? {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return try? d.decode(AuditRecord.self, from: Data(line))
    }
}
