import BLS12381
import PropertyBased
import Testing

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
            guard let decoded = v.file else { return }
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
