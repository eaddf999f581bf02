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

    public init(index: Int, offset: Int, entry: SafetyEntry, clean: Bool, problems: [String] = []) {
        self.index = index
        self.offset = offset
        self.entry = entry
        self.clean = clean
        self.problems = problems
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
            var evidence = found.enumerated().compactMap { (n, s) -> VoteEvidence? in
                guard let v = s.entry.savanna?.lastVote, !VoteRules.isEmpty(v) else { return nil }
                return VoteEvidence(
                    source: .entry(file: "\(path), entry \(grouped(s.index)) at offset \(s.offset)"), vote: v,
                    note: (s.clean ? "read cleanly" : "read with problems: " + s.problems.joined(separator: "; ")) + (n > 0 ? "; a duplicate" : ""))
            }
            let rest = inputs.evidence.evidence(for: key, entryVote: nil, entryFile: path, lib: inputs.lib.chosen)
            // Future times among salvaged values are not used (a torn time can be anything).
            evidence = evidence.map { e in
                var e = e
                if e.vote.timestamp > inputs.evidence.now {
                    e.rejected = "in the future (\(Durations.describe(slots: Int64(e.vote.timestamp.slot) - Int64(inputs.evidence.now.slot))) after now, \(inputs.evidence.now.iso8601))"
                }
                return e
            }
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
                lost.append("lock at block #\(grouped(old.lock.blockNumber)) (\(old.lock.timestamp.iso8601)), read from entry \(first!.index), replaced by LIB")
                warnings.append(PlanWarning(
                    .lockMovesBack,
                    "\(key.shortText(24)): the lock read from the damaged file (block \(grouped(old.lock.blockNumber))) is newer than LIB by \(Regression.distance(blocks: blocks, slots: slots)); it moves back to LIB: a conflicting vote becomes possible"))
            }
            if first == nil {
                lost.append("no entry could be read for this key: its last vote comes from the other evidence only")
            } else if first?.clean == false {
                lost.append("entry \(grouped(first!.index)) read with problems (\(first!.problems.joined(separator: "; "))): its values used as evidence only")
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
        old.entries = salvage.entries.map(\.entry).filter { $0.savanna != nil }
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

/// Repair as a kind of change: the same review, confirmation (the new file's SHA-256),
/// write path and audit record (action `repair`) as every other change.
public struct RepairChange: ChangeKind {
    public var inputs: RepairInputs
    public init(inputs: RepairInputs) { self.inputs = inputs }

    public func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan {
        try Planner.repair(bytes: bytes, path: location.file, salvage: DamagedFile.read(bytes), inputs: inputs)
    }

    /// The review of a repair of a file that does not exist (`ChangeWorkflow.review`
    /// reads the file first). Applying it needs the file to exist: the front end creates
    /// an empty one after the confirmation, whose SHA-256 is the one planned here.
    public func reviewMissing(
        location: Location, procRoot: String = "/proc", safety: InterlockOptions = InterlockOptions()
    ) throws(EngineError) -> ChangeReview {
        guard !FileManager.default.fileExists(atPath: location.file) else {
            throw .refused("\(location.file) exists: review it with the file's own bytes")
        }
        let plan = try Planner.repair(bytes: [], path: location.file, salvage: .missing, inputs: inputs)
        var safety = safety
        safety.procRoot = procRoot
        var interlocks = Interlocks.run(location, options: safety)
        // Checks of the file itself (who has it open, its owner, mode, links) cannot see a
        // file that does not exist; they run again on the empty stand-in after the
        // confirmation, before anything is written (`applyMissing`), as the command line's
        // repair does. A node running, the state lock and the audit log still decide now.
        for i in interlocks.checks.indices where ["processes", "ownership", "node-user", "hard-links"].contains(interlocks.checks[i].name) {
            let c = interlocks.checks[i]
            guard c.outcome != .clear, c.outcome != .nodeRunning, c.outcome != .busy else { continue }
            interlocks.checks[i].outcome = .notChecked
            interlocks.checks[i].found = "the file does not exist yet: checked on the empty file created after the confirmation, before anything is written (now: \(c.found))"
        }
        return ChangeReview(
            location: location, plan: plan, interlocks: interlocks, explanation: explanation(of: plan),
            blocker: ChangeWorkflow.blocker(interlocks, plan), confirmation: Confirmation(for: plan), safety: safety)
    }
}

/// Salvage through the reader: a file it decodes despite its errors (bad CRC, a bad key,
/// damage after some entries: the entries read before it) gives those entries, each
/// marked clean or not; a file whose header cannot be read gives none.
extension DamagedFile {
    public static func read(_ bytes: [UInt8], absent: Bool = false) -> DamagedFile {
        if absent { return .missing }
        let v = SafetyFileReader.verify(bytes)
        let damage = v.errors.map(\.description)
        guard let file = v.file else { return DamagedFile(format: nil, entries: [], damage: damage) }
        let header = file.format == .hotStuff ? 8 + 1 : 24
        let fileWide = v.errors.contains { $0.entry == nil }
        let entries = file.entries.enumerated().map { (i, e) -> DamagedEntry in
            let own = v.errors.filter { $0.entry == i }.map(\.description)
            let problems = own + (fileWide ? ["the file's CRC does not match: the entry may mix old and new bytes"] : [])
            return DamagedEntry(index: i, offset: header + i * file.format.entrySize, entry: e, clean: own.isEmpty, problems: problems)
        }
        return DamagedFile(format: file.format, entries: entries, damage: damage)
    }
}

/// Where a repair writes: like `Location.resolve`, but the file may be missing.
public enum RepairTarget {
    public struct Target: Sendable {
        public var location: Location
        public var absent: Bool
    }

    public static func resolve(_ path: String) throws(EngineError) -> Target {
        if let l = try? Location.resolve(path) { return Target(location: l, absent: false) }
        var isDir = false
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDir), isDir {
            // A data dir whose finalizers/safety.dat is missing.
            let dir = absolute + "/finalizers"
            guard FileManager.default.fileExists(atPath: dir) else {
                throw .usage("\(path) has no finalizers/ directory: give the safety file's path (it may be missing) or the data dir")
            }
            return Target(location: Location(file: dir + "/safety.dat", dataDir: absolute), absent: true)
        }
        let parent = PathText.directory(absolute)
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDir), isDir else {
            throw .io(path: path, operation: "open", reason: "neither the file nor its directory exists")
        }
        let grand = PathText.directory(parent)
        let dataDir = PathText.name(parent) == "finalizers" ? grand : nil
        return Target(location: Location(file: absolute, dataDir: dataDir), absent: true)
    }

    /// An empty file, created exclusively, owned like its directory, mode 0644 (what
    /// nodeos's fopen makes under the usual umask): the backup then records the absence.
    public static func createEmpty(_ file: String) throws(EngineError) -> (dev: UInt64, ino: UInt64) {
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: file, operation: "create", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        if geteuid() == 0, stat(PathText.directory(file), &st) == 0 {
            guard fchown(fd, st.st_uid, st.st_gid) == 0 else {
                unlink(file)
                throw .io(path: file, operation: "set the owner", reason: String(cString: strerror(errno)))
            }
        }
        fsync(fd)
        var own = stat()
        fstat(fd, &own)
        return (UInt64(own.st_dev), UInt64(own.st_ino))
    }

    /// Removes the stand-in if it is still ours and still empty (a failed apply leaves
    /// the file missing, as it was, never an empty file nodeos would refuse).
    public static func removeStandIn(_ file: String, _ id: (dev: UInt64, ino: UInt64)) {
        var st = stat()
        guard lstat(file, &st) == 0, UInt64(st.st_dev) == id.dev, UInt64(st.st_ino) == id.ino, st.st_size == 0 else { return }
        unlink(file)
    }
}

extension RepairChange {
    /// Applies a reviewed repair of a file that did not exist (`reviewMissing`), as the
    /// command line does after the confirmation: an empty stand-in is created exclusively
    /// (it becomes the backup that records the absence), the workflow reviews the file
    /// again from it (every interlock now sees a file) and applies only if the file to be
    /// written is the one confirmed; on any failure the stand-in is removed (the file is
    /// missing again, never an empty file nodeos would refuse).
    public func applyMissing(
        _ reviewed: ChangeReview, context: AuditContext, procRoot: String = "/proc"
    ) throws(EngineError) -> ChangeOutcome {
        if let blocker = reviewed.blocker, let error = blocker.error { throw error }
        let standIn = try RepairTarget.createEmpty(reviewed.location.file)
        do throws(EngineError) {
            let again = try ChangeWorkflow.review(
                self, location: reviewed.location, expectedSHA256: Digest.sha256([]), procRoot: procRoot, safety: reviewed.safety)
            guard again.plan.afterSHA256 == reviewed.plan.afterSHA256 else {
                throw EngineError.refused(
                    "the repaired file would now be \(again.plan.afterSHA256.hex), not the \(reviewed.plan.afterSHA256.hex) you confirmed: nothing written; review it again")
            }
            return try ChangeWorkflow.apply(again, context: context, procRoot: procRoot)
        } catch {
            RepairTarget.removeStandIn(reviewed.location.file, standIn)
            throw error
        }
    }
}
