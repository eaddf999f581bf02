import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// Byte range of entry `i` in an encoded Savanna file.
private func entryBytes(_ bytes: [UInt8], _ i: Int, _ format: SafetyFormat) -> ArraySlice<UInt8> {
    let start = 24 + i * format.entrySize
    return bytes[start..<start + format.entrySize]
}

@Suite("Plans: pure functions from file bytes to new bytes and a diff")
struct PlanTests {
    @Test("a Savanna reset locks on LIB, raises the last vote to the floor (LIB here) and keeps other_branch_latest_time")
    func savannaReset() throws {
        let file = Fixture.savannaFile(trailing: [9, 9, 9])
        let bytes = SafetyFileWriter.encode(file)
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(2).text, inputs: Fixture.inputs(5190))
        let after = try SafetyFileReader.decode(plan.afterBytes, options: .init(checkKeys: true))
        let s = try #require(after.entries[1].savanna)
        // Its own last vote (block 100) is older than LIB: LIB is the newest evidence.
        #expect(s.lastVote == BlockRef(blockID: Fixture.id(5190, fill: 0xCD), timestamp: BlockTimestamp(slot: 10380)))
        #expect(s.lock == BlockRef(blockID: Fixture.id(5190, fill: 0xCD), timestamp: BlockTimestamp(slot: 10380), finalityDigest: .zero))
        #expect(s.otherBranchLatestTime == BlockTimestamp(slot: 150))
        // Everything outside the plan stays byte-identical.
        #expect(after.format == .savannaV1)
        #expect(after.trailingBytes == [9, 9, 9])
        #expect(entryBytes(plan.afterBytes, 0, .savannaV1) == entryBytes(bytes, 0, .savannaV1))
        #expect(entryBytes(plan.afterBytes, 2, .savannaV1) == entryBytes(bytes, 2, .savannaV1))
        #expect(plan.beforeSHA256 == LoadedFile(location: Location(file: "", dataDir: nil), bytes: bytes).sha256)
        #expect(plan.entryIndex == 1)
        let changed = plan.diff.entries.filter { $0.kind != .unchanged }
        #expect(changed.count == 1)
        #expect(Set(changed[0].fields.filter(\.changed).map(\.name)) == [
            "last_vote.block_id", "last_vote.timestamp", "last_vote.finality_digest", "lock.block_id", "lock.timestamp",
            "lock.finality_digest",
        ])
        #expect(plan.voteFloors.count == 1 && plan.voteFloors[0].chosen.source == .lib(.typed))
        #expect(plan.notes.contains("other_branch_latest_time kept: \(BlockTimestamp(slot: 150).iso8601)"))
        // Both vocabularies.
        #expect(changed[0].fields.first { $0.name == "lock.block_id" }?.alias == "_b_lock")
        #expect(changed[0].fields.first { $0.name == "last_vote.block_id" }?.alias == "_vheight")
    }

    @Test("the lock moving back is a warning that says by how many blocks and how long; the last vote newer than LIB is kept")
    func lockMovesBack() throws {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile())
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        let messages = plan.warnings.map(\.message)
        #expect(messages.contains { $0.hasSuffix("the lock moves back from block 5,210 to 5,190 (20 blocks, 20s): a conflicting vote becomes possible") })
        #expect(plan.warnings.contains { $0.kind == .lockMovesBack })
        #expect(!plan.warnings.contains { $0.kind == .voteNewerThanLIB || $0.kind == .lastVoteMovesBack })
        #expect(plan.entryAfter?.savanna?.lastVote == plan.entryBefore?.savanna?.lastVote)
        // --vote-floor lib: last vote := LIB, with the warning the old reset gave.
        var inputs = Fixture.inputs(5190)
        inputs.voteFloor = .lib
        let lib = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(1).text, inputs: inputs)
        #expect(lib.entryAfter?.savanna?.lastVote.blockNumber == 5190)
        #expect(lib.warnings.contains { $0.kind == .voteNewerThanLIB && $0.message.contains("newer than LIB by 40 blocks, 40s") && $0.message.contains("double vote") })
    }

    @Test("a reset to a LIB newer than the lock warns about nothing but the last vote")
    func lockMovesForward() throws {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile())
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(2).text, inputs: Fixture.inputs(5190))
        #expect(!plan.warnings.contains { $0.kind == .lockMovesBack })
        #expect(plan.notes.contains { $0.contains("moves forward from block 90 to 5,190") })
    }

    @Test("--finality-digest goes into the lock; without it the digest is zero and the plan says so")
    func finalityDigest() throws {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile())
        var inputs = Fixture.inputs(5190)
        inputs.finalityDigest = Bytes32([UInt8](repeating: 0x5D, count: 32))
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(3).text, inputs: inputs)
        #expect(plan.entryAfter?.savanna?.lock.finalityDigest == inputs.finalityDigest)
        let plain = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(3).text, inputs: Fixture.inputs(5190))
        #expect(plain.entryAfter?.savanna?.lock.finalityDigest == .zero)
        #expect(plain.notes.contains { $0.contains("finality_digest: zero") })
        #expect(plain.notes.contains { $0.contains("had no lock") })
    }

    @Test("resetting an entry of a v0 file keeps v0 and its forked flag")
    func resetKeepsV0() throws {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile(.savannaV0))
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(2).text, inputs: Fixture.inputs(5190))
        #expect(plan.afterBytes.count == 24 + 234 * 3)
        let after = try SafetyFileReader.decode(plan.afterBytes, options: .init(checkKeys: true))
        #expect(after.format == .savannaV0)
        #expect(after.entries[1].savanna?.votesForkedSinceLatestStrongVote == true)
        #expect(entryBytes(plan.afterBytes, 0, .savannaV0) == entryBytes(bytes, 0, .savannaV0))
        #expect(plan.diff.entries[1].fields.contains { $0.name == "votes_forked_since_latest_strong_vote" && !$0.changed })
        // What nodeos derives on load matches the plan's entry.
        #expect(after.entries[1] == plan.entryAfter)
    }

    @Test("deleting an entry keeps the other entries' bytes and order, and says nodeos recreates it at LIB")
    func delete() throws {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile())
        let plan = try Planner.delete(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(1).text)
        #expect(plan.afterBytes.count == 24 + 237 * 2 + 4)
        #expect(entryBytes(plan.afterBytes, 0, .savannaV1) == entryBytes(bytes, 1, .savannaV1))
        #expect(entryBytes(plan.afterBytes, 1, .savannaV1) == entryBytes(bytes, 2, .savannaV1))
        #expect(plan.notes.contains { $0.contains("nodeos recreates it at its next start as {empty last vote, lock = its own LIB") })
        #expect(plan.warnings.contains { $0.kind == .lastVoteMovesBack })
        #expect(plan.warnings.contains { $0.kind == .entryRemoved })
        #expect(plan.diff.entries.first { $0.kind == .removed }?.key == Fixture.key(1))
        #expect(plan.entryAfter == nil)
    }

    @Test("deleting with a LIB source says by how much the lock moves back")
    func deleteWithLIB() throws {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile())
        let plan = try Planner.delete(
            bytes: bytes, path: "/x/safety.dat", key: Fixture.key(1).text, lib: try LIBDecision.forPlan([Fixture.lib(5190)], choice: nil, reason: nil))
        #expect(plan.warnings.contains { $0.message.contains("from block 5,210 to LIB 5,190 (20 blocks, 20s)") })
    }

    @Test("deleting an entry of a v0 file keeps v0")
    func deleteKeepsV0() throws {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile(.savannaV0))
        let plan = try Planner.delete(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(3).text)
        #expect(plan.afterBytes.count == 24 + 234 * 2)
        #expect(Array(plan.afterBytes[8..<16]) == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("the proposal id is sha256(sha256(block_id ‖ u8 2) ‖ final_on_qc) (vector computed with Python's hashlib)")
    func proposalID() {
        let p = ProposalID(blockID: Fixture.id(5190, fill: 0xCD))
        #expect(p.inner.hex == "8e33e3e88af90e9e9d6cfeb8b86ede2de7ef38cf3be9769645ed39d7dd02dd66")
        #expect(p.id.hex == "09ef7e0e61dbae6ed1b652df76c94f6ce784b522f3432caed2fa44391cb7a662")
        let q = ProposalID(blockID: Fixture.id(5190, fill: 0xCD), finalOnQC: Bytes32([UInt8](repeating: 0x77, count: 32)))
        #expect(q.id.hex == "e5718559af3464c28e4195d0cc11e5b127c72c4e2e65b811c92473583aa322e9")
    }

    @Test("a HotStuff reset sets _vheight to {LIB, 2} and _b_lock to the proposal id of LIB")
    func hotStuffReset() throws {
        let bytes = SafetyFileWriter.encode(Fixture.hotStuffFile())
        let plan = try Planner.reset(bytes: bytes, path: "/x/safety_db.dat", key: Fixture.key(2).text, inputs: Fixture.inputs(5190))
        let h = try #require(plan.entryAfter?.hotStuff)
        #expect(h.vheight == VHeight(bheight: 5190, pcounter: 2))
        #expect(h.bLock.hex == "09ef7e0e61dbae6ed1b652df76c94f6ce784b522f3432caed2fa44391cb7a662")
        #expect(plan.proposal?.finalOnQC == .zero)
        #expect(plan.notes.contains { $0.contains("final_on_qc") })
        #expect(plan.warnings.contains { $0.kind == .vheightMovesBack && $0.message.contains("(40 blocks") })
        #expect(plan.warnings.contains { $0.kind == .bLockReplaced })
        // The other entry, and its 144-byte key as found on disk, are untouched.
        let headerSize = 9
        #expect(plan.afterBytes[headerSize..<headerSize + 181] == bytes[headerSize..<headerSize + 181])
        #expect(plan.afterBytes.count == bytes.count)
        #expect(plan.diff.entries[1].fields.map(\.alias).contains("lock (a proposal id)"))
    }

    @Test("a HotStuff reset takes --final-on-qc or an explicit --b-lock, not both")
    func hotStuffOptions() throws {
        let bytes = SafetyFileWriter.encode(Fixture.hotStuffFile())
        var inputs = Fixture.inputs(5190)
        inputs.finalOnQC = Bytes32([UInt8](repeating: 0x77, count: 32))
        let q = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: inputs)
        #expect(q.entryAfter?.hotStuff?.bLock.hex == "e5718559af3464c28e4195d0cc11e5b127c72c4e2e65b811c92473583aa322e9")
        inputs.bLock = Bytes32([UInt8](repeating: 0x42, count: 32))
        #expect(throws: EngineError.self) { try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: inputs) }
        inputs.finalOnQC = nil
        let b = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: inputs)
        #expect(b.entryAfter?.hotStuff?.bLock == inputs.bLock)
        #expect(b.proposal == nil)
        var wrong = Fixture.inputs(5190)
        wrong.finalityDigest = .zero
        #expect(throws: EngineError.self) { try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: wrong) }
    }

    @Test("HotStuff options on a Savanna file are a usage error")
    func savannaRejectsHotStuffOptions() {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile())
        var inputs = Fixture.inputs(5190)
        inputs.bLock = .zero
        #expect(throws: EngineError.self) { try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(1).text, inputs: inputs) }
    }

    @Test("restoring an older backup flags every last vote and lock that moves backwards")
    func restoreBackwards() throws {
        let old = SafetyFileWriter.encode(Fixture.savannaFile())
        var newer = Fixture.savannaFile()
        newer.entries[0] = Fixture.savanna(key: 1, vote: 6000, lock: 5990)
        let current = SafetyFileWriter.encode(newer)
        let plan = try Planner.restore(bytes: current, path: "/x/safety.dat", backup: old, backupPath: "/x/backups/b.bak")
        #expect(plan.afterBytes == old)
        #expect(plan.warnings.contains { $0.message.contains("the last vote moves back from block 6,000") && $0.message.contains("(770 blocks, 12m 50s)") })
        #expect(plan.warnings.contains { $0.message.contains("the lock moves back from block 5,990 to 5,210 (780 blocks, 13m)") })
        #expect(plan.diff.changedCount == 1)
    }

    @Test("restoring over a corrupted file works; a corrupted backup is refused")
    func restoreOverCorrupt() throws {
        let good = SafetyFileWriter.encode(Fixture.savannaFile())
        var bad = good
        bad[bad.count - 1] ^= 0xFF
        let plan = try Planner.restore(bytes: bad, path: "/x", backup: good, backupPath: "/b")
        #expect(plan.notes.contains { $0.contains("not one nodeos loads") })
        #expect(throws: EngineError.self) { try Planner.restore(bytes: good, path: "/x", backup: bad, backupPath: "/b") }
        #expect(throws: EngineError.self) { try Planner.reset(bytes: bad, path: "/x", key: Fixture.key(1).text, inputs: Fixture.inputs(1)) }
    }

    @Test("LIB sources that disagree are listed, never merged; a choice needs a reason, and the plan and audit keep both")
    func libDisagreement() throws {
        let a = Fixture.lib(5190, source: .blocksLog(path: "/d/blocks/blocks.log"))
        let b = Fixture.lib(5200, source: .api(url: "http://127.0.0.1:8888"))
        do {
            _ = try LIBDecision.forPlan([a, b], choice: nil, reason: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("1. blocks.log /d/blocks/blocks.log"))
            #expect(error.description.contains("2. node API http://127.0.0.1:8888"))
            #expect(error.description.contains("--lib-reason"))
            #expect(error.status == .usage)
        }
        #expect(throws: EngineError.self) { try LIBDecision.forPlan([a, b], choice: 1, reason: nil) }
        let c = try LIBDecision.forPlan([a, b], choice: 1, reason: "the API node is ours and in sync")
        let plan = try Planner.reset(
            bytes: SafetyFileWriter.encode(Fixture.savannaFile()), path: "/x", key: Fixture.key(3).text, inputs: ResetInputs(lib: c))
        #expect(plan.entryAfter?.savanna?.lock.blockNumber == 5200)
        #expect(plan.warnings.contains { $0.kind == .libSourcesDisagree && $0.message.contains("because: the API node is ours") })
        let fields = AuditLog.record(plan: plan, backup: "/b", context: Fixture.context()) + [("prev_sha256", JSON.string(""))]
        let lib = try #require(AuditRecord.decode(Array(JSON.object(fields).serialized().utf8))?.lib)
        #expect(lib.reason == "the API node is ours and in sync")
        #expect(lib.alternatives?.count == 1)
        #expect(try LIBDecision.forPlan([a, a], choice: nil, reason: nil).chosen == a)
        #expect(throws: EngineError.self) { try LIBDecision.forPlan([], choice: nil, reason: nil) }
    }

    @Test("decoding the planned bytes gives exactly the planned entries (plan ∘ decode round trip)")
    func planRoundTrip() throws {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile())
        for k: UInt64 in 1...3 {
            let plan = try Planner.reset(bytes: bytes, path: "/x", key: Fixture.key(k).text, inputs: Fixture.inputs(5190))
            let decoded = try SafetyFileReader.decode(plan.afterBytes, options: .init(checkKeys: true))
            #expect(decoded.entries[Int(k) - 1] == plan.entryAfter)
            #expect(SafetyFileWriter.encode(decoded) == plan.afterBytes)
        }
    }
}

@Suite("Diff of two files, key by key")
struct DiffTests {
    @Test("reordered entries are unchanged keys in a new order")
    func reordered() {
        let a = Fixture.savannaFile()
        var b = a
        b.entries.reverse()
        let d = FileDiff.compare(old: a, new: b)
        #expect(d.changedCount == 0)
        #expect(d.orderChanged)
        #expect(!d.isIdentical)
    }

    @Test("removed and added keys are reported, with the removal warned about")
    func addedRemoved() {
        let a = Fixture.savannaFile()
        var b = a
        b.entries.remove(at: 0)
        b.entries.append(Fixture.savanna(key: 9, vote: 1, lock: 1))
        let d = FileDiff.compare(old: a, new: b)
        #expect(d.entries.filter { $0.kind == .removed }.map(\.key) == [Fixture.key(1)])
        #expect(d.entries.filter { $0.kind == .added }.map(\.key) == [Fixture.key(9)])
        #expect(d.warnings.contains { $0.kind == .entryRemoved })
        #expect(d.json.serialized().contains("\"change\":\"added\""))
    }

    @Test("a v0 file against its v1 conversion: format change, same keys")
    func formatChange() {
        let a = Fixture.savannaFile(.savannaV0)
        let d = FileDiff.compare(old: a, new: a.convertedToSavannaV1(sortedByKey: false))
        #expect(d.warnings.contains { $0.kind == .formatChanges })
        #expect(d.entries.allSatisfy { $0.kind != .added && $0.kind != .removed })
    }
}

@Suite("KEY: full text or any unique part")
struct KeyMatchTests {
    let file = Fixture.savannaFile()

    @Test("the full PUB_BLS_ text, a unique part of it, or a unique part of the hex")
    func matches() throws {
        #expect(try KeyMatch.find(Fixture.key(2).text, in: file) == 1)
        let text = Fixture.key(3).text
        let part = String(text.dropFirst(30).prefix(20))
        #expect(try KeyMatch.find(part, in: file) == 2)
        let hex = Hex.encode(Fixture.keyBytes(1)).uppercased()
        #expect(try KeyMatch.find(String(hex.prefix(40)), in: file) == 0)
    }

    @Test("an ambiguous part is an error listing the candidates")
    func ambiguous() {
        do {
            _ = try KeyMatch.find("PUB_BLS_", in: file)
            Issue.record("expected an error")
        } catch {
            #expect(error.status == .usage)
            #expect(error.description.contains("matches 3 keys"))
            #expect(error.description.contains(Fixture.key(1).text))
            #expect(error.description.contains(Fixture.key(3).text))
        }
    }

    @Test("no match is an error; a duplicated key counts once and its first entry wins")
    func noneAndDuplicates() throws {
        #expect(throws: EngineError.self) { try KeyMatch.find("zzzz-not-there", in: file) }
        var dup = file
        dup.entries.append(dup.entries[1])
        #expect(try KeyMatch.find(Fixture.key(2).text, in: dup) == 1)
        #expect(try KeyMatch.find(String(Fixture.key(2).text.suffix(30)), in: dup) == 1)
    }
}
