import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

/// Options shared by reset, delete, restore and repair: how the change is carried out.
struct MutationOptions: ParsableArguments {
    @OptionGroup var safety: WriteSafetyOptions

    @Flag(name: .customLong("dry-run"), help: "Print the interlock results and the plan; change nothing.")
    var dryRun = false

    @Flag(help: "Skip the typed confirmation (needed without a terminal).")
    var yes = false

    @Flag(help: "Print the plan and the result as JSON (the confirmation prompt goes to stderr).")
    var json = false

    @Option(
        name: .customLong("expect-sha256"),
        help: "Refuse unless the file's SHA-256 is this one (the hash a --dry-run printed): binds the change to the plan you reviewed.",
        transform: ArgumentFormat.hex32("--expect-sha256"))
    var expectSHA256: Bytes32?

    /// What these options add to the operator's request.
    func apply(to request: inout ChangeRequest) {
        safety.apply(to: &request)
        request.expectedSHA256 = expectSHA256
    }
}

/// `--vote-floor`, shared by reset and repair.
struct VoteFloorOption: ParsableArguments {
    @Option(
        name: .customLong("vote-floor"),
        help: "Savanna: evidence (default): each last vote := the newest evidence of it; lib: LIB (a double vote becomes possible).")
    var mode: VoteFloor.Mode = .evidence
}

/// The command line's door to the engine's one change workflow (the interface's wizard is
/// the other): the command turned its flags into a `ChangeRequest`; this prints the
/// engine's review, stops for --dry-run, stops on the verdict (nothing to change: 0; a
/// blocker: its own status), asks the one typed confirmation, applies, and prints the
/// outcome and the next steps. It gathers nothing itself.
enum ChangeDoor {
    static func carryOut(_ request: ChangeRequest, options: MutationOptions) throws(EngineError) -> ExitStatus {
        var request = request
        options.apply(to: &request)
        let environment = ChangeEnvironment(toolVersion: ToolVersion.string)
        let review = try ChangeWorkflow.review(request, environment: environment)
        var out = Output()
        if !options.json {
            out.lines(review.lines)
            out.flush()
        }
        let plan = review.plan
        func emitJSON(applied: ApplyResult?, interlocks: InterlockReport, dryRun: Bool) {
            let pairs: [(String, JSON)] = [
                ("dry_run", .bool(dryRun)), ("applied", .bool(applied != nil)), ("interlocks", interlocks.json),
                ("plan", plan.json),
                ("backup", applied.map { .string($0.backupPath) } ?? .null),
                ("audit_log", applied.map { .string($0.auditPath) } ?? .null),
                ("audit_record", applied?.auditObject ?? .null),
                ("audit_completion", applied?.completionObject ?? .null),
                ("reconciled_first", .array((applied?.reconciled ?? []).map(\.json))),
            ]
            out.line(JSON.object(pairs).text(pretty: true))
            out.flush()
        }
        if options.dryRun {
            if options.json { emitJSON(applied: nil, interlocks: review.interlocks, dryRun: true) } else {
                out.line()
                if case .nodeRunning? = review.blocker {
                    out.line("Dry run: nothing written. Stop nodeos first; then, to apply exactly this plan, add --expect-sha256 \(plan.beforeSHA256.hex)")
                } else {
                    out.line("Dry run: nothing written. To apply exactly this plan, add --expect-sha256 \(plan.beforeSHA256.hex)")
                }
                out.flush()
            }
            return .success
        }
        switch review.verdict {
        case .nothingToChange:
            if options.json { emitJSON(applied: nil, interlocks: review.interlocks, dryRun: false) }
            return review.verdict.status
        case .blocked(let blocker):
            throw blocker.error
        case .ready:
            break
        }
        if !options.yes { try confirm(review.confirmation, plan: plan) }
        let outcome = try ChangeWorkflow.apply(review, context: .current(toolVersion: ToolVersion.string), environment: environment)
        guard let result = outcome.result else { return review.verdict.status }
        if options.json {
            emitJSON(applied: result, interlocks: result.interlocks, dryRun: false)
            return .success
        }
        out.line()
        out.line("Done. Interlocks while applying:")
        out.lines(result.interlocks.lines)
        out.line("Backup:       \(result.backupPath)")
        for r in result.reconciled { out.line("Reconciled first: \(r.sentence)") }
        out.line("Audit record: \(result.auditPath) (written before the rename, then completed)")
        out.line("  \(result.auditLine)")
        out.line("  \(result.completionLine)")
        out.line("New SHA-256:  \(plan.afterSHA256.hex) (read back and checked)")
        out.line()
        out.line("Next steps:")
        out.lines(ChangeWorkflow.lines(outcome.nextSteps))
        out.flush()
        return .success
    }

    /// The typed confirmation on a terminal, by the workflow's one rule (`Confirmation`).
    static func confirm(_ confirmation: Confirmation, plan: Plan) throws(EngineError) {
        guard isatty(0) == 1 else {
            throw .refused("no terminal to confirm on (standard input is not a tty): review with --dry-run, then add --yes")
        }
        let what: SafeText = plan.key.map { "\(plan.action.rawValue) the entry of \($0.text)" } ?? "\(plan.action.rawValue) \(plan.path)"
        // The risk the plan takes, right above the prompt (Confirmation.doubleVoteRisk).
        if let risk = confirmation.risk { StandardError.write(SafeText(risk) + "\n") }
        StandardError.write("To \(what), \(confirmation.hint); anything else cancels: ")
        guard confirmation.accepts(readLine() ?? "") else { throw .refused("not confirmed: nothing written") }
    }
}
