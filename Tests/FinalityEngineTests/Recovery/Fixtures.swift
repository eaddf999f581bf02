import BLS12381
import Foundation
import FinalityFormat
@testable import FinalityEngine

/// Documented inputs for recovery fixtures: keys k·G1 (while the BLS module is a stub,
/// whose multiples are all zero, a byte pattern stands in), block ids whose first 4 bytes
/// are the block number, and timestamps two slots per block.
enum Fixture {
    /// Real arithmetic present (after the BLS branch lands): keys are valid points and
    /// HotStuff files decode.
    static let blsIsReal: Bool = G1.generatorMultipleAffineLE(1).contains { $0 != 0 }

    static func keyBytes(_ k: UInt64) -> [UInt8] {
        if blsIsReal { return G1.generatorMultipleAffineLE(k) }
        return pattern(seed: k, count: 96)
    }

    /// Distinct pseudo-random bytes per seed (a 64-bit LCG), so no two keys share long runs.
    static func pattern(seed: UInt64, count: Int) -> [UInt8] {
        var x = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return (0..<count).map { _ in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: x >> 56)
        }
    }

    static func key(_ k: UInt64) -> BLSPublicKey { BLSPublicKey(bytes: keyBytes(k)) }

    /// Block `n`'s id: number big-endian, then a filler byte.
    static func id(_ n: UInt32, fill: UInt8 = 0xAB) -> Bytes32 {
        var b = [UInt8](repeating: fill, count: 32)
        b[0] = UInt8(n >> 24); b[1] = UInt8(truncatingIfNeeded: n >> 16); b[2] = UInt8(truncatingIfNeeded: n >> 8); b[3] = UInt8(truncatingIfNeeded: n)
        return Bytes32(b)
    }

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
        let affine = keyBytes(k)
        if let j = affine.withUnsafeBytes({ G1.jacobianMontgomeryLE(fromAffineLE: $0) }) { return j }
        return pattern(seed: k &+ 1000, count: 144)
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

    /// A fresh directory laid out like a data dir: `<tmp>/data/finalizers/safety.dat`.
    static func dataDir(_ file: SafetyFile) throws -> (dir: String, file: String) {
        let base = FileManager.default.temporaryDirectory.path + "/finality-recovery-\(UUID().uuidString)"
        let dir = base + "/data"
        try FileManager.default.createDirectory(atPath: dir + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        let path = dir + "/finalizers/safety.dat"
        try Data(SafetyFileWriter.encode(file)).write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    static func read(_ path: String) -> [UInt8] { (try? FileBytes.read(path)) ?? [] }

    static func context(_ time: Date = Date(timeIntervalSince1970: 1_790_000_000)) -> AuditContext {
        AuditContext(time: time, user: "tester", uid: 0, ssh: "10.0.0.1 5555 10.0.0.2 22", sudoUser: nil, host: "test", toolVersion: "test")
    }
}
