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
            if case .success = result {
                state.busy = "reading the file back"
                return [.loadFile(state.location), .loadHistory(state.location)]
            }
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

    // MARK: wizard

    static func wizardNext(_ state: inout AppState) -> [Effect] {
        guard var w = state.wizard, let file = state.file else { return [] }
        if state.isReadOnly, w.step < .result { return [] }
        var effects = [Effect]()
        switch w.step {
        case .chooseEntry:
            if w.action == .restore {
                guard w.backup != nil else { return [] }
            } else if let entry = wizardEntry(state) {
                w.keyText = entry.key.text
            } else {
                return []
            }
            if w.needsLIB {
                w.step = .chooseLIB
                if !state.lib.asked {
                    state.lib.asked = true
                    state.busy = "asking LIB sources"
                    effects.append(.readLIB(defaultLIBRequests(state)))
                }
            } else {
                w.step = .review
                w.plan = nil
                state.busy = "computing the plan"
                effects.append(
                    .computePlan(
                        PlanRequest(
                            action: w.action, location: state.location, fileSHA256: file.sha256, keyText: w.keyText,
                            libReadings: state.lib.readings, libChosen: state.lib.readings.isEmpty ? nil : 0, backupPath: w.backup?.path)))
            }
        case .chooseLIB:
            guard w.libSelected < state.lib.answers.count, state.lib.answers[w.libSelected].reading != nil else {
                state.status = StatusMessage(.warning, "choose a LIB source that answered (t: type one)")
                return []
            }
            // Sources that disagree are never picked silently: the operator says why.
            if state.lib.disagreement, (w.libReason ?? "").isEmpty {
                state.prompt = Prompt(purpose: .libReason, label: "Sources disagree. Why this one? ")
                return []
            }
            // The index among the readings (sources that answered), as the engine counts.
            let chosen = state.lib.answers[..<w.libSelected].filter { $0.reading != nil }.count
            w.step = .review
            w.plan = nil
            state.busy = "computing the plan"
            effects.append(
                .computePlan(
                    PlanRequest(
                        action: w.action, location: state.location, fileSHA256: file.sha256, keyText: w.keyText,
                        libReadings: state.lib.readings, libChosen: chosen, libReason: w.libReason)))
        case .review:
            guard let plan = w.plan, plan.refusal == nil else { return [] }
            w.step = .confirm
            w.typed = ""
        case .confirm:
            break
        case .result:
            state.wizard = nil
            state.screen = .entries
            return []
        }
        state.wizard = w
        return effects
    }

    /// Keys at step 4: typed text goes into the confirmation; Enter checks it.
    static func confirmKey(_ state: inout AppState, _ key: Key) -> [Effect]? {
        guard var w = state.wizard else { return nil }
        if case .character("?") = key { return nil }  // Help stays reachable; key text never contains "?"
        if case .character(let ch) = key {
            w.typed.append(ch)
            w.confirmError = nil
            state.wizard = w
            return []
        }
        switch Bindings.inputAction(for: key) {
        case .deleteCharacter:
            if !w.typed.isEmpty { w.typed.removeLast() }
        case .clearInput:
            w.typed = ""
        case .submitInput:
            guard !state.isReadOnly, let plan = w.plan else { return [] }
            guard w.typed == w.expectedConfirmation, !w.expectedConfirmation.isEmpty else {
                w.confirmError = "that does not match: nothing was written"
                w.typed = ""
                state.wizard = w
                return []
            }
            state.wizard = w
            state.busy = "applying: backup, write, read back, audit"
            return [.apply(planID: plan.id, request: plan.request)]
        default:
            return nil  // ESC, ?, ^L and the rest through the bindings
        }
        state.wizard = w
        return []
    }

    // MARK: prompts

    static func promptKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        guard var p = state.prompt else { return [] }
        if case .character(let ch) = key {
            p.text.append(ch)
            state.prompt = p
            if p.purpose == .search {
                state.entries.filter = p.text
                refreshRows(&state)
                state.entries.selected = 0
                state.entries.scroll = 0
            }
            return []
        }
        switch Bindings.inputAction(for: key) {
        case .deleteCharacter:
            if !p.text.isEmpty { p.text.removeLast() }
        case .clearInput:
            p.text = ""
        case .cancelInput:
            state.prompt = nil
            if p.purpose == .search {
                state.entries.filter = ""
                refreshRows(&state)
            }
            return []
        case .submitInput:
            state.prompt = nil
            return submit(&state, p)
        default:
            return []
        }
        state.prompt = p
        if p.purpose == .search {
            state.entries.filter = p.text
            refreshRows(&state)
            state.entries.selected = 0
            state.entries.scroll = 0
        }
        return []
    }

    static func submit(_ state: inout AppState, _ p: Prompt) -> [Effect] {
        let text = p.text.trimmingCharacters(in: .whitespaces)
        switch p.purpose {
        case .search:
            state.entries.filter = text
            refreshRows(&state)
            return []
        case .compareWith:
            guard !text.isEmpty else { return [] }
            state.busy = "comparing"
            return [.compareFiles(old: state.location.file, new: text)]
        case .reportPath:
            guard !text.isEmpty else { return [] }
            state.busy = "writing the report"
            let errors = state.lib.answers.compactMap { a -> String? in
                if case .failure(let e) = a.result { return "\(a.request.label): \(e.description)" }
                return nil
            }
            return [.writeReport(path: text, location: state.location, readings: state.lib.readings, libErrors: errors)]
        case .apiURL:
            state.lib.apiURL = text
            guard !text.isEmpty else { return [] }
            state.busy = "asking \(text)"
            return [.readLIB([.api(text)])]
        case .libReason:
            guard !text.isEmpty, state.wizard?.step == .chooseLIB else {
                state.status = StatusMessage(.warning, "a reason is needed to choose between sources that disagree")
                return []
            }
            state.wizard?.libReason = text
            return wizardNext(&state)
        case .typedLIB:
            let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 2 else {
                state.status = StatusMessage(.error, "type the block id (64 hex digits), a space, then a time (2024-05-01T12:00:00.500) or a slot")
                return []
            }
            return [.readLIB([.typed(id: parts[0], timeOrSlot: parts[1])])]
        }
    }

    // MARK: selection

    /// Rows the Entries screen shows: indices into the file's entries, filtered and sorted.
    public static func visibleEntries(_ state: AppState) -> [Int] { state.entries.rows }

    /// Recomputes the rows after the file, the filter or the sort changed. A filter that
    /// extends the previous one only narrows the rows already found.
    public static func refreshRows(_ state: inout AppState, fileChanged: Bool = false) {
        let entries = state.file?.entries ?? []
        let filter = state.entries.filter.lowercased()
        if fileChanged { state.entries.searchTexts = [] }
        // Key text (base64url with a RIPEMD-160 checksum) is made on the first search only.
        if !filter.isEmpty, state.entries.searchTexts.count != entries.count {
            state.entries.searchTexts = entries.map { Array($0.key.text.lowercased().utf8) }
        }
        let texts = state.entries.searchTexts
        let needle = Array(filter.utf8)
        let narrowing = !fileChanged && state.entries.rowsSort == state.entries.sort && !state.entries.rowsFilter.isEmpty
            && filter.hasPrefix(state.entries.rowsFilter)
        var idx = narrowing ? state.entries.rows : Array(entries.indices)
        if !filter.isEmpty {
            idx = idx.filter { contains(texts[$0], needle) }
        }
        if !narrowing {
            switch state.entries.sort {
            case .fileOrder: break
            case .key: idx.sort { (entries[$0].key, $0) < (entries[$1].key, $1) }
            case .lastVote: idx.sort { (entries[$0].lastVoteHeight ?? 0, $0) < (entries[$1].lastVoteHeight ?? 0, $1) }
            case .lock: idx.sort { lockOrder(entries[$0], $0) < lockOrder(entries[$1], $1) }
            }
        }
        state.entries.rows = idx
        state.entries.rowsFilter = filter
        state.entries.rowsSort = state.entries.sort
        clampEntries(&state)
    }

    /// Byte substring search (key text is ASCII): memchr to each candidate, then memcmp;
    /// String's Unicode-aware search is far slower on a million keys.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                let base = UnsafeRawPointer(h.baseAddress!)
                let end = base + (h.count - n.count + 1)
                var p = base
                while p < end, let hit = memchr(p, Int32(n[0]), end - p) {
                    let at = UnsafeRawPointer(hit)
                    if memcmp(at, n.baseAddress!, n.count) == 0 { return true }
                    p = at + 1
                }
                return false
            }
        }
    }

    static func lockOrder(_ e: SafetyEntry, _ i: Int) -> (UInt32, String, Int) {
        switch e.state {
        case .savanna: (e.lockHeight ?? 0, "", i)
        case .hotStuff(let h): (0, h.bLock.hex, i)
        }
    }

    public static func selectedEntry(_ state: AppState) -> SafetyEntry? {
        let rows = visibleEntries(state)
        guard state.entries.selected < rows.count, let file = state.file else { return nil }
        return file.entries[rows[state.entries.selected]]
    }

    public static func selectedEntryIndex(_ state: AppState) -> Int? {
        let rows = visibleEntries(state)
        guard state.entries.selected < rows.count else { return nil }
        return rows[state.entries.selected]
    }

    /// The wizard's entry: the Entries selection (step 1 moves it).
    static func wizardEntry(_ state: AppState) -> SafetyEntry? { selectedEntry(state) }

    static func selectedBackup(_ state: AppState) -> BackupRow? {
        guard let l = state.history.listing, state.history.selected < l.backups.count else { return nil }
        return l.backups[state.history.selected]
    }

    static func clampEntries(_ state: inout AppState) {
        let n = visibleEntries(state).count
        state.entries.selected = max(0, min(state.entries.selected, n - 1))
    }

    static func pageRows(_ state: AppState) -> Int {
        max(1, state.size.rows - 14)
    }

    static func move(_ state: inout AppState, by delta: Int) {
        func clamp(_ v: Int, _ count: Int) -> Int { max(0, min(count - 1, v)) }
        func add(_ a: Int, _ b: Int) -> Int { a.addingReportingOverflow(b).overflow ? (b > 0 ? Int.max / 2 : -Int.max / 2) : a + b }
        switch state.screen {
        case .entries:
            state.entries.selected = clamp(add(state.entries.selected, delta), visibleEntries(state).count)
        case .lib:
            state.lib.selected = clamp(add(state.lib.selected, delta), state.lib.answers.count)
        case .diff:
            guard let d = state.diff else { return }
            let lines = DiffScreen.diffLines(d.rows, showAll: d.showAll, width: state.size.columns).count
            state.diff?.scroll = max(0, min(add(d.scroll, delta), lines - 1))
        case .history:
            state.history.selected = clamp(add(state.history.selected, delta), state.history.listing?.backups.count ?? 0)
        case .help:
            state.help.scroll = max(0, min(add(state.help.scroll, delta), Bindings.table.count + 20))
        case .wizard:
            guard var w = state.wizard else { return }
            switch w.step {
            case .chooseEntry:
                if w.action == .restore {
                    state.history.selected = clamp(add(state.history.selected, delta), state.history.listing?.backups.count ?? 0)
                    w.backup = selectedBackup(state)
                } else {
                    state.entries.selected = clamp(add(state.entries.selected, delta), visibleEntries(state).count)
                    w.keyText = selectedEntry(state)?.key.text
                }
            case .chooseLIB:
                w.libSelected = clamp(add(w.libSelected, delta), state.lib.answers.count)
                w.libReason = nil
            case .review:
                w.reviewScroll = max(0, min(add(w.reviewScroll, delta), 10_000))
            case .confirm, .result:
                break
            }
            state.wizard = w
        }
    }
}
