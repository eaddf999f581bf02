import FoundationEssentials
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
    /// Each change the log leaves without its completion record, reconciled against the
    /// file, its backup and the later records: applied, not applied, or unknown.
    public var reconciliations: [AuditLog.Reconciliation] = []

    /// A change whose outcome is unknown is open: `history` exits 1 and the next write
    /// stops until the operator acknowledges it.
    public var unknownOpen: Bool { reconciliations.contains { $0.outcome == .unknown } }

    /// Backups that no audit record names: a change stopped between its backup and its
    /// record (killed, power cut), or a backup made by hand.
    public var unrecordedBackups: [BackupInfo] {
        let named = Set(audit.entries.compactMap { $0.record.backup })
        return backups.filter { !named.contains($0.path) }
    }

    /// The backups of `file`: `backups/<name>.*.bak`, oldest first (names carry the time).
    public static func backups(of file: String, current: Bytes32?) -> [BackupInfo] {
        let dir = RecoveryPaths.backupDirectory(for: file)
        let name = PathText.name(file)
        guard let names = try? Sys.directoryEntries(dir) else { return [] }
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

    /// A file that may hold evidence of the file's last votes, by where it is.
    public struct EvidenceCandidate: Hashable, Sendable {
        public var path: String
        /// Named as the write path names backups (`backups/<name>.*.bak`): read whatever
        /// its first bytes are. Any other file counts only when it starts with a Savanna
        /// safety file's magic.
        public var namedBackup: Bool
    }

    /// Every file beside `file` and in its `backups/` folder that could hold evidence of
    /// its entries' last votes, whatever its name: named backups first, newest first (their
    /// names carry the time), then the others in name order. Not `file` itself (by path or
    /// as the same inode), not its audit log, not a directory, a device or a FIFO (a
    /// symlink counts as what it points at). At most `limit` are listed (each is stat'ed;
    /// a folder of a million files must not stall a review); `notListed` says how many
    /// names were left without a look. The reader opens them (EvidenceSet.gather).
    public static func evidenceCandidates(of file: String, limit: Int) -> (candidates: [EvidenceCandidate], notListed: Int) {
        let dir = PathText.directory(file)
        let backupsDir = RecoveryPaths.backupDirectory(for: file)
        let name = PathText.name(file)
        let own = Sys.identity(file)
        let audit = PathText.name(AuditLog.path(for: file))
        var named = [String]()
        var others = [String]()
        for n in ((try? Sys.directoryEntries(backupsDir)) ?? []).sorted() {
            if n.hasPrefix(name + ".") && n.hasSuffix(".bak") { named.append(backupsDir + "/" + n) } else { others.append(backupsDir + "/" + n) }
        }
        for n in ((try? Sys.directoryEntries(dir)) ?? []).sorted() where n != name && n != audit && n != "backups" {
            others.append(dir + "/" + n)
        }
        var out = [EvidenceCandidate]()
        var looked = 0
        for (p, isNamed) in named.reversed().map({ ($0, true) }) + others.map({ ($0, false) }) {
            guard out.count < limit else { break }
            looked += 1
            guard let st = try? Sys.status(p, followLinks: true), st.isRegular, own == nil || st.identity != own else { continue }
            out.append(EvidenceCandidate(path: p, namedBackup: isNamed))
        }
        return (out, named.count + others.count - looked)
    }

    public static func read(file: String) throws(EngineError) -> FileHistory {
        let current = (try? FileBytes.read(file)).map { Digest.sha256($0) }
        let auditPath = AuditLog.path(for: file)
        let audit = try AuditLog.verify(auditPath)
        let state: AuditLog.FileState = current.map { .sha256($0.hex) } ?? AuditLog.FileState.read(file)
        return FileHistory(
            file: file, currentSHA256: current, backups: backups(of: file, current: current), auditPath: auditPath,
            audit: audit, reconciliations: AuditLog.reconcile(audit, file: state))
    }

    /// How the change recorded at `entry` ended: from its completion record, from the
    /// reconciliation when it has none, "applied" for a record older than the write-ahead
    /// audit (written after its read-back); nil for a record that is no change.
    public func outcome(of entry: AuditLog.Entry) -> AuditLog.Reconciliation.Outcome? {
        guard entry.record.action != nil else { return nil }
        guard entry.record.isApplying else { return .applied }
        if let c = audit.completion(of: entry) { return AuditLog.Reconciliation.Outcome(rawValue: c.record.completion!.outcome) ?? .unknown }
        return reconciliations.first { $0.line == entry.line }?.outcome ?? .unknown
    }

    /// Whether the current file is what the last change left (nil: no change recorded, or
    /// the last one's outcome is unknown): its new SHA-256 when applied, its old one when not.
    public var currentMatchesLastRecord: Bool? {
        guard let last = audit.entries.last(where: { $0.record.action != nil }) else { return nil }
        switch outcome(of: last) {
        case .applied?: return last.record.sha256After.map { $0 == currentSHA256?.hex }
        case .notApplied?: return last.record.sha256Before.map { $0 == currentSHA256?.hex }
        default: return nil
        }
    }

    public var lines: [String] {
        var out = ["History of \(file)"]
        out.append("current SHA-256: \(currentSHA256?.hex ?? "(unreadable)")")
        out.append("")
        out.append("Backups (\(grouped(backups.count))) in \(RecoveryPaths.backupDirectory(for: file)):")
        if backups.isEmpty { out.append("  none") }
        for (i, b) in backups.enumerated() {
            let what = b.format.map { "\($0.name), \(grouped(b.entryCount ?? 0)) entries" } ?? "unreadable"
            out.append("  \(grouped(i + 1)). \(b.path)")
            out.append("     \(grouped(b.size)) bytes, \(what), SHA-256 \(b.sha256.hex)\(b.isCurrent ? " (= current file)" : "")")
            out.append("     \(b.verdict)")
            if unrecordedBackups.contains(where: { $0.path == b.path }) {
                out.append("     no audit record names this backup: a change stopped before its record (interrupted?), or a copy made by hand")
            }
        }
        out.append("")
        out.append("Audit log \(auditPath): \(grouped(audit.entries.count)) record\(audit.entries.count == 1 ? "" : "s")")
        // Records and breaks in line order: every record is read, past any break.
        let lineOf = Dictionary(audit.entries.map { ($0.sha256, $0.line) }, uniquingKeysWith: { a, _ in a })
        var items = audit.entries.map { (line: $0.line, text: describe($0, lineOf: lineOf)) }
        for b in audit.breaks {
            var t = ["  CHAIN BROKEN at line \(b.line): \(b.problem)"]
            t.append(b.resumedAtLine.map { "     a new chain segment starts at line \($0)" } ?? "     no new segment since: a change is refused until the operator starts one (--new-audit-segment)")
            items.append((line: b.line, text: t))
        }
        for item in items.sorted(by: { $0.line < $1.line }) { out += item.text }
        if audit.breaks.isEmpty {
            out.append("  chain intact")
        } else {
            out.append("  \(grouped(audit.breaks.count)) break\(audit.breaks.count == 1 ? "" : "s") in the chain\(audit.openBreak == nil ? ", each followed by a new segment" : "")")
        }
        // Records written ahead of their rename that nothing completes: the chain can be
        // intact while a change stopped half-way, so each is said, with its outcome.
        if !reconciliations.isEmpty {
            let n = reconciliations.count
            out.append("  \(grouped(n)) change\(n == 1 ? "" : "s") without a completion record (stopped between the record written before the rename and the one after it: killed, a power cut, or a failure after the rename):")
            for r in reconciliations {
                out.append("    line \(grouped(r.line)), \(r.what): \(r.outcomeText)")
                out.append("      \(r.found); \(r.backupFound)")
                switch r.outcome {
                case .unknown:
                    out.append("      the next change is refused until you check the file and acknowledge this: --acknowledge-unknown \"why\" (10+ characters, kept in the audit record); finality history exits 1 meanwhile")
                default:
                    out.append("      the next change records this outcome (a completion record, \"reconciled\") before anything else")
                }
            }
        }
        for o in audit.orphanCompletions {
            out.append("  line \(grouped(o.line)) completes a change that no earlier record names (applying SHA-256 \(AuditLog.short(o.record.completion!.applyingSha256)))")
        }
        switch currentMatchesLastRecord {
        case .some(false):
            out.append("  note: the current file is not what the last record left: changed outside finality, or a change was interrupted")
        default: break
        }
        return out
    }

    /// One record in words; `lineOf`: each line's SHA-256 → its line number.
    func describe(_ e: AuditLog.Entry, lineOf: [String: Int]) -> [String] {
        let r = e.record
        if let seg = r.segment {
            return [
                "  line \(grouped(e.line)): \(r.time) \(r.user) NEW CHAIN SEGMENT after the break at line \(grouped(seg.brokenLine)) (\(seg.problem))",
                "     reason: \(seg.reason)",
            ]
        }
        if let c = r.completion {
            let target = lineOf[c.applyingSha256].flatMap { $0 < e.line ? "line \(grouped($0))" : nil } ?? "a change no earlier record names"
            let outcome = (AuditLog.Reconciliation.Outcome(rawValue: c.outcome) ?? .unknown) == .notApplied ? "NOT APPLIED" : c.outcome.uppercased()
            let how = c.how == AuditLog.Reconciliation.How.reconciled.rawValue ? "reconciled afterwards" : "seen by the write path"
            var out = [
                "  line \(grouped(e.line)): \(r.time) \(r.user) completes \(target): \(outcome) (\(how))",
                "     \(c.found)",
            ]
            if let a = c.acknowledged { out.append("     acknowledged: \(a)") }
            return out
        }
        let key = r.key.map { " " + String($0.prefix(24)) + "…" } ?? ""
        let from = r.restoreFrom.map { " from " + $0 } ?? ""
        var state = ""
        if r.isApplying {
            if let c = audit.completion(of: e) {
                state = " (written before the rename; completed at line \(grouped(c.line)))"
            } else if let rec = reconciliations.first(where: { $0.line == e.line }) {
                state = " (written before the rename; NO COMPLETION RECORD: \(rec.outcomeText))"
            }
        }
        var out = ["  line \(grouped(e.line)): \(r.time) \(r.user) \(r.action ?? "?")\(key)\(from)\(state)"]
        out.append("     SHA-256 \(String((r.sha256Before ?? "?").prefix(16)))… → \(String((r.sha256After ?? "?").prefix(16)))…, backup \(r.backup ?? "?")")
        for o in r.overrides ?? [] { out.append("     interlock \(o.check) OVERRIDDEN: \(o.reason)") }
        // Records since issue 9: each written last vote and the evidence chosen for it.
        for f in r.voteFloors ?? [] {
            let from = f.chosenPiece.map { "\($0.detail) (\(grouped(f.evidence.count)) piece\(f.evidence.count == 1 ? "" : "s") of evidence)" } ?? "?"
            out.append("     last vote of \(String(f.key.prefix(24)))…: block #\(grouped(f.lastVote.blockNum)), from \(from)")
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
            ("audit_records", .array(audit.entries.map { e in
                .object([
                    ("line", .int(Int64(e.line))), ("time", .string(e.record.time)), ("user", .string(e.record.user)),
                    ("action", e.record.action.map { .string($0) } ?? .null), ("key", e.record.key.map { .string($0) } ?? .null),
                    ("state", e.record.state.map { .string($0) } ?? .null),
                    ("outcome", outcome(of: e).map { .string($0.rawValue) } ?? .null),
                    ("completed_at_line", audit.completion(of: e).map { .int(Int64($0.line)) } ?? .null),
                    ("completion", e.record.completion.map { c in
                        .object([
                            ("applying_line", c.applyingLine.map { .int(Int64($0)) } ?? .null), ("applying_sha256", .string(c.applyingSha256)),
                            ("outcome", .string(c.outcome)), ("how", .string(c.how)), ("found", .string(c.found)),
                            ("acknowledged", c.acknowledged.map { .string($0) } ?? .null),
                        ])
                    } ?? .null),
                    ("sha256_before", e.record.sha256Before.map { .string($0) } ?? .null),
                    ("sha256_after", e.record.sha256After.map { .string($0) } ?? .null),
                    ("backup", e.record.backup.map { .string($0) } ?? .null),
                    ("segment_reason", e.record.segment.map { .string($0.reason) } ?? .null),
                    ("overrides", .array((e.record.overrides ?? []).map { .object([("check", .string($0.check)), ("reason", .string($0.reason))]) })),
                ])
            })),
            ("chain_intact", .bool(audit.intact)),
            ("chain_breaks", .array(audit.breaks.map { b in
                .object([
                    ("line", .int(Int64(b.line))), ("problem", .string(b.problem)),
                    ("new_segment_at_line", b.resumedAtLine.map { .int(Int64($0)) } ?? .null),
                ])
            })),
            ("chain_broken_line", audit.brokenLine.map { .int(Int64($0)) } ?? .null),
            ("chain_problem", audit.problem.map { .string($0) } ?? .null),
            ("current_matches_last_record", currentMatchesLastRecord.map { .bool($0) } ?? .null),
            ("open_changes", .array(reconciliations.map(\.json))),
            ("unknown_outcome_open", .bool(unknownOpen)),
        ])
    }
}
