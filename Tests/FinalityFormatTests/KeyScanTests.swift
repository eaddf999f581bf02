import BLS12381
import Foundation
import Testing
import FinalityTestSupport

@testable import FinalityFormat

/// Issue 18, item 3: with the keys known, the salvage does not stop at the first damage.
/// Every damage kind below leaves entries intact byte for byte; each intact entry's last
/// vote must come back (compared with the value the undamaged file holds), at its offset.
@Suite("Key scan: every entry of a known key still on disk is found, whatever damage precedes it")
struct KeyScanTests {
    static func key(_ k: UInt64) -> BLSPublicKey { BLSPublicKey(bytes: G1.generatorMultipleAffineLE(k)) }
    /// v1-five-entries.dat holds keys 1·G1…5·G1, entry i at offset 24 + 237·i.
    static let keys = (1...5).map { key(UInt64($0)) }

    static func five() throws -> (bytes: [UInt8], file: SafetyFile) {
        let bytes = try SalvageTests.fixture("v1-five-entries.dat")
        return (bytes, try SafetyFileReader.decode(bytes))
    }

    /// Every last vote of `key` the salvage gives: read in order, then found by the scan.
    static func lastVotes(_ s: Salvage, _ key: BLSPublicKey) -> [BlockRef] {
        s.entries.filter { $0.entry.key == key }.compactMap { $0.entry.savanna?.lastVote } + s.found.filter { $0.entry.key == key }.map(\.lastVote)
    }

    static func zero(_ bytes: [UInt8], _ range: Range<Int>) -> [UInt8] {
        var b = bytes
        for i in range { b[i] = 0 }
        return b
    }

    struct Damage: CustomTestStringConvertible, Sendable {
        var name: String
        var damage: @Sendable ([UInt8]) -> [UInt8]
        /// Entries left intact byte for byte.
        var intact: [Int]
        /// Entries the in-order salvage alone gives back (what today's repair had); nil:
        /// not fixed by the damage (it depends on the bytes a misread lands on).
        var inOrderAlone: Int?
        var testDescription: String { name }
    }

    static let damages: [Damage] = [
        Damage(name: "zeroed magic", damage: { zero($0, 0..<8) }, intact: [0, 1, 2, 3, 4], inOrderAlone: 0),
        Damage(name: "zeroed count", damage: { zero($0, 16..<24) }, intact: [0, 1, 2, 3, 4], inOrderAlone: 0),
        Damage(name: "zeroed version (read as version 0: every later boundary off)", damage: { zero($0, 8..<16) }, intact: [0, 1, 2, 3, 4], inOrderAlone: nil),
        // Entry 1 from its key length byte on: reading in order stops there (length 0).
        Damage(name: "zeroed region before intact entries", damage: { zero($0, 261..<420) }, intact: [0, 2, 3, 4], inOrderAlone: 1),
        Damage(name: "torn: the CRC does not match", damage: { b in var b = b; b[b.count - 1] ^= 0xFF; return b }, intact: [0, 1, 2, 3, 4], inOrderAlone: 5),
        // Cut 200 bytes into entry 3: its key and last vote id and time are still there.
        Damage(name: "truncated inside entry 3", damage: { Array($0.prefix(24 + 237 * 3 + 200)) }, intact: [0, 1, 2, 3], inOrderAlone: 3),
        Damage(name: "garbage over the header and the first entry", damage: { b in
            var b = b
            var rng = SplitMix(seed: 18)
            for i in 0..<261 { b[i] = UInt8.random(in: 0...255, using: &rng) }
            return b
        }, intact: [1, 2, 3, 4], inOrderAlone: 0),
    ]

    @Test("each intact entry's last vote is found, equal to the undamaged file's, at its offset", arguments: damages)
    func everyIntactEntryKept(_ d: Damage) throws {
        let (good, file) = try Self.five()
        let bytes = d.damage(good)
        let s = SafetyFileReader.salvage(bytes, keys: Self.keys)
        for i in d.intact {
            let key = file.entries[i].key
            let truth = try #require(file.entries[i].savanna?.lastVote)
            let votes = Self.lastVotes(s, key)
            #expect(votes.contains(truth), "\(d.name): entry \(i)'s last vote \(truth.blockNumber) not recovered (got \(votes.map(\.blockNumber)))")
            // Found by the scan: at the key's true offset, in the entry's place.
            if let f = s.found.first(where: { $0.entry.key == key }) {
                #expect(f.keyOffset == 25 + 237 * i, "\(d.name): entry \(i) found at \(f.keyOffset)")
                #expect(f.index == i && f.aligned)
                if i < 3 || d.name != "truncated inside entry 3" {
                    #expect(f.complete && f.entry.savanna == file.entries[i].savanna, "\(d.name): entry \(i) read whole")
                }
            }
        }
        // What reading in order alone gave (today's repair): the scan is what brings the rest back.
        let alone = SafetyFileReader.salvage(bytes).entries.filter { e in
            d.intact.contains { file.entries[$0].key == e.entry.key && file.entries[$0].savanna?.lastVote == e.entry.savanna?.lastVote }
        }
        if let expected = d.inOrderAlone {
            #expect(alone.count == min(expected, d.intact.count), "\(d.name): in order alone \(alone.count)")
        }
    }

    @Test("a key found this way says where: its offset, its place, what is doubtful")
    func offsetsAndProblems() throws {
        let (good, file) = try Self.five()
        let cut = Array(good.prefix(24 + 237 * 3 + 200))
        let s = SafetyFileReader.salvage(Self.zero(cut, 0..<8), keys: Self.keys)
        #expect(s.entries.isEmpty)
        #expect(s.found.map(\.keyOffset) == [25, 262, 499, 736])
        #expect(s.found.map(\.offset) == [24, 261, 498, 735])
        let last = try #require(s.found.last)
        #expect(!last.complete)
        #expect(last.lastVote == file.entries[3].savanna?.lastVote)
        #expect(last.problems.contains { $0.contains("lock") })
        // Cut inside the last vote's digest: id and time still read, the digest as zero.
        let short = Array(good.prefix(25 + 237 * 3 + 96 + 40))
        let t = try #require(SafetyFileReader.salvage(Self.zero(short, 0..<8), keys: [Self.keys[3]]).found.first)
        #expect(t.lastVote.blockID == file.entries[3].savanna?.lastVote.blockID)
        #expect(t.lastVote.timestamp == file.entries[3].savanna?.lastVote.timestamp)
        #expect(t.lastVote.finalityDigest == .zero)
        #expect(t.problems.contains { $0.contains("finality_digest") })
    }

    @Test("version 0: the bool is read in its place; a padded key length is named, not fatal")
    func versionZeroAndPadding() throws {
        let v0 = try SalvageTests.fixture("v0-three-entries.dat")
        let file = try SafetyFileReader.decode(v0)
        let s = SafetyFileReader.salvage(Self.zero(v0, 0..<24), keys: (1...3).map { Self.key(UInt64($0)) })
        #expect(s.found.count == 3)
        for (i, f) in s.found.enumerated() {
            #expect(f.layout == .savannaV0)
            #expect(f.entry.savanna == file.entries[i].savanna, "v0 entry \(i)")
        }
        let padded = try SalvageTests.fixture("padded-key-length.dat")
        let p = SafetyFileReader.salvage(Self.zero(padded, 0..<8), keys: [Self.keys[1]])
        let f = try #require(p.found.first)
        #expect(f.keyOffset == 264)
        #expect(f.problems.contains { $0.contains("not the key length 60") })
        #expect(f.lastVote == (try SafetyFileReader.decode(padded)).entries[1].savanna?.lastVote)
    }

    @Test("nothing is invented: a key absent, a never-voted entry, entries already read in order")
    func nothingInvented() throws {
        let (good, _) = try Self.five()
        #expect(SafetyFileReader.salvage(Self.zero(good, 0..<8), keys: [Self.key(9)]).found.isEmpty)
        // A clean file: every entry is read in order, the scan adds none.
        #expect(SafetyFileReader.salvage(good, keys: Self.keys).found.isEmpty)
        let never = SafetyFile(format: .savannaV1, entries: [
            SafetyEntry(key: Self.key(7), state: .savanna(SavannaSafety(lastVote: .empty, lock: .empty))),
        ])
        #expect(SafetyFileReader.salvage(Self.zero(SafetyFileWriter.encode(never), 0..<8), keys: [Self.key(7)]).found.isEmpty)
        // A HotStuff file's keys are 144-byte Jacobian: nothing of Savanna's is looked for.
        let hs = try SalvageTests.fixture("hotstuff-three-entries.dat")
        #expect(SafetyFileReader.salvage(hs, keys: Self.keys).found.isEmpty)
    }
}
