import FinalityEngine
import FinalityFormat

extension Screen {
    public static let network = Screen("network")
}

/// What the runner samples for the Network screen: the node APIs (the first is the
/// reference for head and LIB), the node's configured keys, how often.
public struct NetworkConfig: Hashable, Sendable {
    public var apis: [String]
    /// nil: the node's config.ini was not found (no "this node" marks).
    public var configuredKeys: [BLSPublicKey]?
    public var interval: Double
    public var apiTimeout: Double
    public var options: NetworkOptions

    public init(apis: [String], configuredKeys: [BLSPublicKey]?, interval: Double = 1, apiTimeout: Double = 2, options: NetworkOptions = .init()) {
        self.apis = apis
        self.configuredKeys = configuredKeys
        self.interval = interval
        self.apiTimeout = apiTimeout
        self.options = options
    }
}

/// The runner's newest refresh since the last poll (nil: none yet), and how many it made.
public struct NetworkPoll: Sendable {
    public var latest: Result<NetworkView, EngineError>?
    public var refreshes: Int
    /// When the newest refresh was taken (Unix ms).
    public var takenAt: Int64?
    public init(latest: Result<NetworkView, EngineError>?, refreshes: Int, takenAt: Int64?) {
        self.latest = latest
        self.refreshes = refreshes
        self.takenAt = takenAt
    }
}

/// The Network screen's state: the engine's network view (the same one `finality network`
/// prints), refreshed by the runner on its own thread, so a slow or silent node API never
/// holds up a key.
public struct NetworkWatch: Sendable {
    public var config: NetworkConfig
    public var view: NetworkView?
    /// The last refresh that failed (no API answered, or APIs of two chains), sanitized.
    public var error: String?
    public var refreshes = 0
    public var sort: NetworkSort = .status
    public var scroll = 0
    /// The runner's wall clock at the last poll, and when the newest refresh was taken (Unix ms).
    public var now: Int64?
    public var takenAt: Int64?
    public var startedAt: Int64?
    /// Where ESC goes back to.
    public var returnTo: Screen
    /// The table's lines for the view, sort and width last shown.
    var table: NetworkTable?

    public init(config: NetworkConfig, returnTo: Screen) {
        self.config = config
        self.returnTo = returnTo
    }
}

/// The Network screen's rows as drawn for one refresh, sort and width.
struct NetworkTable: Sendable {
    var width: Int
    var sort: NetworkSort
    var takenAt: Int64
    var lines: [(String, Style)]
}

/// Network: which finalizers of the active policy vote, how much weight is missing for a
/// quorum, and whether this node's keys are among them (issue 23). Live and read-only.
enum NetworkScreen: ScrollingText {
    static let screen = Screen.network
    static let title = "Network"

    /// `n` on LIB or Watch: the running view, else sampling the node API given, else a
    /// prompt for one (never a default URL asked by itself).
    static func startFromHere(_ state: inout AppState) -> [Effect] {
        let here = state.screen == .network ? (state.network?.returnTo ?? .lib) : state.screen
        if state.network != nil {
            state.network?.returnTo = here
            state.screen = .network
            return []
        }
        guard state.lib.askAPI, !state.lib.apiURL.isEmpty else {
            state.prompt = Prompt(purpose: .networkAPI, label: "No node API given; ask which (several: spaces)? ", text: LIBView.localAPI)
            return []
        }
        return start(&state, apis: [state.lib.apiURL], returnTo: here)
    }

    /// Starts (or restarts) the sampling of `apis`.
    static func start(_ state: inout AppState, apis: [String], returnTo: Screen) -> [Effect] {
        let config = NetworkConfig(apis: apis, configuredKeys: state.nodeKeys.flatMap { $0.found ? $0.publicKeys : nil }, apiTimeout: state.lib.apiTimeoutSeconds)
        var watch = NetworkWatch(config: config, returnTo: returnTo)
        watch.sort = state.network?.sort ?? .status
        state.network = watch
        state.screen = .network
        return [.startNetwork(config)]
    }

    /// The prompt's answer: one URL or several separated by spaces.
    static func apisGiven(_ state: inout AppState, _ text: String) -> [Effect] {
        let apis = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard !apis.isEmpty else { return [] }
        // The first is also the LIB screen's API (its tracked votes, Watch).
        if state.lib.apiURL.isEmpty || !state.lib.askAPI {
            state.lib.apiURL = apis[0]
            state.lib.askAPI = true
        }
        let returnTo = state.network?.returnTo ?? (state.screen == .network ? .lib : state.screen)
        return start(&state, apis: apis, returnTo: returnTo)
    }

    static func handle(_ action: Action, _ state: inout AppState) -> [Effect]? {
        switch action {
        case .sort:
            guard state.network != nil else { return [] }
            let all = NetworkSort.allCases
            let next = all[(all.firstIndex(of: state.network!.sort)! + 1) % all.count]
            state.network?.sort = next
            cacheTable(&state)
            state.status = StatusMessage(.info, "sorted by \(sortName(next))")
            return []
        case .setAPI:
            let text = state.network?.config.apis.joined(separator: " ") ?? state.lib.apiURL
            state.prompt = Prompt(purpose: .networkAPI, label: "Node API URLs (several: spaces): ", text: text.isEmpty ? LIBView.localAPI : text)
            return []
        default:
            return nil
        }
    }

    static func sortName(_ s: NetworkSort) -> String {
        switch s {
        case .policy: "policy order"
        case .weight: "weight"
        case .lastVote: "last vote (oldest first)"
        case .status: "status (not voting first)"
        }
    }

    /// A tick without a key: collect what the runner refreshed; stop once the screen is left.
    static func tick(_ state: inout AppState) -> [Effect] {
        guard state.network != nil else { return [] }
        if state.screen != .network && !(state.screen == .help && state.screenBeforeHelp == .network) {
            state.network = nil
            return [.stopNetwork]
        }
        return [.pollNetwork]
    }

    static func absorb(_ state: inout AppState, _ poll: NetworkPoll, now: Int64) {
        guard state.network != nil else { return }
        state.network?.now = now
        if state.network?.startedAt == nil { state.network?.startedAt = now }
        state.network?.refreshes = poll.refreshes
        guard let latest = poll.latest else { return }
        state.network?.takenAt = poll.takenAt
        switch latest {
        case .success(let v):
            state.network?.view = v
            state.network?.error = nil
            cacheTable(&state)
        case .failure(let e):
            state.network?.error = DisplayText.sanitize(InterfaceWords.say(e.description))
        }
    }

    static func back(_ state: inout AppState) {
        state.screen = state.network?.returnTo ?? .lib
    }

    static func text(_ state: AppState, width: Int) -> [(String, Style)]? { state.network.map { lines($0, width: width) } }
    static func scroll(_ state: AppState) -> Int? { state.network?.scroll }
    static func scroll(_ state: inout AppState, to top: Int) { state.network?.scroll = top }

    static func position(_ state: AppState) -> String {
        guard let n = state.network else { return "" }
        return (n.refreshes > 0 ? "refresh \(Format.number(n.refreshes)) · " : "") + "sort: \(n.sort.rawValue)"
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        drawText(&g, state, body, empty: "Not asking any node API: a sets one (n on LIB or Watch opens this screen).")
    }

    /// The screen's text: what is asked, the verdict, the policies, every finalizer's row.
    static func lines(_ n: NetworkWatch, width: Int) -> [(String, Style)] {
        var out = [(String, Style)]()
        func add(_ text: String, _ style: Style, indent: Int = 0) {
            for (i, line) in Format.wrap(text, width: width - indent).enumerated() {
                out.append(((i == 0 ? "" : String(repeating: " ", count: indent)) + line, style))
            }
        }
        let apis = n.config.apis.map { DisplayText.sanitize($0, limit: 200) }.joined(separator: ", ")
        add("Live and read-only (nothing is written): \(apis) every \(WatchScreen.interval(n.config.interval)). a: other node APIs; s: sort.", .dim)
        if let now = n.now {
            let since = now - (n.takenAt ?? n.startedAt ?? now)
            if n.refreshes == 0 {
                out.append(("asking \(apis)…" + (since >= 2000 ? " no answer for \(WatchText.seconds(since))" : ""), .warning))
            } else if since >= 3000 {
                out.append(("no new answer for \(WatchText.seconds(since)) (still asking)", .warning))
            }
        } else {
            out.append(("asking \(apis)…", .dim))
        }
        if let e = n.error { add("\(Line.fail) " + e, .danger, indent: 2) }
        guard let v = n.view else { return out }
        if n.error != nil { add("The last answers that could be used (taken \(Self.age(n.now, v.unixMilliseconds)) ago):", .dim) }
        add(v.verdict.sentence, verdictStyle(v.verdict.kind), indent: 2)
        let headTime = v.headTime.map { " at " + NetworkView.clockText($0) } ?? ""
        add(
            "Head #\(Format.number(Int(v.headBlockNumber)))\(headTime) · LIB #\(Format.number(Int(v.lib.number))) at \(NetworkView.clockText(v.lib.timestamp))"
                + " (\(Format.number(Int(v.libLagBlocks))) block\(v.libLagBlocks == 1 ? "" : "s") behind head)", .normal)
        for p in [v.active, v.pending].compactMap({ $0 }) { add(policyLine(p), p.role == .active ? .header : .normal, indent: 2) }
        for k in v.configuredKeysOutsidePolicy {
            add("This node's key \(String(k.prefix(20)))… is in no finalizer policy: it does not count for any quorum.", .warning, indent: 2)
        }
        if !v.configuredKeysKnown { add("This node's keys: not found (no nodeos config.ini): no row is marked as this node's.", .dim, indent: 2) }
        for d in v.disagreements { add("The node APIs disagree: " + d, .warning, indent: 2) }
        for u in v.unanswered { add("\(u.url) did not answer: \(InterfaceWords.say(u.reason))", .warning, indent: 2) }
        if let t = n.table, t.width == width, t.sort == n.sort, t.takenAt == v.unixMilliseconds { return out + t.lines }
        return out + table(v, sort: n.sort, width: width)
    }

    /// The policies' rows, sorted: made once per refresh, sort and width (`NetworkWatch.table`),
    /// not per frame (a policy can have a thousand finalizers).
    static func table(_ v: NetworkView, sort: NetworkSort, width: Int) -> [(String, Style)] {
        var out = [(String, Style)]()
        let cols = NetworkColumns(width: width)
        for p in [v.active, v.pending].compactMap({ $0 }) {
            out.append(("", .normal))
            out.append((cols.header(p.role == .active ? "Active policy" : "Pending policy"), .header))
            for f in NetworkView.sorted(p.finalizers, by: sort) {
                out.append((cols.row(f, now: v.unixMilliseconds), rowStyle(f)))
            }
        }
        if v.active?.finalizers.contains(where: \.isThisNode) == true || v.pending?.finalizers.contains(where: \.isThisNode) == true {
            out.append(("\(NetworkColumns.thisNode) this node's key (its config.ini has it)", .dim))
        }
        return out
    }

    /// Makes the table for the view, sort and screen width now shown.
    static func cacheTable(_ state: inout AppState) {
        guard let n = state.network, let v = n.view else { return }
        state.network?.table = NetworkTable(
            width: state.size.columns, sort: n.sort, takenAt: v.unixMilliseconds, lines: table(v, sort: n.sort, width: state.size.columns))
    }

    static func policyLine(_ p: NetworkPolicy) -> String {
        let t = p.totals
        let generation = p.generation.map { "generation \($0), " } ?? ""
        return "\(p.role == .active ? "Active" : "Pending") policy: \(generation)\(Format.number(t.finalizerCount)) finalizers, total weight \(Format.number(Int(t.totalWeight))), threshold \(Format.number(Int(t.threshold)))"
            + "; voting: strong \(Format.number(Int(t.strongWeight))), weak \(Format.number(Int(t.weakWeight))) (\(Format.number(t.votingCount)) of \(Format.number(t.finalizerCount)) finalizers)"
            + (t.strongQuorum ? "" : ": \(Format.number(Int(t.missingStrongWeight))) more weight must vote strong")
    }

    static func age(_ now: Int64?, _ then: Int64) -> String { WatchText.seconds(max(0, (now ?? then) - then)) }

    static func verdictStyle(_ k: NetworkVerdict.Kind) -> Style {
        switch k {
        case .advancing: .good
        case .atRisk, .recovering: .warning
        case .stalled: .danger
        case .noPolicy: .dim
        }
    }

    static func rowStyle(_ f: NetworkFinalizer) -> Style {
        switch f.status {
        case .voting: f.isThisNode ? .header : .normal
        case .behind: .warning
        case .notSeen: .danger
        }
    }
}

/// The Network screen's table: status, weight, description, key, last vote, blocks behind
/// head and the vote's age; the description takes what the width leaves.
struct NetworkColumns {
    static let thisNode = "◆"
    let width: Int
    var descriptionWidth: Int { max(8, width - (2 + 8 + 1 + 7 + 1 + 1 + 12 + 1 + 13 + 1 + 7 + 1 + 6)) }

    func header(_ title: String) -> String {
        "  " + Format.fit("Status", 8) + " " + Format.fitRight("Weight", 7) + " " + Format.fit(title, descriptionWidth) + " " + Format.fit("Key", 12) + " "
            + Format.fit("Last vote", 13) + " " + Format.fitRight("Behind", 7) + " " + Format.fitRight("Age", 6)
    }

    func row(_ f: NetworkFinalizer, now: Int64) -> String {
        let status: String =
            switch f.status {
            case .voting: "voting"
            case .behind: "BEHIND"
            case .notSeen: "NOT SEEN"
            }
        let key = f.key.map { String($0.text.dropFirst(8).prefix(12)) } ?? String(f.keyText.prefix(12))
        let vote = f.lastVote.map { Format.number(Int($0.blockNumber)) + ($0.isStrong ? " S" : " W") } ?? "-"
        let behind = f.lastVote.map { Format.number(Int($0.blocksBehindHead)) } ?? "-"
        let age = f.lastVote.map { WatchText.seconds(max(0, now - $0.time.unixMilliseconds)) } ?? "-"
        let description = f.description.isEmpty ? "(no description)" : f.description
        return (f.isThisNode ? Self.thisNode + " " : "  ") + Format.fit(status, 8) + " " + Format.fitRight(Format.number(Int(f.weight)), 7) + " "
            + Format.fit(description, descriptionWidth) + " " + Format.fit(key, 12) + " " + Format.fit(vote, 13) + " " + Format.fitRight(behind, 7) + " "
            + Format.fitRight(age, 6)
    }
}
