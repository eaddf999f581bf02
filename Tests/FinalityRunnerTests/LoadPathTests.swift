import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityRunner
import FinalityTestSupport
import Foundation
import Testing

/// The interface's and `verify`'s load path (issue 7, speed): the CRC-32 and SHA-256
/// computed beside the read must be exactly those of the bytes read, at every chunk
/// boundary; the interface shows the first screen before the SHA-256 and hands it over
/// later; a file larger than its header accounts for gets spring's verdict there too.
@Suite struct LoadPathTests {
    static func temp(_ bytes: [UInt8]) throws -> String {
        let path = TemporaryPaths.name("finality-load", suffix: ".dat")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A Savanna version 1 header whose count accounts for `size` bytes, then random bytes.
    static func savannaLike(size: Int) -> [UInt8] {
        let count = UInt64(size / 237 + 1)
        var header = [UInt8]()
        for v in [SafetyFormat.savannaMagic, 1, count] { header += (0..<8).map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) } }
        var g = SystemRandomNumberGenerator()
        let n = max(0, size - header.count)
        let rest = [UInt8](unsafeUninitializedCapacity: n) { buffer, count in
            var i = 0
            while i < n {
                var w = g.next()
                for _ in 0..<8 where i < n {
                    buffer[i] = UInt8(truncatingIfNeeded: w)
                    w >>= 8
                    i += 1
                }
            }
            count = n
        }
        return Array((header + rest).prefix(size))
    }

    @Test(arguments: [0, 3, 4, 5, 24, 1_000, 8 << 20, (8 << 20) - 1, (8 << 20) + 4, (8 << 20) + 5, 20_000_003])
    func digestsBesideTheReadAreThoseOfTheBytes(size: Int) throws {
        let bytes = Self.savannaLike(size: size)
        let path = try Self.temp(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let full = try SafetyFileInput.readStart(path, digests: .crcAndSHA256)
        #expect(full.bytes == bytes)
        #expect(full.sha256 == Bytes32(Array(SHA256.hash(data: bytes))))
        #expect(full.crcBeforeLast4 == (size >= 4 ? CRC32.checksum(bytes[0..<size - 4]) : nil))
        let crcOnly = try SafetyFileInput.readStart(path, digests: .crc)
        #expect(crcOnly.sha256 == nil)
        #expect(crcOnly.crcBeforeLast4 == full.crcBeforeLast4)
        let none = try SafetyFileInput.readStart(path)
        #expect(none.bytes == bytes && none.sha256 == nil && none.crcBeforeLast4 == nil)
    }

    /// A stored CRC that is wrong is still caught when the CRC comes from the read.
    @Test func aBadCRCIsCaughtThroughTheDigestPath() throws {
        let file = SafetyFile(format: .savannaV1, entries: [], trailingBytes: [])
        var bytes = SafetyFileWriter.encode(file)
        bytes[bytes.count - 1] ^= 0x01
        let path = try Self.temp(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = try SafetyFileInput.readStart(path, digests: .crcAndSHA256)
        let (_, v) = SafetyFileInput.hashAndVerify(try Location.resolve(path), start: start, options: .init())
        #expect(!v.nodeosLoads)
        #expect(v.errors.first?.check == .crc)
    }

    static func ref(_ n: UInt32) -> BlockRef {
        BlockRef(blockID: Fixture.id(n), timestamp: BlockTimestamp(slot: 100 * n), finalityDigest: Fixture.id(n, fill: 0xCD))
    }

    static func waitForHash(_ runner: EngineEffects, load: Int) -> Bytes32? {
        for _ in 0..<400 {
            if case .subgroupChecksPolled(_, let sha, _, _) = runner.perform(.pollSubgroupChecks(load: load)), let sha { return sha }
            usleep(25_000)
        }
        return nil
    }

    @Test func theInterfaceGetsTheHashAfterTheFirstScreen() throws {
        let entries = (1...3).map { k in
            SafetyEntry(
                key: Fixture.key(UInt64(k)),
                state: .savanna(SavannaSafety(lastVote: .empty, lock: Self.ref(UInt32(10 * k)))))
        }
        let (dir, path) = try TestFiles.dataDir(SafetyFile(format: .savannaV1, entries: entries, trailingBytes: []), prefix: "finality-load")
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let runner = EngineEffects(toolVersion: "test")
        let location = try Location.resolve(path)
        guard case .fileLoaded(.success(let first)) = runner.perform(.loadFile(location)) else {
            Issue.record("not loaded")
            return
        }
        #expect(first.sha256 == nil, "the first screen does not wait for the SHA-256")
        #expect(first.verification.nodeosLoads)
        let sha = Self.waitForHash(runner, load: first.loadID)
        #expect(sha == LoadedFile(location: location, bytes: TestFiles.read(path)).sha256)
        // A second load is another load: the first one's number gets nothing.
        guard case .fileLoaded(.success(let second)) = runner.perform(.loadFile(location)) else {
            Issue.record("not loaded again")
            return
        }
        #expect(second.loadID != first.loadID)
        if case .subgroupChecksPolled(_, let old, let texts, let warnings) = runner.perform(.pollSubgroupChecks(load: first.loadID)) {
            #expect(old == nil && texts == nil && warnings == nil)
        }
        // The wizard's wait: answered with the hash, however soon after the load.
        if case .subgroupChecksPolled(let load, let awaited, _, _) = runner.perform(.awaitHash(load: second.loadID)) {
            #expect(load == second.loadID && awaited == sha)
        } else {
            Issue.record("awaitHash gave another message")
        }
    }

    /// More than 1 MiB after the data: nodeos loads it (it reads no further than its CRC),
    /// and the interface now says so, as `verify` does, instead of refusing to read it.
    @Test func aFileWithMegabytesOfTrailingBytesGetsSpringsVerdictInTheInterface() throws {
        let entry = SafetyEntry(
            key: Fixture.key(5),
            state: .savanna(SavannaSafety(lastVote: .empty, lock: Self.ref(50))))
        let bytes = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [entry], trailingBytes: [])) + [UInt8](repeating: 0x5A, count: 3 << 20)
        let path = try Self.temp(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let runner = EngineEffects(toolVersion: "test")
        guard case .fileLoaded(.success(let snap)) = runner.perform(.loadFile(try Location.resolve(path))) else {
            Issue.record("the interface refused a file nodeos loads")
            return
        }
        #expect(snap.verification.nodeosLoads)
        #expect(snap.verification.warnings.contains { $0.check == .trailingBytes })
        #expect(!snap.readWhole)
        #expect(snap.byteCount == bytes.count)
        // A change still refuses it: it cannot keep bytes it did not read.
        #expect(throws: EngineError.self) { try FileBytes.read(path) }
    }
}
