import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Reset one entry to LIB (trades safety for liveness).",
        discussion: """
            Savanna: lock := {LIB id, LIB time, finality_digest (zero unless --finality-digest)}; last_vote := the newest evidence of the key's own last vote (the entry's own unless in the future, the newest backup holding the key, each --api node's tracked vote, LIB), or LIB with --vote-floor lib; other_branch_latest_time kept.
            HotStuff: _vheight := {LIB height, 2}, _b_lock := sha256(sha256(LIB id ‖ u8 2) ‖ final_on_qc), or --b-lock.

            Prints the interlock results and the plan; --dry-run stops there.

            Exit codes: 0 done, 1 invalid file or refused (file changed since the plan, no terminal without --yes), 2 usage, 3 I/O, 4 a node is running on this file.
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @Option(help: "The key: its full PUB_BLS_ text or any unique part of it (or of its hex).")
    var key: String

    @OptionGroup var lib: PlanLIBOptions

    @Option(name: .customLong("finality-digest"), help: "Savanna: the lock's finality_digest (64 hex digits; default zero).")
    var finalityDigest: String?

    @Option(name: .customLong("b-lock"), help: "HotStuff: an explicit _b_lock (64 hex digits) instead of the proposal id of LIB.")
    var bLock: String?

    @Option(name: .customLong("final-on-qc"), help: "HotStuff: final_on_qc for the proposal id (64 hex digits; default zero).")
    var finalOnQC: String?

    @OptionGroup var voteFloor: VoteFloorOption

    @OptionGroup var config: ConfigDirOption

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let location = try Location.resolve(path)
            let choice = try lib.requiredDecision()
            let floorMode = try voteFloor.mode()
            let inputs = ResetInputs(
                lib: choice,
                finalityDigest: try hex32(finalityDigest, "--finality-digest"),
                bLock: try hex32(bLock, "--b-lock"),
                finalOnQC: try hex32(finalOnQC, "--final-on-qc"),
                voteFloor: floorMode,
                evidence: EvidenceSet.gather(file: location.file, apiURLs: lib.sources.apiURLs, timeoutSeconds: lib.sources.apiTimeout))
            return try Mutation.carryOut(
                ResetChange(key: key, inputs: inputs, nodeKeys: config.keys(for: location)), location: location, options: mutation)
        }
    }
}

/// Options shared by reset, delete and restore.
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
        help: "Refuse unless the file's SHA-256 is this one (the hash a --dry-run printed): binds the change to the plan you reviewed.")
    var expectSHA256: String?
}

func hex32(_ text: String?, _ option: String) throws(EngineError) -> Bytes32? {
    guard let text else { return nil }
    guard let v = Bytes32(hex: text) else { throw .usage("\(option) must be 64 hex digits, found \"\(text)\"") }
    return v
}

/// The command line's front end of the engine's `ChangeWorkflow` (the interface's
/// wizard is the other): print the review, stop for --dry-run, refuse on a blocker, ask
/// the one typed confirmation, apply, print the outcome and the next steps.
enum Mutation {
    /// `prepared`: a review made by the caller (repair of a missing file, which
    /// `ChangeWorkflow.review` cannot read); `beforeApply`: runs after the confirmation,
    /// before anything else is written (repair: the empty stand-in for a missing file).
    static func carryOut(
        _ kind: some ChangeKind, location: Location, options: MutationOptions, prepared: ChangeReview? = nil,
        beforeApply: () throws(EngineError) -> Void = {}
    ) throws(EngineError) -> ExitStatus {
        var out = Output()
        var expected: Bytes32?
        if let expect = options.expectSHA256 {
            guard let want = Bytes32(hex: expect) else { throw .usage("--expect-sha256 must be 64 hex digits") }
            expected = want
        }
        let review: ChangeReview
        if let prepared {
            review = prepared
        } else {
            review = try ChangeWorkflow.review(
                kind, location: location, expectedSHA256: expected, safety: try options.safety.interlockOptions())
        }
        let plan = review.plan
        if !options.json {
            for l in review.lines { out.line(l) }
            out.flush()
        }
        func emitJSON(applied: ApplyResult?, interlocks: InterlockReport, dryRun: Bool) {
            var pairs: [(String, JSON)] = [
                ("dry_run", .bool(dryRun)), ("applied", .bool(applied != nil)), ("interlocks", interlocks.json),
                ("plan", plan.json),
            ]
            pairs.append(("backup", applied.map { .string($0.backupPath) } ?? .null))
            pairs.append(("audit_log", applied.map { .string($0.auditPath) } ?? .null))
            pairs.append(("audit_record", applied?.auditObject ?? .null))
            out.line(JSON.object(pairs).serialized(pretty: true))
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
        switch review.blocker {
        case .nothingToChange?:
            if options.json { emitJSON(applied: nil, interlocks: review.interlocks, dryRun: false) }
            return .success
        case let blocker?:
            if let e = blocker.error { throw e }
        case nil:
            break
        }
        if !options.yes { try confirm(review.confirmation, plan: plan) }
        try beforeApply()
        let outcome = try ChangeWorkflow.apply(review, context: .current(toolVersion: ToolVersion.string))
        let result = outcome.result
        if options.json {
            emitJSON(applied: result, interlocks: result.interlocks, dryRun: false)
            return .success
        }
        out.line()
        out.line("Done. Interlocks while applying:")
        for l in result.interlocks.lines { out.line(l) }
        out.line("Backup:       \(result.backupPath)")
        out.line("Audit record: \(result.auditPath)")
        out.line("  \(result.auditLine)")
        out.line("New SHA-256:  \(plan.afterSHA256.hex) (read back and checked)")
        out.line()
        out.line("Next steps:")
        for l in ChangeWorkflow.lines(outcome.nextSteps) { out.line(l) }
        out.flush()
        return .success
    }

    /// The typed confirmation on a terminal, by the workflow's one rule (`Confirmation`).
    static func confirm(_ confirmation: Confirmation, plan: Plan) throws(EngineError) {
        guard isatty(0) == 1 else {
            throw .refused("no terminal to confirm on (standard input is not a tty): review with --dry-run, then add --yes")
        }
        let what = plan.key.map { "\(plan.action.rawValue) the entry of \($0.text)" } ?? "\(plan.action.rawValue) \(plan.path)"
        let prompt = "To \(what), \(confirmation.hint); anything else cancels: "
        StandardError.write(prompt)
        guard confirmation.accepts(readLine() ?? "") else { throw .refused("not confirmed: nothing written") }
    }
}

/// `--vote-floor`, shared by reset and repair.
struct VoteFloorOption: ParsableArguments {
    @Option(name: .customLong("vote-floor"), help: "Savanna: evidence (default): each last vote := the newest evidence of it; lib: LIB (a double vote becomes possible).")
    var text: String = "evidence"

    func mode() throws(EngineError) -> VoteFloor.Mode {
        guard let mode = VoteFloor.Mode(rawValue: text) else {
            throw .usage("--vote-floor must be evidence or lib, found \"\(text)\"")
        }
        return mode
    }
}
