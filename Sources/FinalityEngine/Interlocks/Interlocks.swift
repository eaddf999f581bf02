import FoundationEssentials
import Glibc
import FinalityFormat
import SystemPackage

/// One safety check before a write: what was checked, what was found, what could not be seen.
public struct InterlockCheck: Hashable, Sendable, CustomStringConvertible {
    public enum Outcome: String, Sendable {
        /// Nothing in the way.
        case clear
        /// A node runs on this file or data dir: never write (exit 4).
        case nodeRunning = "node-running"
        /// Another process has the file open or locked: refuse (exit 1).
        case busy
        /// Nothing to check here (for example no data dir, so no state lock): said, not blocking.
        case notChecked = "not-checked"
        /// The check could not be evaluated (a /proc entry or a lock file that cannot be
        /// read): fail closed, the write is refused (exit 1) unless the operator overrides
        /// this one check with a typed reason.
        case cannotCheck = "cannot-check"
        /// Could not be evaluated, and the operator overrode it (the reason goes into the
        /// audit record).
        case overridden
        /// Does not block; the operator reads it before writing.
        case warning
        /// The write would leave something wrong (the node could not start): refused (exit 1).
        case refused
        /// What the write needs cannot be used (the audit log): nothing written (exit 3).
        case unusable
    }

    /// Stable name: `state-lock`, `processes`, `ownership`, `node-user`, `hard-links`,
    /// `audit-log`, `own-lock`, `file-unchanged`.
    public var name: String
    public var checked: String
    public var found: String
    public var outcome: Outcome
    public var pids: [Int32]
    /// What the check could not see, each saying where and why.
    public var unseen: [String]
    /// The operator's reason, when they overrode this check.
    public var overrideReason: String?
    /// One short line for a clear check (screens list every check; the full text is `found`).
    public var summary: String

    public init(
        name: String, checked: String, found: String, outcome: Outcome, pids: [Int32] = [], unseen: [String] = [],
        overrideReason: String? = nil, summary: String? = nil
    ) {
        self.name = name
        self.checked = checked
        self.found = found
        self.outcome = outcome
        self.pids = pids
        self.unseen = unseen
        self.overrideReason = overrideReason
        self.summary = summary ?? found
    }

    public var blocks: Bool {
        switch outcome {
        case .nodeRunning, .busy, .cannotCheck, .refused, .unusable: true
        case .clear, .notChecked, .overridden, .warning: false
        }
    }

    public var description: String { lines.joined(separator: "\n") }

    /// The check as lines of text, one per element: the result, then what it could not
    /// see and the operator's override, each on its own line (a path or a process's
    /// command line inside a value never starts a line: each element is printed as one).
    public var lines: [String] {
        let mark = switch outcome {
        case .clear: "ok"
        case .nodeRunning: "NODE RUNNING"
        case .busy: "BUSY"
        case .notChecked: "not checked"
        case .cannotCheck: "CANNOT CHECK"
        case .overridden: "OVERRIDDEN"
        case .warning: "WARNING"
        case .refused: "REFUSED"
        case .unusable: "UNUSABLE"
        }
        var out = ["[\(mark)] \(checked): \(found)"]
        for u in unseen { out.append("      could not see: \(u)") }
        if let r = overrideReason { out.append("      overridden by the operator: \(r)") }
        return out
    }
}

/// The operator's override of one check that could not be evaluated: its name and a
/// typed reason (recorded in the audit record). A check that found a running node is
/// never overridable.
public struct InterlockOverride: Hashable, Sendable {
    public var check: String
    public var reason: String

    public static let overridable: Set<String> = ["state-lock", "processes"]

    public init(check: String, reason: String) throws(EngineError) {
        guard Self.overridable.contains(check) else {
            throw .usage("--override \(check): only \(Self.overridable.sorted().joined(separator: " and ")) can be overridden, and only when they could not be evaluated")
        }
        let r = reason.trimmed(.whitespacesAndNewlines)
        guard r.count >= ReasonRule.minimumLength else {
            throw .usage("--override \(check) needs a reason of at least 10 characters saying why it is safe (it goes into the audit record)")
        }
        self.check = check
        self.reason = r
    }
}

/// The results of every interlock, in the order they ran.
public struct InterlockReport: Hashable, Sendable {
    public var checks: [InterlockCheck]
    /// The nodeos processes the process scan found using the file, as it read them (their
    /// options, config files, user): the key lookup reuses this reading
    /// (`NodeConfig.find(for:configDir:nodesUsingFile:home:)`) instead of scanning again.
    public var nodesUsingFile: [NodeosProcess]

    public init(checks: [InterlockCheck], nodesUsingFile: [NodeosProcess] = []) {
        self.checks = checks
        self.nodesUsingFile = nodesUsingFile
    }

    public var nodeRunning: Bool { checks.contains { $0.outcome == .nodeRunning } }
    public var busy: Bool { checks.contains { $0.blocks && $0.outcome != .nodeRunning } }
    public var overrides: [InterlockCheck] { checks.filter { $0.outcome == .overridden } }

    /// Why a write must not happen now (the first blocking check's error), or nil.
    public var refusal: EngineError? {
        if let c = checks.first(where: { $0.outcome == .nodeRunning }) { return .nodeRunning(SafeText(c.found)) }
        if let c = checks.first(where: { $0.outcome == .unusable }) {
            return .io(path: c.checked, operation: "use it", reason: c.found + "; nothing written")
        }
        if let c = checks.first(where: { $0.outcome == .cannotCheck }) {
            let what = ([c.found] + c.unseen).joined(separator: "; ")
            return .refused(
                "\(c.checked) could not be evaluated (\(what)): nothing written. Run as root to see it, or, if you know no node uses this file, override this one check: --override \(c.name) --override-reason \"why it is safe\"")
        }
        if let c = checks.first(where: { $0.outcome == .busy || $0.outcome == .refused }) { return .refused(SafeText(c.found)) }
        return nil
    }

    /// Throws when a write must not happen: a node (exit 4), the audit log (exit 3), others (exit 1).
    public func enforce() throws(EngineError) {
        if let e = refusal { throw e }
    }
}

/// What the checks are told besides the file: where /proc is, the operator's overrides,
/// and whether a broken audit chain may start a new segment.
public struct InterlockOptions: Sendable {
    public var procRoot: String
    public var overrides: [InterlockOverride]
    /// The operator's reason for starting a new audit chain segment after a break.
    public var newAuditSegment: String?
    /// The operator's reason to write although an earlier change's outcome is unknown.
    public var acknowledgeUnknown: String?

    public init(procRoot: String = "/proc", overrides: [InterlockOverride] = [], newAuditSegment: String? = nil, acknowledgeUnknown: String? = nil) {
        self.procRoot = procRoot
        self.overrides = overrides
        self.newAuditSegment = newAuditSegment
        self.acknowledgeUnknown = acknowledgeUnknown
    }
}

/// "Is a node running on this file, and can the node start after the write?", asked
/// every way we know (product rule 1), each answer a value the review shows.
public enum Interlocks {
    /// Every check that needs no lock of ours.
    public static func run(_ location: Location, procRoot: String = "/proc") -> InterlockReport {
        run(location, options: InterlockOptions(procRoot: procRoot))
    }

    public static func run(_ location: Location, options: InterlockOptions) -> InterlockReport {
        var checks = [probeStateLock(dataDir: location.dataDir)]
        let scan = scanProcesses(file: location.file, dataDir: location.dataDir, procRoot: options.procRoot)
        checks.append(scan.check)
        checks.append(Ownership.check(file: location.file))
        checks.append(Ownership.nodeUserCheck(file: location.file, dataDir: location.dataDir, nodes: scan.nodesUsingFile))
        checks.append(hardLinks(location.file))
        checks.append(AuditLog.check(
            AuditLog.path(for: location.file), newSegment: options.newAuditSegment, file: location.file, acknowledgeUnknown: options.acknowledgeUnknown))
        for o in options.overrides {
            if let i = checks.firstIndex(where: { $0.name == o.check && $0.outcome == .cannotCheck }) {
                checks[i].outcome = .overridden
                checks[i].overrideReason = o.reason
            }
        }
        return InterlockReport(checks: checks, nodesUsingFile: scan.nodesUsingFile)
    }

    static let F_OFD_SETLK: Int32 = Sys.F_OFD_SETLK

    /// nodeos (chainbase) holds a POSIX write lock on all of `state/shared_memory.bin`
    /// while it runs (spring `libraries/chaindb/src/pinnable_mapped_file.cpp`,
    /// `file_lock::try_lock`). F_OFD_GETLK (or F_GETLK on older kernels) reports it and its
    /// pid, even for a nodeos in another PID namespace that the process scan cannot see
    /// (pid then 0). A symlinked lock file is followed: the lock is on its target.
    public static func probeStateLock(dataDir: String?) -> InterlockCheck {
        guard let dataDir else {
            return InterlockCheck(
                name: "state-lock", checked: "lock on <data-dir>/state/shared_memory.bin",
                found: "no data dir known (the file is not in <data-dir>/finalizers/ and no state/ or blocks/ beside it): no lock file to probe; the process scan looks for nodes using the file",
                outcome: .notChecked)
        }
        let path = dataDir + "/state/shared_memory.bin"
        let checked = "lock on \(path)"
        var target = ""
        if let link = try? Sys.readLink(path) { target = " (a symlink to \(link), followed)" }
        let fd: FileDescriptor
        do {
            // Following links on purpose; O_NONBLOCK so that a FIFO planted there cannot hang us.
            fd = try Sys.open(path, .readOnly, [.closeOnExec, .nonBlocking])
        } catch {
            if error == .noSuchFileOrDirectory {
                if !target.isEmpty {
                    return InterlockCheck(
                        name: "state-lock", checked: checked, found: "the lock file\(target) points at nothing here",
                        outcome: .cannotCheck,
                        unseen: ["its target may exist in another mount namespace (a container): a node there is invisible to this probe"])
                }
                return InterlockCheck(name: "state-lock", checked: checked, found: "no shared_memory.bin: no node has state here", outcome: .clear, summary: "no lock file: no node has state here")
            }
            return InterlockCheck(
                name: "state-lock", checked: checked, found: "cannot open it\(target): \(error)", outcome: .cannotCheck,
                unseen: ["whether a nodeos holds its lock"])
        }
        defer { try? fd.close() }
        guard let st = try? Sys.fstat(fd), st.isRegular else {
            return InterlockCheck(name: "state-lock", checked: checked, found: "not a regular file\(target)", outcome: .cannotCheck)
        }
        let holder: (write: Bool, pid: Int32)?
        do { holder = try Sys.lockHolder(fd) } catch {
            return InterlockCheck(
                name: "state-lock", checked: checked, found: "fcntl(F_GETLK) failed\(target): \(error)", outcome: .cannotCheck)
        }
        guard let holder else {
            return InterlockCheck(
                name: "state-lock", checked: checked, found: "not locked\(target): no nodeos holds this data dir's state", outcome: .clear,
                summary: "not locked")
        }
        let kind = holder.write ? "write" : "read"
        let who = holder.pid > 0 ? "pid \(holder.pid)\(processName(holder.pid).map { " (\($0))" } ?? "")" : "a process we cannot name (another PID namespace, or an open file description)"
        return InterlockCheck(
            name: "state-lock", checked: checked, found: "held (\(kind) lock)\(target) by \(who): nodeos is running on \(dataDir)",
            outcome: .nodeRunning, pids: holder.pid > 0 ? [holder.pid] : [])
    }

    static func processName(_ pid: Int32, procRoot: String = "/proc") -> String? {
        guard let b = try? Sys.readFile("\(procRoot)/\(pid)/comm") else { return nil }
        return String(decoding: b, as: UTF8.self).trimmed(.whitespacesAndNewlines)
    }

    /// The scan's check, and every nodeos it found (for the node-user check).
    public struct Scan: Sendable {
        public var check: InterlockCheck
        public var nodes: [NodeosProcess]
        public var nodesUsingFile: [NodeosProcess]
    }

    /// Scans /proc: every nodeos, with the directories its command line and config.ini
    /// give it, compared by device and inode with the safety file, its data dir and state
    /// dir; and any other process holding the safety file open.
    public static func scanProcesses(file: String, dataDir: String?, procRoot: String = "/proc") -> Scan {
        FaultInjection.outsideWritePath { scanUnobserved(file: file, dataDir: dataDir, procRoot: procRoot) }
    }

    static func scanUnobserved(file: String, dataDir: String?, procRoot: String) -> Scan {
        let checked = "processes using \(file)\(dataDir.map { " or \($0)" } ?? "") (scan of \(procRoot))"
        let pids: [Int32]
        do { pids = try NodeosScan.pids(procRoot: procRoot) } catch {
            return Scan(
                check: InterlockCheck(name: "processes", checked: checked, found: "\(procRoot) cannot be listed (\(error)): not scanned", outcome: .cannotCheck, unseen: ["every process"]),
                nodes: [], nodesUsingFile: [])
        }
        guard let target = Sys.identity(file) else {
            return Scan(
                check: InterlockCheck(name: "processes", checked: checked, found: "cannot stat \(file)", outcome: .cannotCheck),
                nodes: [], nodesUsingFile: [])
        }
        let me = getpid()
        var nodes = [NodeosProcess]()
        var using = [(NodeosProcess, [String])]()
        var holders = [(Int32, String)]()
        var others = [String]()
        var unseen = [String]()
        var hiddenFDs = 0
        for pid in pids where pid != me {
            if let p = NodeosScan.read(pid: pid, procRoot: procRoot) {
                nodes.append(p)
                let why = NodeosScan.reasons(p, file: file, fileID: target, dataDir: dataDir)
                if !why.isEmpty {
                    using.append((p, why))
                } else {
                    unseen += p.unseen.map { "nodeos pid \(pid): \($0)" }
                }
                continue
            }
            let base = "\(procRoot)/\(pid)"
            let fds: [String]
            do { fds = try Sys.directoryEntries(base + "/fd") } catch {
                // Gone since the listing: nothing open. Anything else is hidden from us.
                if error != .noSuchFileOrDirectory && error != .noSuchProcess { hiddenFDs += 1 }
                continue
            }
            guard fds.contains(where: { Sys.identity(base + "/fd/" + $0) == target }) else { continue }
            let comm = processName(pid, procRoot: procRoot) ?? "?"
            if comm == "finality" {
                // Another finality reading the file, or applying a change: our own lock and
                // the plan's hash settle that, so it is noted, not a reason to refuse.
                others.append("finality pid \(pid) has the file open")
            } else {
                holders.append((pid, "pid \(pid) (\(comm)) has \(file) open"))
            }
        }
        func describe(_ p: NodeosProcess) -> String {
            var s = "nodeos pid \(p.pid)"
            if p.otherMountNamespace { s += " (another mount namespace: paths read through /proc/\(p.pid)/root)" }
            if p.otherPIDNamespace { s += " (another PID namespace)" }
            return s
        }
        if !using.isEmpty {
            let found = using.map { describe($0.0) + " " + $0.1.joined(separator: ", ") }.joined(separator: "; ")
            return Scan(
                check: InterlockCheck(
                    name: "processes", checked: checked, found: found, outcome: .nodeRunning,
                    pids: using.map(\.0.pid) + holders.map(\.0)),
                nodes: nodes, nodesUsingFile: using.map(\.0))
        }
        if !holders.isEmpty {
            return Scan(
                check: InterlockCheck(
                    name: "processes", checked: checked,
                    found: holders.map(\.1).joined(separator: "; ") + ": close it first (a write now could be lost or overwritten)",
                    outcome: .busy, pids: holders.map(\.0), unseen: unseen),
                nodes: nodes, nodesUsingFile: [])
        }
        var found = "no nodeos uses this file, its data dir or its state dir, and no other process has the file open"
        if !nodes.isEmpty {
            found += "; elsewhere: " + nodes.map { p in
                describe(p) + " uses " + (p.finalizersDirs.isEmpty ? "(unknown dirs)" : p.finalizersDirs.map { $0 + "/safety.dat" }.joined(separator: ", "))
            }.joined(separator: "; ")
        }
        if !others.isEmpty { found += "; " + others.joined(separator: "; ") }
        if hiddenFDs > 0 {
            found += "; the open files of \(grouped(hiddenFDs)) other process(es), none of them nodeos, could not be read (run as root to see them)"
        }
        return Scan(
            check: InterlockCheck(
                name: "processes", checked: checked, found: found, outcome: unseen.isEmpty ? .clear : .cannotCheck, unseen: unseen,
                summary: nodes.isEmpty ? "no nodeos running" : "no nodeos uses this file (\(grouped(nodes.count)) elsewhere)"),
            nodes: nodes, nodesUsingFile: [])
    }

    /// A safety file with other names (hard links): after the rename only this name holds
    /// the new content; the others keep the old bytes.
    public static func hardLinks(_ file: String) -> InterlockCheck {
        let checked = "other names (hard links) of \(file)"
        guard let st = try? Sys.status(file, followLinks: false) else {
            return InterlockCheck(name: "hard-links", checked: checked, found: "cannot stat it", outcome: .notChecked)
        }
        if st.linkCount > 1 {
            return InterlockCheck(
                name: "hard-links", checked: checked,
                found: "the file has \(st.linkCount) names (\(st.identity)): the change replaces this name only; the \(st.linkCount - 1) other name(s) keep the old bytes, and a node configured with one of them reads the old file",
                outcome: .warning)
        }
        return InterlockCheck(name: "hard-links", checked: checked, found: "one name only", outcome: .clear, summary: "one name only")
    }
}
