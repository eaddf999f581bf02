import FinalityEngine
import FinalityFormat
import Foundation

/// Performs the core's effects with the recovery engine: the one place the interface
/// touches disks and networks.
public final class EngineEffects: EffectRunner {
    /// Plans shown at step 3, by id: `.apply` names one, so only a plan the operator saw
    /// can be applied.
    private var plans: [Int: PlanRequest] = [:]
    private var nextPlanID = 1
    let apiTimeoutSeconds: Double

    public init(apiTimeoutSeconds: Double = 2) {
        self.apiTimeoutSeconds = apiTimeoutSeconds
    }

    public func perform(_ effect: Effect) -> Message {
        switch effect {
        case .loadFile(let location):
            return .fileLoaded(Result { () throws(EngineError) in try load(location) })
        case .readLIB(let requests):
            return .libRead(requests.map { r in LIBAnswer(request: r, result: Result { () throws(EngineError) in try readLIB(r) }) })
        case .computePlan(let request):
            return .planComputed(Result { () throws(EngineError) in try plan(request) })
        case .apply(let id, let request):
            guard plans[id] == request else {
                return .applied(.failure(.refused("this plan was not the one reviewed; nothing was written")))
            }
            return .applied(Result { () throws(EngineError) in try apply(request) })
        case .loadHistory(let location):
            return .historyLoaded(Result { () throws(EngineError) in try history(location) })
        case .compareFiles(let old, let new):
            return .compared(Result { () throws(EngineError) in try compare(old: old, new: new) })
        case .writeReport(let path, let text):
            return .reportWritten(Result { () throws(EngineError) in try writeReport(path: path, text: text) })
        }
    }

    func load(_ location: Location) throws(EngineError) -> FileSnapshot {
        let loaded = try LoadedFile.read(location)
        let verification = SafetyFileReader.verify(loaded.bytes)
        return FileSnapshot(
            path: location.file, byteCount: loaded.bytes.count, sha256: loaded.sha256, verification: verification,
            writable: access(location.file, W_OK) == 0, nodeRunning: nil)
    }

    func readLIB(_ r: LIBRequest) throws(EngineError) -> LIBReading {
        switch r {
        case .blocksDir(let dir): return try LIBSources.fromBlocksDir(dir)
        case .api(let url): return try LIBSources.fromAPI(url, timeoutSeconds: apiTimeoutSeconds)
        case .typed(let id, let t):
            if let slot = UInt32(t) { return try LIBSources.typed(id: id, time: nil, slot: slot) }
            return try LIBSources.typed(id: id, time: t, slot: nil)
        }
    }

    func plan(_ request: PlanRequest) throws(EngineError) -> PlanPreview {
        let location = request.location
        let loaded = try LoadedFile.read(location)
        guard loaded.sha256 == request.fileSHA256 else {
            throw .refused("\(request.path) changed since it was read; press e and start again")
        }
        let before = try decode(loaded.bytes, path: request.path)
        var after = before
        var notes = [String]()
        switch request.action {
        case .reset, .delete:
            guard let keyText = request.keyText, let index = before.entries.firstIndex(where: { $0.key.text == keyText }) else {
                throw .usage("the key is not in the file")
            }
            if request.action == .delete {
                after.entries.remove(at: index)
                notes.append("nodeos recreates this entry at its next start with an empty last vote and its own LIB as lock")
            } else {
                guard let lib = request.lib?.lib else { throw .usage("a reset needs a LIB") }
                switch after.entries[index].state {
                case .savanna(var s):
                    s.lastVote = .empty
                    s.lock = BlockRef(blockID: lib.blockID, timestamp: lib.timestamp)
                    s.otherBranchLatestTime = .zero
                    if s.votesForkedSinceLatestStrongVote != nil { s.votesForkedSinceLatestStrongVote = false }
                    after.entries[index].state = .savanna(s)
                case .hotStuff:
                    throw .usage("HotStuff resets need the engine's proposal id (not in this build yet)")
                }
            }
        case .restore:
            guard let path = request.backupPath else { throw .usage("a restore needs a backup") }
            after = try decode(try FileBytes.read(path), path: path)
        }
        let id = nextPlanID
        nextPlanID += 1
        plans[id] = request
        return PlanPreview(
            id: id, request: request, rows: Comparison.rows(old: before, new: after),
            warnings: Comparison.backwardMoves(old: before, new: after) + notes,
            checks: [CheckRow(name: "file unchanged since read", outcome: .clear, detail: "sha256 \(loaded.sha256.hex.prefix(16))…")],
            refusal: nil)
    }

    func apply(_ request: PlanRequest) throws(EngineError) -> ApplyOutcome {
        throw .refused("applying needs the engine's apply step, not in this build yet; nothing was written")
    }

    func history(_ location: Location) throws(EngineError) -> HistoryListing {
        let dir = (location.file as NSString).deletingLastPathComponent + "/backups"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        var backups = [BackupRow]()
        for name in names.sorted() {
            let path = dir + "/" + name
            guard let bytes = try? FileBytes.read(path) else { continue }
            let loaded = LoadedFile(location: Location(file: path, dataDir: nil), bytes: bytes)
            let attrs = try? FileManager.default.attributesOfItem(atPath: path)
            let modified = (attrs?[.modificationDate] as? Date).map { BlockTimestamp(date: $0).map(Format.time) ?? "" } ?? ""
            backups.append(BackupRow(path: path, modified: modified, byteCount: bytes.count, sha256: loaded.sha256.hex))
        }
        return HistoryListing(backups: backups, records: [], auditPath: nil)
    }

    func compare(old: String, new: String) throws(EngineError) -> DiffView {
        let a = try FileBytes.read(old)
        let b = try FileBytes.read(new)
        let va = SafetyFileReader.verify(a)
        let vb = SafetyFileReader.verify(b)
        var notes = Comparison.backwardMoves(old: va.file, new: vb.file)
        if !va.nodeosLoads { notes.append("before: \(va.verdictLine)") }
        if !vb.nodeosLoads { notes.append("after: \(vb.verdictLine)") }
        return DiffView(title: "Comparison", leftName: old, rightName: new, rows: Comparison.rows(old: va.file, new: vb.file), notes: notes)
    }

    func decode(_ bytes: [UInt8], path: String) throws(EngineError) -> SafetyFile {
        do {
            return try SafetyFileReader.decode(bytes)
        } catch {
            throw .invalid(path: path, finding: error)
        }
    }

    func writeReport(path: String, text: String) throws(EngineError) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, operation: "create", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", reason: String(cString: strerror(errno)))
            }
            off += n
        }
        return path
    }
}
