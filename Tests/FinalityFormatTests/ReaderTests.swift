import Testing
import FinalityTestSupport

@testable import FinalityFormat

@Suite("Reading safety files byte by byte")
struct ReaderTests {
    /// A v1 file whose keys are arbitrary bytes (key checks off: this suite is about layout).
    func v1File(_ n: Int, seed: UInt64 = 1) -> SafetyFile {
        var rng = SplitMix(seed: seed)
        return SafetyFile(
            format: .savannaV1,
            entries: (0..<n).map { _ in
                SafetyEntry(
                    key: BLSPublicKey(bytes: rng.bytes(96)),
                    state: .savanna(SavannaSafety(lastVote: rng.blockRef(), lock: rng.blockRef(), otherBranchLatestTime: BlockTimestamp(slot: 9))))
            })
    }

    let layoutOnly = SafetyFileReader.Options(checkKeys: false)

    @Test("a v1 file is 24 + 237n + 4 bytes and ends with the CRC-32 of what precedes it")
    func v1Layout() {
        let bytes = SafetyFileWriter.encode(v1File(3))
        #expect(bytes.count == 24 + 237 * 3 + 4)
        let crc = UInt32(bytes[bytes.count - 4]) | UInt32(bytes[bytes.count - 3]) << 8 | UInt32(bytes[bytes.count - 2]) << 16 | UInt32(bytes[bytes.count - 1]) << 24
        #expect(crc == CRC32.checksum(Array(bytes[0..<(bytes.count - 4)])))
        #expect(bytes[24] == 0x60)
    }

    @Test("CRC-32 is zlib's: crc32(\"123456789\") = 0xCBF43926")
    func crcCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test("varints are LEB128, low group first")
    func varints() throws {
        for v: UInt64 in [0, 1, 96, 127, 128, 300, 16_383, 16_384, 1 << 32, UInt64.max >> 1] {
            var w = ByteWriter()
            w.varint(v)
            var r = ByteReader(w.bytes)
            #expect(try r.varint() == v)
            #expect(r.isAtEnd)
        }
        var w = ByteWriter()
        w.varint(144)
        #expect(w.bytes == [0x90, 0x01])
        var endless = ByteReader([UInt8](repeating: 0xFF, count: 12))
        #expect(throws: ByteReader.VarintError.self) { try endless.varint() }
    }

    @Test("every prefix of a valid file is refused, naming an offset inside the file, and never crashes")
    func everyTruncation() {
        let bytes = SafetyFileWriter.encode(v1File(2))
        for n in 0..<bytes.count {
            let v = SafetyFileReader.verify(Array(bytes[0..<n]), options: layoutOnly)
            #expect(!v.nodeosLoads, "a \(n)-byte prefix was accepted")
            #expect((v.errors.first?.offset ?? -1) <= n)
        }
    }

    @Test("a count one larger than the entries is a count error at offset 16, not a short read")
    func countTooLarge() {
        var bytes = SafetyFileWriter.encode(v1File(2))
        bytes.replaceSubrange(16..<24, with: u64LE(3))
        let e = SafetyFileReader.verify(bytes, options: layoutOnly).errors.first
        #expect(e?.check == .count)
        #expect(e?.offset == 16)
        #expect(e?.description == "offset 0x10 (16), count: expected at most 2 (file is 502 bytes: 24-byte header, 237-byte entries, 4-byte CRC), found 3 (needs 739 bytes)")
    }

    @Test("an absurd count never makes the reader reserve memory for it")
    func hugeCount() {
        var bytes = SafetyFileWriter.encode(v1File(1))
        bytes.replaceSubrange(16..<24, with: u64LE(UInt64.max))
        let v = SafetyFileReader.verify(bytes, options: layoutOnly)
        #expect(v.errors.first?.check == .count)
        #expect(v.errors.first?.found.contains("more than 2^64") == true)
    }

    @Test("a file ending inside an entry says which entry and how many bytes remain")
    func truncatedEntry() {
        let bytes = Array(SafetyFileWriter.encode(v1File(3)).prefix(24 + 237 + 50))
        let e = SafetyFileReader.verify(bytes, options: layoutOnly).errors.first
        #expect(e?.check == .truncated)
        #expect(e?.entry == 1)
        #expect(e?.offset == 24 + 237)
        #expect(e?.description == "offset 0x105 (261), entry 1, entry: expected 237 bytes, found 50 bytes before the end of the file (the file ends inside entry 1 of 3)")
    }

    @Test("a CRC mismatch names both values, and the entries can still be shown")
    func crcMismatch() {
        var bytes = SafetyFileWriter.encode(v1File(2))
        bytes[30] ^= 0x40
        let v = SafetyFileReader.verify(bytes, options: layoutOnly)
        #expect(v.errors.map(\.check) == [.crc])
        #expect(v.file?.entries.count == 2)
        #expect(v.storedCRC != v.computedCRC)
        #expect(v.verdictLine.hasPrefix("nodeos will REFUSE this file: offset 0x1F2 (498), crc: expected 0x"))
    }

    @Test("trailing bytes are a warning and are kept, so the file re-encodes to the same bytes")
    func trailing() throws {
        let bytes = SafetyFileWriter.encode(v1File(1)) + [1, 2, 3]
        let v = SafetyFileReader.verify(bytes, options: layoutOnly)
        #expect(v.nodeosLoads)
        let trailing = v.warnings.filter { $0.check == .trailingBytes }
        #expect(trailing.count == 1)
        #expect(trailing.first?.offset == 24 + 237 + 4)
        #expect(trailing.first?.found == "3 more bytes")
        #expect(sameBytes(SafetyFileWriter.encode(try #require(v.file)), bytes) == nil)
    }

    @Test("the first of two entries with the same key is nodeos's; the second is flagged")
    func duplicates() {
        var file = v1File(3)
        file.entries[2].key = file.entries[0].key
        let v = SafetyFileReader.verify(SafetyFileWriter.encode(file), options: layoutOnly)
        #expect(v.nodeosLoads)
        let d = v.warnings.filter { $0.check == .duplicateKey }
        #expect(d.count == 1)
        #expect(d.first?.entry == 2)
        #expect(d.first?.offset == 24 + 237 * 2 + 1)
        #expect(file.index(of: file.entries[0].key) == 0)
    }

    @Test("v0: a bool byte other than 0 or 1 is refused at its offset; 1 converts to the last vote's time")
    func v0Bool() throws {
        var rng = SplitMix(seed: 5)
        let lastVote = rng.blockRef()
        let file = SafetyFile(
            format: .savannaV0,
            entries: [
                SafetyEntry(key: BLSPublicKey(bytes: rng.bytes(96)), state: .savanna(SavannaSafety(lastVote: lastVote, lock: rng.blockRef(), votesForkedSinceLatestStrongVote: true)))
            ])
        var bytes = SafetyFileWriter.encode(file)
        #expect(bytes.count == 24 + 234)
        let decoded = try SafetyFileReader.decode(bytes, options: layoutOnly)
        #expect(decoded.entries[0].savanna?.otherBranchLatestTime == lastVote.timestamp)
        bytes[24 + 233] = 7
        let e = SafetyFileReader.verify(bytes, options: layoutOnly).errors.first
        #expect(e?.check == .bool)
        #expect(e?.offset == 257)
        #expect(e?.found == "7")
    }

    @Test("a version other than 0 or 1 is refused at offset 8")
    func unknownVersion() {
        var bytes = SafetyFileWriter.encode(v1File(1))
        bytes.replaceSubrange(8..<16, with: u64LE(2))
        let e = SafetyFileReader.verify(bytes, options: layoutOnly).errors.first
        #expect(e?.check == .version)
        #expect(e?.description == "offset 0x8 (8), version: expected 0 or 1, found 2 (written by a newer or unknown build)")
    }

    @Test("an empty file and a file shorter than the magic are refused, not crashed on")
    func tiny() {
        #expect(SafetyFileReader.verify([]).errors.first?.check == .empty)
        #expect(SafetyFileReader.verify([0x11, 0x11]).errors.first?.check == .truncated)
    }

    @Test("a byte-swapped magic is recognized as such")
    func swappedMagic() {
        let v = SafetyFileReader.verify([0x5A, 0xFE, 0x11, 0x11, 0x5A, 0xFE, 0x11, 0x11] + [UInt8](repeating: 0, count: 20))
        #expect(v.errors.first?.check == .magic)
        #expect(v.errors.first?.note?.contains("byte-swapped") == true)
    }

    @Test("a HotStuff file's count is a varint after the magic")
    func hotStuffCount() {
        var w = ByteWriter()
        w.u64(SafetyFormat.hotStuffMagic)
        w.varint(300)
        let v = SafetyFileReader.verify(w.bytes, options: layoutOnly)
        #expect(v.errors.first?.check == .count || v.errors.first?.check == .truncated)
        #expect(v.errors.first?.field.hasPrefix("count") == true || v.errors.first?.entry == 0)
    }
}

/// Inputs the fuzzer found; each stays as a test.
@Suite("Fuzzer findings")
struct FuzzFindings {
    @Test("a 19-byte file with the Savanna magic, a version above 1 and 0x60 at offset 16 is refused, not crashed on")
    func shortDevelopmentEraFile() {
        let bytes: [UInt8] = [0x11, 0x11, 0xFE, 0x5A, 0x11, 0x11, 0xFE, 0x5A, 0xAB, 0x49, 0x6E, 0x74, 0x89, 0x7B, 0xFF, 0xFF, 0x60, 0xFF, 0xCC]
        for n in 17...bytes.count {
            let v = SafetyFileReader.verify(Array(bytes.prefix(n)))
            #expect(!v.nodeosLoads)
            #expect(v.errors.first?.check == .developmentEra)
        }
    }

    @Test("a HotStuff key off the curve gets no subgroup warning, in the full check or in the later subgroup pass")
    func hotStuffKeyOffCurveSubgroup() {
        var w = ByteWriter()
        w.u64(SafetyFormat.hotStuffMagic)
        w.varint(1)
        for coordinate: UInt8 in [5, 7, 1] { w.append([coordinate] + [UInt8](repeating: 0, count: 47)) }
        w.u32(1000)
        w.u8(2)
        w.bytes32(Bytes32([UInt8](repeating: 9, count: 32)))
        let full = SafetyFileReader.verify(w.bytes)
        #expect(full.nodeosLoads)
        #expect(full.warnings.map(\.check) == [.hotStuffKeyInvalid])
        let fast = SafetyFileReader.verify(w.bytes, options: .init(checkSubgroup: false))
        #expect(SafetyFileReader.subgroupWarnings(fast).isEmpty)
    }

    @Test("a HotStuff count padded with a continuation byte is refused: it could not be written back as it was")
    func paddedHotStuffCount() {
        let bytes: [UInt8] = u64LE(SafetyFormat.hotStuffMagic) + [0x80, 0x00]
        let e = SafetyFileReader.verify(bytes).errors.first
        #expect(e?.check == .varint)
        #expect(e?.description == "offset 0x8 (8), count (varint): expected the 1-byte form fc writes, found 0 padded to 2 bytes (not written by nodeos's serializer)")
    }
}

@Suite("Key storage")
struct KeyStorageTests {
    @Test("a key's stored words are its 96 bytes in order, so it is checked in place")
    func storageIsByteOrder() {
        var rng = SplitMix(seed: 11)
        for _ in 0..<50 {
            let bytes = rng.bytes(96)
            let key = BLSPublicKey(bytes: bytes)
            #expect(key.storageIsByteOrder)
            #expect(key.bytes == bytes)
        }
    }
}
