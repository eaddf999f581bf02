import FinalityEngine
import FinalityFormat

/// The whole interface state (the Elm "model"): plain values, no curses, no file handles.
/// `update` changes it in answer to a `Message`; `render` draws it into a `Grid`.
public struct AppState: Sendable {
    public var size: Size
    public var screen: Screen = .entries
    /// The screen Help returns to.
    public var screenBeforeHelp: Screen = .entries
    public var file: FileSnapshot?
    /// The load failed (no decoded file to show): the message, shown on the Entries screen.
    public var loadError: String?
    public var location: Location
    /// `--read-only` from the command line.
    public var readOnlyRequested: Bool

    public var entries = EntriesView()
    public var lib = LIBView()
    public var diff: DiffView?
    public var history = HistoryView()
    public var help = HelpView()
    public var wizard: WizardState?
    /// A running watch (Watch screen): samples arrive while other keys are handled.
    public var watch: WatchView?
    /// The Network screen's view while it is open: refreshes arrive while other keys are handled.
    public var network: NetworkWatch?
    /// A one-line text prompt (search, a path, a typed LIB) drawn on the status bar.
    public var prompt: Prompt?
    /// The last thing that happened, on the status bar until the next key.
    public var status: StatusMessage?
    public var quitting = false
    /// `q` in the wizard asked "leave and quit?": the next key answers.
    public var askingQuit = false
    /// Effects are running (the screen says "working…").
    public var busy: String?
    /// Enter was pressed in the wizard before the file's SHA-256 was known: the wizard
    /// goes on when it arrives (`awaitHash`).
    public var wizardAwaitsHash = false
    /// The node's configured finalizer keys (signature-provider lines; issue 9, recovery):
    /// nil until looked for. They make "inactive" certain and are what a repair covers.
    public var nodeKeys: NodeKeys? {
        didSet { refreshKeyCoverage() }
    }
    /// The file against the node's keys, computed once per file and keys (not per frame).
    public private(set) var keyCoverage: KeyCoverage?
    /// nodeos's config dir when given (`finality PATH --config-dir DIR`); else the
    /// engine's default places.
    public var configDir: String?
    /// The safety file does not exist (its directory does): a repair can create it. What
    /// the interlocks said about writing there (nil until checked).
    public var fileMissing = false
    public var missingAccess: WriteAccess?
    /// The last change to the file seen on disk while the screen is open (and when).
    public var fileNotice: FileNotice?
    /// A change refused or failed at step 4 (the last one tried): the program's exit
    /// status says so when it ends (0 when the last change went through).
    public var changeFailed: ExitStatus?
    /// ^R was pressed: the file's load answers it on the status bar.
    public var rechecking = false

    /// The program's working directory and the operator's HOME, as the executable found
    /// them at start (the core does no I/O): where the case report goes by default.
    public var workingDirectory: String?
    public var home: String?

    /// - apiURL: a node API to ask for LIB and tracked votes (`finality PATH --api URL`);
    ///   none is asked unless given (the LIB screen's `a` sets one later).
    /// - workingDirectory, home: see their properties.
    public init(location: Location, readOnly: Bool, size: Size, apiURL: String? = nil, workingDirectory: String? = nil, home: String? = nil) {
        lib.apiURL = apiURL ?? LIBView.localAPI
        lib.askAPI = apiURL != nil
        self.location = location
        self.readOnlyRequested = readOnly
        self.size = size
        self.workingDirectory = workingDirectory
        self.home = home
    }

    /// Where `w` proposes to write the case report: the working directory, or HOME when
    /// the working directory is inside the node's data dir (or, without one, the safety
    /// file's directory): a report is for a ticket, not a file beside the node's own.
    public var reportDirectory: String {
        OutputPlace.directory(for: location, workingDirectory: workingDirectory, home: home)
    }

    /// Why nothing may be written, or nil when mutations are allowed.
    public var readOnlyReason: String? {
        if readOnlyRequested { return "asked at start" }
        if let reason = fileNotice?.readOnlyReason, file == nil { return reason }
        guard let file else {
            // A missing file can be created by a repair when nothing stops a write there.
            guard fileMissing, let access = missingAccess else { return "no file loaded" }
            if let node = access.nodeRunning { return "a node is running (\(node))" }
            return access.writable ? nil : access.reason ?? "the file's directory is not writable by this user"
        }
        if let node = file.nodeRunning { return "a node is running (\(node))" }
        if !file.writable { return file.notWritableReason ?? "the file is not writable by this user" }
        return nil
    }

    public var isReadOnly: Bool { readOnlyReason != nil }

    mutating func refreshKeyCoverage() {
        guard let keys = nodeKeys, keys.found, let f = file?.safetyFile else {
            keyCoverage = nil
            return
        }
        keyCoverage = KeyCoverage(file: f, keys: keys)
    }

    /// Below 80x24 nothing but "terminal too small" is drawn, so keys must not act on
    /// what cannot be seen.
    public var isTooSmall: Bool { size.columns < Size.minimum.columns || size.rows < Size.minimum.rows }
}

/// A file as loaded by the effect runner: bytes' hash, the verdict, the decoded entries,
/// and what the interlocks said about writing it.
public struct FileSnapshot: Sendable {
    public var path: String
    public var byteCount: Int
    /// The SHA-256 of the bytes read: nil for the moment after the first screen while the
    /// runner computes it in the background (a plan is bound to it, so no change starts
    /// before it is known).
    public var sha256: Bytes32?
    /// Which load this is (the runner's count): background results of an earlier load of
    /// the same path are not this file's.
    public var loadID = 0
    public var verification: Verification
    public var writable: Bool
    /// Set when a node holds the data dir (the check that found it).
    public var nodeRunning: String?
    /// Why the file is not writable (a read-only mount, the immutable flag, its owner).
    public var notWritableReason: String?
    /// False when only the file's start was read (it is larger than its header accounts
    /// for plus 1 MiB: the rest is trailing bytes nodeos ignores). `sha256` is then of that
    /// start only and is not shown; a change refuses such a file.
    public var readWhole = true

    public init(
        path: String, byteCount: Int, sha256: Bytes32?, verification: Verification, writable: Bool, nodeRunning: String? = nil,
        notWritableReason: String? = nil
    ) {
        self.notWritableReason = notWritableReason
        self.path = path
        self.byteCount = byteCount
        self.sha256 = sha256
        self.verification = verification
        self.writable = writable
        self.nodeRunning = nodeRunning
        var byEntry = [Int: [Finding]]()
        for f in verification.errors + verification.warnings {
            if let e = f.entry { byEntry[e, default: []].append(f) }
        }
        findingsByEntry = byEntry
    }

    /// Errors and warnings by entry index, grouped once (a file can hold a million).
    public private(set) var findingsByEntry: [Int: [Finding]]

    /// The subgroup checks (warnings only) still run in the background: the file was
    /// shown at decode speed with the loader's own checks, the verdict included.
    public var subgroupPending: Bool { !verification.subgroupChecked }

    /// The runner still has work for this file in the background (its SHA-256, the
    /// subgroup checks): the core keeps polling.
    public var backgroundPending: Bool { subgroupPending || sha256 == nil }

    /// The subgroup warnings arrived: sorted in among the others, as a full read gives them.
    public mutating func addSubgroupWarnings(_ found: [Finding]) {
        guard !verification.subgroupChecked else { return }
        verification.warnings += found
        verification.warnings.sort { ($0.offset, $0.check.rawValue) < ($1.offset, $1.check.rawValue) }
        verification.subgroupChecked = true
        for f in found {
            if let e = f.entry { findingsByEntry[e, default: []].append(f) }
        }
    }

    public var safetyFile: SafetyFile? { verification.file }
    public var entries: [SafetyEntry] { verification.file?.entries ?? [] }
}

public enum SortColumn: String, Sendable, CaseIterable {
    case fileOrder = "file order"
    case key = "key"
    case lastVote = "last vote"
    case lock = "lock"
}

public struct EntriesView: Sendable {
    /// Index into the visible (filtered, sorted) rows.
    public var selected = 0
    public var scroll = 0
    public var filter = ""
    public var sort: SortColumn = .fileOrder
    /// The detail pane takes the screen (every field), the list shrinks to the selected row.
    public var zoomed = false
    /// Zoomed, the fields scroll with the page keys.
    public var detailScroll = 0
    /// The rows shown: indices into the file's entries, filtered and sorted. Kept here
    /// (refreshed when the file, filter or sort change) so a file of a million entries
    /// is not re-sorted on every key.
    public internal(set) var rows: [Int] = []
    /// Each entry's `PUB_BLS_…` text in lower case, computed once per file: search is
    /// case-insensitive (people read keys off a screen and type them back).
    public internal(set) var searchColumn: KeyTextColumn?
    /// The filter the rows were computed for: typing more characters only narrows them.
    var rowsFilter = ""
    var rowsSort: SortColumn = .fileOrder
    public init() {}
}

/// The engine's `LIBRequest` (the one request type, read in one place by
/// the engine, by the runner) as the LIB screen names it.
extension LIBRequest {
    public var label: String {
        switch self {
        case .blocksDir: "blocks.log"
        case .api: "node API"
        case .typed: "typed"
        }
    }

    public var origin: String {
        switch self {
        case .blocksDir(let d): d + "/blocks.log"
        case .api(let u, _): u + "/v1/chain/get_info"
        case .typed: option
        }
    }

    /// A LIB typed at the prompt: the block id, then a time or a slot.
    public static func typed(id: String, timeOrSlot: String) -> LIBRequest {
        if let slot = UInt32(timeOrSlot) { return .typed(id: id, time: nil, slot: slot) }
        return .typed(id: id, time: timeOrSlot, slot: nil)
    }
}

public struct LIBAnswer: Equatable, Sendable {
    public var request: LIBRequest
    public var result: Result<LIBReading, EngineError>
    /// A node API also says each key's last vote it tracked (`get_finalizer_info`).
    public var trackedVotes: [TrackedVoteRow]?
    public init(request: LIBRequest, result: Result<LIBReading, EngineError>, trackedVotes: [TrackedVoteRow]? = nil) {
        self.request = request
        self.result = result
        self.trackedVotes = trackedVotes
    }
    public var reading: LIBReading? { try? result.get() }
}

/// A key's last vote as the network tracked it: what the key actually signed, whatever
/// the file says.
public struct TrackedVoteRow: Hashable, Sendable {
    public var keyText: String
    public var key: BLSPublicKey?
    public var blockNumber: UInt32
    public var timestamp: BlockTimestamp
    public var isStrong: Bool
    public init(keyText: String, key: BLSPublicKey?, blockNumber: UInt32, timestamp: BlockTimestamp, isStrong: Bool) {
        self.keyText = keyText
        self.key = key
        self.blockNumber = blockNumber
        self.timestamp = timestamp
        self.isStrong = isStrong
    }
}

public struct LIBView: Sendable {
    public var answers: [LIBAnswer] = []
    public var selected = 0
    /// The selected source's details scroll (Space/PgDn, g/G); j/k choose the source.
    public var detailScroll = 0
    /// The node API the LIB screen's `a` offers and the Watch screen polls; asked for LIB
    /// only once the operator gave it (`--api`, or `a`), as `finality report` does.
    public var apiURL = ""
    public var askAPI = false
    /// The node on this server, as nodeos listens by default.
    public static let localAPI = "http://127.0.0.1:8888"
    /// How long the node API may take to answer, per request.
    public var apiTimeoutSeconds = 2.0
    /// Sources have been asked at least once.
    public var asked = false
    public init() {}

    public var readings: [LIBReading] { answers.compactMap(\.reading) }

    /// The LIB flags are measured against: the first source that answered.
    public var reference: LIBReading? { readings.first }

    /// The engine's comparison of the readings (never merged: pairs that differ, and how).
    public var comparison: LIBComparison { LIBComparison(readings) }

    /// The network's last tracked vote of a key, and which source said so.
    public func trackedVote(for key: BLSPublicKey) -> (vote: TrackedVoteRow, source: String)? {
        for a in answers {
            if let v = a.trackedVotes?.first(where: { $0.key == key }) { return (v, a.request.label) }
        }
        return nil
    }

    /// Sources that answered name different blocks, times or chains.
    public var disagreement: Bool { comparison.verdict == .disagree }
}

/// One line of a diff: a field before and after.
public struct DiffRow: Hashable, Sendable {
    /// The entry the field belongs to ("PUB_BLS_…"), or "file" for header fields.
    public var section: String
    public var field: String
    public var before: String
    public var after: String
    public init(section: String, field: String, before: String, after: String) {
        self.section = section
        self.field = field
        self.before = before
        self.after = after
    }
    public var changed: Bool { before != after }
}

public struct DiffView: Sendable {
    public var title: String
    public var leftName: String
    public var rightName: String
    public var rows: [DiffRow]
    public var notes: [String]
    public var scroll = 0
    /// Show unchanged rows too.
    public var showAll = false
    public init(title: String, leftName: String, rightName: String, rows: [DiffRow], notes: [String] = []) {
        self.title = title
        self.leftName = leftName
        self.rightName = rightName
        self.rows = rows
        self.notes = notes
    }
}

public struct BackupRow: Hashable, Sendable {
    public var path: String
    public var modified: String
    public var byteCount: Int
    public var sha256: String
    /// What nodeos would make of it, and whether it equals the current file.
    public var note: String
    public init(path: String, modified: String, byteCount: Int, sha256: String, note: String = "") {
        self.path = path
        self.modified = modified
        self.byteCount = byteCount
        self.sha256 = sha256
        self.note = note
    }
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }
}

public struct AuditRecordInfo: Hashable, Sendable {
    public var time: String
    public var who: String
    public var action: String
    public var key: String
    public var summary: String
    public init(time: String, who: String, action: String, key: String, summary: String) {
        self.time = time
        self.who = who
        self.action = action
        self.key = key
        self.summary = summary
    }
}

public struct HistoryListing: Hashable, Sendable {
    public var backups: [BackupRow]
    public var records: [AuditRecordInfo]
    public var auditPath: String?
    /// A broken audit chain, a file changed outside finality: said first.
    public var problems: [String]
    public init(backups: [BackupRow], records: [AuditRecordInfo], auditPath: String? = nil, problems: [String] = []) {
        self.backups = backups
        self.records = records
        self.auditPath = auditPath
        self.problems = problems
    }
}

public struct HistoryView: Sendable {
    public var listing: HistoryListing?
    public var error: String?
    /// Index into backups (the selectable part).
    public var selected = 0
    /// Opening History selects the newest backup once the listing arrives.
    public var selectNewestOnLoad = false
    /// The audit records scroll with the page keys (j/k choose the backup); they open at
    /// the newest (the end).
    public var recordScroll = Int.max / 2
    public init() {}
}

public struct HelpView: Sendable {
    public var scroll = 0
    public init() {}
}

public enum PromptPurpose: Hashable, Sendable {
    case search
    case compareWith
    case reportPath
    case apiURL
    /// `W` before any node API was given: the API to watch (then the watch starts).
    case watchAPI
    /// `n` before any node API was given, or `a` on Network: the node APIs to ask.
    case networkAPI
    case typedLIB
    case libReason
    /// `/` at the wizard's review (step 3).
    case reviewSearch
    /// `x` on Entries: the document's path; Tab switches between the selected entry and
    /// every entry.
    case exportPath(allEntries: Bool)
    /// `i` on Entries: the path of a document to import (then the wizard).
    case importPath
}

public struct Prompt: Hashable, Sendable {
    public var purpose: PromptPurpose
    public var label: String
    public var text: String
    public init(purpose: PromptPurpose, label: String, text: String = "") {
        self.purpose = purpose
        self.label = label
        self.text = text
    }
}

public struct StatusMessage: Hashable, Sendable {
    public enum Kind: Sendable { case info, good, warning, error }
    public var kind: Kind
    public var text: String
    /// A path the message is about, shown whole on rows of its own above the status bar
    /// (the status bar is one row: a long path would be cut there).
    public var path: String?
    /// What the message is about in full (an export's outcome, a refusal's reason), shown
    /// wrapped on rows of its own above the status bar, before `path`.
    public var detail: [String] = []
    public init(_ kind: Kind, _ text: String, path: String? = nil, detail: [String] = []) {
        self.kind = kind
        self.text = text
        self.path = path
        self.detail = detail
    }
}
