import FinalityEngine
import FinalityFormat
import Foundation

/// A Spring node's answers for the watch, made from a few numbers: block `n`'s id starts
/// with `n` big-endian (then a fill byte, so a fork's block differs), one block per slot.
/// Shared by the engine, interface, CLI and tmux tests (with TestHTTPServer.swift).
public enum FakeAnswers {
    public struct Vote: Sendable {
        public var key: BLSPublicKey
        public var block: UInt32
        public var slot: UInt32
        public var strong: Bool

        public init(key: BLSPublicKey, block: UInt32, slot: UInt32, strong: Bool) {
            self.key = key
            self.block = block
            self.slot = slot
            self.strong = strong
        }
    }

    public static let chainID = String(repeating: "7e", count: 32)

    /// Block `n`'s id, as the engine tests' (`Fixture.id`).
    public static func id(_ n: UInt32, fill: UInt8 = 0xAB) -> Bytes32 { Fixture.id(n, fill: fill) }

    /// `2026-11-30T09:03:14.500`: as nodeos prints it, UTC without a zone.
    public static func time(_ slot: UInt32) -> String { String(BlockTimestamp(slot: slot).iso8601.dropLast()) }

    public static func nowSlot() -> UInt32 { BlockTimestamp(date: Date())!.slot }

    public static func getInfo(head: UInt32, headSlot: UInt32, lib: UInt32, libSlot: UInt32, chainID: String = chainID) -> String {
        """
        {"server_version":"d133c641","chain_id":"\(chainID)","head_block_num":\(head),"last_irreversible_block_num":\(lib),\
        "last_irreversible_block_id":"\(id(lib).hex)","head_block_id":"\(id(head).hex)","head_block_time":"\(time(headSlot))",\
        "head_block_producer":"bp1","virtual_block_cpu_limit":200000000,"virtual_block_net_limit":1048576000,\
        "block_cpu_limit":200000,"block_net_limit":1048576,"server_version_string":"v1.1.2",\
        "fork_db_head_block_num":\(head),"fork_db_head_block_id":"\(id(head).hex)",\
        "server_full_version_string":"v1.1.2-d133c6413ce8ce2e96096a0513ec25b4a8dbe837","total_cpu_weight":"140010000000",\
        "total_net_weight":"140010000000","earliest_available_block_num":1,"last_irreversible_block_time":"\(time(libSlot))"}
        """
    }

    public static func finalizerInfo(_ votes: [Vote], policy: [BLSPublicKey]? = nil) -> String {
        let finalizers = (policy ?? votes.map(\.key)).enumerated().map { i, k in
            #"{"description":"bp\#(i)","weight":1,"public_key":"\#(k.text)"}"#
        }.joined(separator: ",")
        let tracked = votes.map { v in
            """
            {"description":"bp","public_key":"\(v.key.text)","is_vote_strong":\(v.strong),"finalizer_policy_generation":3,\
            "voted_for_block_id":"\(id(v.block).hex)","voted_for_block_num":\(v.block),"voted_for_block_timestamp":"\(time(v.slot))"}
            """
        }.joined(separator: ",")
        return """
            {"active_finalizer_policy":{"generation":3,"threshold":2,"finalizers":[\(finalizers)]},\
            "pending_finalizer_policy":null,"last_tracked_votes":[\(tracked)]}
            """
    }

    public static func blockInfo(_ n: UInt32, slot: UInt32, fill: UInt8 = 0xAB) -> String {
        """
        {"block_num":\(n),"ref_block_num":\(n & 0xffff),"id":"\(id(n, fill: fill).hex)","timestamp":"\(time(slot))",\
        "producer":"bp1","confirmed":0,"previous":"\(id(n - 1, fill: fill).hex)","transaction_mroot":"\(String(repeating: "0", count: 64))",\
        "action_mroot":"\(String(repeating: "0", count: 64))","schedule_version":2,"producer_signature":"SIG_K1_x","ref_block_prefix":1234}
        """
    }
}

/// A node API on 127.0.0.1 whose chain the test moves.
public final class FakeNode: @unchecked Sendable {
    public let server: TestHTTPServer
    public var url: String { server.baseURL }

    public init() { server = TestHTTPServer([:]) }

    /// `chainID`: the chain the node says it is on (the blocks.log of the data dir under
    /// test names its own: a change refuses LIB sources on different chains).
    public func set(
        head: UInt32, headSlot: UInt32, lib: UInt32, libSlot: UInt32, votes: [FakeAnswers.Vote], policy: [BLSPublicKey]? = nil,
        chainID: String = FakeAnswers.chainID
    ) {
        server.route(
            "/v1/chain/get_info",
            .respond(status: 200, body: FakeAnswers.getInfo(head: head, headSlot: headSlot, lib: lib, libSlot: libSlot, chainID: chainID)))
        server.route("/v1/chain/get_finalizer_info", .respond(status: 200, body: FakeAnswers.finalizerInfo(votes, policy: policy), chunked: true))
    }

    /// Every API path behaves the same way (stops answering, answers garbage, ...).
    public func all(_ b: TestHTTPServer.Behavior) {
        for p in ["/v1/chain/get_info", "/v1/chain/get_finalizer_info", "/v1/chain/get_block_info"] { server.route(p, b) }
    }

    public func stop() { server.stop() }
}

// MARK: - The network's view (issue 23): policies with descriptions and unequal weights

extension FakeAnswers {
    /// One finalizer of a policy: its description as the node sends it (any text: the JSON
    /// quotes it), its weight and key.
    public struct Finalizer: Sendable {
        public var description: String
        public var weight: UInt64
        public var key: BLSPublicKey

        public init(description: String, weight: UInt64, key: BLSPublicKey) {
            self.description = description
            self.weight = weight
            self.key = key
        }
    }

    public struct Policy: Sendable {
        public var generation: UInt32
        public var threshold: UInt64
        public var finalizers: [Finalizer]

        public init(generation: UInt32, threshold: UInt64, finalizers: [Finalizer]) {
            self.generation = generation
            self.threshold = threshold
            self.finalizers = finalizers
        }

        public var totalWeight: UInt64 { finalizers.reduce(0) { $0 + $1.weight } }

        /// `count` finalizers `bp.0`, `bp.1`… (or the given names) with these weights (1 each
        /// by default) and keys `networkKey(offset + i)`; threshold: more than two thirds of
        /// the total weight (as system contracts set it), unless given.
        public static func make(
            _ count: Int, names: [String]? = nil, weights: [UInt64]? = nil, generation: UInt32 = 1, threshold: UInt64? = nil,
            keyOffset: Int = 0
        ) -> Policy {
            let fs = (0..<count).map { i in
                Finalizer(description: names?[i] ?? "bp.\(i)", weight: weights?[i] ?? 1, key: networkKey(keyOffset + i))
            }
            let total = fs.reduce(0) { $0 + $1.weight }
            return Policy(generation: generation, threshold: threshold ?? (total * 2 / 3 + 1), finalizers: fs)
        }
    }

    /// A distinct key per index (up to 65,535): its first two bytes are the index.
    public static func networkKey(_ i: Int) -> BLSPublicKey {
        var bytes = (0..<96).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 0x5A) }
        bytes[0] = UInt8(truncatingIfNeeded: i >> 8)
        bytes[1] = UInt8(truncatingIfNeeded: i)
        return BLSPublicKey(bytes: bytes)
    }

    static func policyJSON(_ p: Policy?) -> String {
        guard let p else { return "null" }
        var out = "{\"generation\":\(p.generation),\"threshold\":\(p.threshold),\"finalizers\":["
        for (i, f) in p.finalizers.enumerated() {
            if i > 0 { out += "," }
            out += "{\"description\":"
            JSON.quote(f.description, into: &out)
            out += ",\"weight\":\(f.weight),\"public_key\":\"\(f.key.text)\"}"
        }
        return out + "]}"
    }

    /// `get_finalizer_info` with these policies; `votes` are the last tracked votes (each
    /// vote's description is its finalizer's, as spring takes it from the policy).
    public static func finalizerInfo(active: Policy, pending: Policy? = nil, votes: [Vote]) -> String {
        let names = Dictionary(
            ((pending?.finalizers ?? []) + active.finalizers).map { ($0.key, $0.description) }, uniquingKeysWith: { _, b in b })
        var out = "{\"active_finalizer_policy\":\(policyJSON(active)),\"pending_finalizer_policy\":\(policyJSON(pending)),\"last_tracked_votes\":["
        for (i, v) in votes.enumerated() {
            if i > 0 { out += "," }
            out += "{\"description\":"
            JSON.quote(names[v.key] ?? "", into: &out)
            out += """
                ,"public_key":"\(v.key.text)","is_vote_strong":\(v.strong),"finalizer_policy_generation":\(active.generation),\
                "voted_for_block_id":"\(id(v.block).hex)","voted_for_block_num":\(v.block),"voted_for_block_timestamp":"\(time(v.slot))"}
                """
        }
        return out + "]}"
    }
}

extension FakeNode {
    /// A Savanna chain at `head` (one block per slot from `headSlot` down) whose LIB is
    /// `lib`; `voting` finalizers (keys) voted for `voteBlock` (head by default), `weak` of
    /// them weakly; the others' last vote is `staleBlock` (nil: never seen).
    public func setNetwork(
        head: UInt32, headSlot: UInt32, lib: UInt32, active: FakeAnswers.Policy, pending: FakeAnswers.Policy? = nil,
        voting: Set<BLSPublicKey>, weak: Set<BLSPublicKey> = [], voteBlock: UInt32? = nil, staleBlock: UInt32? = nil,
        chainID: String = FakeAnswers.chainID
    ) {
        let libSlot = headSlot - (head - lib)
        let everyone = active.finalizers.map(\.key) + (pending?.finalizers.map(\.key) ?? []).filter { k in !active.finalizers.contains { $0.key == k } }
        var votes = [FakeAnswers.Vote]()
        for k in everyone {
            if voting.contains(k) {
                let b = voteBlock ?? head
                votes.append(.init(key: k, block: b, slot: headSlot - (head - b), strong: !weak.contains(k)))
            } else if let s = staleBlock {
                votes.append(.init(key: k, block: s, slot: headSlot - (head - s), strong: true))
            }
        }
        server.route(
            "/v1/chain/get_info",
            .respond(status: 200, body: FakeAnswers.getInfo(head: head, headSlot: headSlot, lib: lib, libSlot: libSlot, chainID: chainID)))
        server.route(
            "/v1/chain/get_finalizer_info",
            .respond(status: 200, body: FakeAnswers.finalizerInfo(active: active, pending: pending, votes: votes), chunked: true))
    }
}
