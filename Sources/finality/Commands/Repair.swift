import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rebuild a safety file nodeos refuses (or that is missing) from evidence.",
        discussion: """
            Reads every entry it can, entry by entry; finds the node's configured finalizer keys (signature-provider lines: --config-dir, else the running nodeos's, else nodeos's default config dir and config/ beside the data dir); gathers the evidence of each key's last vote (what the damaged file holds, read in order and then scanned for each configured key's 96 bytes, so a zeroed header or count or damage before an entry loses nothing still on disk; the newest backup; every value in any other file beside it or in backups/ that starts with a safety file's magic, damaged or not; every tracked vote in each --api node's answer; LIB).

            A last vote ahead of now (the network's head time with --api, else this machine's clock) by at most --clock-skew (default 10m) counts, with the skew shown; one further ahead refuses the repair unless discarded with --discard-future-vote KEY --discard-reason TEXT (kept in the audit record; --yes is no decision).

            Plans a new file (Savanna version 1) where every configured key has an entry: lock := LIB, last vote := the newest evidence (--vote-floor lib: LIB). Entries of keys the node does not use are kept when they read cleanly. The damaged file is kept as the backup; an audit record with action "repair" is appended.

            Exit codes: 0 done, 1 refused (file loads, keys unknown, LIB sources on different chains, not confirmed), 2 usage, 3 I/O, 4 a node is running on this file.
            """)

    @Argument(help: "The safety file (it may be missing), or a nodeos data dir.")
    var path: String

    @OptionGroup var lib: PlanLIBOptions

    @OptionGroup var config: ConfigDirOption

    @Option(
        name: .customLong("finality-digest"), help: "The lock's finality_digest (64 hex digits; default zero).",
        transform: ArgumentFormat.hex32("--finality-digest"))
    var finalityDigest: Bytes32?

    @OptionGroup var voteFloor: VoteFloorOption

    @OptionGroup var futureVotes: FutureVoteOptions

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            var request = ChangeRequest(
                .repair, path: path, finalityDigest: finalityDigest, voteFloor: voteFloor.mode, configDir: config.configDir)
            lib.apply(to: &request)
            futureVotes.apply(to: &request)
            return try ChangeDoor.carryOut(request, options: mutation)
        }
    }
}
