import FinalityFormat
import SystemPackage

/// Why a blocks directory or log could not give a LIB: the file, the offset (when there
/// is one) and the check that failed.
public struct BlocksLogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable names (`--json`, tests).
    public enum Check: String, Sendable, Hashable {
        case absent = "absent"
        case notADirectory = "not-a-directory"
        case unreadable = "io-error"
        case empty = "empty"
        case truncated = "truncated"
        case version = "unsupported-version"
        case preamble = "bad-preamble"
        case totem = "bad-totem"
        case noBlocks = "no-blocks"
        case trailer = "bad-trailer"
        case header = "bad-block-header"
        case blockNumber = "bad-block-number"
        case prunedCount = "bad-pruned-count"
    }

    public var path: String
    public var offset: Int?
    public var check: Check
    public var message: String

    public init(path: String, offset: Int? = nil, check: Check, message: String) {
        self.path = path
        self.offset = offset
        self.check = check
        self.message = message
    }

    public var description: String {
        let at = offset.map { "offset \(Offset.text($0)): " } ?? ""
        return "\(path): \(at)\(check.rawValue): \(message)"
    }

    /// Absent and unreadable files are I/O errors (exit 3); bytes that are not a valid
    /// block log are bad input (exit 2).
    public var engineError: EngineError {
        switch check {
        case .absent, .notADirectory, .unreadable:
            .io(path: path, operation: "read the block log", reason: (offset.map { "offset \(Offset.text($0)): " } ?? "") + message)
        default:
            .usage(SafeText(description))
        }
    }
}

/// What precedes the first entry of `blocks.log` (spring `block_log.cpp`, `block_log_preamble`).
public struct BlocksLogPreamble: Hashable, Sendable {
    public enum ChainContext: Hashable, Sendable {
        /// Versions 1 and 2, and version 3 logs that start at block 1.
        case genesis(GenesisState)
        /// Version 3 logs that start after block 1.
        case chainID(Bytes32)
    }

    /// The version with the pruned flag masked off: 1, 2 or 3.
    public var version: UInt32
    /// Bit 31 of the version word: the log was pruned and ends with a u32 block count.
    public var pruned: Bool
    public var firstBlockNumber: UInt32
    public var chainContext: ChainContext
    /// Offset of the first entry (just past the totem).
    public var byteCount: Int

    public init(version: UInt32, pruned: Bool, firstBlockNumber: UInt32, chainContext: ChainContext, byteCount: Int) {
        self.version = version
        self.pruned = pruned
        self.firstBlockNumber = firstBlockNumber
        self.chainContext = chainContext
        self.byteCount = byteCount
    }

    public static let prunedFlag: UInt32 = 1 << 31
    public static let totem: UInt64 = .max
    public static let supportedVersions: ClosedRange<UInt32> = 1...3

    /// The chain id: stored (v3 after block 1) or computed from the genesis state.
    public var chainID: Bytes32 {
        switch chainContext {
        case .genesis(let g): g.chainID
        case .chainID(let id): id
        }
    }

    public var genesis: GenesisState? {
        if case .genesis(let g) = chainContext { return g }
        return nil
    }

    /// Whether this version and first block number carry a genesis state (else a chain id).
    public static func containsGenesis(version: UInt32, firstBlockNumber: UInt32) -> Bool {
        version < 3 || firstBlockNumber == 1
    }

    static func decode(_ r: inout FieldReader, path: String) throws(BlocksLogError) -> BlocksLogPreamble {
        func fail(_ d: DecodeFailure) -> BlocksLogError {
            BlocksLogError(
                path: path, offset: d.offset, check: d.isShortRead ? .truncated : .preamble,
                message: "\(d.field): expected \(d.expected), found \(d.found)")
        }
        do {
            let raw = try r.u32("version")
            let version = raw & ~prunedFlag
            guard supportedVersions.contains(version) else {
                var message = "version must be 1, 2 or 3 (bit 31 = pruned), found \(raw) (0x\(String(raw, radix: 16)))"
                if raw == 0x5AFE_1111 || raw == 0x8967_4523 {
                    message += ": this looks like a finalizer safety file, not a blocks.log"
                } else if version == 4 {
                    message += ": version 4 (EOSIO 2.1 / Leap 3 size-prefixed entries) is not read by this tool"
                }
                throw BlocksLogError(path: path, offset: 0, check: .version, message: message)
            }
            let first = version == 1 ? 1 : try r.u32("first_block_num")
            guard first >= 1 else {
                throw BlocksLogError(path: path, offset: 4, check: .preamble, message: "first_block_num must be at least 1, found 0")
            }
            let context: ChainContext =
                containsGenesis(version: version, firstBlockNumber: first)
                ? .genesis(try GenesisState.decode(&r)) : .chainID(try r.bytes32("chain_id"))
            if version != 1 {
                let at = r.offset
                let totem = try r.u64("totem")
                guard totem == Self.totem else {
                    throw BlocksLogError(
                        path: path, offset: at, check: .totem,
                        message: "the preamble must end with the totem ffffffffffffffff, found \(String(totem, radix: 16))")
                }
            }
            return BlocksLogPreamble(
                version: version, pruned: raw & prunedFlag != 0, firstBlockNumber: first, chainContext: context,
                byteCount: r.offset)
        } catch let e as DecodeFailure {
            throw fail(e)
        } catch let e as BlocksLogError {
            throw e
        } catch {
            throw BlocksLogError(path: path, offset: r.offset, check: .preamble, message: "\(error)")
        }
    }

    /// The exact mirror of `decode` (samples write logs with it).
    public func encode(_ w: inout ByteWriter) {
        w.u32(version | (pruned ? Self.prunedFlag : 0))
        if version != 1 { w.u32(firstBlockNumber) }
        switch chainContext {
        case .genesis(let g): g.encode(&w)
        case .chainID(let id): w.bytes32(id)
        }
        if version != 1 { w.u64(Self.totem) }
    }
}

/// The last block of a `blocks.log`, found through its trailer, and how it was found.
public struct BlocksLogSummary: Sendable {
    public enum PreviousEntry: Hashable, Sendable {
        /// The last entry is the log's first: nothing before it to check.
        case none
        /// The entry before the last (found through the u64 just before the last entry)
        /// holds block N−1 and its id is the last block's `previous`.
        case linked(offset: UInt64, blockNumber: UInt32, id: Bytes32)
        /// The entry before could not be read or does not link (pruned logs punch holes).
        case unchecked(reason: String)
    }

    public var path: String
    public var fileSize: UInt64
    public var preamble: BlocksLogPreamble
    /// Offset of the last entry's first byte (the u64 at size−8, or size−12 when pruned).
    public var lastEntryOffset: UInt64
    /// Offset of the trailer u64 that gave `lastEntryOffset`.
    public var trailerOffset: UInt64
    public var lastEntryByteCount: UInt64
    public var lastBlockHeader: BlockHeader
    public var lastBlockSignature: ChainSignature
    public var lastBlockID: Bytes32
    /// The pruned log's trailing u32: how many blocks the log still holds.
    public var prunedBlockCount: UInt32?
    public var previousEntry: PreviousEntry
    /// What finding LIB cost: bytes returned by `pread`, and the number of calls.
    public var bytesRead: Int
    public var readCalls: Int

    public var lastBlockNumber: UInt32 { lastBlockHeader.blockNumber }
    /// Blocks from the preamble's first block to the last, as `blocks.index` counts them.
    public var blockCount: UInt64 { UInt64(lastBlockNumber) - UInt64(preamble.firstBlockNumber) + 1 }
    /// The first block still in the log (a pruned log lost the ones before).
    public var firstAvailableBlock: UInt32 {
        if let n = prunedBlockCount, n >= 1, UInt64(n) <= blockCount { return lastBlockNumber - n + 1 }
        return preamble.firstBlockNumber
    }
    public var lib: LIB { LIB(blockID: lastBlockID, timestamp: lastBlockHeader.timestamp) }
}

public enum BlocksLog {
    /// How much of the file is read at first for the preamble, and for an entry's header.
    /// Enough for a K1/R1 genesis state (126 bytes with the totem) and any ordinary header;
    /// more is read only if a WebAuthn key or a header really is longer.
    static let preambleWindow = 256
    static let entryWindow = 8192
    /// No block header is near this big; past it the log is not what it claims to be.
    static let maxHeaderRead = 64 << 20

    /// The last block of the log at `path`, reading a constant number of bytes.
    public static func readLast(path: String) throws(BlocksLogError) -> BlocksLogSummary {
        let file: PositionalFile
        do { file = try PositionalFile(path: path) } catch {
            switch error {
            case .absent: throw BlocksLogError(path: path, check: .absent, message: "no such file")
            case .isDirectory: throw BlocksLogError(path: path, check: .unreadable, message: "is a directory")
            case .other(let e): throw BlocksLogError(path: path, check: .unreadable, message: "cannot open: \(e)")
            }
        }
        return try readLast(file)
    }

    static func read(_ file: PositionalFile, at offset: UInt64, count: Int) throws(BlocksLogError) -> [UInt8] {
        do { return try file.read(at: offset, count: count) } catch {
            throw BlocksLogError(path: file.path, offset: Int(offset), check: .unreadable, message: "read failed: \(error)")
        }
    }

    public static func readLast(_ file: PositionalFile) throws(BlocksLogError) -> BlocksLogSummary {
        let path = file.path
        let size = file.size
        guard size > 0 else {
            throw BlocksLogError(path: path, offset: 0, check: .empty, message: "the file is empty (0 bytes): not a block log")
        }

        // Preamble.
        var window = try read(file, at: 0, count: preambleWindow)
        var preamble: BlocksLogPreamble
        while true {
            var r = FieldReader(window, base: 0)
            do {
                preamble = try BlocksLogPreamble.decode(&r, path: path)
                break
            } catch {
                // A WebAuthn genesis key may carry a long relying party id: read more once.
                if error.check == .truncated && UInt64(window.count) < size && window.count < maxHeaderRead {
                    window = try read(file, at: 0, count: min(maxHeaderRead, window.count * 16))
                    continue
                }
                if error.check == .truncated {
                    throw BlocksLogError(
                        path: path, offset: error.offset, check: .truncated,
                        message: "the file (\(size) bytes) ends inside the preamble: \(error.message)")
                }
                throw error
            }
        }
        let entriesStart = UInt64(preamble.byteCount)
        guard size > entriesStart else {
            throw BlocksLogError(
                path: path, offset: Int(entriesStart), check: .noBlocks,
                message: "the log holds a preamble (first block \(grouped(preamble.firstBlockNumber))) but no block yet")
        }

        // Trailer: the u64 offset of the last entry, then the block count when pruned.
        let trailerLength: UInt64 = preamble.pruned ? 12 : 8
        guard size >= entriesStart + trailerLength else {
            throw BlocksLogError(
                path: path, offset: Int(entriesStart), check: .truncated,
                message: "\(size - entriesStart) bytes after the preamble: too short for one entry and its \(trailerLength)-byte trailer")
        }
        let trailerOffset = size - trailerLength
        let trailer = try read(file, at: trailerOffset, count: Int(trailerLength))
        var tr = FieldReader(trailer, base: Int(trailerOffset))
        let lastOffset: UInt64
        var prunedCount: UInt32?
        do {
            lastOffset = try tr.u64("last entry offset")
            if preamble.pruned { prunedCount = try tr.u32("pruned block count") }
        } catch {
            throw BlocksLogError(path: path, offset: error.offset, check: .truncated, message: error.description)
        }
        let sizeName = preamble.pruned ? "size − 12" : "size − 8"
        guard lastOffset >= entriesStart, lastOffset < trailerOffset else {
            throw BlocksLogError(
                path: path, offset: Int(trailerOffset), check: .trailer,
                message:
                    "the u64 at \(sizeName) must be the offset of the last entry, between \(Offset.text(entriesStart)) and \(Offset.text(trailerOffset - 1)); found \(Offset.text(lastOffset)): the log is truncated or damaged (an interrupted write leaves a partial entry)")
        }

        // The last entry: its header and signature.
        let entryLength = trailerOffset - lastOffset
        let (header, signature, packedHeader) = try decodeEntry(file, at: lastOffset, length: entryLength, what: "last entry")
        let number = header.blockNumber
        let id = BlockHeader.id(packedHeader: packedHeader, blockNumber: number)
        guard number >= preamble.firstBlockNumber else {
            throw BlocksLogError(
                path: path, offset: Int(lastOffset) + 14, check: .blockNumber,
                message:
                    "the last block's number (previous + 1 = \(grouped(number))) is below the log's first block \(grouped(preamble.firstBlockNumber))")
        }
        if lastOffset == entriesStart && number != preamble.firstBlockNumber {
            throw BlocksLogError(
                path: path, offset: Int(lastOffset) + 14, check: .blockNumber,
                message: "the only entry holds block \(grouped(number)), but the preamble says the log starts at block \(grouped(preamble.firstBlockNumber))")
        }
        if let n = prunedCount {
            let span = UInt64(number) - UInt64(preamble.firstBlockNumber) + 1
            guard n >= 1, UInt64(n) <= span else {
                throw BlocksLogError(
                    path: path, offset: Int(trailerOffset) + 8, check: .prunedCount,
                    message: "the pruned log's block count must be between 1 and \(span) (blocks \(preamble.firstBlockNumber)…\(number)), found \(n)")
            }
        }

        // The entry before: found through the u64 just before the last entry.
        var previous = BlocksLogSummary.PreviousEntry.none
        if lastOffset > entriesStart {
            previous = checkPrevious(file, lastOffset: lastOffset, entriesStart: entriesStart, header: header)
        }

        return BlocksLogSummary(
            path: path, fileSize: size, preamble: preamble, lastEntryOffset: lastOffset, trailerOffset: trailerOffset,
            lastEntryByteCount: entryLength, lastBlockHeader: header, lastBlockSignature: signature, lastBlockID: id,
            prunedBlockCount: prunedCount, previousEntry: previous, bytesRead: file.bytesRead, readCalls: file.readCalls)
    }

    /// Header and signature of the entry at `offset` (`length` bytes before its trailing u64).
    static func decodeEntry(_ file: PositionalFile, at offset: UInt64, length: UInt64, what: String)
        throws(BlocksLogError) -> (BlockHeader, ChainSignature, [UInt8])
    {
        var count = Int(min(length, UInt64(entryWindow)))
        while true {
            let bytes = try read(file, at: offset, count: count)
            var r = FieldReader(bytes, base: Int(offset))
            do {
                let header = try BlockHeader.decode(&r)
                let headerLength = r.offset - Int(offset)
                let signature = try ChainSignature.decode(&r, "signed_block_header.producer_signature")
                return (header, signature, Array(bytes[0..<headerLength]))
            } catch {
                if error.isShortRead && UInt64(count) < length && count < maxHeaderRead {
                    count = Int(min(length, UInt64(maxHeaderRead)))
                    continue
                }
                let why =
                    error.isShortRead
                    ? "the \(what) (\(length) bytes at \(Offset.text(offset))) ends inside its header: \(error.field) needs \(error.expected), \(error.found) left"
                    : "\(error.field): expected \(error.expected), found \(error.found)"
                throw BlocksLogError(path: file.path, offset: error.offset, check: .header, message: "\(what): \(why)")
            }
        }
    }

    static func checkPrevious(_ file: PositionalFile, lastOffset: UInt64, entriesStart: UInt64, header: BlockHeader)
        -> BlocksLogSummary.PreviousEntry
    {
        guard lastOffset >= entriesStart + 8,
            let raw = try? read(file, at: lastOffset - 8, count: 8), raw.count == 8
        else { return .unchecked(reason: "no room for the previous entry's trailing offset") }
        let prevOffset = raw.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard prevOffset >= entriesStart, prevOffset < lastOffset - 8 else {
            return .unchecked(
                reason: "the u64 before the last entry (at \(Offset.text(lastOffset - 8))) is \(Offset.text(prevOffset)), not an entry offset")
        }
        let prev: (BlockHeader, ChainSignature, [UInt8])
        do {
            prev = try decodeEntry(file, at: prevOffset, length: lastOffset - 8 - prevOffset, what: "previous entry")
        } catch {
            return .unchecked(reason: error.description)
        }
        let prevNumber = prev.0.blockNumber
        let prevID = BlockHeader.id(packedHeader: prev.2, blockNumber: prevNumber)
        guard prevID == header.previous else {
            return .unchecked(
                reason: "the entry before (offset \(Offset.text(prevOffset)), block \(grouped(prevNumber)), id \(prevID.hex)) is not the last block's previous \(header.previous.hex)")
        }
        return .linked(offset: prevOffset, blockNumber: prevNumber, id: prevID)
    }
}
