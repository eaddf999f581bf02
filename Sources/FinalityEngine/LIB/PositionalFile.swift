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
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch let e as Errno {
            throw e == .noSuchFileOrDirectory ? .absent : .other(e)
        } catch {
            throw .other(.ioError)
        }
        self.path = path
        do {
            let end = try fd.seek(offset: 0, from: .end)
            size = UInt64(end)
        } catch let e as Errno {
            try? fd.close()
            throw e == .isDirectory ? .isDirectory : .other(e)
        } catch {
            try? fd.close()
            throw .other(.ioError)
        }
    }

    deinit { try? fd.close() }

    /// Up to `count` bytes at `offset`; fewer only at the end of the file.
    public func read(at offset: UInt64, count: Int) throws(Errno) -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        let n = Int(min(UInt64(count), size - offset))
        var out = [UInt8](repeating: 0, count: n)
        var done = 0
        while done < n {
            let got: Int
            do {
                got = try out.withUnsafeMutableBytes { raw in
                    try fd.read(
                        fromAbsoluteOffset: Int64(offset) + Int64(done),
                        into: UnsafeMutableRawBufferPointer(rebasing: raw[done...]))
                }
            } catch let e as Errno {
                throw e
            } catch {
                throw .ioError
            }
            readCalls += 1
            if got == 0 { break }
            done += got
        }
        bytesRead += done
        return done == n ? out : Array(out[0..<done])
    }
}
