import FinalityFormat

/// Something worth flagging about one entry, once for every front end: `list` and
/// `show` (the short text), `--json` (the code), the case report and the Entries screen
/// (short in the table, long in the detail pane).
public struct EntryFlag: Hashable, Sendable {
    public enum Severity: String, Hashable, Sendable {
        /// A double vote is possible, or nodeos refuses the entry.
        case danger
        /// The key cannot vote, or is behind.
        case warning
        /// Worth knowing, not a problem by itself.
        case info
        /// Plain facts (never voted).
        case quiet
    }

    /// Stable, for `--json` (documented in the README): `no-lock`, `lock-behind-lib`, …
    public var code: String
    /// For tables: `lock-20`, `vote+2`, `inactive`, `net+21`.
    public var short: String
    /// For the detail pane and the report: the sentence, with the numbers.
    public var long: String
    public var severity: Severity

    public init(code: String, short: String, long: String, severity: Severity) {
        self.code = code
        self.short = short
        self.long = long
        self.severity = severity
    }
}

/// Every flag the assessment sets that is not one of the reader's own checks, with its
/// short form and meaning: the one table `EntryAssessment.flags` sets them from and the
/// legend (Help, `finality list --help`) is printed from. The reader's checks
/// (`Finding.Check`) are flags too, under their own names (`FlagLegend.lines` lists both).
public enum FlagKind: String, Hashable, Sendable, CaseIterable {
    case networkVoteNewer = "network-vote-newer"
    case noLock = "no-lock"
    case neverVoted = "never-voted"
    case lastVoteOlderThanLock = "last-vote-older-than-lock"
    case keyAtInfinity = "key-at-infinity"
    case duplicate = "duplicate"
    case inactive = "inactive"
    case lockBehindLIB = "lock-behind-lib"
    case lastVoteNewerThanLIB = "last-vote-newer-than-lib"
    case maybeInactive = "maybe-inactive"
    case vheightBehindLIB = "vheight-behind-lib"

    /// The short form as the table shows it (N: a number of blocks).
    public var shortPattern: String {
        switch self {
        case .networkVoteNewer: "net+N / net-vote"
        case .noLock: "no lock"
        case .neverVoted: "never voted"
        case .lastVoteOlderThanLock: "vote<lock"
        case .keyAtInfinity: "key-at-infinity"
        case .duplicate: "dup of #N"
        case .inactive: "inactive"
        case .lockBehindLIB: "lock-N"
        case .lastVoteNewerThanLIB: "vote+N"
        case .maybeInactive: "inactive?"
        case .vheightBehindLIB: "vh-N"
        }
    }

    public var meaning: String {
        switch self {
        case .networkVoteNewer:
            "a node API tracked a newer vote of this key than the file's last vote (net-vote: the file has none): the file is older than what the key signed; voting from it risks a double vote"
        case .noLock: "no lock: nodeos never votes with this key until it has one (reset or delete the entry)"
        case .neverVoted: "the last vote is empty: a fact, not a fault (nodeos then has no record of what it signed)"
        case .lastVoteOlderThanLock: "the last vote is older than the lock: nodeos never writes that; the file was edited or mixed"
        case .keyAtInfinity: "the key is the point at infinity: not a usable BLS key"
        case .duplicate: "the same key as entry #N: nodeos uses the first"
        case .inactive: "the node is not configured with this key: nodeos keeps the entry and never votes with it"
        case .lockBehindLIB:
            "the lock is N blocks behind LIB: normal after a restart; nodeos still votes (every new QC is newer than the lock)"
        case .lastVoteNewerThanLIB: "the last vote is N blocks past LIB: normal while voting (LIB trails the votes)"
        case .maybeInactive: "a guess from time (the node's keys were not found): the last vote is over 15 minutes older than LIB"
        case .vheightBehindLIB: "HotStuff: _vheight N blocks behind LIB"
        }
    }
}

/// The legend of every flag the table can show: the assessment's own (`FlagKind`) and the
/// reader's checks (`Finding.Check`, shown under their names).
public enum FlagLegend {
    public static func meaning(_ check: Finding.Check) -> String {
        switch check {
        case .magic: "the file does not start with the safety file's magic: nodeos refuses it"
        case .version: "a version nodeos does not know: it refuses the file"
        case .developmentEra: "a layout of a development build: released nodeos refuses it"
        case .truncated: "the file ends inside an entry: nodeos refuses it"
        case .count: "the entry count is larger than the file: nodeos refuses it"
        case .keyLength: "a key length other than 96: nodeos refuses the file"
        case .keyNotCanonical: "a key in a non-canonical encoding: nodeos refuses the file"
        case .keyNotOnCurve: "a key that is not a point on the curve: nodeos refuses the file"
        case .bool: "a boolean byte other than 0 or 1: nodeos refuses the file"
        case .crc: "the checksum does not match: nodeos refuses the file"
        case .varint: "a malformed length: nodeos refuses the file"
        case .empty: "an empty file: nodeos refuses it"
        case .trailingBytes: "bytes after the last entry: nodeos ignores them"
        case .duplicateKey: "the same key twice: nodeos uses the first"
        case .noLock: "no lock: nodeos never votes with this key until it has one"
        case .lastVoteOlderThanLock: "the last vote is older than the lock"
        case .futureTimestamp: "a time later than now: a last vote in the future stops every vote until then"
        case .keyAtInfinity: "the key is the point at infinity: not a usable BLS key"
        case .hotStuffKeyInvalid: "a HotStuff key that does not decode"
        case .keyNotInSubgroup: "a key outside the prime-order subgroup: nodeos loads it, but it can never sign a valid vote"
        case .paddedKeyLength: "the key length is padded to more than one byte: nodeos reads it"
        case .unreadEntries: "whole entries past the count: nodeos never reads them"
        }
    }

    /// Every flag code with its short form and meaning, the assessment's first.
    public static var lines: [(code: String, short: String, meaning: String)] {
        var out = FlagKind.allCases.map { ($0.rawValue, $0.shortPattern, $0.meaning) }
        for c in Finding.Check.allCases where !out.contains(where: { $0.0 == c.rawValue }) {
            out.append((c.rawValue, c.rawValue, meaning(c)))
        }
        return out
    }

    /// Help's and `--help`'s text: the verdicts, then the flags (one line each, wrapped by the caller).
    public static var legendText: [String] {
        var out = ["Verdict (what nodeos will do with the entry today; read it first):"]
        // Each line a sentence (ends with a full stop): `--help` wraps it as one paragraph.
        for v in KeyVerdict.legend { out.append("  \(v.short): \(v.meaning).") }
        out.append("Flags (facts about the entry; the detail pane says each in full):")
        for f in lines { out.append("  \(f.short): \(f.meaning).") }
        return out
    }
}

extension EntryFlag {
    /// A flag of the assessment's own table.
    init(_ kind: FlagKind, short: String? = nil, long: String, severity: Severity) {
        self.init(code: kind.rawValue, short: short ?? kind.shortPattern, long: long, severity: severity)
    }
}

/// A key's last vote as a node tracked it (`get_finalizer_info`), and who said so.
public struct NetworkVoteEvidence: Hashable, Sendable {
    public var blockNumber: UInt32
    public var timestamp: BlockTimestamp
    public var isStrong: Bool
    /// "node API", or the URL.
    public var source: String
    public init(blockNumber: UInt32, timestamp: BlockTimestamp, isStrong: Bool, source: String) {
        self.blockNumber = blockNumber
        self.timestamp = timestamp
        self.isStrong = isStrong
        self.source = source
    }

    public init(_ vote: TrackedVote, source: String) {
        self.init(blockNumber: vote.blockNumber, timestamp: vote.timestamp, isStrong: vote.isStrong, source: source)
    }
}

/// The one assessment of an entry: which flags, in which order (the most dangerous first).
public enum EntryAssessment {
    /// A key whose last vote is this much older than LIB (15 minutes) has stopped voting.
    public static let inactiveAfterSlots: Int64 = 15 * 60 * 2

    /// - findings: the reader's findings for this entry (shown by their check name);
    ///   without them the file's own checks are still made here (no lock, last vote older
    ///   than lock, key at infinity).
    /// - lib: flags measured against LIB appear only when a LIB is known.
    /// - keys: the node's configured keys (`NodeKeys`); when found, an entry whose key is
    ///   not among them is `inactive` (certain: nodeos keeps it and never votes with it),
    ///   and the guess from time is not made.
    public static func flags(
        _ e: SafetyEntry, lib: LIB?, findings: [Finding] = [], network: NetworkVoteEvidence? = nil, duplicateOf: Int? = nil,
        keys: NodeKeys? = nil
    ) -> [EntryFlag] {
        var out = [EntryFlag]()
        // The file is older than what the key signed (an old backup, a copy from another
        // node): the most dangerous thing a flag can say.
        if let vote = network, vote.blockNumber > (e.lastVoteHeight ?? 0) {
            // A distance is only shown from a last vote the file has: from an empty one
            // it would be the block number itself (`net+402.6M`), which says nothing.
            let short = e.lastVoteHeight.map { "net+\(compact(vote.blockNumber - $0))" } ?? "net-vote"
            out.append(EntryFlag(
                .networkVoteNewer, short: short,
                long: "the network tracked a newer vote of this key (block \(grouped(vote.blockNumber)) at \(vote.timestamp.iso8601), \(vote.source)) than the file's last vote (\(e.lastVoteHeight.map { "block " + grouped($0) } ?? "none")): the file is older than what the key signed; a conflicting vote becomes possible",
                severity: .danger))
        }
        for f in findings {
            out.append(EntryFlag(
                code: f.check.rawValue, short: f.check.rawValue, long: "\(f.severity == .error ? "error" : "warning"): \(f.description)",
                severity: f.severity == .error ? .danger : .warning))
        }
        func has(_ code: String) -> Bool { out.contains { $0.code == code } }
        if e.hasNoLock, !has("no-lock") {
            out.append(EntryFlag(.noLock, long: "no lock: this key cannot vote until it has one", severity: .warning))
        }
        if e.neverVoted {
            out.append(EntryFlag(.neverVoted, long: "never voted: the last vote is empty", severity: .quiet))
        }
        if let s = e.savanna, !s.lastVote.isEmpty, !s.lock.isEmpty, s.lastVote.timestamp < s.lock.timestamp, !has("last-vote-older-than-lock") {
            out.append(EntryFlag(
                .lastVoteOlderThanLock,
                long: "the last vote (block \(grouped(s.lastVote.blockNumber))) is older than the lock (block \(grouped(s.lock.blockNumber)))",
                severity: .warning))
        }
        if e.key.isInfinity, !has("key-at-infinity") {
            out.append(EntryFlag(.keyAtInfinity, long: "the key is the point at infinity: not a usable BLS key", severity: .danger))
        }
        if let d = duplicateOf, !has("duplicate-key") {
            out.append(EntryFlag(
                .duplicate, short: "dup of #\(d)", long: "duplicate: entry #\(d) has the same key; nodeos uses the first", severity: .warning))
        }
        if let keys, keys.isConfigured(e.key) == false {
            out.append(inactive(keys))
        }
        guard let lib else { return out }
        let libNumber = lib.number
        switch e.state {
        case .savanna(let s):
            if let lock = e.lockHeight, lock < libNumber {
                out.append(EntryFlag(
                    .lockBehindLIB, short: "lock-\(compact(libNumber - lock))",
                    long: "lock behind LIB by \(grouped(libNumber - lock)) blocks (lock \(grouped(lock)), LIB \(grouped(libNumber)))",
                    severity: .warning))
            }
            if let vote = e.lastVoteHeight, vote > libNumber {
                out.append(EntryFlag(
                    .lastVoteNewerThanLIB, short: "vote+\(compact(vote - libNumber))",
                    long: "last vote newer than LIB by \(grouped(vote - libNumber)) blocks", severity: .info))
            }
            // Without the node's keys, "inactive" can only be guessed from time (said so).
            if keys?.found != true, !s.lastVote.isEmpty, Int64(lib.timestamp.slot) - Int64(s.lastVote.timestamp.slot) > inactiveAfterSlots {
                let behind = Int64(lib.timestamp.slot) - Int64(s.lastVote.timestamp.slot)
                out.append(EntryFlag(
                    .maybeInactive,
                    long: "inactive? a guess from time: last vote \(Durations.describe(slots: behind)) before LIB (the node's configured keys were not found, so this is not certain)",
                    severity: .warning))
            }
        case .hotStuff(let h):
            if h.vheight.bheight != 0, h.vheight.bheight < libNumber {
                out.append(EntryFlag(
                    .vheightBehindLIB, short: "vh-\(compact(libNumber - h.vheight.bheight))",
                    long: "_vheight behind LIB by \(grouped(libNumber - h.vheight.bheight)) blocks", severity: .warning))
            } else if h.vheight.bheight > libNumber {
                out.append(EntryFlag(
                    .lastVoteNewerThanLIB, short: "vote+\(compact(h.vheight.bheight - libNumber))",
                    long: "_vheight newer than LIB by \(grouped(h.vheight.bheight - libNumber)) blocks", severity: .info))
            }
        }
        return out
    }

    /// The certain one: the node is not configured with the key.
    public static func inactive(_ keys: NodeKeys) -> EntryFlag {
        EntryFlag(
            .inactive,
            long: "inactive: the node is not configured with this key (keys from \(keys.source ?? "?")); nodeos keeps the entry and never votes with it",
            severity: .info)
    }

    /// `950`, `9,999`, `12k`, `1.0M`: for narrow flag columns.
    public static func compact<T: BinaryInteger>(_ n: T) -> String {
        let v = Int64(n)
        if v < 10_000 { return grouped(v) }
        if v < 1_000_000 { return "\(v / 1000)k" }
        return "\(v / 1_000_000).\((v % 1_000_000) / 100_000)M"
    }
}
