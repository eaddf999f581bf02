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

    @Option(name: .customLong("config-dir"), help: "nodeos's config dir (its config.ini holds the signature-provider lines).")
    var configDir: String?

    @Option(name: .customLong("finality-digest"), help: "The lock's finality_digest (64 hex digits; default zero).")
    var finalityDigest: String?

    @OptionGroup var voteFloor: VoteFloorOption

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let target = try RepairTarget.resolve(path)
            let mode = try voteFloor.mode()
            let choice = try lib.requiredDecision()
            let keys = NodeConfig.find(for: target.location, configDir: configDir)
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

/// Where a repair writes: like `Location.resolve`, but the file may be missing.
enum RepairTarget {
    struct Target {
        var location: Location
        var absent: Bool
    }

    static func resolve(_ path: String) throws(EngineError) -> Target {
        if let l = try? Location.resolve(path) { return Target(location: l, absent: false) }
        var isDir = false
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDir), isDir {
            // A data dir whose finalizers/safety.dat is missing.
            let dir = absolute + "/finalizers"
            guard FileManager.default.fileExists(atPath: dir) else {
                throw .usage("\(path) has no finalizers/ directory: give the safety file's path (it may be missing) or the data dir")
            }
            return Target(location: Location(file: dir + "/safety.dat", dataDir: absolute), absent: true)
        }
        let parent = PathText.directory(absolute)
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDir), isDir else {
            throw .io(path: path, operation: "open", reason: "neither the file nor its directory exists")
        }
        let grand = PathText.directory(parent)
        let dataDir = PathText.name(parent) == "finalizers" ? grand : nil
        return Target(location: Location(file: absolute, dataDir: dataDir), absent: true)
    }

    /// An empty file, created exclusively, owned like its directory, mode 0644 (what
    /// nodeos's fopen makes under the usual umask): the backup then records the absence.
    static func createEmpty(_ file: String) throws(EngineError) -> (dev: UInt64, ino: UInt64) {
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: file, operation: "create", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        if geteuid() == 0, stat(PathText.directory(file), &st) == 0 {
            guard fchown(fd, st.st_uid, st.st_gid) == 0 else {
                unlink(file)
                throw .io(path: file, operation: "set the owner", reason: String(cString: strerror(errno)))
            }
        }
        fsync(fd)
        var own = stat()
        fstat(fd, &own)
        return (UInt64(own.st_dev), UInt64(own.st_ino))
    }

    /// Removes the stand-in if it is still ours and still empty (a failed apply leaves
    /// the file missing, as it was, never an empty file nodeos would refuse).
    static func removeStandIn(_ file: String, _ id: (dev: UInt64, ino: UInt64)) {
        var st = stat()
        guard lstat(file, &st) == 0, UInt64(st.st_dev) == id.dev, UInt64(st.st_ino) == id.ino, st.st_size == 0 else { return }
        unlink(file)
    }
}
