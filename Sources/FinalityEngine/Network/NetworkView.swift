import FinalityFormat

// The network's view (issue 23): who votes in the active finalizer policy, how much weight is
// missing for a quorum, and whether this node's keys are among the missing. Built from the
// answers of one or more node APIs (`get_info` + `get_finalizer_info`) and the node's
// configured keys. Pure: no I/O, no clock (the sample time is given), no text formatting
// beyond the one verdict sentence (NetworkText.swift renders it for the CLI; the
// interface's Network screen renders the same rows).
//
// Quorum (../shared/docs/voting.md, "Quorum"): a strong QC needs the strong votes' weight to
// reach the policy's threshold, a weak QC strong + weak (spring libraries/chain/qc.cpp,
// `qc_sig_t::verify_weights`, lines 136-165 at 01e678da: `strong_weights >=
// fin_policy->threshold` for a strong QC, `strong_weights + weak_weights >= threshold` for
// a weak one, each finalizer's `weight` summed); while a pending policy exists each QC must
// also reach the pending policy's own threshold (`qc_t::verify_basic`, lines 59-80:
// `pending_policy_sig->verify_weights(policies.pending_finalizer_policy)`). Finality
// advances on strong QCs only.

/// One node API's answers for one refresh.
public struct NetworkAnswer: Sendable {
    public var url: String
    public var info: NodeInfo
    public var finalizers: FinalizerInfo

    public init(url: String, info: NodeInfo, finalizers: FinalizerInfo) {
        self.url = url
        self.info = info
        self.finalizers = finalizers
    }
}

/// The numbers that decide a status and the verdict.
public struct NetworkOptions: Hashable, Sendable {
    /// A finalizer whose last tracked vote is more than this many blocks behind head is
    /// "behind" (not counted in the voting weight). Default 12 blocks (6 s): a finalizer
    /// that votes votes on every block, so 12 blocks without a vote is not a late packet.
    public var behindBlocks: UInt32
    /// LIB more than this many blocks behind head is "stalled". Default 12 blocks (6 s):
    /// with Savanna a healthy LIB trails head by 2 to 3 blocks.
    public var stallBlocks: UInt32
    /// Characters of a finalizer's description kept for display (sanitized, then cut).
    public var descriptionLimit: Int

    public static let defaultBehindBlocks: UInt32 = 12
    public static let defaultStallBlocks: UInt32 = 12

    public init(
        behindBlocks: UInt32 = NetworkOptions.defaultBehindBlocks, stallBlocks: UInt32 = NetworkOptions.defaultStallBlocks,
        descriptionLimit: Int = 64
    ) {
        self.behindBlocks = behindBlocks
        self.stallBlocks = stallBlocks
        self.descriptionLimit = descriptionLimit
    }
}

/// A finalizer's status in the network's view.
public enum FinalizerStatus: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Its last tracked vote is within `behindBlocks` of head: its weight counts.
    case voting
    /// It voted, but its last vote is more than `behindBlocks` behind head.
    case behind
    /// No node API tracked a vote from its key.
    case notSeen = "not seen"

    /// Worst first when sorted: not seen, behind, voting.
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    var rank: Int {
        switch self {
        case .notSeen: 0
        case .behind: 1
        case .voting: 2
        }
    }
}

/// A finalizer's last tracked vote, the newest any node API saw.
public struct NetworkVote: Hashable, Sendable {
    public var blockNumber: UInt32
    public var blockID: Bytes32
    public var time: BlockTimestamp
    public var isStrong: Bool
    /// Head's number minus the vote's (0 when the vote is at or past the reference head).
    public var blocksBehindHead: UInt32
    /// The node API whose answer this is.
    public var url: String
}

/// One finalizer of a policy. Every text is sanitized (DisplayText): safe to print.
public struct NetworkFinalizer: Hashable, Sendable, Identifiable {
    /// Position in the policy as the node listed it.
    public var index: Int
    /// The description, sanitized and cut to `descriptionLimit` characters.
    public var description: String
    public var weight: UInt64
    /// The key text, sanitized (as the node wrote it when it does not parse).
    public var keyText: String
    public var key: BLSPublicKey?
    /// The node's config.ini names this key (a signature provider).
    public var isThisNode: Bool
    public var lastVote: NetworkVote?
    public var status: FinalizerStatus
    /// Node APIs that disagree on this finalizer's last vote (sanitized), else nil.
    public var disagreement: String?

    public var id: Int { index }
}

/// Weights against a policy's threshold.
public struct QuorumTotals: Hashable, Sendable {
    public var threshold: UInt64
    public var totalWeight: UInt64
    /// Weight of finalizers voting (within `behindBlocks`) whose last vote is strong.
    public var strongWeight: UInt64
    /// Weight of finalizers voting whose last vote is weak.
    public var weakWeight: UInt64
    public var votingCount: Int
    public var finalizerCount: Int

    /// A strong QC can form: strong weight ≥ threshold.
    public var strongQuorum: Bool { strongWeight >= threshold }
    /// A weak QC can form: strong + weak ≥ threshold.
    public var weakQuorum: Bool { strongWeight &+ weakWeight >= threshold }
    /// Weight that must still vote strong for a strong QC (0 when it can form).
    public var missingStrongWeight: UInt64 { strongQuorum ? 0 : threshold - strongWeight }
    /// Weight not voting (behind or not seen).
    public var notVotingWeight: UInt64 { totalWeight - strongWeight - weakWeight }
}

/// A finalizer policy with each finalizer's row and the totals.
public struct NetworkPolicy: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable { case active, pending }
    public var role: Role
    public var generation: UInt32?
    public var finalizers: [NetworkFinalizer]
    public var totals: QuorumTotals

    /// Finalizers not voting (behind or not seen), heaviest first, then in policy order.
    public var notVoting: [NetworkFinalizer] {
        finalizers.filter { $0.status != .voting }.sorted { ($0.weight, -$0.index) > ($1.weight, -$1.index) }
    }
}

/// One node API's head and LIB, as it answered.
public struct NetworkNode: Hashable, Sendable {
    public var url: String
    public var headBlockNumber: UInt32?
    public var headTime: BlockTimestamp?
    public var lib: LIB
    public var serverVersion: String?
    public var elapsedMilliseconds: Int
}

/// A node API that did not answer (or answered what the checks refuse).
public struct NetworkUnanswered: Hashable, Sendable {
    public var url: String
    public var reason: String

    public init(url: String, reason: String) {
        self.url = DisplayText.sanitize(url, limit: 200)
        self.reason = DisplayText.sanitize(reason)
    }
}

/// How a sorted list of rows is ordered.
public enum NetworkSort: String, Hashable, Sendable, CaseIterable {
    /// Policy order (as the node lists it).
    case policy
    /// Heaviest first.
    case weight
    /// Oldest last vote first (not seen before any vote).
    case lastVote = "last-vote"
    /// Worst first: not seen, behind, voting; then heaviest.
    case status
}

/// The plain verdict: does LIB advance, and if not, what is missing.
public struct NetworkVerdict: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// LIB trails head by at most `stallBlocks` and a strong QC can form.
        case advancing = "advancing"
        /// LIB trails head by at most `stallBlocks` but the strong weight is below the
        /// threshold: LIB is about to stop.
        case atRisk = "at-risk"
        /// LIB trails head by more than `stallBlocks` and the strong weight is below threshold.
        case stalled = "stalled"
        /// LIB trails head by more than `stallBlocks`, but the strong weight reaches the
        /// threshold again: LIB should catch up.
        case recovering = "recovering"
        /// No active policy in the answer (not a Savanna chain yet).
        case noPolicy = "no-policy"
    }

    public var kind: Kind
    /// "LIB advances: strong votes 18 of 21, threshold 15".
    public var sentence: String
    /// LIB's block time when LIB is stalled (the time since which it has not advanced).
    public var stalledSince: BlockTimestamp?
}

/// Everything the Network screen, `finality network` and the metrics show for one refresh.
public struct NetworkView: Hashable, Sendable {
    public var options: NetworkOptions
    /// When the answers were taken (Unix ms): ages are measured from it.
    public var unixMilliseconds: Int64
    public var chainID: Bytes32
    /// Every API that answered, in the order given; the first is the reference for head and LIB.
    public var nodes: [NetworkNode]
    public var headBlockNumber: UInt32
    public var headTime: BlockTimestamp?
    public var lib: LIB
    public var active: NetworkPolicy?
    public var pending: NetworkPolicy?
    /// Where the node APIs disagree (LIB, head far apart, policies, a finalizer's last vote); sanitized.
    public var disagreements: [String]
    /// The node's configured keys were found (config.ini): "this node" marks mean something.
    public var configuredKeysKnown: Bool
    /// Configured keys that are in no policy (sanitized key texts).
    public var configuredKeysOutsidePolicy: [String]
    public var verdict: NetworkVerdict
    /// Node APIs asked that gave no usable answer this refresh (sanitized reasons).
    public var unanswered: [NetworkUnanswered]

    /// Blocks LIB trails head.
    public var libLagBlocks: UInt32 { headBlockNumber >= lib.number ? headBlockNumber - lib.number : 0 }

    /// Milliseconds between head's block time and LIB's (nil when the node gave no head time).
    public var libLagMilliseconds: Int64? { headTime.map { max(0, $0.unixMilliseconds - lib.timestamp.unixMilliseconds) } }

    /// LIB has not advanced for more than `stallBlocks` slots: head's block time minus LIB's
    /// block time (the blocks number when the node gave no head time).
    public var libStalled: Bool {
        if let ms = libLagMilliseconds { return ms > Int64(options.stallBlocks) * BlockTimestamp.millisecondsPerSlot }
        return libLagBlocks > options.stallBlocks
    }

    /// The active policy's rows in the given order.
    public func rows(sortedBy sort: NetworkSort, policy: NetworkPolicy.Role = .active) -> [NetworkFinalizer] {
        guard let p = policy == .active ? active : pending else { return [] }
        return Self.sorted(p.finalizers, by: sort)
    }

    public static func sorted(_ rows: [NetworkFinalizer], by sort: NetworkSort) -> [NetworkFinalizer] {
        switch sort {
        case .policy: return rows
        case .weight: return rows.sorted { ($0.weight, -$0.index) > ($1.weight, -$1.index) }
        case .lastVote:
            return rows.sorted { a, b in
                let x = a.lastVote?.blockNumber ?? 0, y = b.lastVote?.blockNumber ?? 0
                if (a.lastVote == nil) != (b.lastVote == nil) { return a.lastVote == nil }
                return x != y ? x < y : a.index < b.index
            }
        case .status:
            return rows.sorted { a, b in
                a.status != b.status ? a.status < b.status : (a.weight != b.weight ? a.weight > b.weight : a.index < b.index)
            }
        }
    }

    /// Builds the view. The answers' chain ids must all be the same: an API on another chain
    /// refuses (its votes would count for a chain it is not on), naming both URLs and ids.
    /// `configuredKeys` nil: the node's config was not found (no "this node" marks).
    public static func build(
        _ answers: [NetworkAnswer], configuredKeys: [BLSPublicKey]?, options: NetworkOptions = .init(),
        unixMilliseconds: Int64, unanswered: [NetworkUnanswered] = []
    ) throws(EngineError) -> NetworkView {
        guard let first = answers.first else {
            throw .io(
                path: unanswered.map(\.url).joined(separator: ", "), operation: "ask the node API",
                reason: unanswered.isEmpty ? "no node API given" : "no answer: " + unanswered.map { "\($0.url): \($0.reason)" }.joined(separator: "; "))
        }
        for a in answers.dropFirst() where a.info.chainID != first.info.chainID {
            throw .refused(
                "\(a.url) is on another chain than \(first.url): chain id \(a.info.chainID.hex) vs \(first.info.chainID.hex); give node APIs of one chain")
        }
        let head = first.info.headBlockNumber ?? first.info.lib.number
        var disagreements = [String]()
        for a in answers.dropFirst() {
            if a.info.lib != first.info.lib {
                disagreements.append(
                    "LIB: \(clean(first.url)) says block \(grouped(first.info.lib.number)), \(clean(a.url)) says block \(grouped(a.info.lib.number))"
                        + (a.info.lib.number == first.info.lib.number ? " with another id (another fork)" : ""))
            }
            let ga = a.finalizers.activePolicy?.generation, gf = first.finalizers.activePolicy?.generation
            if ga != gf {
                disagreements.append(
                    "active policy: \(clean(first.url)) says generation \(gf.map(String.init) ?? "none"), \(clean(a.url)) says \(ga.map(String.init) ?? "none")")
            }
        }
        let configured = configuredKeys.map { Set($0) } ?? []
        // Each answer's votes by key (bytes; by text when the key does not parse).
        let votesByAnswer: [[KeyID: TrackedVote]] = answers.map { a in
            var byKey = [KeyID: TrackedVote]()
            for v in a.finalizers.votes {
                let k = KeyID(v.publicKey, v.publicKeyText)
                if let old = byKey[k], (old.timestamp, old.blockNumber) >= (v.timestamp, v.blockNumber) { continue }
                byKey[k] = v
            }
            return byKey
        }

        func policy(_ p: FinalizerPolicyInfo?, role: NetworkPolicy.Role) -> NetworkPolicy? {
            guard let p else { return nil }
            var rows = [NetworkFinalizer]()
            rows.reserveCapacity(p.finalizers.count)
            var totals = QuorumTotals(
                threshold: p.threshold ?? 0, totalWeight: 0, strongWeight: 0, weakWeight: 0, votingCount: 0,
                finalizerCount: p.finalizers.count)
            for (i, f) in p.finalizers.enumerated() {
                let id = KeyID(f.publicKey, f.publicKeyText)
                var newest: (vote: TrackedVote, url: String)?
                var seen = [(url: String, vote: TrackedVote)]()
                for (n, byKey) in votesByAnswer.enumerated() {
                    guard let v = byKey[id] else { continue }
                    seen.append((answers[n].url, v))
                    if newest == nil || (v.timestamp, v.blockNumber) > (newest!.vote.timestamp, newest!.vote.blockNumber) {
                        newest = (v, answers[n].url)
                    }
                }
                var disagreement: String?
                if seen.count > 1, Set(seen.map { "\($0.vote.blockID.hex)\($0.vote.isStrong)" }).count > 1 {
                    disagreement = seen.map { s in
                        "\(clean(s.url)): block \(grouped(s.vote.blockNumber)) \(s.vote.isStrong ? "strong" : "weak")"
                    }.joined(separator: "; ")
                }
                let vote = newest.map { n in
                    NetworkVote(
                        blockNumber: n.vote.blockNumber, blockID: n.vote.blockID, time: n.vote.timestamp, isStrong: n.vote.isStrong,
                        blocksBehindHead: head > n.vote.blockNumber ? head - n.vote.blockNumber : 0, url: n.url)
                }
                let status: FinalizerStatus =
                    vote == nil ? .notSeen : (vote!.blocksBehindHead > options.behindBlocks ? .behind : .voting)
                let weight = f.weight ?? 0
                totals.totalWeight &+= weight
                if status == .voting, let v = vote {
                    totals.votingCount += 1
                    if v.isStrong { totals.strongWeight &+= weight } else { totals.weakWeight &+= weight }
                }
                rows.append(
                    NetworkFinalizer(
                        index: i, description: clean(f.description ?? "", limit: options.descriptionLimit),
                        weight: weight, keyText: clean(f.publicKeyText), key: f.publicKey,
                        isThisNode: f.publicKey.map { configured.contains($0) } ?? false, lastVote: vote, status: status,
                        disagreement: disagreement))
                if let d = disagreement, role == .active {
                    disagreements.append("last vote of \(rows.last!.description.isEmpty ? rows.last!.keyText : rows.last!.description): \(d)")
                }
            }
            return NetworkPolicy(role: role, generation: p.generation, finalizers: rows, totals: totals)
        }

        let active = policy(first.finalizers.activePolicy, role: .active)
        let pending = policy(first.finalizers.pendingPolicy, role: .pending)
        let inPolicies = Set(((active?.finalizers ?? []) + (pending?.finalizers ?? [])).compactMap(\.key))
        let outside = (configuredKeys ?? []).filter { !inPolicies.contains($0) }.map(\.text)
        var view = NetworkView(
            options: options, unixMilliseconds: unixMilliseconds, chainID: first.info.chainID,
            nodes: answers.map { a in
                NetworkNode(
                    url: clean(a.url), headBlockNumber: a.info.headBlockNumber, headTime: a.info.headBlockTime, lib: a.info.lib,
                    serverVersion: a.info.serverVersion.map { clean($0) }, elapsedMilliseconds: a.finalizers.elapsedMilliseconds)
            },
            headBlockNumber: head, headTime: first.info.headBlockTime, lib: first.info.lib, active: active, pending: pending,
            disagreements: disagreements, configuredKeysKnown: configuredKeys != nil, configuredKeysOutsidePolicy: outside,
            verdict: NetworkVerdict(kind: .noPolicy, sentence: "", stalledSince: nil), unanswered: unanswered)
        view.verdict = verdict(view)
        return view
    }

    /// The verdict sentence, in the issue's shape:
    /// "LIB advances: strong votes 18 of 21, threshold 15";
    /// "LIB stalled since 09:03:14: strong votes 11, threshold 15: 4 more weight must vote;
    /// not voting: bp.delta (3), bp.kappa (1), …" (at most `namesShown` names, heaviest first).
    /// Weak votes, when there are any, follow the strong ones ("strong votes 11, weak votes 5").
    static func verdict(_ v: NetworkView, namesShown: Int = 8) -> NetworkVerdict {
        guard let p = v.active else {
            return NetworkVerdict(
                kind: .noPolicy, sentence: "no active finalizer policy: this chain does not run Savanna finality yet", stalledSince: nil)
        }
        let t = p.totals
        let weak = t.weakWeight > 0 ? ", weak votes \(grouped(t.weakWeight))" : ""
        func missing() -> String {
            let names = p.notVoting
            var list = names.prefix(namesShown).map { "\(shortName($0)) (\(grouped($0.weight)))" }
            if names.count > namesShown { list.append("…") }
            var s = ": \(grouped(t.missingStrongWeight)) more weight must vote" + (t.weakWeight > 0 ? " strong" : "")
            if !list.isEmpty { s += "; not voting: " + list.joined(separator: ", ") }
            if t.weakQuorum && !t.strongQuorum { s += " (weak QCs still form: blocks are not final)" }
            return s
        }
        var sentence: String
        let kind: NetworkVerdict.Kind
        var since: BlockTimestamp?
        if v.libStalled {
            since = v.lib.timestamp
            let at = clockText(v.lib.timestamp)
            if t.strongQuorum {
                kind = .recovering
                sentence = "LIB stalled since \(at), recovering: strong votes \(grouped(t.strongWeight)) of \(grouped(t.totalWeight))\(weak), threshold \(grouped(t.threshold)): LIB should catch up"
            } else {
                kind = .stalled
                sentence = "LIB stalled since \(at): strong votes \(grouped(t.strongWeight))\(weak), threshold \(grouped(t.threshold))" + missing()
            }
        } else if t.strongQuorum {
            kind = .advancing
            sentence = "LIB advances: strong votes \(grouped(t.strongWeight)) of \(grouped(t.totalWeight))\(weak), threshold \(grouped(t.threshold))"
        } else {
            kind = .atRisk
            sentence = "LIB about to stall: strong votes \(grouped(t.strongWeight))\(weak), threshold \(grouped(t.threshold))" + missing()
        }
        if let q = v.pending, !q.totals.strongQuorum {
            sentence += "; pending policy (generation \(q.generation.map(String.init) ?? "?")): strong votes \(grouped(q.totals.strongWeight)), threshold \(grouped(q.totals.threshold)): \(grouped(q.totals.missingStrongWeight)) more weight must vote"
        }
        return NetworkVerdict(kind: kind, sentence: sentence, stalledSince: since)
    }

    /// A finalizer as the verdict names it: its description (at most 32 characters), else
    /// the start of its key.
    public static func shortName(_ f: NetworkFinalizer) -> String {
        let name = f.description.isEmpty ? f.keyText : f.description
        return name.count > 32 ? String(name.prefix(31)) + "…" : name
    }

    /// `09:03:14` (UTC).
    public static func clockText(_ t: BlockTimestamp) -> String { String(t.iso8601.dropFirst(11).prefix(8)) }

    /// Node text made safe to show (DisplayText); printable ASCII within the limit, the
    /// usual case (keys, descriptions, URLs), is taken as it is without a copy.
    static func clean(_ s: String, limit: Int = 200) -> String {
        let plain = s.utf8.withContiguousStorageIfAvailable { u in
            u.count <= limit && !u.contains { $0 < 0x20 || $0 >= 0x7F }
        }
        if plain == true { return s }
        return DisplayText.sanitize(s, limit: limit)
    }

    /// A key by its bytes, or by its text when it does not parse (never by computing the
    /// text of a parsed key: that costs a RIPEMD-160 each).
    enum KeyID: Hashable {
        case key(BLSPublicKey)
        case text(String)
        init(_ key: BLSPublicKey?, _ text: String) { self = key.map { .key($0) } ?? .text(text) }
    }
}
