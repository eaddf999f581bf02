import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityTestSupport
import Testing

/// Issue 19, item 3, on screen: the Watch screen stays on the chain of the data dir's
/// blocks.log (as the LIB screen read it); a node on another chain is flagged, and the
/// vote it reports is not "voting again".
@Suite("Watch screen: one chain")
struct WatchChainScreenTests {
    static let logChain = Bytes32([UInt8](repeating: 0x7e, count: 32))

    static func sample(at ms: Int64, head: UInt32, votes: [FakeAnswers.Vote], chainID: String) throws -> WatchSample {
        let base = WatchScreenTests.base
        let info = try NodeAPI.parseInfo(
            Array(FakeAnswers.getInfo(head: head, headSlot: base + head, lib: head - 2, libSlot: base + head - 2, chainID: chainID).utf8), url: "u")
        let fin = try NodeAPI.parseFinalizerInfo(Array(FakeAnswers.finalizerInfo(votes).utf8), url: "u")
        return WatchSample(
            unixMilliseconds: ms, nodes: [NodeSample(url: "http://127.0.0.1:8888", info: .success(info), finalizers: .success(fin))],
            file: .read(ScreenFixture.savannaFile(), tries: 1))
    }

    @Test("W takes the chain from the blocks.log reading; a node then on another chain is OFF CHAIN and its vote does not count")
    func offChainOnScreen() throws {
        var s = ScreenFixture.state(size: Size(columns: 120, rows: 40))
        var lib = ScreenFixture.lib
        lib.chainID = Self.logChain
        _ = Core.update(&s, .libRead([LIBAnswer(request: .blocksDir("/srv/node/data/blocks"), result: .success(lib))]))
        s.lib.askAPI = true  // given (--api URL)
        press(&s, c("j"))
        let effects = press(&s, c("W"))
        guard case .startWatch(let config)? = effects.first else {
            Issue.record("W did not start a watch: \(effects)")
            return
        }
        #expect(config.chain == WatchChain(id: Self.logChain, source: "blocks.log /srv/node/data/blocks/blocks.log"))
        let key = ScreenFixture.key(2)
        let base = WatchScreenTests.base
        let old = FakeAnswers.Vote(key: key, block: 900, slot: base + 900, strong: true)
        let chain = Self.logChain.hex
        _ = Core.update(&s, .watchPolled([try Self.sample(at: WatchScreenTests.ms(1000), head: 1000, votes: [old], chainID: chain)], now: WatchScreenTests.ms(1000)))
        let foreign = FakeAnswers.Vote(key: key, block: 1003, slot: base + 1003, strong: true)
        let other = String(repeating: "11", count: 32)
        _ = Core.update(
            &s, .watchPolled([try Self.sample(at: WatchScreenTests.ms(1004), head: 1004, votes: [foreign], chainID: other)], now: WatchScreenTests.ms(1004)))
        let g = Render.render(s)
        let text = g.text
        #expect(text.contains("OFF CHAIN: chain id 1111111111111111…, not 7e7e7e7e7e7e7e7e… (blocks.log"), "\(text)")
        #expect(text.contains("not counted: every node API left the chain"), "\(text)")
        #expect(!text.contains("voting again"), "\(text)")
        // Drawn as danger.
        let row = try #require((0..<g.size.rows).first { g.text(row: $0).contains("OFF CHAIN") })
        let column = try #require(Array(g.text(row: row)).firstIndex(of: "O"))
        #expect(g[row, column].style == .danger)
    }
}
