import FinalityEngine
import FinalityFormat

/// What the wizard changes.
public enum WizardAction: String, Hashable, Sendable, CaseIterable {
    case reset, delete, restore

    public var title: String {
        switch self {
        case .reset: "Reset"
        case .delete: "Delete"
        case .restore: "Restore"
        }
    }
}

/// The five numbered steps support staff name on the phone ("you are at step 3").
public enum WizardStep: Int, Hashable, Sendable, CaseIterable, Comparable {
    case chooseEntry = 1, chooseLIB, review, confirm, result

    public var title: String {
        switch self {
        case .chooseEntry: "Choose entry and action"
        case .chooseLIB: "Choose LIB source"
        case .review: "Review the change"
        case .confirm: "Confirm"
        case .result: "Result"
        }
    }

    public static func < (a: WizardStep, b: WizardStep) -> Bool { a.rawValue < b.rawValue }
}

/// What the engine is asked to plan. The plan is bound to the file's hash: applying
/// refuses if the file changed since it was shown.
public struct PlanRequest: Hashable, Sendable {
    public var action: WizardAction
    public var location: Location
    public var fileSHA256: Bytes32
    /// Full `PUB_BLS_…` text (reset, delete).
    public var keyText: String?
    /// Every LIB reading the operator saw, and the one chosen (reset): the engine records
    /// the alternatives beside the choice.
    public var libReadings: [LIBReading]
    public var libChosen: Int?
    /// Why this source, when the sources disagree (the engine refuses a silent pick; the
    /// audit record keeps the reason).
    public var libReason: String?
    /// The backup to restore from (restore).
    public var backupPath: String?

    public init(
        action: WizardAction, location: Location, fileSHA256: Bytes32, keyText: String? = nil, libReadings: [LIBReading] = [],
        libChosen: Int? = nil, libReason: String? = nil, backupPath: String? = nil
    ) {
        self.libReason = libReason
        self.action = action
        self.location = location
        self.fileSHA256 = fileSHA256
        self.keyText = keyText
        self.libReadings = libReadings
        self.libChosen = libChosen
        self.backupPath = backupPath
    }

    public var path: String { location.file }

    /// The chosen LIB reading.
    public var lib: LIBReading? {
        guard let libChosen, libReadings.indices.contains(libChosen) else { return nil }
        return libReadings[libChosen]
    }
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

/// A plan as the review step shows it. `id` is the effect runner's handle on the engine's
/// plan (the core never holds engine objects it could apply by itself).
public struct PlanPreview: Hashable, Sendable {
    public var id: Int
    public var request: PlanRequest
    public var rows: [DiffRow]
    /// "the lock moves back from block 5,210 to 5,190: a conflicting vote becomes possible"
    public var warnings: [String]
    /// What the change means, in nodeos's terms (e.g. "nodeos recreates the entry…").
    public var notes: [String]
    public var checks: [CheckRow]
    /// Set when a check refuses the plan: step 4 cannot be reached.
    public var refusal: String?

    public init(
        id: Int, request: PlanRequest, rows: [DiffRow], warnings: [String], notes: [String] = [], checks: [CheckRow], refusal: String? = nil
    ) {
        self.id = id
        self.request = request
        self.rows = rows
        self.warnings = warnings
        self.notes = notes
        self.checks = checks
        self.refusal = refusal
    }
}

/// What applying did.
public struct ApplyOutcome: Hashable, Sendable {
    public var backupPath: String
    public var auditRecord: String
    public var newSHA256: String
    public var nextSteps: [String]
    /// The interlocks as they ran while applying.
    public var checks: [CheckRow]
    public init(backupPath: String, auditRecord: String, newSHA256: String, nextSteps: [String], checks: [CheckRow] = []) {
        self.backupPath = backupPath
        self.auditRecord = auditRecord
        self.newSHA256 = newSHA256
        self.nextSteps = nextSteps
        self.checks = checks
    }
}

public struct WizardState: Sendable {
    public var action: WizardAction
    public var step: WizardStep = .chooseEntry
    /// Step 1: the entry (reset, delete) or backup (restore) chosen.
    public var keyText: String?
    public var backup: BackupRow?
    /// Step 2: index into the LIB answers, and the reason for the choice when sources disagree.
    public var libSelected = 0
    public var libReason: String?
    /// Step 3.
    public var plan: PlanPreview?
    public var planError: String?
    public var reviewScroll = 0
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
    public var needsLIB: Bool { action == .reset }

    /// The typed confirmation: part of what is being changed, never just "y".
    /// Reset/delete: the 8 characters after `PUB_BLS_`; restore: the first 12 hex digits of
    /// the backup's sha256 (as `finality restore` asks).
    public var expectedConfirmation: String {
        switch action {
        case .reset, .delete:
            guard let keyText else { return "" }
            return String(keyText.dropFirst(KeyText.prefix.count).prefix(8))
        case .restore:
            return String((backup?.sha256 ?? "").prefix(12))
        }
    }

    public var confirmationHint: String {
        switch action {
        case .reset, .delete: "type the 8 characters after PUB_BLS_ of the key"
        case .restore: "type the first 12 hex digits of the backup's sha256"
        }
    }
}
