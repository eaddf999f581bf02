import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// Issue 9: the audit record carries the vote floor (every piece of evidence with its
/// source, the chosen one) for reset and repair, and a repair's every key before and
/// after; records written before these fields still decode (History, `finality history`).
@Suite("The audit record: vote-floor evidence, a repair's keys before and after, old records")
struct AuditEvidenceTests {
    static func decoded(_ plan: Plan) throws -> AuditRecord {
        let line = JSON.object(AuditLog.record(plan: plan, backup: "/b/backup.bak", context: Fixture.context()) + [("prev_sha256", .string(""))])
            .serialized()
        return try #require(AuditRecord.decode(Array(line.utf8)))
    }

    @Test("reset: every piece of evidence with its source, the chosen one named, decoded by the standard decoder")
    func resetCarriesTheFloor() throws {
        let set = EvidenceSet(
            backups: [Evidence.backup("/b/new.bak", [Fixture.savanna(key: 2, vote: 7000, lock: 6990)])],
            network: [Evidence.api("http://n1:8888", [Evidence.vote(2, block: 6500)])], now: Evidence.now)
        let plan = try Planner.reset(
            bytes: SafetyFileWriter.encode(Fixture.savannaFile()), path: "/x/safety.dat", key: Fixture.key(2).text,
            inputs: Evidence.inputs(5190, set))
        let r = try Self.decoded(plan)
        let floors = try #require(r.voteFloors)
        #expect(floors.count == 1)
        let f = floors[0]
        #expect(f.key == Fixture.key(2).text)
        #expect(f.mode == "evidence")
        #expect(f.evidence.map(\.source) == ["entry", "backup", "network", "lib"])
        #expect(f.evidence.map(\.detail).contains("backup /b/new.bak"))
        #expect(f.evidence.contains { $0.detail.contains("http://n1:8888") && $0.blockNum == 6500 })
        #expect(f.chosenPiece?.source == "backup" && f.chosenPiece?.blockNum == 7000)
        #expect(f.lastVote.blockNum == 7000)
        #expect(f.evidence.allSatisfy { $0.used })
        // The written last vote is the entry after.
        #expect(r.after?.lastVote?.blockNum == 7000)
        #expect(r.keys == nil)
    }

    @Test("repair: each key's before (as read, or absent or unreadable) and after, and each key's vote floor")
    func repairRecordsEveryKey() throws {
        // truncated-entry.dat: entries 0 and 1 (keys 1, 2) read; 3, 4 and 9 configured without a readable entry.
        let bytes = try Damage.fixture("truncated-entry.dat")
        let plan = try Planner.repair(
            bytes: bytes, path: "/d/finalizers/safety.dat", salvage: DamagedFile.read(bytes), inputs: Damage.inputs(EvidenceSet(now: Damage.now)))
        let r = try Self.decoded(plan)
        #expect(r.action == "repair")
        let keys = try #require(r.keys)
        #expect(Set(keys.map(\.key)) == Set(Damage.configured.map { Fixture.key($0).text }))
        let one = try #require(keys.first { $0.key == Fixture.key(1).text })
        // The file ends inside entry 2: entries 0 and 1 have no problem of their own.
        #expect(one.beforeState == "read cleanly")
        #expect(one.before?.lastVote != nil && one.before?.index == 0)
        #expect(one.after?.lock?.blockNum == Damage.libN)
        let nine = try #require(keys.first { $0.key == Fixture.key(9).text })
        #expect(nine.beforeState == "absent or unreadable")
        #expect(nine.before == nil)
        #expect(nine.after?.lastVote?.blockNum == Damage.libN, "no evidence but LIB")
        #expect(nine.lost?.isEmpty == false)
        // Each after entry's index is its place in the written file.
        let written = try SafetyFileReader.decode(plan.afterBytes)
        for k in keys {
            let i = try #require(k.after?.index)
            #expect(written.entries[i].key.text == k.key)
        }
        // And each configured key's vote floor, with its evidence.
        let floors = try #require(r.voteFloors)
        #expect(Set(floors.map(\.key)) == Set(Damage.configured.map { Fixture.key($0).text }))
        for f in floors {
            #expect(f.evidence.last?.source == "lib")
            #expect(f.chosenPiece != nil)
            #expect(keys.first { $0.key == f.key }?.after?.lastVote?.blockNum == f.lastVote.blockNum)
        }
    }

    @Test("a torn file (bad CRC): every entry read is recorded as evidence only, with the reason")
    func tornBeforeState() throws {
        var bytes = try Damage.fixture("v1-five-entries.dat")
        bytes[bytes.count - 1] ^= 0x5A
        let plan = try Planner.repair(
            bytes: bytes, path: "/d/finalizers/safety.dat", salvage: DamagedFile.read(bytes), inputs: Damage.inputs(EvidenceSet(now: Damage.now)))
        let keys = try #require(try Self.decoded(plan).keys)
        let two = try #require(keys.first { $0.key == Fixture.key(2).text })
        #expect(two.beforeState.hasPrefix("read whole, evidence only: the file's CRC does not match"), "\(two.beforeState)")
        #expect(two.before?.lastVote != nil)
    }

    @Test("a record written before these fields decodes; history reads it")
    func oldRecordsStillRead() throws {
        // A reset record as the tool wrote it before issue 9 (no vote_floors, no keys).
        let old = #"{"time":"2026-11-20T09:15:41.000Z","user":"alice","uid":1000,"sudo_user":null,"ssh":null,"host":"n1","action":"reset","file":"/d/finalizers/safety.dat","format":"Savanna v1","key":"PUB_BLS_x","entry_index":1,"before":null,"after":null,"lib":null,"b_lock_inputs":null,"restore_from":null,"sha256_before":"aa","sha256_after":"bb","backup":"/d/b.bak","warnings":[],"overrides":[],"tool_version":"0.1","prev_sha256":""}"#
        let r = try #require(AuditRecord.decode(Array(old.utf8)))
        #expect(r.voteFloors == nil && r.keys == nil)
        #expect(r.action == "reset")
        // A log of an old record then a new one: both read, the chain intact.
        let plan = try Planner.reset(
            bytes: SafetyFileWriter.encode(Fixture.savannaFile()), path: "/x/safety.dat", key: Fixture.key(2).text,
            inputs: Evidence.inputs(5190, EvidenceSet(now: Evidence.now)))
        let prev = AuditLog.sha256Hex(Array(old.utf8))
        let new = JSON.object(AuditLog.record(plan: plan, backup: "/b/2.bak", context: Fixture.context()) + [("prev_sha256", .string(prev))]).serialized()
        let v = AuditLog.verify(bytes: Array((old + "\n" + new + "\n").utf8))
        #expect(v.intact, "\(v.breaks)")
        #expect(v.entries.count == 2)
        #expect(v.entries[0].record.voteFloors == nil)
        #expect(v.entries[1].record.voteFloors?.first?.chosenPiece != nil)
    }

    @Test("finality history reads a log of an old record and a new one, and names each written last vote's evidence")
    func historyReadsBoth() throws {
        let (dir, file) = try Fixture.dataDir(Fixture.savannaFile())
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let old = #"{"time":"2026-11-20T09:15:41.000Z","user":"alice","action":"delete","file":"/d/finalizers/safety.dat","sha256_before":"aa","sha256_after":"bb","backup":"/d/b.bak","prev_sha256":""}"#
        let plan = try Planner.reset(
            bytes: Fixture.read(file), path: file, key: Fixture.key(2).text,
            inputs: Evidence.inputs(5190, EvidenceSet(now: Evidence.now)))
        let new = JSON.object(
            AuditLog.record(plan: plan, backup: "/b/2.bak", context: Fixture.context()) + [("prev_sha256", .string(AuditLog.sha256Hex(Array(old.utf8))))]
        ).serialized()
        try (old + "\n" + new + "\n").write(toFile: AuditLog.path(for: file), atomically: true, encoding: .utf8)
        let h = try FileHistory.read(file: file)
        #expect(h.audit.intact)
        #expect(h.audit.entries.count == 2)
        let text = h.lines.joined(separator: "\n")
        #expect(text.contains("delete"))
        #expect(text.contains("last vote of \(String(Fixture.key(2).text.prefix(24)))…: block #5,190, from LIB"), "\(text)")
    }
}
