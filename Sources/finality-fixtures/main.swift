// Writes every file in Fixtures/ with the project's own writer, from documented inputs,
// and Fixtures/README.md listing what each one shows. Rerun: `swift run finality-fixtures Fixtures`.
//
// Inputs, all deterministic:
// - keys: k·G1 for small k (real BLS12-381 points in the prime-order subgroup);
// - block n: id = n as 4 big-endian bytes, then bytes (n·7 + i) mod 256 for i = 4..31;
//   timestamp slot = 1_693_612_800 + (n − 400_000_000), i.e. block 400,000,000 at
//   2026-11-01T00:00:00.000Z, one block per half-second slot;
// - finality digests: 32 bytes (n·13 + i) mod 256.
import BLS12381
import FinalityFormat
import FinalitySamples
import FoundationEssentials
import Glibc

// `finality-fixtures --many N FILE`: a v1 file of N active entries (keys 1·G1 … N·G1),
// for measurements (scripts/measure-terminal.py); not part of Fixtures/.
if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "--many", let n = Int(CommandLine.arguments[2]) {
    var multiples = GeneratorMultiples(startingAt: 1)
    let entries = (0..<n).map { i -> SafetyEntry in
        let vote = UInt32(400_000_210 - i % 7)
        return SafetyEntry(
            key: BLSPublicKey(bytes: multiples.next()!),
            state: .savanna(SavannaSafety(lastVote: ref(vote), lock: ref(vote - 2))))
    }
    try Data(SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: entries))).write(to: URL(fileURLWithPath: CommandLine.arguments[3]))
    exit(0)
}

let directory = CommandLine.arguments.dropFirst().first ?? "Fixtures"

func key(_ k: UInt64) -> BLSPublicKey { SampleKeys.key(k) }

func blockID(_ n: UInt32) -> Bytes32 {
    var b = withUnsafeBytes(of: n.bigEndian) { Array($0) }
    for i in 4..<32 { b.append(UInt8((Int(n % 256) * 7 + i) % 256)) }
    return Bytes32(b)
}

func digest(_ n: UInt32) -> Bytes32 { Bytes32((0..<32).map { UInt8((Int(n % 256) * 13 + $0) % 256) }) }

func slot(_ n: UInt32) -> BlockTimestamp { BlockTimestamp(slot: 1_693_612_800 + n - 400_000_000) }

func ref(_ n: UInt32) -> BlockRef { BlockRef(blockID: blockID(n), timestamp: slot(n), finalityDigest: digest(n)) }

func savanna(_ k: UInt64, lastVote: UInt32?, lock: UInt32?, other: UInt32? = nil, forked: Bool? = nil) -> SafetyEntry {
    SafetyEntry(
        key: key(k),
        state: .savanna(
            SavannaSafety(
                lastVote: lastVote.map(ref) ?? .empty, lock: lock.map(ref) ?? .empty,
                otherBranchLatestTime: other.map(slot) ?? .zero, votesForkedSinceLatestStrongVote: forked)))
}

func hotStuff(_ k: UInt64, bheight: UInt32, pcounter: UInt8, bLock: UInt32?) -> SafetyEntry {
    SafetyEntry(
        key: key(k),
        state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: bheight, pcounter: pcounter), bLock: bLock.map(digest) ?? .zero)))
}

/// Four active finalizers near block 400,000,000, one inactive (older) entry.
let v1Entries = [
    savanna(1, lastVote: 400_000_210, lock: 400_000_208),
    savanna(2, lastVote: 400_000_210, lock: 400_000_208, other: 400_000_205),
    savanna(3, lastVote: 400_000_209, lock: 400_000_207),
    savanna(4, lastVote: 400_000_210, lock: 400_000_208),
    savanna(5, lastVote: 399_990_000, lock: 399_989_998),
]
let v1 = SafetyFile(format: .savannaV1, entries: v1Entries)
let v0 = SafetyFile(
    format: .savannaV0,
    entries: [
        savanna(1, lastVote: 400_000_210, lock: 400_000_208, forked: false),
        savanna(2, lastVote: 400_000_210, lock: 400_000_208, forked: true),
        savanna(3, lastVote: 400_000_209, lock: 400_000_207, forked: false),
    ])
let hot = SafetyFile(
    format: .hotStuff,
    entries: [
        hotStuff(1, bheight: 400_000_210, pcounter: 2, bLock: 400_000_208),
        hotStuff(2, bheight: 400_000_210, pcounter: 3, bLock: 400_000_208),
        hotStuff(3, bheight: 0, pcounter: 0, bLock: nil),
    ])

var fixtures: [(name: String, bytes: [UInt8], shows: String)] = []
@MainActor func add(_ name: String, _ bytes: [UInt8], _ shows: String) { fixtures.append((name, bytes, shows)) }
func withCRC(_ bytes: [UInt8]) -> [UInt8] {
    var b = Array(bytes[0..<(bytes.count - 4)])
    let crc = CRC32.checksum(b)
    withUnsafeBytes(of: crc.littleEndian) { b.append(contentsOf: $0) }
    return b
}
func patched(_ bytes: [UInt8], at offset: Int, _ new: [UInt8], fixCRC: Bool = true) -> [UInt8] {
    var b = bytes
    b.replaceSubrange(offset..<offset + new.count, with: new)
    return fixCRC ? withCRC(b) : b
}
func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

let v1Bytes = SafetyFileWriter.encode(v1)
let entry = 237

// Valid files.
add("v1-five-entries.dat", v1Bytes, "valid Savanna v1: five keys 1·G1…5·G1, four active near block 400,000,210 and one older (inactive) entry; nodeos loads it")
add("v0-three-entries.dat", SafetyFileWriter.encode(v0), "valid Savanna v0: three keys 1·G1…3·G1, entry 1 with votes_forked_since_latest_strong_vote = true; nodeos loads it (and converts it to v1)")
add("hotstuff-three-entries.dat", SafetyFileWriter.encode(hot), "valid HotStuff safety_db.dat: keys 1·G1…3·G1 (Jacobian, Montgomery, Z = one), _vheight {400000210,2}, {400000210,3} and a never-voted entry with no _b_lock")
add("v1-empty.dat", SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [])), "valid Savanna v1 with no entries (28 bytes)")

// One file per failure class: nodeos refuses each.
add("bad-magic.dat", patched(v1Bytes, at: 0, u64(0x5AFE_1111_5AFE_1110), fixCRC: true), "error bad-magic: magic 0x5AFE11115AFE1110 at offset 0")
add("unknown-version.dat", patched(v1Bytes, at: 8, u64(7)), "error unknown-version: version 7 at offset 8")
add("truncated-entry.dat", Array(v1Bytes[0..<(24 + entry * 2 + 100)]), "error truncated: the file ends 100 bytes into entry 2 (offset 498)")
add("bad-crc.dat", patched(v1Bytes, at: v1Bytes.count - 4, [0xDE, 0xAD, 0xBE, 0xEF], fixCRC: false), "error bad-crc: stored CRC 0xEFBEADDE, computed differs")
add("wrong-key-length.dat", patched(v1Bytes, at: 24 + entry, [48]), "error key-length: entry 1's key length varint is 48 (offset 261)")
var notOnCurve = v1Bytes
notOnCurve[24 + entry * 2 + 1] ^= 0x01  // x of 3·G1 changed: y² ≠ x³ + 4
add("key-not-on-curve.dat", withCRC(notOnCurve), "error key-not-on-curve: entry 2's key (3·G1 with the low bit of x flipped) is not on the curve (offset 499)")
var keyNotCanonical = v1Bytes
for i in 0..<48 { keyNotCanonical[24 + 1 + 48 + i] = 0xFF }
add("key-not-canonical.dat", withCRC(keyNotCanonical), "error key-not-canonical: entry 0's key has y = 2^384 − 1, not below p (offset 25)")
var badBool = SafetyFileWriter.encode(v0)
badBool[24 + 234 + 233] = 2
add("bad-bool.dat", badBool, "error bad-bool: v0 entry 1's votes_forked_since_latest_strong_vote byte is 2 (offset 491)")
add("count-larger-than-file.dat", patched(v1Bytes, at: 16, u64(9)), "error count-larger-than-file: count 9 in a file holding 5 entries")

// Warnings: nodeos loads these, the tool says more.
add("trailing-bytes.dat", v1Bytes + Array("left over".utf8), "warning trailing-bytes: 9 bytes after the CRC (nodeos ignores them)")
add("duplicate-key.dat", SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: v1Entries + [savanna(2, lastVote: 400_000_300, lock: 400_000_299)])), "warning duplicate-key: entry 5 repeats 2·G1 of entry 1; nodeos uses entry 1")
add("no-lock.dat", SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [savanna(1, lastVote: 400_000_210, lock: 400_000_208), savanna(2, lastVote: nil, lock: nil)])), "warning no-lock: entry 1 has an all-zero lock and never voted (the key cannot vote)")
add("last-vote-older-than-lock.dat", SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [savanna(1, lastVote: 400_000_100, lock: 400_000_208)])), "warning last-vote-older-than-lock: entry 0 voted on block 400,000,100, locked on 400,000,208")
add("future-timestamp.dat", SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [savanna(1, lastVote: 2_400_000_000, lock: 2_399_999_990)])), "warning future-timestamp: entry 0's last vote and lock are in the year 2058")
add("key-at-infinity.dat", SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [savanna(1, lastVote: 400_000_210, lock: 400_000_208), SafetyEntry(key: BLSPublicKey(bytes: [UInt8](repeating: 0, count: 96)), state: v1Entries[1].state)])), "warning key-at-infinity: entry 1's key is x = y = 0 (nodeos accepts it; no finalizer has it)")

add("key-not-in-subgroup.dat", patched(v1Bytes, at: 24 + entry * 3 + 1, G1.pointOutsideSubgroupAffineLE(seed: 1)), "warning key-not-in-subgroup: entry 3's key is on the curve but outside the prime-order subgroup (offset 736); spring does not check the subgroup on load, so nodeos loads it, but the key can never sign a valid vote")
// Entry 1's key length 96 as the 3-byte varint E0 80 00 (fc reads it): entry 1 is 239 bytes, the CRC covers the padding.
let padded = Array(v1Bytes[0..<(24 + entry)]) + [0xE0, 0x80, 0x00] + Array(v1Bytes[(24 + entry + 1)..<(v1Bytes.count - 4)]) + [0, 0, 0, 0]
add("padded-key-length.dat", withCRC(padded), "warning padded-key-length: entry 1's key length is 96 padded to 3 bytes (E0 80 00, offset 261); fc reads it, nodeos loads the file; a rewrite keeps those bytes")
// A v0 file whose count (1) stops short of its three entries: nodeos reads one and ignores the rest.
add("count-leaves-entries-unread.dat", patched(SafetyFileWriter.encode(v0), at: 16, u64(1), fixCRC: false), "warning count-leaves-bytes-unread: a v0 file with count 1 and three entries; nodeos loads entry 0 and never reads the other two (468 bytes)")

// Development-era layouts: same magic (or nearly), refused with what they look like.
add("dev-magic-1112.dat", patched(v1Bytes, at: 0, u64(0x5AFE_1111_5AFE_1112)), "error development-era: magic 0x5AFE11115AFE1112 of an unreleased build")
add("dev-unversioned.dat", u64(SafetyFormat.savannaMagic) + u64(2) + Array(v1Bytes[24..<(24 + entry * 2)]), "error development-era: no version field; the u64 at offset 8 is the entry count (2)")
var boolWithCRC = Array(SafetyFileWriter.encode(v0))
boolWithCRC.replaceSubrange(8..<16, with: u64(1))
boolWithCRC += [0, 0, 0, 0]
add("dev-v1-bool-crc.dat", withCRC(boolWithCRC), "error development-era: version 1 header over 234-byte bool entries with a CRC")
var jacobianKeys = u64(SafetyFormat.savannaMagic) + u64(1) + u64(1) + [0x90, 0x01]
jacobianKeys += G1.generatorMultipleAffineLE(1).withUnsafeBytes { G1.jacobianMontgomeryLE(fromAffineLE: $0) } ?? [UInt8](repeating: 0, count: 144)
jacobianKeys += Array(v1Bytes[(24 + 97)..<(24 + entry)]) + [0, 0, 0, 0]
add("dev-144-byte-keys.dat", withCRC(jacobianKeys), "error development-era: a Savanna file whose key length is 144 (Jacobian keys)")

try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
var readme = """
    # Fixtures

    Files made by the project's own writer (`swift run finality-fixtures Fixtures`, source in
    `Sources/finality-fixtures/main.swift`, which documents every input: keys are real BLS12-381
    points k·G1; block n has id = n big-endian ‖ (7n + i) mod 256, timestamp slot
    1,693,612,800 + (n − 400,000,000), i.e. block 400,000,000 at 2026-11-01T00:00:00Z). Each is
    checked by `Tests/FinalityFormatTests/FixtureTests.swift` for its exact verdict and message.
    Upstream files written by nodeos stay in `../shared/upstream/`, never here.

    | file | size | what it shows |
    |---|---|---|

    """
for f in fixtures {
    try Data(f.bytes).write(to: URL(fileURLWithPath: directory + "/" + f.name))
    readme += "| `\(f.name)` | \(f.bytes.count) | \(f.shows) |\n"
}
try readme.write(toFile: directory + "/README.md", atomically: true, encoding: .utf8)
print("wrote \(fixtures.count) fixtures to \(directory)")
