import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Issue 19, item 3: a watch stays on one chain. Every answer is checked against the
/// chain of the data dir's blocks.log, else the first answer; a node that answers on
/// another chain, or whose LIB goes backwards, is flagged (text and JSON) and nothing it
/// reports counts any more, so a vote on another chain is never "voting again".
@Suite("Watch: one chain", .serialized)
struct WatchOneChainTests {
    typealias W = WatchTests
    static let otherChain = String(repeating: "11", count: 32)

    static func json(_ state: WatchState) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(state.json.serialized().utf8)) as? [String: Any])
    }

    @Test("a node that moves to another chain mid-run is flagged; the vote it then reports is not a new vote, even after it comes back")
    func changesChain() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = W.file(lastVote: W.first + 100, lock: W.first + 99)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let old = W.vote(W.first + 100, strong: true)
        for head in [W.first + 200, W.first + 202] {
            node.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [old])
            W.refresh(&state, at: head)
        }
        #expect(state.nodes[0].trusted)
        #expect(state.chain?.source == "the first answer, from \(node.url)")
        // The node now answers for another chain, where the key "voted" on a newer block.
        let head = W.first + 204
        let foreign = W.vote(head - 1, strong: true)
        node.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [foreign], chainID: Self.otherChain)
        W.refresh(&state, at: head)
        let k = try #require(state.keys.first)
        #expect(k.firstNewVote == nil)
        #expect(!state.verdict(k).sawNewVote)
        #expect(state.verdict(k).kind == "no-node-on-chain")
        #expect(state.verdict(k).text.hasPrefix("not counted: every node API left the chain (chain id 1111111111111111…, not 7e7e7e7e7e7e7e7e…"))
        #expect(state.noTrustedNode)
        let lines = state.lines()
        #expect(lines.contains("  OFF CHAIN: chain id 1111111111111111…, not 7e7e7e7e7e7e7e7e… (the first answer, from \(node.url)): its votes and head no longer count"), "\(lines)")
        #expect(lines.contains("Chain \(FakeAnswers.chainID) (the first answer, from \(node.url))"), "\(lines)")
        let node0 = try #require((try Self.json(state)["nodes"] as? [[String: Any]])?.first)
        #expect((node0["off_chain"] as? [String: Any])?["kind"] as? String == "other-chain")
        #expect(node0["chain_id"] as? String == Self.otherChain)
        // Back on the first chain, with a newer vote: the node is not trusted again.
        let later = W.first + 210
        node.set(head: later, headSlot: W.slot(later), lib: later - 2, libSlot: W.slot(later - 2), votes: [W.vote(later - 1, strong: true)])
        W.refresh(&state, at: later)
        #expect(state.keys[0].firstNewVote == nil)
        #expect(state.verdict(state.keys[0]).kind == "no-node-on-chain")
    }

    @Test("a LIB that goes backwards flags that node; a second node on the chain still counts, and its vote is the new vote")
    func libBackwards() throws {
        let node = FakeNode(), peer = FakeNode()
        defer { node.stop(); peer.stop() }
        let f = W.file(lastVote: W.first + 100, lock: W.first + 99)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url, peer.url]))
        let old = W.vote(W.first + 100, strong: true)
        var head = W.first + 300
        for n in [node, peer] { n.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [old]) }
        W.refresh(&state, at: head)
        head += 2
        // The first node's LIB is now 40 blocks lower; it reports a newer vote too.
        node.set(head: head, headSlot: W.slot(head), lib: head - 42, libSlot: W.slot(head - 42), votes: [W.vote(head - 1, strong: false)])
        peer.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [old])
        W.refresh(&state, at: head)
        #expect(state.nodes[0].offChain == .libBackwards(from: W.first + 298, to: W.first + 260))
        #expect(state.nodes[1].trusted)
        #expect(state.keys[0].firstNewVote == nil, "the flagged node's vote counted")
        #expect(state.lines().contains("  OFF CHAIN: LIB went back from #400,000,298 to #400,000,260: its votes and head no longer count"), "\(state.lines())")
        // The peer, on the chain, reports the key's new vote: that one counts.
        head += 2
        peer.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [W.vote(head - 1, strong: true)])
        W.refresh(&state, at: head)
        let k = try #require(state.keys.first)
        #expect(state.verdict(k).sawNewVote)
        #expect(k.firstNewVote?.vote.url == peer.url)
        let nodes = try #require(try Self.json(state)["nodes"] as? [[String: Any]])
        #expect((nodes[0]["off_chain"] as? [String: Any])?["kind"] as? String == "lib-backwards")
        #expect(nodes[1]["off_chain"] is NSNull)
    }

    @Test("with the data dir's blocks.log, a node on another chain from its first answer is flagged at once")
    func blocksLogChain() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = W.file(lastVote: W.first + 100, lock: W.first + 99)
        defer { f.remove() }
        let logChain = WatchChain(id: Bytes32([UInt8](repeating: 0x22, count: 32)), source: "blocks.log /srv/node/data/blocks/blocks.log")
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url], chain: logChain))
        let head = W.first + 400
        node.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [W.vote(head - 1, strong: true)])
        W.refresh(&state, at: head)
        #expect(state.nodes[0].offChain == .otherChain(found: try #require(Bytes32(hex: FakeAnswers.chainID)), expected: logChain))
        #expect(state.verdict(state.keys[0]).kind == "no-node-on-chain")
        #expect(state.keys[0].baselineTaken == false, "an answer from another chain was taken as the baseline")
        let chain = try #require(try Self.json(state)["chain"] as? [String: Any])
        #expect(chain["chain_id"] as? String == String(repeating: "22", count: 32))
        #expect(chain["from"] as? String == "blocks.log /srv/node/data/blocks/blocks.log")
        // WatchChain.blocksLog reads a data dir's blocks.log; a dir without one gives none.
        #expect(WatchChain.blocksLog(dataDir: (f.path as NSString).deletingLastPathComponent) == nil)
    }

    @Test("LIB at the same height but another block: flagged (an irreversible block was replaced)")
    func libReplaced() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = W.file(lastVote: W.first + 100, lock: W.first + 99)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let head = W.first + 500
        node.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [])
        W.refresh(&state, at: head)
        // Same LIB number, another id (a fork's block: the fill byte differs).
        let info = FakeAnswers.getInfo(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2))
            .replacingOccurrences(of: FakeAnswers.id(head - 2).hex, with: FakeAnswers.id(head - 2, fill: 0xCD).hex)
        node.server.route("/v1/chain/get_info", .respond(status: 200, body: info))
        W.refresh(&state, at: head + 1)
        #expect(state.nodes[0].offChain?.kind == "lib-replaced")
    }
}
