import Foundation
import FinalityFormat
import SystemPackage

/// Where backups and temp files go. Names are derived, not random, so that tests (and
/// operators) can tell what a name will be; every one is created with O_EXCL|O_NOFOLLOW,
/// so a planted file or symlink at the name is refused, never followed.
public enum RecoveryPaths {
    /// `<dir>/backups` beside the safety file.
    public static func backupDirectory(for file: String) -> String {
        (file as NSString).deletingLastPathComponent + "/backups"
    }

    /// `<dir>/backups/<name>.<yyyyMMdd'T'HHmmss'Z'>.<first 12 hex of the old SHA-256>.bak`,
    /// then `-2`, `-3`… if that name is taken by a regular file.
    public static func backupPath(for file: String, time: Date, sha256: Bytes32, attempt: Int = 1) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let name = (file as NSString).lastPathComponent
        let suffix = attempt > 1 ? "-\(attempt)" : ""
        return backupDirectory(for: file) + "/\(name).\(f.string(from: time)).\(sha256.hex.prefix(12))\(suffix).bak"
    }

    /// `<dir>/.<name>.finality-<first 12 hex of the new SHA-256>.tmp`, in the file's own
    /// directory so that the rename is atomic.
    public static func tempPath(for file: String, afterSHA256: Bytes32) -> String {
        let dir = (file as NSString).deletingLastPathComponent
        let name = (file as NSString).lastPathComponent
        return dir + "/.\(name).finality-\(afterSHA256.hex.prefix(12)).tmp"
    }
}

public struct ApplyOptions: Sendable {
    public var context: AuditContext
    public var procRoot: String

    public init(context: AuditContext, procRoot: String = "/proc") {
        self.context = context
        self.procRoot = procRoot
    }
}

/// What an applied plan left behind.
public struct ApplyResult: Sendable {
    /// Every interlock, in order: state lock, processes, our own lock, file unchanged.
    public var interlocks: InterlockReport
    public var backupPath: String
    public var auditPath: String
    public var auditLine: String
    /// A temp file of an interrupted earlier run that was removed (we held the lock).
    public var removedLeftoverTemp: String?
}

/// The write path (product rules 1–5): interlocks, our lock, the hash check, backup,
/// temp file, fsync, rename, directory fsync, read back, audit record.
public enum Apply {
    public static func run(_ plan: Plan, location: Location, options: ApplyOptions) throws(EngineError) -> ApplyResult {
        let path = location.file
        guard path == plan.path else { throw .usage("the plan is for \(plan.path), not \(path)") }
        var checks = Interlocks.run(location, procRoot: options.procRoot).checks
        try InterlockReport(checks: checks).enforce()

        // The rename below swaps the inode, so a lock on the file alone would let a second
        // finality that opens the new file run while we finish (audit record included).
        // The directory does not move: a flock on it serializes finality processes.
        let directoryLock: FileDescriptor
        do {
            directoryLock = try Sys.open((path as NSString).deletingLastPathComponent, .readOnly, [.directory, .closeOnExec])
        } catch {
            throw openError(error, path: (path as NSString).deletingLastPathComponent, what: "open the directory")
        }
        defer { try? directoryLock.close() }
        guard flock(directoryLock.rawValue, LOCK_EX | LOCK_NB) == 0 else {
            throw .refused("another finality is applying a change in \((path as NSString).deletingLastPathComponent): try again when it is done")
        }

        // Our own exclusive lock, an open-file-description lock: unlike a classic POSIX
        // lock, it is not dropped when this process closes another descriptor of the file.
        let fd: FileDescriptor
        do {
            fd = try Sys.open(path, .readWrite, [.noFollow, .closeOnExec])
        } catch {
            throw openError(error, path: path, what: "open for writing")
        }
        defer { try? fd.close() }
        var fl = Glibc.flock()
        fl.l_type = Int16(F_WRLCK)
        fl.l_whence = Int16(SEEK_SET)
        guard fcntl(fd.rawValue, Interlocks.F_OFD_SETLK, &fl) == 0 else {
            let e = Errno(rawValue: errno)
            if e == .resourceTemporarilyUnavailable || e == .permissionDenied {
                throw .refused("another process holds a lock on \(path) (another finality applying a change?): try again when it is done")
            }
            throw .io(path: path, operation: "lock", reason: "\(e)")
        }
        checks.append(InterlockCheck(
            name: "own-lock", checked: "our exclusive lock on \(path)", found: "taken (open-file-description write lock on the file, flock on its directory; held until the end)",
            outcome: .clear))
        Failpoint.hit(.afterLock)

        var st = stat()
        var pathSt = stat()
        guard fstat(fd.rawValue, &st) == 0 else { throw .io(path: path, operation: "stat", reason: "\(Errno(rawValue: errno))") }
        guard lstat(path, &pathSt) == 0, pathSt.st_ino == st.st_ino, pathSt.st_dev == st.st_dev else {
            throw .refused("\(path) was replaced while we opened it: plan again")
        }
        let current: [UInt8]
        do { current = try AuditLog.readAll(fd) } catch { throw .io(path: path, operation: "read", reason: "\(error)") }
        let currentSHA = Digest.sha256(current)
        guard currentSHA == plan.beforeSHA256 else {
            throw .refused(
                "\(path) changed since the plan was made (planned on SHA-256 \(plan.beforeSHA256.hex), now \(currentSHA.hex)): nothing written; review the new content and plan again")
        }
        checks.append(InterlockCheck(
            name: "file-unchanged", checked: "file unchanged since the plan", found: "SHA-256 \(currentSHA.hex) as planned",
            outcome: .clear))
        // A node could have started between the scan and our lock: ask again.
        let again = Interlocks.run(location, procRoot: options.procRoot)
        try again.enforce()
        checks = again.checks + checks.filter { $0.name == "own-lock" || $0.name == "file-unchanged" }

        let directory = (path as NSString).deletingLastPathComponent
        let backup = try writeBackup(current, file: path, sha256: currentSHA, time: options.context.time)

        // The temp file: same directory (atomic rename), same mode and owner.
        let tempPath = RecoveryPaths.tempPath(for: path, afterSHA256: plan.afterSHA256)
        var removedLeftover: String?
        var tst = stat()
        if lstat(tempPath, &tst) == 0 {
            guard (tst.st_mode & S_IFMT) == S_IFREG, tst.st_nlink == 1 else {
                throw .refused("\(tempPath) exists and is not a plain file of ours (a symlink or a link?): nothing written; remove it after checking what it is")
            }
            // We hold the lock, so no other finality is writing it: a crash left it.
            guard unlink(tempPath) == 0 else { throw .io(path: tempPath, operation: "remove a leftover temp file", reason: "\(Errno(rawValue: errno))") }
            removedLeftover = tempPath
        }
        let mode = FilePermissions(rawValue: st.st_mode & 0o7777)
        let temp: FileDescriptor
        do {
            temp = try Sys.open(tempPath, .writeOnly, [.create, .exclusiveCreate, .noFollow, .closeOnExec], permissions: mode)
        } catch {
            if error == .fileExists || error == .tooManySymbolicLinkLevels {
                throw .refused("\(tempPath) appeared while we created it (a planted file or symlink?): nothing written")
            }
            throw openError(error, path: tempPath, what: "create the temp file")
        }
        var tempClosed = false
        defer { if !tempClosed { try? temp.close() } }
        func failTemp(_ op: String, _ e: some Error) -> EngineError {
            unlink(tempPath)
            return .io(path: tempPath, operation: op, reason: "\(e)")
        }
        guard fchown(temp.rawValue, st.st_uid, st.st_gid) == 0 || geteuid() != 0 else {
            throw failTemp("set the owner", Errno(rawValue: errno))
        }
        guard fchmod(temp.rawValue, st.st_mode & 0o7777) == 0 else { throw failTemp("set the mode", Errno(rawValue: errno)) }
        Failpoint.hit(.afterTempCreate)
        do { _ = try temp.writeAll(plan.afterBytes) } catch { throw failTemp("write", error) }
        Failpoint.hit(.afterTempWrite)
        guard fsync(temp.rawValue) == 0 else { throw failTemp("fsync", Errno(rawValue: errno)) }
        Failpoint.hit(.afterTempFsync)
        try? temp.close()
        tempClosed = true

        guard rename(tempPath, path) == 0 else {
            let e = Errno(rawValue: errno)
            unlink(tempPath)
            throw .io(path: path, operation: "rename the temp file over it", reason: "\(e); nothing changed, the backup is \(backup)")
        }
        Failpoint.hit(.afterRename)
        try fsyncDirectory(directory)
        Failpoint.hit(.afterDirFsync)

        let readBack = try FileBytes.read(path)
        guard readBack == plan.afterBytes else {
            throw .io(path: path, operation: "verify", reason: "the bytes read back differ from the plan; the backup is \(backup)")
        }
        if let e = SafetyFileReader.verify(readBack).errors.first {
            throw .io(path: path, operation: "verify", reason: "the file read back does not decode (\(e)); the backup is \(backup)")
        }
        Failpoint.hit(.afterVerify)

        let auditPath = AuditLog.path(for: path)
        let line: String
        do {
            line = try AuditLog.append(AuditLog.record(plan: plan, backup: backup, context: options.context), to: auditPath)
        } catch {
            throw .io(path: auditPath, operation: "append the audit record", reason: "\(error); the change IS applied, the backup is \(backup)")
        }
        Failpoint.hit(.afterAudit)
        return ApplyResult(
            interlocks: InterlockReport(checks: checks), backupPath: backup, auditPath: auditPath, auditLine: line,
            removedLeftoverTemp: removedLeftover)
    }

    static func openError(_ e: Errno, path: String, what: String) -> EngineError {
        var reason = "\(e)"
        switch e {
        case .readOnlyFileSystem: reason += " (the file system is mounted read-only)"
        case .notPermitted: reason += " (an immutable or append-only attribute? see lsattr)"
        case .permissionDenied: reason += " (no write permission)"
        case .tooManySymbolicLinkLevels: reason += " (it is a symbolic link: give the real path)"
        default: break
        }
        return .io(path: path, operation: what, reason: reason + "; nothing changed")
    }

    static func fsyncDirectory(_ dir: String) throws(EngineError) {
        do {
            let d = try FileDescriptor.open(FilePath(dir), .readOnly, options: [.directory, .closeOnExec])
            defer { try? d.close() }
            guard fsync(d.rawValue) == 0 else { throw Errno(rawValue: errno) }
        } catch {
            throw .io(path: dir, operation: "fsync the directory", reason: "\(error)")
        }
    }

    /// The backup: `backups/` beside the file (created 0700), the file 0600, created
    /// exclusively without following links, written, fsync'd, its directory fsync'd.
    static func writeBackup(_ bytes: [UInt8], file: String, sha256: Bytes32, time: Date) throws(EngineError) -> String {
        let dir = RecoveryPaths.backupDirectory(for: file)
        var dst = stat()
        if lstat(dir, &dst) == 0 {
            guard (dst.st_mode & S_IFMT) == S_IFDIR else {
                throw .refused("\(dir) is not a directory (a symlink?): nothing written")
            }
        } else {
            guard mkdir(dir, 0o700) == 0 else {
                throw openError(Errno(rawValue: errno), path: dir, what: "create the backups directory")
            }
            try fsyncDirectory((file as NSString).deletingLastPathComponent)
        }
        var attempt = 1
        while true {
            let path = RecoveryPaths.backupPath(for: file, time: time, sha256: sha256, attempt: attempt)
            let fd: FileDescriptor
            do {
                fd = try Sys.open(
                    path, .writeOnly, [.create, .exclusiveCreate, .noFollow, .closeOnExec],
                    permissions: [.ownerRead, .ownerWrite])
            } catch {
                if error == .fileExists {
                    var bst = stat()
                    if lstat(path, &bst) == 0, (bst.st_mode & S_IFMT) == S_IFREG, attempt < 50 {
                        attempt += 1
                        continue
                    }
                    throw .refused("\(path) exists and is not a backup of ours (a symlink?): nothing written, it is left untouched")
                }
                throw openError(error, path: path, what: "create the backup")
            }
            defer { try? fd.close() }
            do {
                _ = try fd.writeAll(bytes)
                Failpoint.hit(.afterBackupWrite)
                guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
            } catch {
                throw .io(path: path, operation: "write the backup", reason: "\(error); nothing changed")
            }
            try fsyncDirectory(dir)
            Failpoint.hit(.afterBackupFsync)
            return path
        }
    }
}

/// swift-system's calls with typed errors.
enum Sys {
    static func open(
        _ path: String, _ mode: FileDescriptor.AccessMode, _ options: FileDescriptor.OpenOptions,
        permissions: FilePermissions? = nil
    ) throws(Errno) -> FileDescriptor {
        do {
            return try FileDescriptor.open(FilePath(path), mode, options: options, permissions: permissions)
        } catch let e as Errno {
            throw e
        } catch {
            throw Errno(rawValue: EIO)
        }
    }
}
