import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Issue 21: `watch --until-vote KEY` prints that key only (it printed every key of the
/// file every refresh: 378 lines in 12 s), and says the engine's verdict before the first vote.
@Suite("watch --until-vote KEY: that key only", .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct WatchUntilVoteOneKeyTests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    @Test("a file of three keys: only the awaited key is printed; its verdict says what the file makes nodeos do")
    func onlyThatKey() throws {
        let (node, file, head, now) = WatchCLITests.setUp()
        defer { node.stop(); WatchCLITests.cleanUp(file) }
        // Two more keys in the file: one that never voted and has no lock, one voting.
        let others = [Fixture.key(41), Fixture.key(42)]
        var f = SafetyFileReader.verify(Array(FileManager.default.contents(atPath: file)!)).file!
        f.entries.append(SafetyEntry(key: others[0], state: .savanna(SavannaSafety(lastVote: .empty, lock: .empty))))
        f.entries.append(SafetyEntry(key: others[1], state: f.entries[0].state))
        FileManager.default.createFile(atPath: file, contents: Data(SafetyFileWriter.encode(f)))
        _ = (head, now)
        let r = BuiltBinary.run(["watch", file, "--api", node.url, "--until-vote", WatchCLITests.key.text, "--timeout", "1.5", "--interval", "0.5"])
        #expect(r.status == 1, "\(r.stderr)")
        for k in others { #expect(!r.stdout.contains(k.text), "another key printed:\n\(r.stdout)") }
        #expect(r.stdout.contains(WatchCLITests.key.text))
        let verdict = try #require(r.stdout.split(separator: "\n").last { $0.hasPrefix("  verdict  ") }, "\(r.stdout)")
        #expect(verdict.hasSuffix("; the file says: votes"), "\(verdict)")
    }
}
