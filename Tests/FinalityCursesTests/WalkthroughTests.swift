import FinalityEngine
import FinalityFormat
import FinalitySamples
import FinalityTestSupport
import Foundation
import Testing

/// Whole walkthroughs of the real binary in tmux at 80x24, on copies of Fixtures/ files.
@Suite(.serialized, .enabled(if: RequiredTools.shouldRun(needsTmux: true), "needs tmux and the built finality binary"))
struct WalkthroughTests {
    /// Under CI=true a missing tmux or binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: true) }

    /// A data dir holding a copy of a fixture and a blocks.log (our own writer) whose last
    /// block, LIB, is block 400,000,205 at the fixtures' clock (block n at slot
    /// 1,693,612,800 + n − 400,000,000).
    func dataDir(_ t: Tmux, fixture: String, name: String = "data") throws -> (dir: String, file: String) {
        let dir = t.directory + "/" + name
        try FileManager.default.createDirectory(atPath: dir + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/blocks", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: RealBinaryTests.fixtures.appendingPathComponent(fixture).path, toPath: dir + "/finalizers/safety.dat")
        let blocks = SignedBlock.chain(
            BlockChainSpec(firstBlockNumber: 400_000_100, count: 106, firstTimestamp: BlockTimestamp(slot: 1_693_612_900)))
        try BlocksLogWriter().write(blocks, toDirectory: dir + "/blocks")
        return (dir, dir + "/finalizers/safety.dat")
    }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test("a reset through the five steps leaves exactly the plan's bytes, a backup of the old ones and an audit record")
    func resetEndsExactlyAsPlanned() throws {
        let t = Tmux()
        let (dir, file) = try dataDir(t, fixture: "v1-five-entries.dat")
        let before = try bytes(file)
        // What the engine plans, computed here on its own from the same inputs.
        let decoded = try SafetyFileReader.decode(before)
        let key = decoded.entries[1].key.text
        let lib = try LIBSources.fromBlocksDir(dir + "/blocks")
        #expect(lib.lib.number == 400_000_205)
        let plan = try Planner.reset(
            bytes: before, path: file, key: key, inputs: ResetInputs(lib: try LIBDecision.forPlan([lib], choice: nil, reason: nil)))

        try t.start(t.finality(dir))
        #expect(try t.waitFor("from blocks.log").ok)
        try t.send("j", "r")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Step 2 of 5").ok)
        try t.send("Enter")
        let review = try t.waitFor("Enter: go to the typed confirmation")
        #expect(review.ok, "\(review.screen)")
        #expect(try bytes(file) == before)
        try t.send("Enter")
        #expect(try t.waitFor("Step 4 of 5").ok)
        #expect(try bytes(file) == before)
        try t.type(String(key.dropFirst(8).prefix(8)))
        try t.send("Enter")
        let done = try t.waitFor("Done: the file was written")
        #expect(done.ok, "\(done.screen)")

        let after = try bytes(file)
        #expect(after == plan.afterBytes, "the file differs from the plan")
        let backups = try FileManager.default.contentsOfDirectory(atPath: dir + "/finalizers/backups")
        #expect(backups.count == 1)
        #expect(try bytes(dir + "/finalizers/backups/" + backups[0]) == before)
        let audit = try String(contentsOfFile: file + ".audit.jsonl", encoding: .utf8)
        // The change's record (before the rename) and its completion (after the read-back).
        #expect(audit.split(separator: "\n").count == 2)
        #expect(audit.contains("\"sha256_after\":\"\(plan.afterSHA256.hex)\""))
        #expect(audit.contains("\"action\":\"reset\""))
        try t.send("Enter")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test("a delete cancelled at step 4 with ESC leaves the file byte-identical and writes nothing")
    func deleteCancelledAtConfirmation() throws {
        let t = Tmux()
        let (dir, file) = try dataDir(t, fixture: "v1-five-entries.dat")
        let before = try bytes(file)
        try t.start(t.finality(dir))
        #expect(try t.waitFor("from blocks.log").ok)
        try t.send("j", "j", "d")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Enter: go to the typed confirmation").ok)
        try t.send("Enter")
        #expect(try t.waitFor("Step 4 of 5").ok)
        try t.type("abc")
        // ESC goes back one step at a time (wait for each, or ESC+key reads as Alt+key).
        try t.send("Escape")
        #expect(try t.waitFor("Step 3 of 5").ok)
        try t.send("Escape")
        let back = try t.waitFor { !$0.contains("Step 3 of 5") }
        #expect(back.ok)
        for _ in 0..<3 where !back.screen.contains("Entries ") {
            try t.send("Escape")
            usleep(300_000)
        }
        #expect(try t.waitFor("Entry #2 of 5").ok)
        try t.send("q")
        #expect(t.exitStatus() == 0)
        #expect(try bytes(file) == before)
        #expect(!FileManager.default.fileExists(atPath: dir + "/finalizers/backups"))
        #expect(!FileManager.default.fileExists(atPath: file + ".audit.jsonl"))
    }

    /// The README's reset story (issue 21), at 80x24 from the first screen with the key
    /// unknown: the first screen names the key that will not vote (the banner and its row's
    /// verdict), and the story resets that key (demo entry 5: never voted, no lock), not
    /// entry 4, which already votes. Keystrokes: j×5 r Enter Enter Enter, the 8 characters
    /// after PUB_BLS_, Enter = 18 (the README's story before: 17 to reset entry 4, which
    /// changed nothing nodeos does; 34 for a new user to find entry 5 through the panes).
    @Test("the README's story: the first screen names the key that will not vote; 18 keystrokes reset it")
    func readmeStoryResetsTheKeyThatWillNotVote() throws {
        let t = Tmux()
        let location = try DemoDataDir.build(parent: t.directory)
        let before = try bytes(location.file)
        let key = try SafetyFileReader.decode(before).entries[5].key.text
        try t.start(t.finality(location.dataDir!))
        // The verdicts settle once LIB and the node's keys are in (both read after the first
        // frame): wait for row 4's, so a slow machine waits instead of reading "?".
        let first = try t.waitFor { $0.contains("from blocks.log") && $0.contains("\n   4 votes ") }
        #expect(first.ok, "\(first.screen)")
        // The question answered before any key is pressed.
        #expect(first.screen.contains("1 key will not vote: #5"), "\(first.screen)")
        let row5 = first.screen.split(separator: "\n").first { $0.hasPrefix("   5 ") }.map(String.init) ?? ""
        #expect(row5.hasPrefix("   5 no vote: no lock"), "\(row5)")
        let row4 = first.screen.split(separator: "\n").first { $0.hasPrefix("   4 ") }.map(String.init) ?? ""
        #expect(row4.hasPrefix("   4 votes "), "entry 4 already votes: \(row4)")
        var keystrokes = 0
        func press(_ keys: String...) throws {
            for k in keys {
                try t.send(k)
                keystrokes += 1
                usleep(50_000)
            }
        }
        try press("j", "j", "j", "j", "j", "r")
        #expect(try t.waitFor("Step 1 of 5").ok)
        try press("Enter")
        #expect(try t.waitFor("Step 2 of 5").ok)
        try press("Enter")
        let review = try t.waitFor("Enter: go to the typed confirmation")
        #expect(review.ok, "\(review.screen)")
        #expect(review.screen.contains("today: no vote on any block (no lock)"), "\(review.screen)")
        try press("Enter")
        #expect(try t.waitFor("Step 4 of 5").ok)
        let typed = String(key.dropFirst(8).prefix(8))
        try t.type(typed)
        keystrokes += typed.count
        try press("Enter")
        let done = try t.waitFor("Done: the file was written")
        #expect(done.ok, "\(done.screen)")
        #expect(keystrokes == 18)
        let after = try SafetyFileReader.decode(try bytes(location.file))
        #expect(after.entries[5].savanna?.lock.blockNumber == DemoDataDir.libNumber, "entry 5 now has LIB as its lock")
        #expect(VoteRules.verdict(after.entries[5], lib: try LIBSources.fromBlocksDir(location.dataDir! + "/blocks").lib).kind == .votes)
        try t.send("Enter")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }
}
