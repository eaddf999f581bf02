import BLS12381
import Foundation
import Testing

@testable import FinalityFormat

/// A damaged file still shows what it holds: the salvage API repair and list build on.
@Suite("Salvage: every entry that can be read, with its offset and whether it read cleanly")
struct SalvageTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: FixtureTests.directory.appendingPathComponent(name)))
    }

    @Test("a file torn inside entry 2 gives entries 0 and 1, cleanly read, at their offsets")
    func truncated() throws {
        let s = SafetyFileReader.salvage(try Self.fixture("truncated-entry.dat"))
        #expect(!s.verification.nodeosLoads)
        #expect(!s.complete)
        #expect(s.entries.map(\.offset) == [24, 261])
        #expect(s.entries.map(\.size) == [237, 237])
        #expect(s.entries.allSatisfy { $0.readCleanly })
        #expect(s.keepable.count == 2)
        #expect(s.stoppedAt?.entry == 2)
        #expect(s.headline == "Savanna safety.dat version 1, truncated in entry 2 (2 of 5 entries read)")
    }

    @Test("a key off the curve marks that entry only; the others are keepable")
    func oneBadKey() throws {
        let s = SafetyFileReader.salvage(try Self.fixture("key-not-on-curve.dat"))
        #expect(s.complete)
        #expect(s.entries.map(\.readCleanly) == [true, true, false, true, true])
        #expect(s.entries[2].findings.map(\.check) == [.keyNotOnCurve])
        #expect(s.keepable.map(\.index) == [0, 1, 3, 4])
    }

    @Test("a key length that is not 96 stops the salvage there: entry boundaries are unknown after it")
    func badLength() throws {
        let s = SafetyFileReader.salvage(try Self.fixture("wrong-key-length.dat"))
        #expect(s.entries.map(\.index) == [0])
        #expect(s.stoppedAt?.check == .keyLength)
        #expect(s.headline == "Savanna safety.dat version 1, unreadable from entry 1: key length (1 of 5 entries read)")
    }

    @Test("a CRC mismatch refuses the file, but every entry read cleanly")
    func badCRC() throws {
        let s = SafetyFileReader.salvage(try Self.fixture("bad-crc.dat"))
        #expect(!s.verification.nodeosLoads)
        #expect(s.complete)
        #expect(s.keepable.count == 5)
    }

    @Test("a later duplicate is read but not keepable; a padded entry is longer and keeps its length bytes")
    func duplicatesAndPadding() throws {
        let d = SafetyFileReader.salvage(try Self.fixture("duplicate-key.dat"))
        #expect(d.entries[5].duplicateOf == 1)
        #expect(d.keepable.map(\.index) == [0, 1, 2, 3, 4])
        let p = SafetyFileReader.salvage(try Self.fixture("padded-key-length.dat"))
        #expect(p.entries[1].size == 239)
        #expect(p.entries[1].entry.keyLengthBytes == [0xE0, 0x80, 0x00])
        #expect(p.entries.map(\.offset) == [24, 261, 500, 737, 974])
    }

    @Test("every prefix of a file with padded entries salvages exactly the whole entries it holds")
    func everyPrefix() throws {
        let bytes = try Self.fixture("padded-key-length.dat")
        let ends = [24 + 237, 24 + 237 + 239, 24 + 237 + 239 + 237, 24 + 237 * 3 + 239, 24 + 237 * 4 + 239]
        let full = SafetyFileReader.salvage(bytes).entries
        for n in 24..<bytes.count {
            let s = SafetyFileReader.salvage(Array(bytes[0..<n]))
            #expect(s.entries.count == ends.filter { $0 <= n }.count, "prefix of \(n) bytes")
            #expect(s.entries.map(\.entry) == Array(full.prefix(s.entries.count).map(\.entry)))
            #expect(!s.verification.nodeosLoads)
            #expect(!s.headline.contains("unknown format"))
        }
    }

    @Test("a file whose header cannot be read has no entries, and says what it is")
    func unreadable() throws {
        let bad = try Self.fixture("bad-magic.dat")
        #expect(SafetyFileReader.salvage(bad).entries.isEmpty)
        let v = SafetyFileReader.salvage(Array(try Self.fixture("v1-five-entries.dat").prefix(20)))
        #expect(v.entries.isEmpty)
        #expect(v.headline == "Savanna safety.dat version 1, truncated in the header (count)")
    }
}
