import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Shared scenario pieces: a chain whose LIB block is at 09:03:14 UTC, policies of 4 and 21
/// finalizers with unequal weights.
enum NetworkScenario {
    /// The slot of 2026-11-30T09:03:14.000 UTC.
    static let t0: UInt32 = BlockTimestamp(iso8601: "2026-11-30T09:03:14.000")!.slot

    /// bp.a 4, bp.b 3, bp.c 2, bp.d 1: total 10, threshold 7.
    static let four = FakeAnswers.Policy.make(4, names: ["bp.a", "bp.b", "bp.c", "bp.d"], weights: [4, 3, 2, 1], generation: 3)

    static let greek = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
        "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    ].map { "bp." + $0 }
    /// alpha 2, beta 2, gamma 2, delta 3, the other 17: 1. Total 26, threshold 18.
    static let twentyOne = FakeAnswers.Policy.make(
        21, names: greek, weights: [2, 2, 2, 3] + Array(repeating: 1, count: 17), generation: 7)
    /// More than a third of the weight (9 of 26): delta 3, alpha 2, beta 2, kappa 1, lambda 1.
    static let stopping: Set<BLSPublicKey> = Set(["bp.delta", "bp.alpha", "bp.beta", "bp.kappa", "bp.lambda"].map(key))

    static func key(_ name: String) -> BLSPublicKey {
        (four.finalizers + twentyOne.finalizers).first { $0.description == name }!.key
    }

    static func keys(_ p: FakeAnswers.Policy) -> Set<BLSPublicKey> { Set(p.finalizers.map(\.key)) }

    /// One API's answers without HTTP (the parsers are the command's).
    static func answer(
        url: String = "http://node-a:8888", head: UInt32, headSlot: UInt32, lib: UInt32, active: FakeAnswers.Policy,
        pending: FakeAnswers.Policy? = nil, votes: [FakeAnswers.Vote], chainID: String = FakeAnswers.chainID
    ) throws -> NetworkAnswer {
        let info = try NodeAPI.parseInfo(
            Array(FakeAnswers.getInfo(head: head, headSlot: headSlot, lib: lib, libSlot: headSlot - (head - lib), chainID: chainID).utf8),
            url: url)
        var f = try NodeAPI.parseFinalizerInfo(Array(FakeAnswers.finalizerInfo(active: active, pending: pending, votes: votes).utf8), url: url)
        f.source = .api(url: url)
        return NetworkAnswer(url: url, info: info, finalizers: f)
    }

    /// A vote for `block` by each key (its slot: one block per slot below `headSlot`).
    static func votes(_ keys: [BLSPublicKey], block: UInt32, head: UInt32, headSlot: UInt32, strong: Bool = true) -> [FakeAnswers.Vote] {
        keys.map { .init(key: $0, block: block, slot: headSlot - (head - block), strong: strong) }
    }

    /// The sample time: half a second after the head block.
    static func now(_ headSlot: UInt32) -> Int64 { BlockTimestamp(slot: headSlot).unixMilliseconds + 500 }
}

@Suite("The network's view: who votes, how much weight is missing (issue 23)")
struct NetworkViewTests {
    typealias S = NetworkScenario

    func refresh(_ apis: [String], keys: [BLSPublicKey]? = nil, timeout: Double = 2, now: Int64) throws -> NetworkView {
        try NetworkSampler.refresh(apis: apis, configuredKeys: keys, apiTimeout: timeout, clock: { now })
    }

    @Test("a policy of 4 with unequal weights, everyone voting strong: LIB advances, weights summed, not counted")
    func fourAdvancing() throws {
        let node = FakeNode()
        defer { node.stop() }
        let headSlot = S.t0 + 2
        node.setNetwork(head: 1000, headSlot: headSlot, lib: 998, active: S.four, voting: S.keys(S.four))
        let v = try refresh([node.url], now: S.now(headSlot))
        #expect(v.verdict.sentence == "LIB advances: strong votes 10 of 10, threshold 7")
        #expect(v.verdict.kind == .advancing)
        let p = try #require(v.active)
        #expect(p.generation == 3)
        #expect(p.totals.threshold == 7 && p.totals.totalWeight == 10 && p.totals.finalizerCount == 4)
        #expect(p.finalizers.map(\.description) == ["bp.a", "bp.b", "bp.c", "bp.d"])
        #expect(p.finalizers.map(\.weight) == [4, 3, 2, 1])
        #expect(p.finalizers.allSatisfy { $0.status == .voting && $0.lastVote?.blockNumber == 1000 && $0.lastVote?.isStrong == true })
        #expect(v.pending == nil)
    }

    @Test("weak votes count for a weak QC only: the verdict says how much weight must vote strong")
    func weakOnly() throws {
        let headSlot = S.t0 + 2
        let a = try S.answer(
            head: 1000, headSlot: headSlot, lib: 998, active: S.four,
            votes: S.votes([S.key("bp.a")], block: 1000, head: 1000, headSlot: headSlot, strong: false)
                + S.votes([S.key("bp.b"), S.key("bp.c"), S.key("bp.d")], block: 1000, head: 1000, headSlot: headSlot))
        let v = try NetworkView.build([a], configuredKeys: nil, unixMilliseconds: S.now(headSlot))
        let t = try #require(v.active?.totals)
        #expect(t.strongWeight == 6 && t.weakWeight == 4)
        #expect(!t.strongQuorum && t.weakQuorum)
        #expect(v.verdict.kind == .atRisk)
        #expect(v.verdict.sentence == "LIB about to stall: strong votes 6, weak votes 4, threshold 7: 1 more weight must vote strong (weak QCs still form: blocks are not final)")
    }

    @Test("a policy of 21: finalizers holding more than a third of the weight stop, LIB stops, the verdict names them heaviest first; they come back and LIB catches up")
    func twentyOneStallAndRecovery() throws {
        let node = FakeNode()
        defer { node.stop() }
        let all = S.keys(S.twentyOne)
        // Healthy.
        var headSlot = S.t0 + 2
        node.setNetwork(head: 1000, headSlot: headSlot, lib: 998, active: S.twentyOne, voting: all)
        var v = try refresh([node.url], now: S.now(headSlot))
        #expect(v.verdict.sentence == "LIB advances: strong votes 26 of 26, threshold 18")
        // 9 of 26 stop at block 1,000; LIB stays at 1,000 (its block at 09:03:14) while head goes on.
        headSlot = S.t0 + 100
        node.setNetwork(
            head: 1100, headSlot: headSlot, lib: 1000, active: S.twentyOne, voting: all.subtracting(S.stopping), staleBlock: 1000)
        v = try refresh([node.url], now: S.now(headSlot))
        #expect(v.libStalled)
        #expect(v.verdict.kind == .stalled)
        #expect(
            v.verdict.sentence
                == "LIB stalled since 09:03:14: strong votes 17, threshold 18: 1 more weight must vote; not voting: bp.delta (3), bp.alpha (2), bp.beta (2), bp.kappa (1), bp.lambda (1)")
        #expect(v.verdict.stalledSince == BlockTimestamp(slot: S.t0))
        let p = try #require(v.active)
        #expect(p.notVoting.map(\.description) == ["bp.delta", "bp.alpha", "bp.beta", "bp.kappa", "bp.lambda"])
        #expect(p.finalizers.first { $0.description == "bp.delta" }?.status == .behind)
        #expect(p.finalizers.first { $0.description == "bp.delta" }?.lastVote?.blocksBehindHead == 100)
        // They come back: head moved on, LIB has not caught up yet.
        headSlot = S.t0 + 110
        node.setNetwork(head: 1110, headSlot: headSlot, lib: 1000, active: S.twentyOne, voting: all)
        v = try refresh([node.url], now: S.now(headSlot))
        #expect(v.verdict.kind == .recovering)
        #expect(v.verdict.sentence == "LIB stalled since 09:03:14, recovering: strong votes 26 of 26, threshold 18: LIB should catch up")
        // LIB caught up.
        headSlot = S.t0 + 112
        node.setNetwork(head: 1112, headSlot: headSlot, lib: 1110, active: S.twentyOne, voting: all)
        v = try refresh([node.url], now: S.now(headSlot))
        #expect(v.verdict.sentence == "LIB advances: strong votes 26 of 26, threshold 18")
    }

    @Test("more than 8 finalizers missing: the list is cut with …")
    func longMissingList() throws {
        let headSlot = S.t0 + 100
        let voting = Array(S.twentyOne.finalizers.map(\.key).prefix(11))
        let a = try S.answer(
            head: 1100, headSlot: headSlot, lib: 1000, active: S.twentyOne,
            votes: S.votes(voting, block: 1100, head: 1100, headSlot: headSlot))
        let v = try NetworkView.build([a], configuredKeys: nil, unixMilliseconds: S.now(headSlot))
        #expect(v.verdict.sentence.hasSuffix(", bp.sigma (1), bp.tau (1), …"))
        #expect(v.verdict.sentence.hasPrefix("LIB stalled since 09:03:14: strong votes 16, threshold 18: 2 more weight must vote; not voting: bp.mu (1), bp.nu (1)"))
        // Never seen: no vote tracked at all.
        #expect(v.active!.finalizers.last!.status == .notSeen)
        #expect(v.active!.finalizers.last!.lastVote == nil)
    }

    @Test("status: a last vote exactly --behind-blocks behind head is voting, one block more is behind")
    func behindBoundary() throws {
        let headSlot = S.t0 + 50
        let a = try S.answer(
            head: 1050, headSlot: headSlot, lib: 1048, active: S.four,
            votes: S.votes([S.key("bp.a"), S.key("bp.b")], block: 1038, head: 1050, headSlot: headSlot)
                + S.votes([S.key("bp.c")], block: 1037, head: 1050, headSlot: headSlot))
        let v = try NetworkView.build([a], configuredKeys: nil, options: .init(behindBlocks: 12), unixMilliseconds: S.now(headSlot))
        #expect(v.active!.finalizers.map(\.status) == [.voting, .voting, .behind, .notSeen])
        #expect(v.active!.totals.strongWeight == 7)
        let strict = try NetworkView.build([a], configuredKeys: nil, options: .init(behindBlocks: 5), unixMilliseconds: S.now(headSlot))
        #expect(strict.active!.finalizers.map(\.status) == [.behind, .behind, .behind, .notSeen])
    }

    @Test("a pending policy is shown with its own totals, and the verdict says when it lacks weight; then it becomes active")
    func pendingBecomesActive() throws {
        let node = FakeNode()
        defer { node.stop() }
        var next = FakeAnswers.Policy.make(5, names: ["bp.a", "bp.b", "bp.c", "bp.d", "bp.e"], weights: [4, 3, 2, 1, 6], generation: 4)
        for i in 0..<4 { next.finalizers[i].key = S.four.finalizers[i].key }
        var headSlot = S.t0 + 2
        node.setNetwork(head: 1000, headSlot: headSlot, lib: 998, active: S.four, pending: next, voting: S.keys(S.four))
        var v = try refresh([node.url], now: S.now(headSlot))
        let pending = try #require(v.pending)
        #expect(pending.generation == 4 && pending.totals.totalWeight == 16 && pending.totals.threshold == 11)
        #expect(pending.totals.strongWeight == 10)
        #expect(pending.finalizers.last?.status == .notSeen)
        #expect(
            v.verdict.sentence
                == "LIB advances: strong votes 10 of 10, threshold 7; pending policy (generation 4): strong votes 10, threshold 11: 1 more weight must vote")
        #expect(NetworkText.lines(v).contains("pending policy: generation 4, threshold 11, 5 finalizers, total weight 16"))
        // Generation 4 becomes active; bp.e votes.
        headSlot = S.t0 + 4
        node.setNetwork(head: 1002, headSlot: headSlot, lib: 1000, active: next, voting: S.keys(next))
        v = try refresh([node.url], now: S.now(headSlot))
        #expect(v.pending == nil)
        #expect(v.active?.generation == 4)
        #expect(v.verdict.sentence == "LIB advances: strong votes 16 of 16, threshold 11")
    }

    @Test("an API on another chain is refused, naming both URLs and both chain ids")
    func otherChain() throws {
        let a = FakeNode(), b = FakeNode()
        defer { a.stop(); b.stop() }
        let headSlot = S.t0 + 2
        let other = String(repeating: "11", count: 32)
        a.setNetwork(head: 1000, headSlot: headSlot, lib: 998, active: S.four, voting: S.keys(S.four))
        b.setNetwork(head: 1000, headSlot: headSlot, lib: 998, active: S.four, voting: S.keys(S.four), chainID: other)
        #expect {
            try refresh([a.url, b.url], now: S.now(headSlot))
        } throws: { e in
            guard let e = e as? EngineError, case .refused = e else { return false }
            return e.description.contains(a.url) && e.description.contains(b.url) && e.description.contains(other)
                && e.description.contains(FakeAnswers.chainID) && e.status == .invalidOrRefused
        }
    }

    @Test("the APIs disagree on LIB and on a finalizer's last vote: both shown; the newest vote counts")
    func disagreement() throws {
        let headSlot = S.t0 + 2
        let a = try S.answer(
            url: "http://a:8888", head: 1000, headSlot: headSlot, lib: 998, active: S.four,
            votes: S.votes(Array(S.keys(S.four)), block: 1000, head: 1000, headSlot: headSlot))
        let b = try S.answer(
            url: "http://b:8888", head: 1000, headSlot: headSlot, lib: 996, active: S.four,
            votes: S.votes(Array(S.keys(S.four).subtracting([S.key("bp.b")])), block: 1000, head: 1000, headSlot: headSlot)
                + S.votes([S.key("bp.b")], block: 990, head: 1000, headSlot: headSlot))
        let v = try NetworkView.build([a, b], configuredKeys: nil, unixMilliseconds: S.now(headSlot))
        #expect(v.disagreements.contains("LIB: http://a:8888 says block 998, http://b:8888 says block 996"))
        #expect(v.disagreements.contains("last vote of bp.b: http://a:8888: block 1,000 strong; http://b:8888: block 990 strong"))
        let bpb = try #require(v.active?.finalizers.first { $0.description == "bp.b" })
        #expect(bpb.lastVote?.blockNumber == 1000 && bpb.lastVote?.url == "http://a:8888" && bpb.status == .voting)
        #expect(v.active!.finalizers.filter { $0.disagreement != nil }.count == 1)
        #expect(NetworkText.lines(v).contains("the node APIs disagree:"))
    }

    @Test("an API that stops answering: alone, a clear I/O error within the timeout; beside one that answers, listed as not answering")
    func stopsAnswering() throws {
        let good = FakeNode(), dead = FakeNode()
        defer { good.stop(); dead.stop() }
        let headSlot = S.t0 + 2
        good.setNetwork(head: 1000, headSlot: headSlot, lib: 998, active: S.four, voting: S.keys(S.four))
        dead.all(.silent)
        let start = Date()
        #expect {
            try refresh([dead.url], timeout: 0.5, now: S.now(headSlot))
        } throws: { e in
            guard let e = e as? EngineError else { return false }
            return e.status == .io && e.description.contains(dead.url)
        }
        let v = try refresh([good.url, dead.url], timeout: 0.5, now: S.now(headSlot))
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(v.unanswered.map(\.url) == [dead.url])
        #expect(v.nodes.map(\.url) == [good.url])
        #expect(v.verdict.kind == .advancing)
        #expect(NetworkText.lines(v).contains { $0.contains("\(dead.url): NOT ANSWERING") })
    }

    @Test("this node's configured keys are marked, in the rows, the text and the JSON")
    func thisNode() throws {
        let headSlot = S.t0 + 2
        let a = try S.answer(
            head: 1000, headSlot: headSlot, lib: 998, active: S.four,
            votes: S.votes([S.key("bp.a"), S.key("bp.b"), S.key("bp.c")], block: 1000, head: 1000, headSlot: headSlot))
        let outside = FakeAnswers.networkKey(9_999)
        let v = try NetworkView.build([a], configuredKeys: [S.key("bp.d"), outside], unixMilliseconds: S.now(headSlot))
        #expect(v.active!.finalizers.map(\.isThisNode) == [false, false, false, true])
        #expect(v.configuredKeysOutsidePolicy == [outside.text])
        let lines = NetworkText.lines(v)
        #expect(lines.contains { $0.contains("bp.d") && $0.hasSuffix("← this node") && $0.contains("not seen") })
        #expect(lines.contains("this node's keys in the active policy: 1 (bp.d: not seen)"))
        #expect(NetworkText.json(v).serialized().contains("\"this_node\":true"))
        let unknown = try NetworkView.build([a], configuredKeys: nil, unixMilliseconds: S.now(headSlot))
        #expect(NetworkText.lines(unknown).contains("this node's keys: not known (no config.ini found; --config-dir DIR)"))
    }

    @Test("sort by weight, last vote and status")
    func sorting() throws {
        let headSlot = S.t0 + 50
        let a = try S.answer(
            head: 1050, headSlot: headSlot, lib: 1048, active: S.four,
            votes: S.votes([S.key("bp.d")], block: 1050, head: 1050, headSlot: headSlot)
                + S.votes([S.key("bp.b")], block: 1049, head: 1050, headSlot: headSlot)
                + S.votes([S.key("bp.a")], block: 1000, head: 1050, headSlot: headSlot))
        let v = try NetworkView.build([a], configuredKeys: nil, unixMilliseconds: S.now(headSlot))
        #expect(v.rows(sortedBy: .weight).map(\.description) == ["bp.a", "bp.b", "bp.c", "bp.d"])
        #expect(v.rows(sortedBy: .lastVote).map(\.description) == ["bp.c", "bp.a", "bp.b", "bp.d"])
        #expect(v.rows(sortedBy: .status).map(\.description) == ["bp.c", "bp.a", "bp.b", "bp.d"])
        #expect(v.rows(sortedBy: .policy).map(\.description) == ["bp.a", "bp.b", "bp.c", "bp.d"])
    }

    static let hostile: [String] = [
        "\u{1B}]0;pwned\u{07}title", "\u{1B}[2J\u{1B}[Hclear", "quote\" back\\slash\nnew line\r\ttab", "\u{9B}31mC1 CSI",
        "\u{202E}txet desrever", "zero\u{200B}width\u{0}nul", String(repeating: "x", count: 10_000) + "\u{1B}[31m",
    ]

    static var hostilePolicy: FakeAnswers.Policy {
        FakeAnswers.Policy.make(hostile.count, names: hostile, generation: 2)
    }

    @Test("hostile descriptions (controls, escape sequences, 10 kB): nothing raw in the rows or the text, the JSON stays valid")
    func hostileDescriptions() throws {
        let node = FakeNode()
        defer { node.stop() }
        let headSlot = S.t0 + 2
        let p = Self.hostilePolicy
        node.setNetwork(head: 1000, headSlot: headSlot, lib: 998, active: p, voting: Set(p.finalizers.prefix(3).map(\.key)))
        let v = try refresh([node.url], now: S.now(headSlot))
        let rows = try #require(v.active?.finalizers)
        #expect(rows.count == Self.hostile.count)
        for r in rows {
            #expect(DisplayText.isSafe(r.description, limit: 200))
            #expect(r.description.count < 120)
        }
        for line in NetworkText.lines(v) + [v.verdict.sentence] {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) || $0 == "\u{202E}" })
            #expect(line.count < 700)
        }
        let json = NetworkText.json(v).serialized()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let finalizers = try #require((parsed["active_policy"] as? [String: Any])?["finalizers"] as? [[String: Any]])
        #expect(finalizers.count == Self.hostile.count)
    }

    @Test("1,000 finalizers: the text and the JSON hold every one of them")
    func thousandComplete() throws {
        let policy = FakeAnswers.Policy.make(1000, weights: (0..<1000).map { UInt64($0 % 7 + 1) })
        let headSlot = S.t0 + 2
        let a = try S.answer(
            head: 1000, headSlot: headSlot, lib: 998, active: policy,
            votes: S.votes(policy.finalizers.prefix(900).map(\.key), block: 1000, head: 1000, headSlot: headSlot))
        let v = try NetworkView.build([a], configuredKeys: nil, unixMilliseconds: S.now(headSlot))
        let lines = NetworkText.lines(v)
        let shown = Set(lines.compactMap { l in l.split(separator: " ").last.map(String.init) }.filter { $0.hasPrefix("bp.") })
        #expect(shown == Set((0..<1000).map { "bp.\($0)" }))
        let json = NetworkText.json(v).serialized()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let finalizers = try #require((parsed["active_policy"] as? [String: Any])?["finalizers"] as? [[String: Any]])
        #expect(Set(finalizers.compactMap { $0["public_key"] as? String }) == Set(policy.finalizers.map(\.key.text)))
        #expect(finalizers.filter { $0["status"] as? String == "not_seen" }.count == 100)
    }
}
