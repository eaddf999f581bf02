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
            Reads every entry it can, entry by entry; finds the node's configured finalizer keys (signature-provider lines: --config-dir, else the running nodeos's, else nodeos's default config dir and config/ beside the data dir); gathers the evidence of each key's last vote (what the damaged file holds, the newest backup, each --api node's tracked votes, LIB).

            Plans a new file (Savanna version 1) where every configured key has an entry: lock := LIB, last vote := the newest evidence (--vote-floor lib: LIB). Entries of keys the node does not use are kept when they read cleanly. The damaged file is kept as the backup; an audit record with action "repair" is appended.

            Exit codes: 0 done, 1 refused (file loads, keys unknown, LIB sources on different chains, not confirmed), 2 usage, 3 I/O, 4 a node is running on this file.
            """)

    @Argument(help: "The safety file (it may be missing), or a nodeos data dir.")
    var path: String

    @OptionGroup var lib: PlanLIBOptions

    @OptionGroup var config: ConfigDirOption

    @Option(name: .customLong("finality-digest"), help: "The lock's finality_digest (64 hex digits; default zero).")
    var finalityDigest: String?

    @OptionGroup var voteFloor: VoteFloorOption

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let target = try RepairTarget.resolve(path)
            let mode = try voteFloor.mode()
            let choice = try lib.requiredDecision()
            let keys = config.keys(for: target.location)
            let evidence = EvidenceSet.gather(
                file: target.location.file, apiURLs: lib.sources.apiURLs, timeoutSeconds: lib.sources.apiTimeout)
            let change = RepairChange(inputs: RepairInputs(
                lib: choice, keys: keys, evidence: evidence, finalityDigest: try hex32(finalityDigest, "--finality-digest"),
                voteFloor: mode))
            guard target.absent else { return try Mutation.carryOut(change, location: target.location, options: mutation) }
            // A missing file: reviewed as missing (nothing written before the confirmation).
            let review = try change.reviewMissing(location: target.location, safety: try mutation.safety.interlockOptions())
            if mutation.dryRun || mutation.json {
                return try Mutation.carryOut(change, location: target.location, options: mutation, prepared: review)
            }
            var out = Output()
            for l in review.lines { out.line(l) }
            out.flush()
            if case .nodeRunning(let found)? = review.blocker { throw .nodeRunning(found) }
            if !mutation.yes { try Mutation.confirm(review.confirmation, plan: review.plan) }
            // The write path replaces an existing file: an empty one stands in (it becomes
            // the backup that records the absence), then the same workflow reviews it again
            // (every interlock now sees a file) and applies; a failure removes the stand-in.
            let standIn = try RepairTarget.createEmpty(target.location.file)
            var confirmed = mutation
            confirmed.yes = true
            do throws(EngineError) {
                let status = try Mutation.carryOut(change, location: target.location, options: confirmed)
                return status
            } catch {
                RepairTarget.removeStandIn(target.location.file, standIn)
                throw error
            }
        }
    }
}

