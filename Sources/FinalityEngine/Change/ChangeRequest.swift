import FoundationEssentials
import FinalityFormat

/// What the operator chose for one change, and nothing else. Every door (the interface's
/// wizard, the command line, any future front end) only turns keys or flags into this
/// plain value; the engine's workflow (`ChangeWorkflow.review`) gathers everything else
/// itself, the same way for every door: the LIB readings (unless the operator already saw
/// and chose among them), the evidence of each key's last vote (backups beside the file,
/// every node API's tracked votes), the node's configured keys, and for a missing file the
/// stand-in. The same request gives the same new file, review and audit record whichever
/// door it came through (product.md, "Recovery semantics").
public struct ChangeRequest: Hashable, Sendable {
    /// The kind of change, with what the operator picked for it.
    public enum Kind: Hashable, Sendable {
        /// Reset one entry to LIB: the key (full `PUB_BLS_…` text or a unique part).
        case reset(key: String)
        /// Reset several entries in one change (one review, one confirmation, one backup,
        /// one audit record listing each key), each key with its own vote floor: the keys
        /// named, or every key that will not vote (`KeyVerdict.willNotVote`, decided by the
        /// engine against the LIB and the node's keys it gathered).
        case resetKeys(KeySelection)
        /// Delete one entry (nodeos recreates it at its next start).
        case delete(key: String)
        /// Replace the whole file by a backup.
        case restore(backup: String)
        /// Rebuild a file nodeos refuses, or that is missing, from evidence.
        case repair
        /// Import a safety interchange document (Docs/interchange.md): each of its keys (or
        /// those named) added when absent, raised field by field when present.
        case importDocument(path: String, keys: [String])

        /// The audit record's and the plan's action.
        public var action: Plan.Action {
            switch self {
            case .reset, .resetKeys: .reset
            case .delete: .delete
            case .restore: .restore
            case .repair: .repair
            case .importDocument: .importDocument
            }
        }

        /// The key the operator named (reset, delete).
        public var key: String? {
            switch self {
            case .reset(let k), .delete(let k): k
            case .restore, .repair, .resetKeys, .importDocument: nil
            }
        }
    }

    /// Which keys a reset of several entries changes.
    public enum KeySelection: Hashable, Sendable {
        /// These keys (full `PUB_BLS_…` text or unique parts), in this order.
        case keys([String])
        /// Every key whose entry will not vote today (no lock, lock off the chain, a last
        /// vote in the future), in file order.
        case notVoting
    }

    /// LIB as the operator gave it: sources for the engine to read, or readings the
    /// operator has already seen (the wizard's step 2 shows them and the choice is an
    /// index into them, so they are not read again).
    public enum LIBInput: Hashable, Sendable {
        case sources([LIBRequest])
        case readings([LIBReading])

        public static let none = LIBInput.sources([])
    }

    public var kind: Kind
    /// The path the operator gave: a safety file (a repair's may be missing) or a data dir.
    public var path: String
    public var lib: LIBInput
    /// When the LIB sources disagree: the one to use (0-based, in the order given) and why
    /// (kept in the audit record). Sources that disagree are never merged silently.
    public var libChoice: Int?
    public var libReason: String?
    /// Node APIs to ask for each key's tracked votes (evidence of its last vote). Every node
    /// API among the LIB sources is asked as well.
    public var apiURLs: [String]
    public var apiTimeoutSeconds: Double
    /// Savanna: the lock's finality_digest (zero unless given).
    public var finalityDigest: Bytes32?
    /// HotStuff: an explicit `_b_lock`, or final_on_qc for the computed one.
    public var bLock: Bytes32?
    public var finalOnQC: Bytes32?
    /// Savanna: what each written last vote becomes (the newest evidence, or LIB).
    public var voteFloor: VoteFloor.Mode
    /// nodeos's config dir (`--config-dir`): where the node's keys are read; nil: the
    /// running nodeos's, then nodeos's defaults (NodeConfig.find).
    public var configDir: String?
    /// Interlocks that could not be evaluated and that the operator overrides, with reasons.
    public var overrides: [InterlockOverride]
    /// The operator's reason to start a new audit chain segment after a break.
    public var newAuditSegment: String?
    /// The operator's reason to write although an earlier change's outcome is unknown (its
    /// completion record is missing and the file is neither its old nor its new content):
    /// kept in the completion record the write path appends for it.
    public var acknowledgeUnknown: String?
    /// The SHA-256 of the file as the operator saw it (the interface's loaded file,
    /// `--expect-sha256`): the review refuses a file that changed since. nil: the file as
    /// it is now.
    public var expectedSHA256: Bytes32?
    /// How far ahead of "now" (the network's head time when a node API answers, else this
    /// machine's clock) a last vote may be and still count as clock skew (`--clock-skew`).
    public var clockSkewSeconds: Double
    /// The operator's decisions to discard votes further ahead than that, each with its
    /// key and reason (`--discard-future-vote KEY --discard-reason TEXT`); kept in the
    /// audit record. Without one such a vote refuses the change.
    public var futureVoteDiscards: [FutureVoteDiscard]

    public init(
        _ kind: Kind, path: String, lib: LIBInput = .none, libChoice: Int? = nil, libReason: String? = nil, apiURLs: [String] = [],
        apiTimeoutSeconds: Double = 5, finalityDigest: Bytes32? = nil, bLock: Bytes32? = nil, finalOnQC: Bytes32? = nil,
        voteFloor: VoteFloor.Mode = .evidence, configDir: String? = nil, overrides: [InterlockOverride] = [],
        newAuditSegment: String? = nil, expectedSHA256: Bytes32? = nil,
        clockSkewSeconds: Double = EvidenceSet.defaultToleranceSeconds, futureVoteDiscards: [FutureVoteDiscard] = [],
        acknowledgeUnknown: String? = nil
    ) {
        self.kind = kind
        self.path = path
        self.lib = lib
        self.libChoice = libChoice
        self.libReason = libReason
        self.apiURLs = apiURLs
        self.apiTimeoutSeconds = apiTimeoutSeconds
        self.finalityDigest = finalityDigest
        self.bLock = bLock
        self.finalOnQC = finalOnQC
        self.voteFloor = voteFloor
        self.configDir = configDir
        self.overrides = overrides
        self.newAuditSegment = newAuditSegment
        self.expectedSHA256 = expectedSHA256
        self.clockSkewSeconds = clockSkewSeconds
        self.futureVoteDiscards = futureVoteDiscards
        self.acknowledgeUnknown = acknowledgeUnknown
    }

    /// Every node API the evidence is asked from: those named for tracked votes, then every
    /// API among the LIB sources, each once.
    public var evidenceAPIs: [String] {
        var out = [String]()
        func add(_ url: String) { if !url.isEmpty && !out.contains(url) { out.append(url) } }
        apiURLs.forEach(add)
        switch lib {
        case .sources(let requests):
            for case .api(let url, _) in requests { add(url) }
        case .readings(let readings):
            for case .api(let url) in readings.map(\.source) { add(url) }
        }
        return out
    }

    var interlockOptions: InterlockOptions {
        InterlockOptions(overrides: overrides, newAuditSegment: newAuditSegment, acknowledgeUnknown: acknowledgeUnknown)
    }
}

/// What the workflow reads from the machine besides the request: where /proc is, the
/// clock ("now", for evidence in the future), the home directory (nodeos's default config
/// dir), and the tool version for the audit record. Tests give their own.
public struct ChangeEnvironment: Sendable {
    public var procRoot: String
    public var home: String?
    public var toolVersion: String
    public var now: @Sendable () -> Date

    public init(
        toolVersion: String, procRoot: String = "/proc", home: String? = ProcessInfo.processInfo.environment["HOME"],
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.toolVersion = toolVersion
        self.procRoot = procRoot
        self.home = home
        self.now = now
    }
}

/// The one minimum for every reason an operator gives for a choice that is kept in the
/// audit record (the LIB source chosen among sources that disagree, an interlock
/// override, a new audit segment, an unknown outcome acknowledged): the same in the
/// interface's prompts as on the command line.
public enum ReasonRule {
    public static let minimumLength = 10

    /// nil when `reason` is long enough; else the sentence that says what is missing.
    public static func problem(_ reason: String?, for what: String) -> String? {
        let n = (reason ?? "").trimmingWhitespace.count
        guard n < minimumLength else { return nil }
        return "\(what) needs a reason of at least \(minimumLength) characters (it is kept in the audit record)" + (n == 0 ? "" : "; \(n) given")
    }
}
