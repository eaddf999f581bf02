import FinalityEngine
import FinalityFormat

extension Screen {
    public static let watch = Screen("watch")
}

/// What the Watch screen shows: the engine's watch model (the same one `finality watch`
/// prints), fed by samples the runner takes on its own thread, so a slow or silent node
/// API never holds up a key.
public struct WatchView: Sendable {
    public var model: WatchState
    /// The key this watch is about (the wizard's, or the selected entry's).
    public var key: BLSPublicKey?
    public var scroll = 0
    /// The runner's wall clock at the last poll and at the last sample (Unix ms).
    public var now: Int64?
    public var lastSampleAt: Int64?
    /// Where ESC goes back to.
    public var returnTo: Screen

    public init(model: WatchState, key: BLSPublicKey?, returnTo: Screen) {
        self.model = model
        self.key = key
        self.returnTo = returnTo
    }
}

extension AppState {
    /// While a watch or the Network screen runs, the program wakes this often without a key
    /// (to collect samples).
    /// Also while the subgroup checks run in the background (reader: their warnings are polled).
    public var tickMilliseconds: Int? { watch == nil && network == nil && file?.backgroundPending != true ? nil : 250 }
}

/// Watch: the node catching up and the key voting again, live and read-only.
enum WatchScreen: ScrollingText {
    static let screen = Screen.watch
    static let title = "Watch"

    /// Starts a watch of `key` (every key of the file when nil) on the node API the LIB
    /// screen uses.
    static func start(_ state: inout AppState, key: BLSPublicKey?) -> [Effect] {
        // The data dir's blocks.log names the chain, when the LIB screen read it: every answer
        // must be on it (else the first answer sets it).
        let chain = state.lib.readings.lazy.compactMap { r -> WatchChain? in
            guard case .blocksLog = r.source, let id = r.chainID else { return nil }
            return WatchChain(id: id, source: r.source.description)
        }.first
        let config = WatchConfig(file: state.location.file, apis: [state.lib.apiURL], keys: key.map { [$0] }, interval: 1, chain: chain)
        let returnTo = state.screen == .wizard ? Screen.entries : state.screen
        if state.screen == .wizard { state.wizard = nil }
        state.watch = WatchView(model: WatchState(config), key: key, returnTo: returnTo)
        state.screen = .watch
        return [.startWatch(config)]
    }

    /// `W`: on the wizard's result, the key just changed; elsewhere the selected entry's.
    static func startFromHere(_ state: inout AppState) -> [Effect] {
        // No node API given yet: asked for, and said so (never a default URL by itself).
        guard state.lib.askAPI, !state.lib.apiURL.isEmpty else {
            state.prompt = Prompt(purpose: .watchAPI, label: "No node API given; watch which (Enter)? ", text: LIBView.localAPI)
            return []
        }
        // A repair's result: every key of the new file.
        // An import's result: every key of the file (the document may hold several).
        if state.screen == .wizard, state.wizard?.action == .repair || state.wizard?.action == .importDocument { return start(&state, key: nil) }
        let text = state.screen == .wizard ? state.wizard?.keyText : Core.selectedEntry(state)?.key.text
        let key = text.flatMap { try? BLSPublicKey(text: $0) } ?? Core.selectedEntry(state)?.key
        return start(&state, key: key)
    }

    /// A tick without a key: collect what the runner sampled; stop once the screen is left.
    static func tick(_ state: inout AppState) -> [Effect] {
        guard let w = state.watch else { return [] }
        if state.screen != .watch && !(state.screen == .help && state.screenBeforeHelp == .watch) {
            state.watch = nil
            return [.stopWatch]
        }
        return [.pollWatch(wanted: w.model.blockHeightsWanted)]
    }

    /// The runner's samples since the last poll.
    static func absorb(_ state: inout AppState, _ samples: [WatchSample], now: Int64) {
        guard state.watch != nil else { return }
        state.watch?.now = now
        for s in samples {
            state.watch?.model.update(s)
            state.watch?.lastSampleAt = s.unixMilliseconds
        }
    }

    static func back(_ state: inout AppState) {
        state.screen = state.watch?.returnTo ?? .entries
    }

    static func text(_ state: AppState, width: Int) -> [(String, Style)]? { state.watch.map { lines($0, width: width) } }
    static func scroll(_ state: AppState) -> Int? { state.watch?.scroll }
    static func scroll(_ state: inout AppState, to top: Int) { state.watch?.scroll = top }

    static func position(_ state: AppState) -> String {
        guard let m = state.watch?.model, m.refreshes > 0 else { return "" }
        return "refresh \(Format.number(m.refreshes))"
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        drawText(&g, state, body, empty: "No watch running: W on Entries watches the selected key.")
    }

    /// What the watch says: the node(s) asked, the verdict, every key's line.
    static func lines(_ w: WatchView, width: Int) -> [(String, Style)] {
        let body = Rect(row: 0, column: 0, rows: 0, columns: width)
        var lines = [(String, Style)]()
        let apis = w.model.config.apis.joined(separator: ", ")
        for line in Format.wrap("Live and read-only (nothing is written): \(apis) every \(interval(w.model.config.interval)). The API URL is set on the LIB screen (a).", width: body.columns) {
            lines.append((line, .dim))
        }
        // The sampler's own silence (a node that never answers within its timeout still
        // gives a sample; no sample at all means the runner itself is waiting).
        if let now = w.now {
            let since = now - (w.lastSampleAt ?? w.model.startedAt ?? now)
            if w.model.refreshes == 0 {
                lines.append(("asking \(apis)…" + (since >= 2000 ? " no answer for \(WatchText.seconds(since))" : ""), .warning))
            } else if since >= 3000 {
                lines.append(("no answer for \(WatchText.seconds(since)) (still asking)", .warning))
            }
        } else {
            lines.append(("asking \(apis)…", .dim))
        }
        if let k = w.model.keys.first(where: { $0.key == w.key }) ?? w.model.keys.first, w.model.refreshes > 0 {
            let verdict = w.model.verdict(k)
            for line in Format.wrap("\(k.key.shortText(20)): \(verdict.text)", width: body.columns) {
                lines.append((line, style(verdict)))
            }
        }
        lines.append(("", .normal))
        for line in w.model.lines(keyText: { $0.shortText(28) }) {
            for (i, part) in Format.wrap(line, width: body.columns - 4).enumerated() {
                lines.append(((i == 0 ? "" : "    ") + part, line.hasPrefix("  verdict") ? .header : line.hasPrefix("  OFF CHAIN") ? .danger : .normal))
            }
        }
        return lines
    }

    static func interval(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(Int(seconds * 1000)) ms"
    }

    static func style(_ v: WatchVerdict) -> Style {
        switch v {
        case .votingAgain, .voting: .good
        case .noAnswer, .catchingUp, .waiting: .warning
        case .notInPolicy, .noLock, .lockOffChain, .noTrustedNode, .willNotVote: .danger
        }
    }
}
