import FinalityFormat

/// What nodeos will do with one entry today, in one word or a few: the operator's first
/// question in an incident ("which key will not vote, and why?"). One function for every
/// front end (the Entries screen's first column, `list`'s VERDICT column and its `--json`
/// `verdict` field, the case report, `watch` before the first vote) and from the same vote
/// model as the review's "today: …" line (`VoteRules.outlook`).
///
/// nodeos's rules (spring `libraries/chain/finalizer.cpp`, `finalizer::decide_vote`, lines
/// cited in VoteModel.swift): no vote on a block at or before the last vote (line 11,
/// monotony); no vote without a lock (lines 49–56: an empty lock fails liveness and
/// safety); no vote while the lock is on a block the chain does not extend and no QC newer
/// than it arrives (lines 34 and 43). A key the node is not configured with is never used
/// (`my_finalizers` holds only the configured keys; the file's other entries are kept).
public struct KeyVerdict: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Votes on the next blocks (liveness holds, or the chain extends its lock).
        case votes = "votes"
        /// Votes while the chain extends its lock (newer than LIB, not final yet): the usual
        /// state of a key that voted seconds ago; known for certain only with a node API.
        case votesIfChainExtendsLock = "votes-if-chain-extends-lock"
        /// An empty lock: no vote on any block until the entry changes.
        case noLock = "no-vote-no-lock"
        /// The lock is on a block the chain does not extend: no vote until a QC newer than it.
        case lockOffChain = "no-vote-lock-off-chain"
        /// The last vote is later than now: no vote on any block until then.
        case lastVoteInFuture = "no-vote-last-vote-in-future"
        /// The node is not configured with the key: nodeos keeps the entry and never uses it.
        case inactive = "inactive"
        /// nodeos refuses the whole file: it does not start, no key votes.
        case fileRefused = "file-refused"
        /// Not judged: no LIB known, or a HotStuff entry (spring does not read safety_db.dat).
        case unknown = "unknown"
    }

    public var kind: Kind
    /// For narrow columns (at most `shortWidth` characters): `votes`, `no vote: no lock`.
    public var short: String
    /// The verdict in words: "no vote: lock off the chain until a QC after 09:01:48.5".
    public var text: String
    /// The review's sentence for the entry today (`VoteOutlook.sentence`), when judged.
    public var detail: String?

    /// The widest `short`: the Entries screen's and `list`'s column.
    public static let shortWidth = 17

    /// The key will not vote on the chain as it is, for a reason a reset of its entry
    /// addresses (a refused file is repaired, an inactive key is not used at all).
    public var willNotVote: Bool { [.noLock, .lockOffChain, .lastVoteInFuture].contains(kind) }

    /// A reset of the entry is what brings its votes back (the wizard's "every key that will
    /// not vote", `reset --not-voting`).
    public var resetHelps: Bool { willNotVote }

    /// The legend: every verdict, with the short form, what it means, and what to do. Help
    /// and `finality list --help` print it; `KeyVerdictLegendTests` holds every verdict the
    /// code can produce to a line here.
    public static let legend: [(kind: Kind, short: String, meaning: String)] = [
        (.votes, "votes", "nodeos votes with this key on the next blocks that extend LIB (its lock is older than LIB, or on the chain)"),
        (.votesIfChainExtendsLock, "votes?",
         "votes while the chain extends its lock (newer than LIB, not final yet): the usual state of a key that voted seconds ago; not certain without a node API"),
        (.noLock, "no vote: no lock", "the entry has no lock: nodeos never votes with it until it is reset (r) or deleted (d)"),
        (.lockOffChain, "no vote till QC",
         "no vote: lock off the chain until a QC after the lock's time: the lock is on a block the chain does not extend; while finality is stalled the key never votes (reset it to LIB)"),
        (.lastVoteInFuture, "no vote <HH:MM:SS",
         "no vote before HH:MM:SS (its last vote is in the future): nodeos votes only on blocks newer than the last vote (a clock or a copied file)"),
        (.inactive, "inactive", "inactive: not configured: the node has no signature-provider for this key; nodeos keeps the entry and never votes with it"),
        (.fileRefused, "file refused", "nodeos refuses the file: it does not start, so no key votes (R: repair)"),
        (.unknown, "?", "not judged: no LIB is known (l: LIB screen, --blocks-dir or --api), or a HotStuff entry"),
    ]

    public static func legendLine(_ kind: Kind) -> (short: String, meaning: String)? {
        legend.first { $0.kind == kind }.map { ($0.short, $0.meaning) }
    }

    init(_ kind: Kind, short: String, text: String, detail: String? = nil) {
        self.kind = kind
        self.short = String(short.prefix(Self.shortWidth))
        self.text = text
        self.detail = detail
    }
}

extension VoteRules {
    /// The verdict on one entry.
    /// - nodeosLoads: false when nodeos refuses the file (then no key votes).
    /// - lib: the chain's LIB, when known (without it only what needs none is said).
    /// - keys: the node's configured keys, when found.
    /// - now: the clock (the network's head time, or this machine's): a last vote later than
    ///   it stops every vote until then. Without it, a reader's `future-timestamp` finding on
    ///   the entry's last vote says the same.
    public static func verdict(
        _ e: SafetyEntry, nodeosLoads: Bool = true, lib: LIB?, keys: NodeKeys? = nil, now: BlockTimestamp? = nil, findings: [Finding] = [],
        chain: ChainView? = nil
    ) -> KeyVerdict {
        if !nodeosLoads { return KeyVerdict(.fileRefused, short: "file refused", text: "nodeos refuses the file") }
        if let keys, keys.isConfigured(e.key) == false {
            return KeyVerdict(.inactive, short: "inactive", text: "inactive: not configured")
        }
        guard let s = e.savanna else {
            return KeyVerdict(.unknown, short: "?", text: "not judged: a HotStuff entry (spring does not read safety_db.dat)")
        }
        let reference = lib?.timestamp ?? now ?? s.lastVote.timestamp
        let chainView = chain ?? lib.map { ChainView(lib: $0) }
        let detail = chainView.map { outlook(s, chain: $0).sentence }
        if isEmpty(s.lock) {
            // finalizer.cpp lines 49–56.
            return KeyVerdict(.noLock, short: "no vote: no lock", text: "no vote: no lock", detail: detail)
        }
        // finalizer.cpp line 11: monotony fails for every block at or before the last vote.
        let future: Bool
        if let now {
            future = !isEmpty(s.lastVote) && s.lastVote.timestamp > now
        } else {
            future = findings.contains { $0.check == .futureTimestamp && $0.entry != nil && $0.field == "last_vote.timestamp" }
        }
        if future {
            let at = clock(s.lastVote.timestamp, near: reference)
            let hms = String(at.suffix(10).prefix(8))
            return KeyVerdict(
                .lastVoteInFuture, short: "no vote <\(hms)", text: "no vote before \(at) (its last vote is in the future)", detail: detail)
        }
        guard let chainView else {
            return KeyVerdict(.unknown, short: "?", text: "not judged: no LIB known (l: LIB screen, --blocks-dir or --api)")
        }
        let o = outlook(s, chain: chainView)
        switch o.verdict {
        case .votes:
            return KeyVerdict(.votes, short: "votes", text: "votes", detail: o.sentence)
        case .stuck, .conditional where chainView.extends(s.lock) == false:
            // Lines 34 and 43: the lock is on a block the chain does not extend (safety
            // fails) and only a QC newer than the lock brings liveness back. (An empty lock,
            // outlook's other `.stuck`, was said above.)
            return KeyVerdict(
                .lockOffChain, short: "no vote till QC",
                text: "no vote: lock off the chain until a QC after \(clock(s.lock.timestamp, near: reference))", detail: o.sentence)
        case .conditional:
            return KeyVerdict(
                .votesIfChainExtendsLock, short: "votes?",
                text: "votes? while the chain extends its lock", detail: o.sentence)
        }
    }

    /// The verdicts of a file's entries and how many will not vote (the banner's count).
    public static func notVotingCount(_ verdicts: [KeyVerdict]) -> Int { verdicts.filter(\.willNotVote).count }

    /// "1 key will not vote" / "no key will not vote"… said only when some will not.
    public static func notVotingSentence(_ n: Int) -> String? {
        n == 0 ? nil : "\(grouped(n)) key\(n == 1 ? "" : "s") will not vote"
    }
}
