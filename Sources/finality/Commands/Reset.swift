import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Reset one entry to LIB, or several in one change (trades safety for liveness).",
        discussion: """
            Savanna: lock := {LIB id, LIB time, finality_digest (zero unless --finality-digest)}; last_vote := the newest evidence of the key's own last vote (the entry's own, the newest backup holding the key, every value of it in any other file beside the safety file or in backups/ that starts with a safety file's magic, damaged or not, every tracked vote of it in each --api node's answer, LIB), or LIB with --vote-floor lib; other_branch_latest_time kept.
            A last vote ahead of now (the network's head time with --api, else this machine's clock) by at most --clock-skew (default 10m) counts, with the skew shown; one further ahead refuses the change unless discarded with --discard-future-vote KEY --discard-reason TEXT (kept in the audit record; --yes is no decision).
            HotStuff: _vheight := {LIB height, 2}, _b_lock := sha256(sha256(LIB id ‖ u8 2) ‖ final_on_qc), or --b-lock.

            Several keys in one change: --key repeated, or --not-voting (every key whose entry will not vote today: no lock, lock off the chain, a last vote in the future; as `finality list` says). One review, one confirmation (the new file's SHA-256), one backup, one audit record listing each key; each key gets its own vote floor.

            Prints the interlock results and the plan; --dry-run stops there.

            Exit codes: 0 done, 1 invalid file or refused (file changed since the plan, no terminal without --yes), 2 usage, 3 I/O, 4 a node is running on this file.
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @Option(help: "The key: its full PUB_BLS_ text or any unique part of it (or of its hex). Repeat for several keys in one change.")
    var key: [String] = []

    @Flag(name: .customLong("not-voting"), help: "Reset every key that will not vote (the VERDICT of `finality list`), in one change.")
    var notVoting = false

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

    @OptionGroup var futureVotes: FutureVoteOptions

    @OptionGroup var config: ConfigDirOption

    @OptionGroup var mutation: MutationOptions

    func validate() throws {
        if key.isEmpty && !notVoting { throw ValidationError("name the key: --key KEY (repeat for several), or --not-voting") }
        if !key.isEmpty && notVoting { throw ValidationError("give --key or --not-voting, not both") }
        if bLock != nil && finalOnQC != nil {
            throw ValidationError("give --b-lock or --final-on-qc, not both (--final-on-qc is an input of the computed _b_lock)")
        }
    }

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            var request = ChangeRequest(
                notVoting ? .resetKeys(.notVoting) : (key.count == 1 ? .reset(key: key[0]) : .resetKeys(.keys(key))), path: path, finalityDigest: finalityDigest, bLock: bLock, finalOnQC: finalOnQC,
                voteFloor: voteFloor.mode, configDir: config.configDir)
            lib.apply(to: &request)
            futureVotes.apply(to: &request)
            return try ChangeDoor.carryOut(request, options: mutation)
        }
    }
}

/// A duration typed as seconds, or with a unit: `600`, `90s`, `10m`, `1h`, `1.5h`.
struct TypedDuration: ExpressibleByArgument, Hashable, Sendable {
    var seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        let text = String(argument.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        var number = Substring(text)
        var scale = 1.0
        for (u, f) in units where text.hasSuffix(u) {
            number = text.dropLast(u.count)
            scale = f
            break
        }
        guard let n = Double(number), n.isFinite, n >= 0 else { return nil }
        seconds = n * scale
    }

    var defaultValueDescription: String {
        seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60))m" : "\(seconds)s"
    }
}

/// Votes ahead of "now", shared by reset and repair: the clock-skew tolerance and the
/// operator's explicit decisions to discard a vote beyond it (voting.md: a time slightly
/// ahead of the clock is clock skew, not damage; discarding evidence can cost safety).
struct FutureVoteOptions: ParsableArguments {
    @Option(
        name: .customLong("clock-skew"),
        help: ArgumentHelp(
            "How far ahead of now a last vote still counts as clock skew (evidence like any other, the skew shown): seconds, or with s, m, h.",
            discussion: "Now is the network's head time (get_info head_block_time, the latest of the node APIs that answer) when --api is given, else this machine's clock.",
            valueName: "duration"))
    var clockSkew = TypedDuration(seconds: EvidenceSet.defaultToleranceSeconds)

    @Option(
        name: .customLong("discard-future-vote"),
        help: ArgumentHelp(
            "Discard the evidence of this key's last vote that is further ahead of now than --clock-skew (full PUB_BLS_ text; repeatable). Needs --discard-reason; kept in the audit record.",
            discussion: "Without it such a vote refuses the change, whatever --yes says: discarding it lets the key vote again at those times (a double vote if it did vote then).",
            valueName: "key"),
        transform: { text in
            do { return try BLSPublicKey(text: text) } catch {
                throw ValidationError("--discard-future-vote needs a key's full PUB_BLS_ text: \(error)")
            }
        })
    var discardFutureVote: [BLSPublicKey] = []

    @Option(name: .customLong("discard-reason"), help: ArgumentHelp("Why the votes named by --discard-future-vote are discarded (kept in the audit record).", valueName: "text"))
    var discardReason: String?

    func validate() throws {
        let reason = discardReason?.filter { !$0.isWhitespace } ?? ""
        if !discardFutureVote.isEmpty && reason.isEmpty {
            throw ValidationError("--discard-future-vote needs --discard-reason TEXT: the decision and its reason are kept in the audit record")
        }
        if discardFutureVote.isEmpty && discardReason != nil {
            throw ValidationError("--discard-reason is the reason of a --discard-future-vote KEY decision; name the key")
        }
    }

    /// What these options add to the operator's request.
    func apply(to request: inout ChangeRequest) {
        request.clockSkewSeconds = clockSkew.seconds
        request.futureVoteDiscards = discardFutureVote.map { FutureVoteDiscard(key: $0, reason: discardReason ?? "") }
    }
}
