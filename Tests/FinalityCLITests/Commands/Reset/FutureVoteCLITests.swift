import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

/// Issue 18, item 4, on the command line: a last vote far ahead of now is discarded only by
/// an explicit decision naming the key, with a reason kept in the audit record; `--yes`
/// alone never does it.
@Suite(
    "reset and repair: --clock-skew, --discard-future-vote KEY --discard-reason TEXT (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct FutureVoteCLITests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    let key1 = Fixture.key(1).text

    /// Key 1's last vote is block 990,000,000 at slot 1,980,000,000 (2031-05-...): years
    /// ahead of this machine's clock. Key 2 as in Fixture.
    static func farAhead() throws -> (dir: String, file: String) {
        var f = Fixture.savannaFile()
        f.entries[0].state = .savanna(SavannaSafety(lastVote: Fixture.ref(990_000_000), lock: Fixture.ref(5210)))
        return try Fixture.dataDir(f)
    }

    @Test("--yes alone does not discard a vote years ahead: exit 1, the message says what to do and what it allows, nothing written")
    func yesIsNoDecision() throws {
        let (dir, path) = try Self.farAhead()
        let before = Fixture.read(path)
        let r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes"] + Fixture.libArgs)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("--discard-future-vote \(key1) --discard-reason TEXT"))
        #expect(r.stderr.contains("double vote"))
        #expect(Fixture.read(path) == before)
        #expect(Fixture.backups(path).isEmpty)
    }

    @Test("the decision needs its reason, a full key, and --clock-skew a duration: usage errors (exit 2)")
    func usage() throws {
        let (dir, _) = try Self.farAhead()
        var r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes", "--discard-future-vote", key1] + Fixture.libArgs)
        #expect(r.status == 2)
        #expect(r.stderr.contains("--discard-reason"))
        r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes", "--discard-future-vote", "PUB_BLS_abc", "--discard-reason", "x"] + Fixture.libArgs)
        #expect(r.status == 2)
        r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes", "--discard-reason", "x"] + Fixture.libArgs)
        #expect(r.status == 2)
        r = BuiltBinary.run(["repair", dir, "--yes", "--clock-skew", "ten minutes"] + Fixture.libArgs)
        #expect(r.status == 2)
    }

    @Test("discarded with a reason: applied, the review says what it allows, the audit record keeps the decision")
    func discarded() throws {
        let (dir, path) = try Self.farAhead()
        let reason = "clock set to 2031 by mistake"
        let r = BuiltBinary.run(
            ["reset", dir, "--key", key1, "--yes", "--discard-future-vote", key1, "--discard-reason", reason] + Fixture.libArgs)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("discarded by the operator (\(reason))"))
        #expect(r.stdout.contains("a double vote at those times becomes possible"))
        let written = try SafetyFileReader.decode(Fixture.read(path))
        #expect(written.entries[0].savanna?.lastVote.blockNumber == 5190)
        let audit = try String(contentsOfFile: AuditLog.path(for: path), encoding: .utf8)
        #expect(audit.contains("\"discarded_future_votes\""))
        #expect(audit.contains(reason))
    }

    @Test("--clock-skew widens the tolerance: a vote 87 minutes ahead of the clock counts with 2h")
    func clockSkewOption() throws {
        // Key 1 voted at 2000-01-01T01:27:10 (slot 10,460): in the past on any real clock,
        // so the widened tolerance is shown on a vote built ahead of now instead.
        let now = BlockTimestamp(date: Date())!.slot
        var f = Fixture.savannaFile()
        let ahead = BlockRef(blockID: Fixture.id(9_000), timestamp: BlockTimestamp(slot: now + 2 * 60 * 87))
        f.entries[0].state = .savanna(SavannaSafety(lastVote: ahead, lock: Fixture.ref(5210)))
        let (dir, path) = try Fixture.dataDir(f)
        var r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes"] + Fixture.libArgs)
        #expect(r.status == 1)
        r = BuiltBinary.run(["reset", dir, "--key", key1, "--yes", "--clock-skew", "2h"] + Fixture.libArgs)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("clock skew within the 2h tolerance, counted"))
        #expect(try SafetyFileReader.decode(Fixture.read(path)).entries[0].savanna?.lastVote == ahead)
    }
}
