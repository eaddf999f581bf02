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

    @Option(
        name: .customLong("finality-digest"), help: "Savanna: the lock's finality_digest (64 hex digits; default zero).",
        transform: ArgumentFormat.hex32("--finality-digest"))
    var finalityDigest: Bytes32?

    @Option(
        name: .customLong("b-lock"), help: "HotStuff: an explicit _b_lock (64 hex digits) instead of the proposal id of LIB.",
        transform: ArgumentFormat.hex32("--b-lock"))
    var bLock: Bytes32?

    @Option(
        name: .customLong("final-on-qc"), help: "HotStuff: final_on_qc for the proposal id (64 hex digits; default zero).",
        transform: ArgumentFormat.hex32("--final-on-qc"))
    var finalOnQC: Bytes32?

    @OptionGroup var voteFloor: VoteFloorOption

    @OptionGroup var config: ConfigDirOption

    @OptionGroup var mutation: MutationOptions

    func validate() throws {
        if bLock != nil && finalOnQC != nil {
            throw ValidationError("give --b-lock or --final-on-qc, not both (--final-on-qc is an input of the computed _b_lock)")
        }
    }

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            var request = ChangeRequest(
                .reset(key: key), path: path, finalityDigest: finalityDigest, bLock: bLock, finalOnQC: finalOnQC,
                voteFloor: voteFloor.mode, configDir: config.configDir)
            lib.apply(to: &request)
            return try ChangeDoor.carryOut(request, options: mutation)
        }
    }
}
