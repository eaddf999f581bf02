import Foundation
import FinalityFormat

/// One backup found beside a safety file.
public struct BackupInfo: Sendable {
    public var path: String
    public var size: Int
    public var modified: Date
    public var sha256: Bytes32
    /// "nodeos will load this file" or the refusal.
    public var verdict: String
    public var format: SafetyFormat?
    public var entryCount: Int?
    /// Same bytes as the current file.
    public var isCurrent: Bool
}

/// The backups and the audit log of a safety file (`finality history`).
public struct FileHistory: Sendable {
    public var file: String
    public var currentSHA256: Bytes32?
    public var backups: [BackupInfo]
    public var auditPath: String
    public var audit: AuditLog.Verification

    /// Backups that no audit record names: a change stopped between its backup and its
    /// record (killed, power cut), or a backup made by hand.
    public var unrecordedBackups: [BackupInfo] {
        let named = Set(audit.entries.compactMap { $0.record["backup"]?.stringValue })
        return backups.filter { !named.contains($0.path) }
    }

    /// The backups of `file`: `backups/<name>.*.bak`, oldest first (names carry the time).
    public static func backups(of file: String, current: Bytes32?) -> [BackupInfo] {
        let dir = RecoveryPaths.backupDirectory(for: file)
        let name = (file as NSString).lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var out = [BackupInfo]()
        for n in names.sorted() where n.hasPrefix(name + ".") && n.hasSuffix(".bak") {
            let p = dir + "/" + n
            guard let bytes = try? FileBytes.read(p) else { continue }
            let attrs = try? FileManager.default.attributesOfItem(atPath: p)
            let v = SafetyFileReader.verify(bytes)
            let sha = Digest.sha256(bytes)
            out.append(BackupInfo(
                path: p, size: bytes.count, modified: (attrs?[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0),
                sha256: sha, verdict: v.verdictLine, format: v.file?.format, entryCount: v.file?.entries.count,
                isCurrent: sha == current))
        }
        return out
    }

    public static func read(file: String) throws(EngineError) -> FileHistory {
        let current = (try? FileBytes.read(file)).map { Digest.sha256($0) }
        let auditPath = AuditLog.path(for: file)
        return FileHistory(
            file: file, currentSHA256: current, backups: backups(of: file, current: current), auditPath: auditPath,
            audit: try AuditLog.verify(auditPath))
    }

    /// Whether the current file is what the last audit record left (nil: no records).
    public var currentMatchesLastRecord: Bool? {
        guard let last = audit.entries.last, let after = last.record["sha256_after"]?.stringValue else { return nil }
        return after == currentSHA256?.hex
    }

    public var lines: [String] {
        var out = ["History of \(file)"]
        out.append("current SHA-256: \(currentSHA256?.hex ?? "(unreadable)")")
        out.append("")
        out.append("Backups (\(backups.count)) in \(RecoveryPaths.backupDirectory(for: file)):")
        if backups.isEmpty { out.append("  none") }
        for (i, b) in backups.enumerated() {
            let what = b.format.map { "\($0.name), \(b.entryCount ?? 0) entries" } ?? "unreadable"
            out.append("  \(i + 1). \(b.path)")
            out.append("     \(b.size) bytes, \(what), SHA-256 \(b.sha256.hex)\(b.isCurrent ? " (= current file)" : "")")
            out.append("     \(b.verdict)")
            if unrecordedBackups.contains(where: { $0.path == b.path }) {
                out.append("     no audit record names this backup: a change stopped before its record (interrupted?), or a copy made by hand")
            }
        }
        out.append("")
        out.append("Audit log \(auditPath): \(audit.entries.count) record\(audit.entries.count == 1 ? "" : "s")")
        for e in audit.entries {
            let r = e.record
            let key = r["key"]?.stringValue.map { " " + String($0.prefix(24)) + "…" } ?? ""
            let from = r["restore_from"]?.stringValue.map { " from " + $0 } ?? ""
            out.append("  line \(e.line): \(r["time"]?.stringValue ?? "?") \(r["user"]?.stringValue ?? "?") \(r["action"]?.stringValue ?? "?")\(key)\(from)")
            out.append("     SHA-256 \(String((r["sha256_before"]?.stringValue ?? "?").prefix(16)))… → \(String((r["sha256_after"]?.stringValue ?? "?").prefix(16)))…, backup \(r["backup"]?.stringValue ?? "?")")
        }
        if let line = audit.brokenLine {
            out.append("  CHAIN BROKEN at line \(line): \(audit.problem ?? "")")
        } else {
            out.append("  chain intact")
        }
        switch currentMatchesLastRecord {
        case .some(false):
            out.append("  note: the current file is not what the last record left: changed outside finality, or a change was interrupted")
        default: break
        }
        return out
    }

    public var json: JSON {
        .object([
            ("file", .string(file)),
            ("sha256", currentSHA256.map { .string($0.hex) } ?? .null),
            ("backups", .array(backups.map { b in
                .object([
                    ("path", .string(b.path)), ("size", .int(Int64(b.size))), ("sha256", .string(b.sha256.hex)),
                    ("format", b.format.map { .string($0.name) } ?? .null), ("verdict", .string(b.verdict)),
                    ("is_current", .bool(b.isCurrent)),
                    ("in_audit_log", .bool(!unrecordedBackups.contains { $0.path == b.path })),
                ])
            })),
            ("audit_log", .string(auditPath)),
            ("audit_records", .array(audit.entries.map { .object([("line", .int(Int64($0.line))), ("record", $0.record)]) })),
            ("chain_intact", .bool(audit.intact)),
            ("chain_broken_line", audit.brokenLine.map { .int(Int64($0)) } ?? .null),
            ("chain_problem", audit.problem.map { .string($0) } ?? .null),
            ("current_matches_last_record", currentMatchesLastRecord.map { .bool($0) } ?? .null),
        ])
    }
}
