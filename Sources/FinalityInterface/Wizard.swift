import FinalityEngine
import FinalityFormat

/// What the wizard changes.
public enum WizardAction: String, Hashable, Sendable, CaseIterable {
    case reset, delete, restore
    /// Rebuild a file nodeos refuses from what can be read and the evidence (issue 9).
    case repair
    /// Import a document exported on another node (issue 24): its keys added or raised.
    case importDocument

    public var title: String {
        switch self {
        case .reset: "Reset"
        case .delete: "Delete"
        case .restore: "Restore"
        case .repair: "Repair"
        case .importDocument: "Import"
        }
    }

    /// The change is of the whole file (restore, repair, import), not of one key's entry.
    public var wholeFile: Bool { self == .restore || self == .repair || self == .importDocument }
}

/// The five numbered steps support staff name on the phone ("you are at step 3").
public enum WizardStep: Int, Hashable, Sendable, CaseIterable, Comparable {
    case chooseEntry = 1, chooseLIB, review, confirm, result

    /// The step's title for this action: a restore chooses a backup, not an entry.
    public func title(for action: WizardAction) -> String {
        switch self {
        case .chooseEntry:
            switch action {
            case .restore: "Choose the backup"
            case .repair: "Damage and node keys"
            case .importDocument: "The document"
            default: "Choose entry and action"
            }
        case .chooseLIB:
            switch action {
            case .restore: "LIB source (not needed for a restore)"
            case .importDocument: "LIB source (not needed for an import)"
            default: "Choose LIB source"
            }
        case .review:
            switch action {
            case .restore: "Review the restore"
            case .repair: "Review the repair"
            case .importDocument: "Review the import"
            default: "Review the change"
            }
        case .confirm: "Confirm"
        case .result: "Result"
        }
    }

    /// The steps bar's label.
    public func shortTitle(for action: WizardAction) -> String {
        switch self {
        case .chooseEntry:
            switch action {
            case .restore: "Backup"
            case .repair: "Damage & keys"
            case .importDocument: "Document"
            default: "Entry & action"
            }
        case .chooseLIB: "LIB source"
        case .review: "Review"
        case .confirm: "Confirm"
        case .result: "Result"
        }
    }

    public static func < (a: WizardStep, b: WizardStep) -> Bool { a.rawValue < b.rawValue }
}

/// One safety check before a write, shown with its result.
public struct CheckRow: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        case clear
        /// A node is running, another process holds the file: nothing may be written.
        case blocking
        /// Could not be checked (no data dir known): said, not blocking.
        case notChecked
    }

    public var name: String
    public var outcome: Outcome
    public var detail: String
    public init(name: String, outcome: Outcome, detail: String) {
        self.name = name
        self.outcome = outcome
        self.detail = detail
    }
}

/// A plan as the review step shows it: the engine's `ChangeReview` as plain values. `id`
/// is the effect runner's handle on the engine's review (the core never holds engine
/// objects it could apply by itself).
public struct PlanPreview: Hashable, Sendable {
    public var id: Int
    /// What the wizard asked the engine for (applying sends it back: the runner applies
    /// only the review made for exactly this request).
    public var request: ChangeRequest
    public var rows: [DiffRow]
    /// "the lock moves back from block 5,210 to 5,190: a conflicting vote becomes possible"
    public var warnings: [String]
    /// What the change means, in nodeos's terms (e.g. "nodeos recreates the entry…").
    public var notes: [String]
    public var checks: [CheckRow]
    /// Set when a check refuses the plan: step 4 cannot be reached.
    public var refusal: String?
    /// The workflow's one typed-confirmation rule for this plan.
    public var confirmation: Confirmation
    /// The decision model's lines: what nodeos will do at its next start, and the vote
    /// floor's evidence with each source.
    public var nodeosWillDo: [String]
    public var evidence: [String]
    /// Lines only recovery adds: a repair's every key (what was recovered, from where, what
    /// is lost), a LIB from one source ("not cross-checked").
    public var recovery: [String]
    /// The SHA-256 of the file as it will be written (a whole-file confirmation types its start).
    public var afterSHA256: String
    /// The engine's review as text, exactly as the command line prints it (`ChangeReview.lines`).
    public var text: [String] = []
    /// The node the review's interlocks found running on the file (nil: none).
    public var nodeRunning: String?

    public init(
        id: Int, request: ChangeRequest, rows: [DiffRow], warnings: [String], notes: [String] = [], checks: [CheckRow], refusal: String? = nil,
        confirmation: Confirmation, nodeosWillDo: [String] = [], evidence: [String] = [], recovery: [String] = [], afterSHA256: String = ""
    ) {
        self.recovery = recovery
        self.afterSHA256 = afterSHA256
        self.id = id
        self.request = request
        self.rows = rows
        self.warnings = warnings
        self.notes = notes
        self.checks = checks
        self.refusal = refusal
        self.confirmation = confirmation
        self.nodeosWillDo = nodeosWillDo
        self.evidence = evidence
    }

    /// The engine's review, as the review step shows it. A plan that is not ready (blocked,
    /// or changing nothing) cannot reach step 4: its verdict's message says why.
    public init(id: Int, review: ChangeReview) {
        self.init(
            id: id, request: review.request, rows: DiffRows.from(review.plan.diff), warnings: review.plan.warnings.map(\.message),
            notes: review.plan.notes, checks: review.interlocks.checks.map(CheckRow.init), refusal: review.verdict.message,
            confirmation: review.confirmation, nodeosWillDo: review.explanation.nodeosWillDo,
            evidence: review.explanation.voteFloorEvidence, recovery: review.plan.recoveryLines.filter { !$0.isEmpty },
            afterSHA256: review.plan.afterSHA256.hex)
        text = review.lines
        if case .nodeRunning(let found)? = review.blocker { nodeRunning = found }
    }
}

extension CheckRow {
    public init(_ c: InterlockCheck) {
        let outcome: Outcome =
            switch c.outcome {
            case .clear: .clear
            case .nodeRunning, .busy, .cannotCheck, .refused, .unusable: .blocking
            case .notChecked, .overridden, .warning: .notChecked
            }
        // What the check could not see is part of its result (issue 8: fail closed, say so).
        let detail = ([c.found] + c.unseen.map { "could not see: " + $0 } + (c.overrideReason.map { ["overridden: " + $0] } ?? []))
            .joined(separator: "; ")
        // A clear check is one short line; the others say what was checked and all they found.
        if c.outcome == .clear {
            self.init(name: c.name, outcome: outcome, detail: c.summary)
        } else {
            self.init(name: c.checked, outcome: outcome, detail: detail)
        }
    }
}

/// What applying did.
public struct ApplyOutcome: Hashable, Sendable {
    public var backupPath: String
    public var auditRecord: String
    public var newSHA256: String
    /// The workflow's one next-steps text; commands are shown on lines of their own.
    public var nextSteps: [NextStep]
    /// The interlocks as they ran while applying.
    public var checks: [CheckRow]
    public init(backupPath: String, auditRecord: String, newSHA256: String, nextSteps: [NextStep], checks: [CheckRow] = []) {
        self.backupPath = backupPath
        self.auditRecord = auditRecord
        self.newSHA256 = newSHA256
        self.nextSteps = nextSteps
        self.checks = checks
    }

    public init(_ o: ChangeOutcome) {
        guard let result = o.result else {
            self.init(
                backupPath: "", auditRecord: "", newSHA256: o.plan.beforeSHA256.hex,
                nextSteps: [NextStep("Nothing was written: \(ChangeVerdict.nothingToChangeMessage).")])
            return
        }
        self.init(
            backupPath: result.backupPath, auditRecord: result.auditPath, newSHA256: o.plan.afterSHA256.hex, nextSteps: o.nextSteps,
            checks: result.interlocks.checks.map(CheckRow.init))
    }
}

public struct WizardState: Sendable {
    public var action: WizardAction
    public var step: WizardStep = .chooseEntry
    /// Step 1: the entry (reset, delete) or backup (restore) chosen.
    public var keyText: String?
    /// Step 1 (reset): every key that will not vote, in one change (the first line of the
    /// list when two or more will not vote), instead of the entry.
    public var allNotVoting = false
    public var backup: BackupRow?
    /// Step 1 of an import: the document's path (absolute, as typed at `i`'s prompt).
    public var documentPath: String?
    /// Step 2: index into the LIB answers, and the reason for the choice when sources disagree.
    public var libSelected = 0
    public var libReason: String?
    /// Step 3.
    public var plan: PlanPreview?
    public var planError: String?
    public var reviewScroll = 0
    /// Step 1 of a repair (what is wrong, the keys) and step 2's source details scroll too.
    public var introScroll = 0
    public var libDetailScroll = 0
    /// Step 3: the text `/` searches the review for (`n`/`N` step through the matches).
    public var reviewSearch = ""
    /// Step 5 scrolls too: next steps and interlocks do not fit a small screen.
    public var resultScroll = 0
    /// Step 4: what the operator typed.
    public var typed = ""
    public var confirmError: String?
    /// Step 5.
    public var outcome: Result<ApplyOutcome, EngineError>?

    public init(action: WizardAction, keyText: String? = nil, backup: BackupRow? = nil) {
        self.action = action
        self.keyText = keyText
        self.backup = backup
    }

    /// Delete and restore need no LIB: step 2 is skipped (and shown as skipped).
    public var needsLIB: Bool { action == .reset || action == .repair }

    /// The typed confirmation, by the workflow's one rule (known once the plan is).
    public var expectedConfirmation: String { plan?.confirmation.expected ?? "" }
    public var confirmationHint: String { plan?.confirmation.hint ?? "" }
}
