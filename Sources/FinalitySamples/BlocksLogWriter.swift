import FinalityEngine
import FinalityFormat
import SystemPackage

/// How to make a run of realistic signed blocks: one slot apart, producers taking turns,
/// each block's `previous` the id of the one before.
public struct BlockChainSpec: Sendable {
    public var firstBlockNumber: UInt32
    public var count: Int
    public var firstTimestamp: BlockTimestamp
    public var producers: [AccountName]
    /// Consecutive blocks per producer turn (12 on Antelope networks).
    public var blocksPerProducer: Int
    /// The id the first block points to: nil means the zero id for block 1, otherwise a
    /// made-up id carrying number `firstBlockNumber − 1`.
    public var previousOfFirst: Bytes32?
    public var scheduleVersion: UInt32
    /// `new_producers` carried by the block with this number.
    public var newProducers: [UInt32: ProducerSchedule]
    /// Header extensions carried by the block with this number.
    public var headerExtensions: [UInt32: [HeaderExtension]]
    /// Varies the made-up mroots and signatures between chains.
    public var seed: String

    public init(
        firstBlockNumber: UInt32 = 1, count: Int,
        firstTimestamp: BlockTimestamp = BlockTimestamp(iso8601: "2024-06-01T00:00:00.000")!,
        producers: [AccountName] = ["bp.alpha", "bp.bravo", "bp.charlie", "bp.delta"], blocksPerProducer: Int = 12,
        previousOfFirst: Bytes32? = nil, scheduleVersion: UInt32 = 1, newProducers: [UInt32: ProducerSchedule] = [:],
        headerExtensions: [UInt32: [HeaderExtension]] = [:], seed: String = "finality"
    ) {
        self.firstBlockNumber = firstBlockNumber
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.producers = producers
        self.blocksPerProducer = blocksPerProducer
        self.previousOfFirst = previousOfFirst
        self.scheduleVersion = scheduleVersion
        self.newProducers = newProducers
        self.headerExtensions = headerExtensions
        self.seed = seed
    }
}

extension SignedBlock {
    /// Blocks made from `spec`. The signatures have the K1 shape (type 0, 65 bytes, a
    /// recovery byte 31…34) but sign nothing: nodeos never re-verifies irreversible blocks
    /// read back from its own log, and this tool reads headers only.
    public static func chain(_ spec: BlockChainSpec) -> [SignedBlock] {
        func hash(_ parts: String...) -> [UInt8] { Array(SHA256.hash(data: Array(parts.joined(separator: "/").utf8))) }
        var previous: Bytes32
        if let p = spec.previousOfFirst {
            previous = p
        } else if spec.firstBlockNumber <= 1 {
            previous = .zero
        } else {
            var b = hash(spec.seed, "previous", "\(spec.firstBlockNumber - 1)")
            let n = spec.firstBlockNumber - 1
            (b[0], b[1], b[2], b[3]) = (UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff))
            previous = Bytes32(b)
        }
        var out = [SignedBlock]()
        out.reserveCapacity(spec.count)
        let producers = spec.producers.isEmpty ? [AccountName("eosio")] : spec.producers
        for i in 0..<spec.count {
            let number = spec.firstBlockNumber &+ UInt32(i)
            let turn = (Int(number) / max(1, spec.blocksPerProducer)) % producers.count
            let header = BlockHeader(
                timestamp: BlockTimestamp(slot: spec.firstTimestamp.slot &+ UInt32(i)),
                producer: producers[turn], confirmed: 0, previous: previous, transactionMroot: .zero,
                actionMroot: Bytes32(hash(spec.seed, "action_mroot", "\(number)")),
                scheduleVersion: spec.scheduleVersion, newProducers: spec.newProducers[number],
                headerExtensions: spec.headerExtensions[number] ?? [])
            let id = header.id
            let signature = [UInt8(31 + number % 4)] + hash(spec.seed, "sig-r", id.hex) + hash(spec.seed, "sig-s", id.hex)
            out.append(SignedBlock(header: header, producerSignature: .k1(signature)))
            previous = id
        }
        return out
    }
}

/// Writes `blocks.log` (and `blocks.index`) the way nodeos does: the preamble, then each
/// packed signed block followed by the u64 offset of its first byte; a pruned log ends
/// with a u32 block count. Used for fixtures and the demo data dir.
public struct BlocksLogWriter: Sendable {
    /// 1, 2 or 3 (nodeos writes 3).
    public var version: UInt32
    /// Sets bit 31 of the version and appends the block count.
    public var pruned: Bool
    public var genesis: GenesisState
    /// The chain id a version 3 log starting after block 1 stores (default: the genesis's).
    public var chainID: Bytes32?
    public var writeIndex: Bool

    public init(
        version: UInt32 = 3, pruned: Bool = false, genesis: GenesisState = .example, chainID: Bytes32? = nil,
        writeIndex: Bool = true
    ) {
        self.version = version
        self.pruned = pruned
        self.genesis = genesis
        self.chainID = chainID
        self.writeIndex = writeIndex
    }

    /// The bytes written.
    public struct Encoded: Sendable {
        public var log: [UInt8]
        public var index: [UInt8]
        /// Offset of each entry, in block order (what `blocks.index` holds).
        public var entryOffsets: [UInt64]
        public var preambleByteCount: Int
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unsupportedVersion(UInt32)
        case versionOneStartsAtBlockOne(firstBlock: UInt32)
        case notConsecutive(index: Int, expected: UInt32, found: UInt32)

        public var description: String {
            switch self {
            case .unsupportedVersion(let v): "blocks.log version must be 1, 2 or 3, not \(v)"
            case .versionOneStartsAtBlockOne(let n): "a version 1 log has no first_block_num: it must start at block 1, not \(n)"
            case .notConsecutive(let i, let e, let f): "block \(i) of the run has number \(f), expected \(e)"
            }
        }
    }

    public func preamble(firstBlockNumber: UInt32) throws(Failure) -> BlocksLogPreamble {
        guard BlocksLogPreamble.supportedVersions.contains(version) else { throw .unsupportedVersion(version) }
        if version == 1 && firstBlockNumber != 1 { throw .versionOneStartsAtBlockOne(firstBlock: firstBlockNumber) }
        let context: BlocksLogPreamble.ChainContext =
            BlocksLogPreamble.containsGenesis(version: version, firstBlockNumber: firstBlockNumber)
            ? .genesis(genesis) : .chainID(chainID ?? genesis.chainID)
        var w = ByteWriter()
        var p = BlocksLogPreamble(version: version, pruned: pruned, firstBlockNumber: firstBlockNumber, chainContext: context, byteCount: 0)
        p.encode(&w)
        p.byteCount = w.bytes.count
        return p
    }

    public func preambleBytes(firstBlockNumber: UInt32) throws(Failure) -> [UInt8] {
        var w = ByteWriter()
        try preamble(firstBlockNumber: firstBlockNumber).encode(&w)
        return w.bytes
    }

    /// One entry: the packed block, then the u64 offset of its first byte.
    public static func entryBytes(_ block: SignedBlock, at offset: UInt64) -> [UInt8] {
        var w = ByteWriter()
        w.append(block.packed)
        w.u64(offset)
        return w.bytes
    }

    /// The log and index for `blocks` (consecutive numbers); an empty run writes the
    /// preamble alone, starting at `firstBlockNumber`.
    public func encode(_ blocks: [SignedBlock], firstBlockNumber: UInt32? = nil) throws(Failure) -> Encoded {
        let first = firstBlockNumber ?? blocks.first?.blockNumber ?? 1
        for (i, b) in blocks.enumerated() where b.blockNumber != first &+ UInt32(i) {
            throw .notConsecutive(index: i, expected: first &+ UInt32(i), found: b.blockNumber)
        }
        var log = ByteWriter(capacity: 4096 + blocks.count * 300)
        try preamble(firstBlockNumber: first).encode(&log)
        let preambleCount = log.bytes.count
        var index = ByteWriter(capacity: blocks.count * 8)
        var offsets = [UInt64]()
        offsets.reserveCapacity(blocks.count)
        for block in blocks {
            let offset = UInt64(log.bytes.count)
            offsets.append(offset)
            log.append(block.packed)
            log.u64(offset)
            index.u64(offset)
        }
        if pruned { log.u32(UInt32(blocks.count)) }
        return Encoded(log: log.bytes, index: index.bytes, entryOffsets: offsets, preambleByteCount: preambleCount)
    }

    /// Writes `<dir>/blocks.log` (and `<dir>/blocks.index` when `writeIndex`), replacing them.
    @discardableResult
    public func write(_ blocks: [SignedBlock], toDirectory dir: String, firstBlockNumber: UInt32? = nil)
        throws(EngineError) -> Encoded
    {
        let encoded: Encoded
        do { encoded = try encode(blocks, firstBlockNumber: firstBlockNumber) } catch { throw .usage(SafeText(error.description)) }
        try SampleFile.write(dir + "/blocks.log", encoded.log, replacing: true, mode: 0o644)
        if writeIndex { try SampleFile.write(dir + "/blocks.index", encoded.index, replacing: true, mode: 0o644) }
        return encoded
    }
}
