import FoundationEssentials
import FinalityFormat

/// Why a reviewed plan cannot be applied now.
public enum ChangeBlocker: Hashable, Sendable {
    /// nodeos runs on this file or data dir: stop it first (exit 4).
    case nodeRunning(String)
    /// Another process has the file open or locked (exit 1).
    case busy(String)
    /// Another interlock blocks (issue 8): a check that could not be evaluated (exit 1
    /// unless overridden), owner/xattrs that cannot be kept (exit 1), an unusable audit log
    /// (exit 3) or a broken audit chain (exit 1).
    case check(InterlockCheck)

    public var message: String {
        switch self {
        case .nodeRunning(let found): "a node is running: \(found). Stop nodeos first; nothing can be written while it runs"
        case .busy(let found): "the file is in use: \(found)"
        case .check(let c): InterlockReport(checks: [c]).refusal?.description ?? c.found
        }
    }

    public var error: EngineError {
        switch self {
        case .nodeRunning(let found): .nodeRunning(SafeText(found))
        case .busy(let found): .refused(SafeText(found))
        case .check(let c): InterlockReport(checks: [c]).refusal ?? .refused(SafeText(c.found))
        }
    }

    /// The first check that blocks a write, in the order that matters to the operator: a
    /// running node first (stop it before anything else), then a process holding the
    /// file, then any other check that blocks.
    static func first(in interlocks: InterlockReport) -> ChangeBlocker? {
        if let c = interlocks.checks.first(where: { $0.outcome == .nodeRunning }) { return .nodeRunning(c.found) }
        if let c = interlocks.checks.first(where: { $0.outcome == .busy }) { return .busy(c.found) }
        if let c = interlocks.checks.first(where: { $0.blocks }) { return .check(c) }
        return nil
    }
}

/// Whether a reviewed plan is applied, decided here once for every door: the command
/// line maps it to its exit status, the wizard to whether step 4 can be reached, and
/// `ChangeWorkflow.apply` follows it.
public enum ChangeVerdict: Hashable, Sendable {
    /// Nothing in the way: the operator may confirm.
    case ready
    /// The file already holds these values: nothing is written, and that is success
    /// (a reset run twice is not an error).
    case nothingToChange
    /// An interlock blocks: nothing is written.
    case blocked(ChangeBlocker)

    init(interlocks: InterlockReport, plan: Plan) {
        if let b = ChangeBlocker.first(in: interlocks) {
            self = .blocked(b)
        } else if !plan.changesAnything {
            self = .nothingToChange
        } else {
            self = .ready
        }
    }

    public static let nothingToChangeMessage = "this changes nothing: the file already holds these values"

    /// What the operator reads when the plan is not applied (nil: ready).
    public var message: String? {
        switch self {
        case .ready: nil
        case .nothingToChange: Self.nothingToChangeMessage
        case .blocked(let b): b.message
        }
    }

    /// The command line's exit status for a change that stops here: 0 when there is nothing
    /// to change, the blocker's own otherwise (4 a node runs, 3 the audit log, 1 the rest).
    public var status: ExitStatus {
        switch self {
        case .ready, .nothingToChange: .success
        case .blocked(let b): b.error.status
        }
    }

    public var blocker: ChangeBlocker? {
        if case .blocked(let b) = self { return b }
        return nil
    }
}

/// Everything the review step shows, in the order it is shown: why it cannot be applied
/// (first), the interlocks, what nodeos will do and the evidence, the warnings and notes,
/// the diff. Both front ends show this; neither assembles its own.
public struct ChangeReview: Sendable {
    /// What the operator asked for: applying checks the plan is still the one reviewed for it.
    public var request: ChangeRequest
    public var location: Location
    /// The file does not exist (a repair creates it): applying puts an empty stand-in in its
    /// place first (the backup that records the absence), to which the plan is bound.
    public var missingFile: Bool
    public var plan: Plan
    public var interlocks: InterlockReport
    public var explanation: ReviewExplanation
    public var verdict: ChangeVerdict
    public var confirmation: Confirmation
    /// The node's configured keys, as the review found them (nil: a restore does not look).
    public var nodeKeys: NodeKeys?
    /// The operator's overrides and audit segment reason, applied with the plan.
    public var safety: InterlockOptions

    public var blocker: ChangeBlocker? { verdict.blocker }

    /// The review as text (the command line prints it; `--dry-run` stops after it).
    public var lines: [String] {
        var out = [String]()
        if case .nodeRunning(let found)? = blocker {
            // Said first: the operator must stop the node before anything else matters.
            out.append("A NODE IS RUNNING on this file: stop nodeos before applying (\(found)).")
            out.append("")
        }
        // Warnings first, in every review (reset, delete, restore, repair): "the LIB sources
        // disagree" above the evidence, where an operator under pressure reads first.
        if let risk = confirmation.risk {
            out.append(risk)
            out.append("")
        }
        if !plan.warnings.isEmpty {
            out.append(Self.warningsTitle)
            out += plan.warnings.map { "  ! " + $0.message }
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
        // The plan's own text says its warnings last: said above already.
        var planLines = plan.lines
        if !plan.warnings.isEmpty, let at = planLines.firstIndex(of: Self.warningsTitle) {
            let end = at + 1 + plan.warnings.count
            planLines.removeSubrange((at > 0 && planLines[at - 1].isEmpty ? at - 1 : at)..<min(end, planLines.count))
        }
        out += planLines
        return out
    }

    /// The plan's warnings heading (PlanText.swift says the same).
    static let warningsTitle = "WARNINGS (this trades safety for liveness):"
}
