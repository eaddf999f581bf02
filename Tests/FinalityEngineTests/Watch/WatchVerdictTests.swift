import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Issue 21: before the first vote, `watch` says what nodeos will do with the key's entry
/// (the engine's verdict), not only "not voting yet".
@Suite("Watch: the engine's verdict before the first vote", .serialized)
struct WatchVerdictTests {
    typealias W = WatchTests

    static func file(_ state: SavannaSafety) -> TempFile {
        TempFile(SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [SafetyEntry(key: W.key, state: .savanna(state))])))
    }

    @Test("an entry that never voted and has no lock (the demo's entry 5): not voting, no lock, not 'not voting yet'")
    func neverVotedNoLock() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = Self.file(SavannaSafety(lastVote: .empty, lock: .empty))
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let head = W.first + 200
        node.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [])
        W.refresh(&state, at: head)
        let k = try #require(state.keys.first { $0.key == W.key })
        #expect(state.verdict(k) == .noLock, "\(state.verdict(k).text)")
        #expect(state.verdict(k).text.contains("no vote: no lock"), "\(state.verdict(k).text)")
    }

    @Test("a last vote later than the chain's head: no vote before it")
    func lastVoteInFuture() throws {
        let node = FakeNode()
        defer { node.stop() }
        let future = W.first + 5_000
        let f = Self.file(SavannaSafety(
            lastVote: BlockRef(blockID: FakeAnswers.id(future), timestamp: BlockTimestamp(slot: W.slot(future))),
            lock: BlockRef(blockID: FakeAnswers.id(W.first + 99), timestamp: BlockTimestamp(slot: W.slot(W.first + 99)))))
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let head = W.first + 200
        node.set(head: head, headSlot: W.slot(head), lib: head - 2, libSlot: W.slot(head - 2), votes: [])
        W.refresh(&state, at: head)
        let k = try #require(state.keys.first { $0.key == W.key })
        let v = state.verdict(k)
        #expect(v.kind == "not-voting-no-vote-last-vote-in-future", "\(v.text)")
        #expect(v.text.hasPrefix("not voting: no vote before ") && v.text.hasSuffix("(its last vote is in the future)"), "\(v.text)")
    }
}
