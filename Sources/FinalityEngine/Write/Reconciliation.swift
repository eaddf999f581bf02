import FoundationEssentials
import FinalityFormat

/// How a change written ahead of its rename ended, when no record completes it: a run
/// stopped (SIGKILL, power cut) between its "applying" record and its completion, or failed
/// after the rename. It is settled against what is on disk, the same way by `history`
/// (text, `--json`, the History screen) and by the next write, which records the outcome
/// before anything else:
/// - **applied**: a later change record starts from the planned new SHA-256, or (none) the
///   file's SHA-256 is the planned new one;
/// - **not applied**: a later change record starts from the old SHA-256, or (none) the file
///   is still the old one (a repair of a missing file: still missing);
/// - **unknown**: neither. The next write stops until the operator acknowledges it
///   (`--acknowledge-unknown "why"`), and `history` exits 1.
/// The backup the record names is looked at too (there with the old content, different,
/// or missing) and said, for the operator who must decide an unknown outcome.
extension AuditLog {
    public struct Reconciliation: Hashable, Sendable {
        public enum Outcome: String, Sendable, CaseIterable {
            case applied
            case notApplied = "not-applied"
            case unknown
        }

        /// How an outcome was known: seen by the write path that made the change, or
        /// reconciled afterwards from the file, the backup and later records.
        public enum How: String, Sendable {
            case seen
            case reconciled
        }

        /// The "applying" record's line and its line's SHA-256.
        public var line: Int
        public var lineSHA256: String
        public var record: AuditRecord
        public var outcome: Outcome
        /// What decided it, in words ("the file's SHA-256 is the planned new one (9d2c4b1a…)").
        public var found: String
        /// The file's SHA-256 as reconciled (nil: missing or unreadable, or decided by a later record).
        public var fileSHA256: String?
        /// The backup the record names, as found.
        public var backupFound: String

        /// "line 3 (reset PUB_BLS_…), left without its completion record: reconciled as APPLIED:
        /// the file's SHA-256 is the planned new one 9d2c…; the backup … holds the old content"
        public var sentence: String {
            "line \(grouped(line)) (\(what)), left without its completion record: \(outcomeText): \(found); \(backupFound)"
        }

        /// The change in a few words: the action and the key or the restored file.
        public var what: String {
            let key = record.key.map { " " + String($0.prefix(24)) + "…" } ?? ""
            let from = record.restoreFrom.map { " from " + $0 } ?? ""
            return (record.action ?? "?") + key + from
        }

        public var outcomeText: String {
            switch outcome {
            case .applied: "reconciled as APPLIED"
            case .notApplied: "reconciled as NOT APPLIED (nothing changed)"
            case .unknown: "its outcome is UNKNOWN"
            }
        }

        /// The completion record the next write appends for it.
        public func completionRecord(file: String, acknowledged: String?, context: AuditContext) -> [(String, JSON)] {
            AuditLog.completionRecord(
                applyingSHA256: lineSHA256, applyingLine: line, file: record.file ?? file, outcome: outcome, how: .reconciled,
                found: found, fileSHA256: fileSHA256, backupFound: backupFound, acknowledged: acknowledged, context: context)
        }

        public var json: JSON {
            .object([
                ("line", .int(Int64(line))), ("action", record.action.map { .string($0) } ?? .null),
                ("key", record.key.map { .string($0) } ?? .null),
                ("outcome", .string(outcome.rawValue)), ("found", .string(found)),
                ("sha256_before", record.sha256Before.map { .string($0) } ?? .null),
                ("sha256_after", record.sha256After.map { .string($0) } ?? .null),
                ("sha256_file", fileSHA256.map { .string($0) } ?? .null),
                ("backup", record.backup.map { .string($0) } ?? .null), ("backup_found", .string(backupFound)),
            ])
        }
    }

    /// The safety file as the reconciliation sees it.
    public enum FileState: Hashable, Sendable {
        case sha256(String)
        case missing
        case unreadable(String)

        /// Reads the file (not following a link) and hashes it.
        public static func read(_ file: String) -> FileState {
            do {
                return .sha256(Digest.sha256(try Sys.readFile(file, followLinks: false)).hex)
            } catch {
                return error == .noSuchFileOrDirectory ? .missing : .unreadable("\(error)")
            }
        }
    }

    /// The SHA-256 of no bytes: what a repair of a missing file is bound to (its stand-in).
    static let emptySHA256 = Digest.sha256([]).hex

    /// Every open change of `v` (`openChanges`), reconciled against `file` and the later
    /// records of the log.
    public static func reconcile(_ v: Verification, file: FileState) -> [Reconciliation] {
        v.openChanges.map { open in
            let r = open.record
            let before = r.sha256Before ?? "?", after = r.sha256After ?? "?"
            let outcome: Reconciliation.Outcome
            let found: String
            var fileSHA: String?
            // A later change record says what the file was when that change began.
            if let next = v.entries.first(where: { $0.line > open.line && $0.record.action != nil }) {
                let started = next.record.sha256Before ?? "?"
                if started == after {
                    (outcome, found) = (.applied, "the next change (line \(grouped(next.line))) started from its planned new SHA-256 \(short(after))")
                } else if started == before {
                    (outcome, found) = (.notApplied, "the next change (line \(grouped(next.line))) started from its old SHA-256 \(short(before))")
                } else {
                    (outcome, found) = (
                        .unknown,
                        "the next change (line \(grouped(next.line))) started from SHA-256 \(short(started)), neither its old \(short(before)) nor its planned new \(short(after))"
                    )
                }
            } else {
                switch file {
                case .sha256(let now):
                    fileSHA = now
                    if now == after {
                        (outcome, found) = (.applied, "the file's SHA-256 is the planned new one \(short(after))")
                    } else if now == before {
                        (outcome, found) = (.notApplied, "the file's SHA-256 is still the old one \(short(before))")
                    } else {
                        (outcome, found) = (
                            .unknown,
                            "the file's SHA-256 is \(short(now)), neither the old \(short(before)) nor the planned new \(short(after)) (changed outside finality since, or the write went wrong)"
                        )
                    }
                case .missing:
                    if before == emptySHA256 {
                        (outcome, found) = (.notApplied, "the file is missing, as it was before this \(r.action ?? "change")")
                    } else {
                        (outcome, found) = (.unknown, "the file is missing (its old SHA-256 was \(short(before)), the planned new one \(short(after)))")
                    }
                case .unreadable(let why):
                    (outcome, found) = (.unknown, "the file cannot be read (\(why))")
                }
            }
            return Reconciliation(
                line: open.line, lineSHA256: open.sha256, record: r, outcome: outcome, found: found, fileSHA256: fileSHA,
                backupFound: backupState(r.backup, oldSHA256: before))
        }
    }

    /// The backup a record names: there with the old content, there but different, or gone.
    static func backupState(_ path: String?, oldSHA256: String) -> String {
        guard let path else { return "the record names no backup" }
        do {
            let sha = Digest.sha256(try Sys.readFile(path, followLinks: false)).hex
            return sha == oldSHA256
                ? "the backup \(path) holds the old content"
                : "the backup \(path) is there but is not the old content (SHA-256 \(short(sha)))"
        } catch {
            return error == .noSuchFileOrDirectory ? "the backup \(path) is missing" : "the backup \(path) cannot be read (\(error))"
        }
    }

    /// The first 16 hex digits of a SHA-256, and an ellipsis.
    static func short(_ hex: String) -> String { String(hex.prefix(16)) + "…" }
}
