import FinalityEngine
import FinalityFormat
import FinalitySamples
import Foundation
import Testing
import FinalityTestSupport

@Suite("blocks.log that cannot give a LIB: clear errors naming file, offset and check")
struct BlocksLogErrorTests {
    func readError(_ path: String) -> BlocksLogError? {
        do {
            _ = try BlocksDirectory.read(path)
            return nil
        } catch {
            return error
        }
    }

    @Test("no such directory, no blocks.log: I/O errors (exit 3) that say what was looked for")
    func absent() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let e1 = try #require(readError(dir.file("nope")))
        #expect(e1.check == .absent)
        #expect(e1.engineError.status == .io)
        let e2 = try #require(readError(dir.path))
        #expect(e2.check == .absent)
        #expect(e2.path == dir.file("blocks.log"))
        #expect(e2.message.contains("block-log-retain-blocks = 0"))
        dir.write("blocks-1-100.log", [0])
        let e3 = try #require(readError(dir.path))
        #expect(e3.message.contains("blocks-1-100.log up to block 100"))
        do {
            _ = try LIBSources.fromBlocksDir(dir.path)
            Issue.record("should fail")
        } catch {
            #expect(error.status == .io)
            #expect(error.description.contains(dir.file("blocks.log")))
        }
    }

    @Test("an empty log is refused as bad input (exit 2)")
    func empty() throws {
        let dir = TempDir()
        defer { dir.remove() }
        dir.write("blocks.log", [])
        let e = try #require(readError(dir.path))
        #expect(e.check == .empty)
        #expect(e.offset == 0)
        #expect(e.engineError.status == .usage)
        #expect(e.description.hasPrefix(dir.file("blocks.log") + ": offset 0x0: empty:"))
    }

    @Test("a log with a preamble and no block says so")
    func preambleOnly() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let written = try BlocksLogWriter().write([], toDirectory: dir.path, firstBlockNumber: 1)
        let e = try #require(readError(dir.path))
        #expect(e.check == .noBlocks)
        #expect(e.offset == written.preambleByteCount)
    }

    @Test("a log cut anywhere is refused with the offset and the check, never crashes")
    func truncatedEverywhere() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SignedBlock.chain(BlockChainSpec(count: 3))
        let full = try BlocksLogWriter().encode(blocks).log
        var checks = Set<BlocksLogError.Check>()
        for cut in 1..<full.count {
            dir.write("blocks.log", Array(full.prefix(cut)))
            do {
                let r = try BlocksDirectory.read(dir.path)
                // A cut exactly after an earlier entry's trailer is a valid, shorter log.
                #expect(r.log.lastBlockNumber < 3)
            } catch {
                checks.insert(error.check)
                #expect(error.offset != nil)
                #expect(error.engineError.status == .usage)
            }
        }
        #expect(checks.contains(.truncated))
        #expect(checks.contains(.trailer))
        #expect(checks.contains(.noBlocks))
    }

    @Test("any single byte damaged: a reading or a named error, never a crash", arguments: [0x00, 0xFF] as [UInt8])
    func damagedBytes(value: UInt8) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SignedBlock.chain(BlockChainSpec(count: 2, newProducers: [2: ProducerSchedule(version: 2, producers: [
            ProducerKey(producer: "bp.alpha", signingKey: .k1([2] + [UInt8](repeating: 1, count: 32))),
        ])], headerExtensions: [2: [HeaderExtension(id: 2, data: [1, 2, 3])]]))
        let full = try BlocksLogWriter(pruned: true).encode(blocks).log
        for i in full.indices where full[i] != value {
            var bytes = full
            bytes[i] = value
            dir.write("blocks.log", bytes)
            do {
                let r = try BlocksDirectory.read(dir.path)
                #expect(r.reading.lib.number >= 1)
            } catch {
                #expect(error.offset != nil, "\(error)")
            }
        }
    }

    @Test("a partial last entry (a crash mid-append) is refused at the trailer")
    func partialLastEntry() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SignedBlock.chain(BlockChainSpec(count: 5))
        let full = try BlocksLogWriter().encode(blocks).log
        dir.write("blocks.log", Array(full.dropLast(3)))
        let e = try #require(readError(dir.path))
        #expect([.trailer, .header, .blockNumber].contains(e.check))
        #expect(e.offset != nil)
        #expect(e.message.contains("truncated") || e.check != .trailer)
    }

    @Test("a finalizer safety file given as blocks.log is named for what it is")
    func safetyFileIsNotABlockLog() throws {
        let dir = TempDir()
        defer { dir.remove() }
        dir.write("blocks.log", [0x11, 0x11, 0xFE, 0x5A, 0x11, 0x11, 0xFE, 0x5A] + [UInt8](repeating: 0, count: 30))
        let e = try #require(readError(dir.path))
        #expect(e.check == .version)
        #expect(e.offset == 0)
        #expect(e.message.contains("finalizer safety file"))
    }

    @Test("versions outside 1…3, a bad totem and a bad trailer are each named")
    func notABlockLog() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SignedBlock.chain(BlockChainSpec(count: 3))
        let good = try BlocksLogWriter().encode(blocks)
        var v4 = good.log
        v4[0] = 4
        dir.write("blocks.log", v4)
        #expect(readError(dir.path)?.check == .version)
        #expect(readError(dir.path)?.message.contains("version 4") == true)

        var totem = good.log
        totem[good.preambleByteCount - 1] = 0
        dir.write("blocks.log", totem)
        let t = try #require(readError(dir.path))
        #expect(t.check == .totem)
        #expect(t.offset == good.preambleByteCount - 8)

        var trailer = good.log
        trailer[trailer.count - 2] = 0x7f
        dir.write("blocks.log", trailer)
        let tr = try #require(readError(dir.path))
        #expect(tr.check == .trailer)
        #expect(tr.offset == good.log.count - 8)

        dir.write("blocks.log", Array("this is a text file, not a block log at all\n".utf8))
        #expect(readError(dir.path)?.check == .version)
    }

    @Test("a pruned count larger than the blocks the log spans is refused")
    func badPrunedCount() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var log = try BlocksLogWriter(pruned: true).encode(SignedBlock.chain(BlockChainSpec(count: 3))).log
        log[log.count - 4] = 9
        dir.write("blocks.log", log)
        let e = try #require(readError(dir.path))
        #expect(e.check == .prunedCount)
        #expect(e.offset == log.count - 4)
    }

    @Test("a directory in place of blocks.log is an I/O error")
    func logIsADirectory() throws {
        let dir = TempDir()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("blocks.log"), withIntermediateDirectories: true)
        let e = try #require(readError(dir.path))
        #expect(e.engineError.status == .io)
    }

    @Test("the writer refuses what nodeos could not have written")
    func writerRefusals() {
        let blocks = SignedBlock.chain(BlockChainSpec(firstBlockNumber: 10, count: 3))
        #expect(throws: BlocksLogWriter.Failure.versionOneStartsAtBlockOne(firstBlock: 10)) {
            try BlocksLogWriter(version: 1).encode(blocks)
        }
        #expect(throws: BlocksLogWriter.Failure.unsupportedVersion(4)) { try BlocksLogWriter(version: 4).encode(blocks) }
        #expect(throws: BlocksLogWriter.Failure.notConsecutive(index: 1, expected: 11, found: 12)) {
            try BlocksLogWriter().encode([blocks[0], blocks[2]])
        }
    }
}

@Suite("finding LIB reads a constant number of bytes")
struct BlocksLogConstantCostTests {
    @Test("a sparse 5 GiB log costs exactly what a small log with the same last blocks costs")
    func sparseLog() throws {
        let dir = TempDir("sparse")
        defer { dir.remove() }
        let small = TempDir("small")
        defer { small.remove() }
        // 200 blocks, the last two at 9,999,999 and 10,000,000.
        let blocks = SignedBlock.chain(BlockChainSpec(firstBlockNumber: 9_999_801, count: 200))
        let writer = BlocksLogWriter(version: 3, writeIndex: false)
        try writer.write(blocks, toDirectory: small.path)
        let smallReading = try BlocksDirectory.read(small.path)

        // The big log: the same preamble at the start, then holes, then the last two
        // entries (their trailing offsets pointing where they really sit) at the end.
        let size: UInt64 = 5 << 30
        let preamble = try writer.preambleBytes(firstBlockNumber: 9_999_801)
        let a = blocks[198], b = blocks[199]
        let bOffset = size - UInt64(b.packed.count + 8)
        let aOffset = bOffset - UInt64(a.packed.count + 8)
        let path = dir.file("blocks.log")
        let fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(ftruncate(fd, off_t(size)) == 0)
        func put(_ bytes: [UInt8], at offset: UInt64) {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
            #expect(n == bytes.count)
        }
        put(preamble, at: 0)
        put(BlocksLogWriter.entryBytes(a, at: aOffset), at: aOffset)
        put(BlocksLogWriter.entryBytes(b, at: bOffset), at: bOffset)
        var st = stat()
        #expect(fstat(fd, &st) == 0)
        #expect(UInt64(st.st_size) == size)
        #expect(UInt64(st.st_blocks) * 512 < 1 << 20, "the file must be sparse")

        let big = try BlocksDirectory.read(dir.path)
        #expect(big.log.fileSize == size)
        #expect(big.reading.lib == smallReading.reading.lib)
        #expect(big.reading.lib.number == 10_000_000)
        #expect(big.reading.lib.blockID.hex == independentID(b.header))
        #expect(big.log.lastEntryOffset == bOffset)
        #expect(big.log.previousEntry == .linked(offset: aOffset, blockNumber: 9_999_999, id: a.id))
        // The same bytes for a 5 GiB log as for a 50 kB one, and few of them.
        #expect(big.bytesRead == smallReading.bytesRead)
        #expect(big.log.readCalls == smallReading.log.readCalls)
        #expect(big.bytesRead < 1024)
        print("LIB from a sparse \(size)-byte log: \(big.bytesRead) bytes in \(big.log.readCalls) reads (small log of \(smallReading.log.fileSize) bytes: \(smallReading.bytesRead))")
    }
}
