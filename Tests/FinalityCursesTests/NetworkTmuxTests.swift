import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Issue 23, item 2: the Network screen in the real binary, in tmux at 80x24, against a
/// node API the test serves on 127.0.0.1: a stall of 21 finalizers, keys answered while it
/// refreshes, the recovery seen without a key, a node that stops answering.
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct NetworkTmuxTests {
    init() throws { try RequiredTools.require(needsTmux: true) }

    static let greek = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
        "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    ].map { "bp." + $0 }
    /// alpha 2, beta 2, gamma 2, delta 3, the other 17: 1. Total 26, threshold 18.
    static let policy = FakeAnswers.Policy.make(21, names: greek, weights: [2, 2, 2, 3] + Array(repeating: 1, count: 17), generation: 7)

    @Test("n on LIB: a stall of 21 finalizers, then the recovery without a key; s sorts while it refreshes; a silent node is said, keys still answer")
    func stallAndRecovery() throws {
        let t = Tmux()
        let (dir, _) = try WalkthroughTests().dataDir(t, fixture: "v1-five-entries.dat")
        let node = FakeNode()
        defer { node.stop() }
        // The node's key is bp.kappa: config.ini beside the data dir names it.
        let kappa = Self.policy.finalizers[9].key
        try FileManager.default.createDirectory(atPath: t.directory + "/config", withIntermediateDirectories: true)
        try "signature-provider = \(kappa.text)=KEY:PVT_BLS_NeverShownOnTheNetworkScreen\n".write(
            toFile: t.directory + "/config/config.ini", atomically: true, encoding: .utf8)
        // More than a third of the weight (9 of 26) stopped voting 100 blocks ago; LIB with them.
        var head: UInt32 = 5_000
        let stopped = Set(["bp.delta", "bp.alpha", "bp.beta", "bp.kappa", "bp.lambda"].map { n in Self.policy.finalizers.first { $0.description == n }!.key })
        let everyone = Set(Self.policy.finalizers.map(\.key))
        // The node is on the data dir's chain (its blocks.log's).
        let chain = try #require(LIBSources.fromBlocksDir(dir + "/blocks").chainID).hex
        node.setNetwork(
            head: head, headSlot: FakeAnswers.nowSlot(), lib: head - 100, active: Self.policy, voting: everyone.subtracting(stopped), staleBlock: head - 100,
            chainID: chain)

        try t.start(t.finality("\(dir) --api \(node.url)"))
        #expect(try t.waitFor(" finality  Entries").ok)
        try t.send("l")
        #expect(try t.waitFor("nNetwork").ok)
        try t.send("n")
        var s = try t.waitFor { $0.contains("LIB stalled since") && $0.contains("bp.delta") }
        #expect(s.ok, "\(s.screen)")
        #expect(s.screen.contains("Active policy: generation 7, 21 finalizers, total weight 26, threshold 18"), "\(s.screen)")
        #expect(s.screen.contains("BEHIND"), "\(s.screen)")
        #expect(s.screen.contains("◆ BEHIND"), "this node's key (bp.kappa) is marked: \(s.screen)")
        #expect(!s.screen.contains("PVT_BLS"))
        // FINALITY_README_CAPTURES=FILE: the README's capture of the Network screen.
        if let out = ProcessInfo.processInfo.environment["FINALITY_README_CAPTURES"] { try s.screen.write(toFile: out, atomically: true, encoding: .utf8) }
        // A key while it refreshes every second: answered at once.
        try t.send("s")
        s = try t.waitFor("sort: policy")
        #expect(s.ok, "\(s.screen)")

        // They come back: LIB catches up, and the screen says so without a key.
        head += 4
        node.setNetwork(head: head, headSlot: FakeAnswers.nowSlot(), lib: head - 2, active: Self.policy, voting: everyone, chainID: chain)
        s = try t.waitFor(timeout: 15) { $0.contains("LIB advances: strong votes 26 of 26, threshold 18") }
        #expect(s.ok, "\(s.screen)")

        // The node stops answering: said on the screen, and keys still answer at once.
        node.all(.silent)
        s = try t.waitFor(timeout: 15) { $0.contains("did not answer") || $0.contains("no new answer for") || $0.contains("timed out") }
        #expect(s.ok, "\(s.screen)")
        let asked = Date()
        try t.send("s")
        s = try t.waitFor("sort: weight")
        #expect(s.ok, "\(s.screen)")
        #expect(Date().timeIntervalSince(asked) < 3, "s took \(Date().timeIntervalSince(asked)) s while the node was silent")
        try t.send("Escape")
        #expect(try t.waitFor("Each source is asked on its own").ok)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }
}
