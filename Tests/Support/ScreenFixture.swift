import BLS12381
import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalitySamples

/// Documented inputs for every screen test (the engine's and the commands' are `Fixture`).
/// Keys are real BLS12-381 points k·G1 (k = the seed), so HotStuff keys convert and nodeos's
/// key checks pass.
public enum ScreenFixture {
    /// 2026-11-21T12:00:00Z, the LIB's time.
    public static let libSlot: UInt32 = 1_697_155_200
    public static let libNumber: UInt32 = 5_210

    /// A block id whose first 4 bytes are the number (big-endian), the rest a pattern.
    public static func blockID(_ number: UInt32, salt: UInt8 = 0xA0) -> Bytes32 {
        var b = [UInt8(number >> 24), UInt8((number >> 16) & 0xFF), UInt8((number >> 8) & 0xFF), UInt8(number & 0xFF)]
        for i in 0..<28 { b.append(salt &+ UInt8(i) &* 7) }
        return Bytes32(b)
    }

    public static func digest(_ seed: UInt8) -> Bytes32 { Bytes32((0..<32).map { seed &+ UInt8($0) &* 3 }) }

    public static func key(_ seed: UInt8) -> BLSPublicKey { SampleKeys.key(UInt64(seed)) }

    /// Block `number`, produced `behind` slots before LIB time (one slot per block).
    public static func ref(_ number: UInt32, salt: UInt8 = 0xA0) -> BlockRef {
        BlockRef(
            blockID: blockID(number, salt: salt),
            timestamp: BlockTimestamp(slot: libSlot &+ number &- libNumber), finalityDigest: digest(UInt8(number & 0xFF)))
    }

    public static let lib = LIBReading(
        lib: LIB(blockID: blockID(libNumber), timestamp: BlockTimestamp(slot: libSlot)),
        source: .blocksLog(path: "/srv/node/data/blocks/blocks.log"),
        details: ["last block of blocks.log (version 3)", "log ends at offset 0x51D2A0"])

    public static let apiLIB = LIBReading(
        lib: LIB(blockID: blockID(5_190), timestamp: BlockTimestamp(slot: libSlot - 20)),
        source: .api(url: "http://127.0.0.1:8888"), details: ["HTTP 200"])

    /// Four keys, four stories:
    /// 0 healthy: voted on 5,212, locked on 5,210 (= LIB);
    /// 1 lock behind LIB: voted 5,200, locked 5,190;
    /// 2 never voted, no lock (a key added by hand);
    /// 3 inactive: last vote and lock 30 minutes (3,600 blocks) before LIB.
    public static func savannaFile(format: SafetyFormat = .savannaV1) -> SafetyFile {
        let v0 = format == .savannaV0
        func s(_ vote: BlockRef, _ lock: BlockRef) -> SafetyEntry.State {
            .savanna(SavannaSafety(lastVote: vote, lock: lock, votesForkedSinceLatestStrongVote: v0 ? false : nil))
        }
        return SafetyFile(
            format: format,
            entries: [
                SafetyEntry(key: key(1), state: s(ref(5_212), ref(5_210))),
                SafetyEntry(key: key(2), state: s(ref(5_200), ref(5_190))),
                SafetyEntry(key: key(3), state: s(.empty, .empty)),
                SafetyEntry(key: key(4), state: s(ref(5_210 - 3_600 + 2), ref(5_210 - 3_600))),
            ])
    }

    public static func hotStuffFile() -> SafetyFile {
        func e(_ seed: UInt8, _ h: UInt32, _ p: UInt8, _ lock: Bytes32) -> SafetyEntry {
            SafetyEntry(
                key: key(seed), state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: h, pcounter: p), bLock: lock)))
        }
        return SafetyFile(format: .hotStuff, entries: [e(1, 5_212, 2, digest(9)), e(2, 5_100, 1, digest(11)), e(3, 0, 0, .zero)])
    }

    /// The node's keys as config.ini gives them: keys 1, 2 and 3 (4 is inactive) and 7,
    /// which has no entry. The private parts are never read (NodeConfig keeps the public part).
    public static let nodeKeys: NodeKeys = {
        var ini = "# the node\n"
        for k: UInt8 in [1, 2, 3, 7] { ini += "signature-provider = \(key(k).text)=KEY:\(plantedSecret)\n" }
        let r = NodeConfig.keys(configINI: Array(ini.utf8), path: "/srv/node/config/config.ini")
        return NodeKeys(
            keys: r.keys, looked: ["/srv/node/config/config.ini (config/ beside the data dir): 4 finalizer keys"],
            source: "config.ini /srv/node/config/config.ini (config/ beside the data dir)", otherProviders: r.others)
    }()

    /// No nodeos configuration found: "inactive?" stays a guess from time.
    public static let noNodeKeys = NodeKeys(
        keys: [], looked: ["/root/.local/share/eosio/nodeos/config/config.ini (nodeos's default config dir): not readable or no such file"], source: nil)

    /// A private key in the config: it must never reach a screen, a report or a record.
    public static let plantedSecret = "PVT_BLS_PlantedScreenSecretNeverShow_0a1b2c3d4e5f"

    public static let location = Location(file: "/srv/node/data/finalizers/safety.dat", dataDir: "/srv/node/data")

    public static func snapshot(_ file: SafetyFile, path: String = location.file, writable: Bool = true, nodeRunning: String? = nil, corruptCRC: Bool = false) -> FileSnapshot {
        var bytes = SafetyFileWriter.encode(file)
        if corruptCRC { bytes[bytes.count - 1] ^= 0xFF }
        let loaded = LoadedFile(location: location, bytes: bytes)
        return FileSnapshot(
            path: path, byteCount: bytes.count, sha256: loaded.sha256,
            verification: SafetyFileReader.verify(bytes), writable: writable, nodeRunning: nodeRunning)
    }

    /// The state after the file and LIB were read.
    public static func state(
        size: Size = .minimum, file: SafetyFile = savannaFile(), readOnly: Bool = false, corruptCRC: Bool = false, nodeRunning: String? = nil,
        apiAnswer: Result<LIBReading, EngineError> = .failure(.io(path: "http://127.0.0.1:8888", operation: "connect", reason: "Connection refused")),
        nodeKeys: NodeKeys = noNodeKeys, bytes: [UInt8]? = nil
    ) -> AppState {
        // As the executable starts it: the operator's working directory and HOME (the case
        // report goes there).
        var s = AppState(location: location, readOnly: readOnly, size: size, workingDirectory: "/home/operator", home: "/home/operator")
        _ = Core.start(&s)
        if let bytes {
            let loaded = LoadedFile(location: location, bytes: bytes)
            _ = Core.update(
                &s,
                .fileLoaded(
                    .success(
                        FileSnapshot(
                            path: location.file, byteCount: bytes.count, sha256: loaded.sha256, verification: SafetyFileReader.verify(bytes),
                            writable: true))))
        } else {
            _ = Core.update(&s, .fileLoaded(.success(snapshot(file, nodeRunning: nodeRunning, corruptCRC: corruptCRC))))
        }
        _ = Core.update(&s, .nodeKeysRead(nodeKeys))
        _ = Core.update(
            &s,
            .libRead([
                LIBAnswer(request: .blocksDir("/srv/node/data/blocks"), result: .success(lib)),
                LIBAnswer(request: .api("http://127.0.0.1:8888", timeoutSeconds: 2), result: apiAnswer),
            ]))
        return s
    }

    public static let backups = HistoryListing(
        backups: [
            BackupRow(
                path: "/srv/node/data/finalizers/backups/safety.dat.20261121T115802Z.5f1e0a9c3b2d.bak", modified: "2026-11-21 11:58:02",
                byteCount: 976, sha256: "5f1e0a9c3b2d4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7",
                note: "sha256 5f1e0a9c3b2d4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7; nodeos will load this file"),
            BackupRow(
                path: "/srv/node/data/finalizers/backups/safety.dat.20261120T091540Z.a0b1c2d3e4f5.bak", modified: "2026-11-20 09:15:40",
                byteCount: 976, sha256: "a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f",
                note: "sha256 a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f; nodeos will load this file"),
        ],
        records: [
            AuditRecordInfo(
                time: "2026-11-20 09:15:41", who: "alice (ssh 10.0.0.5)", action: "reset", key: "PUB_BLS_Tg-_KVWMmsNCf…",
                summary: "line 1: SHA-256 a0b1c2d3e4f5… → 5f1e0a9c3b2d…"),
            AuditRecordInfo(
                time: "2026-11-21 11:58:03", who: "bob", action: "delete", key: "PUB_BLS_JFJOAsnA0pab…",
                summary: "line 2: SHA-256 5f1e0a9c3b2d… → 78d7c3d73811…"),
        ],
        auditPath: "/srv/node/data/finalizers/safety.dat.audit.jsonl",
        problems: ["the current file is not what the last record left: changed outside finality, or a change was interrupted"])

    /// The plan the engine would show for resetting entry 1 to LIB 5,210.
    public static func resetPlan(_ state: AppState) -> PlanPreview {
        let before = savannaFile()
        var after = before
        after.entries[1].state = .savanna(SavannaSafety(lastVote: .empty, lock: BlockRef(blockID: lib.lib.blockID, timestamp: lib.lib.timestamp)))
        let request = ChangeRequest(
            .reset(key: before.entries[1].key.text), path: location.file, lib: .readings(state.lib.readings), libChoice: 0,
            expectedSHA256: state.file!.sha256!)
        let diff = FileDiff.compare(old: before, new: after)
        return PlanPreview(
            id: 7, request: request, rows: DiffRows.from(diff), warnings: diff.warnings.map(\.message),
            notes: ["LIB: block 5210 at 2026-11-21T12:00:00.000Z, from blocks.log /srv/node/data/blocks/blocks.log"],
            checks: [
                CheckRow(name: "lock on /srv/node/data/state/shared_memory.bin", outcome: .clear, detail: "not locked: no nodeos holds this data dir's state"),
                CheckRow(name: "processes using the file or data dir", outcome: .clear, detail: "no nodeos process"),
            ],
            confirmation: .forKey(before.entries[1].key))
    }
}

extension ScreenFixture {
    /// The fixture file cut in the middle of entry 2 (what an in-place rewrite without
    /// fsync can leave): entries 0 and 1 read, nodeos refuses it.
    public static let truncatedBytes: [UInt8] = Array(SafetyFileWriter.encode(savannaFile()).prefix(24 + 237 * 2 + 50))

    /// The engine's own repair plan for the state's file (the review the wizard shows),
    /// with the node's keys 1, 2, 3 and 7 and LIB 5,210 from blocks.log.
    public static func repairPlan(_ state: AppState, id: Int = 9) -> PlanPreview {
        let bytes = truncatedBytes
        let choice = try! LIBDecision.forPlan([lib], choice: 0, reason: nil)
        let inputs = RepairInputs(lib: choice, keys: nodeKeys, evidence: EvidenceSet(now: BlockTimestamp(slot: libSlot + 120)))
        let plan = try! Planner.repair(bytes: bytes, path: location.file, salvage: DamagedFile.read(bytes), inputs: inputs)
        let request = ChangeRequest(
            .repair, path: location.file, lib: .readings(state.lib.readings), libChoice: 0, configDir: state.configDir,
            expectedSHA256: state.file!.sha256!)
        let explanation = ReviewExplanation(plan: plan)
        return PlanPreview(
            id: id, request: request, rows: DiffRows.from(plan.diff), warnings: plan.warnings.map(\.message), notes: plan.notes,
            checks: [
                CheckRow(name: "lock on /srv/node/data/state/shared_memory.bin", outcome: .clear, detail: "not locked: no nodeos holds this data dir's state"),
                CheckRow(name: "processes using the file or data dir", outcome: .clear, detail: "no nodeos process"),
            ],
            confirmation: Confirmation(for: plan), nodeosWillDo: explanation.nodeosWillDo, evidence: explanation.voteFloorEvidence,
            recovery: plan.recoveryLines.filter { !$0.isEmpty }, afterSHA256: plan.afterSHA256.hex)
    }
}
