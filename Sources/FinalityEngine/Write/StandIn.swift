import FoundationEssentials
import Glibc
import SystemPackage

/// The empty file that stands in for a missing safety file while a repair is applied:
/// the write path replaces an existing file (backup, temp, rename), and the repair's plan
/// is bound to no bytes, so an empty file is exactly what it was reviewed against. It
/// becomes the backup that records the absence.
public enum StandIn {
    /// Created exclusively without following links (a file or link planted at the name
    /// refuses the change), owned like its directory when we are root (nodeos's user owns
    /// the finalizers dir), mode 0644 (what nodeos's fopen makes under the usual umask),
    /// fsync'd with its directory. Every call goes through `Sys` (fault injection reaches
    /// it); a failure after the create removes the file again.
    public static func create(_ file: String) throws(EngineError) -> FileIdentity {
        let fd: FileDescriptor
        do {
            fd = try Sys.open(file, .writeOnly, [.create, .exclusiveCreate, .noFollow], permissions: FilePermissions(rawValue: 0o644))
        } catch {
            if error == .fileExists || error == .tooManySymbolicLinkLevels {
                throw .refused("\(file) appeared since the review (a file or link at the name): nothing written; review it again")
            }
            throw .io(path: file, operation: "create", reason: "\(error); nothing written")
        }
        do throws(Errno) {
            defer { try? Sys.close(fd, path: file) }
            let directory = PathText.directory(file)
            if geteuid() == 0 {
                let owner = try Sys.status(directory, followLinks: true)
                try Sys.fchown(fd, uid: owner.uid, gid: owner.gid, path: file)
            }
            try Sys.fsync(fd, path: file)
            let identity = try Sys.fstat(fd, path: file).identity
            try Sys.fsyncDirectory(directory)
            return identity
        } catch {
            try? Sys.unlink(file)
            throw .io(path: file, operation: "create the empty stand-in", reason: "\(error); it was removed, nothing written")
        }
    }

    /// Removes the stand-in if it is still ours and still empty (a failed apply leaves the
    /// file missing, as it was, never an empty file nodeos would refuse).
    public static func remove(_ file: String, _ identity: FileIdentity) {
        guard let st = try? Sys.status(file, followLinks: false), st.identity == identity, st.size == 0 else { return }
        try? Sys.unlink(file)
    }
}
