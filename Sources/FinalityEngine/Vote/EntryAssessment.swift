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
            let gap = vote.blockNumber - (e.lastVoteHeight ?? 0)
            out.append(EntryFlag(
                code: "network-vote-newer", short: "net+\(compact(gap))",
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
            out.append(EntryFlag(code: "no-lock", short: "no lock", long: "no lock: this key cannot vote until it has one", severity: .warning))
        }
        if e.neverVoted {
            out.append(EntryFlag(code: "never-voted", short: "never voted", long: "never voted: the last vote is empty", severity: .quiet))
        }
        if let s = e.savanna, !s.lastVote.isEmpty, !s.lock.isEmpty, s.lastVote.timestamp < s.lock.timestamp, !has("last-vote-older-than-lock") {
            out.append(EntryFlag(
                code: "last-vote-older-than-lock", short: "vote<lock",
                long: "the last vote (block \(grouped(s.lastVote.blockNumber))) is older than the lock (block \(grouped(s.lock.blockNumber)))",
                severity: .warning))
        }
        if e.key.isInfinity, !has("key-at-infinity") {
            out.append(EntryFlag(code: "key-at-infinity", short: "key-at-infinity", long: "the key is the point at infinity: not a usable BLS key", severity: .danger))
        }
        if let d = duplicateOf, !has("duplicate-key") {
            out.append(EntryFlag(
                code: "duplicate", short: "dup of #\(d)", long: "duplicate: entry #\(d) has the same key; nodeos uses the first", severity: .warning))
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
                    code: "lock-behind-lib", short: "lock-\(compact(libNumber - lock))",
                    long: "lock behind LIB by \(grouped(libNumber - lock)) blocks (lock \(grouped(lock)), LIB \(grouped(libNumber)))",
                    severity: .warning))
            }
            if let vote = e.lastVoteHeight, vote > libNumber {
                out.append(EntryFlag(
                    code: "last-vote-newer-than-lib", short: "vote+\(compact(vote - libNumber))",
                    long: "last vote newer than LIB by \(grouped(vote - libNumber)) blocks", severity: .info))
            }
            // Without the node's keys, "inactive" can only be guessed from time (said so).
            if keys?.found != true, !s.lastVote.isEmpty, Int64(lib.timestamp.slot) - Int64(s.lastVote.timestamp.slot) > inactiveAfterSlots {
                let behind = Int64(lib.timestamp.slot) - Int64(s.lastVote.timestamp.slot)
                out.append(EntryFlag(
                    code: "maybe-inactive", short: "inactive?",
                    long: "inactive? a guess from time: last vote \(Durations.describe(slots: behind)) before LIB (the node's configured keys were not found, so this is not certain)",
                    severity: .warning))
            }
        case .hotStuff(let h):
            if h.vheight.bheight != 0, h.vheight.bheight < libNumber {
                out.append(EntryFlag(
                    code: "vheight-behind-lib", short: "vh-\(compact(libNumber - h.vheight.bheight))",
                    long: "_vheight behind LIB by \(grouped(libNumber - h.vheight.bheight)) blocks", severity: .warning))
            } else if h.vheight.bheight > libNumber {
                out.append(EntryFlag(
                    code: "last-vote-newer-than-lib", short: "vote+\(compact(h.vheight.bheight - libNumber))",
                    long: "_vheight newer than LIB by \(grouped(h.vheight.bheight - libNumber)) blocks", severity: .info))
            }
        }
        return out
    }

    /// The certain one: the node is not configured with the key.
    public static func inactive(_ keys: NodeKeys) -> EntryFlag {
        EntryFlag(
            code: KeyCoverage.inactiveFlag, short: KeyCoverage.inactiveFlag,
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
