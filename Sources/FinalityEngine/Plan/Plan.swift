import FinalityFormat

extension LIBDecision {
    /// The LIB for a reset (or a delete's review) from every reading the operator asked
    /// for. Sources that agree need no choice; sources that disagree are never merged:
    /// the operator picks one (`choice`, 0-based, as `--lib-choice N` shows them) and
    /// says why (`reason`), after seeing them all.
    public static func forPlan(_ readings: [LIBReading], choice: Int?, reason: String?) throws(EngineError) -> LIBDecision {
        guard !readings.isEmpty else {
            throw .usage("a reset needs the LIB: give --blocks-dir DIR, --api URL, or --lib-id HEX with --lib-time or --lib-slot")
        }
        try crossCheck(readings)
        let comparison = LIBComparison(readings)
        if let choice {
            return try choose(comparison, index: choice, reason: reason)
        }
        if let automatic = automatic(comparison) { return automatic }
        // One line per source and per summary line, each value made visible in its line.
        let list = readings.enumerated().map { r -> SafeText in "  \(r.offset + 1). \(r.element.source): \(r.element.lib)" }
        let summary = comparison.summary.map { line -> SafeText in "  \(line)" }
        throw .usage(
            "the LIB sources disagree; choose one with --lib-choice N and say why with --lib-reason TEXT:\n"
                + (list + summary).joined(separator: "\n"))
    }

    /// Every reading, the chosen one first.
    public var allReadings: [LIBReading] { [chosen] + alternatives }
}

/// What the operator asked for, beyond the key.
public struct ResetInputs: Hashable, Sendable {
    public var lib: LIBDecision
    /// Savanna: the lock's finality_digest (zero unless supplied).
    public var finalityDigest: Bytes32?
    /// HotStuff: an explicit `_b_lock`, instead of the proposal id of LIB.
    public var bLock: Bytes32?
    /// HotStuff: final_on_qc for the proposal id (zero unless supplied).
    public var finalOnQC: Bytes32?

    /// Savanna: what the last vote becomes (the newest evidence, or LIB with `--vote-floor lib`).
    public var voteFloor: VoteFloor.Mode
    /// Savanna: backups, the network's tracked votes and "now", gathered before planning.
    public var evidence: EvidenceSet

    public init(
        lib: LIBDecision, finalityDigest: Bytes32? = nil, bLock: Bytes32? = nil, finalOnQC: Bytes32? = nil,
        voteFloor: VoteFloor.Mode = .evidence, evidence: EvidenceSet = .nothing()
    ) {
        self.lib = lib
        self.finalityDigest = finalityDigest
        self.bLock = bLock
        self.finalOnQC = finalOnQC
        self.voteFloor = voteFloor
        self.evidence = evidence
    }
}

/// A change, computed from the exact bytes of a file and bound to their SHA-256: the new
/// bytes, the field-by-field diff, the warnings. Applying refuses if the file changed.
public struct Plan: Sendable {
    public enum Action: String, Sendable {
        case reset, delete, restore, repair
        /// Import a safety interchange document (Interchange/): entries added or raised.
        case importDocument = "import"
    }

    public var action: Action
    /// The safety file the plan is for.
    public var path: String
    public var format: SafetyFormat
    public var beforeBytes: [UInt8]
    public var beforeSHA256: Bytes32
    public var afterBytes: [UInt8]
    public var afterSHA256: Bytes32
    /// Reset and delete: the key, its index, and its entry before and after (nil after a delete).
    public var key: BLSPublicKey?
    public var entryIndex: Int?
    public var entryBefore: SafetyEntry?
    public var entryAfter: SafetyEntry?
    /// Every key, old file against new.
    public var diff: FileDiff
    public var warnings: [PlanWarning]
    /// What the operator should know that is not a warning (where values came from).
    public var notes: [String]
    public var lib: LIBDecision?
    /// HotStuff reset: the inputs of the computed `_b_lock`.
    public var proposal: ProposalID?
    /// Restore: the backup the new bytes come from.
    public var restoreSource: String?
    /// Savanna reset and repair: each written last vote, with its evidence.
    public var voteFloors: [VoteFloor] = []
    /// What nodeos will do with each changed entry, before and after (voting.md).
    public var decisions: [KeyDecision] = []
    /// Repair: every key with what was recovered, from where, and what is lost.
    public var repair: RepairSummary?
    /// A reset of several entries in one change (ChangeKinds.swift `ResetKeysChange`):
    /// each entry and key (`key` and `entryIndex` are nil then).
    public var resetEntries: [ResetEntry] = []
    /// An import: the document and, per key, what was added or raised and from where.
    public var imported: ImportSummary?

    public var changesAnything: Bool { beforeBytes != afterBytes }
}

/// Pure functions: bytes in, plan out. Nothing here touches the disk.
public enum Planner {
    /// Decodes the file a reset or delete starts from; an invalid file is refused (nodeos
    /// refuses it too, and rewriting it would silently "repair" what the operator must see).
    static func decode(_ bytes: [UInt8], path: String) throws(EngineError) -> SafetyFile {
        let v = SafetyFileReader.verify(bytes)
        if let e = v.errors.first { throw .invalid(path: path, finding: e) }
        return v.file!
    }

    public static func reset(
        bytes: [UInt8], path: String, key query: String, inputs: ResetInputs
    ) throws(EngineError) -> Plan {
        let original = try decode(bytes, path: path)
        var file = original
        let index = try KeyMatch.find(query, in: file)
        let before = file.entries[index]
        let lib = inputs.lib.chosen.lib
        var after = before
        var notes = [String]()
        var warnings = [PlanWarning]()
        var proposal: ProposalID?
        var floors = [VoteFloor]()
        var decisions = [KeyDecision]()
        if inputs.lib.verdict == .disagree {
            warnings.append(PlanWarning(
                .libSourcesDisagree,
                "the LIB sources disagree (\(inputs.lib.comparison.joined(separator: "; "))); using \(inputs.lib.chosen.source): \(lib), because: \(inputs.lib.reason)"))
        }
        notes.append("LIB: \(lib), from \(inputs.lib.chosen.source) (\(inputs.lib.reason))")
        switch before.state {
        case .savanna(let s):
            if inputs.bLock != nil || inputs.finalOnQC != nil {
                throw .usage("--b-lock and --final-on-qc are for HotStuff files; this is a \(file.format): use --finality-digest")
            }
            let digest = inputs.finalityDigest ?? .zero
            let floor = VoteFloor.choose(
                key: before.key,
                inputs.evidence.evidence(for: before.key, entryVote: s.lastVote, entryFile: path, lib: inputs.lib.chosen),
                mode: inputs.voteFloor)
            let n = Recovery.resetState(s, lib: lib, digest: digest, floor: floor)
            after.state = .savanna(n)
            floors.append(floor)
            notes.append(
                inputs.finalityDigest == nil
                    ? "lock.finality_digest: zero (none supplied; nodeos's voting rules do not read it)"
                    : "lock.finality_digest: \(digest.hex), supplied with --finality-digest")
            notes += inputs.evidence.summary
            warnings += Recovery.floorWarnings(floor, entryVote: s.lastVote, lib: lib)
            // Evidence beyond the clock-skew tolerance: refused unless the operator decided (Evidence.swift).
            warnings += try VoteFloor.decisions(floors)
            if s.lock.isEmpty {
                notes.append("the key had no lock (it could not vote); it gets LIB as its lock")
            } else if lib.timestamp > s.lock.timestamp {
                notes.append("the lock moves forward from block \(grouped(s.lock.blockNumber)) to \(grouped(lib.number))")
            }
            notes.append(Recovery.otherBranchNote(s, after: n))
            decisions.append(KeyDecision(key: before.key, lines: VoteRules.beforeAfter(before: s, after: n, chain: ChainView(lib: lib))))
        case .hotStuff(let h):
            if inputs.finalityDigest != nil {
                throw .usage("--finality-digest is for Savanna files; this is a HotStuff safety_db.dat: use --b-lock or --final-on-qc")
            }
            if inputs.bLock != nil && inputs.finalOnQC != nil {
                throw .usage("give --b-lock or --final-on-qc, not both (--final-on-qc is an input of the computed _b_lock)")
            }
            var n = h
            n.vheight = VHeight(bheight: lib.number, pcounter: 2)
            if let explicit = inputs.bLock {
                n.bLock = explicit
                notes.append("_b_lock: \(explicit.hex), given with --b-lock")
            } else {
                let p = ProposalID(blockID: lib.blockID, phaseCounter: 2, finalOnQC: inputs.finalOnQC ?? .zero)
                proposal = p
                n.bLock = p.id
                notes.append("_b_lock: the proposal id of LIB with phase counter 2:")
                notes += p.explanation.map { "  " + $0 }
            }
            notes.append("_vheight: {\(grouped(lib.number)), 2}: LIB's height with phase counter 2")
            after.state = .hotStuff(n)
        }
        file.entries[index] = after
        let afterBytes = SafetyFileWriter.encode(file)
        let diff = FileDiff.compare(old: original, new: file)
        // The LIB-relative warning above already says how far the last vote moves back.
        let saidAlready = warnings.contains { $0.kind == .voteNewerThanLIB || $0.kind == .lastVoteMovesBack }
        warnings += diff.warnings.filter { !(saidAlready && $0.kind == .lastVoteMovesBack) }
        var plan = Plan(
            action: .reset, path: path, format: file.format, beforeBytes: bytes, beforeSHA256: Digest.sha256(bytes),
            afterBytes: afterBytes, afterSHA256: Digest.sha256(afterBytes), key: before.key, entryIndex: index,
            entryBefore: before, entryAfter: after, diff: diff, warnings: warnings, notes: notes, lib: inputs.lib,
            proposal: proposal, restoreSource: nil)
        plan.voteFloors = floors
        plan.decisions = decisions
        return plan
    }

    /// Removes the entry (the first with this key, as nodeos keeps; duplicates of it stay).
    /// nodeos recreates it at its next start as {empty last vote, lock = its own LIB}.
    public static func delete(
        bytes: [UInt8], path: String, key query: String, lib: LIBDecision? = nil
    ) throws(EngineError) -> Plan {
        let old = try decode(bytes, path: path)
        let index = try KeyMatch.find(query, in: old)
        var file = old
        let before = file.entries.remove(at: index)
        var notes = [String]()
        switch old.format {
        case .hotStuff:
            notes.append("the entry is removed; the HotStuff code starts a key without an entry from _vheight {0, 0} and no _b_lock")
        case .savannaV0, .savannaV1:
            notes.append("the entry is removed; nodeos recreates it at its next start as {empty last vote, lock = its own LIB (the fork database root), other_branch_latest_time = 0}, with the correct finality_digest: nodeos's own reset to LIB")
        }
        // A key present twice: nodeos keeps the first it reads (format.md). Say which entry
        // goes and which one nodeos uses afterwards (issue 8).
        let others = file.entries.indices.filter { file.entries[$0].key == before.key }
        if let next = others.first {
            func values(_ e: SafetyEntry) -> String {
                switch e.state {
                case .savanna(let s):
                    "last vote \(s.lastVote.isEmpty ? "none" : "block \(grouped(s.lastVote.blockNumber))"), lock \(s.lock.isEmpty ? "none" : "block \(grouped(s.lock.blockNumber))")"
                case .hotStuff(let h): "_vheight \(grouped(h.vheight.bheight))/\(h.vheight.pcounter), _b_lock \(h.bLock.hex.prefix(16))…"
                }
            }
            notes.append(
                "this key appears \(grouped(others.count + 1)) times: entry \(grouped(index)) is removed (the first, the one nodeos uses now: \(values(before))); afterwards nodeos uses the next one, entry \(grouped(next + 1)) of the current file (\(values(file.entries[next]))): the first entry of a key wins, so deleting does not give nodeos's reset to LIB here")
        }
        let diff = FileDiff.compare(old: old, new: file)
        var warnings = diff.warnings
        if let choice = lib, let s = before.savanna {
            let lib = choice.chosen.lib
            notes.append("LIB: \(lib), from \(choice.chosen.source) (\(choice.reason))")
            if !s.lock.isEmpty && lib.timestamp < s.lock.timestamp {
                let blocks = Int64(s.lock.blockNumber) - Int64(lib.number)
                let slots = Int64(s.lock.timestamp.slot) - Int64(lib.timestamp.slot)
                warnings.append(PlanWarning(
                    .lockMovesBack,
                    "the lock moves back from block \(grouped(s.lock.blockNumber)) to LIB \(grouped(lib.number)) (\(Regression.distance(blocks: blocks, slots: slots))) when nodeos recreates the entry: a conflicting vote becomes possible"))
            }
        } else if let s = before.savanna, !s.lock.isEmpty {
            warnings.append(PlanWarning(
                .lockMovesBack,
                "the lock at block \(grouped(s.lock.blockNumber)) (\(s.lock.timestamp.iso8601)) is replaced by nodeos's LIB at its next start: if that LIB is older, the lock moves back and a conflicting vote becomes possible (give a LIB source to see by how much)"))
        }
        if let s = before.savanna, !s.lastVote.isEmpty {
            warnings.append(PlanWarning(
                .lastVoteMovesBack,
                "the last vote (block \(grouped(s.lastVote.blockNumber)), \(s.lastVote.timestamp.iso8601)) is forgotten: the key may vote again on blocks it already voted past, a double vote becomes possible"))
        }
        if let h = before.hotStuff, h.vheight.bheight != 0 || h.vheight.pcounter != 0 {
            warnings.append(PlanWarning(
                .vheightMovesBack,
                "_vheight (last vote) {\(grouped(h.vheight.bheight)), \(h.vheight.pcounter)} is forgotten: a second vote at those heights becomes possible"))
        }
        let afterBytes = SafetyFileWriter.encode(file)
        var plan = Plan(
            action: .delete, path: path, format: file.format, beforeBytes: bytes, beforeSHA256: Digest.sha256(bytes),
            afterBytes: afterBytes, afterSHA256: Digest.sha256(afterBytes), key: before.key, entryIndex: index,
            entryBefore: before, entryAfter: nil, diff: diff, warnings: warnings, notes: notes, lib: lib,
            proposal: nil, restoreSource: nil)
        if let lib, let s = before.savanna, !file.entries.contains(where: { $0.key == before.key }) {
            plan.decisions = [KeyDecision(key: before.key, lines: VoteRules.beforeAfter(before: s, after: nil, chain: ChainView(lib: lib.chosen.lib)))]
        }
        return plan
    }

    /// The whole file from a backup. The backup must be a file nodeos loads; the current
    /// file may be anything (restoring over a corrupted file is the point).
    public static func restore(
        bytes: [UInt8], path: String, backup: [UInt8], backupPath: String
    ) throws(EngineError) -> Plan {
        let restored = try decode(backup, path: backupPath)
        var notes = ["the whole file is replaced by the backup \(backupPath) (SHA-256 \(Digest.sha256(backup).hex))"]
        let current = SafetyFileReader.verify(bytes)
        let diff: FileDiff
        if let old = current.file, current.errors.isEmpty {
            diff = FileDiff.compare(old: old, new: restored)
        } else {
            notes.append("the current file is not one nodeos loads (\(current.errors.first.map(\.description) ?? "unreadable")): every entry of the backup is new")
            diff = FileDiff.compare(old: SafetyFile(format: restored.format, entries: []), new: restored)
        }
        return Plan(
            action: .restore, path: path, format: restored.format, beforeBytes: bytes,
            beforeSHA256: Digest.sha256(bytes), afterBytes: backup, afterSHA256: Digest.sha256(backup), key: nil,
            entryIndex: nil, entryBefore: nil, entryAfter: nil, diff: diff, warnings: diff.warnings, notes: notes,
            lib: nil, proposal: nil, restoreSource: backupPath)
    }
}

extension Planner {
    /// Either side of `finality diff`: a file nodeos loads (else the finding, exit 1).
    public static func decodeForDiff(_ bytes: [UInt8], path: String) throws(EngineError) -> SafetyFile {
        try decode(bytes, path: path)
    }
}
