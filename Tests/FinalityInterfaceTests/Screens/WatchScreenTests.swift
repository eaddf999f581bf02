import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import FinalityInterface
import FinalityRunner
import Foundation
import Testing

/// The Watch screen: reached with W from Entries and from the wizard's result, fed by
/// samples the runner takes on its own thread; ticks collect them between keys.
@Suite("Watch screen", .serialized)
struct WatchScreenTests {
    func screenText(_ s: AppState) -> String {
        let g = Render.render(s)
        return (0..<s.size.rows).map { g.text(row: $0) }.joined(separator: "\n")
    }

    /// A node's answers at head `head` (block n at slot `base + n`), with `votes`.
    static let base: UInt32 = 850_000_000
    static func sample(at ms: Int64, head: UInt32, votes: [FakeAnswers.Vote], file: SafetyFile = ScreenFixture.savannaFile()) throws -> WatchSample {
        let info = try NodeAPI.parseInfo(
            Array(FakeAnswers.getInfo(head: head, headSlot: base + head, lib: head - 2, libSlot: base + head - 2).utf8), url: "u")
        let fin = try NodeAPI.parseFinalizerInfo(Array(FakeAnswers.finalizerInfo(votes).utf8), url: "u")
        return WatchSample(
            unixMilliseconds: ms, nodes: [NodeSample(url: "http://127.0.0.1:8888", info: .success(info), finalizers: .success(fin))],
            file: .read(file, tries: 1))
    }

    static func ms(_ head: UInt32) -> Int64 { BlockTimestamp(slot: base + head).unixMilliseconds }

    @Test("W on Entries watches the selected key on the LIB screen's API; ticks poll the runner; leaving stops the watch")
    func startPollStop() {
        var s = ScreenFixture.state()
        press(&s, c("j"))
        // Issue 22: no node API was given, so W asks for one and says so; the local
        // node's address is offered, never used by itself.
        #expect(press(&s, c("W")).isEmpty)
        #expect(s.screen == .entries && s.prompt?.purpose == .watchAPI)
        #expect(screenText(s).contains("No node API given; watch which (Enter)? http://127.0.0.1:8888"))
        let effects = press(&s, .enter)
        #expect(s.screen == .watch)
        #expect(effects == [.startWatch(WatchConfig(file: ScreenFixture.location.file, apis: ["http://127.0.0.1:8888"], keys: [ScreenFixture.key(2)], interval: 1))])
        #expect(s.tickMilliseconds == 250)
        #expect(Core.update(&s, .tick) == [.pollWatch(wanted: []), .checkWorld(s.location)])
        #expect(screenText(s).contains("Watch"))
        #expect(screenText(s).contains("asking http://127.0.0.1:8888"))
        press(&s, .escape)
        #expect(s.screen == .entries)
        #expect(Core.update(&s, .tick) == [.stopWatch, .checkWorld(s.location)])
        #expect(s.watch == nil)
        #expect(s.tickMilliseconds == nil)
    }

    @Test("samples become the verdict on screen: silent, then voting again; a silent API says for how long")
    func verdicts() throws {
        var s = ScreenFixture.state()
        s.lib.askAPI = true  // given (--api URL)
        press(&s, c("j"), c("W"))
        let key = ScreenFixture.key(2)
        let old = FakeAnswers.Vote(key: key, block: 900, slot: Self.base + 900, strong: true)
        _ = Core.update(&s, .watchPolled([try Self.sample(at: Self.ms(1000), head: 1000, votes: [old])], now: Self.ms(1000)))
        _ = Core.update(&s, .watchPolled([try Self.sample(at: Self.ms(1002), head: 1002, votes: [old])], now: Self.ms(1002)))
        var text = screenText(s)
        // The fixture's entry last voted at 11:59:55, after this fake chain's head: before
        // the first vote the engine's verdict says so (issue 21), not only "not voting yet".
        #expect(text.contains("not voting: no vote before 2026-11-21 11:59:55.0 (its last vote"), "\(text)")
        let new = FakeAnswers.Vote(key: key, block: 1003, slot: Self.base + 1003, strong: true)
        _ = Core.update(&s, .watchPolled([try Self.sample(at: Self.ms(1004), head: 1004, votes: [new])], now: Self.ms(1004)))
        text = screenText(s)
        #expect(text.contains("voting again: strong vote on #1,003 at"), "\(text)")
        // The runner itself has had nothing for 12 s (its node API is silent).
        _ = Core.update(&s, .watchPolled([], now: Self.ms(1004) + 12_000))
        text = screenText(s)
        #expect(text.contains("no answer for 12 s (still asking)"), "\(text)")
        // A sample whose API timed out: the node line says so.
        var failed = try Self.sample(at: Self.ms(1004) + 13_000, head: 1004, votes: [new])
        failed.nodes[0] = NodeSample(url: "http://127.0.0.1:8888", info: .failure(WatchFailure("no answer within 2 s")))
        _ = Core.update(&s, .watchPolled([failed], now: Self.ms(1004) + 13_000))
        text = screenText(s)
        #expect(text.contains("no answer for 13 s: no answer within 2 s"), "\(text)")
        #expect(s.watch?.model.refreshes == 4)
    }

    @Test("the wizard's result offers W; W there watches the changed key, at other steps it does nothing")
    func fromWizardResult() {
        var s = ScreenFixture.state()
        let key = ScreenFixture.key(2)
        var w = WizardState(action: .reset, keyText: key.text)
        w.step = .review
        s.wizard = w
        s.screen = .wizard
        #expect(press(&s, c("W")).isEmpty)
        #expect(s.screen == .wizard)
        s.wizard?.step = .result
        s.wizard?.outcome = .success(ApplyOutcome(backupPath: "/b", auditRecord: "line 1", newSHA256: "ab", nextSteps: [NextStep("Start nodeos.")]))
        #expect(screenText(s).contains("Start nodeos, then press W to watch the key vote again."))
        #expect(Bindings.bar(in: s).contains { $0.key == "W" && $0.label == "Watch" })
        s.lib.askAPI = true  // given (--api URL, or a on the LIB screen)
        let effects = press(&s, c("W"))
        #expect(s.screen == .watch)
        #expect(s.wizard == nil)
        #expect(effects == [.startWatch(WatchConfig(file: ScreenFixture.location.file, apis: ["http://127.0.0.1:8888"], keys: [key], interval: 1))])
        press(&s, .escape)
        #expect(s.screen == .entries)
    }

    @Test("the engine runner samples on its own thread: polls return at once while the node API is silent")
    func runnerNeverWaits() throws {
        let node = FakeNode()
        defer { node.stop() }
        node.all(.silent)
        let f = TemporaryPaths.name("finality-watch-screen", suffix: ".dat")
        FileManager.default.createFile(atPath: f, contents: Data(SafetyFileWriter.encode(ScreenFixture.savannaFile())))
        defer { try? FileManager.default.removeItem(atPath: f) }
        let runner = EngineEffects(toolVersion: "test")
        _ = runner.perform(.startWatch(WatchConfig(file: f, apis: [node.url], keys: [ScreenFixture.key(2)], interval: 0.5)))
        defer { _ = runner.perform(.stopWatch) }
        var got = [WatchSample]()
        let started = Date()
        while Date().timeIntervalSince(started) < 4 && got.isEmpty {
            let t = Date()
            guard case .watchPolled(let samples, _) = runner.perform(.pollWatch(wanted: [])) else {
                Issue.record("poll did not answer with samples")
                return
            }
            #expect(Date().timeIntervalSince(t) < 0.05, "a poll waited on the network")
            got += samples
            usleep(50_000)
        }
        let first = try #require(got.first, "no sample within 4 s")
        guard case .failure(let e) = first.nodes.first?.info else {
            Issue.record("a silent API answered")
            return
        }
        #expect(e.message.contains("no answer within"), "\(e.message)")
        guard case .read = first.file else {
            Issue.record("the file did not read")
            return
        }
    }
}
