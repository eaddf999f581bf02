import Foundation
import FinalityFormat

/// The plain-text report an operator pastes into a support ticket (`finality report`).
/// Public keys, hashes and block ids only: no environment, no SSH addresses.
public enum CaseReport {
    public static func text(
        loaded: LoadedFile, readings: [LIBReading], libErrors: [String], interlocks: InterlockReport,
        toolVersion: String, now: Date
    ) -> String {
        var out = [String]()
        let file = loaded.location.file
        out.append("finality case report")
        out.append("====================")
        out.append("written      \(AuditLog.iso(now)) by finality \(toolVersion)")
        out.append("file         \(file)")
        out.append("data dir     \(loaded.location.dataDir ?? "(not known)")")
        out.append("size         \(grouped(loaded.bytes.count)) bytes")
        out.append("SHA-256      \(loaded.sha256.hex)")
        var st = stat()
        if stat(file, &st) == 0 {
            out.append("mode, owner  \(String(st.st_mode & 0o7777, radix: 8)), uid \(st.st_uid) gid \(st.st_gid)")
            out.append("modified     \(AuditLog.iso(Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec))))")
        }
        let v = SafetyFileReader.verify(loaded.bytes, options: .init(now: BlockTimestamp(date: now)))
        out.append("")
        out.append("Verdict: \(v.verdictLine)")
        if let f = v.file { out.append("format: \(f.format), \(f.entries.count) entries, \(f.trailingBytes.count) trailing bytes") }
        for e in v.errors { out.append("  error:   \(e)") }
        for w in v.warnings { out.append("  warning: \(w)") }
        let lib = readings.first?.lib
        if let f = v.file {
            out.append("")
            out.append("Entries:")
            for (i, e) in f.entries.enumerated() {
                out.append("  \(i). \(e.key.text)")
                for field in EntryFields.of(e, format: f.format) {
                    out.append("       \(field.name): \(field.value)")
                }
                // The one assessment, as the Entries screen and list show it.
                for flag in EntryAssessment.flags(e, lib: lib, findings: (v.errors + v.warnings).filter { $0.entry == i }) {
                    out.append("       flag \(flag.short): \(flag.long)")
                }
            }
        }
        out.append("")
        out.append("LIB:")
        if readings.isEmpty && libErrors.isEmpty { out.append("  no source given") }
        for (i, r) in readings.enumerated() {
            out.append("  \(i + 1). \(r.source): \(r.lib)")
            for d in r.details { out.append("       \(d)") }
        }
        if Set(readings.map(\.lib)).count > 1 { out.append("  the sources DISAGREE") }
        for e in libErrors { out.append("  error: \(e)") }
        out.append("")
        out.append("Interlocks:")
        out += interlocks.lines
        out.append("")
        if let h = try? FileHistory.read(file: file) {
            out.append("Backups: \(h.backups.count)\(h.backups.last.map { ", latest \($0.path)" } ?? "")")
            out.append("Audit log: \(h.audit.entries.count) records, \(h.audit.intact ? "chain intact" : "CHAIN BROKEN at line \(h.audit.brokenLine!): \(h.audit.problem ?? "")")")
            if let last = h.audit.entries.last {
                out.append("  last: \(last.record.time) \(last.record.action ?? (last.record.segment != nil ? "new-segment" : "?")) by \(last.record.user)")
            }
        }
        // Paths, node API answers and errors are untrusted: each line made safe to read (issue 7, reader).
        return out.map { DisplayText.sanitize($0, limit: 4096) }.joined(separator: "\n") + "\n"
    }
}
