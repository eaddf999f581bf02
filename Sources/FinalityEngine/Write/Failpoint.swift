import FoundationEssentials
import Glibc

/// Named points of the write path where a test can stop the process, to prove that a
/// crash at any step leaves the old file or the new one, never a mix, and never a changed
/// file without its audit record. In the order the write path reaches them.
///
/// `FINALITY_FAILPOINT=<name>` picks the point (`*`: every point, for a pause at each step
/// that spreads the write path out in time for random kills); `FINALITY_FAILPOINT_ACTION`
/// says what happens there: `kill` (default: `raise(SIGKILL)`, no cleanup, like a power cut for
/// this process), `block` (sleep until killed), or `sleep:<ms>` (pause, then go on).
/// `FINALITY_FAILPOINT_MARK=<path>`: a file created when the point is reached (so a
/// test knows a blocked process got there). Unset, nothing happens. Test (debug) builds
/// only: in a release build `hit` is empty and reads no environment variable.
public enum Failpoint: String, CaseIterable, Sendable {
    case afterLock = "after-lock"
    /// The completion records of changes an earlier run left open are written (reached
    /// on every run, whether there were any or not).
    case afterReconciliation = "after-reconciliation"
    case afterBackupWrite = "after-backup-write"
    case afterBackupFsync = "after-backup-fsync"
    case afterTempCreate = "after-temp-create"
    case afterTempWrite = "after-temp-write"
    case afterTempFsync = "after-temp-fsync"
    /// The "applying" record is appended and durable; the rename comes next.
    case afterApplyingRecord = "after-applying-record"
    case afterRename = "after-rename"
    case afterDirFsync = "after-dir-fsync"
    case afterVerify = "after-verify"
    /// The completion record ("applied", seen) is appended and durable: the change is done.
    case afterCompletionRecord = "after-completion-record"

    /// From here on a backup exists.
    public var backupExists: Bool {
        switch self {
        case .afterLock, .afterReconciliation: false
        default: true
        }
    }

    /// From here on the file holds the new content.
    public var fileIsNew: Bool {
        switch self {
        case .afterRename, .afterDirFsync, .afterVerify, .afterCompletionRecord: true
        default: false
        }
    }

    /// From here on the log holds the change's "applying" record.
    public var applyingRecorded: Bool {
        switch self {
        case .afterApplyingRecord, .afterRename, .afterDirFsync, .afterVerify, .afterCompletionRecord: true
        default: false
        }
    }

    @inline(__always)
    public static func hit(_ point: Failpoint) {
        #if DEBUG
        guard let want = getenv("FINALITY_FAILPOINT").map({ String(cString: $0) }), want == point.rawValue || want == "*" else { return }
        if let mark = getenv("FINALITY_FAILPOINT_MARK") {
            _ = FileManager.default.createFile(atPath: String(cString: mark), contents: Data(point.rawValue.utf8))
        }
        let action = getenv("FINALITY_FAILPOINT_ACTION").map { String(cString: $0) } ?? "kill"
        if action == "block" {
            while true { sleep(60) }
        } else if action.hasPrefix("sleep:"), let ms = UInt32(action.dropFirst(6)) {
            usleep(ms * 1000)
        } else {
            raise(SIGKILL)
        }
        #endif
    }
}
