import Dispatch
import FinalityFormat
import FoundationEssentials
import Glibc
import SystemPackage

/// Reading a file named by an operator (or by anyone who can create files where the
/// operator looks) without letting it hurt the tool or the host.
///
/// - Anything that is not a regular file (a FIFO, a character or block device, a socket)
///   is refused from `stat`, before it is opened: opening a FIFO for reading blocks until
///   a writer comes, reading `/dev/zero` or `/dev/urandom` never ends, and opening some
///   devices has effects of its own. The open itself is non-blocking and the descriptor is
///   checked again with `fstat` (the name may have been swapped in between).
/// - No more than the size `fstat` gave is read (a file that grows while it is read cannot
///   make the read endless), and no more than the header accounts for plus 1 MiB (the
///   rest's size comes from `fstat`: trailing bytes nodeos ignores, a warning); a header
///   that accounts for more than `maximumSize` is refused before any byte is read: no
///   safety file is that large, and memory stays bounded.
/// - A symlink loop, a name that is not UTF-8 and a missing file each get their own message.
public enum SafetyFileInput {
    /// 1 GiB: about 4.5 million Savanna entries (nodeos writes one per configured key).
    public static let maximumSize = 1 << 30

    /// What kind of thing is at `path` (following symlinks), as a phrase; nil for a regular file.
    static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    static func shown(_ path: String) -> String { DisplayText.sanitize(path) }

    /// The error for a name `stat` cannot follow: accurate for symlink loops, names that
    /// are not UTF-8, missing files and permissions.
    public static func whyUnreadable(_ path: String, errno e: Int32? = nil) -> EngineError {
        if let raw = rawArgument(decodingTo: path) {
            return .usage(
                "\(DisplayText.sanitize(bytes: raw)): the name is not valid UTF-8 (bytes shown as \\xNN); finality cannot open it by this name: rename it, or make a symlink with a UTF-8 name and give that")
        }
        let code: Int32
        if let e { code = e } else {
            do { _ = try Sys.status(path, followLinks: true); code = 0 } catch { code = error.rawValue }
        }
        switch code {
        case ELOOP:
            return .io(path: shown(path), operation: "open", reason: "a symlink loop (too many levels of symbolic links)")
        case ENOENT:
            if let link = try? Sys.status(path, followLinks: false), link.isSymlink {
                return .io(path: shown(path), operation: "open", reason: "a dangling symlink (its target does not exist)")
            }
            return .io(path: shown(path), operation: "open", reason: "no such file or directory")
        case ENAMETOOLONG:
            return .io(path: shown(path), operation: "open", reason: "the name is too long")
        case 0:
            return .io(path: shown(path), operation: "open", reason: "it exists, but could not be opened")
        default:
            return .io(path: shown(path), operation: "open", reason: Errno(rawValue: code).description)
        }
    }

    /// A command-line argument whose bytes are not UTF-8 and that Swift's decoding (which
    /// puts U+FFFD in place of bad bytes) turned into `path`.
    static func rawArgument(decodingTo path: String) -> [UInt8]? {
        guard path.unicodeScalars.contains("\u{FFFD}") else { return nil }
        for i in 0..<Int(CommandLine.argc) {
            guard let c = CommandLine.unsafeArgv[i] else { continue }
            let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(c).assumingMemoryBound(to: UInt8.self), count: strlen(c)))
            if String(validating: bytes, as: UTF8.self) == nil && String(decoding: bytes, as: UTF8.self) == path {
                return bytes
            }
        }
        return nil
    }

    /// Refuses what must not be opened: non-regular files, loops, unreadable names.
    /// Directories are the caller's business (a data dir is one) and pass. Returns what
    /// `stat` said.
    @discardableResult
    public static func checkBeforeOpening(_ path: String) throws(EngineError) -> FileStatus {
        let st: FileStatus
        do { st = try Sys.status(path, followLinks: true) } catch { throw whyUnreadable(path, errno: error.rawValue) }
        if st.isDirectory { return st }
        if let kind = kind(mode_t(st.mode)) {
            throw .io(path: shown(path), operation: "read", reason: "\(kind), not a regular file: refused without opening it")
        }
        return st
    }

    /// The whole file, read safely (see the type's comment). A file larger than its header
    /// accounts for (plus `slack`) is refused: the callers that need every byte (a change
    /// keeps the bytes after the data as they were) cannot have them without reading them
    /// all. The read-only commands use `readStart`, which gives spring's verdict on it.
    public static func read(_ path: String) throws(EngineError) -> [UInt8] {
        let r = try readStart(path)
        if let what = r.notReadBecause {
            throw .io(
                path: shown(path), operation: "read",
                reason: "\(grouped(Int64(r.fileSize))) bytes, but \(what) accounts for at most \(grouped(Int64(r.justified))): refused without reading it whole (nodeos ignores bytes after its data; finality changes a file only when it can keep every byte)")
        }
        return r.bytes
    }

    /// The start of a file: all of it, or, when it is larger than its header accounts for
    /// plus `slack`, only that much (the rest is never read: a wrong path to a 50 GB
    /// blocks.log, a sparse file). nodeos reads no further than the CRC (spring
    /// libraries/chain/finalizer.cpp @94475fb, `load_finalizer_safety_info` 308-378: after
    /// the entries and the CRC (364-371) it closes the file; `persist_file.checksum()` is
    /// the CRC of the bytes read before the stored one), so the bytes after are only a
    /// warning, and their size comes from `fstat`, not from reading them.
    public struct Start: Sendable {
        public var bytes: [UInt8]
        /// The file's size (fstat): more than `bytes.count` when the rest was not read.
        public var fileSize: Int
        /// What the header accounts for (with `slack`, the most that is read).
        public var justified: Int
        /// Why not all was read ("its header (Savanna version 1, count 1)"), or nil.
        public var notReadBecause: String?
        public var isWhole: Bool { notReadBecause == nil }
        /// With `.crcAndSHA256`: the SHA-256 of `bytes`, computed beside the read.
        public var sha256: Bytes32?
        /// With `digests`: the CRC-32 of `bytes` but their last 4 (nil when fewer than 4
        /// or a short read), for `SafetyFileReader.Options.knownCRC`.
        public var crcBeforeLast4: UInt32?
    }

    /// What to compute beside the read, on another thread, as the bytes come: the CRC-32
    /// of all but the last 4 bytes (where a version 1 file without trailing bytes keeps its
    /// CRC), and the SHA-256 of them all.
    public enum Digests: Sendable { case none, crc, crcAndSHA256 }

    /// `digests`: see `Digests` and `hashAndVerify`.
    public static func readStart(_ path: String, digests wanted: Digests = .none) throws(EngineError) -> Start {
        try checkBeforeOpening(path)
        let fd: FileDescriptor
        do { fd = try Sys.open(path, .readOnly, [.nonBlocking, Sys.noControllingTerminal]) } catch {
            throw whyUnreadable(path, errno: error.rawValue)
        }
        defer { try? Sys.close(fd, path: path) }
        let st: FileStatus
        do { st = try Sys.fstat(fd, path: path) } catch { throw .io(path: shown(path), operation: "stat", reason: "\(error)") }
        if let kind = kind(mode_t(st.mode)) {
            // Swapped for something else between stat and open: read nothing from it.
            throw .io(path: shown(path), operation: "read", reason: "\(kind), not a regular file")
        }
        let size = Int(st.size)
        // The header says how much there can be; the rest of a much larger file is never
        // read (a wrong path to a 50 GB blocks.log, a sparse file, a count of 2^64 - 1).
        var header = [UInt8](repeating: 0, count: min(size, 64))
        var headerFailure: Errno?
        let got = header.withUnsafeMutableBytes { raw -> Int in
            do throws(Errno) { return try Sys.pread(fd, into: raw, at: 0, path: path) } catch {
                headerFailure = error
                return 0
            }
        }
        if let e = headerFailure { throw .io(path: shown(path), operation: "read", reason: "\(e)") }
        if got < header.count { header.removeSubrange(got...) }
        let (justified, what) = justifiedSize(header: header, size: size)
        let toRead = min(size, justified + slack)
        guard toRead <= maximumSize else {
            throw .io(
                path: shown(path), operation: "read",
                reason: "\(grouped(Int64(size))) bytes, larger than any finalizer safety file (finality reads at most \(grouped(Int64(maximumSize))) bytes, about 4.5 million entries): refused without reading it")
        }
        var sums: (sha256: Bytes32?, crc: UInt32?)?
        var failure: Errno?
        // Read in chunks into memory nobody has written yet (a fresh 237 MB buffer costs a
        // page fault per page: zeroing it first would double that); with `digests`,
        // another thread hashes each chunk once it is read, so the CRC-32 (and the
        // SHA-256) are ready when the read is.
        let out = [UInt8](unsafeUninitializedCapacity: toRead) { buffer, count in
            count = 0
            guard let first = buffer.baseAddress else { return }  // nothing to read
            let base = UnsafeMutableRawPointer(first)
            let digests = wanted == .none ? nil : RunningDigests(base, crcEnd: toRead - 4, withSHA256: wanted == .crcAndSHA256)
            var done = 0
            while done < toRead {
                let n: Int
                do throws(Errno) {
                    n = try Sys.read(fd, into: UnsafeMutableRawBufferPointer(start: base + done, count: min(toRead - done, Self.chunk)), path: path)
                } catch {
                    if error == .resourceTemporarilyUnavailable { continue }
                    failure = error
                    break
                }
                if n == 0 { break }  // shrank while read: what is there
                done += n
                digests?.publish(done)
            }
            digests?.finish(done)
            sums = digests?.wait()
            count = done
        }
        if sums == nil && wanted == .crcAndSHA256 {
            // Nothing was read (an empty file): the SHA-256 of no bytes.
            sums = (Digest.sha256(out), nil)
        }
        if let e = failure {
            throw .io(path: shown(path), operation: "read", reason: "\(e)")
        }
        if out.count < toRead {
            return Start(bytes: out, fileSize: out.count, justified: justified, notReadBecause: nil, sha256: sums?.sha256, crcBeforeLast4: nil)
        }
        return Start(
            bytes: out, fileSize: size, justified: justified, notReadBecause: toRead < size ? what : nil, sha256: sums?.sha256,
            crcBeforeLast4: sums?.crc)
    }

    /// Bytes read at a time (and hashed at a time beside the read).
    static let chunk = 8 << 20

    /// Bytes a file may hold beyond what its header accounts for and still be read whole
    /// (trailing bytes nodeos ignores, kept so that a rewrite keeps them).
    public static let slack = 1 << 20

    /// At most how many bytes a file starting with `header` can need, and what says so.
    /// Savanna: 24 + count × (entry + 4 bytes of key-length padding) + CRC, the count capped
    /// by the size; HotStuff: 8 + 10 + count × 181; anything else: nothing (its header
    /// already tells what it is).
    public static func justifiedSize(header: [UInt8], size: Int) -> (bytes: Int, what: String) {
        func u64(_ o: Int) -> UInt64? {
            guard header.count >= o + 8 else { return nil }
            return header[o..<o + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        guard let magic = u64(0) else { return (0, "a file too short for a magic number") }
        switch magic {
        case SafetyFormat.savannaMagic:
            guard let version = u64(8), version <= 1, let count = u64(16) else {
                return (0, "a Savanna header with no readable count")
            }
            let entry = version == 1 ? 237 : 234
            let n = Int(min(count, UInt64(size / entry + 1)))
            return (24 + n * (entry + 4) + 4, "its header (Savanna version \(version), count \(count))")
        case SafetyFormat.hotStuffMagic:
            var count: UInt64 = 0
            var shift: UInt64 = 0
            for b in header.dropFirst(8).prefix(10) {
                count |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            let n = Int(min(count, UInt64(size / 181 + 1)))
            return (18 + n * 181, "its header (HotStuff, count \(count))")
        default:
            return (0, "a file whose magic (\(Hex.encode(header.prefix(8)))) is not a safety file's")
        }
    }

}

extension SafetyFileInput {
    /// The verification of what `readStart` read: trailing bytes it did not read counted
    /// from the file's size, and the CRC computed beside the read used where it applies.
    public static func verify(_ start: Start, options: SafetyFileReader.Options) -> Verification {
        var options = options
        options.fileSize = start.fileSize
        if let crc = start.crcBeforeLast4 { options.knownCRC = (start.bytes.count - 4, crc) }
        return SafetyFileReader.verify(start.bytes, options: options)
    }

    /// The file's SHA-256 (`LoadedFile`) and its verification, for `verify` and the other
    /// read-only commands: read with `digests: .crcAndSHA256`, the SHA-256 is already
    /// there (computed beside the read) and the verification has every core.
    public static func hashAndVerify(
        _ location: Location, start: Start, options: SafetyFileReader.Options
    ) -> (LoadedFile, Verification) {
        let loaded = LoadedFile(location: location, bytes: start.bytes, sha256: start.sha256 ?? Digest.sha256(start.bytes))
        return (loaded, verify(start, options: options))
    }
}

/// The CRC-32 (and SHA-256) of a file's bytes, computed on another thread while the
/// bytes are read (`SafetyFileInput.readStart(digests:)`): the two cost about a third of a
/// second on a 237 MB file, which the read (a quarter) partly hides. The reading thread
/// publishes how far it has come; the hashing thread reads only bytes below the published
/// count, which the reading thread never writes again.
final class RunningDigests: @unchecked Sendable {
    private let lock = Lock()
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var published = 0
    private var final: Int?
    private var result: (sha256: Bytes32?, crc: UInt32?)?
    /// The CRC covers bytes 0..<crcEnd (the size read, less the 4 bytes a CRC takes).
    let crcEnd: Int
    let withSHA256: Bool

    /// Starts the hashing thread over the buffer at `base`.
    init(_ base: UnsafeMutableRawPointer, crcEnd: Int, withSHA256: Bool) {
        self.crcEnd = crcEnd
        self.withSHA256 = withSHA256
        nonisolated(unsafe) let bytes = UnsafeRawPointer(base)
        Threads.start { [self] in run(bytes) }
    }

    func publish(_ count: Int) {
        lock.withLock { published = count }
        wake.signal()
    }

    func finish(_ count: Int) {
        lock.withLock {
            published = count
            final = count
        }
        wake.signal()
    }

    /// The digests of the bytes read (called once, after `finish`).
    func wait() -> (sha256: Bytes32?, crc: UInt32?) {
        done.wait()
        return lock.withLock { result! }
    }

    private func run(_ bytes: UnsafeRawPointer) {
        var sha = SHA256()
        var crc: UInt32 = 0
        var hashed = 0
        while true {
            wake.wait()
            let (upTo, last) = lock.withLock { (published, final) }
            if upTo > hashed {
                if withSHA256 { sha.update(bufferPointer: UnsafeRawBufferPointer(start: bytes + hashed, count: upTo - hashed)) }
                let crcTo = min(upTo, crcEnd)
                if crcTo > hashed {
                    crc = CRC32.update(crc, UnsafeRawBufferPointer(start: bytes + hashed, count: crcTo - hashed))
                }
                hashed = upTo
            }
            if let last, hashed >= last {
                // The CRC is of bytes 0..<crcEnd only when that many were read.
                let whole = last == crcEnd + 4 && crcEnd >= 0
                let digest = withSHA256 ? Bytes32(Array(sha.finalize())) : nil
                lock.withLock { result = (digest, whole ? crc : nil) }
                done.signal()
                return
            }
        }
    }
}
