import FinalityFormat
import Foundation

// Memberwise initializers of the engine's evidence and key types are internal.
@testable import FinalityEngine

/// The project's fixtures (Fixtures/README.md) and what a repair of them is given: block n
/// has id n big-endian ‖ (7n + i) mod 256 and slot 1,693,612,800 + (n − 400,000,000);
/// keys are k·G1 (`Fixture.key`).
public enum Damage {
    public static func fixture(_ name: String) throws -> [UInt8] { try PackagePaths.fixture(name) }

    public static func slot(_ n: UInt32) -> BlockTimestamp { BlockTimestamp(slot: 1_693_612_800 + n - 400_000_000) }

    public static func blockID(_ n: UInt32, salt: UInt8 = 0) -> Bytes32 {
        var b = withUnsafeBytes(of: n.bigEndian) { Array($0) }
        for i in 4..<32 { b.append(UInt8((Int(n % 256) * 7 + i) % 256) ^ salt) }
        return Bytes32(b)
    }

    public static let libN: UInt32 = 400_000_200
    public static let lib = LIBReading(
        lib: LIB(blockID: blockID(libN, salt: 0x55), timestamp: slot(libN)), source: .blocksLog(path: "/d/blocks/blocks.log"))
    /// 2026-11-30: after every fixture time.
    public static let now = BlockTimestamp(date: Date(timeIntervalSince1970: 1_796_029_319))!

    /// The node votes with 1·G1…4·G1 and 9·G1 (which has no entry in any fixture).
    public static let configured: [UInt64] = [1, 2, 3, 4, 9]
    public static var keys: NodeKeys {
        NodeKeys(
            keys: configured.map { ConfiguredKey(text: Fixture.key($0).text, key: Fixture.key($0), origin: "config.ini /c/config.ini line \($0)", problem: nil) },
            looked: ["/c/config.ini (--config-dir): 5 finalizer keys"], source: "config.ini /c/config.ini (--config-dir)", otherProviders: 0)
    }

    public static func inputs(_ evidence: EvidenceSet, floor: VoteFloor.Mode = .evidence) -> RepairInputs {
        RepairInputs(lib: try! LIBDecision.forPlan([lib], choice: nil, reason: nil), keys: keys, evidence: evidence, voteFloor: floor)
    }

    /// The fixture after the node voted `blocks` blocks further (what a rewrite in place writes).
    public static func advanced(_ bytes: [UInt8], by blocks: UInt32) throws -> [UInt8] {
        var f = try SafetyFileReader.decode(bytes)
        for i in f.entries.indices {
            guard var s = f.entries[i].savanna else { continue }
            let n = s.lastVote.blockNumber + blocks
            s.lastVote = BlockRef(blockID: blockID(n), timestamp: slot(n), finalityDigest: s.lastVote.finalityDigest)
            f.entries[i].state = .savanna(s)
        }
        return SafetyFileWriter.encode(f)
    }

    /// A file of `n` entries (keys 1…n, all voted near LIB), big enough to span pages.
    public static func big(_ n: Int, voteAt vote: UInt32 = 400_000_210) -> [UInt8] {
        SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: (1...n).map { k in
            SafetyEntry(key: Fixture.key(UInt64(k)), state: .savanna(SavannaSafety(
                lastVote: BlockRef(blockID: blockID(vote), timestamp: slot(vote)),
                lock: BlockRef(blockID: blockID(vote - 2), timestamp: slot(vote - 2)))))
        }))
    }
}
