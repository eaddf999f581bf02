import SystemPackage

/// A file read only at explicit offsets (`pread`), never sequentially, and counting what
/// it reads: finding LIB must cost the same on a 5 GB log as on a 5 kB one.
public final class PositionalFile {
    public let path: String
    public let size: UInt64
    /// Bytes returned by every read so far.
    public private(set) var bytesRead = 0
    /// Number of `pread` calls.
    public private(set) var readCalls = 0
    private let fd: FileDescriptor

    public enum OpenFailure: Error, Sendable {
        case absent
        case isDirectory
        case other(Errno)
    }

    public init(path: String) throws(OpenFailure) {
        do { fd = try Sys.open(path, .readOnly, []) } catch {
            throw error == .noSuchFileOrDirectory ? .absent : .other(error)
        }
        self.path = path
        let st: FileStatus
        do { st = try Sys.fstat(fd, path: path) } catch {
            try? Sys.close(fd, path: path)
            throw .other(error)
        }
        guard !st.isDirectory else {
            try? Sys.close(fd, path: path)
            throw .isDirectory
        }
        size = UInt64(st.size)
    }

    deinit { try? Sys.close(fd, path: path) }

    /// Up to `count` bytes at `offset`; fewer only at the end of the file.
    public func read(at offset: UInt64, count: Int) throws(Errno) -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        let n = Int(min(UInt64(count), size - offset))
        var out = [UInt8](repeating: 0, count: n)
        var done = 0
        var failure: Errno?
        while done < n {
            let got = out.withUnsafeMutableBytes { raw -> Int in
                do throws(Errno) {
                    return try Sys.pread(
                        fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[done...]), at: Int64(offset) + Int64(done), path: path)
                } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw failure }
            readCalls += 1
            if got == 0 { break }
            done += got
        }
        bytesRead += done
        return done == n ? out : Array(out[0..<done])
    }
}
