import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

private func env() throws -> ChangeEnvironment {
    let root = TemporaryPaths.name("finality-proc")
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    return ChangeEnvironment(toolVersion: "test", procRoot: root, home: "/nonexistent-home")
}

/// Four keys: 1 votes (lock 5,180 behind LIB 5,190), 2 voted 5,200 with no lock,
/// 3 never voted with no lock, 4 votes.
private func file() -> SafetyFile {
    SafetyFile(
        format: .savannaV1,
        entries: [
            Fixture.savanna(key: 1, vote: 5182, lock: 5180), Fixture.savanna(key: 2, vote: 5200, lock: nil),
            Fixture.savanna(key: 3, vote: nil, lock: nil), Fixture.savanna(key: 4, vote: 5185, lock: 5183),
        ])
}

/// Issue 21, items 3 to 5: several keys in one change, reviews with their warnings first,
/// a confirmation that names a double vote, one minimum for a reason.
@Suite("Several keys, one incident; risks named; warnings first (issue 21)", .serialized)
struct SeveralKeysTests {
    @Test("every key that will not vote, in one change: one plan, one backup, one audit record listing each key, each its own vote floor")
    func notVotingInOneChange() throws {
        let (dir, path) = try Fixture.dataDir(file())
        let e = try env()
        let review = try ChangeWorkflow.review(ChangeRequest(.resetKeys(.notVoting), path: dir, lib: .readings([Fixture.lib(5190)])), environment: e)
        #expect(review.plan.resetEntries.map(\.index) == [1, 2])
        #expect(review.plan.voteFloors.map(\.key) == [Fixture.key(2), Fixture.key(3)])
        // Each key its own floor: key 2 keeps its own last vote (5,200 > LIB), key 3 gets LIB.
        #expect(review.plan.voteFloors.map(\.lastVote.blockNumber) == [5200, 5190])
        // One confirmation for the whole change: the new file's SHA-256.
        #expect(review.confirmation.expected == String(review.plan.afterSHA256.hex.prefix(12)))
        let written = try SafetyFileReader.decode(review.plan.afterBytes)
        #expect(written.entries[0] == file().entries[0] && written.entries[3] == file().entries[3], "keys that vote are not touched")
        // The same as two resets one after the other.
        let one = try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(2).text, inputs: Fixture.inputs(5190))
        let two = try Planner.reset(bytes: one.afterBytes, path: path, key: Fixture.key(3).text, inputs: Fixture.inputs(5190))
        #expect(review.plan.afterBytes == two.afterBytes)

        _ = try ChangeWorkflow.apply(review, context: Fixture.context(), environment: e)
        #expect(Fixture.backups(path).count == 1)
        let records = try String(contentsOfFile: AuditLog.path(for: path), encoding: .utf8).split(separator: "\n")
        let applying = records.filter { $0.contains("\"state\":\"applying\"") }
        #expect(applying.count == 1)
        let record = try #require(JSONSerialization.jsonObject(with: Data(applying[0].utf8)) as? [String: Any])
        let keys = try #require(record["keys"] as? [[String: Any]])
        #expect(keys.map { $0["key"] as? String } == [Fixture.key(2).text, Fixture.key(3).text])
        #expect((record["vote_floors"] as? [Any])?.count == 2)
    }

    @Test("--key repeated: the keys named; the same entry twice is refused; no key that will not vote is refused")
    func keysNamed() throws {
        let (dir, _) = try Fixture.dataDir(file())
        let e = try env()
        let named = try ChangeWorkflow.review(
            ChangeRequest(.resetKeys(.keys([Fixture.key(4).text, Fixture.key(1).text])), path: dir, lib: .readings([Fixture.lib(5190)])), environment: e)
        #expect(named.plan.resetEntries.map(\.index) == [3, 0])
        #expect(throws: EngineError.self) {
            try ChangeWorkflow.review(
                ChangeRequest(.resetKeys(.keys([Fixture.key(4).text, Fixture.key(4).text])), path: dir, lib: .readings([Fixture.lib(5190)])), environment: e)
        }
        let (healthy, _) = try Fixture.dataDir(SafetyFile(format: .savannaV1, entries: [Fixture.savanna(key: 1, vote: 5182, lock: 5180)]))
        #expect(throws: EngineError.self) {
            try ChangeWorkflow.review(ChangeRequest(.resetKeys(.notVoting), path: healthy, lib: .readings([Fixture.lib(5190)])), environment: e)
        }
    }

    @Test("--vote-floor lib below evidence of a newer vote: the review says the risk first, the confirmation names it")
    func doubleVoteNamed() throws {
        let (dir, _) = try Fixture.dataDir(file())
        let e = try env()
        let key2 = Fixture.key(2).text
        let plain = try ChangeWorkflow.review(ChangeRequest(.reset(key: key2), path: dir, lib: .readings([Fixture.lib(5190)])), environment: e)
        #expect(plain.confirmation.risk == nil)
        #expect(plain.confirmation.expected == String(key2.dropFirst(8).prefix(8)))
        let risky = try ChangeWorkflow.review(
            ChangeRequest(.reset(key: key2), path: dir, lib: .readings([Fixture.lib(5190)]), voteFloor: .lib), environment: e)
        let risk = try #require(risky.confirmation.risk)
        #expect(risk.hasPrefix("DOUBLE VOTE POSSIBLE: "), "\(risk)")
        #expect(risky.confirmation.expected == "double vote " + String(key2.dropFirst(8).prefix(8)))
        #expect(!risky.confirmation.accepts(String(key2.dropFirst(8).prefix(8))), "the key alone does not confirm a double vote")
        #expect(risky.confirmation.accepts("double vote " + String(key2.dropFirst(8).prefix(8))))
        // The review's first line names it, before the interlocks and the evidence.
        #expect(risky.lines.first == risk)
    }

    @Test("warnings first in every review: the LIB sources disagree above the evidence")
    func warningsFirst() throws {
        let (dir, _) = try Fixture.dataDir(file())
        let e = try env()
        let readings = [Fixture.lib(5190), Fixture.lib(5188, source: .api(url: "http://n:8888"))]
        let review = try ChangeWorkflow.review(
            ChangeRequest(.reset(key: Fixture.key(1).text), path: dir, lib: .readings(readings), libChoice: 0, libReason: "blocks.log is the node's own"),
            environment: e)
        let lines = review.lines
        let disagree = try #require(lines.firstIndex { $0.contains("the LIB sources disagree") })
        let interlocks = try #require(lines.firstIndex(of: "Interlocks:"))
        let evidence = try #require(lines.firstIndex(of: "Vote floor evidence:"))
        #expect(disagree < interlocks && disagree < evidence, "\(lines.joined(separator: "\n"))")
        #expect(lines.filter { $0.contains("the LIB sources disagree") }.count == 1, "said once")
    }

    @Test("one minimum for a reason: a LIB choice among sources that disagree needs ReasonRule.minimumLength characters")
    func reasonMinimum() throws {
        let readings = [Fixture.lib(5190), Fixture.lib(5188, source: .api(url: "http://n:8888"))]
        #expect(throws: EngineError.self) { try LIBDecision.forPlan(readings, choice: 0, reason: "ok") }
        #expect(ReasonRule.problem("ok", for: "x") != nil)
        #expect(ReasonRule.problem("blocks.log is ours", for: "x") == nil)
        _ = try LIBDecision.forPlan(readings, choice: 0, reason: String(repeating: "r", count: ReasonRule.minimumLength))
    }
}
