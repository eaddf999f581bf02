import Foundation
import FinalityEngine
import FinalityFormat

/// The pure core's one entry point for change: a message in, effects out.
public enum Core {
    /// The first effects: read the file (and, with a data dir, its LIB).
    public static func start(_ state: inout AppState) -> [Effect] {
        state.busy = "reading \(state.location.file)"
        return [.loadFile(state.location)]
    }

    public static func update(_ state: inout AppState, _ message: Message) -> [Effect] {
        switch message {
        case .terminal(let event):
            return handle(&state, event)
        case .fileLoaded(let result):
            state.busy = nil
            switch result {
            case .success(let snap):
                state.file = snap
                state.loadError = nil
                refreshRows(&state, fileChanged: true)
                if !state.lib.asked {
                    state.lib.asked = true
                    state.busy = "asking LIB sources"
                    return [.readLIB(defaultLIBRequests(state))]
                }
            case .failure(let e):
                state.file = nil
                state.loadError = e.description
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
            case .failure(let e):
                state.wizard?.plan = nil
                state.wizard?.planError = e.description
            }
        case .applied(let result):
            state.busy = nil
            guard state.wizard != nil else { break }
            state.wizard?.outcome = result
            state.wizard?.step = .result
            // Success or not, show the file as it now is.
            state.busy = "reading the file back"
            return [.loadFile(state.location), .loadHistory(state.location)]
        case .historyLoaded(let result):
            state.busy = nil
            switch result {
            case .success(let l):
                state.history.listing = l
                state.history.error = nil
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
            case .success(let path): state.status = StatusMessage(.good, "report written to \(path)")
            case .failure(let e): state.status = StatusMessage(.error, e.description)
            }
        }
        return []
    }

    public static func defaultLIBRequests(_ state: AppState) -> [LIBRequest] {
        var r = [LIBRequest]()
        if let b = state.location.blocksDir { r.append(.blocksDir(b)) }
        if !state.lib.apiURL.isEmpty { r.append(.api(state.lib.apiURL)) }
        return r
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
        case .key(let key):
            state.status = nil
            if state.prompt != nil { return promptKey(&state, key) }
            if state.screen == .wizard, state.wizard?.step == .confirm, let effects = confirmKey(&state, key) {
                return effects
            }
            guard let action = Bindings.action(for: key, on: state.screen, readOnly: state.isReadOnly) else { return [] }
            return perform(&state, action)
        }
    }

    static func perform(_ state: inout AppState, _ action: Action) -> [Effect] {
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
        case .redraw:
            return []
        case .back:
            back(&state)
        case .up: move(&state, by: -1)
        case .down: move(&state, by: 1)
        case .pageUp: move(&state, by: -max(1, pageRows(state)))
        case .pageDown: move(&state, by: max(1, pageRows(state)))
        case .top: move(&state, by: -Int(Int32.max))
        case .bottom: move(&state, by: Int(Int32.max))
        case .showEntries: state.screen = .entries
        case .showLIB:
            state.screen = .lib
            if !state.lib.asked {
                state.lib.asked = true
                state.busy = "asking LIB sources"
                return [.readLIB(defaultLIBRequests(state))]
            }
        case .showDiff:
            if state.screen == .wizard {
                guard let plan = DiffScreen.pendingPlanDiff(state) else { return [] }
                state.diff = plan
            }
            state.screen = .diff
        case .showHistory:
            state.screen = .history
            state.busy = "reading backups and audit records"
            return [.loadHistory(state.location)]
        case .toggleDetail:
            state.entries.zoomed.toggle()
        case .search:
            state.prompt = Prompt(purpose: .search, label: "Search key: ", text: state.entries.filter)
        case .sort:
            let all = SortColumn.allCases
            state.entries.sort = all[(all.firstIndex(of: state.entries.sort)! + 1) % all.count]
            refreshRows(&state)
            state.status = StatusMessage(.info, "sorted by \(state.entries.sort.rawValue)")
        case .reset, .delete:
            let wizardAction: WizardAction = action == .reset ? .reset : .delete
            if state.screen == .wizard {
                guard state.wizard?.step == .chooseEntry, state.wizard?.action != .restore else { return [] }
                state.wizard?.action = wizardAction
                return []
            }
            guard let entry = selectedEntry(state) else {
                state.status = StatusMessage(.warning, "no entry selected")
                return []
            }
            state.wizard = WizardState(action: wizardAction, keyText: entry.key.text)
            state.screen = .wizard
        case .restore:
            guard let backup = selectedBackup(state) else {
                state.status = StatusMessage(.warning, "no backup selected")
                return []
            }
            state.wizard = WizardState(action: .restore, backup: backup)
            state.screen = .wizard
        case .compareBackup:
            guard let backup = selectedBackup(state) else {
                state.status = StatusMessage(.warning, "no backup selected")
                return []
            }
            state.busy = "comparing"
            return [.compareFiles(old: backup.path, new: state.location.file)]
        case .compareFile:
            state.prompt = Prompt(purpose: .compareWith, label: "Compare with file: ")
        case .writeReport:
            let dir = (state.location.file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
            let hash = state.file.map { String($0.sha256.hex.prefix(8)) } ?? "unread"
            state.prompt = Prompt(purpose: .reportPath, label: "Write report to: ", text: (dir.isEmpty ? "." : dir) + "/finality-report-\(hash).txt")
        case .rereadLIB:
            state.busy = "asking LIB sources"
            return [.readLIB(defaultLIBRequests(state))]
        case .setAPI:
            state.prompt = Prompt(purpose: .apiURL, label: "Node API URL: ", text: state.lib.apiURL)
        case .typeLIB:
            if state.screen == .wizard, state.wizard?.step != .chooseLIB { return [] }
            state.prompt = Prompt(purpose: .typedLIB, label: "LIB id (64 hex) and time or slot: ")
        case .toggleUnchanged:
            state.diff?.showAll.toggle()
            state.diff?.scroll = 0
        case .confirm:
            return wizardNext(&state)
        case .submitInput, .cancelInput, .deleteCharacter, .clearInput:
            return []  // only while typing (promptKey, confirmKey)
        }
        return []
    }

    /// ESC: close the innermost thing. Never quits.
    static func back(_ state: inout AppState) {
        switch state.screen {
        case .help:
            state.screen = state.screenBeforeHelp
        case .wizard:
            guard var w = state.wizard else {
                state.screen = .entries
                return
            }
            switch w.step {
            case .chooseEntry, .result:
                state.screen = w.action == .restore ? .history : .entries
                state.wizard = nil
                return
            case .chooseLIB:
                w.step = .chooseEntry
            case .review:
                w.step = w.needsLIB ? .chooseLIB : .chooseEntry
                w.libReason = nil
                w.plan = nil
                w.planError = nil
            case .confirm:
                w.step = .review
                w.typed = ""
                w.confirmError = nil
            }
            state.wizard = w
        case .entries:
            if state.entries.zoomed {
                state.entries.zoomed = false
            } else if !state.entries.filter.isEmpty {
                state.entries.filter = ""
                refreshRows(&state)
            }
        case .diff:
            // Back to the wizard that showed its plan here, if one is under way.
            state.screen = state.wizard != nil && state.wizard?.step != .result ? .wizard : .entries
        case .lib, .history:
            state.screen = .entries
        }
    }
}
