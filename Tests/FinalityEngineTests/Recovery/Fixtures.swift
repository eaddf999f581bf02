import BLS12381
import Foundation
import FinalityFormat
@testable import FinalityEngine
import FinalityTestSupport

/// Documented inputs for recovery fixtures: keys k·G1 and block ids (number big-endian in
/// the first 4 bytes) from the helpers every test target shares (FinalityTestSupport), and
/// timestamps two slots per block.
enum Fixture {
    static func keyBytes(_ k: UInt64) -> [UInt8] { TestKeys.key(k).bytes }

    static func key(_ k: UInt64) -> BLSPublicKey { TestKeys.key(k) }

    /// Block `n`'s id: number big-endian, then a filler byte.
    static func id(_ n: UInt32, fill: UInt8 = 0xAB) -> Bytes32 { TestBlocks.id(n, fill: fill) }

    /// Block `n` at slot 2n (two slots per block = one block per second, for easy sums).
    static func ref(_ n: UInt32, digest: UInt8 = 0) -> BlockRef {
        BlockRef(blockID: id(n), timestamp: BlockTimestamp(slot: n * 2), finalityDigest: Bytes32([UInt8](repeating: digest, count: 32)))
    }

    static func savanna(key k: UInt64, vote: UInt32?, lock: UInt32?, otherBranch: UInt32 = 0, forked: Bool? = nil) -> SafetyEntry {
        SafetyEntry(
            key: key(k),
            state: .savanna(SavannaSafety(
                lastVote: vote.map { ref($0, digest: 0x11) } ?? .empty, lock: lock.map { ref($0, digest: 0x22) } ?? .empty,
                otherBranchLatestTime: BlockTimestamp(slot: otherBranch), votesForkedSinceLatestStrongVote: forked)))
    }

    /// Three keys: 1 voted 5,230 locked 5,210; 2 voted 100 locked 90 (forked); 3 never voted.
    static func savannaFile(_ format: SafetyFormat = .savannaV1, trailing: [UInt8] = []) -> SafetyFile {
        let v0 = format == .savannaV0
        return SafetyFile(
            format: format,
            entries: [
                savanna(key: 1, vote: 5230, lock: 5210, forked: v0 ? false : nil),
                savanna(key: 2, vote: 100, lock: 90, otherBranch: v0 ? 0 : 150, forked: v0 ? true : nil),
                savanna(key: 3, vote: nil, lock: nil, forked: v0 ? false : nil),
            ], trailingBytes: trailing)
    }

    static func hotStuffKeyBytes(_ k: UInt64) -> [UInt8] {
        keyBytes(k).withUnsafeBytes { G1.jacobianMontgomeryLE(fromAffineLE: $0) }!
    }

    static func hotStuffFile() -> SafetyFile {
        SafetyFile(
            format: .hotStuff,
            entries: [1, 2].map { k in
                SafetyEntry(
                    key: key(k),
                    state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: 5230, pcounter: 3), bLock: Bytes32([UInt8](repeating: UInt8(k), count: 32)))),
                    hotStuffKeyBytes: hotStuffKeyBytes(k))
            })
    }

    static func lib(_ n: UInt32, source: LIBSource = .typed) -> LIBReading {
        LIBReading(lib: LIB(blockID: id(n, fill: 0xCD), timestamp: BlockTimestamp(slot: n * 2)), source: source)
    }

    static func inputs(_ n: UInt32) -> ResetInputs { ResetInputs(lib: try! LIBDecision.forPlan([lib(n)], choice: nil, reason: nil)) }

    /// A fresh directory laid out like a data dir: `<tmp>/…/data/finalizers/safety.dat`.
    static func dataDir(_ file: SafetyFile) throws -> (dir: String, file: String) {
        try TestFiles.dataDir(file, prefix: "finality-recovery")
    }

    static func read(_ path: String) -> [UInt8] { TestFiles.read(path) }

    static func context(_ time: Date = Date(timeIntervalSince1970: 1_790_000_000)) -> AuditContext {
        AuditContext(time: time, user: "tester", uid: 0, ssh: "10.0.0.1 5555 10.0.0.2 22", sudoUser: nil, host: "test", toolVersion: "test")
    }
}
