import FinalityEngine
import FinalityFormat
import FinalitySamples
import Foundation
import Testing
import FinalityTestSupport

@Suite("LIB from a blocks directory")
struct BlocksLogTests {
    @Test("the writer's log of every version, pruned or not, gives its last block as LIB", arguments: [1, 2, 3] as [UInt32], [false, true])
    func roundTripEveryVersion(version: UInt32, pruned: Bool) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SignedBlock.chain(BlockChainSpec(count: 40))
        let writer = BlocksLogWriter(version: version, pruned: pruned)
        let written = try writer.write(blocks, toDirectory: dir.path)
        let r = try BlocksDirectory.read(dir.path)
        let last = blocks.last!
        #expect(r.log.preamble.version == version)
        #expect(r.log.preamble.pruned == pruned)
        #expect(r.log.preamble.firstBlockNumber == 1)
        #expect(r.log.preamble.genesis == GenesisState.example)
        #expect(r.log.lastBlockNumber == 40)
        #expect(r.log.lastBlockHeader == last.header)
        #expect(r.log.lastBlockID.hex == independentID(last.header))
        #expect(r.reading.lib.blockID.hex == independentID(last.header))
        #expect(r.reading.lib.number == 40)
        #expect(r.reading.lib.timestamp == last.header.timestamp)
        #expect(r.log.lastEntryOffset == written.entryOffsets.last!)
        #expect(r.log.prunedBlockCount == (pruned ? 40 : nil))
        #expect(r.index == .consistent(blockCount: 40))
        #expect(r.reading.chainID == GenesisState.example.chainID)
        #expect(r.reading.source == .blocksLog(path: dir.file("blocks.log")))
        #expect(r.reading.warnings.isEmpty)
        if case .linked(_, let n, let id) = r.log.previousEntry {
            #expect(n == 39)
            #expect(id.hex == independentID(blocks[38].header))
        } else {
            Issue.record("the entry before the last should link: \(r.log.previousEntry)")
        }
        // The trailer: u64 at size − 8 (size − 12 when pruned), then the pruned count.
        let bytes = dir.read("blocks.log")
        let trailerAt = bytes.count - (pruned ? 12 : 8)
        var t = ByteReader(bytes, offset: trailerAt)
        #expect(try t.u64() == written.entryOffsets.last!)
        if pruned { #expect(try t.u32() == 40) }
        var v = ByteReader(bytes)
        #expect(try v.u32() == version | (pruned ? 0x8000_0000 : 0))
    }

    @Test("every block id the writer chains equals the id computed independently, and links to the one before")
    func idsLinkIndependently() {
        let blocks = SignedBlock.chain(BlockChainSpec(firstBlockNumber: 1_000, count: 30))
        for (i, b) in blocks.enumerated() {
            #expect(b.id.hex == independentID(b.header))
            #expect(b.blockNumber == 1_000 + UInt32(i))
            #expect(b.id.blockNumber == b.blockNumber)
            if i > 0 { #expect(b.header.previous == blocks[i - 1].id) }
            if i > 0 { #expect(b.header.timestamp.slot == blocks[i - 1].header.timestamp.slot + 1) }
        }
        #expect(blocks[0].header.previous.blockNumber == 999)
        #expect(Set(blocks.map(\.header.producer)).count > 1)
        // Packed signed block = header ‖ K1 signature (varint 0 + 65 bytes) ‖ varint 0 ‖ varint 0.
        let packed = blocks[0].packed
        let header = independentlyPacked(blocks[0].header)
        #expect(Array(packed.prefix(header.count)) == header)
        #expect(packed[header.count] == 0)
        #expect(packed.count == header.count + 1 + 65 + 2)
        #expect(Array(packed.suffix(2)) == [0, 0])
    }

    @Test("a version 3 log that starts after block 1 stores the chain id instead of the genesis state")
    func chainIDPreamble() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let chain = Bytes32(hex: String(repeating: "ab", count: 32))!
        let blocks = SignedBlock.chain(BlockChainSpec(firstBlockNumber: 5_000_001, count: 12))
        try BlocksLogWriter(version: 3, chainID: chain).write(blocks, toDirectory: dir.path)
        let r = try BlocksDirectory.read(dir.path)
        #expect(r.log.preamble.chainContext == .chainID(chain))
        #expect(r.log.preamble.byteCount == 4 + 4 + 32 + 8)
        #expect(r.reading.chainID == chain)
        #expect(r.reading.lib.number == 5_000_012)
        #expect(r.index == .consistent(blockCount: 12))
        // Version 2 keeps the genesis state even when it starts later.
        try BlocksLogWriter(version: 2).write(blocks, toDirectory: dir.path)
        #expect(try BlocksDirectory.read(dir.path).log.preamble.genesis == .example)
    }

    @Test("genesis keys of every form are read: K1, R1 and WebAuthn", arguments: [
        ChainPublicKey.k1([0x02] + [UInt8](repeating: 7, count: 32)),
        ChainPublicKey.r1([0x03] + [UInt8](repeating: 9, count: 32)),
        ChainPublicKey.webAuthn(key: [0x02] + [UInt8](repeating: 5, count: 32), userPresence: 1, relyingPartyID: "keys.example.com"),
        // Longer than the first preamble read: read again, bounded.
        ChainPublicKey.webAuthn(key: [0x03] + [UInt8](repeating: 6, count: 32), userPresence: 2, relyingPartyID: String(repeating: "rp.", count: 200)),
    ])
    func genesisKeys(key: ChainPublicKey) throws {
        let dir = TempDir()
        defer { dir.remove() }
        var config = ChainConfig()
        config.maxInlineActionSize = 4096
        let genesis = GenesisState(initialTimestampMicroseconds: 1_600_000_000_123_000, initialKey: key, initialConfiguration: config)
        try BlocksLogWriter(genesis: genesis).write(SignedBlock.chain(BlockChainSpec(count: 3)), toDirectory: dir.path)
        let r = try BlocksDirectory.read(dir.path)
        #expect(r.log.preamble.genesis == genesis)
        #expect(r.reading.chainID?.hex == Hex.encode(TestSHA256.hash(genesis.packed)))
    }

    @Test("EOS mainnet: the chain id is sha256 of its genesis state, and block 1's id is the known one")
    func mainnetVectors() {
        // genesis.json of the EOS mainnet (2018-06-08T08:08:08.888, key EOS7EarnUh…).
        let decoded = TestBase58.decode("7EarnUhcyYqmdnPon8rm7mBCTnBoot6o7fE2WzjvEX2TdggbL3")
        var config = ChainConfig()
        config.maxInlineActionSize = 4096
        let genesis = GenesisState(
            initialTimestampMicroseconds: 1_528_445_288_888_000, initialKey: .k1(Array(decoded.prefix(33))),
            initialConfiguration: config)
        #expect(genesis.packed.count == 8 + 1 + 33 + 68)
        #expect(genesis.chainID.hex == "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906")
        // nodeos's first block: producer 0, confirmed 1, action_mroot = chain id.
        let block1 = BlockHeader(
            timestamp: BlockTimestamp(unixMilliseconds: 1_528_445_288_888)!, producer: AccountName(rawValue: 0),
            confirmed: 1, previous: .zero, actionMroot: genesis.chainID)
        #expect(block1.id.hex == "00000001405147477ab2f5f51cda427b638191c66d2c59aa392d5c2c98076cb0")
    }

    @Test("new_producers and header extensions of the last block are parsed and hashed into its id")
    func newProducersAndExtensions() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let schedule = ProducerSchedule(
            version: 7,
            producers: [
                ProducerKey(producer: "bp.alpha", signingKey: .k1([0x02] + [UInt8](repeating: 1, count: 32))),
                ProducerKey(producer: "bp.bravo", signingKey: .r1([0x03] + [UInt8](repeating: 2, count: 32))),
                ProducerKey(
                    producer: "bp.charlie",
                    signingKey: .webAuthn(key: [0x02] + [UInt8](repeating: 3, count: 32), userPresence: 2, relyingPartyID: "rp")),
            ])
        let ext = [HeaderExtension(id: 2, data: [UInt8](repeating: 0x5a, count: 300)), HeaderExtension(id: 1, data: [])]
        let spec = BlockChainSpec(count: 25, newProducers: [25: schedule, 24: schedule], headerExtensions: [25: ext, 23: ext])
        let blocks = SignedBlock.chain(spec)
        try BlocksLogWriter().write(blocks, toDirectory: dir.path)
        let r = try BlocksDirectory.read(dir.path)
        #expect(r.log.lastBlockHeader.newProducers == schedule)
        #expect(r.log.lastBlockHeader.headerExtensions == ext)
        #expect(r.reading.lib.blockID.hex == independentID(blocks[24].header))
        #expect(r.log.previousEntry == .linked(offset: r.log.lastEntryOffset - UInt64(blocks[23].packed.count) - 8, blockNumber: 24, id: blocks[23].id))
    }

    @Test("a header longer than the first read window is still read, with a bounded second read")
    func longHeader() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let ext = [HeaderExtension(id: 2, data: [UInt8](repeating: 0x11, count: 20_000))]
        let blocks = SignedBlock.chain(BlockChainSpec(count: 3, headerExtensions: [3: ext]))
        try BlocksLogWriter().write(blocks, toDirectory: dir.path)
        let r = try BlocksDirectory.read(dir.path)
        #expect(r.log.lastBlockHeader.headerExtensions == ext)
        #expect(r.reading.lib.blockID == blocks[2].id)
    }

    @Test("blocks.index that disagrees with the log is reported, the LIB still read from the log")
    func indexMismatch() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SignedBlock.chain(BlockChainSpec(count: 10))
        let written = try BlocksLogWriter().write(blocks, toDirectory: dir.path)
        // One offset short: the count disagrees and the last offset is block 9's.
        dir.write("blocks.index", Array(written.index.dropLast(8)))
        var r = try BlocksDirectory.read(dir.path)
        guard case .inconsistent(let problems) = r.index else { Issue.record("expected inconsistent, got \(r.index)"); return }
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("holds 9 offsets, the log 10 blocks") })
        #expect(r.reading.warnings.contains { $0.contains("blocks.index disagrees") })
        #expect(r.reading.lib.number == 10)
        // Right count, wrong last offset.
        var bad = written.index
        bad[bad.count - 8] ^= 0xff
        dir.write("blocks.index", bad)
        r = try BlocksDirectory.read(dir.path)
        guard case .inconsistent(let p2) = r.index else { Issue.record("expected inconsistent"); return }
        #expect(p2.count == 1 && p2[0].contains("last offset"))
        // No index at all: said so, not an error.
        try FileManager.default.removeItem(atPath: dir.file("blocks.index"))
        r = try BlocksDirectory.read(dir.path)
        #expect(r.index == .absent)
        #expect(r.reading.details.contains { $0.contains("no blocks.index") })
    }

    @Test("retained ranges blocks-N-M.log are noticed and reported")
    func retainedRanges() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SignedBlock.chain(BlockChainSpec(firstBlockNumber: 2001, count: 5))
        try BlocksLogWriter().write(blocks, toDirectory: dir.path)
        dir.write("blocks-1-1000.log", [1, 2, 3])
        dir.write("blocks-1001-2000.log", [1, 2, 3])
        dir.write("blocks-1001-2000.index", [1])
        dir.write("blocks-x-2000.log", [1])
        let r = try BlocksDirectory.read(dir.path)
        #expect(r.retained.map(\.fileName) == ["blocks-1-1000.log", "blocks-1001-2000.log"])
        #expect(r.retained.map(\.lastBlock) == [1000, 2000])
        #expect(r.reading.details.contains { $0.contains("retained ranges: blocks-1-1000.log (1…1000), blocks-1001-2000.log (1001…2000)") })
        #expect(r.reading.warnings.isEmpty)
        // A gap between the newest range and blocks.log is a warning.
        try FileManager.default.removeItem(atPath: dir.file("blocks-1001-2000.log"))
        let r2 = try BlocksDirectory.read(dir.path)
        #expect(r2.reading.warnings.contains { $0.contains("ends at block 1,000 but blocks.log starts at 2,001") })
    }

    @Test("a data dir holding blocks/ is accepted, and so is the log's own path")
    func dataDirAndLogPath() throws {
        let dir = TempDir()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("blocks"), withIntermediateDirectories: true)
        try BlocksLogWriter().write(SignedBlock.chain(BlockChainSpec(count: 4)), toDirectory: dir.file("blocks"))
        #expect(try LIBSources.fromBlocksDir(dir.path).lib.number == 4)
        #expect(try LIBSources.fromBlocksDir(dir.file("blocks/blocks.log")).lib.number == 4)
    }

    @Test("account names round trip like nodeos's name type")
    func accountNames() {
        for n in ["eosio", "bp.alpha", "a", "zzzzzzzzzzzzj", "eosio.token", "12345abcdefgh"] {
            #expect(AccountName(n).description == n)
        }
        #expect(AccountName("eosio").rawValue == 0x5530_EA00_0000_0000)
        #expect(AccountName(rawValue: 0).description == "")
    }
}
