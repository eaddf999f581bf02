import Foundation
import SystemPackage

/// One safety check before a write: what was checked, what was found.
public struct InterlockCheck: Hashable, Sendable, CustomStringConvertible {
    public enum Outcome: String, Sendable {
        /// Nothing in the way.
        case clear
        /// A node runs on this file or data dir: never write (exit 4).
        case nodeRunning = "node-running"
        /// Another process has the file open or locked: refuse (exit 1).
        case busy
        /// Could not check (no data dir known, /proc unreadable): said, not blocking.
        case notChecked = "not-checked"
    }

    /// Stable name: `state-lock`, `processes`, `own-lock`, `file-unchanged`.
    public var name: String
    public var checked: String
    public var found: String
    public var outcome: Outcome
    public var pids: [Int32]

    public init(name: String, checked: String, found: String, outcome: Outcome, pids: [Int32] = []) {
        self.name = name
        self.checked = checked
        self.found = found
        self.outcome = outcome
        self.pids = pids
    }

    public var description: String {
        let mark = switch outcome {
        case .clear: "ok"
        case .nodeRunning: "NODE RUNNING"
        case .busy: "BUSY"
        case .notChecked: "not checked"
        }
        return "[\(mark)] \(checked): \(found)"
    }
}

/// The results of every interlock, in the order they ran.
public struct InterlockReport: Hashable, Sendable {
    public var checks: [InterlockCheck]

    public init(checks: [InterlockCheck]) { self.checks = checks }

    public var nodeRunning: Bool { checks.contains { $0.outcome == .nodeRunning } }
    public var busy: Bool { checks.contains { $0.outcome == .busy } }

    /// Throws when a write must not happen: a node (exit 4), another holder (exit 1).
    public func enforce() throws(EngineError) {
        if let c = checks.first(where: { $0.outcome == .nodeRunning }) { throw .nodeRunning(c.found) }
        if let c = checks.first(where: { $0.outcome == .busy }) { throw .refused(c.found) }
    }
}

/// "Is a node running on this file?", asked three ways (product rule 1).
public enum Interlocks {
    /// Every check that needs no lock of ours: the state lock, then the process scan.
    public static func run(_ location: Location, procRoot: String = "/proc") -> InterlockReport {
        var checks = [probeStateLock(dataDir: location.dataDir)]
        checks.append(scanProcesses(file: location.file, dataDir: location.dataDir, procRoot: procRoot))
        return InterlockReport(checks: checks)
    }

    // Linux's open-file-description lock commands (fcntl.h, _GNU_SOURCE; not imported).
    static let F_OFD_GETLK: Int32 = 36
    static let F_OFD_SETLK: Int32 = 37

    /// nodeos (chainbase) holds a POSIX write lock on all of `state/shared_memory.bin`
    /// while it runs. F_OFD_GETLK (or F_GETLK on older kernels) reports it and its pid.
    public static func probeStateLock(dataDir: String?) -> InterlockCheck {
        guard let dataDir else {
            return InterlockCheck(
                name: "state-lock", checked: "lock on <data-dir>/state/shared_memory.bin",
                found: "no data dir known (the file is not in <data-dir>/finalizers/ and no state/ or blocks/ beside it): not probed",
                outcome: .notChecked)
        }
        let path = dataDir + "/state/shared_memory.bin"
        let checked = "lock on \(path)"
        let fd: FileDescriptor
        do {
            fd = try Sys.open(path, .readOnly, [.closeOnExec, .noFollow])
        } catch {
            if error == .noSuchFileOrDirectory {
                return InterlockCheck(name: "state-lock", checked: checked, found: "no shared_memory.bin: no node has state here", outcome: .clear)
            }
            return InterlockCheck(name: "state-lock", checked: checked, found: "cannot open: \(error)", outcome: .notChecked)
        }
        defer { try? fd.close() }
        var fl = Glibc.flock()
        fl.l_type = Int16(F_WRLCK)
        fl.l_whence = Int16(SEEK_SET)
        fl.l_start = 0
        fl.l_len = 0
        fl.l_pid = 0
        var rc = fcntl(fd.rawValue, F_OFD_GETLK, &fl)
        if rc != 0 && errno == EINVAL {
            fl = Glibc.flock()
            fl.l_type = Int16(F_WRLCK)
            fl.l_whence = Int16(SEEK_SET)
            rc = fcntl(fd.rawValue, F_GETLK, &fl)
        }
        guard rc == 0 else {
            return InterlockCheck(name: "state-lock", checked: checked, found: "fcntl(F_GETLK) failed: \(Errno(rawValue: errno))", outcome: .notChecked)
        }
        if Int32(fl.l_type) == F_UNLCK {
            return InterlockCheck(name: "state-lock", checked: checked, found: "not locked: no nodeos holds this data dir's state", outcome: .clear)
        }
        let kind = Int32(fl.l_type) == F_WRLCK ? "write" : "read"
        let who = fl.l_pid > 0 ? "pid \(fl.l_pid)\(processName(fl.l_pid).map { " (\($0))" } ?? "")" : "an open file description (pid not reported)"
        return InterlockCheck(
            name: "state-lock", checked: checked, found: "held (\(kind) lock) by \(who): nodeos is running on \(dataDir)",
            outcome: .nodeRunning, pids: fl.l_pid > 0 ? [fl.l_pid] : [])
    }

    static func processName(_ pid: Int32, procRoot: String = "/proc") -> String? {
        guard let s = try? String(contentsOfFile: "\(procRoot)/\(pid)/comm", encoding: .utf8) else { return nil }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct FileID: Hashable {
        var dev: UInt64
        var ino: UInt64
    }

    static func fileID(_ path: String) -> FileID? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileID(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino))
    }

    /// Scans /proc: nodeos processes (by comm or exe name) that hold the safety file open
    /// or use the data dir (cwd, `--data-dir`, or, for HotStuff, a cwd holding the file),
    /// and any other process holding the safety file open.
    public static func scanProcesses(file: String, dataDir: String?, procRoot: String = "/proc") -> InterlockCheck {
        let checked = "processes using \(file)\(dataDir.map { " or \($0)" } ?? "") (scan of \(procRoot))"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: procRoot) else {
            return InterlockCheck(name: "processes", checked: checked, found: "\(procRoot) is unreadable: not scanned", outcome: .notChecked)
        }
        let me = getpid()
        let target = fileID(file)
        let fileDir = (file as NSString).deletingLastPathComponent
        let fileDirID = fileID(fileDir)
        let dataDirID = dataDir.flatMap { fileID($0) }
        var nodes = [(Int32, String)]()
        var holders = [(Int32, String)]()
        var otherNodes = [(Int32, String)]()
        var others = [(Int32, String)]()
        var unreadable = 0
        for name in names {
            guard let pid = Int32(name), pid != me else { continue }
            let base = "\(procRoot)/\(name)"
            let comm = processName(pid, procRoot: procRoot) ?? "?"
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: base + "/exe")).map {
                (($0 as NSString).lastPathComponent as String).replacingOccurrences(of: " (deleted)", with: "")
            }
            let isNodeos = comm == "nodeos" || exe == "nodeos"
            var holdsFile = false
            if let target {
                if let fds = try? FileManager.default.contentsOfDirectory(atPath: base + "/fd") {
                    for fd in fds where Self.fileID(base + "/fd/" + fd) == target {
                        holdsFile = true
                        break
                    }
                } else if isNodeos {
                    unreadable += 1
                }
            }
            if isNodeos {
                var reasons = [String]()
                if holdsFile { reasons.append("has \(file) open") }
                let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: base + "/cwd")
                let cwdID = fileID(base + "/cwd")
                if let dataDirID, cwdID == dataDirID { reasons.append("works in the data dir") }
                if let fileDirID, cwdID == fileDirID, dataDirID != fileDirID {
                    reasons.append("works in the file's directory (HotStuff nodes write safety_db.dat there)")
                }
                let args = commandLine(base)
                var argDataDir: String?
                for (i, a) in args.enumerated() {
                    if (a == "--data-dir" || a == "-d"), i + 1 < args.count { argDataDir = args[i + 1] }
                    if a.hasPrefix("--data-dir=") { argDataDir = String(a.dropFirst("--data-dir=".count)) }
                }
                if let d = argDataDir {
                    let full = d.hasPrefix("/") ? d : (cwd ?? "/") + "/" + d
                    if let dataDirID, fileID(full) == dataDirID { reasons.append("runs with --data-dir \(d)") }
                }
                if reasons.isEmpty {
                    otherNodes.append((pid, "nodeos pid \(pid)" + (argDataDir.map { " uses --data-dir \($0)" } ?? " (cwd \(cwd ?? "?"))")))
                }
                if !reasons.isEmpty { nodes.append((pid, "nodeos pid \(pid) " + reasons.joined(separator: ", "))) }
            } else if holdsFile && (comm == "finality" || exe == "finality") {
                // Another finality reading the file, or applying a change: our own lock and
                // the plan's hash settle that, so it is noted, not a reason to refuse.
                others.append((pid, "finality pid \(pid) has the file open"))
            } else if holdsFile {
                holders.append((pid, "pid \(pid) (\(comm)) has \(file) open"))
            }
        }
        if !nodes.isEmpty {
            return InterlockCheck(
                name: "processes", checked: checked, found: nodes.map(\.1).joined(separator: "; "),
                outcome: .nodeRunning, pids: nodes.map(\.0) + holders.map(\.0))
        }
        if !holders.isEmpty {
            return InterlockCheck(
                name: "processes", checked: checked,
                found: holders.map(\.1).joined(separator: "; ") + ": close it first (a write now could be lost or overwritten)",
                outcome: .busy, pids: holders.map(\.0))
        }
        var found = "no nodeos uses this file or data dir, and no other process has the file open"
        if !otherNodes.isEmpty { found += "; elsewhere: " + otherNodes.map(\.1).joined(separator: "; ") }
        if !others.isEmpty { found += "; " + others.map(\.1).joined(separator: "; ") }
        if unreadable > 0 { found += "; \(unreadable) nodeos process(es) whose open files could not be read" }
        return InterlockCheck(name: "processes", checked: checked, found: found, outcome: .clear)
    }

    static func commandLine(_ base: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: base + "/cmdline") else { return [] }
        return data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            .filter { !$0.isEmpty }
    }
}
