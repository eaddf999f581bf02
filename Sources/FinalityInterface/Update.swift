import FinalityEngine
import FinalityFormat

/// The pure core's one entry point for change: a message in, effects out.
public enum Core {
    /// The first effects: read the file (and, with a data dir, its LIB).
    public static func start(_ state: inout AppState) -> [Effect] {
        state.busy = "reading \(state.location.file)"
        return [.loadFile(state.location), .readNodeKeys(state.location, configDir: state.configDir)]
    }

    public static func update(_ state: inout AppState, _ message: Message) -> [Effect] {
        switch message {
        case .terminal(let event):
            return handle(&state, event)
        case .tick:
            var effects = WatchScreen.tick(&state) + NetworkScreen.tick(&state)
            // The file and the node, looked at while the screen is open (the runner never waits).
            effects.append(.checkWorld(state.location))
            if let f = state.file, f.backgroundPending { effects.append(.pollSubgroupChecks(load: f.loadID)) }
            return effects
        case .subgroupChecksPolled(let load, let sha256, let keyTexts, let warnings):
            // A file read again since (another load) has checks of its own.
            guard state.file?.loadID == load else { break }
            var effects = [Effect]()
            if let sha256, state.file?.sha256 == nil {
                state.file?.sha256 = sha256
                if state.wizardAwaitsHash {
                    // The Enter pressed before the hash was known.
                    state.wizardAwaitsHash = false
                    state.busy = nil
                    effects = wizardNext(&state)
                }
            }
            if let keyTexts { adoptSearchColumn(&state, keyTexts) }
            guard let warnings, state.file?.subgroupPending == true else { return effects }
            state.file?.addSubgroupWarnings(warnings)
            if !warnings.isEmpty {
                let n = warnings.count
                state.status = StatusMessage(
                    .warning,
                    "subgroup checks done: \(Format.number(n)) key\(n == 1 ? " is" : "s are") outside the prime-order subgroup (nodeos loads \(n == 1 ? "it" : "them"); \(n == 1 ? "it" : "they") can never sign a valid vote)")
            }
            return effects
        case .worldChecked(let check):
            return worldChecked(&state, check)
        case .exportProposed(let path):
            exportProposed(&state, path)
        case .exported(let result):
            exported(&state, result)
        case .watchPolled(let samples, let now):
            WatchScreen.absorb(&state, samples, now: now)
        case .networkPolled(let poll, let now):
            NetworkScreen.absorb(&state, poll, now: now)
        case .fileLoaded(let result):
            state.busy = nil
            // What is on disk now decides: a notice of a file gone or a link planted stops
            // writes only until the file is read again (^R, or a change seen on disk).
            state.fileNotice?.readOnlyReason = nil
            switch result {
            case .success(let snap):
                state.file = snap
                state.loadError = nil
                state.fileMissing = false
                if state.rechecking {
                    state.rechecking = false
                    if let node = snap.nodeRunning {
                        state.status = StatusMessage(.warning, "checked again: a node is still running (\(node)); stop nodeos, then ^R")
                    } else if let reason = state.readOnlyReason {
                        state.status = StatusMessage(.warning, "checked again: the file was read again; read-only: \(reason)")
                    } else {
                        state.status = StatusMessage(.good, "checked again: the file was read again, no node is running and the file is writable; changes are available")
                    }
                }
                state.refreshKeyCoverage()
                refreshRows(&state, fileChanged: true)
                if !state.lib.asked {
                    state.lib.asked = true
                    state.busy = "asking LIB sources"
                    return [.readLIB(defaultLIBRequests(state))]
                }
            case .failure(let e):
                state.rechecking = false
                state.file = nil
                state.loadError = e.description
                // Missing (its directory is there): a repair can create it; check the interlocks.
                if case .io(_, "open", "no such file or directory") = e, state.location.dataDir != nil {
                    state.fileMissing = true
                    return [.checkInterlocks(state.location)]
                }
            }
        case .nodeKeysRead(let keys):
            state.nodeKeys = keys
        case .interlocksChecked(let access):
            state.busy = nil
            let wasReadOnly = state.isReadOnly
            if state.file == nil { state.missingAccess = access }
            state.file?.writable = access.writable
            state.file?.nodeRunning = access.nodeRunning
            state.file?.notWritableReason = access.reason
            if wasReadOnly && !state.isReadOnly {
                state.status = StatusMessage(.good, "checked again: no node is running and the file is writable; changes are available")
            } else if let node = access.nodeRunning {
                state.status = StatusMessage(.warning, "checked again: a node is still running (\(node)); stop nodeos, then ^R")
            }
        case .libRead(let answers):
            state.busy = nil
            state.lib.asked = true
            for a in answers {
                if let i = state.lib.answers.firstIndex(where: { $0.request.label == a.request.label }) {
                    state.lib.answers[i] = a
                } else {
                    state.lib.answers.append(a)
                }
            }
            state.lib.selected = min(state.lib.selected, max(0, state.lib.answers.count - 1))
            // A LIB typed at step 2 is the one the operator means: select it.
            if state.wizard?.step == .chooseLIB, answers.count == 1, case .typed = answers[0].request,
                let i = state.lib.answers.firstIndex(where: { $0.request.label == "typed" })
            {
                state.wizard?.libSelected = i
            }
        case .planComputed(let result):
            state.busy = nil
            guard state.wizard != nil else { break }
            switch result {
            case .success(let p):
                state.wizard?.plan = p
                state.wizard?.planError = nil
                // The review's interlocks found a node that started since the file was read:
                // the screen turns read-only, as ^R would make it.
                if let node = p.nodeRunning {
                    state.file?.nodeRunning = node
                    state.missingAccess?.nodeRunning = node
                }
            case .failure(let e):
                state.wizard?.plan = nil
                state.wizard?.planError = e.description
            }
        case .applied(let result):
            state.busy = nil
            guard state.wizard != nil else { break }
            state.wizard?.outcome = result
            state.wizard?.step = .result
            if case .failure(let e) = result { state.changeFailed = e.status } else { state.changeFailed = nil }
            // Success or not, show the file as it now is.
            state.busy = "reading the file back"
            return [.loadFile(state.location), .loadHistory(state.location)]
        case .historyLoaded(let result):
            state.busy = nil
            switch result {
            case .success(let l):
                state.history.listing = l
                state.history.error = nil
                if state.history.selectNewestOnLoad {
                    // The newest backup is the one an undo wants (times sort as text).
                    state.history.selected = l.backups.indices.max { l.backups[$0].modified < l.backups[$1].modified } ?? 0
                    state.history.selectNewestOnLoad = false
                }
                state.history.selected = min(state.history.selected, max(0, l.backups.count - 1))
            case .failure(let e):
                state.history.error = e.description
            }
        case .compared(let result):
            state.busy = nil
            switch result {
            case .success(let d):
                state.diff = d
                state.screen = .diff
            case .failure(let e):
                state.status = StatusMessage(.error, e.description)
            }
        case .reportWritten(let result):
            state.busy = nil
            switch result {
            case .success(let path): state.status = StatusMessage(.good, "report written to the file named above: attach it to the ticket", path: path)
            case .failure(let e):
                var path: String?
                if case .io(let p, _, _) = e { path = p }
                state.status = StatusMessage(.error, e.description, path: path)
            }
        }
        return []
    }

    /// The engine's defaults, as `finality report` asks them: `w` writes the same report.
    public static func defaultLIBRequests(_ state: AppState) -> [LIBRequest] {
        LIBRequest.defaults(for: state.location, api: state.lib.askAPI ? state.lib.apiURL : nil, timeoutSeconds: state.lib.apiTimeoutSeconds)
    }

    // MARK: terminal events

    static func handle(_ state: inout AppState, _ event: TerminalEvent) -> [Effect] {
        switch event {
        case .resize(let size):
            state.size = size
            return []
        case .hangup:
            // The link is gone or we are told to stop: leave without writing anything.
            state.quitting = true
            return []
        case .paste(let text):
            return paste(&state, text)
        case .key(let key):
            state.status = nil
            if state.isTooSmall {
                // Nothing but "terminal too small" is shown (a shared tmux shrinks to its
                // smallest client): only quit and redraw act, nothing is typed into a
                // prompt or a confirmation that cannot be seen. Inside a change, quitting
                // is asked as at any size (the question is on the small screen too).
                if state.askingQuit {
                    state.askingQuit = false
                    if key == .character("y") || key == .character("Y") { state.quitting = true }
                    return []
                }
                switch Bindings.table.first(where: { $0.context == .global && $0.keys.contains(key) })?.action {
                case .quit?:
                    if let w = state.wizard, w.step != .result {
                        state.askingQuit = true
                    } else {
                        state.quitting = true
                    }
                default: break
                }
                return []
            }
            if state.askingQuit {
                state.askingQuit = false
                if key == .character("y") || key == .character("Y") {
                    state.quitting = true
                } else {
                    state.status = StatusMessage(.info, "still in the wizard; nothing was written")
                }
                return []
            }
            if state.prompt != nil { return promptKey(&state, key) }
            if state.screen == .wizard, state.wizard?.step == .confirm, let effects = confirmKey(&state, key) {
                return effects
            }
            guard let action = Bindings.action(for: key, in: state) else { return [] }
            return perform(&state, action)
        }
    }

    /// The longest text a prompt keeps (a path, a key, a reason: far less).
    static let promptLimit = 4096
    /// The longest confirmation kept (8 or 12 characters are asked).
    static let confirmationLimit = 64

    /// A bracketed paste: text for the prompt that has focus (or the typed confirmation),
    /// without its control characters: a newline in it confirms nothing (Enter must be a
    /// key). Outside a prompt it is ignored and the status bar says so.
    static func paste(_ state: inout AppState, _ text: String) -> [Effect] {
        state.status = nil
        guard !state.isTooSmall, !state.askingQuit else { return [] }
        var clean = ""
        for scalar in text.unicodeScalars {
            if scalar == "\t" {
                clean.unicodeScalars.append(" ")
            } else if scalar.value >= 0x20, scalar.value != 0x7F, !(0x80...0x9F).contains(scalar.value) {
                clean.unicodeScalars.append(scalar)
            }
        }
        if var p = state.prompt {
            p.text += clean.prefix(max(0, promptLimit - p.text.count))
            state.prompt = p
            if p.purpose == .search { narrow(&state, to: p.text) }
            return []
        }
        if state.screen == .wizard, state.wizard?.step == .confirm, var w = state.wizard {
            w.typed += clean.prefix(max(0, confirmationLimit - w.typed.count))
            w.confirmError = nil
            state.wizard = w
            return []
        }
        state.status = StatusMessage(.info, "paste ignored: no prompt is open (paste into / search, a path, or the confirmation)")
        return []
    }

    /// The screen answers first (its own actions, and any global one it takes over);
    /// what it leaves is the same on every screen.
    static func perform(_ state: inout AppState, _ action: Action) -> [Effect] {
        let unit = state.screen.unit
        if let effects = unit.handle(action, &state) { return effects }
        switch action {
        case .quit:
            state.quitting = true
        case .help:
            if state.screen == .help {
                state.screen = state.screenBeforeHelp
            } else {
                state.screenBeforeHelp = state.screen
                state.screen = .help
                state.help.scroll = 0
            }
        case .back: unit.back(&state)
        case .up: unit.move(&state, by: -1)
        case .down: unit.move(&state, by: 1)
        case .pageUp: unit.move(&state, by: -max(1, unit.page(state)))
        case .pageDown: unit.move(&state, by: max(1, unit.page(state)))
        case .top: unit.move(&state, by: -Int(Int32.max))
        case .bottom: unit.move(&state, by: Int(Int32.max))
        case .show(let screen):
            return show(&state, screen)
        case .watch:
            return WatchScreen.startFromHere(&state)
        case .network:
            return NetworkScreen.startFromHere(&state)
        case .recheck:
            // The file as well as the node and writability: everything shown is read again.
            state.busy = "reading the file and checking the interlocks again"
            state.rechecking = true
            return [.loadFile(state.location)]
        case .writeReport:
            let dir = state.reportDirectory
            let hash = state.file.map { $0.sha256.map { String($0.hex.prefix(8)) } ?? "unhashed" } ?? "unread"
            state.prompt = Prompt(purpose: .reportPath, label: "Write report to: ", text: (dir.hasSuffix("/") ? dir : dir + "/") + "finality-report-\(hash).txt")
        default:
            // Redraw, and a screen's own actions where that screen is not shown.
            break
        }
        return []
    }

    /// Shows a screen; its unit reads what it displays.
    static func show(_ state: inout AppState, _ screen: Screen) -> [Effect] {
        state.screen = screen
        return screen.unit.opened(&state)
    }

    /// Asks the LIB sources once, the first time they are needed.
    static func askLIBOnce(_ state: inout AppState) -> [Effect] {
        guard !state.lib.asked else { return [] }
        state.lib.asked = true
        state.busy = "asking LIB sources"
        return [.readLIB(defaultLIBRequests(state))]
    }
}
