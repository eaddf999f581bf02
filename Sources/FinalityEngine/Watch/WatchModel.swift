import FinalityFormat

// `finality watch`: did the recovery work? A pure model: samples in (what each node API
// answered, what the safety file held), state and verdict lines out. The command line
// and the interface both drive it; `WatchSampler` is the only part that does I/O.

/// What is being watched and how.
public struct WatchConfig: Hashable, Sendable {
    /// The safety file (re-read read-only every refresh).
    public var file: String
    /// Node APIs; the first is the node that runs on this file, the others are the
    /// network's view (their heads and their tracked votes count too).
    public var apis: [String]
    /// The keys to watch; nil means every key of the file.
    public var keys: [BLSPublicKey]?
    /// Seconds between refreshes.
    public var interval: Double
    /// The change being confirmed, when known (the wizard's apply, or the audit record):
    /// "41 s after the reset".
    public var change: WatchChange?
    /// A head this many blocks behind the network (or behind the wall clock) is catching up.
    public var catchUpBlocks: Int64
    /// The chain the file's node is on, when the data dir's blocks.log names it: every
    /// node's answers must be on it. Without it, the first answer sets the chain.
    public var chain: WatchChain?

    public init(
        file: String, apis: [String], keys: [BLSPublicKey]? = nil, interval: Double = 1, change: WatchChange? = nil,
        catchUpBlocks: Int64 = 20, chain: WatchChain? = nil
    ) {
        self.file = file
        self.apis = apis
        self.keys = keys
        self.interval = interval
        self.change = change
        self.catchUpBlocks = catchUpBlocks
        self.chain = chain
    }
}

/// The chain a watch stays on: its id and where it was learnt ("blocks.log /srv/…/blocks.log",
/// "the first answer, from http://…").
public struct WatchChain: Hashable, Sendable {
    public var id: Bytes32
    public var source: String

    public init(id: Bytes32, source: String) {
        self.id = id
        self.source = source
    }

    /// The chain of the data dir's blocks.log, when `dataDir` has one that reads.
    public static func blocksLog(dataDir: String?) -> WatchChain? {
        guard let dir = dataDir.map({ $0 + "/blocks" }), let r = try? LIBSources.fromBlocksDir(dir), let id = r.chainID else { return nil }
        return WatchChain(id: id, source: r.source.description)
    }
}

/// Why a node's answers stopped counting: its votes are not this chain's votes. Kept for
/// the rest of the watch (a node that left the chain once is not trusted again).
public enum OffChain: Hashable, Sendable {
    /// It answered with another chain id than the watch's chain.
    case otherChain(found: Bytes32, expected: WatchChain)
    /// Its LIB went backwards: an irreversible block is never undone on one chain.
    case libBackwards(from: UInt32, to: UInt32)
    /// Its LIB at the same height is another block.
    case libReplaced(number: UInt32, was: Bytes32, now: Bytes32)

    /// Stable machine name for `--json`.
    public var kind: String {
        switch self {
        case .otherChain: "other-chain"
        case .libBackwards: "lib-backwards"
        case .libReplaced: "lib-replaced"
        }
    }

    public var text: String {
        let why = switch self {
        case .otherChain(let found, let expected):
            "chain id \(found.hex.prefix(16))…, not \(expected.id.hex.prefix(16))… (\(expected.source))"
        case .libBackwards(let from, let to): "LIB went back from #\(grouped(from)) to #\(grouped(to))"
        case .libReplaced(let n, let was, let now):
            "LIB #\(grouped(n)) changed from \(was.hex.prefix(16))… to \(now.hex.prefix(16))…"
        }
        return "OFF CHAIN: \(why): its votes and head no longer count"
    }
}

/// The change a watch confirms: what was done and when (Unix milliseconds).
public struct WatchChange: Hashable, Sendable {
    /// "reset", "delete", "repair", "restore".
    public var action: String
    public var unixMilliseconds: Int64

    public init(action: String, unixMilliseconds: Int64) {
        self.action = action
        self.unixMilliseconds = unixMilliseconds
    }
}

/// One refresh's observations.
public struct WatchSample: Sendable {
    /// Wall clock when the sample was taken (Unix milliseconds, UTC).
    public var unixMilliseconds: Int64
    /// One per configured API, in the configured order.
    public var nodes: [NodeSample]
    public var file: FileSample
    /// The change being confirmed, when the sampler found it (the audit log) and the
    /// watch was started without it.
    public var change: WatchChange?

    public init(unixMilliseconds: Int64, nodes: [NodeSample], file: FileSample, change: WatchChange? = nil) {
        self.unixMilliseconds = unixMilliseconds
        self.nodes = nodes
        self.file = file
        self.change = change
    }
}

public struct NodeSample: Sendable {
    public var url: String
    /// `get_info`, or why there is none (the error text).
    public var info: Result<NodeInfo, WatchFailure>
    /// `get_finalizer_info`; nil when it was not asked (get_info failed first).
    public var finalizers: Result<FinalizerInfo, WatchFailure>?
    /// Block ids at heights the model asked for (`WatchState.blockHeightsWanted`), from
    /// `get_block_info` on this node.
    public var blockIDs: [UInt32: Bytes32]

    public init(
        url: String, info: Result<NodeInfo, WatchFailure>, finalizers: Result<FinalizerInfo, WatchFailure>? = nil,
        blockIDs: [UInt32: Bytes32] = [:]
    ) {
        self.url = url
        self.info = info
        self.finalizers = finalizers
        self.blockIDs = blockIDs
    }
}

/// A failed exchange with a node, as text for the operator (already sanitised by the sampler).
public struct WatchFailure: Error, Hashable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// The safety file as this refresh found it.
public enum FileSample: Sendable {
    /// Decoded; `tries` > 1 when a read failed a check while nodeos rewrote the file.
    case read(SafetyFile, tries: Int)
    /// Every try failed a check (the last finding, as text).
    case unreadable(String, tries: Int)
    /// Cannot be read at all (missing, permission).
    case missing(String)
}

/// A tracked vote and the node that reported it.
public struct SeenVote: Hashable, Sendable {
    public var vote: TrackedVote
    public var url: String

    public init(vote: TrackedVote, url: String) {
        self.vote = vote
        self.url = url
    }
}

/// What the watch knows so far. `update` is the only way it changes.
public struct WatchState: Sendable {
    public struct Node: Sendable {
        public var url: String
        public var info: NodeInfo?
        public var lastAnswer: Int64?
        public var error: String?
        /// (time, head, LIB) of recent answers, oldest first, for blocks/s and "advances".
        public var history: [(at: Int64, head: UInt32, lib: UInt32)] = []
        /// When LIB last moved (or was first seen).
        public var libSince: Int64?
        public var finalizers: FinalizerInfo?
        public var finalizersError: String?
        /// Why its answers no longer count (set once, kept: see `OffChain`).
        public var offChain: OffChain?
        /// The highest LIB it reported.
        public var highestLIB: LIB?

        /// Its answers count: on the chain, LIB never backwards.
        public var trusted: Bool { offChain == nil }
    }

    public struct Key: Sendable {
        public var key: BLSPublicKey
        /// The network's newest tracked vote at the first answer: the votes before the start.
        public var baseline: SeenVote?
        public var baselineTaken = false
        /// The newest tracked vote seen from any node.
        public var newest: SeenVote?
        /// The first vote newer than the baseline, and when the watch saw it.
        public var firstNewVote: (vote: SeenVote, seenAt: Int64)?
        /// The file's entry for this key at the last clean read.
        public var entry: SafetyEntry?
        /// The id of the block at the lock's height on the node's chain, when asked.
        public var chainIDAtLock: Bytes32?
    }

    public var config: WatchConfig
    public var startedAt: Int64?
    public var now: Int64 = 0
    public var refreshes = 0
    public var nodes: [Node]
    public var keys: [Key]
    public var file: FileSample?
    /// When the file last read cleanly; a failing read is damage only if it keeps failing.
    public var fileCleanAt: Int64?
    public var fileFailingSince: Int64?
    /// Ids at heights already answered: a block at or below LIB never changes.
    public var finalBlockIDs: [UInt32: Bytes32] = [:]
    /// The chain every answer must be on: the blocks.log's, else the first answer's.
    public var chain: WatchChain?

    public init(_ config: WatchConfig) {
        self.config = config
        nodes = config.apis.map { Node(url: $0) }
        keys = (config.keys ?? []).map { Key(key: $0) }
        chain = config.chain
    }

    /// The samples of the last 10 seconds count for blocks per second.
    static let rateWindow: Int64 = 10_000

    public mutating func update(_ sample: WatchSample) {
        if startedAt == nil { startedAt = sample.unixMilliseconds }
        now = sample.unixMilliseconds
        refreshes += 1
        if config.change == nil, let c = sample.change { config.change = c }
        for (i, s) in sample.nodes.enumerated() where i < nodes.count {
            // Every answer is checked against the watch's chain and the node's own LIB
            // before anything it says counts.
            if case .success(let info) = s.info {
                if chain == nil { chain = WatchChain(id: info.chainID, source: "the first answer, from \(s.url)") }
                nodes[i].check(info, chain: chain!)
            }
            nodes[i].absorb(s, at: now)
            guard nodes[i].trusted else { continue }
            for (h, id) in s.blockIDs { finalBlockIDs[h] = id }
        }
        file = sample.file
        switch sample.file {
        case .read(let f, _):
            fileCleanAt = now
            fileFailingSince = nil
            if config.keys == nil {
                // Every key of the file; keys met later (a key added) join the watch.
                for e in f.entries where !keys.contains(where: { $0.key == e.key }) { keys.append(Key(key: e.key)) }
            }
            for i in keys.indices {
                keys[i].entry = f.index(of: keys[i].key).map { f.entries[$0] }
            }
        case .unreadable, .missing:
            if fileFailingSince == nil { fileFailingSince = now }
        }
        let anyFinalizerAnswer = sample.nodes.indices.contains { i in
            guard i < nodes.count, nodes[i].trusted, case .success = sample.nodes[i].finalizers else { return false }
            return true
        }
        for i in keys.indices {
            let key = keys[i].key
            var newest: SeenVote?
            // Only nodes on the chain: a vote another chain reports is not this key's vote here.
            for (n, info) in zip(nodes, nodes.map(\.finalizers)) where n.trusted {
                guard let info, let v = info.vote(for: key) else { continue }
                if newest == nil || Self.isNewer(v, than: newest!.vote) { newest = SeenVote(vote: v, url: n.url) }
            }
            keys[i].newest = newest
            if !keys[i].baselineTaken {
                if anyFinalizerAnswer {
                    keys[i].baseline = newest
                    keys[i].baselineTaken = true
                }
            } else if keys[i].firstNewVote == nil, let v = newest,
                keys[i].baseline.map({ Self.isNewer(v.vote, than: $0.vote) }) ?? true
            {
                keys[i].firstNewVote = (v, now)
            }
            if let lock = keys[i].entry?.savanna?.lock, !lock.isEmpty {
                keys[i].chainIDAtLock = finalBlockIDs[lock.blockNumber]
            } else {
                keys[i].chainIDAtLock = nil
            }
        }
        // A height above LIB may still change branch: keep only final ones.
        if let lib = nodes.filter(\.trusted).compactMap({ $0.info?.lib.number }).max() {
            finalBlockIDs = finalBlockIDs.filter { $0.key <= lib }
        }
    }

    static func isNewer(_ a: TrackedVote, than b: TrackedVote) -> Bool {
        (a.timestamp, a.blockNumber) > (b.timestamp, b.blockNumber)
    }

    // MARK: - Derived facts

    /// Heights whose block id the verdict needs (each watched lock at or below the node's
    /// head, not known as final yet): the sampler asks the first node's `get_block_info`.
    public var blockHeightsWanted: [UInt32] {
        guard let head = nodes.first?.info?.headBlockNumber else { return [] }
        var out = [UInt32]()
        for k in keys {
            guard let lock = k.entry?.savanna?.lock, !lock.isEmpty, lock.blockNumber <= head,
                finalBlockIDs[lock.blockNumber] == nil, !out.contains(lock.blockNumber)
            else { continue }
            out.append(lock.blockNumber)
        }
        return out.sorted()
    }

    /// The newest head the network reports (every API that answered this refresh).
    public var networkHead: (number: UInt32, time: BlockTimestamp?)? {
        let heads = nodes.filter { $0.lastAnswer == now && $0.trusted }.compactMap { n -> (UInt32, BlockTimestamp?)? in
            n.info?.headBlockNumber.map { ($0, n.info?.headBlockTime) }
        }
        return heads.max { $0.0 < $1.0 }.map { (number: $0.0, time: $0.1) }
    }

    /// How many blocks the first node's head trails the network: the best of the other
    /// nodes' heads and the wall clock (a block every 500 ms), so one API is enough.
    public var headBehind: Int64? {
        guard let n = nodes.first, n.lastAnswer == now, n.trusted, let info = n.info, let head = info.headBlockNumber else { return nil }
        var behind: Int64 = 0
        if let net = networkHead { behind = max(behind, Int64(net.number) - Int64(head)) }
        if let t = info.headBlockTime { behind = max(behind, (now - t.unixMilliseconds) / BlockTimestamp.millisecondsPerSlot) }
        return behind
    }

    public var isCatchingUp: Bool { (headBehind ?? 0) > config.catchUpBlocks }

    /// True when no API answered this refresh.
    public var noAnswer: Bool { !nodes.contains { $0.lastAnswer == now } }

    /// True when some API answered at some point.
    public var everAnswered: Bool { nodes.contains { $0.lastAnswer != nil } }

    /// Every node left the chain: no vote any of them reports can count any more.
    public var noTrustedNode: Bool { !nodes.isEmpty && nodes.allSatisfy { !$0.trusted } }

    /// The nodes whose answers no longer count, with why.
    public var offChainNodes: [(url: String, why: OffChain)] { nodes.compactMap { n in n.offChain.map { (n.url, $0) } } }
}

extension WatchState.Node {
    init(url: String) { self.url = url }

    /// Flags the node (once) when this answer is on another chain than the watch's, or its
    /// LIB is below, or at the same height another block than, the highest it reported.
    mutating func check(_ info: NodeInfo, chain: WatchChain) {
        if offChain == nil {
            if info.chainID != chain.id {
                offChain = .otherChain(found: info.chainID, expected: chain)
            } else if let high = highestLIB {
                if info.lib.number < high.number {
                    offChain = .libBackwards(from: high.number, to: info.lib.number)
                } else if info.lib.number == high.number && info.lib.blockID != high.blockID {
                    offChain = .libReplaced(number: high.number, was: high.blockID, now: info.lib.blockID)
                }
            }
        }
        if info.chainID == chain.id, highestLIB.map({ info.lib.number > $0.number }) ?? true { highestLIB = info.lib }
    }

    mutating func absorb(_ s: NodeSample, at now: Int64) {
        switch s.info {
        case .success(let info):
            if let old = self.info, old.lib.number == info.lib.number {
                // unchanged: libSince stays
            } else {
                libSince = now
            }
            self.info = info
            lastAnswer = now
            error = nil
            if let head = info.headBlockNumber {
                history.append((now, head, info.lib.number))
                history.removeAll { now - $0.at > WatchState.rateWindow }
            }
        case .failure(let f):
            error = f.message
        }
        switch s.finalizers {
        case .success(let f)?:
            finalizers = f
            finalizersError = nil
        case .failure(let f)?:
            finalizersError = f.message
        case nil:
            break
        }
    }

    /// Head blocks per second over the last samples (nil with fewer than two).
    public var blocksPerSecond: Double? {
        guard let first = history.first, let last = history.last, last.at > first.at else { return nil }
        return Double(Int64(last.head) - Int64(first.head)) * 1000 / Double(last.at - first.at)
    }

    /// True when LIB moved within the rate window.
    public var libAdvances: Bool? {
        guard let first = history.first, let last = history.last, last.at > first.at else { return nil }
        return last.lib > first.lib
    }

    /// Milliseconds since the last answer (or since the watch started, when none came).
    public func silentFor(now: Int64, startedAt: Int64?) -> Int64? {
        guard lastAnswer != now else { return nil }
        return now - (lastAnswer ?? startedAt ?? now)
    }
}
