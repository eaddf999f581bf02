import FoundationEssentials
import Glibc
import FinalityFormat
import SystemPackage

/// Who made a change, from where, with what.
public struct AuditContext: Sendable {
    public var time: Date
    public var user: String
    public var uid: UInt32
    /// `SSH_CONNECTION` (or `SSH_CLIENT`) when the operator came over SSH.
    public var ssh: String?
    /// `SUDO_USER` when run through sudo: the person behind root.
    public var sudoUser: String?
    public var host: String
    public var toolVersion: String

    public init(time: Date, user: String, uid: UInt32, ssh: String?, sudoUser: String?, host: String, toolVersion: String) {
        self.time = time
        self.user = user
        self.uid = uid
        self.ssh = ssh
        self.sudoUser = sudoUser
        self.host = host
        self.toolVersion = toolVersion
    }

    public static func current(toolVersion: String, time: Date = Date()) -> AuditContext {
        let env = ProcessInfo.processInfo.environment
        let uid = geteuid()
        var user = env["USER"] ?? env["LOGNAME"] ?? "uid \(uid)"
        if let pw = getpwuid(uid), let name = pw.pointee.pw_name { user = String(cString: name) }
        let ssh = env["SSH_CONNECTION"].flatMap { $0.isEmpty ? nil : $0 } ?? env["SSH_CLIENT"].flatMap { $0.isEmpty ? nil : $0 }
        return AuditContext(
            time: time, user: user, uid: uid, ssh: ssh, sudoUser: env["SUDO_USER"],
            host: ProcessInfo.processInfo.hostName, toolVersion: toolVersion)
    }
}

/// The audit log: one JSON record per line beside the safety file
/// (`safety.dat.audit.jsonl`), each carrying the SHA-256 of the line before it.
public enum AuditLog {
    public static func path(for file: String) -> String { file + ".audit.jsonl" }

    /// The `state` of a change record written ahead of its rename: it needs a completion.
    public static let applyingState = "applying"

    /// Who wrote a record, and when: the first fields of every record.
    static func who(_ context: AuditContext) -> [(String, JSON)] {
        [
            ("time", .string(iso(context.time))), ("user", .string(context.user)), ("uid", .int(Int64(context.uid))),
            ("sudo_user", context.sudoUser.map { .string($0) } ?? .null), ("ssh", context.ssh.map { .string($0) } ?? .null),
            ("host", .string(context.host)),
        ]
    }

    /// The record that starts a new chain segment after a break (the operator's reason).
    static func segmentRecord(_ v: Verification, reason: String, context: AuditContext) -> [(String, JSON)] {
        let b = v.openBreak!
        return who(context) + [
            ("segment", .object([("reason", .string(reason)), ("broken_line", .int(Int64(b.line))), ("problem", .string(b.problem))])),
            ("tool_version", .string(context.toolVersion)),
        ]
    }

    static func iso(_ d: Date) -> String {
        UTCTime.iso8601Milliseconds(d)
    }

    /// An entry as `list --json` shows it (both vocabularies, flags).
    static func entryJSON(_ e: SafetyEntry?, index: Int?) -> JSON {
        guard let e else { return .null }
        return JSONModel.entry(e, index: index ?? 0)
    }

    /// The record of a plan about to be applied, without the chain field (added by
    /// `append`): written and made durable before the rename (`state` "applying", the
    /// planned new SHA-256, the backup), completed by a `completionRecord` after the read-back.
    public static func record(
        plan: Plan, backup: String, context: AuditContext, overrides: [InterlockCheck] = []
    ) -> [(String, JSON)] {
        var fields: [(String, JSON)] = who(context) + [
            ("state", .string(applyingState)),
            ("action", .string(plan.action.rawValue)),
            ("file", .string(plan.path)),
            ("format", .string(plan.format.name)),
            ("key", plan.key.map { .string($0.text) } ?? .null),
            ("entry_index", plan.entryIndex.map { .int(Int64($0)) } ?? .null),
            ("before", entryJSON(plan.entryBefore, index: plan.entryIndex)),
            ("after", entryJSON(plan.entryAfter, index: plan.entryIndex)),
        ]
        // A reset of several entries: each key, its entry before and after.
        if !plan.resetEntries.isEmpty {
            let written = try? SafetyFileReader.decode(plan.afterBytes)
            let old = try? SafetyFileReader.decode(plan.beforeBytes)
            fields.append(("keys", .array(plan.resetEntries.map { r in
                .object([
                    ("key", .string(r.key.text)), ("entry_index", .int(Int64(r.index))),
                    ("before", entryJSON(old.map { $0.entries[r.index] }, index: r.index)),
                    ("after", entryJSON(written.map { $0.entries[r.index] }, index: r.index)),
                ])
            })))
        }
        if plan.action == .restore {
            fields.append(("changed_keys", .array(plan.diff.entries.filter { $0.kind != .unchanged }.map {
                .object([("key", .string($0.key.text)), ("change", .string($0.kind.rawValue))])
            })))
        }
        // Import: the document (its SHA-256, chain and where it was exported) and, per key,
        // added, raised or unchanged, with the source of each field.
        if let imported = plan.imported {
            fields.append(("document", imported.json))
        }
        // Reset and repair: each written last vote with every piece of its evidence, its
        // source, and the one chosen (the vote floor).
        if !plan.voteFloors.isEmpty {
            fields.append(("vote_floors", .array(plan.voteFloors.map(\.json))))
        }
        // Repair: what each key had before (as read from the damaged file, or absent or
        // unreadable) and what it has after (null: dropped).
        if let repair = plan.repair {
            let written = try? SafetyFileReader.decode(plan.afterBytes)
            fields.append(("keys", .array(repair.keys.map { k in
                .object([
                    ("key", .string(k.key.text)),
                    ("outcome", .string(k.outcome)),
                    ("before_state", .string(k.beforeState)),
                    ("before", k.before.map { entryJSON($0.entry, index: $0.index) } ?? .null),
                    ("after", entryJSON(k.after, index: k.after.flatMap { a in written?.index(of: a.key) })),
                    ("lost", .array(k.lost.map { .string($0) })),
                ])
            })))
        }
        fields += [
            ("lib", plan.lib.map(JSONModel.libDecision) ?? .null),
            ("b_lock_inputs", plan.proposal.map { p in
                .object([
                    ("block_id", .string(p.blockID.hex)), ("phase_counter", .int(Int64(p.phaseCounter))),
                    ("final_on_qc", .string(p.finalOnQC.hex)), ("proposal_id", .string(p.id.hex)),
                ])
            } ?? .null),
            ("restore_from", plan.restoreSource.map { .string($0) } ?? .null),
            ("sha256_before", .string(plan.beforeSHA256.hex)),
            ("sha256_after", .string(plan.afterSHA256.hex)),
            ("backup", .string(backup)),
            ("warnings", .array(plan.warnings.map { .object([("kind", .string($0.kind.rawValue)), ("message", .string($0.message))]) })),
            ("overrides", .array(overrides.map { c in
                .object([("check", .string(c.name)), ("found", .string(c.found)), ("reason", .string(c.overrideReason ?? ""))])
            })),
            ("tool_version", .string(context.toolVersion)),
        ]
        return fields
    }

    /// The record that completes the change recorded at `applyingLine` (whose line's
    /// SHA-256 is `applyingSHA256`): its outcome, how it was known, what was found.
    public static func completionRecord(
        applyingSHA256: String, applyingLine: Int, file: String, outcome: Reconciliation.Outcome, how: Reconciliation.How,
        found: String, fileSHA256: String?, backupFound: String?, acknowledged: String? = nil, context: AuditContext
    ) -> [(String, JSON)] {
        who(context) + [
            ("file", .string(file)),
            ("completion", .object([
                ("applying_sha256", .string(applyingSHA256)),
                ("applying_line", .int(Int64(applyingLine))),
                ("outcome", .string(outcome.rawValue)),
                ("how", .string(how.rawValue)),
                ("found", .string(found)),
                ("sha256_file", fileSHA256.map { .string($0) } ?? .null),
                ("backup_found", backupFound.map { .string($0) } ?? .null),
                ("acknowledged", acknowledged.map { .string($0) } ?? .null),
            ])),
            ("tool_version", .string(context.toolVersion)),
        ]
    }

    static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String { Hex.encode(SHA256.hash(data: Array(bytes))) }

    /// One record as read back, with its line number and the SHA-256 of its line (what a
    /// later record's `prev_sha256`, or a completion's `applying_sha256`, names).
    public struct Entry: Sendable {
        public var line: Int
        public var record: AuditRecord
        public var sha256: String
    }

    /// Where the chain breaks, why, and the segment record that resumed it (if any).
    public struct Break: Hashable, Sendable {
        public var line: Int
        public var problem: String
        public var resumedAtLine: Int?
    }

    public struct Verification: Sendable {
        /// Every record that decodes, breaks or not.
        public var entries: [Entry] { didSet { completions = Self.completions(entries) } }
        public var breaks: [Break]
        /// For each line SHA-256 a completion names: the indices (in `entries`) of the
        /// completions naming it, in order.
        var completions: [String: [Int]]

        public init(entries: [Entry], breaks: [Break]) {
            self.entries = entries
            self.breaks = breaks
            completions = Self.completions(entries)
        }

        static func completions(_ entries: [Entry]) -> [String: [Int]] {
            var out = [String: [Int]]()
            for (i, e) in entries.enumerated() {
                if let c = e.record.completion { out[c.applyingSha256, default: []].append(i) }
            }
            return out
        }
        /// The first break.
        public var brokenLine: Int? { breaks.first?.line }
        public var problem: String? { breaks.first?.problem }
        public var intact: Bool { breaks.isEmpty }
        /// The last break that no segment record follows: while there is one, a write is
        /// refused unless the operator starts a new segment.
        public var openBreak: Break? { breaks.last { $0.resumedAtLine == nil } }

        /// The record that completes the change at `entry` (a later record whose
        /// completion names its line's SHA-256), or nil.
        public func completion(of entry: Entry) -> Entry? {
            (completions[entry.sha256] ?? []).lazy.map { entries[$0] }.first { $0.line > entry.line }
        }

        /// Changes written ahead of their rename that no record completes: a run stopped
        /// (killed, power cut) between its "applying" record and its completion, or failed
        /// after the rename. `reconcile` says how each ended.
        public var openChanges: [Entry] {
            entries.filter { $0.record.isApplying && completion(of: $0) == nil }
        }

        /// Completion records that name no "applying" record before them.
        public var orphanCompletions: [Entry] {
            let applying = Dictionary(entries.filter(\.record.isApplying).map { ($0.sha256, $0.line) }, uniquingKeysWith: min)
            return entries.filter { e in
                guard let c = e.record.completion else { return false }
                return applying[c.applyingSha256].map { $0 >= e.line } ?? true
            }
        }
    }

    /// Checks every link of `bytes`: each line must be a record carrying the SHA-256 of the
    /// line before it (the first: an empty `prev_sha256`). Reading goes on past a break;
    /// a segment record resumes the chain.
    public static func verify(bytes: [UInt8]) -> Verification {
        var entries = [Entry]()
        var breaks = [Break]()
        var prevLine: ArraySlice<UInt8>?
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (i, raw) in lines.enumerated() {
            let number = i + 1
            defer { prevLine = raw }
            if raw.isEmpty {
                if i == lines.count - 1 { break }
                breaks.append(Break(line: number, problem: "empty line"))
                continue
            }
            guard let record = AuditRecord.decode(raw) else {
                breaks.append(Break(line: number, problem: "not an audit record (torn, edited or not JSON)"))
                continue
            }
            let expected = prevLine.map { sha256Hex($0) } ?? ""
            if record.prevSha256 != expected {
                let why = number == 1
                    ? "the first record names a previous one (\(record.prevSha256.prefix(16))…): records before it were removed"
                    : "prev_sha256 \(record.prevSha256.prefix(16))… does not match line \(number - 1) (sha256 \(expected.prefix(16))…): line \(number - 1) was edited, or lines were removed or inserted"
                breaks.append(Break(line: number, problem: why))
            }
            if record.segment != nil {
                for j in breaks.indices where breaks[j].resumedAtLine == nil && breaks[j].line <= number && record.prevSha256 == expected {
                    breaks[j].resumedAtLine = number
                }
            }
            entries.append(Entry(line: number, record: record, sha256: sha256Hex(raw)))
        }
        return Verification(entries: entries, breaks: breaks)
    }

    /// Reads the log (not following a link) and checks every link.
    public static func verify(_ path: String) throws(EngineError) -> Verification {
        do {
            return verify(bytes: try Sys.readFile(path, followLinks: false))
        } catch {
            if error == .noSuchFileOrDirectory { return Verification(entries: [], breaks: []) }
            throw .io(path: path, operation: "read the audit log", reason: "\(error)")
        }
    }

    /// The `audit-log` check, before anything is written: the log (or its directory, when
    /// it does not exist yet) must be usable, its chain intact to the end (or the
    /// operator starts a new segment), and, given the safety `file`, every change left
    /// without its completion record reconciled against the file: applied or not applied
    /// is written down first by the change (clear); an unknown outcome refuses it unless the
    /// operator acknowledges it with a reason (`acknowledgeUnknown`).
    public static func check(_ path: String, newSegment: String?, file: String? = nil, acknowledgeUnknown: String? = nil) -> InterlockCheck {
        let checked = "audit log \(path)"
        func unusable(_ why: String) -> InterlockCheck {
            InterlockCheck(name: "audit-log", checked: checked, found: why + ": the change would have no audit record", outcome: .unusable)
        }
        let st: FileStatus
        do { st = try Sys.status(path, followLinks: false) } catch {
            guard error == .noSuchFileOrDirectory else { return unusable("cannot stat it (\(error))") }
            let dir = PathText.directory(path)
            if let e = Sys.writable(dir) { return unusable("cannot be created in \(dir) (\(e))") }
            return InterlockCheck(name: "audit-log", checked: checked, found: "none yet: it will be created with the first record", outcome: .clear, summary: "none yet (created with the first record)")
        }
        if let problem = unusableReason(st, path: path) { return unusable(problem) }
        if let e = Sys.writable(path) { return unusable("not writable (\(e))") }
        let v: Verification
        do { v = try verify(path) } catch { return unusable("\(error)") }
        if let b = v.openBreak {
            if let reason = newSegment {
                return InterlockCheck(
                    name: "audit-log", checked: checked,
                    found: "chain broken at line \(b.line) (\(b.problem)); a new chain segment starts with your reason: \(reason)",
                    outcome: .warning)
            }
            return InterlockCheck(
                name: "audit-log", checked: checked,
                found: "chain broken at line \(b.line): \(b.problem). Nothing is written after a break unless you start a new chain segment: --new-audit-segment \"why\" (finality history shows every break)",
                outcome: .refused)
        }
        let resumed = v.breaks.isEmpty ? "" : " (\(grouped(v.breaks.count)) earlier break(s), each followed by a new segment)"
        let intact = "\(grouped(v.entries.count)) record(s), chain intact to the end\(resumed)"
        if let file, !v.openChanges.isEmpty {
            let open = reconcile(v, file: FileState.read(file))
            let unknown = open.filter { $0.outcome == .unknown }
            let said = open.map(\.sentence).joined(separator: "; ")
            if !unknown.isEmpty {
                if let reason = acknowledgeUnknown {
                    return InterlockCheck(
                        name: "audit-log", checked: checked,
                        found: "\(intact); \(said); acknowledged with your reason, kept in its completion record: \(reason)", outcome: .warning)
                }
                return InterlockCheck(
                    name: "audit-log", checked: checked,
                    found: "\(said). Nothing is written while a change's outcome is unknown: check the file and its backup (finality history), then acknowledge it with a reason: --acknowledge-unknown \"why\"",
                    outcome: .refused)
            }
            return InterlockCheck(
                name: "audit-log", checked: checked, found: "\(intact); \(said); its completion record is written first",
                outcome: .clear, summary: "\(grouped(v.entries.count)) record(s), chain intact; \(grouped(open.count)) change(s) reconciled")
        }
        return InterlockCheck(
            name: "audit-log", checked: checked, found: intact, outcome: .clear, summary: "\(grouped(v.entries.count)) record(s), chain intact")
    }

    static func unusableReason(_ st: FileStatus, path: String) -> String? {
        if st.isSymlink {
            let target = (try? Sys.readLink(path)).map { " to \($0)" } ?? ""
            return "it is a symbolic link\(target) (records are never written through a link)"
        }
        if !st.isRegular { return "not a regular file" }
        if st.linkCount != 1 { return "it has \(st.linkCount) names (hard links): another name could be edited behind its back" }
        return nil
    }

    /// The open audit log, checked, held from before the backup until the record is
    /// written: the write path appends through it.
    public final class Writer {
        public let path: String
        let fd: FileDescriptor
        var size: Int64
        var lastLine: [UInt8]?
        public private(set) var segmentLine: String?
        /// The chain as it was when opened (before any record of this run).
        public private(set) var verification = Verification(entries: [], breaks: [])
        /// The number of lines in the log (a torn last line counts): the next record's
        /// line number is one more.
        public private(set) var lineCount = 0
        /// The log did not exist before `open` created it: its directory entry is made
        /// durable with the first record (fsync of the directory), before that record counts.
        var directoryPending = false

        /// Opens (creating it 0600 if needed, never through a link), checks it is a
        /// regular file with one name, reads and verifies the chain, reserves room for the
        /// records to come, and starts a new segment if the chain is broken and the operator
        /// gave a reason. Throws (nothing written yet) otherwise.
        public static func open(_ path: String, newSegment: String?, context: AuditContext) throws(EngineError) -> Writer {
            // Under the write path's directory lock no other finality creates it meanwhile.
            let existed = (try? Sys.status(path, followLinks: false)) != nil
            let fd: FileDescriptor
            do {
                fd = try Sys.open(path, .readWrite, [.create, .append, .noFollow, .closeOnExec], permissions: [.ownerRead, .ownerWrite])
            } catch {
                let why = error == .tooManySymbolicLinkLevels ? "it is a symbolic link (records are never written through a link)" : "\(error)"
                throw .io(path: path, operation: "open the audit log", reason: why + "; nothing written")
            }
            do {
                let st = try Sys.fstat(fd)
                if let problem = unusableReason(st, path: path) {
                    throw EngineError.io(path: path, operation: "use the audit log", reason: problem + "; nothing written")
                }
                let existing = try Sys.readToEnd(fd, path: path, sizeHint: Int(st.size))
                let w = Writer(path: path, fd: fd, size: Int64(existing.count))
                w.lastLine = existing.split(separator: 0x0A, omittingEmptySubsequences: true).last.map(Array.init)
                w.torn = existing.last.map { $0 != 0x0A } ?? false
                w.lineCount = existing.isEmpty ? 0 : existing.split(separator: 0x0A, omittingEmptySubsequences: false).count - (w.torn ? 0 : 1)
                w.directoryPending = !existed
                let v = verify(bytes: existing)
                w.verification = v
                if v.openBreak != nil {
                    guard let reason = newSegment else {
                        throw EngineError.refused(
                            "audit log \(path): chain broken at line \(v.openBreak!.line): \(v.openBreak!.problem). Nothing written; to write after a break, start a new chain segment with a typed reason: --new-audit-segment \"why\"")
                    }
                    do {
                        try Sys.reserve(fd, offset: w.size, length: 1 << 16, path: path)
                    } catch {
                        if error != .notSupported && error != .notSupportedOnSocket { throw error }
                    }
                    w.segmentLine = try w.append(segmentRecord(v, reason: reason, context: context))
                } else {
                    do {
                        try Sys.reserve(fd, offset: w.size, length: 1 << 16, path: path)
                    } catch {
                        if error != .notSupported && error != .notSupportedOnSocket { throw error }
                    }
                }
                return w
            } catch let e as EngineError {
                try? fd.close()
                throw e
            } catch let e as Errno {
                try? fd.close()
                throw .io(path: path, operation: "prepare the audit log", reason: "\(e); nothing written")
            } catch {
                try? fd.close()
                throw .io(path: path, operation: "prepare the audit log", reason: "\(error); nothing written")
            }
        }

        var torn = false

        init(path: String, fd: FileDescriptor, size: Int64) {
            self.path = path
            self.fd = fd
            self.size = size
        }

        deinit { try? fd.close() }

        /// The last record appended, as written.
        public private(set) var lastRecord: JSON = .null
        /// The SHA-256 of the last line appended (what its completion names).
        public var lastLineSHA256: String? { lastLine.map { sha256Hex($0) } }

        /// Appends one record chained to the last line, and fsyncs it (and, for a log this
        /// run created, its directory): when this returns, the record survives a power cut.
        /// On a failure of the write or its fsync the log is cut back to what it was: a torn
        /// record never stays. A failure of the directory's fsync throws after the record
        /// is written (it is counted: `lastLineSHA256` names it).
        @discardableResult
        public func append(_ fields: [(String, JSON)]) throws(EngineError) -> String {
            let prev = lastLine.map { sha256Hex($0) } ?? ""
            let record = JSON.object(fields + [("prev_sha256", .string(prev))])
            let line = record.serialized()
            // After a torn line (a crash of an older version), start a new line: the torn
            // one stays visible as a break.
            let bytes = Array(((torn ? "\n" : "") + line + "\n").utf8)
            do {
                try Sys.writeAll(fd, bytes, path: path)
                try Sys.fsync(fd, path: path)
            } catch {
                let cut = (try? Sys.ftruncate(fd, size, path: path)) != nil
                throw .io(
                    path: path, operation: "append to the audit log",
                    reason: "\(error)" + (cut ? " (the partial record was removed)" : " (the log could not be cut back: its last line may be torn)"))
            }
            size += Int64(bytes.count)
            lastLine = Array(line.utf8)
            lastRecord = record
            lineCount += 1
            torn = false
            if directoryPending {
                let dir = PathText.directory(path)
                do { try Sys.fsyncDirectory(dir) } catch {
                    throw .io(path: dir, operation: "fsync the directory of the new audit log", reason: "\(error) (the record is written, but its file may not survive a power cut)")
                }
                directoryPending = false
            }
            return line
        }

        /// Every change the log leaves without its completion, reconciled against the file
        /// as the write path holds it (`current`: its SHA-256 under our lock), each outcome
        /// written down as a completion record ("reconciled"), before this run writes
        /// anything else. An unknown outcome refuses (nothing written) unless the operator
        /// acknowledged it (`acknowledgeUnknown`, kept in the completion record).
        public func reconcileOpenChanges(
            file: String, current: Bytes32, acknowledgeUnknown: String?, context: AuditContext
        ) throws(EngineError) -> [Reconciliation] {
            guard !verification.openChanges.isEmpty else { return [] }
            let open = reconcile(verification, file: .sha256(current.hex))
            let unknown = open.filter { $0.outcome == .unknown }
            if !unknown.isEmpty && acknowledgeUnknown == nil {
                throw .refused(
                    "audit log \(path): \(unknown.map(\.sentence).joined(separator: "; "))"
                        + ". Nothing written: check the file and its backup (finality history), then acknowledge it with a reason: --acknowledge-unknown \"why\"")
            }
            for r in open {
                try append(r.completionRecord(file: file, acknowledged: r.outcome == .unknown ? acknowledgeUnknown : nil, context: context))
            }
            return open
        }
    }

    /// Appends one record to the log at `path` (opened and checked as the write path does).
    public static func append(_ fields: [(String, JSON)], to path: String, context: AuditContext? = nil) throws(EngineError) -> String {
        let w = try Writer.open(path, newSegment: nil, context: context ?? .current(toolVersion: "?"))
        return try w.append(fields)
    }
}
