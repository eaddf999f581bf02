import BLS12381
import FinalityFormat
import FinalitySamples
import Foundation

// Memberwise initializers of the engine's evidence and key types are internal.
@testable import FinalityEngine

/// Documented inputs for the engine and command tests: keys k·G1 (`SampleKeys.key`, the
/// samples target's, so nodeos's key checks pass and HotStuff keys convert), block ids
/// with the number big-endian in the first 4 bytes, and timestamps two slots per block.
public enum Fixture {
    public static func keyBytes(_ k: UInt64) -> [UInt8] { key(k).bytes }

    /// k·G1: the tests' one key helper.
    public static func key(_ k: UInt64) -> BLSPublicKey { SampleKeys.key(k) }

    /// Block `n`'s id: the number big-endian in the first 4 bytes (as nodeos's ids), then a filler byte.
    public static func id(_ n: UInt32, fill: UInt8 = 0xAB) -> Bytes32 {
        var b = [UInt8](repeating: fill, count: 32)
        b[0] = UInt8(n >> 24)
        b[1] = UInt8(truncatingIfNeeded: n >> 16)
        b[2] = UInt8(truncatingIfNeeded: n >> 8)
        b[3] = UInt8(truncatingIfNeeded: n)
        return Bytes32(b)
    }

    /// Block `n` at slot 2n (two slots per block = one block per second, for easy sums).
    public static func ref(_ n: UInt32, digest: UInt8 = 0) -> BlockRef {
        BlockRef(blockID: id(n), timestamp: BlockTimestamp(slot: n * 2), finalityDigest: Bytes32([UInt8](repeating: digest, count: 32)))
    }

    public static func savanna(key k: UInt64, vote: UInt32?, lock: UInt32?, otherBranch: UInt32 = 0, forked: Bool? = nil) -> SafetyEntry {
        SafetyEntry(
            key: key(k),
            state: .savanna(SavannaSafety(
                lastVote: vote.map { ref($0, digest: 0x11) } ?? .empty, lock: lock.map { ref($0, digest: 0x22) } ?? .empty,
                otherBranchLatestTime: BlockTimestamp(slot: otherBranch), votesForkedSinceLatestStrongVote: forked)))
    }

    /// Three keys: 1 voted 5,230 locked 5,210; 2 voted 100 locked 90 (forked); 3 never voted.
    public static func savannaFile(_ format: SafetyFormat = .savannaV1, trailing: [UInt8] = []) -> SafetyFile {
        let v0 = format == .savannaV0
        return SafetyFile(
            format: format,
            entries: [
                savanna(key: 1, vote: 5230, lock: 5210, forked: v0 ? false : nil),
                savanna(key: 2, vote: 100, lock: 90, otherBranch: v0 ? 0 : 150, forked: v0 ? true : nil),
                savanna(key: 3, vote: nil, lock: nil, forked: v0 ? false : nil),
            ], trailingBytes: trailing)
    }

    public static func hotStuffKeyBytes(_ k: UInt64) -> [UInt8] {
        keyBytes(k).withUnsafeBytes { G1.jacobianMontgomeryLE(fromAffineLE: $0) }!
    }

    /// HotStuff: keys 1 and 2 at _vheight {5,230, 3}, _b_lock = 32 bytes of the key number.
    public static func hotStuffFile() -> SafetyFile {
        SafetyFile(
            format: .hotStuff,
            entries: [1, 2].map { k in
                SafetyEntry(
                    key: key(k),
                    state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: 5230, pcounter: 3), bLock: Bytes32([UInt8](repeating: UInt8(k), count: 32)))),
                    hotStuffKeyBytes: hotStuffKeyBytes(k))
            })
    }

    /// LIB `n` (id filled with 0xCD, slot 2n), typed by the operator unless said otherwise.
    public static func lib(_ n: UInt32, source: LIBSource = .typed) -> LIBReading {
        LIBReading(lib: LIB(blockID: id(n, fill: 0xCD), timestamp: BlockTimestamp(slot: n * 2)), source: source)
    }

    /// The command line's typed LIB: 5,190 at slot 10,380 (`lib(5190)`).
    public static let libID = id(5190, fill: 0xCD).hex
    public static let libArgs = ["--lib-id", libID, "--lib-slot", "10380"]

    public static func inputs(_ n: UInt32) -> ResetInputs { ResetInputs(lib: try! LIBDecision.forPlan([lib(n)], choice: nil, reason: nil)) }

    /// A fresh directory laid out like a data dir: `<tmp>/…/data/finalizers/safety.dat`.
    public static func dataDir(_ file: SafetyFile = savannaFile()) throws -> (dir: String, file: String) {
        try TestFiles.dataDir(file, prefix: "finality-recovery")
    }

    public static func read(_ path: String) -> [UInt8] { TestFiles.read(path) }

    /// The backups finality made of `file`, oldest first.
    public static func backups(_ file: String) -> [String] { TestFiles.backups(of: file) }

    public static func context(_ time: Date = Date(timeIntervalSince1970: 1_790_000_000)) -> AuditContext {
        AuditContext(time: time, user: "tester", uid: 0, ssh: "10.0.0.1 5555 10.0.0.2 22", sudoUser: nil, host: "test", toolVersion: "test")
    }
}

/// What the review shows of a plan: what nodeos will do, the vote floor's evidence, the plan.
public func reviewText(_ plan: Plan) -> String {
    let e = ReviewExplanation(plan: plan)
    return (e.nodeosWillDo + e.voteFloorEvidence + plan.lines).joined(separator: "\n")
}

/// Evidence of a key's last vote for the vote floor: block n at slot 2n (Fixture.ref),
/// fills tell sources apart.
public enum Evidence {
    public static func vote(_ k: UInt64, block n: UInt32, strong: Bool = true, problems: [String] = []) -> TrackedVote {
        TrackedVote(
            publicKeyText: Fixture.key(k).text, publicKey: Fixture.key(k), description: nil, blockNumber: n,
            blockID: Fixture.id(n, fill: 0x99), timestamp: BlockTimestamp(slot: n * 2), isStrong: strong, policyGeneration: nil,
            problems: problems)
    }

    public static func api(_ url: String, _ votes: [TrackedVote]) -> FinalizerInfo {
        FinalizerInfo(source: .api(url: url), activePolicy: nil, pendingPolicy: nil, votes: votes, elapsedMilliseconds: 1)
    }

    public static func backup(_ path: String, _ entries: [SafetyEntry]) -> BackupEvidence {
        BackupEvidence(path: path, file: SafetyFile(format: .savannaV1, entries: entries))
    }

    public static func inputs(_ lib: UInt32, _ set: EvidenceSet, floor: VoteFloor.Mode = .evidence) -> ResetInputs {
        var i = Fixture.inputs(lib)
        i.evidence = set
        i.voteFloor = floor
        return i
    }

    /// "Now" well after every fixture time (fixture slots are small).
    public static let now = BlockTimestamp(slot: 1_000_000)
}
