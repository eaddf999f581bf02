import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Issue 19, item 3, for scripts: `--until-vote` never exits 0 on a vote reported from
/// another chain; when every node API has left the chain it stops with exit 5 and says why.
@Suite("finality watch stays on one chain", .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct WatchChainCLITests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    typealias W = WatchCLITests
    static let otherChain = String(repeating: "11", count: 32)

    /// Waits until the node was asked for the votes `count` times (the watch took its baseline).
    static func waitForRequests(_ node: FakeNode, _ count: Int) -> Bool {
        for _ in 0..<400 {
            if node.server.requests.filter({ $0.path == "/v1/chain/get_finalizer_info" }).count >= count { return true }
            usleep(25_000)
        }
        return false
    }

    @Test("the node moves to another chain and reports the key's vote there: exit 5, not 0, with the reason; --json flags the node")
    func voteFromAnotherChain() throws {
        let (node, file, head, now) = W.setUp()
        defer { node.stop(); W.cleanUp(file) }
        let running = BuiltBinary.start([
            "watch", file, "--api", node.url, "--until-vote", W.key.text, "--timeout", "30", "--interval", "0.2", "--json",
        ])
        #expect(Self.waitForRequests(node, 2))
        let foreign = FakeAnswers.Vote(key: W.key, block: head + 1, slot: now + 1, strong: true)
        node.set(head: head + 2, headSlot: now + 2, lib: head, libSlot: now, votes: [foreign], chainID: Self.otherChain)
        let r = running.wait()
        #expect(r.status == 5, "\(r.stderr)")
        #expect(!r.stderr.contains("voting again"), "\(r.stderr)")
        #expect(
            r.stderr.contains("stopped waiting for a vote from PUB_BLS_") && r.stderr.contains("every node API left the chain: \(node.url): OFF CHAIN: chain id 1111111111111111…"),
            "\(r.stderr)")
        let last = try #require(r.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let n = try #require((object["nodes"] as? [[String: Any]])?.first)
        #expect((n["off_chain"] as? [String: Any])?["kind"] as? String == "other-chain")
        let k = try #require((object["keys"] as? [[String: Any]])?.first)
        #expect(k["new_vote"] as? Bool == false)
        #expect((k["verdict"] as? [String: Any])?["kind"] as? String == "no-node-on-chain")
    }

    @Test("text output: the node's OFF CHAIN line after LIB went backwards, and exit 5")
    func libBackwardsText() throws {
        let (node, file, head, now) = W.setUp()
        defer { node.stop(); W.cleanUp(file) }
        let running = BuiltBinary.start(["watch", file, "--api", node.url, "--until-vote", W.key.text, "--timeout", "30", "--interval", "0.2"])
        #expect(Self.waitForRequests(node, 2))
        let vote = FakeAnswers.Vote(key: W.key, block: head + 1, slot: now + 1, strong: true)
        node.set(head: head + 2, headSlot: now + 2, lib: head - 100, libSlot: now - 100, votes: [vote])
        let r = running.wait()
        #expect(r.status == 5, "\(r.stderr)")
        #expect(r.stdout.contains("  OFF CHAIN: LIB went back from #6,999,998 to #6,999,900: its votes and head no longer count"), "\(r.stdout)")
        #expect(!r.stdout.contains("voting again"), "\(r.stdout)")
    }

    @Test("a data dir's blocks.log names the chain: a node on another chain is off chain from its first answer (exit 5 at once)")
    func blocksLogChain() throws {
        let parent = try TemporaryPaths.directory("finality-watch-chain")
        let demo = BuiltBinary.run(["demo", "--print-only"], env: ["TMPDIR": parent])
        #expect(demo.status == 0, "\(demo.stderr)")
        let data = parent + "/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: parent).first)) + "/data"
        let node = FakeNode()
        defer { node.stop() }
        let now = FakeAnswers.nowSlot()
        node.set(head: 400_000_220, headSlot: now, lib: 400_000_200, libSlot: now - 20, votes: [])
        let started = Date()
        let r = BuiltBinary.run(["watch", data, "--api", node.url, "--until-vote", Fixture.key(11).text, "--timeout", "30", "--interval", "0.2"])
        #expect(r.status == 5, "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(r.stdout.contains("Chain ") && r.stdout.contains("(blocks.log \(data)/blocks/blocks.log)"), "\(r.stdout)")
        #expect(r.stdout.contains("  OFF CHAIN: chain id 7e7e7e7e7e7e7e7e…, not "), "\(r.stdout)")
    }
}
