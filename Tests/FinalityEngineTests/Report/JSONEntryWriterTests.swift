import FinalityEngine
import FinalityFormat
import Testing
import FinalityTestSupport

/// `list --json`'s fast entry writer must give exactly the bytes of `JSONModel.entry`.
@Suite("JSON entry writer: the same bytes as the JSON model")
struct JSONEntryWriterTests {
    static func key(_ seed: Int) -> BLSPublicKey {
        BLSPublicKey(bytes: (0..<96).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed &* 13) })
    }

    static func ref(_ fill: UInt8, slot: UInt32) -> BlockRef {
        BlockRef(blockID: Bytes32([UInt8](repeating: fill, count: 32)), timestamp: BlockTimestamp(slot: slot), finalityDigest: Bytes32((0..<32).map { UInt8($0) &+ fill }))
    }

    static let entries: [SafetyEntry] = [
        SafetyEntry(key: key(1), state: .savanna(SavannaSafety(lastVote: ref(1, slot: 1_693_612_810), lock: ref(2, slot: 1_693_612_800)))),
        SafetyEntry(key: key(2), state: .savanna(SavannaSafety(lastVote: .empty, lock: .empty))),
        SafetyEntry(
            key: key(3),
            state: .savanna(SavannaSafety(lastVote: ref(9, slot: 5), lock: ref(8, slot: 9), otherBranchLatestTime: BlockTimestamp(slot: .max)))),
        SafetyEntry(
            key: key(4),
            state: .savanna(
                SavannaSafety(lastVote: ref(0xFF, slot: 0), lock: ref(3, slot: 1), otherBranchLatestTime: BlockTimestamp(slot: 0), votesForkedSinceLatestStrongVote: true))),
        SafetyEntry(key: BLSPublicKey(bytes: [UInt8](repeating: 0, count: 96)), state: .savanna(SavannaSafety(lastVote: .empty, lock: ref(4, slot: 77)))),
        SafetyEntry(key: key(5), state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: 4_000_000_000, pcounter: 3), bLock: Bytes32([UInt8](repeating: 0xAB, count: 32))))),
        SafetyEntry(key: key(6), state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: 0, pcounter: 0), bLock: .zero))),
    ]

    @Test("every shape of entry, with and without a duplicate", arguments: 0..<7)
    func sameBytes(_ n: Int) {
        let e = Self.entries[n]
        for (index, dup) in [(0, nil), (n * 1_000_003 + 10, Optional(n)), (Int(UInt32.max) + 1, Optional(987_654_321))] as [(Int, Int?)] {
            var out = [UInt8]()
            JSONModel.appendEntryOpen(e, index: index, duplicateOf: dup, into: &out)
            out.append(UInt8(ascii: "}"))
            let expected = JSONModel.entry(e, index: index, duplicateOf: dup).serialized()
            #expect(String(decoding: out, as: UTF8.self) == expected)
        }
    }

    @Test("entries read in place from a file give the same bytes as decoded ones")
    func readInPlace() throws {
        // Version 1 entries only (entry 3 holds a version 0 bool).
        let file = SafetyFile(format: .savannaV1, entries: Self.entries.prefix(5).filter { $0.savanna?.votesForkedSinceLatestStrongVote == nil })
        let bytes = SafetyFileWriter.encode(file)
        let read = SafetyFileReader.verify(bytes, options: .init(checkKeys: false)).file!
        #expect(read.entries == file.entries)
        for (i, e) in read.entries.enumerated() {
            var out = [UInt8]()
            JSONModel.appendEntryOpen(e, index: i, into: &out)
            out.append(UInt8(ascii: "}"))
            #expect(String(decoding: out, as: UTF8.self) == JSONModel.entry(file.entries[i], index: i).serialized())
        }
    }
}
