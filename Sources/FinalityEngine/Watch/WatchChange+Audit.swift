import FinalityFormat
import Foundation

extension WatchChange {
    /// The newest change to this key recorded in the file's audit log ("41 s after the
    /// reset"), or nil when the log has none. Read-only; a broken log gives what read
    /// before the break.
    public static func lastRecorded(file: String, key: BLSPublicKey) -> WatchChange? {
        guard let log = try? AuditLog.verify(AuditLog.path(for: file)) else { return nil }
        for entry in log.entries.reversed() {
            let r = entry.record
            guard let text = r.key, (try? BLSPublicKey(text: text)) == key,
                let action = r.action,
                let t = BlockTimestamp(iso8601: r.time, roundDown: true)
            else { continue }
            return WatchChange(action: action, unixMilliseconds: t.unixMilliseconds)
        }
        return nil
    }
}
