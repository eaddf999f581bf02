import ArgumentParser
import FinalityEngine
import FinalityFormat
import Foundation

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

    @Option(name: .customLong("vote-floor"), help: "Savanna: evidence (default): last vote := the newest evidence of it; lib: LIB (a double vote becomes possible).")
    var voteFloor: String = "evidence"

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let location = try Location.resolve(path)
            let loaded = try LoadedFile.read(location)
            let choice = try lib.requiredDecision()
            guard let floorMode = VoteFloor.Mode(rawValue: voteFloor) else {
                throw .usage("--vote-floor must be evidence or lib, found \"\(voteFloor)\"")
            }
            let inputs = ResetInputs(
                lib: choice,
                finalityDigest: try hex32(finalityDigest, "--finality-digest"),
                bLock: try hex32(bLock, "--b-lock"),
                finalOnQC: try hex32(finalOnQC, "--final-on-qc"),
                voteFloor: floorMode,
                evidence: EvidenceSet.gather(file: location.file, apiURLs: lib.sources.apiURLs, timeoutSeconds: lib.sources.apiTimeout))
            let plan = try Planner.reset(bytes: loaded.bytes, path: location.file, key: key, inputs: inputs)
            return try Mutation.carryOut(plan, location: location, options: mutation)
        }
    }
}

/// Options shared by reset, delete and restore.
struct MutationOptions: ParsableArguments {
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

/// What reset, delete and restore share: interlocks, plan, confirmation, apply, result.
enum Mutation {
    static func carryOut(
        _ plan: Plan, location: Location, options: MutationOptions,
        beforeApply: () throws(EngineError) -> Void = {}
    ) throws(EngineError) -> ExitStatus {
        var out = Output()
        if let expect = options.expectSHA256 {
            guard let want = Bytes32(hex: expect) else { throw .usage("--expect-sha256 must be 64 hex digits") }
            guard want == plan.beforeSHA256 else {
                throw .refused(
                    "\(plan.path) changed since the plan you reviewed (expected SHA-256 \(want.hex), now \(plan.beforeSHA256.hex)): nothing written")
            }
        }
        let interlocks = Interlocks.run(location)
        if !options.json {
            out.line("Interlocks:")
            for l in interlocks.lines { out.line(l) }
            out.line()
            for l in plan.lines { out.line(l) }
            out.flush()
        }
        func emitJSON(applied: ApplyResult?, interlocks: InterlockReport, dryRun: Bool) {
            var pairs: [(String, JSON)] = [
                ("dry_run", .bool(dryRun)), ("applied", .bool(applied != nil)), ("interlocks", interlocks.json),
                ("plan", plan.json),
            ]
            pairs.append(("backup", applied.map { .string($0.backupPath) } ?? .null))
            pairs.append(("audit_log", applied.map { .string($0.auditPath) } ?? .null))
            pairs.append(("audit_record", applied.flatMap { JSON.parse($0.auditLine) } ?? .null))
            out.line(JSON.object(pairs).serialized(pretty: true))
            out.flush()
        }
        if options.dryRun {
            if options.json { emitJSON(applied: nil, interlocks: interlocks, dryRun: true) } else {
                out.line()
                out.line("Dry run: nothing written. To apply exactly this plan, add --expect-sha256 \(plan.beforeSHA256.hex)")
                out.flush()
            }
            return .success
        }
        try interlocks.enforce()
        guard plan.changesAnything else {
            if options.json { emitJSON(applied: nil, interlocks: interlocks, dryRun: false) }
            return .success
        }
        if !options.yes { try confirm(plan) }
        try beforeApply()  // repair of a missing file: the empty stand-in (Repair.swift)
        let result = try Apply.run(
            plan, location: location, options: ApplyOptions(context: .current(toolVersion: ToolVersion.string)))
        if options.json {
            emitJSON(applied: result, interlocks: result.interlocks, dryRun: false)
            return .success
        }
        out.line()
        out.line("Done. Interlocks while applying:")
        for l in result.interlocks.lines { out.line(l) }
        if let leftover = result.removedLeftoverTemp { out.line("Removed a temp file left by an interrupted run: \(leftover)") }
        out.line("Backup:       \(result.backupPath)")
        out.line("Audit record: \(result.auditPath)")
        out.line("  \(result.auditLine)")
        out.line("New SHA-256:  \(plan.afterSHA256.hex) (read back and checked)")
        out.line()
        out.line("Next: start nodeos; watch its log for the key's first vote. To undo: finality restore \(plan.path) --from \(result.backupPath)")
        out.flush()
        return .success
    }

    /// A typed confirmation on a terminal: part of the key (at least 6 characters), or
    /// for a restore the first 12 hex digits of the backup's SHA-256. Never a bare "y".
    static func confirm(_ plan: Plan) throws(EngineError) {
        guard isatty(0) == 1 else {
            throw .refused("no terminal to confirm on (standard input is not a tty): review with --dry-run, then add --yes")
        }
        let prompt: String
        let accept: (String) -> Bool
        if plan.action == .repair {
            // Repair (Repair.swift): the damaged file's SHA-256, as the plan shows it.
            let want = String(plan.beforeSHA256.hex.prefix(12))
            prompt = "Type \(want) (the damaged file's SHA-256, first 12 digits) to repair it, or anything else to cancel: "
            accept = { $0.lowercased() == want }
        } else if let key = plan.key {
            prompt = "Type part of the key (6 characters or more) to \(plan.action.rawValue) its entry, or anything else to cancel: "
            accept = { t in
                t.count >= 6 && (key.text.contains(t) || Hex.encode(key.bytes).contains(t.lowercased()))
            }
        } else {
            let want = String(plan.afterSHA256.hex.prefix(12))
            prompt = "Type \(want) (the backup's SHA-256, first 12 digits) to restore it, or anything else to cancel: "
            accept = { $0.lowercased() == want }
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces)
        guard accept(answer) else { throw .refused("not confirmed: nothing written") }
    }
}
