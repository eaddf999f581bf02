import Foundation
import Testing
import FinalityTestSupport

@testable import FinalityFormat

/// One test per file in Fixtures/ (made by `finality-fixtures`), asserting its exact
/// verdict and message.
@Suite("Fixtures: each file's exact verdict")
struct FixtureTests {
    static let directory = PackagePaths.fixtures

    /// "Now" for the future-timestamp warning: fixed, so messages do not drift.
    static let now = BlockTimestamp(iso8601: "2026-11-21T12:00:00Z")!

    func verify(_ name: String) throws -> Verification {
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        return SafetyFileReader.verify(bytes, options: .init(now: Self.now))
    }

    /// Refused, with exactly this first error.
    func expectRefused(_ name: String, _ check: Finding.Check, _ message: String) throws {
        let v = try verify(name)
        #expect(!v.nodeosLoads)
        #expect(v.errors.first?.check == check)
        #expect(v.errors.first?.description == message)
        #expect(v.verdictLine == "nodeos will REFUSE this file: " + message)
    }

    /// Loaded, with exactly these warnings.
    func expectLoaded(_ name: String, warnings: [String], loader: Loader = .spring) throws -> Verification {
        let v = try verify(name)
        #expect(v.errors.map(\.description) == [])
        #expect(v.loader == loader)
        #expect(v.verdictLine == (loader == .spring ? "nodeos will load this file" : "the Leap HotStuff prototype will load this file"))
        #expect(v.warnings.map(\.description) == warnings)
        return v
    }

    @Test func v1FiveEntries() throws {
        let v = try expectLoaded("v1-five-entries.dat", warnings: [])
        #expect(v.headline == "Savanna safety.dat version 1, 5 entries")
        #expect(v.entriesComplete)
        #expect(v.file?.format == .savannaV1)
        #expect(v.file?.entries.count == 5)
        #expect(v.file?.entries.first?.lastVoteHeight == 400_000_210)
        #expect(v.file?.entries.first?.lockTime?.iso8601 == "2026-11-01T00:01:44.000Z")
    }

    @Test func v0ThreeEntries() throws {
        let v = try expectLoaded("v0-three-entries.dat", warnings: [])
        #expect(v.file?.format == .savannaV0)
        #expect(v.file?.entries.map { $0.savanna?.votesForkedSinceLatestStrongVote } == [false, true, false])
    }

    @Test func hotStuffThreeEntries() throws {
        let v = try expectLoaded(
            "hotstuff-three-entries.dat",
            warnings: ["offset 0x208 (520), entry 2, _b_lock: expected a proposal id, found 32 zero bytes (no lock)"], loader: .leapHotStuffPrototype)
        #expect(v.loaderLine.hasPrefix("loader: the Leap HotStuff prototype"))
        #expect(v.loaderLine.hasSuffix("spring refuses it as finalizers/safety.dat (bad magic)"))
        #expect(v.file?.format == .hotStuff)
        #expect(v.file?.entries.map { $0.hotStuff?.vheight } == [
            VHeight(bheight: 400_000_210, pcounter: 2), VHeight(bheight: 400_000_210, pcounter: 3), VHeight(bheight: 0, pcounter: 0),
        ])
        // The keys are 1·G1, 2·G1, 3·G1 in Jacobian Montgomery form: they read back as the
        // same points the v1 fixture holds in affine form.
        let v1 = try verify("v1-five-entries.dat")
        #expect(v.file?.entries.map(\.key) == Array(v1.file!.entries.prefix(3).map(\.key)))
    }

    @Test func v1Empty() throws {
        let v = try expectLoaded("v1-empty.dat", warnings: [])
        #expect(v.file?.entries.isEmpty == true)
    }

    @Test func badMagic() throws {
        #expect(try verify("bad-magic.dat").loader == .spring)
        #expect(try verify("bad-magic.dat").headline == "not a finalizer safety file (magic 0x5AFE11115AFE1110)")
        try expectRefused(
            "bad-magic.dat", .magic,
            "offset 0x0 (0), magic: expected 0x5AFE11115AFE1111 (Savanna) or 0x0123456789ABCDEF (HotStuff), found 0x5AFE11115AFE1110 (not a finalizer safety file)")
    }

    @Test func unknownVersion() throws {
        try expectRefused("unknown-version.dat", .version, "offset 0x8 (8), version: expected 0 or 1, found 7 (written by a newer or unknown build)")
    }

    @Test("a truncated file is refused, and still shows the entries before the break, and what it is")
    func truncatedEntry() throws {
        try expectRefused(
            "truncated-entry.dat", .truncated,
            "offset 0x1F2 (498), entry 2, entry: expected 237 bytes, found 100 bytes before the end of the file (the file ends inside entry 2 of 5)")
        let v = try verify("truncated-entry.dat")
        #expect(v.file?.entries.map(\.key) == Array(try verify("v1-five-entries.dat").file!.entries.prefix(2).map(\.key)))
        #expect(v.entriesComplete == false)
        #expect(v.entryOffsets == [24, 261])
        #expect(v.headline == "Savanna safety.dat version 1, truncated in entry 2 (2 of 5 entries read)")
        #expect(v.stoppedAt?.offset == 498)
    }

    @Test func badCRC() throws {
        try expectRefused("bad-crc.dat", .crc, "offset 0x4B9 (1209), crc: expected 0x236E1494 (CRC-32 of bytes 0..<1209), found 0xEFBEADDE")
        // The entries are still readable, so the operator can see them.
        #expect(try verify("bad-crc.dat").file?.entries.count == 5)
    }

    @Test func wrongKeyLength() throws {
        try expectRefused("wrong-key-length.dat", .keyLength, "offset 0x105 (261), entry 1, key length: expected 96, found 48")
    }

    @Test func keyNotOnCurve() throws {
        try expectRefused(
            "key-not-on-curve.dat", .keyNotOnCurve,
            "offset 0x1F3 (499), entry 2, key: expected a point on y^2 = x^3 + 4, found a point not on the curve")
    }

    @Test("a key outside the prime-order subgroup loads (spring checks no subgroup on load), with a warning")
    func keyNotInSubgroup() throws {
        let v = try expectLoaded(
            "key-not-in-subgroup.dat",
            warnings: ["offset 0x2E0 (736), entry 3, key: expected a point in the prime-order subgroup, found a point on the curve outside the subgroup (nodeos loads it; this key can never sign a valid vote)"])
        #expect(v.warnings.first?.check == .keyNotInSubgroup)
        #expect(v.warnings.first?.severity == .warning)
        // Without the subgroup check (the verdict first), the verdict is the same and the
        // warning comes from the later pass.
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent("key-not-in-subgroup.dat")))
        let fast = SafetyFileReader.verify(bytes, options: .init(checkSubgroup: false, now: Self.now))
        #expect(fast.nodeosLoads)
        #expect(fast.warnings.isEmpty)
        #expect(!fast.subgroupChecked)
        #expect(SafetyFileReader.subgroupWarnings(fast) == v.warnings)
        #expect(SafetyFileReader.subgroupWarnings(fast, background: true) == v.warnings)
        // Cancelled (the interface read the file again): the background checks stop, and
        // what they return is incomplete (here: nothing was checked).
        let stopped = Cancellation()
        stopped.cancel()
        #expect(SafetyFileReader.subgroupWarnings(fast, background: true, cancellation: stopped).isEmpty)
    }

    @Test("a key length of 96 padded to 3 bytes loads (fc reads it), with a warning; later offsets move by 2; bytes are kept")
    func paddedKeyLength() throws {
        let v = try expectLoaded(
            "padded-key-length.dat",
            warnings: ["offset 0x105 (261), entry 1, key length: expected the one-byte varint 60 that nodeos writes, found 96 padded to 3 bytes (e08000) (fc reads it as 96, so nodeos loads it; a rewrite keeps these bytes, nodeos's own next save writes 60)"])
        #expect(v.entryOffsets == [24, 261, 500, 737, 974])
        #expect(v.file?.entries[1].keyLengthBytes == [0xE0, 0x80, 0x00])
        #expect(v.file?.entries.map(\.key) == (try verify("v1-five-entries.dat")).file?.entries.map(\.key))
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent("padded-key-length.dat")))
        #expect(sameBytes(SafetyFileWriter.encode(try #require(v.file)), bytes) == nil)
    }

    @Test("a v0 count smaller than its entries loads what the count covers and warns about the rest")
    func countLeavesEntriesUnread() throws {
        let v = try expectLoaded(
            "count-leaves-entries-unread.dat",
            warnings: ["offset 0x102 (258), end of file: expected the file to end at byte 258 (the count is 1), found 468 more bytes, room for 2 more entries (nodeos reads only the entries the count gives and ignores the rest)"])
        #expect(v.file?.entries.count == 1)
        #expect(v.file?.trailingBytes.count == 468)
    }

    @Test func keyNotCanonical() throws {
        try expectRefused("key-not-canonical.dat", .keyNotCanonical, "offset 0x19 (25), entry 0, key: expected y below the field modulus p, found y >= p")
    }

    @Test func badBool() throws {
        try expectRefused(
            "bad-bool.dat", .bool, "offset 0x1EB (491), entry 1, votes_forked_since_latest_strong_vote: expected 0 or 1, found 2")
    }

    @Test func countLargerThanFile() throws {
        try expectRefused(
            "count-larger-than-file.dat", .count,
            "offset 0x10 (16), count: expected at most 5 (file is 1,213 bytes: 24-byte header, 237-byte entries, 4-byte CRC), found 9 (needs 2,161 bytes)")
    }

    @Test func trailingBytes() throws {
        let v = try expectLoaded(
            "trailing-bytes.dat",
            warnings: ["offset 0x4BD (1213), end of file: expected the file to end at byte 1213, found 9 more bytes (nodeos ignores them)"])
        #expect(v.file?.trailingBytes == Array("left over".utf8))
    }

    @Test func duplicateKey() throws {
        let v = try expectLoaded(
            "duplicate-key.dat",
            warnings: ["offset 0x4BA (1210), entry 5, key: expected each key once, found the key of entry 1 again (nodeos uses entry 1 and ignores this one)"])
        #expect(v.file.map { $0.index(of: $0.entries[5].key) } == 1)
    }

    @Test func noLock() throws {
        let v = try expectLoaded(
            "no-lock.dat",
            warnings: ["offset 0x1AA (426), entry 1, lock: expected a lock, found an all-zero lock (this key cannot vote until it is reset)"])
        #expect(v.file?.entries[1].neverVoted == true)
    }

    @Test func lastVoteOlderThanLock() throws {
        _ = try expectLoaded(
            "last-vote-older-than-lock.dat",
            warnings: ["offset 0x79 (121), entry 0, last_vote.timestamp: expected at or after the lock's 2026-11-01T00:01:44.000Z, found 2026-11-01T00:00:50.000Z, 54s earlier"])
    }

    @Test func futureTimestamp() throws {
        _ = try expectLoaded(
            "future-timestamp.dat",
            warnings: [
                "offset 0x99 (153), entry 0, last_vote.timestamp: expected a time before now (2026-11-21T12:00:00.000Z), found 2058-07-10T01:46:40.000Z, 11553d 13h ahead",
                "offset 0xDD (221), entry 0, lock.timestamp: expected a time before now (2026-11-21T12:00:00.000Z), found 2058-07-10T01:46:35.000Z, 11553d 13h ahead",
            ])
    }

    @Test func keyAtInfinity() throws {
        _ = try expectLoaded(
            "key-at-infinity.dat",
            warnings: ["offset 0x106 (262), entry 1, key: expected a point other than infinity, found x = y = 0 (the point at infinity) (nodeos loads it, but no finalizer can have this key)"])
    }

    @Test func developmentEraMagic() throws {
        try expectRefused(
            "dev-magic-1112.dat", .developmentEra,
            "offset 0x0 (0), magic: expected 0x5AFE11115AFE1111 (Savanna) or 0x0123456789ABCDEF (HotStuff), found 0x5AFE11115AFE1112 (magic 0x5AFE11115AFE1112 was written by an unreleased Spring development build; no release reads it)")
    }

    @Test func developmentEraUnversioned() throws {
        try expectRefused(
            "dev-unversioned.dat", .developmentEra,
            "offset 0x8 (8), version: expected 0 or 1, found 2 (this looks like an unversioned development-era file: the u64 at offset 8 is an entry count, and 2 entries of 237 bytes fill the file from offset 16; no release reads it)")
    }

    @Test func developmentEraBoolWithCRC() throws {
        try expectRefused(
            "dev-v1-bool-crc.dat", .developmentEra,
            "offset 0x10 (16), count: expected 3 entries of 237 bytes and a CRC, found 3 entries of 234 bytes and a CRC (a version 1 header over bool entries with a CRC: a development-era layout; no release reads it)")
    }

    @Test func developmentEra144ByteKeys() throws {
        try expectRefused(
            "dev-144-byte-keys.dat", .developmentEra,
            "offset 0x18 (24), entry 0, key length: expected 96, found 144 (144-byte keys (Jacobian, Montgomery form) are a development-era layout; no release reads them)")
    }

    @Test("every loadable fixture re-encodes to its exact bytes")
    func roundTrip() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".dat") }.sorted()
        #expect(names.count == 26)
        var loadable = 0
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name)))
            let v = SafetyFileReader.verify(bytes)
            guard v.nodeosLoads, let file = v.file else { continue }
            loadable += 1
            #expect(sameBytes(SafetyFileWriter.encode(file), bytes) == nil, "\(name)")
        }
        #expect(loadable == 13)
    }
}
