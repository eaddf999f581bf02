import FinalityFormat
import FoundationEssentials
import Glibc
import SystemPackage

/// `blocks.index` against the log: one u64 offset per block, the last one the trailer's.
public enum BlocksIndexCheck: Hashable, Sendable {
    case absent
    case consistent(blockCount: UInt64)
    /// The index disagrees with the log (nodeos rebuilds it at start-up when it does).
    case inconsistent(problems: [String])
    case unreadable(reason: String)
}

/// An older range of blocks kept beside the log: `blocks-<first>-<last>.log`.
public struct RetainedRange: Hashable, Sendable, Comparable {
    public var path: String
    public var firstBlock: UInt32
    public var lastBlock: UInt32

    public init(path: String, firstBlock: UInt32, lastBlock: UInt32) {
        self.path = path
        self.firstBlock = firstBlock
        self.lastBlock = lastBlock
    }

    public var fileName: String { PathText.name(path) }

    public static func < (a: RetainedRange, b: RetainedRange) -> Bool {
        (a.firstBlock, a.lastBlock, a.path) < (b.firstBlock, b.lastBlock, b.path)
    }

    /// `blocks-<first>-<last>.log` (nodeos `block_log.cpp` names retained files so).
    public static func parse(fileName: String) -> (UInt32, UInt32)? {
        guard fileName.hasPrefix("blocks-"), fileName.hasSuffix(".log") else { return nil }
        let middle = fileName.dropFirst("blocks-".count).dropLast(".log".count)
        let parts = middle.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = UInt32(parts[0]), let b = UInt32(parts[1]), a <= b else { return nil }
        return (a, b)
    }
}

/// Everything read from a blocks directory to give a LIB.
public struct BlocksDirectoryReading: Sendable {
    public var directory: String
    public var log: BlocksLogSummary
    public var index: BlocksIndexCheck
    public var retained: [RetainedRange]
    /// Total bytes read (log and index).
    public var bytesRead: Int
    public var reading: LIBReading
}

public enum BlocksDirectory {
    /// Reads `<dir>/blocks.log` (also accepts a data dir holding `blocks/`, or the log's path).
    public static func read(_ dir: String) throws(BlocksLogError) -> BlocksDirectoryReading {
        var isDir = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
            throw BlocksLogError(path: dir, check: .absent, message: "no such directory")
        }
        var directory = dir
        var logPath: String
        if isDir {
            logPath = dir + "/blocks.log"
            if !FileManager.default.fileExists(atPath: logPath),
                FileManager.default.fileExists(atPath: dir + "/blocks/blocks.log")
            {
                // A data dir was given: its blocks directory is `blocks/`.
                directory = dir + "/blocks"
                logPath = directory + "/blocks.log"
            }
        } else {
            logPath = dir
            directory = PathText.directory(dir)
            if directory.isEmpty { directory = "." }
        }
        let retained = retainedRanges(in: directory)

        let log: BlocksLogSummary
        do {
            log = try BlocksLog.readLast(path: logPath)
        } catch {
            if error.check == .absent {
                var message = "no blocks.log in \(directory)"
                if let newest = retained.last {
                    message +=
                        " (found \(retained.count) retained range(s), the newest \(newest.fileName) up to block \(grouped(newest.lastBlock)); the newest blocks are always in blocks.log)"
                } else {
                    message += " (a node with block-log-retain-blocks = 0 keeps no log: use --api or --lib-id)"
                }
                throw BlocksLogError(path: logPath, check: .absent, message: message)
            }
            throw error
        }
        let indexPath = { var p = FilePath(logPath); p.extension = nil; return p.string }() + ".index"
        var bytesRead = log.bytesRead
        let index = checkIndex(path: indexPath, log: log, bytesRead: &bytesRead)
        let reading = makeReading(logPath: logPath, log: log, index: index, retained: retained, bytesRead: bytesRead)
        return BlocksDirectoryReading(
            directory: directory, log: log, index: index, retained: retained, bytesRead: bytesRead, reading: reading)
    }

    /// `blocks-N-M.log` in the directory and in its `retained/` subdirectory, oldest first.
    public static func retainedRanges(in directory: String) -> [RetainedRange] {
        var out = [RetainedRange]()
        for dir in [directory, directory + "/retained"] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names {
                if let (a, b) = RetainedRange.parse(fileName: name) {
                    out.append(RetainedRange(path: dir + "/" + name, firstBlock: a, lastBlock: b))
                }
            }
        }
        return out.sorted()
    }

    static func checkIndex(path: String, log: BlocksLogSummary, bytesRead: inout Int) -> BlocksIndexCheck {
        let file: PositionalFile
        do { file = try PositionalFile(path: path) } catch {
            switch error {
            case .absent: return .absent
            case .isDirectory: return .unreadable(reason: "\(path) is a directory")
            case .other(let e): return .unreadable(reason: "\(path): \(e)")
            }
        }
        defer { bytesRead += file.bytesRead }
        var problems = [String]()
        let expected = log.blockCount
        if file.size % 8 != 0 {
            problems.append("its size \(file.size) is not a multiple of 8")
        }
        if file.size / 8 != expected {
            problems.append(
                "it holds \(file.size / 8) offsets, the log \(expected) blocks (\(log.preamble.firstBlockNumber)…\(log.lastBlockNumber))")
        }
        if file.size >= 8 {
            let lastAt = (file.size / 8 - 1) * 8
            guard let raw = try? file.read(at: lastAt, count: 8), raw.count == 8 else {
                return .unreadable(reason: "\(path): cannot read its last offset")
            }
            let last = raw.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            if last != log.lastEntryOffset {
                problems.append(
                    "its last offset (at \(Offset.text(lastAt))) is \(Offset.text(last)), the log's trailer says \(Offset.text(log.lastEntryOffset))")
            }
        }
        return problems.isEmpty ? .consistent(blockCount: expected) : .inconsistent(problems: problems)
    }

    static func makeReading(
        logPath: String, log: BlocksLogSummary, index: BlocksIndexCheck, retained: [RetainedRange], bytesRead: Int
    ) -> LIBReading {
        var details = [String]()
        var warnings = [String]()
        let p = log.preamble
        let context: String
        switch p.chainContext {
        case .genesis(let g):
            context =
                "genesis state (initial key \(g.initialKey.typeName), chain id computed from it)"
        case .chainID: context = "chain id"
        }
        details.append(
            "blocks.log version \(p.version)\(p.pruned ? " (pruned)" : ""), first block \(grouped(p.firstBlockNumber)), preamble holds the \(context)")
        details.append(
            "last entry at offset \(Offset.text(log.lastEntryOffset)) (the u64 at \(p.pruned ? "size − 12" : "size − 8")), \(log.lastEntryByteCount) bytes; producer \(log.lastBlockHeader.producer), schedule version \(log.lastBlockHeader.scheduleVersion)")
        if let n = log.prunedBlockCount {
            details.append("pruned log: holds \(n) block(s), \(log.firstAvailableBlock)…\(log.lastBlockNumber)")
        }
        switch log.previousEntry {
        case .none: details.append("the last entry is the log's only one")
        case .linked(let off, let n, _):
            details.append("the entry before (offset \(Offset.text(off)), block \(grouped(n))) links to it")
        case .unchecked(let reason): warnings.append("could not check the entry before the last: \(reason)")
        }
        switch index {
        case .absent: details.append("no blocks.index beside the log: not cross-checked")
        case .consistent(let n): details.append("blocks.index agrees: \(n) offsets, the last one equals the trailer's")
        case .inconsistent(let problems):
            warnings.append("blocks.index disagrees with the log: " + problems.joined(separator: "; "))
        case .unreadable(let reason): warnings.append("blocks.index could not be read: \(reason)")
        }
        if !retained.isEmpty {
            details.append(
                "retained ranges: " + retained.map { "\($0.fileName) (\($0.firstBlock)…\($0.lastBlock))" }.joined(separator: ", "))
            if let newest = retained.last, newest.lastBlock &+ 1 != p.firstBlockNumber {
                warnings.append(
                    "the newest retained range ends at block \(grouped(newest.lastBlock)) but blocks.log starts at \(grouped(p.firstBlockNumber))")
            }
        }
        details.append(
            "read \(log.bytesRead) bytes of the \(log.fileSize)-byte log in \(log.readCalls) reads (preamble, trailer, last two entries: the same whatever the log's size)")
        return LIBReading(
            lib: log.lib, source: .blocksLog(path: logPath), chainID: p.chainID, details: details, warnings: warnings)
    }
}
