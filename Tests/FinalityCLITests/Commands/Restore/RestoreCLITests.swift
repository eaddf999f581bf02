import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

@Suite(
    "finality restore (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct RestoreCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    let key1 = Fixture.key(1).text

    @Test("restore brings a backup back, flagging what moves backwards; history lists both changes")
    func restoreAndHistory() throws {
        let (dir, path) = try Fixture.dataDir()
        let old = Fixture.read(path)
        #expect(BuiltBinary.run(["reset", dir, "--key", key1, "--yes"] + Fixture.libArgs).status == 0)
        let backup = try #require(Fixture.backups(path).first)
        // After a reset of key 2 too, the backup holds key 2's old lock (block 90): going
        // back to it moves that lock back.
        let reset2 = BuiltBinary.run(["reset", dir, "--key", Fixture.key(2).text, "--yes", "--json"] + Fixture.libArgs)
        #expect(reset2.status == 0)
        let dry = BuiltBinary.run(["restore", dir, "--from", backup, "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("the lock moves back from block 5,190 to 90"))
        let r = BuiltBinary.run(["restore", dir, "--from", backup, "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Fixture.read(path) == old)
        let h = BuiltBinary.run(["history", dir])
        #expect(h.status == 0)
        // Three changes, each its record before the rename and its completion after.
        #expect(h.stdout.contains("6 records"))
        #expect(h.stdout.contains("chain intact"))
        #expect(h.stdout.contains("restore from \(backup)"))
    }
}
