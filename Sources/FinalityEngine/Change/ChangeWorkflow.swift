import FoundationEssentials
import FinalityFormat

/// One kind of change the workflow can carry out: it turns the file's exact bytes into a
/// `Plan`. Reset, delete and restore are the kinds today; a new action (repair) is one
/// more type conforming to this protocol, and goes through the same review,
/// confirmation, apply and next steps as the others, never beside them.
public protocol ChangeKind: Sendable {
    /// The plan for these bytes (pure: no disk, no network).
    func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan
    /// What nodeos will do with each changed entry at its next start, and the evidence
    /// behind the values chosen (the vote floor). Empty until the decision model fills it.
    func explanation(of plan: Plan) -> ReviewExplanation
}

extension ChangeKind {
    public func explanation(of plan: Plan) -> ReviewExplanation { ReviewExplanation(plan: plan) }  // RecoveryRules.swift
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
public struct ResetChange: ChangeKind {
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
public struct DeleteChange: ChangeKind {
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
public struct RestoreChange: ChangeKind {
    public var backupPath: String
    public init(backupPath: String) { self.backupPath = backupPath }
    public func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan {
        try Planner.restore(bytes: bytes, path: location.file, backup: try FileBytes.read(backupPath), backupPath: backupPath)
    }
}

/// The one typed confirmation rule, for every front end and every kind of change:
/// - a change of one key's entry (reset, delete): the 8 characters after `PUB_BLS_` of
///   that key, exactly (key text is case-sensitive base64url);
/// - a change of the whole file (restore, and repair): the first 12 hex digits of the
///   SHA-256 of the file as it will be written (for a restore: the backup's hash).
/// Never a bare "y": the operator reads what is being changed and types part of it,
/// which support staff can read out over the phone.
public struct Confirmation: Hashable, Sendable {
    public var expected: String
    /// What to type, as the prompt says it.
    public var hint: String

    public init(expected: String, hint: String) {
        self.expected = expected
        self.hint = hint
    }

    public init(for plan: Plan) {
        if let key = plan.key {
            self = .forKey(key)
        } else {
            self = .forWholeFile(afterSHA256: plan.afterSHA256, isRestore: plan.action == .restore)
        }
    }

    /// A change of one key's entry.
    public static func forKey(_ key: BLSPublicKey) -> Confirmation {
        Confirmation(expected: String(key.text.dropFirst(KeyText.prefix.count).prefix(8)), hint: "type the 8 characters after PUB_BLS_ of the key")
    }

    /// A change of the whole file.
    public static func forWholeFile(afterSHA256: Bytes32, isRestore: Bool) -> Confirmation {
        Confirmation(
            expected: String(afterSHA256.hex.prefix(12)),
            hint: isRestore ? "type the first 12 hex digits of the backup's SHA-256" : "type the first 12 hex digits of the new file's SHA-256")
    }

    /// Surrounding spaces are forgiven (a paste); anything else must match exactly.
    public func accepts(_ typed: String) -> Bool {
        !expected.isEmpty && Self.trimmed(typed) == expected
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.reversed())
    }
}

/// Why a reviewed plan cannot be applied now.
public enum ChangeBlocker: Hashable, Sendable {
    /// nodeos runs on this file or data dir: stop it first (exit 4).
    case nodeRunning(String)
    /// Another process has the file open or locked (exit 1).
    case busy(String)
    /// The file already holds these values (exit 0, nothing written).
    case nothingToChange
    /// Another interlock blocks (issue 8): a check that could not be evaluated (exit 1
    /// unless overridden), owner/xattrs that cannot be kept (exit 1), an unusable audit log
    /// (exit 3) or a broken audit chain (exit 1).
    case check(InterlockCheck)

    public var message: String {
        switch self {
        case .nodeRunning(let found): "a node is running: \(found). Stop nodeos first; nothing can be written while it runs"
        case .busy(let found): "the file is in use: \(found)"
        case .nothingToChange: "this changes nothing: the file already holds these values"
        case .check(let c): InterlockReport(checks: [c]).refusal?.description ?? c.found
        }
    }

    public var error: EngineError? {
        switch self {
        case .nodeRunning(let found): .nodeRunning(found)
        case .busy(let found): .refused(found)
        case .nothingToChange: nil
        case .check(let c): InterlockReport(checks: [c]).refusal
        }
    }
}

/// Everything the review step shows, in the order it is shown: why it cannot be applied
/// (first), the interlocks, what nodeos will do and the evidence, the warnings and notes,
/// the diff. Both front ends show this; neither assembles its own.
public struct ChangeReview: Sendable {
    public var location: Location
    public var plan: Plan
    public var interlocks: InterlockReport
    public var explanation: ReviewExplanation
    public var blocker: ChangeBlocker?
    public var confirmation: Confirmation
    /// The operator's overrides and audit segment reason, applied with the plan.
    public var safety: InterlockOptions

    /// The review as text (the command line prints it; `--dry-run` stops after it).
    public var lines: [String] {
        var out = [String]()
        if case .nodeRunning(let found)? = blocker {
            // Said first: the operator must stop the node before anything else matters.
            out.append("A NODE IS RUNNING on this file: stop nodeos before applying (\(found)).")
            out.append("")
        }
        out.append("Interlocks:")
        out += interlocks.lines
        out.append("")
        if !explanation.nodeosWillDo.isEmpty {
            out.append("What nodeos will do:")
            out += explanation.nodeosWillDo.map { "  " + $0 }
            out.append("")
        }
        if !explanation.voteFloorEvidence.isEmpty {
            out.append("Vote floor evidence:")
            out += explanation.voteFloorEvidence.map { "  " + $0 }
            out.append("")
        }
        out += plan.lines
        return out
    }
}

/// One step the operator takes after a change. `command`, when set, is meant to be
/// copied: front ends print it on a line of its own, never wrapped into other text.
public struct NextStep: Hashable, Sendable {
    public var text: String
    public var command: String?
    public init(_ text: String, command: String? = nil) {
        self.text = text
        self.command = command
    }
}

/// What applying did, and what to do next.
public struct ChangeOutcome: Sendable {
    public var result: ApplyResult
    public var plan: Plan
    public var nextSteps: [NextStep]
}

/// The change sequence, owned here once for every front end (the command line's reset,
/// delete, restore and the interface's wizard):
///   1. read the file; refuse if its SHA-256 is not the one the operator reviewed;
///   2. plan (a `ChangeKind`), run the interlocks, explain;
///   3. the review (`ChangeReview`): blockers first, then everything shown;
///   4. one confirmation rule (`Confirmation`), checked by the front end that asked;
///   5. apply (`Apply.run`: interlocks again, our lock, backup, atomic replace,
///      read-back, audit record);
///   6. one next-steps text.
public enum ChangeWorkflow {
    /// Steps 1 to 3. `expectedSHA256`: the hash of the file as the operator saw it (the
    /// interface's loaded file, `--expect-sha256`); nil plans from the file as it is now.
    public static func review(
        _ kind: some ChangeKind, location: Location, expectedSHA256: Bytes32? = nil, procRoot: String = "/proc",
        safety: InterlockOptions = InterlockOptions()
    ) throws(EngineError) -> ChangeReview {
        let loaded = try LoadedFile.read(location)
        if let expectedSHA256, loaded.sha256 != expectedSHA256 {
            throw .refused(
                "\(location.file) changed since the plan you reviewed (expected SHA-256 \(expectedSHA256.hex), now \(loaded.sha256.hex)): nothing written; read it again and review the new plan")
        }
        let plan = try kind.plan(bytes: loaded.bytes, location: location)
        var safety = safety
        safety.procRoot = procRoot
        let interlocks = Interlocks.run(location, options: safety)
        return ChangeReview(
            location: location, plan: plan, interlocks: interlocks, explanation: kind.explanation(of: plan),
            blocker: blocker(interlocks, plan), confirmation: Confirmation(for: plan), safety: safety)
    }

    static func blocker(_ interlocks: InterlockReport, _ plan: Plan) -> ChangeBlocker? {
        if let c = interlocks.checks.first(where: { $0.outcome == .nodeRunning }) { return .nodeRunning(c.found) }
        if let c = interlocks.checks.first(where: { $0.outcome == .busy }) { return .busy(c.found) }
        if let c = interlocks.checks.first(where: { $0.blocks }) { return .check(c) }
        if !plan.changesAnything { return .nothingToChange }
        return nil
    }

    /// Step 5 and 6: applies exactly the reviewed plan. The write path runs the
    /// interlocks again and refuses if the file changed since the plan was made.
    public static func apply(_ review: ChangeReview, context: AuditContext, procRoot: String = "/proc") throws(EngineError) -> ChangeOutcome {
        if let blocker = review.blocker, let error = blocker.error { throw error }
        if review.blocker == .nothingToChange { throw .refused(ChangeBlocker.nothingToChange.message) }
        let result = try Apply.run(
            review.plan, location: review.location,
            options: ApplyOptions(
                context: context, procRoot: procRoot, overrides: review.safety.overrides, newAuditSegment: review.safety.newAuditSegment))
        return ChangeOutcome(result: result, plan: review.plan, nextSteps: nextSteps(review.plan, result, location: review.location))
    }

    /// The one next-steps text.
    /// Commands name the data dir when there is one, so they run every interlock again.
    public static func nextSteps(_ plan: Plan, _ result: ApplyResult, location: Location) -> [NextStep] {
        var out = [NextStep]()
        let target = ShellWord.quoted(location.dataDir ?? location.file)
        switch plan.action {
        case .reset:
            out.append(NextStep("Start nodeos: this key votes again once it sees blocks after LIB; watch its log for the key's first vote."))
        case .delete:
            out.append(NextStep("Start nodeos: it recreates the entry with an empty last vote and its own LIB as lock; watch its log for the key's first vote."))
        case .restore:
            out.append(NextStep("Start nodeos and watch its log: the restored values are what it will vote from."))
        case .repair:
            out.append(NextStep("Start nodeos: it loads the repaired file; each configured key votes once it sees a block after its last vote that extends LIB; watch its log for each key's first vote."))
        }
        out.append(NextStep("To undo, restore the backup (interface: History, select it, r), or run:", command: "finality restore \(target) --from \(ShellWord.quoted(result.backupPath))"))
        out.append(NextStep("Paste the case report into the support ticket:", command: "finality report \(target)"))
        if let leftover = result.removedLeftoverTemp {
            out.append(NextStep("A temp file left by an interrupted run was removed: \(leftover)"))
        }
        return out
    }

    /// Next steps as plain lines: each command alone on its own line, indented.
    public static func lines(_ steps: [NextStep]) -> [String] {
        var out = [String]()
        for (i, s) in steps.enumerated() {
            out.append("  \(i + 1). \(s.text)")
            if let c = s.command { out.append("       \(c)") }
        }
        return out
    }
}

/// A word as a shell reads it back: plain when it only holds safe characters, else in
/// single quotes (a path with a space must still paste as one argument).
public enum ShellWord {
    public static func quoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:=,@%")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingLiteral("'", with: "'\\''") + "'"
    }
}
