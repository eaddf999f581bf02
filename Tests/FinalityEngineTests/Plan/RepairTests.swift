import BLS12381
import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

@Suite("Repair: a damaged or missing file becomes one nodeos loads, every configured key present, no last vote below its evidence")
struct RepairTests {
    /// Every check a repair must pass, whatever the damage.
    @discardableResult
    func check(_ damaged: [UInt8], absent: Bool = false, evidence: EvidenceSet = EvidenceSet(now: Damage.now), _ label: String) throws -> Plan {
        let salvage = DamagedFile.read(damaged, absent: absent)
        let plan = try Planner.repair(bytes: damaged, path: "/d/finalizers/safety.dat", salvage: salvage, inputs: Damage.inputs(evidence))
        #expect(plan.action == .repair)
        // 1. The loader accepts the result, in the current version.
        let v = SafetyFileReader.verify(plan.afterBytes)
        #expect(v.errors.isEmpty, "\(label): \(v.errors)")
        let file = try #require(v.file)
        #expect(file.format == .savannaV1)
        // 2. Every configured key exactly once, locked on LIB.
        for k in Damage.configured {
            let matches = file.entries.filter { $0.key == Fixture.key(k) }
            #expect(matches.count == 1, "\(label): key \(k)")
            #expect(matches.first?.savanna?.lock.blockID == Damage.lib.lib.blockID, "\(label): key \(k) lock")
        }
        // 3. No last vote below any evidence of it that is not in the future, gathered here
        //    independently: what the damaged bytes still say, backups, the network, LIB.
        for k in Damage.configured {
            let key = Fixture.key(k)
            var times = [Damage.lib.lib.timestamp]
            times += salvage.entries.filter { $0.entry.key == key }.compactMap { $0.entry.savanna?.lastVote }.filter { !$0.isEmpty }.map(\.timestamp)
            for b in evidence.backups { if let i = b.file.index(of: key), let v = b.file.entries[i].savanna?.lastVote, !v.isEmpty { times.append(v.timestamp) } }
            for n in evidence.network { if let t = n.vote(for: key) { times.append(t.timestamp) } }
            let ceiling = times.filter { $0 <= Damage.now }.max()!
            let written = try #require(file.entries.first { $0.key == key }?.savanna)
            #expect(written.lastVote.timestamp >= ceiling, "\(label): key \(k) last vote \(written.lastVote.timestamp) below evidence \(ceiling)")
            let b = CandidateBlock(timestamp: ceiling, latestQCTime: BlockTimestamp(slot: UInt32.max), extendsLock: true, extendsLastVote: true)
            #expect(VoteRules.decide(written, on: b).kind == .none, "\(label): key \(k) would vote at its evidence's time")
        }
        // 4. Every entry that read cleanly and belongs to a key the node does not use is kept as it was.
        for s in salvage.entries where s.clean && !Damage.configured.map(Fixture.key).contains(s.entry.key) {
            #expect(file.entries.contains { $0.key == s.entry.key && $0.savanna?.lastVote == s.entry.savanna?.lastVote && $0.savanna?.lock == s.entry.savanna?.lock }, "\(label)")
        }
        // 5. The review lists every configured key with what was recovered and from where.
        let text = reviewText(plan)
        for k in Damage.configured { #expect(text.contains(Fixture.key(k).shortText(40)), "\(label): key \(k) in the review") }
        #expect(text.contains("Repair of a damaged file:"))
        #expect(text.contains("after: votes on the first block after"))
        return plan
    }

    @Test("an empty file")
    func empty() throws {
        let plan = try check([], "empty")
        #expect(plan.repair?.keys.filter { $0.outcome.hasPrefix("created") }.count == 5)
    }

    @Test("a zero-filled file (delayed allocation after a power cut), and a zeroed page inside a file")
    func zeroed() throws {
        let good = try Damage.fixture("v1-five-entries.dat")
        try check([UInt8](repeating: 0, count: good.count), "zero-filled")
        var hole = good
        for i in 512..<1024 { hole[i] = 0 }
        try check(hole, "zeroed sector 512..<1024")
    }

    @Test("torn: a rewrite in place that reached the disk only up to a sector or page boundary (CRC mismatch)")
    func torn() throws {
        let old = try Damage.fixture("v1-five-entries.dat")
        let new = try Damage.advanced(old, by: 12)
        for boundary in [512, 1024] {
            let torn = Array(new[0..<boundary] + old[boundary...])
            #expect(!SafetyFileReader.verify(torn).errors.isEmpty)
            let plan = try check(torn, "torn at \(boundary)")
            // The newer values that reached the disk count as evidence: key 1 (entry 0, before the tear).
            let k1 = try #require(SafetyFileReader.decode(plan.afterBytes).entries.first { $0.key == Fixture.key(1) }?.savanna)
            #expect(k1.lastVote.blockNumber == 400_000_222)
        }
        // A file spanning pages, torn at 4096 the way a page-cache writeback can leave it.
        let bigOld = Damage.big(40)
        let bigNew = Damage.big(40, voteAt: 400_000_230)
        try check(Array(bigNew[0..<4096] + bigOld[4096...]), "40 entries torn at 4096")
    }

    @Test("truncated mid-entry")
    func truncated() throws {
        let good = try Damage.fixture("v1-five-entries.dat")
        try check(Array(good[0..<(24 + 237 * 2 + 100)]), "truncated in entry 2")
        try check(Array(good[0..<30]), "truncated in the first entry")
    }

    @Test("garbage after a readable header")
    func garbage() throws {
        let good = try Damage.fixture("v1-five-entries.dat")
        var rng = SplitMix(seed: 7)
        try check(Array(good[0..<24]) + (0..<(good.count - 24)).map { _ in UInt8.random(in: 0...255, using: &rng) }, "garbage after the header")
    }

    @Test("a missing file: every configured key gets its vote floor instead of nodeos's empty last vote")
    func absent() throws {
        let set = EvidenceSet(network: [Evidence.api("http://n", [Evidence.vote(2, block: 0)].map { v in
            var v = v
            v.blockID = Damage.blockID(400_000_230)
            v.blockNumber = 400_000_230
            v.timestamp = Damage.slot(400_000_230)
            return v
        })], now: Damage.now)
        let plan = try check([], absent: true, evidence: set, "absent")
        #expect(plan.notes.contains { $0.hasPrefix("the file does not exist") })
        let k2 = try #require(SafetyFileReader.decode(plan.afterBytes).entries.first { $0.key == Fixture.key(2) }?.savanna)
        #expect(k2.lastVote.blockNumber == 400_000_230)
    }

    @Test("a backup and the network's tracked votes raise the floor above what the damaged file still says")
    func evidenceFromElsewhere() throws {
        let good = try Damage.fixture("v1-five-entries.dat")
        let backup = try SafetyFileReader.decode(try Damage.advanced(good, by: 30))
        let set = EvidenceSet(backups: [BackupEvidence(path: "/d/finalizers/backups/safety.dat.x.bak", file: backup)], now: Damage.now)
        let plan = try check([UInt8](repeating: 0, count: good.count), evidence: set, "zeroed with a backup")
        let k3 = try #require(plan.voteFloors.first { $0.key == Fixture.key(3) })
        #expect(k3.chosen.source == .backup(path: "/d/finalizers/backups/safety.dat.x.bak"))
        #expect(k3.lastVote.blockNumber == 400_000_239)
    }

    @Test("a salvaged lock newer than LIB moves back to LIB: warned, and listed as lost")
    func lockMovesBack() throws {
        let old = try Damage.fixture("v1-five-entries.dat")
        var torn = old
        torn[torn.count - 1] ^= 0xFF  // bad CRC, entries intact
        let plan = try check(torn, "bad CRC")
        #expect(plan.warnings.contains { $0.kind == .lockMovesBack && $0.message.contains("400,000,208") })
        #expect(plan.repair?.keys.first { $0.key == Fixture.key(1) }?.lost.contains { $0.contains("replaced by LIB") } == true)
        // The inactive key 5 read cleanly and is kept as it was.
        #expect(plan.repair?.keys.first { $0.key == Fixture.key(5) }?.outcome == "inactive (not configured): kept as read")
    }

    @Test("refused: a file that loads, unknown keys, a HotStuff file")
    func refusals() throws {
        let good = try Damage.fixture("v1-five-entries.dat")
        #expect(throws: EngineError.self) {
            try Planner.repair(bytes: good, path: "/x", salvage: DamagedFile.read(good), inputs: Damage.inputs(EvidenceSet(now: Damage.now)))
        }
        var unknown = Damage.inputs(EvidenceSet(now: Damage.now))
        unknown.keys = NodeKeys(keys: [], looked: ["/nowhere"], source: nil, otherProviders: 0)
        do {
            _ = try Planner.repair(bytes: [], path: "/x", salvage: DamagedFile.read([]), inputs: unknown)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description.contains("--config-dir"))
        }
        var hs = try Damage.fixture("hotstuff-three-entries.dat")
        hs[hs.count - 1] ^= 1
        let salvage = DamagedFile(format: .hotStuff, entries: [], damage: ["x"])
        #expect(throws: EngineError.self) { try Planner.repair(bytes: hs, path: "/x", salvage: salvage, inputs: Damage.inputs(EvidenceSet(now: Damage.now))) }
    }

    @Test("applied through the one write path: the damaged file is the backup, the audit record says repair")
    func applied() throws {
        let good = try Damage.fixture("v1-five-entries.dat")
        let torn = Array(try Damage.advanced(good, by: 5)[0..<600] + good[600...])
        let base = TemporaryPaths.name("finality-repair") + "/data"
        try FileManager.default.createDirectory(atPath: base + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/state", withIntermediateDirectories: true)
        let path = base + "/finalizers/safety.dat"
        try Data(torn).write(to: URL(fileURLWithPath: path))
        let plan = try Planner.repair(bytes: torn, path: path, salvage: DamagedFile.read(torn), inputs: Damage.inputs(EvidenceSet(now: Damage.now)))
        let result = try Apply.run(plan, location: try Location.resolve(base), options: ApplyOptions(context: Fixture.context()))
        #expect(Fixture.read(path) == plan.afterBytes)
        #expect(Fixture.read(result.backupPath) == torn)
        let record = try #require(AuditRecord.decode(Array(result.auditLine.utf8)))
        #expect(record.action == "repair")
        #expect(record.sha256Before == plan.beforeSHA256.hex)
        #expect(SafetyFileReader.verify(Fixture.read(path)).errors.isEmpty)
    }
}
