import Foundation
import Testing
import FinalityTestSupport

@testable import FinalityFormat

/// The two upstream files are real bytes written by nodeos's own serializer. They are
/// read from ../shared/upstream (never copied into the project).
enum Upstream {
    static let directory = PackagePaths.upstream

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static let keyTexts = [
        "PUB_BLS_QMg8-wBVg6J1NJ1EivX4vwwOcL4GRX9RG5ebcfqNeza4kS_jjIbP4mKZ9upC3soRzyGeljRPKB8d-r_cVTnMg2QcXfXwmgSUAFoC4XGJfh2LS3IgBAyUvfwDmaLN4ioUrSb0aQ",
        "PUB_BLS_kkwuxSldAgJdE4VuDujHqJpvrqZrRHpFY-8oBaeyRg2FcmrSXcA05sxQDxfGr3cC_ubimD-pgXEvRnYOnMJg0yZlmE0WGXm_Fs3d9A9ObOcQsNOGvyYNp7fftOqeYnwOV2auSQ",
        "PUB_BLS_s4BZuXDpNWivBOI5kcxVrc1ePNrJ_QO8fX-7XN7mv7Sc5roSJAxvfVWDJ2hciN0Avxe3zMIlU1K23xnfrhpITWMptNGISk27vzHgvAN0luMOvm00cC4E0pCjzu9n-5IMKurYKg",
    ]
}

@Suite("Upstream files written by nodeos")
struct UpstreamTests {
    @Test("safety_v1.dat decodes, nodeos would load it, and encodes to the same bytes")
    func v1RoundTrip() throws {
        let bytes = try Upstream.bytes("safety_v1.dat")
        #expect(bytes.count == 739)
        let v = SafetyFileReader.verify(bytes)
        #expect(v.errors.isEmpty, "\(v.errors)")
        let file = try #require(v.file)
        #expect(file.format == .savannaV1)
        #expect(file.entries.count == 3)
        #expect(v.storedCRC == 0x00A2_A67B)
        #expect(v.computedCRC == 0x00A2_A67B)
        #expect(SafetyFileWriter.encode(file) == bytes)
    }

    @Test("safety_v0.dat decodes and encodes to the same bytes")
    func v0RoundTrip() throws {
        let bytes = try Upstream.bytes("safety_v0.dat")
        #expect(bytes.count == 726)
        let file = try SafetyFileReader.decode(bytes)
        #expect(file.format == .savannaV0)
        #expect(file.entries.count == 3)
        #expect(SafetyFileWriter.encode(file) == bytes)
    }

    @Test("converting the upstream v0 file to v1 gives the upstream v1 file, byte for byte")
    func v0ConvertsToV1() throws {
        let v0 = try SafetyFileReader.decode(Upstream.bytes("safety_v0.dat"))
        let v1 = try Upstream.bytes("safety_v1.dat")
        #expect(SafetyFileWriter.encode(v0.convertedToSavannaV1()) == v1)
    }

    @Test("the upstream v1 file's decoded values: keys as text, ids, slots")
    func decodedValues() throws {
        let file = try SafetyFileReader.decode(Upstream.bytes("safety_v1.dat"))
        #expect(file.entries.map(\.key.text) == Upstream.keyTexts)
        let e = try #require(file.entries.first?.savanna)
        #expect(e.lastVote.blockID.hex == "c8c9ffebb62da92ad85184abf909810fd3234187c9a885f7af0dd396cddd59fb")
        #expect(e.lastVote.timestamp.slot == 203)
        #expect(e.lastVote.timestamp.iso8601 == "2000-01-01T00:01:41.500Z")
        #expect(e.lock.blockID.hex == "bcb2465259e29f11a3da0544182daa45532c664177f962133ddd78918e8b6220")
        #expect(e.lock.timestamp.slot == 200)
        #expect(e.otherBranchLatestTime.slot == 0)
        #expect(file.entries.map { $0.savanna!.lastVote.timestamp.slot } == [203, 3, 103])
        #expect(file.entries.map { $0.savanna!.lock.timestamp.slot } == [200, 0, 100])
        // Ids of the samples are random hashes: their "block numbers" are just their first 4 bytes.
        #expect(e.lastVote.blockNumber == 0xC8C9_FFEB)
    }

    @Test("the upstream v0 file holds the same three keys")
    func v0Keys() throws {
        let file = try SafetyFileReader.decode(Upstream.bytes("safety_v0.dat"))
        #expect(Set(file.entries.map(\.key.text)) == Set(Upstream.keyTexts))
    }
}
