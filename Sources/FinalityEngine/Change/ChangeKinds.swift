import FoundationEssentials
import FinalityFormat

/// One kind of change, with everything the workflow gathered for it (`ChangeWorkflow.
/// changeKind` makes one from a `ChangeRequest`): it turns the file's exact bytes into a
/// `Plan`. A new action is one more type conforming to this protocol, and goes through the
/// same review, confirmation, apply and next steps as the others, never beside them.
///
/// Internal to the engine, as the kinds are: a front end cannot make one with evidence of
/// its own choosing; it can only hand over a `ChangeRequest`.
protocol ChangeKind: Sendable {
    /// The plan for these bytes (pure: no disk, no network).
    func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan
    /// What nodeos will do with each changed entry at its next start, and the evidence
    /// behind the values chosen (the vote floor). Empty until the decision model fills it.
    func explanation(of plan: Plan) -> ReviewExplanation
    /// The node's configured keys the change was planned with (nil: not looked for).
    var nodeKeys: NodeKeys? { get }
}

extension ChangeKind {
    func explanation(of plan: Plan) -> ReviewExplanation { ReviewExplanation(plan: plan) }  // RecoveryRules.swift
    var nodeKeys: NodeKeys? { nil }
}

/// The review's slot for the decision model (issue 9): lines said before the diff.
public struct ReviewExplanation: Hashable, Sendable {
    /// "at its next start nodeos votes from block 5,211 on; before the change it would have…"
    public var nodeosWillDo: [String]
    /// Each piece of vote-floor evidence with its source ("the entry's own last vote: …",
    /// "backup …: …", "node API …: …", "LIB: …").
    public var voteFloorEvidence: [String]
    public init(nodeosWillDo: [String] = [], voteFloorEvidence: [String] = []) {
        self.nodeosWillDo = nodeosWillDo
        self.voteFloorEvidence = voteFloorEvidence
    }
}

/// Reset one entry to a LIB.
struct ResetChange: ChangeKind {
    public var key: String
    public var inputs: ResetInputs
    /// The node's configured keys, when looked for: the review says whether this node votes
    /// with the key at all.
    public var nodeKeys: NodeKeys?
    public init(key: String, inputs: ResetInputs, nodeKeys: NodeKeys? = nil) {
        self.key = key
        self.inputs = inputs
        self.nodeKeys = nodeKeys
    }
    public func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan {
        try Planner.reset(bytes: bytes, path: location.file, key: key, inputs: inputs)
    }
    public func explanation(of plan: Plan) -> ReviewExplanation {
        ReviewExplanation(plan: plan).saying(KeyConfiguration.line(plan.key, nodeKeys, deleting: false))
    }
}

/// Reset several entries in one change: each key exactly as a reset of it alone (its own
/// vote floor, its own decision lines), one after the other on the same bytes, as one plan
/// bound to the file's SHA-256: one review, one confirmation, one backup, one audit record.
/// One key gives exactly the plan of `reset --key` (the same bytes, review and record).
struct ResetKeysChange: ChangeKind {
    public var selection: ChangeRequest.KeySelection
    public var inputs: ResetInputs
    public var nodeKeys: NodeKeys?
    /// "Now", for a last vote in the future (the verdict of `.notVoting`).
    public var now: BlockTimestamp?

    /// The keys the selection names in this file, in file order for `.notVoting`.
    func keys(in file: SafetyFile, nodeosLoads: Bool) throws(EngineError) -> [String] {
        switch selection {
        case .keys(let queries):
            var seen = Set<Int>()
            var out = [String]()
            for q in queries {
                let i = try KeyMatch.find(q, in: file)
                guard seen.insert(i).inserted else { throw .usage("\(String(q.prefix(40))): the same entry (#\(i)) is named twice") }
                out.append(file.entries[i].key.text)
            }
            return out
        case .notVoting:
            let lib = inputs.lib.chosen.lib
            return Self.notVoting(file, nodeosLoads: nodeosLoads, lib: lib, keys: nodeKeys, now: now).map { file.entries[$0].key.text }
        }
    }

    /// The entries that will not vote and that a reset brings back (the first entry of each
    /// key: nodeos uses the first).
    public static func notVoting(_ file: SafetyFile, nodeosLoads: Bool, lib: LIB?, keys: NodeKeys?, now: BlockTimestamp?) -> [Int] {
        var seen = Set<BLSPublicKey>()
        return file.entries.indices.filter { i in
            let e = file.entries[i]
            guard seen.insert(e.key).inserted else { return false }
            return VoteRules.verdict(e, nodeosLoads: nodeosLoads, lib: lib, keys: keys, now: now).resetHelps
        }
    }

    public func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan {
        let original = try Planner.decode(bytes, path: location.file)
        let keys = try keys(in: original, nodeosLoads: true)
        guard !keys.isEmpty else {
            throw .refused("no key of \(location.file) will not vote (every entry votes, or is inactive): nothing to reset")
        }
        if keys.count == 1 { return try Planner.reset(bytes: bytes, path: location.file, key: keys[0], inputs: inputs) }
        var current = bytes
        var parts = [Plan]()
        for k in keys {
            let p = try Planner.reset(bytes: current, path: location.file, key: k, inputs: inputs)
            parts.append(p)
            current = p.afterBytes
        }
        let final = try Planner.decode(current, path: location.file)
        func unique<T: Hashable>(_ xs: [T]) -> [T] {
            var seen = Set<T>()
            return xs.filter { seen.insert($0).inserted }
        }
        let diff = FileDiff.compare(old: original, new: final)
        var plan = Plan(
            action: .reset, path: location.file, format: original.format, beforeBytes: bytes, beforeSHA256: Digest.sha256(bytes),
            afterBytes: current, afterSHA256: Digest.sha256(current), key: nil, entryIndex: nil, entryBefore: nil, entryAfter: nil,
            diff: diff, warnings: unique(parts.flatMap(\.warnings)),
            notes: ["\(keys.count) keys reset in one change: " + parts.compactMap { p in p.entryIndex.map { "#\($0)" } }.joined(separator: ", ")]
                + unique(parts.flatMap(\.notes)),
            lib: inputs.lib, proposal: nil, restoreSource: nil)
        plan.voteFloors = parts.flatMap(\.voteFloors)
        plan.decisions = parts.flatMap(\.decisions)
        plan.resetEntries = parts.compactMap { p in p.entryIndex.map { ($0, p.key!) } }.map { ResetEntry(index: $0.0, key: $0.1) }
        return plan
    }

    public func explanation(of plan: Plan) -> ReviewExplanation {
        ReviewExplanation(plan: plan)
    }
}

/// One entry of a reset of several: its index in the file and its key.
public struct ResetEntry: Hashable, Sendable {
    public var index: Int
    public var key: BLSPublicKey
}

/// Delete one entry (nodeos recreates it at its next start).
struct DeleteChange: ChangeKind {
    public var key: String
    /// Only for the review: how far the lock moves back when nodeos recreates the entry.
    public var lib: LIBDecision?
    /// The node's configured keys, when looked for: nodeos recreates an entry at start-up
    /// only for a key it votes with.
    public var nodeKeys: NodeKeys?
    public init(key: String, lib: LIBDecision?, nodeKeys: NodeKeys? = nil) {
        self.key = key
        self.lib = lib
        self.nodeKeys = nodeKeys
    }
    public func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan {
        try Planner.delete(bytes: bytes, path: location.file, key: key, lib: lib)
    }
    public func explanation(of plan: Plan) -> ReviewExplanation {
        ReviewExplanation(plan: plan).saying(KeyConfiguration.line(plan.key, nodeKeys, deleting: true))
    }
}

/// Whether the node votes with the key a reset or delete is about (its signature-provider
/// lines, NodeKeys.swift), said first in "what nodeos will do". nodeos makes an entry at
/// start-up for each configured key that has none (format.md, "How nodeos reads and
/// writes it"), and never votes with a key it is not configured with.
public enum KeyConfiguration {
    public static func line(_ key: BLSPublicKey?, _ keys: NodeKeys?, deleting: Bool) -> String? {
        guard let key, let keys else { return nil }
        // The sentence is the node keys' own (NodeKeys.votingSentence); what it means for
        // this change follows it.
        let sentence = keys.votingSentence(for: key)
        switch keys.isConfigured(key) {
        case true?:
            return sentence + (deleting ? ": nodeos recreates its entry at start-up (lock = its LIB, no last vote)" : "")
        case false?:
            return sentence + (deleting ? "; nodeos does not recreate its entry" : "; this change does not bring this node's votes back")
        case nil:
            return sentence
        }
    }
}

extension ReviewExplanation {
    /// The same explanation with `line` said first (nil: unchanged).
    func saying(_ line: String?) -> ReviewExplanation {
        guard let line else { return self }
        var e = self
        e.nodeosWillDo.insert(line, at: 0)
        return e
    }
}

/// Replace the whole file by a backup.
struct RestoreChange: ChangeKind {
    public var backupPath: String
    public init(backupPath: String) { self.backupPath = backupPath }
    public func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan {
        try Planner.restore(bytes: bytes, path: location.file, backup: try FileBytes.read(backupPath), backupPath: backupPath)
    }
}

/// Repair as a kind of change: the same review, confirmation (the new file's SHA-256),
/// write path and audit record (action `repair`) as every other change.
struct RepairChange: ChangeKind {
    public var inputs: RepairInputs
    /// The file does not exist: planned from no bytes, said as missing (not as damaged).
    public var missing: Bool
    public init(inputs: RepairInputs, missing: Bool = false) {
        self.inputs = inputs
        self.missing = missing
    }

    public func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan {
        try Planner.repair(bytes: bytes, path: location.file, salvage: missing ? .missing : DamagedFile.read(bytes), inputs: inputs)
    }

    public var nodeKeys: NodeKeys? { inputs.keys }
}
