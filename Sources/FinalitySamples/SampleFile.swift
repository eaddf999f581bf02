import FinalityEngine
import SystemPackage

/// Writes one file of a sample (the demo data dir, a blocks log) through `Sys`, so that
/// fault injection reaches it; a failure is an I/O error naming the file.
enum SampleFile {
    /// `replacing`: truncate a file already there; otherwise refuse one (O_EXCL).
    static func write(_ path: String, _ bytes: [UInt8], replacing: Bool, mode: UInt32) throws(EngineError) {
        do throws(Errno) {
            let options: FileDescriptor.OpenOptions = replacing ? [.create, .truncate] : [.create, .exclusiveCreate]
            let fd = try Sys.open(path, .writeOnly, options, permissions: FilePermissions(rawValue: mode))
            do { try Sys.writeAll(fd, bytes, path: path) } catch {
                try? Sys.close(fd, path: path)
                throw error
            }
            try Sys.close(fd, path: path)
        } catch {
            throw .io(path: path, operation: "write", reason: "\(error)")
        }
    }
}
