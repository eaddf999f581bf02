import ArgumentParser
import FoundationEssentials
import Glibc
import FinalityEngine

/// The operator's answers to checks that fail closed (issue 8): overriding one interlock
/// that could not be evaluated, and starting a new audit chain segment after a break.
/// Both take a typed reason that goes into the audit record.
struct WriteSafetyOptions: ParsableArguments {
    @Option(
        name: .customLong("override"),
        help: ArgumentHelp(
            "Override one interlock that could not be evaluated (state-lock or processes; never one that found a node). Needs --override-reason.",
            valueName: "check"))
    var overrides: [String] = []

    @Option(
        name: .customLong("override-reason"),
        help: ArgumentHelp("Why the overridden check is safe to skip (10+ characters; recorded in the audit record). One per --override, in order.", valueName: "text"))
    var overrideReasons: [String] = []

    @Option(
        name: .customLong("new-audit-segment"),
        help: ArgumentHelp("The audit chain is broken: start a new chain segment with this reason (its first record) and write after it.", valueName: "reason"))
    var newAuditSegment: String?

    @Option(
        name: .customLong("acknowledge-unknown"),
        help: ArgumentHelp(
            "An earlier change has no completion record and the file is neither its old nor its new content (finality history says UNKNOWN): go on, with this reason (10+ characters, kept in the audit record).",
            valueName: "reason"))
    var acknowledgeUnknown: String?

    func validate() throws {
        try validation { () throws(EngineError) in
            _ = try interlockOverrides()
            _ = try segmentReason()
            _ = try unknownReason()
        }
    }

    func unknownReason() throws(EngineError) -> String? {
        guard let r = acknowledgeUnknown else { return nil }
        guard r.trimmed(.whitespacesAndNewlines).count >= ReasonRule.minimumLength else {
            throw .usage("--acknowledge-unknown needs a reason of at least 10 characters (it is kept in the audit record)")
        }
        return r
    }

    func interlockOverrides() throws(EngineError) -> [InterlockOverride] {
        guard overrides.count == overrideReasons.count else {
            throw .usage("each --override needs its own --override-reason (\(overrides.count) override(s), \(overrideReasons.count) reason(s))")
        }
        var out = [InterlockOverride]()
        for (c, r) in zip(overrides, overrideReasons) { out.append(try InterlockOverride(check: c, reason: r)) }
        return out
    }

    func segmentReason() throws(EngineError) -> String? {
        guard let r = newAuditSegment else { return nil }
        guard r.trimmed(.whitespacesAndNewlines).count >= ReasonRule.minimumLength else {
            throw .usage("--new-audit-segment needs a reason of at least 10 characters (it is the segment's first record)")
        }
        return r
    }

    /// The operator's answers as the change request carries them (checked by `validate`).
    func apply(to request: inout ChangeRequest) {
        request.overrides = (try? interlockOverrides()) ?? []
        request.newAuditSegment = try? segmentReason()
        request.acknowledgeUnknown = try? unknownReason()
    }
}
