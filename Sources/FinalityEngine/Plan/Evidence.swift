import FoundationEssentials
import Glibc
import SystemPackage
import FinalityFormat

/// The operator's decision to discard the evidence of a key's last vote that is ahead of
/// "now" by more than the clock-skew tolerance (`--discard-future-vote KEY --discard-reason
/// TEXT`): kept in the audit record with the plan's vote floors. Without it such evidence
/// stops the change (`VoteFloor.decisions`); `--yes` never stands for it.
public struct FutureVoteDiscard: Hashable, Sendable {
    public var key: BLSPublicKey
    public var reason: String

    public init(key: BLSPublicKey, reason: String) {
        self.key = key
        self.reason = reason
    }
}

/// One piece of evidence of a key's own last vote, with where it came from.
public struct VoteEvidence: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        /// The entry being changed (or, in a repair, an entry read from the damaged file).
        case entry(file: String)
        /// A backup of the file that nodeos would load (named as the write path names them).
        case backup(path: String)
        /// An entry of any other file beside the safety file or in `backups/` that starts
        /// with a safety file's magic (or a named backup that nodeos would refuse): `entry`
        /// is its place (by position when `found` by its key rather than read in order),
        /// `offset` its first byte (the key's, when found by it); `damaged`: nodeos would
        /// refuse that file, or only part of it was read.
        case file(path: String, entry: Int, offset: Int, damaged: Bool, found: Bool)
        /// A node's `get_finalizer_info` `last_tracked_votes`.
        case network(url: String)
        /// LIB itself: every block at or before it is final (the floor).
        case lib(LIBSource)

        public var kind: String {
            switch self {
            case .entry: "entry"
            case .backup: "backup"
            case .file(_, _, _, let damaged, _): damaged ? "damaged-file" : "file"
            case .network: "network"
            case .lib: "lib"
            }
        }

        public var description: String {
            switch self {
            case .entry(let f): "the entry in \(f)"
            case .backup(let p): "backup \(p)"
            case .file(let p, let i, let o, let damaged, let found):
                (damaged ? "damaged file " : "file ") + p
                    + (found ? ", the key found at offset \(grouped(o)) (entry \(grouped(i)) by position)" : ", entry \(grouped(i)) at offset \(grouped(o))")
            case .network(let u): "node API \(u) (get_finalizer_info last_tracked_votes)"
            case .lib(let s): "LIB, from \(s)"
            }
        }
    }

    /// What was decided about a piece ahead of "now" by more than the tolerance.
    public enum Decision: Hashable, Sendable {
        /// No decision: the change is refused until the operator makes one.
        case undecided
        /// Discarded by the operator, for this reason.
        case discarded(reason: String)
    }

    public var source: Source
    /// The vote as a block reference (finality_digest zero when the source does not give one).
    public var vote: BlockRef
    /// Why it is not used (in the future, a problem in the source), or nil.
    public var rejected: String?
    /// What else the source said (strong or weak vote, a problem it has).
    public var note: String?
    /// How far ahead of "now" it is (half-second slots), when it is.
    public var aheadSlots: Int64?
    /// Ahead of "now" by more than the clock-skew tolerance: undecided or discarded.
    public var decision: Decision?

    public init(source: Source, vote: BlockRef, rejected: String? = nil, note: String? = nil) {
        self.source = source
        self.vote = vote
        self.rejected = rejected
        self.note = note
    }

    public var usable: Bool { rejected == nil }

    public var line: String {
        var s = "\(source.description): block #\(grouped(vote.blockNumber)) at \(vote.timestamp.iso8601)"
        if let note { s += " (\(note))" }
        if let rejected { s += ": NOT USED, \(rejected)" }
        return s
    }
}

/// A backup read for evidence: its path and the file it decodes to.
public struct BackupEvidence: Hashable, Sendable {
    public var path: String
    public var file: SafetyFile

    public init(path: String, file: SafetyFile) {
        self.path = path
        self.file = file
    }
}

/// Any other file read for evidence, entry by entry, whatever its name or state: a file
/// beside the safety file or in `backups/` that starts with a Savanna safety file's magic,
/// or a named backup that nodeos would refuse (or that was read only in part). Its
/// entries are read in order with the salvage `repair` uses, and for each key asked
/// about, the whole of what was read is scanned for that key (KeyScan), so damage before
/// an entry, a zeroed header or a zeroed count hides nothing still on disk.
public struct FileEvidence: Hashable, Sendable {
    /// One value of a key's last vote read from the file.
    public struct Piece: Hashable, Sendable {
        /// Its place (by position when found by its key) and its first byte (the key's
        /// when found by it).
        public var entry: Int
        public var offset: Int
        public var vote: BlockRef
        /// Found by scanning for the key rather than read in order.
        public var found: Bool
        /// What is doubtful about it (its entry's own errors, bytes around the key).
        public var problems: [String]
    }

    public var path: String
    /// The file's size on disk, and the bytes read (all of it, or the first `bytes.count`).
    public var fileSize: Int
    public var bytes: [UInt8]
    public var namedBackup: Bool
    /// nodeos would refuse the file (what was read of it).
    public var damaged: Bool
    /// "nodeos would load it", or what is wrong with it.
    public var state: String
    /// The entries read in order, up to the damage if any.
    public var inOrder: [SalvagedEntry]

    public var readWhole: Bool { bytes.count == fileSize }

    public init(path: String, bytes: [UInt8], fileSize: Int, namedBackup: Bool, verification: Verification? = nil) {
        let v = verification ?? SafetyFileReader.verify(bytes, options: .init(checkSubgroup: false))
        self.path = path
        self.bytes = bytes
        self.fileSize = fileSize
        self.namedBackup = namedBackup
        let whole = bytes.count == fileSize
        damaged = whole && !v.errors.isEmpty
        if !whole {
            state = "only its first \(grouped(bytes.count)) of \(grouped(fileSize)) bytes read (the bound per file): what follows was not examined"
        } else if v.errors.isEmpty {
            state = "nodeos would load it"
        } else {
            state = "damaged: " + v.headline + (v.errors.first.map { ": \($0)" } ?? "")
        }
        inOrder = SafetyFileReader.salvage(v).entries
    }

    /// Every value of `key`'s last vote the file still holds: its entries read in order,
    /// then every place the key's 96 bytes appear that the order did not reach.
    public func pieces(for key: BLSPublicKey) -> [Piece] {
        var out = [Piece]()
        // An all-zero block id is "no last vote" to nodeos (VoteRules.isEmpty): it cannot be
        // written as one, whatever time sits beside it.
        for e in inOrder where e.entry.savanna != nil && e.entry.key == key {
            guard let v = e.entry.savanna?.lastVote, !VoteRules.isEmpty(v) else { continue }
            out.append(Piece(
                entry: e.index, offset: e.offset, vote: v, found: false,
                problems: e.findings.filter { $0.severity == .error }.map(\.description)))
        }
        for f in KeyScan.scan(bytes, for: [key], skipping: Set(inOrder.map(\.keyOffset))) where !VoteRules.isEmpty(f.lastVote) {
            out.append(Piece(entry: f.index, offset: f.keyOffset, vote: f.lastVote, found: true, problems: f.problems))
        }
        return out
    }
}

/// How much of the folders beside the safety file one review reads for evidence: a folder
/// of huge files, or of very many, must not stall it. What the bounds leave out is said in
/// the review (`EvidenceSet.notExamined`).
public struct EvidenceBounds: Hashable, Sendable {
    /// Names looked at (stat'ed) beside the file and in `backups/`.
    public var maxCandidates: Int
    /// Files read (those that start with the magic, and named backups).
    public var maxFiles: Int
    /// Bytes read from one file, and from all of them.
    public var maxBytesPerFile: Int
    public var maxTotalBytes: Int

    public init(maxCandidates: Int = 1024, maxFiles: Int = 64, maxBytesPerFile: Int = 16 << 20, maxTotalBytes: Int = 128 << 20) {
        self.maxCandidates = maxCandidates
        self.maxFiles = maxFiles
        self.maxBytesPerFile = maxBytesPerFile
        self.maxTotalBytes = maxTotalBytes
    }
}

/// Everything gathered once for a plan: backups and other copies, the network's tracked
/// votes, "now" and the clock-skew tolerance, the operator's decisions on votes beyond it.
public struct EvidenceSet: Hashable, Sendable {
    /// A source that gave no evidence, and why (shown, never silently dropped).
    public struct Unused: Hashable, Sendable {
        public var source: String
        public var reason: String
        public init(_ source: String, _ reason: String) {
            self.source = source
            self.reason = reason
        }
    }

    /// Where "now" comes from.
    public enum Clock: Hashable, Sendable {
        /// This machine's clock (no node API gave its head time).
        case local
        /// The network's head time: the latest `head_block_time` among the node APIs that
        /// answered `get_info` (`url` gave it; `answered` of them answered).
        case network(url: String, answered: Int)

        public var description: String {
            switch self {
            case .local: "this machine's clock"
            case .network(let url, let n): "the network's head time (head_block_time from \(url)\(n > 1 ? ", the latest of \(n) node APIs" : ""))"
            }
        }
    }

    /// The default clock-skew tolerance: a last vote at most this far ahead of "now" is
    /// evidence like any other (a node's clock a little ahead of the operator's is ordinary).
    public static let defaultToleranceSeconds: Double = 600

    /// Backups nodeos would load, oldest first (their names carry the time they were made).
    public var backups: [BackupEvidence]
    /// Backups that could not be used, and why (shown, never silently dropped).
    public var unreadableBackups: [Unused]
    /// Every other file read entry by entry: damaged backups, and copies with any name.
    public var files: [FileEvidence]
    /// What the bounds left unread (said in the review).
    public var notExamined: [String]
    public var network: [FinalizerInfo]
    /// Node APIs asked for tracked votes that did not answer.
    public var networkFailures: [Unused]
    /// "Now", and where it comes from: a last vote later than `now` plus the tolerance is
    /// in the future.
    public var now: BlockTimestamp
    public var clock: Clock
    /// The clock-skew tolerance, in half-second slots.
    public var toleranceSlots: Int64
    /// The operator's decisions to discard votes beyond the tolerance, by key.
    public var discards: [FutureVoteDiscard]

    public init(
        backups: [BackupEvidence] = [], unreadableBackups: [Unused] = [], files: [FileEvidence] = [], network: [FinalizerInfo] = [],
        networkFailures: [Unused] = [], now: BlockTimestamp, clock: Clock = .local,
        toleranceSeconds: Double = EvidenceSet.defaultToleranceSeconds, discards: [FutureVoteDiscard] = []
    ) {
        self.backups = backups
        self.unreadableBackups = unreadableBackups
        self.files = files
        self.notExamined = []
        self.network = network
        self.networkFailures = networkFailures
        self.now = now
        self.clock = clock
        self.toleranceSlots = Int64(max(0, toleranceSeconds) * 2)
        self.discards = discards
    }

    public static func nothing(now: Date = Date()) -> EvidenceSet {
        EvidenceSet(now: BlockTimestamp(date: now) ?? BlockTimestamp(slot: UInt32.max))
    }

    public var toleranceText: String { Durations.describe(slots: toleranceSlots) }

    /// The operator's reason for discarding `key`'s votes beyond the tolerance, if given.
    public func discardReason(for key: BLSPublicKey) -> String? {
        discards.first { $0.key == key }?.reason
    }

    /// A read file, as a backup nodeos would load (named as ours and whole), or as a file
    /// read entry by entry. A HotStuff file holds no Savanna last vote.
    public mutating func add(path: String, bytes: [UInt8], fileSize: Int, namedBackup: Bool) {
        let v = SafetyFileReader.verify(bytes, options: .init(checkSubgroup: false))
        if v.file?.format == .hotStuff || (v.file == nil && v.format == .hotStuff) {
            if namedBackup { unreadableBackups.append(.init(path, "a HotStuff safety_db.dat: it holds no Savanna last vote")) }
            return
        }
        if namedBackup, bytes.count == fileSize, v.errors.isEmpty, let f = v.file {
            backups.append(BackupEvidence(path: path, file: f))
            backups.sort { $0.path < $1.path }
            return
        }
        files.append(FileEvidence(path: path, bytes: bytes, fileSize: fileSize, namedBackup: namedBackup, verification: v))
    }

    /// What was looked at, for the plan's notes.
    public var summary: [String] {
        let damagedBackups = files.filter(\.namedBackup)
        var out = ["backups examined: \(grouped(backups.count + damagedBackups.count + unreadableBackups.count))"
            + (damagedBackups.isEmpty ? "" : ", \(grouped(damagedBackups.count)) damaged or read in part: read entry by entry")
            + (unreadableBackups.isEmpty ? "" : ", \(grouped(unreadableBackups.count)) not usable")]
        for u in unreadableBackups { out.append("  backup \(u.source) not used: \(u.reason)") }
        for f in files {
            out.append("  \(f.namedBackup ? "backup" : "file") \(f.path): \(f.state); every entry that reads is evidence (read in order, then scanned for each key)")
        }
        for n in notExamined { out.append("  not examined: \(n)") }
        if network.isEmpty && networkFailures.isEmpty {
            out.append("no node API asked for tracked votes (--api gives the network's view of each key's last vote)")
        }
        for n in network {
            out.append("node API \(n.source): \(grouped(n.votes.count)) tracked vote\(n.votes.count == 1 ? "" : "s")")
            for d in n.duplicates {
                let blocks = d.votes.map { "#\(grouped($0.blockNumber))" }.joined(separator: " and ")
                out.append(
                    "  PROBLEM in this node's answer: it lists \(String(d.key.prefix(24)))… \(d.votes.count) times (\(blocks)); a node tracks one last vote per key: every one is evidence, the newest counts")
            }
        }
        for f in networkFailures { out.append("node API \(f.source): no tracked votes: \(f.reason)") }
        if case .network = clock {
            out.append("now: \(now.iso8601), \(clock.description); clock-skew tolerance \(toleranceText)")
        }
        for d in discards {
            out.append("--discard-future-vote \(d.key.shortText(24)): \(d.reason)")
        }
        return out
    }

    /// `e` judged against "now": at or before it, as it is; ahead by at most the
    /// tolerance, clock skew: counted, with the skew said; further ahead, in the future:
    /// not used, and either discarded by the operator's decision or undecided (the change
    /// is then refused: `VoteFloor.decisions`).
    public func judged(_ e: VoteEvidence, key: BLSPublicKey) -> VoteEvidence {
        var e = e
        guard e.vote.timestamp > now else { return e }
        let ahead = Int64(e.vote.timestamp.slot) - Int64(now.slot)
        e.aheadSlots = ahead
        let when = "\(Durations.describe(slots: ahead)) after now (\(now.iso8601), \(clock.description))"
        if ahead <= toleranceSlots {
            let skew = "ahead of now by \(Durations.describe(slots: ahead)) (\(clock.description)): clock skew within the \(toleranceText) tolerance, counted"
            e.note = e.note.map { $0 + "; " + skew } ?? skew
        } else if let reason = discardReason(for: key) {
            e.decision = .discarded(reason: reason)
            e.rejected = "in the future (\(when)), beyond the \(toleranceText) clock-skew tolerance: DISCARDED by the operator (--discard-future-vote): \(reason)"
        } else {
            e.decision = .undecided
            e.rejected = "in the future (\(when)), beyond the \(toleranceText) clock-skew tolerance: needs the operator's decision"
        }
        return e
    }

    /// Every piece of evidence of `key`'s last vote: the entry's own (given), the newest
    /// backup holding the key (and any older backup with a newer vote, and every backup
    /// whose vote is beyond the tolerance), every value of it in any other file (damaged
    /// or not), every tracked vote of it in each node API's answer, and LIB. Each judged
    /// against "now" (`judged`).
    public func evidence(
        for key: BLSPublicKey, entryVote: BlockRef?, entryFile: String, lib: LIBReading
    ) -> [VoteEvidence] {
        var out = [VoteEvidence]()
        let latest = Int64(now.slot) + toleranceSlots
        func beyond(_ t: BlockTimestamp) -> Bool { Int64(t.slot) > latest }
        if let v = entryVote, !VoteRules.isEmpty(v) {
            out.append(judged(VoteEvidence(source: .entry(file: entryFile), vote: v), key: key))
        }
        // Backups: the newest holding the key, the one with the newest vote if it differs,
        // and every one whose vote is beyond the tolerance (each needs a decision).
        var newestHolding: (path: String, vote: BlockRef)?
        var newestVote: (path: String, vote: BlockRef)?
        var farAhead = [(path: String, vote: BlockRef)]()
        for b in backups {
            guard let i = b.file.index(of: key), let s = b.file.entries[i].savanna, !VoteRules.isEmpty(s.lastVote) else { continue }
            newestHolding = (b.path, s.lastVote)
            if beyond(s.lastVote.timestamp) {
                farAhead.append((b.path, s.lastVote))
            } else if newestVote == nil || s.lastVote.timestamp > newestVote!.vote.timestamp {
                newestVote = (b.path, s.lastVote)
            }
        }
        if let h = newestHolding {
            out.append(judged(VoteEvidence(source: .backup(path: h.path), vote: h.vote, note: "the newest backup holding the key"), key: key))
            if let n = newestVote, n.path != h.path, beyond(h.vote.timestamp) || n.vote.timestamp > h.vote.timestamp {
                out.append(judged(
                    VoteEvidence(
                        source: .backup(path: n.path), vote: n.vote, note: "an older backup with a newer vote: the last vote was moved back since"),
                    key: key))
            }
            for f in farAhead where f.path != h.path {
                out.append(judged(VoteEvidence(source: .backup(path: f.path), vote: f.vote, note: "an older backup"), key: key))
            }
        }
        for f in files {
            for p in f.pieces(for: key) {
                var note = f.damaged ? "its file is damaged: evidence only" : (f.readWhole ? "a copy nodeos would load" : "its file was read only in part")
                if p.found { note += "; found by scanning for the key" }
                if !p.problems.isEmpty { note += "; " + p.problems.joined(separator: "; ") }
                out.append(judged(
                    VoteEvidence(
                        source: .file(path: f.path, entry: p.entry, offset: p.offset, damaged: f.damaged || !f.readWhole, found: p.found),
                        vote: p.vote, note: note),
                    key: key))
            }
        }
        for info in network {
            let url: String
            if case .api(let u) = info.source { url = u } else { url = info.source.description }
            let votes = info.votes(for: key)
            for v in votes {
                var note = v.isStrong ? "strong vote" : "weak vote"
                if !v.problems.isEmpty { note += "; " + v.problems.joined(separator: "; ") }
                if votes.count > 1 {
                    note += "; PROBLEM in this node's answer: it lists the key \(votes.count) times ("
                        + votes.map { "#\(grouped($0.blockNumber))" }.joined(separator: " and ") + "): every one is evidence"
                }
                out.append(judged(
                    VoteEvidence(source: .network(url: url), vote: BlockRef(blockID: v.blockID, timestamp: v.timestamp), note: note), key: key))
            }
        }
        out.append(VoteEvidence(
            source: .lib(lib.source), vote: BlockRef(blockID: lib.lib.blockID, timestamp: lib.lib.timestamp),
            note: "the floor: every block at or before LIB is final"
                + (lib.lib.timestamp > now ? "; LIB's time is after now (\(now.iso8601), \(clock.description)): check the clock" : "")))
        return out
    }
}

/// The last vote a reset or a repair writes, and why.
public struct VoteFloor: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, CaseIterable {
        /// The newest evidence of the key's own last vote (the default).
        case evidence
        /// `--vote-floor lib`: LIB, whatever the evidence says (with warnings).
        case lib
    }

    public var key: BLSPublicKey
    public var mode: Mode
    public var evidence: [VoteEvidence]
    /// Index into `evidence` of the value written.
    public var chosenIndex: Int

    public var chosen: VoteEvidence { evidence[chosenIndex] }
    /// The new `last_vote`.
    public var lastVote: BlockRef { chosen.vote }

    /// Usable evidence newer than the chosen one (only with `--vote-floor lib`).
    public var ignoredNewer: [VoteEvidence] {
        evidence.filter { $0.usable && $0.vote.timestamp > lastVote.timestamp }
    }

    /// Picks the newest usable evidence (ties: the first listed, so the entry's own wins),
    /// or LIB with `--vote-floor lib`. LIB is always the last piece of evidence.
    public static func choose(key: BLSPublicKey, _ evidence: [VoteEvidence], mode: Mode) -> VoteFloor {
        precondition(!evidence.isEmpty, "the evidence always holds LIB")
        let libIndex = evidence.lastIndex { if case .lib = $0.source { return true } else { return false } } ?? evidence.count - 1
        var chosen = libIndex
        if mode == .evidence {
            for (i, e) in evidence.enumerated() where e.usable {
                if !evidence[chosen].usable || e.vote.timestamp > evidence[chosen].vote.timestamp { chosen = i }
            }
            // Ties between the chosen one and earlier evidence go to the earlier (the entry's own).
            if let first = evidence.firstIndex(where: { $0.usable && $0.vote.timestamp == evidence[chosen].vote.timestamp }) {
                chosen = first
            }
        }
        return VoteFloor(key: key, mode: mode, evidence: evidence, chosenIndex: chosen)
    }

    /// Pieces ahead of "now" by more than the tolerance that no decision covers.
    public var undecided: [VoteEvidence] { evidence.filter { $0.decision == .undecided } }

    /// Pieces the operator discarded, each with the reason.
    public var discarded: [(piece: VoteEvidence, reason: String)] {
        evidence.compactMap { e in
            if case .discarded(let reason)? = e.decision { return (e, reason) }
            return nil
        }
    }

    /// What discarding `e` allows: nodeos refuses only blocks at or before the written last
    /// vote, so the key may vote again on blocks after it up to `e`'s time.
    public func discardingAllows(_ e: VoteEvidence) -> String {
        let blocks = Int64(e.vote.blockNumber) - Int64(lastVote.blockNumber)
        let slots = Int64(e.vote.timestamp.slot) - Int64(lastVote.timestamp.slot)
        return "the key may vote again on blocks after \(lastVote.timestamp.iso8601) (block #\(grouped(lastVote.blockNumber))) up to \(e.vote.timestamp.iso8601) (block #\(grouped(e.vote.blockNumber)); \(Regression.distance(blocks: blocks, slots: slots))): if it voted at those times, a double vote at those times becomes possible"
    }

    /// The operator's decisions on votes beyond the clock-skew tolerance, checked once the
    /// floors are chosen: any piece without a decision refuses the change (`--yes` is no
    /// decision), saying what to do and what discarding would allow; each discarded piece
    /// becomes a warning saying what the discard allows.
    public static func decisions(_ floors: [VoteFloor]) throws(EngineError) -> [PlanWarning] {
        var refusals = [String]()
        var warnings = [PlanWarning]()
        for f in floors {
            for e in f.undecided {
                refusals.append(
                    "\(f.key.text): \(e.source.description) says its last vote was block #\(grouped(e.vote.blockNumber)) at \(e.vote.timestamp.iso8601), \(e.rejected ?? "in the future"). "
                        + "Discarding it (--discard-future-vote \(f.key.text) --discard-reason TEXT, kept in the audit record) would write block #\(grouped(f.lastVote.blockNumber)) at \(f.lastVote.timestamp.iso8601) instead: \(f.discardingAllows(e))")
            }
            for (e, reason) in f.discarded {
                warnings.append(PlanWarning(
                    .lastVoteMovesBack,
                    "\(f.key.shortText(24)): \(e.source.description) (block #\(grouped(e.vote.blockNumber)) at \(e.vote.timestamp.iso8601)) DISCARDED by the operator (\(reason)): \(f.discardingAllows(e))"))
            }
        }
        guard refusals.isEmpty else {
            throw .refused(
                "evidence of a last vote is further in the future than the clock-skew tolerance allows; nothing planned. A time that far ahead is damage or a wrong clock, not skew: "
                    + "if the clock is wrong, fix it or give --clock-skew DURATION; if you are sure the key did not vote then, discard it explicitly (never by --yes alone).\n"
                    + refusals.map { r -> SafeText in "  \(r)" }.joined(separator: "\n"))  // one line each, its values made visible
        }
        return warnings
    }

    /// Each piece with its source, the chosen one named, and what any discard allows.
    public var lines: [String] {
        var out = ["last vote := \(mode == .lib ? "LIB (--vote-floor lib)" : "the newest evidence of the key's own last vote"): block #\(grouped(lastVote.blockNumber)) at \(lastVote.timestamp.iso8601), from \(chosen.source.description)"]
        out.append("evidence of its last vote:")
        for (i, e) in evidence.enumerated() {
            out.append("  \(i == chosenIndex ? "=>" : "  ") \(e.line)")
        }
        for (e, reason) in discarded {
            out.append("discarded by the operator (\(reason)): \(e.source.description), block #\(grouped(e.vote.blockNumber)); this allows: \(discardingAllows(e))")
        }
        return out
    }

    public var json: JSON {
        .object([
            ("key", .string(key.text)),
            ("mode", .string(mode.rawValue)),
            ("last_vote", .object([
                ("block_num", .uint(UInt64(lastVote.blockNumber))), ("block_id", .string(lastVote.blockID.hex)),
                ("timestamp", JSONModel.time(lastVote.timestamp)),
            ])),
            ("chosen", .int(Int64(chosenIndex))),
            ("evidence", .array(evidence.map { e in
                .object([
                    ("source", .string(e.source.kind)), ("detail", .string(e.source.description)),
                    ("block_num", .uint(UInt64(e.vote.blockNumber))), ("block_id", .string(e.vote.blockID.hex)),
                    ("timestamp", JSONModel.time(e.vote.timestamp)),
                    ("used", .bool(e.usable)), ("rejected", e.rejected.map { .string($0) } ?? .null),
                    ("note", e.note.map { .string($0) } ?? .null),
                    ("ahead_of_now_ms", e.aheadSlots.map { .int($0 * 500) } ?? .null),
                ])
            })),
            // The operator's decisions on votes beyond the clock-skew tolerance (the audit
            // record keeps them with the floor).
            ("discarded_future_votes", .array(discarded.map { d in
                .object([
                    ("source", .string(d.piece.source.kind)), ("detail", .string(d.piece.source.description)),
                    ("block_num", .uint(UInt64(d.piece.vote.blockNumber))), ("timestamp", JSONModel.time(d.piece.vote.timestamp)),
                    ("reason", .string(d.reason)), ("allows", .string(discardingAllows(d.piece))),
                ])
            })),
        ])
    }
}

extension EvidenceSet {
    /// Reads the files beside `file` and in its `backups/` that may hold evidence (named
    /// backups whatever their state, and any other file that starts with a Savanna safety
    /// file's magic), within `bounds`; asks every node API for its tracked votes
    /// (`get_finalizer_info`) and its head time (`get_info`): "now" is the latest head
    /// time of those that answered, else this machine's clock (`now`). A node that does
    /// not answer is listed, never fatal: LIB and the other evidence remain.
    public static func gather(
        file: String, apiURLs: [String], timeoutSeconds: Double, now: Date = Date(),
        toleranceSeconds: Double = EvidenceSet.defaultToleranceSeconds, discards: [FutureVoteDiscard] = [],
        bounds: EvidenceBounds = EvidenceBounds()
    ) -> EvidenceSet {
        var set = EvidenceSet(now: BlockTimestamp(date: now) ?? BlockTimestamp(slot: UInt32.max), toleranceSeconds: toleranceSeconds, discards: discards)
        set.readFiles(beside: file, bounds: bounds)
        var heads = [(url: String, time: BlockTimestamp)]()
        for url in apiURLs {
            do {
                set.network.append(try LIBSources.finalizerInfo(url, timeoutSeconds: timeoutSeconds))
            } catch {
                set.networkFailures.append(.init(url, error.description))
                continue
            }
            // The head time: only from a node that answered for its votes (one that does
            // not answer is not asked twice).
            if let info = try? NodeAPI.info(url, timeoutSeconds: timeoutSeconds), let head = info.headBlockTime {
                heads.append((url, head))
            }
        }
        if let latest = heads.max(by: { $0.time < $1.time }) {
            set.now = latest.time
            set.clock = .network(url: latest.url, answered: heads.count)
        }
        return set
    }

    /// Reads the candidates (`FileHistory.evidenceCandidates`) within the bounds.
    mutating func readFiles(beside file: String, bounds: EvidenceBounds) {
        let (candidates, notListed) = FileHistory.evidenceCandidates(of: file, limit: bounds.maxCandidates)
        if notListed > 0 {
            notExamined.append("\(grouped(notListed)) more name\(notListed == 1 ? "" : "s") beside the file and in backups/ (at most \(grouped(bounds.maxCandidates)) are looked at)")
        }
        var read = 0
        var total = 0
        var skipped = [String]()
        for c in candidates {
            guard read < bounds.maxFiles, total < bounds.maxTotalBytes else {
                skipped.append(c.path)
                continue
            }
            let limit = min(bounds.maxBytesPerFile, bounds.maxTotalBytes - total)
            let got: (bytes: [UInt8], size: Int)
            do { got = try Self.readStart(c.path, limit: limit, onlyIfMagic: !c.namedBackup) } catch {
                if c.namedBackup { unreadableBackups.append(.init(c.path, error.description)) }
                continue
            }
            guard !got.bytes.isEmpty || c.namedBackup else { continue }  // not a safety file
            read += 1
            total += got.bytes.count
            add(path: c.path, bytes: got.bytes, fileSize: got.size, namedBackup: c.namedBackup)
        }
        if !skipped.isEmpty {
            notExamined.append(
                "\(grouped(skipped.count)) file\(skipped.count == 1 ? "" : "s") (at most \(grouped(bounds.maxFiles)) files and \(grouped(bounds.maxTotalBytes)) bytes are read): "
                    + skipped.prefix(5).joined(separator: ", ") + (skipped.count > 5 ? ", …" : ""))
        }
    }

    /// The first `limit` bytes of a regular file and its size; with `onlyIfMagic`, nothing
    /// (empty) unless it starts with a Savanna safety file's magic. Never blocks on a FIFO
    /// swapped in after the listing (O_NONBLOCK, regular files only).
    static func readStart(_ path: String, limit: Int, onlyIfMagic: Bool) throws(EngineError) -> (bytes: [UInt8], size: Int) {
        let fd: FileDescriptor
        do { fd = try Sys.open(path, .readOnly, [.nonBlocking, Sys.noControllingTerminal]) } catch {
            throw .io(path: path, operation: "open", reason: error.description)
        }
        defer { try? Sys.close(fd, path: path) }
        let st: FileStatus
        do { st = try Sys.fstat(fd, path: path) } catch { throw .io(path: path, operation: "stat", reason: error.description) }
        guard st.isRegular else { throw .io(path: path, operation: "read", reason: "not a regular file") }
        let size = Int(st.size)
        var out = [UInt8]()
        let wanted = min(size, max(0, limit))
        out.reserveCapacity(wanted)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var checked = !onlyIfMagic
        while out.count < wanted {
            let n: Int
            do {
                let room = min(buffer.count, wanted - out.count)
                n = try buffer.withUnsafeMutableBytes { (b) throws(Errno) -> Int in
                    try Sys.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: b[0..<room]), path: path)
                }
            } catch {
                throw .io(path: path, operation: "read", reason: (error as? Errno)?.description ?? "\(error)")
            }
            if n == 0 { break }
            out += buffer[0..<n]
            if !checked && out.count >= 8 {
                // The magic is in: stop here unless it is a safety file's.
                checked = true
                var r = ByteReader(out)
                if (try? r.u64()) != SafetyFormat.savannaMagic { return ([], size) }
            }
        }
        if onlyIfMagic && out.count < 8 { return ([], size) }
        return (out, size)
    }
}
