import FoundationEssentials
import Glibc
import FinalityFormat
import SystemPackage

/// Where backups and temp files go. Names are derived, not random, so that tests (and
/// operators) can tell what a name will be; every one is created with O_EXCL|O_NOFOLLOW,
/// so a planted file or symlink at the name is refused, never followed.
public enum RecoveryPaths {
    /// `<dir>/backups` beside the safety file.
    public static func backupDirectory(for file: String) -> String {
        PathText.directory(file) + "/backups"
    }

    /// `<dir>/backups/<name>.<yyyyMMdd'T'HHmmss'Z'>.<first 12 hex of the old SHA-256>.bak`,
    /// then `-2`, `-3`… if that name is taken by a regular file.
    public static func backupPath(for file: String, time: Date, sha256: Bytes32, attempt: Int = 1) -> String {
        let name = PathText.name(file)
        let suffix = attempt > 1 ? "-\(attempt)" : ""
        return backupDirectory(for: file) + "/\(name).\(UTCTime.compact(time)).\(sha256.hex.prefix(12))\(suffix).bak"
    }

    /// `<dir>/.<name>.finality-<first 12 hex of the new SHA-256>.tmp`, in the file's own
    /// directory so that the rename is atomic.
    public static func tempPath(for file: String, afterSHA256: Bytes32) -> String {
        let dir = PathText.directory(file)
        let name = PathText.name(file)
        return dir + "/.\(name).finality-\(afterSHA256.hex.prefix(12)).tmp"
    }
}

public struct ApplyOptions: Sendable {
    public var context: AuditContext
    public var procRoot: String
    /// Checks that could not be evaluated and that the operator overrides, with reasons.
    public var overrides: [InterlockOverride]
    /// The operator's reason to start a new audit chain segment after a break.
    public var newAuditSegment: String?
    /// The operator's reason to go on although an earlier change's outcome is unknown (its
    /// completion record is missing and the file is neither its old nor its new content):
    /// kept in the completion record written for it.
    public var acknowledgeUnknown: String?

    public init(
        context: AuditContext, procRoot: String = "/proc", overrides: [InterlockOverride] = [], newAuditSegment: String? = nil,
        acknowledgeUnknown: String? = nil
    ) {
        self.context = context
        self.procRoot = procRoot
        self.overrides = overrides
        self.newAuditSegment = newAuditSegment
        self.acknowledgeUnknown = acknowledgeUnknown
    }

    public var interlockOptions: InterlockOptions {
        InterlockOptions(procRoot: procRoot, overrides: overrides, newAuditSegment: newAuditSegment, acknowledgeUnknown: acknowledgeUnknown)
    }
}

/// What an applied plan left behind.
public struct ApplyResult: Sendable {
    /// Every check, in order: the interlocks (state lock, processes, ownership, node user,
    /// hard links, audit log), then our own lock and the file-unchanged check.
    public var interlocks: InterlockReport
    public var backupPath: String
    public var auditPath: String
    /// The change's record, written before the rename ("applying", the planned new SHA-256).
    public var auditLine: String
    /// The same record as a JSON value (for `--json` output), exactly as written.
    public var auditObject: JSON
    /// The record that completes it, written after the read-back ("applied", seen).
    public var completionLine: String
    public var completionObject: JSON
    /// The record that started a new chain segment before this change, if one did.
    public var auditSegmentLine: String?
    /// Changes an earlier run left without completion, reconciled and recorded first.
    public var reconciled: [AuditLog.Reconciliation]
    /// A temp file of an interrupted earlier run that was removed (we held the lock).
    public var removedLeftoverTemp: String?

    public var auditRecord: AuditRecord? { AuditRecord.decode(Array(auditLine.utf8)) }
}

/// The write path (product rules 1–5): interlocks, our lock, the hash check, the audit
/// log checked and held (changes an earlier run left open reconciled and their completion
/// recorded), backup, temp file with the old file's owner, mode and extended attributes,
/// fsync, the "applying" record (durable before the rename: no change without its
/// record), rename, directory fsync, read back, the completion record. Every system call
/// goes through `Sys` (and, in test builds, its fault injection).
///
/// Internal to the engine: the only door to it is `ChangeWorkflow.apply`, with a review
/// the workflow made from a `ChangeRequest`.
enum Apply {
    static func run(_ plan: Plan, location: Location, options: ApplyOptions) throws(EngineError) -> ApplyResult {
        let path = location.file
        guard path == plan.path else { throw .usage("the plan is for \(plan.path), not \(path)") }
        let directory = PathText.directory(path)

        // The rename below swaps the inode, so a lock on the file alone would let a second
        // finality that opens the new file run while we finish (audit record included).
        // The directory does not move: a flock on it serializes finality processes.
        let directoryLock: FileDescriptor
        do {
            directoryLock = try Sys.open(directory, .readOnly, [.directory, .closeOnExec])
        } catch {
            throw openError(error, path: directory, what: "open the directory")
        }
        defer { try? directoryLock.close() }
        do { try Sys.flockExclusive(directoryLock, path: directory) } catch {
            if error == .wouldBlock || error == .resourceTemporarilyUnavailable {
                throw .refused("another finality is applying a change in \(directory): try again when it is done")
            }
            throw .io(path: directory, operation: "lock the directory", reason: "\(error); nothing changed")
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
        do { try Sys.lockExclusive(fd, path: path) } catch {
            if error == .resourceTemporarilyUnavailable || error == .permissionDenied {
                throw .refused("another process holds a lock on \(path) (another finality applying a change?): try again when it is done")
            }
            throw .io(path: path, operation: "lock", reason: "\(error); nothing changed")
        }
        var ours = [InterlockCheck(
            name: "own-lock", checked: "our exclusive lock on \(path)", found: "taken (open-file-description write lock on the file, flock on its directory; held until the end)",
            outcome: .clear)]
        Failpoint.hit(.afterLock)

        let st: FileStatus
        do { st = try Sys.fstat(fd) } catch { throw .io(path: path, operation: "stat", reason: "\(error)") }
        guard let pathSt = try? Sys.status(path, followLinks: false), pathSt.identity == st.identity else {
            throw .refused("\(path) was replaced while we opened it: plan again")
        }
        let current: [UInt8]
        do { current = try Sys.readToEnd(fd, path: path, sizeHint: Int(st.size)) } catch { throw .io(path: path, operation: "read", reason: "\(error)") }
        let currentSHA = Digest.sha256(current)
        guard currentSHA == plan.beforeSHA256 else {
            // What is there now, for the operator to compare with what was planned on.
            let now = PathLook.of(path).map { "; it is now \(PathLook.describe(path, $0))" } ?? ""
            throw .refused(
                "\(path) changed since the plan was made (planned on SHA-256 \(plan.beforeSHA256.hex), now \(currentSHA.hex)\(now)): nothing written; review the new content and plan again")
        }
        ours.append(InterlockCheck(
            name: "file-unchanged", checked: "file unchanged since the plan", found: "SHA-256 \(currentSHA.hex) as planned",
            outcome: .clear))
        // The interlocks, here once, under our lock: the review ran them for the operator to
        // read, but a node can start between the review and the confirmation, and only a run
        // made while we hold the file and its directory sees the world we write into.
        let interlocks = Interlocks.run(location, options: options.interlockOptions)
        try interlocks.enforce()
        let checks = interlocks.checks + ours

        // What the new file must keep, read from the file we hold.
        let attributes: Ownership.Attributes
        do { attributes = try Ownership.read(fd) } catch { throw .io(path: path, operation: "read its owner, mode and extended attributes", reason: "\(error)") }
        if let why = Ownership.obstacle(attributes) { throw .refused("\(why); nothing written") }

        // The audit log is opened and checked before anything is written: no change
        // without its record.
        let auditPath = AuditLog.path(for: path)
        let audit = try AuditLog.Writer.open(auditPath, newSegment: options.newAuditSegment, context: options.context)
        // A change an earlier run left without its completion (killed, power cut, failed
        // after its rename) is reconciled against the file we hold, and its outcome
        // recorded, before this change writes anything; an unknown one stops here unless
        // the operator acknowledged it.
        let reconciled = try audit.reconcileOpenChanges(
            file: path, current: currentSHA, acknowledgeUnknown: options.acknowledgeUnknown, context: options.context)
        Failpoint.hit(.afterReconciliation)

        let backup = try writeBackup(current, file: path, sha256: currentSHA, time: options.context.time)

        // The temp file: same directory (atomic rename), same owner, mode and xattrs.
        let tempPath = RecoveryPaths.tempPath(for: path, afterSHA256: plan.afterSHA256)
        var removedLeftover: String?
        if let tst = try? Sys.status(tempPath, followLinks: false) {
            guard tst.isRegular, tst.linkCount == 1 else {
                throw .refused("\(tempPath) exists and is not a plain file of ours (a symlink or a link?): nothing written; remove it after checking what it is")
            }
            // We hold the lock, so no other finality is writing it: a crash left it.
            do { try Sys.unlink(tempPath) } catch { throw .io(path: tempPath, operation: "remove a leftover temp file", reason: "\(error)") }
            removedLeftover = tempPath
        }
        let temp: FileDescriptor
        do {
            temp = try Sys.open(
                tempPath, .writeOnly, [.create, .exclusiveCreate, .noFollow, .closeOnExec],
                permissions: FilePermissions(rawValue: mode_t(attributes.mode & 0o777)))
        } catch {
            if error == .fileExists || error == .tooManySymbolicLinkLevels {
                throw .refused("\(tempPath) appeared while we created it (a planted file or symlink?): nothing written")
            }
            throw openError(error, path: tempPath, what: "create the temp file")
        }
        var tempClosed = false
        defer { if !tempClosed { try? temp.close() } }
        func failTemp(_ op: String, _ e: some Error) -> EngineError {
            try? Sys.unlink(tempPath)
            return .io(path: path, operation: op, reason: "\(e); nothing changed (the temp file was removed), the backup is \(backup)")
        }
        do { try Ownership.copy(attributes, to: temp, path: tempPath) } catch {
            throw failTemp("give the new file the old one's owner \(Ownership.userName(attributes.uid)), group \(Ownership.groupName(attributes.gid)), mode \(String(attributes.mode, radix: 8)) and extended attributes", error)
        }
        Failpoint.hit(.afterTempCreate)
        do { try Sys.writeAll(temp, plan.afterBytes, path: tempPath) } catch { throw failTemp("write the new content", error) }
        Failpoint.hit(.afterTempWrite)
        do { try Sys.fsync(temp, path: tempPath) } catch { throw failTemp("fsync the new content", error) }
        Failpoint.hit(.afterTempFsync)
        try? temp.close()
        tempClosed = true

        // The write-ahead record: the change as planned (its new SHA-256, the backup),
        // appended and fsync'd (with the log's directory when the log is new) before the
        // rename, so that no crash from here on leaves a changed file without its record.
        let applyingLine: String
        let applyingObject: JSON
        var applyingSHA: String?
        let applyingNumber: Int
        let linesBefore = audit.lineCount
        do {
            applyingLine = try audit.append(AuditLog.record(plan: plan, backup: backup, context: options.context, overrides: checks.filter { $0.outcome == .overridden }))
            applyingObject = audit.lastRecord
            applyingSHA = audit.lastLineSHA256
            applyingNumber = audit.lineCount
        } catch {
            try? Sys.unlink(tempPath)
            // A record written whose directory could not be made durable: completed as not
            // applied (best effort; history reconciles it as not applied otherwise).
            if audit.lineCount > linesBefore, let sha = audit.lastLineSHA256 {
                _ = try? audit.append(AuditLog.completionRecord(
                    applyingSHA256: sha, applyingLine: audit.lineCount, file: path, outcome: .notApplied, how: .seen,
                    found: "stopped before the rename: \(error)", fileSHA256: currentSHA.hex, backupFound: nil, context: options.context))
            }
            throw .io(path: auditPath, operation: "append the change's record", reason: "\(error); nothing changed (the temp file was removed), the backup is \(backup)")
        }
        Failpoint.hit(.afterApplyingRecord)
        let recordText = "its audit record (line \(grouped(applyingNumber)) of \(auditPath))"

        do { try Sys.rename(tempPath, path) } catch {
            try? Sys.unlink(tempPath)
            var recorded = "its record is completed as not applied"
            do {
                try audit.append(AuditLog.completionRecord(
                    applyingSHA256: applyingSHA ?? "", applyingLine: applyingNumber, file: path, outcome: .notApplied, how: .seen,
                    found: "the rename failed (\(error)): the file was not replaced", fileSHA256: currentSHA.hex,
                    backupFound: "the backup \(backup) holds the old content", context: options.context))
            } catch {
                recorded = "\(recordText) could not be completed (\(error)): history reconciles it as not applied"
            }
            throw .io(path: path, operation: "rename the temp file over it", reason: "\(error); nothing changed (the temp file was removed), \(recorded), the backup is \(backup)")
        }
        // From here the file may hold the new content: a failure leaves the change's
        // record open, and `history` (or the next change) reconciles it against the file.
        Failpoint.hit(.afterRename)
        do { try Sys.fsyncDirectory(directory) } catch {
            throw .io(
                path: directory, operation: "fsync the directory",
                reason: "\(error): the file holds the new content but the rename may not survive a power cut; \(recordText) stays open: finality history reconciles it against the file; run the same command again, or restore \(backup)")
        }
        Failpoint.hit(.afterDirFsync)

        let readBack: [UInt8]
        do { readBack = try Sys.readFile(path, followLinks: false) } catch {
            throw .io(path: path, operation: "read back", reason: "\(error); \(recordText) stays open: finality history reconciles it against the file; the backup is \(backup)")
        }
        guard readBack == plan.afterBytes else {
            throw .io(path: path, operation: "verify", reason: "the bytes read back differ from the plan; \(recordText) stays open (finality history says what the file is); the backup is \(backup)")
        }
        if let e = SafetyFileReader.verify(readBack).errors.first {
            throw .io(path: path, operation: "verify", reason: "the file read back does not decode (\(e)); \(recordText) stays open; the backup is \(backup)")
        }
        Failpoint.hit(.afterVerify)

        let completionLine: String
        do {
            completionLine = try audit.append(AuditLog.completionRecord(
                applyingSHA256: applyingSHA ?? "", applyingLine: applyingNumber, file: path, outcome: .applied, how: .seen,
                found: "read back: the plan's \(grouped(readBack.count)) bytes, SHA-256 \(AuditLog.short(plan.afterSHA256.hex))",
                fileSHA256: plan.afterSHA256.hex, backupFound: "the backup \(backup) holds the old content", context: options.context))
        } catch {
            throw .io(
                path: auditPath, operation: "append the completion record",
                reason: "\(error); the change IS applied and \(recordText) says so as planned: finality history reconciles it as applied; the backup is \(backup)")
        }
        Failpoint.hit(.afterCompletionRecord)
        return ApplyResult(
            interlocks: InterlockReport(checks: checks), backupPath: backup, auditPath: auditPath, auditLine: applyingLine,
            auditObject: applyingObject, completionLine: completionLine, completionObject: audit.lastRecord,
            auditSegmentLine: audit.segmentLine, reconciled: reconciled, removedLeftoverTemp: removedLeftover)
    }

    static func openError(_ e: Errno, path: String, what: String) -> EngineError {
        // The cause, looked at now, not guessed from the errno (issue 20): gone, a link
        // planted, a read-only mount, the immutable flag, another owner.
        switch e {
        case .noSuchFileOrDirectory:
            return .refused("\(path) is gone: it was removed or renamed since it was read; nothing written. Read it again (^R, or finality verify) and plan again")
        case .tooManySymbolicLinkLevels:
            if let look = PathLook.of(path), look.isSymlink {
                return .refused("\(path) is now \(PathLook.describe(path, look)): a link was planted in the file's place; finality writes no file through a link; nothing written")
            }
        default: break
        }
        var reason = "\(e)"
        switch e {
        case .readOnlyFileSystem: reason += " (the file system is mounted read-only)"
        case .notPermitted: reason += " (an immutable or append-only attribute? see lsattr)"
        case .permissionDenied: reason += " (no write permission)"
        case .tooManySymbolicLinkLevels: reason += " (it is a symbolic link: give the real path)"
        default: break
        }
        if [.readOnlyFileSystem, .notPermitted, .permissionDenied].contains(e),
            let why = WriteObstacle.of(path) ?? WriteObstacle.directoryObstacle(PathText.directory(path))
        {
            reason += ": " + why
        }
        return .io(path: path, operation: what, reason: reason + "; nothing changed")
    }

    /// The backup: `backups/` beside the file (created 0700), the file 0600, created
    /// exclusively without following links, written, fsync'd, its directory fsync'd. A
    /// backup that cannot be completed (disk full, I/O error) is removed: no file may claim
    /// a hash in its name that its bytes do not have.
    static func writeBackup(_ bytes: [UInt8], file: String, sha256: Bytes32, time: Date) throws(EngineError) -> String {
        let dir = RecoveryPaths.backupDirectory(for: file)
        if let dst = try? Sys.status(dir, followLinks: false) {
            guard dst.isDirectory else {
                throw .refused("\(dir) is not a directory (a symlink?): nothing written")
            }
        } else {
            do { try Sys.mkdir(dir, 0o700) } catch { throw openError(error, path: dir, what: "create the backups directory") }
            do { try Sys.fsyncDirectory(PathText.directory(file)) } catch {
                throw .io(path: PathText.directory(file), operation: "fsync the directory", reason: "\(error); nothing changed")
            }
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
                    if let bst = try? Sys.status(path, followLinks: false), bst.isRegular, attempt < 50 {
                        attempt += 1
                        continue
                    }
                    throw .refused("\(path) exists and is not a backup of ours (a symlink?): nothing written, it is left untouched")
                }
                throw openError(error, path: path, what: "create the backup")
            }
            do {
                defer { try? fd.close() }
                try Sys.writeAll(fd, bytes, path: path)
                Failpoint.hit(.afterBackupWrite)
                try Sys.fsync(fd, path: path)
                try Sys.fsyncDirectory(dir)
            } catch {
                let removed = (try? Sys.unlink(path)) != nil
                throw .io(
                    path: path, operation: "write the backup",
                    reason: "\(error); nothing changed; " + (removed ? "the incomplete backup was removed" : "the incomplete backup could NOT be removed: delete it"))
            }
            Failpoint.hit(.afterBackupFsync)
            return path
        }
    }
}
