import Crypto
import Foundation
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

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }

    /// An entry as `list --json` shows it (both vocabularies, flags).
    static func entryJSON(_ e: SafetyEntry?, index: Int?) -> JSON {
        guard let e else { return .null }
        return JSONModel.entry(e, index: index ?? 0)
    }

    /// The record for an applied plan, without the chain field (added by `append`).
    public static func record(plan: Plan, backup: String, context: AuditContext) -> [(String, JSON)] {
        var fields: [(String, JSON)] = [
            ("time", .string(iso(context.time))),
            ("user", .string(context.user)),
            ("uid", .int(Int64(context.uid))),
            ("sudo_user", context.sudoUser.map { .string($0) } ?? .null),
            ("ssh", context.ssh.map { .string($0) } ?? .null),
            ("host", .string(context.host)),
            ("action", .string(plan.action.rawValue)),
            ("file", .string(plan.path)),
            ("format", .string(plan.format.name)),
            ("key", plan.key.map { .string($0.text) } ?? .null),
            ("entry_index", plan.entryIndex.map { .int(Int64($0)) } ?? .null),
            ("before", entryJSON(plan.entryBefore, index: plan.entryIndex)),
            ("after", entryJSON(plan.entryAfter, index: plan.entryIndex)),
        ]
        if plan.action == .restore {
            fields.append(("changed_keys", .array(plan.diff.entries.filter { $0.kind != .unchanged }.map {
                .object([("key", .string($0.key.text)), ("change", .string($0.kind.rawValue))])
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
            ("tool_version", .string(context.toolVersion)),
        ]
        return fields
    }

    static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String { Hex.encode(SHA256.hash(data: Array(bytes))) }

    /// Appends a record, chained to the last line, and fsyncs. Returns the line written.
    public static func append(_ fields: [(String, JSON)], to path: String) throws(EngineError) -> String {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(
                FilePath(path), .readWrite, options: [.create, .append, .noFollow, .closeOnExec],
                permissions: [.ownerRead, .ownerWrite])
        } catch {
            throw .io(path: path, operation: "open the audit log", reason: "\(error)")
        }
        defer { try? fd.close() }
        let existing: [UInt8]
        do { existing = try readAll(fd) } catch { throw .io(path: path, operation: "read the audit log", reason: "\(error)") }
        var prefix = ""
        if let last = existing.last, last != 0x0A { prefix = "\n" }  // a torn line stays visible as broken
        let lines = existing.split(separator: 0x0A, omittingEmptySubsequences: true)
        let prev = lines.last.map { sha256Hex($0) } ?? ""
        let line = JSON.object(fields + [("prev_sha256", .string(prev))]).serialized()
        do {
            _ = try fd.writeAll(Array((prefix + line + "\n").utf8))
            guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
        } catch {
            throw .io(path: path, operation: "append to the audit log", reason: "\(error)")
        }
        return line
    }

    static func readAll(_ fd: FileDescriptor) throws -> [UInt8] {
        var out = [UInt8]()
        var offset: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: offset, into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
            offset += Int64(n)
        }
    }

    /// One record as read back.
    public struct Entry: Sendable {
        public var line: Int
        public var record: JSON
    }

    public struct Verification: Sendable {
        public var entries: [Entry]
        /// The first line (1-based) where the chain breaks, and why.
        public var brokenLine: Int?
        public var problem: String?
        public var intact: Bool { brokenLine == nil }
    }

    /// Reads the log and checks every link: each line must parse and carry the SHA-256
    /// of the line before it (the first: an empty `prev_sha256`).
    public static func verify(_ path: String) throws(EngineError) -> Verification {
        guard FileManager.default.fileExists(atPath: path) else { return Verification(entries: [], brokenLine: nil, problem: nil) }
        let bytes = try FileBytes.read(path)
        var entries = [Entry]()
        var prevLine: ArraySlice<UInt8>?
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (i, raw) in lines.enumerated() {
            let number = i + 1
            if raw.isEmpty {
                if i == lines.count - 1 { break }
                return Verification(entries: entries, brokenLine: number, problem: "empty line")
            }
            guard let node = JSON.parse(String(decoding: raw, as: UTF8.self)), case .object = node else {
                return Verification(entries: entries, brokenLine: number, problem: "not a JSON record (torn or edited)")
            }
            let expected = prevLine.map { sha256Hex($0) } ?? ""
            guard let prev = node["prev_sha256"]?.stringValue else {
                return Verification(entries: entries, brokenLine: number, problem: "no prev_sha256 field")
            }
            guard prev == expected else {
                let why = number == 1
                    ? "the first record names a previous one (\(prev.prefix(16))…): records before it were removed"
                    : "prev_sha256 \(prev.prefix(16))… does not match line \(number - 1) (sha256 \(expected.prefix(16))…): line \(number - 1) was edited, or lines were removed or inserted"
                return Verification(entries: entries, brokenLine: number, problem: why)
            }
            entries.append(Entry(line: number, record: node))
            prevLine = raw
        }
        return Verification(entries: entries, brokenLine: nil, problem: nil)
    }
}
