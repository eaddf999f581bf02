import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// The Watch screen in the real binary, in tmux at 80x24, against a node API the test
/// serves on 127.0.0.1.
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct WatchTmuxTests {
    /// Under CI=true a missing tmux or binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: true) }

    /// The node's answers, timed now (a head behind the wall clock reads as catching up).
    /// `chainID`: the data dir's own chain (its blocks.log's), as a node of this node's network says.
    func answer(
        _ node: FakeNode, head: UInt32, vote: (block: UInt32, behind: UInt32, strong: Bool), key: BLSPublicKey,
        chainID: String = FakeAnswers.chainID
    ) {
        let now = FakeAnswers.nowSlot()
        node.set(
            head: head, headSlot: now, lib: head - 2, libSlot: now - 2,
            votes: [FakeAnswers.Vote(key: key, block: vote.block, slot: now - vote.behind, strong: vote.strong)], chainID: chainID)
    }

    @Test("from the wizard's result, W watches the key: silent, then voting again; a silent API never blocks keys")
    func watchFromWizardResult() throws {
        let t = Tmux()
        let (dir, file) = try WalkthroughTests().dataDir(t, fixture: "v1-five-entries.dat")
        let decoded = try SafetyFileReader.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))))
        let key = decoded.entries[2].key
        let node = FakeNode()
        defer { node.stop() }
        let head: UInt32 = 400_000_300
        // The node is on the data dir's chain: a change refuses LIB sources on different chains.
        let chain = try #require(LIBSources.fromBlocksDir(dir + "/blocks").chainID).hex
        answer(node, head: head, vote: (head - 100, 100, true), key: key, chainID: chain)

        try t.start(t.finality(dir))
        #expect(try t.waitFor("from blocks.log").ok)
        // The interface asks the node API the LIB screen names: point it at the test's node.
        try t.send("l")
        #expect(try t.waitFor("Each source is asked on its own").ok)
        try t.send("a")
        #expect(try t.waitFor("Node API URL:").ok)
        try t.send("C-u")
        try t.type(node.url)
        try t.send("Enter")
        #expect(try t.waitFor(node.url.replacingOccurrences(of: "http://", with: "")).ok)
        try t.send("e")
        #expect(try t.waitFor(" finality  Entries").ok)

        // Delete entry 3 through the wizard (nodeos recreates it at its next start).
        try t.send("j", "j", "d")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Enter: go to the typed confirmation").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Step 4 of 5").ok)
        try t.type(String(key.text.dropFirst(8).prefix(8)))
        try t.send("Enter")
        let result = try t.waitFor("press W to watch the key vote again")
        #expect(result.ok, "\(result.screen)")

        answer(node, head: head, vote: (head - 100, 100, true), key: key, chainID: chain)
        try t.send("W")
        let silent = try t.waitFor("not voting yet")
        #expect(silent.ok, "\(silent.screen)")
        #expect(silent.screen.contains("Live and read-only"))
        #expect(silent.screen.contains("no entry for this key"), "\(silent.screen)")
        #expect(silent.screen.split(separator: "\n").allSatisfy { $0.count <= 80 })

        answer(node, head: head + 4, vote: (head + 3, 1, false), key: key, chainID: chain)
        let voting = try t.waitFor("voting again: weak vote on #400,000,303")
        #expect(voting.ok, "\(voting.screen)")

        // The node API stops answering: the screen says so, and keys are answered at once.
        node.all(.silent)
        let quiet = try t.waitFor(timeout: 15) { $0.contains("no answer for") }
        #expect(quiet.ok, "\(quiet.screen)")
        let asked = Date()
        try t.send("?")
        let help = try t.waitFor("Keys by screen", timeout: 5)
        #expect(help.ok, "\(help.screen)")
        #expect(Date().timeIntervalSince(asked) < 3, "Help took \(Date().timeIntervalSince(asked)) s while the API was silent")
        try t.send("Escape")
        #expect(try t.waitFor("Live and read-only").ok)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }
}
