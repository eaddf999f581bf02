import FoundationEssentials
import Glibc
import FinalityFormat

/// The plain-text report an operator pastes into a support ticket (`finality report`).
/// Public keys, hashes and block ids only: no environment, no SSH addresses.
public enum CaseReport {
    /// What nodeos will do with one entry as it is, given LIB (VoteModel, voting.md), in
    /// the operator's words: the review's "after:" sentence for an entry no plan changes.
    public static func decision(
        _ e: SafetyEntry, index: Int, verification v: Verification, lib: LIB?, keys: NodeKeys?, duplicateOf: Int?
    ) -> String {
        guard let s = e.savanna else {
            return "nothing: spring never reads a HotStuff safety_db.dat (the Leap HotStuff prototype used it)"
        }
        if !v.nodeosLoads {
            return "nothing: it refuses to start with this file, so no key votes (repair it, or restore a backup)"
        }
        if let d = duplicateOf {
            return "nothing with this entry: entry \(grouped(d)) has the same key and nodeos uses the first"
        }
        if keys?.isConfigured(e.key) == false {
            return "nothing: the node is not configured with this key (inactive); nodeos keeps the entry as it is"
        }
        guard let lib else {
            return "unknown without a LIB (give --blocks-dir DIR, --api URL or --lib-id with --lib-time)"
        }
        // nodeos replaces an entry with both refs empty by its default at start-up.
        let used = VoteRules.isEmpty(s.lastVote) && VoteRules.isEmpty(s.lock) ? VoteRules.nodeosDefault(lib: lib) : s
        let prefix = used == s ? "" : "(both refs empty: nodeos gives it {last vote: empty, lock: its LIB} at start-up) "
        return prefix + VoteRules.outlook(used, chain: ChainView(lib: lib)).sentence
    }

    /// What follows a later entry of a key present twice, as `show` says it beside the
    /// entry's number: nodeos keeps the first entry of a key (format.md, "Duplicate keys").
    public static func duplicateNote(nodeosUses first: Int) -> String {
        "(duplicate: nodeos uses entry \(grouped(first)))"
    }

    /// - nodeKeys: the node's configured keys (`NodeConfig.find`), when looked for: entries
    ///   of other keys are `inactive` (certain), configured keys without an entry listed.
    public static func text(
        loaded: LoadedFile, readings: [LIBReading], libErrors: [String], interlocks: InterlockReport,
        toolVersion: String, now: Date, nodeKeys: NodeKeys? = nil
    ) -> SafeText {
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
        if let f = v.file { out.append("format: \(f.format), \(grouped(f.entries.count)) entries, \(grouped(f.trailingBytes.count)) trailing bytes") }
        for e in v.errors { out.append("  error:   \(e)") }
        for w in v.warnings { out.append("  warning: \(w)") }
        let lib = readings.first?.lib
        if let f = v.file {
            out.append("")
            out.append("Entries:")
            for (i, e) in f.entries.enumerated() {
                // A key present twice: the later entry says which one nodeos uses, in show's
                // words, and gets the duplicate flag of list and the Entries screen.
                let duplicateOf = v.duplicateOf[i]
                out.append("  \(grouped(i)). \(e.key.text)" + (duplicateOf.map { " " + duplicateNote(nodeosUses: $0) } ?? ""))
                for field in EntryFields.of(e, format: f.format) {
                    out.append("       \(field.name): \(field.value)")
                }
                // The one assessment, as the Entries screen and list show it.
                let findings = (v.errors + v.warnings).filter { $0.entry == i }
                for flag in EntryAssessment.flags(e, lib: lib, findings: findings, duplicateOf: duplicateOf, keys: nodeKeys) {
                    out.append("       flag \(flag.short): \(flag.long)")
                }
                out.append("       nodeos will: " + decision(e, index: i, verification: v, lib: lib, keys: nodeKeys, duplicateOf: duplicateOf))
            }
        }
        out.append("")
        out.append("Node's keys:")
        if let nodeKeys {
            out += nodeKeys.lines.map { "  " + $0 }
            let missing = v.file.map { KeyCoverage(file: $0, keys: nodeKeys).missing } ?? (v.nodeosLoads ? [] : nodeKeys.publicKeys)
            for k in missing {
                out.append("  " + KeyCoverage.missingKeyLine(k.text, nodeosLoads: v.nodeosLoads))
                if v.nodeosLoads, let lib {
                    out.append("       nodeos will: " + VoteRules.outlook(VoteRules.nodeosDefault(lib: lib), chain: ChainView(lib: lib)).sentence)
                }
            }
        } else {
            out.append("  not looked for")
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
            out.append("Backups: \(grouped(h.backups.count))\(h.backups.last.map { ", latest \($0.path)" } ?? "")")
            out.append("Audit log: \(grouped(h.audit.entries.count)) records, \(h.audit.intact ? "chain intact" : "CHAIN BROKEN at line \(h.audit.brokenLine!): \(h.audit.problem ?? "")")")
            if let last = h.audit.entries.last {
                out.append("  last: \(last.record.time) \(last.record.kindText) by \(last.record.user)")
            }
        }
        // Paths, node API answers and errors are untrusted: each line made safe to read as
        // one line (a value holding a line break cannot start a line of the report).
        return out.map { SafeText($0) }.joined(separator: "\n") + "\n"
    }
}
