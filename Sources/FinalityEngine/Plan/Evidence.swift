import FoundationEssentials
import FinalityFormat

/// One piece of evidence of a key's own last vote, with where it came from.
public struct VoteEvidence: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        /// The entry being changed (or, in a repair, an entry read from the damaged file).
        case entry(file: String)
        /// A backup of the file.
        case backup(path: String)
        /// A node's `get_finalizer_info` `last_tracked_votes`.
        case network(url: String)
        /// LIB itself: every block at or before it is final (the floor).
        case lib(LIBSource)

        public var kind: String {
            switch self {
            case .entry: "entry"
            case .backup: "backup"
            case .network: "network"
            case .lib: "lib"
            }
        }

        public var description: String {
            switch self {
            case .entry(let f): "the entry in \(f)"
            case .backup(let p): "backup \(p)"
            case .network(let u): "node API \(u) (get_finalizer_info last_tracked_votes)"
            case .lib(let s): "LIB, from \(s)"
            }
        }
    }

    public var source: Source
    /// The vote as a block reference (finality_digest zero when the source does not give one).
    public var vote: BlockRef
    /// Why it is not used (in the future, a problem in the source), or nil.
    public var rejected: String?
    /// What else the source said (strong or weak vote, a problem it has).
    public var note: String?

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

/// Everything gathered once for a plan: backups, the network's tracked votes, "now".
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

    /// Backups oldest first (their names carry the time they were made).
    public var backups: [BackupEvidence]
    /// Backups that could not be used, and why (shown, never silently dropped).
    public var unreadableBackups: [Unused]
    public var network: [FinalizerInfo]
    /// Node APIs asked for tracked votes that did not answer.
    public var networkFailures: [Unused]
    /// The time a last vote may not be after ("in the future").
    public var now: BlockTimestamp

    public init(
        backups: [BackupEvidence] = [], unreadableBackups: [Unused] = [], network: [FinalizerInfo] = [],
        networkFailures: [Unused] = [], now: BlockTimestamp
    ) {
        self.backups = backups
        self.unreadableBackups = unreadableBackups
        self.network = network
        self.networkFailures = networkFailures
        self.now = now
    }

    public static func nothing(now: Date = Date()) -> EvidenceSet {
        EvidenceSet(now: BlockTimestamp(date: now) ?? BlockTimestamp(slot: UInt32.max))
    }

    /// What was looked at, for the plan's notes.
    public var summary: [String] {
        var out = ["backups examined: \(grouped(backups.count))" + (unreadableBackups.isEmpty ? "" : ", \(grouped(unreadableBackups.count)) not usable")]
        for u in unreadableBackups { out.append("  backup \(u.source) not used: \(u.reason)") }
        if network.isEmpty && networkFailures.isEmpty {
            out.append("no node API asked for tracked votes (--api gives the network's view of each key's last vote)")
        }
        for n in network { out.append("node API \(n.source): \(grouped(n.votes.count)) tracked vote\(n.votes.count == 1 ? "" : "s")") }
        for f in networkFailures { out.append("node API \(f.source): no tracked votes: \(f.reason)") }
        return out
    }

    /// Every piece of evidence of `key`'s last vote: the entry's own (given), the newest
    /// backup holding the key (and any older backup with a newer vote), each node API's
    /// tracked vote, and LIB. Evidence in the future (after `now`) is shown but not used.
    public func evidence(
        for key: BLSPublicKey, entryVote: BlockRef?, entryFile: String, lib: LIBReading
    ) -> [VoteEvidence] {
        var out = [VoteEvidence]()
        func future(_ t: BlockTimestamp) -> String? {
            t > now ? "in the future (\(Durations.describe(slots: Int64(t.slot) - Int64(now.slot))) after now, \(now.iso8601))" : nil
        }
        if let v = entryVote, !VoteRules.isEmpty(v) {
            out.append(VoteEvidence(source: .entry(file: entryFile), vote: v, rejected: future(v.timestamp)))
        }
        // Backups: the newest holding the key, and the one with the newest vote if it differs.
        var newestHolding: (path: String, vote: BlockRef)?
        var newestVote: (path: String, vote: BlockRef)?
        for b in backups {
            guard let i = b.file.index(of: key), let s = b.file.entries[i].savanna, !VoteRules.isEmpty(s.lastVote) else { continue }
            newestHolding = (b.path, s.lastVote)
            // The newest vote among backups, not counting those in the future.
            if s.lastVote.timestamp <= now, newestVote == nil || s.lastVote.timestamp > newestVote!.vote.timestamp {
                newestVote = (b.path, s.lastVote)
            }
        }
        if let h = newestHolding {
            let rejected = future(h.vote.timestamp)
            out.append(VoteEvidence(source: .backup(path: h.path), vote: h.vote, rejected: rejected, note: "the newest backup holding the key"))
            if let n = newestVote, n.path != h.path, rejected != nil || n.vote.timestamp > h.vote.timestamp {
                out.append(VoteEvidence(
                    source: .backup(path: n.path), vote: n.vote, rejected: future(n.vote.timestamp),
                    note: "an older backup with a newer vote: the last vote was moved back since"))
            }
        }
        for info in network {
            guard let v = info.vote(for: key) else { continue }
            let url: String
            if case .api(let u) = info.source { url = u } else { url = info.source.description }
            var note = v.isStrong ? "strong vote" : "weak vote"
            if !v.problems.isEmpty { note += "; " + v.problems.joined(separator: "; ") }
            out.append(VoteEvidence(
                source: .network(url: url), vote: BlockRef(blockID: v.blockID, timestamp: v.timestamp), rejected: future(v.timestamp),
                note: note))
        }
        out.append(VoteEvidence(
            source: .lib(lib.source), vote: BlockRef(blockID: lib.lib.blockID, timestamp: lib.lib.timestamp),
            note: "the floor: every block at or before LIB is final"
                + (lib.lib.timestamp > now ? "; LIB's time is after this machine's clock (\(now.iso8601)): check the clock" : "")))
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

    /// Each piece with its source, the chosen one named.
    public var lines: [String] {
        var out = ["last vote := \(mode == .lib ? "LIB (--vote-floor lib)" : "the newest evidence of the key's own last vote"): block #\(grouped(lastVote.blockNumber)) at \(lastVote.timestamp.iso8601), from \(chosen.source.description)"]
        out.append("evidence of its last vote:")
        for (i, e) in evidence.enumerated() {
            out.append("  \(i == chosenIndex ? "=>" : "  ") \(e.line)")
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
                ])
            })),
        ])
    }
}

extension EvidenceSet {
    /// Reads the backups beside `file` (those nodeos would load; the others listed with
    /// why) and asks every node API for its tracked votes (`get_finalizer_info`). A node
    /// that does not answer is listed, never fatal: LIB and the other evidence remain.
    public static func gather(file: String, apiURLs: [String], timeoutSeconds: Double, now: Date = Date()) -> EvidenceSet {
        var set = EvidenceSet.nothing(now: now)
        for b in FileHistory.backups(of: file, current: nil) {
            guard let bytes = try? FileBytes.read(b.path) else {
                set.unreadableBackups.append(.init(b.path, "unreadable"))
                continue
            }
            let v = SafetyFileReader.verify(bytes)
            if let f = v.file, v.errors.isEmpty {
                if f.format.isSavanna { set.backups.append(BackupEvidence(path: b.path, file: f)) }
            } else {
                set.unreadableBackups.append(.init(b.path, v.errors.first.map(\.description) ?? "does not decode"))
            }
        }
        for url in apiURLs {
            do { set.network.append(try LIBSources.finalizerInfo(url, timeoutSeconds: timeoutSeconds)) } catch {
                set.networkFailures.append(.init(url, error.description))
            }
        }
        return set
    }
}
