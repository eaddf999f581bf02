import FinalityEngine
import FinalityFormat

/// Side effects the pure core asks for. An effect runner performs them outside the core
/// (reading files, asking LIB sources, applying a plan) and answers with a `Message`.
public enum Effect: Equatable, Sendable {
    /// Read and verify the safety file; run the read-only interlocks.
    case loadFile(Location)
    /// Run the read-only interlocks and the writability check again (a node stopped or
    /// started since the file was read): read-only mode follows what they find.
    case checkInterlocks(Location)
    /// Ask each LIB source; each answer is kept separately (never merged).
    case readLIB([LIBRequest])
    /// The engine's review of the operator's request for the wizard's step 3 (writes
    /// nothing): the engine gathers the LIB, the evidence and the node's keys itself, as it
    /// does for the command line.
    case computePlan(ChangeRequest)
    /// Apply a plan shown at step 3, after step 4's typed confirmation.
    case apply(planID: Int, request: ChangeRequest)
    /// Backups and audit records of the file.
    case loadHistory(Location)
    /// Find the node's configured finalizer keys (public parts only; `configDir` when given).
    case readNodeKeys(Location, configDir: String?)
    /// Field-by-field diff of two files (the current one against a backup or another copy).
    case compareFiles(old: String, new: String)
    /// Write the plain-text case report (`finality report`'s text) with the LIB readings
    /// the screen shows.
    case writeReport(path: String, location: Location, readings: [LIBReading], libErrors: [String])
    /// Start sampling node APIs and the file on the runner's own thread (Watch screen).
    case startWatch(WatchConfig)
    /// Hand over the samples taken since the last poll; `wanted` are block heights to ask.
    case pollWatch(wanted: [UInt32])
    case stopWatch
    /// Start refreshing the network view (Network screen) on the runner's own thread.
    case startNetwork(NetworkConfig)
    /// Hand over the newest refresh since the last poll.
    case pollNetwork
    case stopNetwork
    /// Hand over what the runner's background work on the file of this load (started by
    /// `loadFile`, which gives the verdict without it: spring does no subgroup check) has
    /// made so far: the file's SHA-256, the key-text column, the subgroup warnings.
    case pollSubgroupChecks(load: Int)
    /// Wait for the SHA-256 of this load's file (the runner computes it right after the
    /// first screen, a fraction of a second): a plan is bound to it. Answered with
    /// `subgroupChecksPolled`.
    case awaitHash(load: Int)
    /// Look at the file and the node while the screen is open (never waits: inotify and a
    /// stat now, the runner's process check from its own thread every few seconds).
    case checkWorld(Location)
    /// The name `finality export` gives a document without --out (the engine's
    /// `InterchangeExport.defaultName`: outside the data dir, named after the host and the
    /// time), for the export prompt to show and the operator to edit.
    case proposeExport(Location, workingDirectory: String?, home: String?)
    /// Export chosen entries to a new document through the engine's one export
    /// (`InterchangeExport`, as `finality export`): its interlocks, its chain-id sources.
    case exportDocument(ExportOrder)
}

/// Everything `update` reacts to: terminal events and the answers to effects.
public enum Message: Sendable {
    case terminal(TerminalEvent)
    case fileLoaded(Result<FileSnapshot, EngineError>)
    case interlocksChecked(WriteAccess)
    case libRead([LIBAnswer])
    case planComputed(Result<PlanPreview, EngineError>)
    case applied(Result<ApplyOutcome, EngineError>)
    case historyLoaded(Result<HistoryListing, EngineError>)
    case nodeKeysRead(NodeKeys)
    case compared(Result<DiffView, EngineError>)
    case reportWritten(Result<String, EngineError>)
    /// No key came within `AppState.tickMilliseconds` (only while a watch runs).
    case tick
    /// The watch's samples since the last poll, and the runner's wall clock (Unix ms).
    case watchPolled([WatchSample], now: Int64)
    /// The network view's newest refresh since the last poll, and the runner's wall clock (Unix ms).
    case networkPolled(NetworkPoll, now: Int64)
    /// What the runner's background work for the file of this load has made so far: its
    /// SHA-256 (nil until computed), the key-text column for search (nil until built), the
    /// subgroup warnings (warnings only, never part of the verdict; nil while they run).
    case subgroupChecksPolled(load: Int, sha256: Bytes32?, keyTexts: KeyTextColumn?, warnings: [Finding]?)
    /// What the runner saw of the file and the node since the last look.
    case worldChecked(WorldCheck)
    /// The default document name for the export prompt.
    case exportProposed(String)
    /// The export's outcome: the document written, or why nothing was.
    case exported(Result<ExportDone, EngineError>)
}

/// Whether the file may be written now, as the interlocks and permissions say.
public struct WriteAccess: Hashable, Sendable {
    public var writable: Bool
    /// The check that found a node running on the file or data dir.
    public var nodeRunning: String?
    /// Why the file may not be written when `writable` is false, in words: a read-only
    /// mount, the immutable flag, another owner, a link (nil: not known).
    public var reason: String?
    public init(writable: Bool, nodeRunning: String?, reason: String? = nil) {
        self.writable = writable
        self.nodeRunning = nodeRunning
        self.reason = reason
    }
}

/// Performs effects at the edge. The engine-backed runner is `EngineEffects`; tests use
/// canned answers.
public protocol EffectRunner: AnyObject {
    func perform(_ effect: Effect) -> Message
}
