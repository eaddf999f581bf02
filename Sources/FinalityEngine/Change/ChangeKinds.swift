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
