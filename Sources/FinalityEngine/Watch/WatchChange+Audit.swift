import FinalityFormat
import FoundationEssentials

extension WatchChange {
    /// The newest change to this key recorded in the file's audit log ("41 s after the
    /// reset"), or nil when the log has none. Read-only; a broken log gives what read.
    /// A restore counts for every key it changed.
    public static func lastRecorded(file: String, key: BLSPublicKey) -> WatchChange? {
        guard let log = try? AuditLog.verify(AuditLog.path(for: file)) else { return nil }
        func names(_ text: String?) -> Bool { text.flatMap { try? BLSPublicKey(text: $0) } == key }
        for entry in log.entries.reversed() {
            let r = entry.record
            guard names(r.key) || (r.changedKeys ?? []).contains(where: { names($0.key) }),
                let action = r.action, let t = BlockTimestamp(iso8601: r.time, roundDown: true)
            else { continue }
            return WatchChange(action: action, unixMilliseconds: t.unixMilliseconds)
        }
        return nil
    }
}
