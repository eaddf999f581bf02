import Dispatch
import FinalityEngine
import FinalityFormat
import FinalityInterface
import FoundationEssentials
import Glibc
import SystemPackage

/// Performs the core's effects with the recovery engine: the one place the interface
/// touches disks, processes and networks. Changes go through the engine's
/// `ChangeWorkflow`, as the command line's do; reviews are kept here by id, so only the
/// plan the operator reviewed at step 3 can be applied at step 4.
public final class EngineEffects: EffectRunner {
    private var reviews: [Int: ChangeReview] = [:]
    /// The config dir each file's keys were read from (`--config-dir`, or nil: the defaults).
    private var configDirs: [String: String?] = [:]
    private var nextPlanID = 1
    private var watchSession: WatchSession?
    private var networkSession: NetworkSession?
    private var subgroupJob: SubgroupJob?
    private var world: WorldWatcher?
    private var loads = 0
    let toolVersion: String
    let procRoot: String
    /// What the engine's change workflow reads from the machine (the command line gives it
    /// the same).
    let environment: ChangeEnvironment

    public init(toolVersion: String, procRoot: String = "/proc") {
        self.toolVersion = toolVersion
        self.procRoot = procRoot
        environment = ChangeEnvironment(toolVersion: toolVersion, procRoot: procRoot)
    }

    public func perform(_ effect: Effect) -> Message {
        switch effect {
        case .loadFile(let location):
            // What the path is before the read: a change during the read is seen next look.
            let look = PathLook.of(location.file)
            let result = Result { () throws(EngineError) in try load(location) }
            let access: WriteAccess
            switch result {
            case .success(let snap): access = WriteAccess(writable: snap.writable, nodeRunning: snap.nodeRunning, reason: snap.notWritableReason)
            case .failure: access = writeAccess(location)
            }
            if let world, world.location == location {
                world.rebase(look, access: access)
            } else {
                world?.stop()
                world = WorldWatcher(location: location, procRoot: procRoot, baseline: look)
                world?.rebase(look, access: access)
            }
            return .fileLoaded(result)
        case .checkWorld(let location):
            guard let world, world.location == location else {
                return .worldChecked(WorldCheck(file: nil, access: nil, unixMilliseconds: Self.nowMilliseconds()))
            }
            let (change, access) = world.check(nowSeconds: Int64(Self.nowMilliseconds() / 1000))
            return .worldChecked(WorldCheck(file: change, access: access, unixMilliseconds: Self.nowMilliseconds()))
        case .checkInterlocks(let location):
            return .interlocksChecked(writeAccess(location))
        case .readLIB(let requests):
            return .libRead(
                requests.map { r in
                    let result = Result { () throws(EngineError) in try readLIB(r) }
                    return LIBAnswer(request: r, result: result, trackedVotes: trackedVotes(r, answered: result))
                })
        case .computePlan(let request):
            return .planComputed(Result { () throws(EngineError) in try plan(request) })
        case .apply(let id, let request):
            guard let review = reviews[id], review.request == request else {
                return .applied(.failure(.refused("this plan is not the one reviewed at step 3; nothing was written")))
            }
            return .applied(
                Result { () throws(EngineError) in
                    ApplyOutcome(try ChangeWorkflow.apply(review, context: .current(toolVersion: toolVersion), environment: environment))
                })
        case .loadHistory(let location):
            return .historyLoaded(Result { () throws(EngineError) in try history(location) })
        case .readNodeKeys(let location, let configDir):
            // Kept: `w` writes the report with the keys the screen shows.
            configDirs[location.file] = configDir
            return .nodeKeysRead(NodeConfig.find(for: location, configDir: configDir, procRoot: procRoot))
        case .compareFiles(let old, let new):
            return .compared(Result { () throws(EngineError) in try compare(old: old, new: new) })
        case .writeReport(let path, let location, let readings, let libErrors):
            return .reportWritten(
                Result { () throws(EngineError) in try writeReport(path: path, readings: readings, libErrors: libErrors, location: location) })
        case .startWatch(let config):
            watchSession?.stop()
            watchSession = WatchSession(config)
            return .watchPolled([], now: Self.nowMilliseconds())
        case .pollWatch(let wanted):
            return .watchPolled(watchSession?.poll(wanted: wanted) ?? [], now: Self.nowMilliseconds())
        case .stopWatch:
            watchSession?.stop()
            watchSession = nil
            return .watchPolled([], now: Self.nowMilliseconds())
        case .startNetwork(let config):
            networkSession?.stop()
            networkSession = NetworkSession(config)
            return .networkPolled(NetworkPoll(latest: nil, refreshes: 0, takenAt: nil), now: Self.nowMilliseconds())
        case .pollNetwork:
            return .networkPolled(networkSession?.poll() ?? NetworkPoll(latest: nil, refreshes: 0, takenAt: nil), now: Self.nowMilliseconds())
        case .stopNetwork:
            networkSession?.stop()
            networkSession = nil
            return .networkPolled(NetworkPoll(latest: nil, refreshes: 0, takenAt: nil), now: Self.nowMilliseconds())
        case .pollSubgroupChecks(let load), .awaitHash(let load):
            guard let job = subgroupJob, job.load == load else {
                // No work runs for that load (read again since): nothing will come.
                return .subgroupChecksPolled(load: load, sha256: nil, keyTexts: nil, warnings: nil)
            }
            if case .awaitHash = effect { job.waitForHash() }
            let (sha256, keyTexts, warnings) = job.results
            return .subgroupChecksPolled(load: load, sha256: sha256, keyTexts: keyTexts, warnings: warnings)
        case .proposeExport(let location, let workingDirectory, let home):
            // `finality export`'s name without --out (Export.swift): the engine's one rule.
            return .exportProposed(
                InterchangeExport.defaultName(for: location, workingDirectory: workingDirectory, home: home, host: ProcessInfo.processInfo.hostName, now: Date()))
        case .exportDocument(let order):
            return .exported(Result { () throws(EngineError) in try export(order) })
        }
    }

    // MARK: reading

    /// The first screen comes at decode speed with the loader's own checks (the verdict:
    /// spring does no subgroup check). The CRC is computed beside the read
    /// (`readStart(digests:)`), so the checks have every core; the SHA-256, the key-text
    /// column and then the subgroup checks (warnings only) follow in the background while
    /// keys are answered, and are polled. Only the start of a file larger than its header
    /// accounts for is read, as `finality verify` does: the verdict is spring's (trailing
    /// bytes, a warning), and a change refuses it (`FileBytes.read`).
    func load(_ location: Location) throws(EngineError) -> FileSnapshot {
        // The interlocks read /proc (system calls, little CPU): beside the read and the
        // verification, not after them, so the first screen waits for the longer only.
        let pending = PendingAccess()
        let procRoot = procRoot
        Threads.start { pending.set(Self.writeAccess(location, procRoot: procRoot)) }
        let start: SafetyFileInput.Start
        do { start = try SafetyFileInput.readStart(location.file, digests: .crc) } catch {
            _ = pending.wait()
            throw error
        }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let verification = SafetyFileInput.verify(
            start, options: .init(checkSubgroup: false, now: BlockTimestamp(date: Date()), keyCheckThreads: cores))
        loads += 1
        // The previous file's background work is nobody's now: stop it.
        subgroupJob?.cancellation.cancel()
        subgroupJob = SubgroupJob(load: loads, bytes: start.bytes, verification: verification, threads: cores)
        let access = pending.wait()
        var snapshot = FileSnapshot(
            path: location.file, byteCount: start.fileSize, sha256: nil, verification: verification,
            writable: access.writable, nodeRunning: access.nodeRunning, notWritableReason: access.reason)
        snapshot.readWhole = start.isWhole
        snapshot.loadID = loads
        return snapshot
    }

    func writeAccess(_ location: Location) -> WriteAccess { Self.writeAccess(location, procRoot: procRoot) }

    static func writeAccess(_ location: Location, procRoot: String) -> WriteAccess {
        let interlocks = Interlocks.run(location, procRoot: procRoot)
        let directory = PathText.directory(location.file)
        // A change writes a temp file and a backup beside the file: the directory must be writable too.
        // A missing file (repair creates it) needs only the directory.
        let missing: Bool
        do { _ = try Sys.status(location.file, followLinks: false); missing = false } catch { missing = error == .noSuchFileOrDirectory }
        let writable = (missing || Sys.writable(location.file) == nil) && Sys.writable(directory) == nil
        // The cause in words (a read-only mount, the immutable flag, another owner, a link),
        // also when root's access() says yes to a file a write would still fail on.
        let obstacle = WriteObstacle.of(location.file)
        return WriteAccess(
            writable: writable && obstacle == nil, nodeRunning: interlocks.checks.first { $0.outcome == .nodeRunning }?.found,
            reason: obstacle ?? (writable ? nil : "the file or its directory is not writable by this user"))
    }

    func readLIB(_ r: LIBRequest) throws(EngineError) -> LIBReading { try r.read() }

    /// A node API that answered is also asked for each key's last tracked vote; a node
    /// without that endpoint (before Savanna) just has none.
    func trackedVotes(_ r: LIBRequest, answered: Result<LIBReading, EngineError>) -> [TrackedVoteRow]? {
        guard case .api(let url, let timeout) = r, case .success = answered,
            let info = try? LIBSources.finalizerInfo(url, timeoutSeconds: timeout)
        else { return nil }
        return info.votes.map {
            TrackedVoteRow(keyText: $0.publicKeyText, key: $0.publicKey, blockNumber: $0.blockNumber, timestamp: $0.timestamp, isStrong: $0.isStrong)
        }
    }

    // MARK: changes, through the engine's one workflow

    /// The wizard's request goes to the engine as it is, as the command line's does: the
    /// engine gathers the LIB, the evidence and the node's keys. The review is kept by id,
    /// so that only the plan the operator reviewed at step 3 can be applied at step 4.
    func plan(_ request: ChangeRequest) throws(EngineError) -> PlanPreview {
        let review = try ChangeWorkflow.review(request, environment: environment)
        let id = nextPlanID
        nextPlanID += 1
        reviews[id] = review
        return PlanPreview(id: id, review: review)
    }

    // MARK: export (the interface's `x`), through the engine's one export

    /// `finality export PATH [--key KEY] [--api URL] --out TARGET`, as Export.swift runs it:
    /// the same document (its interlocks: refused while a node uses the file; its chain id
    /// from the sources given), written under a new name only.
    func export(_ order: ExportOrder) throws(EngineError) -> ExportDone {
        let request = InterchangeExport.Request(path: order.path, keys: order.keys, sources: order.sources, procRoot: procRoot)
        let result = try InterchangeExport.document(request, host: ProcessInfo.processInfo.hostName, tool: "finality \(toolVersion)", now: Date())
        try InterchangeExport.write(result.document, to: order.target)
        let doc = result.document
        return ExportDone(target: order.target, keyCount: doc.entries.count, chainID: doc.chainID.hex, chainIDSource: doc.chainIDSource, notes: result.notes)
    }

    // MARK: history, comparison, report

    func history(_ location: Location) throws(EngineError) -> HistoryListing {
        let h = try FileHistory.read(file: location.file)
        let backups = h.backups.map { b in
            BackupRow(
                path: b.path, modified: Self.time(b.modified), byteCount: b.size, sha256: b.sha256.hex,
                note: "sha256 \(b.sha256.hex)" + (b.isCurrent ? " (= the current file)" : "") + "; " + b.verdict)
        }
        let lineOf = Dictionary(h.audit.entries.map { ($0.sha256, $0.line) }, uniquingKeysWith: { a, _ in a })
        let records = h.audit.entries.map { e in
            let r = e.record
            let who = r.ssh.map { "\(r.user) (ssh \($0.split(separator: " ").first ?? ""))" } ?? r.user
            let key = r.key.map { String($0.prefix(20)) + "…" } ?? (r.restoreFrom.map { PathText.name($0) } ?? "")
            let before = String((r.sha256Before ?? "?").prefix(12))
            let after = String((r.sha256After ?? "?").prefix(12))
            var summary = "line \(e.line): SHA-256 \(before)… → \(after)…"
            if let seg = r.segment {
                summary = "line \(e.line): new chain segment: \(seg.reason)"
            } else if let c = r.completion {
                let of = lineOf[c.applyingSha256].flatMap { $0 < e.line ? "line \($0)" : nil } ?? "an unknown record"
                summary = "line \(e.line): completes \(of), \(c.how): \(c.found)" + (c.acknowledged.map { "; acknowledged: \($0)" } ?? "")
            } else if r.isApplying, h.audit.completion(of: e) == nil, let open = h.reconciliations.first(where: { $0.line == e.line }) {
                summary += "; no completion record: \(open.outcomeText)"
            }
            return AuditRecordInfo(
                time: String(r.time.prefix(19)).replacingLiteral("T", with: " "), who: who,
                action: r.segment != nil ? "new-segment" : r.completion?.outcome ?? r.action ?? "?", key: key, summary: summary)
        }
        var problems = [String]()
        for b in h.audit.breaks {
            problems.append("audit chain BROKEN at line \(b.line): \(b.problem)" + (b.resumedAtLine.map { "; new segment at line \($0)" } ?? ""))
        }
        // A change without its completion record whose outcome is unknown stops the next
        // change until acknowledged: said first, with what was found.
        for r in h.reconciliations where r.outcome == .unknown {
            problems.append(
                r.sentence + ". The next change is refused until you check the file and acknowledge it (finality reset/delete/restore/repair --acknowledge-unknown \"why\")")
        }
        if h.currentMatchesLastRecord == false {
            problems.append("the current file is not what the last record left: changed outside finality, or a change was interrupted")
        }
        return HistoryListing(backups: backups, records: records, auditPath: h.auditPath, problems: problems)
    }

    /// `2026-11-21 13:30:13` (UTC).
    static func time(_ d: Date) -> String {
        String(UTCTime.iso8601(d).prefix(19)).replacingLiteral("T", with: " ")
    }

    func compare(old: String, new: String) throws(EngineError) -> DiffView {
        let a = try Planner.decodeForDiff(try FileBytes.read(old), path: old)
        let b = try Planner.decodeForDiff(try FileBytes.read(new), path: new)
        let diff = FileDiff.compare(old: a, new: b)
        return DiffView(title: "Comparison", leftName: old, rightName: new, rows: DiffRows.from(diff), notes: diff.warnings.map(\.message))
    }

    func writeReport(path: String, readings: [LIBReading], libErrors: [String], location: Location) throws(EngineError) -> String {
        let loaded = try LoadedFile.read(location)
        let text = CaseReport.text(
            loaded: loaded, readings: readings, libErrors: libErrors, interlocks: Interlocks.run(location, procRoot: procRoot),
            toolVersion: toolVersion, now: Date(), nodeKeys: NodeConfig.find(for: location, configDir: configDirs[location.file] ?? nil, procRoot: procRoot))
        let fd: FileDescriptor
        do { fd = try Sys.open(path, .writeOnly, [.create, .exclusiveCreate, .noFollow], permissions: FilePermissions(rawValue: 0o644)) } catch {
            throw .io(path: path, operation: "create", reason: "\(error)")
        }
        defer { try? fd.close() }
        do { try Sys.writeAll(fd, Array(text.text.utf8), path: path) } catch { throw .io(path: path, operation: "write", reason: "\(error)") }
        return path
    }
}

/// A write access computed on another thread, waited for once.
final class PendingAccess: @unchecked Sendable {
    private let lock = Lock()
    private let done = DispatchSemaphore(value: 0)
    private var value: WriteAccess?

    func set(_ v: WriteAccess) {
        lock.withLock { value = v }
        done.signal()
    }

    func wait() -> WriteAccess {
        done.wait()
        return lock.withLock { value! }
    }
}

/// The background work on one loaded file (see `load`), on a thread of its own: first
/// the file's SHA-256 (a fifth of a second for 237 MB, at normal priority: a change waits
/// for it), then, at a low priority, the key-text column for search (about a second for a
/// million keys), then the subgroup checks (warnings only) on every core at the lowest.
final class SubgroupJob: @unchecked Sendable {
    let load: Int
    let cancellation = Cancellation()
    private let lock = Lock()
    private let hashed = DispatchSemaphore(value: 0)
    private var sha256: Bytes32?
    private var keyTexts: KeyTextColumn?
    private var warnings: [Finding]?

    init(load: Int, bytes: [UInt8], verification: Verification, threads: Int) {
        self.load = load
        Threads.start { [self] in
            let digest = Digest.sha256(bytes)
            lock.withLock { sha256 = digest }
            hashed.signal()
            // This thread only (Linux: the nice value is per thread; who = 0 is the caller).
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            guard !cancellation.isCancelled else { return }
            let column = KeyTextColumn(verification.file?.entries ?? [])
            lock.withLock { keyTexts = column }
            guard !cancellation.isCancelled else { return }
            let found =
                verification.subgroupChecked
                ? [] : SafetyFileReader.subgroupWarnings(verification, threads: threads, background: true, cancellation: cancellation)
            // Cancelled: the warnings are incomplete, and nobody asks for them.
            guard !cancellation.isCancelled else { return }
            lock.withLock { warnings = found }
        }
    }

    /// Until the SHA-256 is computed (a fraction of a second after the load).
    func waitForHash() {
        hashed.wait()
        hashed.signal()  // for the next waiter
    }

    /// What is done so far (nil: not yet).
    var results: (Bytes32?, KeyTextColumn?, [Finding]?) { lock.withLock { (sha256, keyTexts, warnings) } }
}
