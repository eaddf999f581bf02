import BLS12381
import PropertyBased
import Testing
import FinalityTestSupport

@testable import FinalityFormat

/// Random valid files of every format: decoding then encoding gives the same bytes.
@Suite("Round trip over random valid files")
struct RoundTripProperties {
    static func randomFile(seed: UInt64, entries n: Int, format: Int) -> SafetyFile {
        var rng = SplitMix(seed: seed)
        switch format {
        case 0, 1:
            return SafetyFile(
                format: format == 0 ? .savannaV1 : .savannaV0,
                entries: (0..<n).map { _ in
                    let forked = Bool.random(using: &rng)
                    let lastVote = rng.blockRef()
                    return SafetyEntry(
                        key: BLSPublicKey(bytes: G1.generatorMultipleAffineLE(UInt64.random(in: 1...1_000_000, using: &rng))),
                        state: .savanna(
                            SavannaSafety(
                                lastVote: lastVote, lock: rng.blockRef(),
                                otherBranchLatestTime: format == 0 ? BlockTimestamp(slot: UInt32.random(in: 0...UInt32.max, using: &rng)) : (forked ? lastVote.timestamp : .zero),
                                votesForkedSinceLatestStrongVote: format == 1 ? forked : nil)))
                },
                trailingBytes: Bool.random(using: &rng) ? [] : rng.bytes(Int.random(in: 1...9, using: &rng)))
        default:
            return SafetyFile(
                format: .hotStuff,
                entries: (0..<n).map { _ in
                    SafetyEntry(
                        key: BLSPublicKey(bytes: G1.generatorMultipleAffineLE(UInt64.random(in: 1...1_000_000, using: &rng))),
                        state: .hotStuff(
                            HotStuffSafety(
                                vheight: VHeight(bheight: UInt32.random(in: 0...UInt32.max, using: &rng), pcounter: UInt8.random(in: 0...3, using: &rng)),
                                bLock: rng.bytes32())))
                })
        }
    }

    @Test("decode(encode(file)) == file and encode(decode(bytes)) == bytes")
    func roundTrip() async {
        await propertyCheck(count: 150, input: Gen.uint64(), Gen.int(in: 0...20), Gen.int(in: 0...2)) { seed, n, format in
            let file = Self.randomFile(seed: seed, entries: n, format: format)
            let bytes = SafetyFileWriter.encode(file)
            #expect(bytes.count == file.encodedSize + file.trailingBytes.count)
            let v = SafetyFileReader.verify(bytes, options: .init(checkKeys: false))
            #expect(v.errors.isEmpty, "\(v.errors)")
            let decoded = try #require(v.file, "a valid file does not decode: \(v.errors)")
            #expect(sameBytes(SafetyFileWriter.encode(decoded), bytes) == nil)
            #expect(decoded.entries.map(\.key) == file.entries.map(\.key))
            #expect(decoded.entries.map(\.state) == file.entries.map(\.state))
        }
    }

    @Test("converting v0 to v1 keeps every key and maps the bool as nodeos does")
    func v0ToV1() async {
        await propertyCheck(count: 50, input: Gen.uint64(), Gen.int(in: 0...12)) { seed, n in
            let v0 = Self.randomFile(seed: seed, entries: n, format: 1)
            let v1 = v0.convertedToSavannaV1()
            #expect(v1.format == .savannaV1)
            #expect(Set(v1.entries.map(\.key)) == Set(v0.entries.map(\.key)))
            #expect(v1.entries.map(\.key) == v1.entries.map(\.key).sorted())
            for e in v0.entries {
                let s = e.savanna!
                let converted = v1.entries.first { $0.key == e.key }!.savanna!
                #expect(converted.otherBranchLatestTime == (s.votesForkedSinceLatestStrongVote! ? s.lastVote.timestamp : .zero))
                #expect(converted.votesForkedSinceLatestStrongVote == nil)
            }
        }
    }
}

/// A rewrite changes only what it was asked to: every other entry keeps its exact bytes
/// (a padded key length included), and so do the bytes after the entries.
@Suite("Bytes nobody asked to change stay as they were")
struct UntouchedBytesProperties {
    /// Forms of 96 that fc reads (format.md "Key length"); the first is what nodeos writes.
    static let lengths: [[UInt8]] = [
        [0x60], [0xE0, 0x00], [0xE0, 0x80, 0x00], [0xE0, 0x80, 0x80, 0x00], [0xE0, 0x80, 0x80, 0x80, 0x00],
        [0xE0, 0x80, 0x80, 0x80, 0x10], [0xE0, 0x80, 0x80, 0x80, 0xF0],
    ]

    /// A file nodeos loads, with padded lengths, duplicate keys, trailing bytes, and (v0)
    /// whole entries the count leaves unread.
    static func oddFile(seed: UInt64, entries n: Int, v0: Bool) -> [UInt8] {
        var rng = SplitMix(seed: seed)
        var keys = [[UInt8]]()
        var w = ByteWriter()
        w.u64(SafetyFormat.savannaMagic)
        w.u64(v0 ? 0 : 1)
        w.u64(UInt64(n))
        func entry(_ w: inout ByteWriter) {
            w.append(lengths[Int.random(in: 0..<lengths.count, using: &rng)])
            if !keys.isEmpty && Int.random(in: 0..<4, using: &rng) == 0 {
                w.append(keys[Int.random(in: 0..<keys.count, using: &rng)])  // a duplicate
            } else {
                let k = G1.generatorMultipleAffineLE(UInt64.random(in: 1...5_000, using: &rng))
                keys.append(k)
                w.append(k)
            }
            w.blockRef(rng.blockRef())
            w.blockRef(rng.blockRef())
            if v0 { w.u8(UInt8.random(in: 0...1, using: &rng)) } else { w.u32(UInt32.random(in: 0...UInt32.max, using: &rng)) }
        }
        for _ in 0..<n { entry(&w) }
        var bytes = w.bytes
        if !v0 { bytes += withUnsafeBytes(of: CRC32.checksum(bytes).littleEndian) { Array($0) } }
        if v0 && Bool.random(using: &rng) {
            var more = ByteWriter()
            entry(&more)  // an entry the count does not cover
            bytes += more.bytes
        }
        if Bool.random(using: &rng) { bytes += rng.bytes(Int.random(in: 1...40, using: &rng)) }
        return bytes
    }

    func entryBytes(_ bytes: [UInt8], _ v: Verification, _ i: Int) -> ArraySlice<UInt8> {
        let start = v.entryOffsets[i]
        return bytes[start..<start + v.file!.entries[i].encodedSize(in: v.file!.format)]
    }

    @Test("changing one entry's lock keeps every other entry's bytes, the padding and the trailing bytes")
    func changeOne() async {
        await propertyCheck(count: 120, input: Gen.uint64(), Gen.int(in: 1...12), Gen.bool) { seed, n, v0 in
            let bytes = Self.oddFile(seed: seed, entries: n, v0: v0)
            let v = SafetyFileReader.verify(bytes)
            #expect(v.nodeosLoads, "\(v.errors)")
            var file = try #require(v.file, "a file nodeos loads does not decode: \(v.errors)")
            #expect(sameBytes(SafetyFileWriter.encode(file), bytes) == nil, "a file nodeos loads does not round-trip")
            let target = Int(seed % UInt64(n))
            var s = try #require(file.entries[target].savanna, "oddFile writes Savanna entries only")
            s.lock = BlockRef(blockID: Bytes32([UInt8](repeating: 0xAB, count: 32)), timestamp: BlockTimestamp(slot: 77))
            file.entries[target].state = .savanna(s)
            let after = SafetyFileWriter.encode(file)
            let w = SafetyFileReader.verify(after)
            #expect(w.file?.entries.count == n)
            for j in 0..<n where j != target {
                #expect(entryBytes(after, w, j) == entryBytes(bytes, v, j), "entry \(j) changed")
            }
            // The changed entry keeps its key length bytes too.
            #expect(w.file?.entries[target].keyLengthBytes == v.file?.entries[target].keyLengthBytes)
            #expect(w.entryOffsets == v.entryOffsets)
            #expect(w.file?.trailingBytes == v.file?.trailingBytes)
        }
    }

    @Test("deleting one entry keeps every other entry's bytes, in order")
    func deleteOne() async {
        await propertyCheck(count: 120, input: Gen.uint64(), Gen.int(in: 1...12), Gen.bool) { seed, n, v0 in
            let bytes = Self.oddFile(seed: seed, entries: n, v0: v0)
            let v = SafetyFileReader.verify(bytes)
            var file = try #require(v.file, "a file nodeos loads does not decode: \(v.errors)")
            let target = Int(seed % UInt64(n))
            file.entries.remove(at: target)
            let after = SafetyFileWriter.encode(file)
            let w = SafetyFileReader.verify(after)
            #expect(w.nodeosLoads, "\(w.errors)")
            let kept = (0..<n).filter { $0 != target }
            for (k, j) in kept.enumerated() {
                #expect(entryBytes(after, w, k) == entryBytes(bytes, v, j), "entry \(j) changed")
            }
            #expect(w.file?.trailingBytes == v.file?.trailingBytes)
        }
    }
}
