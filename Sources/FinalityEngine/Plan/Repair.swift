import FoundationEssentials
import Glibc
import FinalityFormat

/// One entry read from a damaged file: its values are evidence, not truth.
public struct DamagedEntry: Hashable, Sendable {
    /// Position in the file (0-based) and byte offset of its first byte.
    public var index: Int
    public var offset: Int
    public var entry: SafetyEntry
    /// Read without any problem of its own (whole, key a valid point, bool in range).
    /// A file-level problem (bad CRC) still makes every value evidence only.
    public var clean: Bool
    public var problems: [String]
    /// Found by scanning the file for the key (KeyScan), not read in order: `index` is its
    /// place by position and `offset` the key's first byte. Never clean.
    public var foundByKey: Bool

    public init(index: Int, offset: Int, entry: SafetyEntry, clean: Bool, problems: [String] = [], foundByKey: Bool = false) {
        self.index = index
        self.offset = offset
        self.entry = entry
        self.clean = clean
        self.problems = problems
        self.foundByKey = foundByKey
    }

    /// Offset of the key's first byte.
    var keyOffset: Int { foundByKey ? offset : offset + entry.keyLengthSize }

    /// "entry 3 at offset 735", or "the key found at offset 736 (entry 3 by position)".
    public var place: String {
        foundByKey ? "the key found at offset \(grouped(offset)) (entry \(grouped(index)) by position)" : "entry \(grouped(index)) at offset \(grouped(offset))"
    }
}

/// What could be read from a file nodeos refuses (or that is missing), entry by entry.
/// The repair planner works from this; the reader (FinalityFormat) produces it.
public struct DamagedFile: Hashable, Sendable {
    /// The format the header names, when the header is readable.
    public var format: SafetyFormat?
    public var entries: [DamagedEntry]
    /// What is wrong, each with its offset and the failed check.
    public var damage: [String]
    /// The file does not exist.
    public var absent: Bool

    public init(format: SafetyFormat?, entries: [DamagedEntry], damage: [String], absent: Bool = false) {
        self.format = format
        self.entries = entries
        self.damage = damage
        self.absent = absent
    }

    public static let missing = DamagedFile(format: nil, entries: [], damage: ["the file does not exist"], absent: true)
}

/// What a repair needs besides the damaged bytes.
public struct RepairInputs: Sendable {
    public var lib: LIBDecision
    public var keys: NodeKeys
    public var evidence: EvidenceSet
    public var finalityDigest: Bytes32?
    public var voteFloor: VoteFloor.Mode

    public init(lib: LIBDecision, keys: NodeKeys, evidence: EvidenceSet, finalityDigest: Bytes32? = nil, voteFloor: VoteFloor.Mode = .evidence) {
        self.lib = lib
        self.keys = keys
        self.evidence = evidence
        self.finalityDigest = finalityDigest
        self.voteFloor = voteFloor
    }
}

extension Planner {
    /// A new file, in the current version (Savanna v1), that nodeos loads and in which
    /// every configured key has an entry: lock := LIB, last vote := the vote floor (the
    /// newest evidence: every value salvaged for the key, the newest backup holding it,
    /// the network's tracked votes, LIB). Entries of keys the node does not use are kept
    /// as they were when they read cleanly. Entries are ordered as nodeos saves them:
    /// inactive first, then configured, each group by key bytes.
    public static func repair(
        bytes: [UInt8], path: String, salvage: DamagedFile, inputs: RepairInputs
    ) throws(EngineError) -> Plan {
        if SafetyFileReader.verify(bytes).errors.isEmpty && !salvage.absent {
            throw .refused("\(path) is a file nodeos loads: nothing to repair (use reset or delete to change an entry)")
        }
        if salvage.format == .hotStuff {
            throw .refused("\(path) is a HotStuff safety_db.dat: spring never reads it, and repair writes Savanna files; restore a backup instead")
        }
        guard inputs.keys.found else {
            throw .refused(
                "the node's configured finalizer keys are unknown (\(inputs.keys.looked.joined(separator: "; "))): a repair must give every key the node votes with an entry; give --config-dir DIR")
        }
        let configured = inputs.keys.publicKeys
        guard !configured.isEmpty else {
            throw .refused("the node's configuration (\(inputs.keys.source ?? "?")) has no finalizer key: nodeos does not read the safety file at all; nothing to repair")
        }
        // Reading in order stops at the damage; every configured key's entry still on disk
        // is found by its 96 bytes wherever it is (a zeroed header or count, damage before it).
        let salvage = salvage.absent ? salvage : salvage.scanning(bytes, for: configured)
        let lib = inputs.lib.chosen.lib
        let digest = inputs.finalityDigest ?? .zero
        let chain = ChainView(lib: lib)
        let configuredSet = Set(configured)

        var notes = ["LIB: \(lib), from \(inputs.lib.chosen.source) (\(inputs.lib.reason))"]
        notes.append(
            inputs.finalityDigest == nil
                ? "lock.finality_digest: zero (none supplied; nodeos's voting rules do not read it)"
                : "lock.finality_digest: \(digest.hex), supplied with --finality-digest")
        notes += inputs.keys.lines
        notes += inputs.evidence.summary
        var warnings = [PlanWarning]()
        if inputs.lib.verdict == .disagree {
            warnings.append(PlanWarning(
                .libSourcesDisagree,
                "the LIB sources disagree (\(inputs.lib.comparison.joined(separator: "; "))); using \(inputs.lib.chosen.source): \(lib), because: \(inputs.lib.reason)"))
        }

        var byKey = [BLSPublicKey: [DamagedEntry]]()
        var order = [BLSPublicKey]()
        var unusable = [String]()
        for s in salvage.entries {
            guard s.entry.savanna != nil else { continue }
            if byKey[s.entry.key] == nil { order.append(s.entry.key) }
            byKey[s.entry.key, default: []].append(s)
        }

        var floors = [VoteFloor]()
        var decisions = [KeyDecision]()
        var summary = [RepairSummary.KeyLine]()
        var active = [SafetyEntry]()
        for key in configured {
            let found = byKey[key] ?? []
            // nodeos keeps the first entry of a duplicated key (emplace); every copy is evidence.
            let first = found.first
            let before = first?.entry.savanna
            // Every value read for the key is evidence; a time ahead of now is judged like any
            // other's (clock skew within the tolerance counts; further needs a decision).
            let evidence = found.enumerated().compactMap { (n, s) -> VoteEvidence? in
                guard let v = s.entry.savanna?.lastVote, !VoteRules.isEmpty(v) else { return nil }
                return inputs.evidence.judged(
                    VoteEvidence(
                        source: .entry(file: "\(path), \(s.place)"), vote: v,
                        note: (s.clean ? "read cleanly" : "read with problems: " + s.problems.joined(separator: "; "))
                            + (n > 0 && !s.foundByKey ? "; a duplicate" : "")),
                    key: key)
            }
            let rest = inputs.evidence.evidence(for: key, entryVote: nil, entryFile: path, lib: inputs.lib.chosen)
            let floor = VoteFloor.choose(key: key, evidence + rest, mode: inputs.voteFloor)
            floors.append(floor)
            var recovered = ["last vote: block #\(grouped(floor.lastVote.blockNumber)) at \(floor.lastVote.timestamp.iso8601), from \(floor.chosen.source.description)"]
            recovered.append("lock: LIB #\(grouped(lib.number)) at \(lib.timestamp.iso8601)")
            var lost = [String]()
            var state: SavannaSafety
            let cleanOld = first.flatMap { $0.clean ? $0.entry.savanna : nil }
            if let old = cleanOld {
                state = Recovery.resetState(old, lib: lib, digest: digest, floor: floor)
                state.votesForkedSinceLatestStrongVote = nil
                if old.votesForkedSinceLatestStrongVote == true { state.otherBranchLatestTime = old.lastVote.timestamp }
                recovered.append("other_branch_latest_time: \(state.otherBranchLatestTime.slot == 0 ? "0 (none)" : state.otherBranchLatestTime.iso8601), kept from entry \(grouped(first!.index))")
            } else {
                // Unknown: the last vote's time is the safe side (votes on its branch stay
                // weak until a QC at or after it; finalizer.cpp decide_vote lines 73–82).
                state = SavannaSafety(
                    lastVote: floor.lastVote, lock: BlockRef(blockID: lib.blockID, timestamp: lib.timestamp, finalityDigest: digest),
                    otherBranchLatestTime: floor.lastVote.timestamp)
                lost.append("other_branch_latest_time: not read cleanly; set to the last vote's time (the safe side: votes on its branch stay weak until a QC at or after it)")
            }
            if let old = before, !VoteRules.isEmpty(old.lock), old.lock.timestamp > lib.timestamp {
                let blocks = Int64(old.lock.blockNumber) - Int64(lib.number)
                let slots = Int64(old.lock.timestamp.slot) - Int64(lib.timestamp.slot)
                lost.append("lock at block #\(grouped(old.lock.blockNumber)) (\(old.lock.timestamp.iso8601)), read from \(first!.place), replaced by LIB")
                warnings.append(PlanWarning(
                    .lockMovesBack,
                    "\(key.shortText(24)): the lock read from the damaged file (block \(grouped(old.lock.blockNumber))) is newer than LIB by \(Regression.distance(blocks: blocks, slots: slots)); it moves back to LIB: a conflicting vote becomes possible"))
            }
            if first == nil {
                lost.append("no entry could be read for this key: its last vote comes from the other evidence only")
            } else if first?.clean == false {
                lost.append("\(first!.place) read with problems (\(first!.problems.joined(separator: "; "))): its values used as evidence only")
            }
            warnings += Recovery.floorWarnings(floor, entryVote: nil, lib: lib)
            let written = SafetyEntry(key: key, state: .savanna(state))
            active.append(written)
            let outcome = first == nil ? "created (no entry was readable)" : (first!.clean ? "rebuilt from a clean entry" : "rebuilt from evidence")
            summary.append(RepairSummary.KeyLine(key: key, outcome: outcome, recovered: recovered, lost: lost, before: first, after: written))
            // "today" is said once for the whole file (RepairSummary.today) when nodeos refuses it.
            let lines = VoteRules.beforeAfter(before: nil, after: state, chain: chain)
            decisions.append(KeyDecision(key: key, lines: salvage.absent ? lines : Array(lines.dropFirst())))
            if case .lib = floor.chosen.source, !floor.evidence.contains(where: { if case .lib = $0.source { return false } else { return $0.usable } }) {
                warnings.append(PlanWarning(
                    .lastVoteMovesBack,
                    "\(key.shortText(24)): no evidence of its last vote but LIB (\(first == nil ? "no entry of it could be read" : "its entry holds none"), no backup holds one, \(inputs.evidence.network.isEmpty ? "no node API given" : "no node API tracked one")): if it voted after LIB, a double vote becomes possible; give --api URL of nodes that track its votes"))
            }
        }

        // Evidence beyond the clock-skew tolerance stops the repair until the operator decides.
        warnings += try VoteFloor.decisions(floors)

        var inactive = [SafetyEntry]()
        for key in order where !configuredSet.contains(key) {
            let copies = byKey[key]!
            if let clean = copies.first(where: \.clean), var s = clean.entry.savanna {
                if let forked = s.votesForkedSinceLatestStrongVote {
                    s.otherBranchLatestTime = forked ? s.lastVote.timestamp : .zero
                    s.votesForkedSinceLatestStrongVote = nil
                }
                let kept = SafetyEntry(key: key, state: .savanna(s))
                inactive.append(kept)
                summary.append(RepairSummary.KeyLine(
                    key: key, outcome: "inactive (not configured): kept as read", recovered: ["entry \(grouped(clean.index)), read cleanly, kept as it was"], lost: [],
                    before: clean, after: kept))
            } else {
                let c = copies[0]
                unusable.append("entry \(grouped(c.index)) at offset \(c.offset) (key \(key.shortText(24)))")
                summary.append(RepairSummary.KeyLine(
                    key: key, outcome: "inactive (not configured): DROPPED", recovered: [],
                    lost: ["entry \(grouped(c.index)) did not read cleanly (\(c.problems.joined(separator: "; "))); nodeos does not use this key"], before: c))
            }
        }
        inactive.sort { $0.key < $1.key }
        active.sort { $0.key < $1.key }
        let file = SafetyFile(format: .savannaV1, entries: inactive + active)
        let afterBytes = SafetyFileWriter.encode(file)
        if let e = SafetyFileReader.verify(afterBytes).errors.first {
            // Every key comes from the configuration (parsed, so a valid point) or a clean entry.
            throw .refused("the repaired file would not load (\(e)): nothing planned")
        }
        var old = SafetyFile(format: .savannaV1, entries: [])
        old.entries = salvage.entries.filter { !$0.foundByKey }.map(\.entry).filter { $0.savanna != nil }
        let diff = FileDiff.compare(old: old, new: file)
        notes.append(salvage.absent
            ? "the file does not exist: nodeos would give every configured key {last vote: empty, lock: its LIB}; this plan gives each its vote floor instead"
            : "the damaged file is kept as the backup")
        if salvage.format == .savannaV0 { notes.append("the damaged file was version 0; the repaired file is version 1 (what nodeos writes)") }
        if !unusable.isEmpty { notes.append("entries dropped: " + unusable.joined(separator: ", ")) }

        var plan = Plan(
            action: .repair, path: path, format: .savannaV1, beforeBytes: bytes, beforeSHA256: Digest.sha256(bytes),
            afterBytes: afterBytes, afterSHA256: Digest.sha256(afterBytes), key: nil, entryIndex: nil, entryBefore: nil,
            entryAfter: nil, diff: diff, warnings: warnings, notes: notes, lib: inputs.lib, proposal: nil, restoreSource: nil)
        plan.voteFloors = floors
        plan.decisions = decisions
        plan.repair = RepairSummary(
            keys: summary, damage: salvage.damage,
            today: salvage.absent ? nil : "today: nodeos refuses to start with this file (\(salvage.damage.first ?? "damaged")): no key votes")
        return plan
    }
}

/// Salvage through the reader: a file it decodes despite its errors (bad CRC, a bad key,
/// damage after some entries: the entries read before it) gives those entries, each
/// marked clean or not; a file whose header cannot be read gives none in order. With the
/// node's keys, every entry of theirs still on disk is found by the key as well, wherever
/// it is (`SafetyFileReader.salvage(_:keys:)`, KeyScan): evidence, never clean.
extension DamagedFile {
    public static func read(_ bytes: [UInt8], absent: Bool = false, keys: [BLSPublicKey] = []) -> DamagedFile {
        if absent { return .missing }
        let s = SafetyFileReader.salvage(bytes, keys: keys)
        let v = s.verification
        let damage = v.errors.map(\.description)
        let fileWide = v.errors.contains { $0.entry == nil }
        let entries = s.entries.map { e -> DamagedEntry in
            let own = v.errors.filter { $0.entry == e.index }.map(\.description)
            let problems = own + (fileWide ? ["the file's CRC does not match: the entry may mix old and new bytes"] : [])
            return DamagedEntry(index: e.index, offset: e.offset, entry: e.entry, clean: own.isEmpty, problems: problems)
        }
        return DamagedFile(format: v.file?.format, entries: entries + s.found.map(Self.entry), damage: damage)
    }

    static func entry(_ f: FoundEntry) -> DamagedEntry {
        DamagedEntry(
            index: f.index, offset: f.keyOffset, entry: f.entry, clean: false,
            problems: ["found by scanning the file for the key, not read in order: no check vouches for it"] + f.problems, foundByKey: true)
    }

    /// The same, with every entry of `keys` found by scanning `bytes` that is not already
    /// here (by the key's offset).
    public func scanning(_ bytes: [UInt8], for keys: [BLSPublicKey]) -> DamagedFile {
        guard format != .hotStuff else { return self }
        var copy = self
        copy.entries += KeyScan.scan(bytes, for: keys, skipping: Set(entries.map(\.keyOffset))).map(Self.entry)
        return copy
    }
}
