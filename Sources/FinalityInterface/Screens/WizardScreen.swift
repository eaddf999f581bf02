import FinalityEngine
import FinalityFormat

extension Screen {
    public static let wizard = Screen("wizard")
}

/// The wizard: five numbered steps; nothing is written before step 4 is confirmed.
enum WizardScreen: ScreenUnit {
    static let screen = Screen.wizard
    static let title = "Wizard"

    static func titleText(_ state: AppState) -> String {
        guard let w = state.wizard else { return title }
        return "\(title): \(w.action.title), step \(w.step.rawValue) of 5"
    }

    static func handle(_ action: Action, _ state: inout AppState) -> [Effect]? {
        switch action {
        case .confirm:
            return Core.wizardNext(&state)
        case .quit:
            // Leaving half-way is allowed (nothing is written before step 4), but asked.
            guard state.wizard?.step != .result else { return nil }
            state.askingQuit = true
        case .show(.diff):
            guard let plan = DiffScreen.pendingPlanDiff(state) else { return [] }
            state.diff = plan
            state.screen = .diff
        case .reset, .delete:
            guard state.wizard?.step == .chooseEntry, state.wizard?.action.wholeFile == false else { return [] }
            state.wizard?.action = action == .reset ? .reset : .delete
        case .search:
            guard state.wizard?.step == .review else { return [] }
            state.prompt = Prompt(purpose: .reviewSearch, label: "Search the review: ", text: state.wizard?.reviewSearch ?? "")
        case .nextMatch, .previousMatch:
            guard state.wizard?.step == .review else { return [] }
            findInReview(&state, forward: action == .nextMatch)
        case .typeLIB:
            guard state.wizard?.step == .chooseLIB else { return [] }
            state.prompt = Prompt(purpose: .typedLIB, label: "LIB id (64 hex) and time or slot: ")
        case .rereadLIB:
            state.busy = "asking LIB sources"
            return [.readLIB(Core.defaultLIBRequests(state))]
        case .pageDown, .pageUp, .top, .bottom:
            // At step 2, j/k choose the source; the page keys scroll its details.
            guard state.wizard?.step == .chooseLIB else { return nil }
            guard let view = view(state) else { return [] }
            let top = view.moved(state.wizard?.libDetailScroll ?? 0, by: LIBScreen.detailDelta(action, view))
            state.wizard?.libDetailScroll = top
        default:
            return nil
        }
        return []
    }

    /// The rect under the steps bar and the step's title.
    static func stepRect(_ state: AppState) -> Rect {
        let body = Rect(row: 1, column: 0, rows: state.size.rows - 3, columns: state.size.columns)
        let row = body.row + 3
        return Rect(row: row, column: 0, rows: body.bottom - row, columns: body.columns)
    }

    /// The step's scrolling view (what can overflow on it), as drawn.
    static func view(_ state: AppState) -> ScrollView? {
        guard let w = state.wizard else { return nil }
        let rect = stepRect(state)
        switch w.step {
        case .chooseEntry:
            guard w.action == .repair else { return nil }
            return ScrollView(repairIntro(state, width: rect.columns), in: Rect(row: rect.row, column: 0, rows: rect.rows - 1, columns: rect.columns))
        case .chooseLIB:
            var scratch = Grid(state.size)
            return chooseLIB(&scratch, state, w, rect)
        case .review:
            return ScrollView(reviewLines(state, w, width: rect.columns), in: Rect(row: rect.row, column: 0, rows: rect.rows - 1, columns: rect.columns))
        case .result:
            return ScrollView(resultLines(w, width: rect.columns), in: rect)
        case .confirm:
            return nil
        }
    }

    static func page(_ state: AppState) -> Int { view(state)?.page ?? Core.pageRows(state) }

    /// `/` and `n`/`N` in a review (issue 21: long reviews must be searchable): the next
    /// line after the top one that contains the text (any case), wrapping around; the
    /// review scrolls to it and the status bar says which match of how many.
    static func findInReview(_ state: inout AppState, forward: Bool, fromTop: Bool = false) {
        guard var w = state.wizard, w.step == .review else { return }
        let needle = w.reviewSearch.lowercased()
        guard !needle.isEmpty else {
            state.status = StatusMessage(.info, "no search: / to search the review, then n and N step through the matches")
            return
        }
        let lines = reviewLines(state, w, width: state.size.columns).map { $0.0.lowercased() }
        let matches = lines.indices.filter { lines[$0].contains(needle) }
        guard !matches.isEmpty else {
            state.status = StatusMessage(.warning, "the review does not contain \"\(w.reviewSearch)\"")
            return
        }
        let current = w.reviewScroll
        let next: Int
        if fromTop {
            next = matches.first { $0 >= current } ?? matches[0]
        } else if forward {
            next = matches.first { $0 > current } ?? matches[0]
        } else {
            next = matches.last { $0 < current } ?? matches[matches.count - 1]
        }
        w.reviewScroll = next
        state.wizard = w
        state.status = StatusMessage(
            .info, "match \(Format.number(matches.firstIndex(of: next)! + 1)) of \(Format.number(matches.count)) (line \(Format.number(next + 1)))")
    }

    /// One step back; from step 1 (or the result), back to where the wizard started.
    static func back(_ state: inout AppState) {
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
    }

    static func move(_ state: inout AppState, by delta: Int) {
        guard var w = state.wizard else { return }
        switch w.step {
        case .chooseEntry:
            if w.action == .repair {
                // The whole file: nothing to choose; what is wrong and the keys scroll.
                if let view = view(state) { w.introScroll = view.moved(w.introScroll, by: delta) }
            } else if w.action == .restore {
                HistoryScreen.move(&state, by: delta)
                w.backup = Core.selectedBackup(state)
            } else if w.action == .reset, Core.notVotingChoice(state) != nil,
                (w.allNotVoting && delta > 0) || (!w.allNotVoting && delta < 0 && state.entries.selected == 0)
            {
                // The first line: every key that will not vote (k above the first entry).
                w.allNotVoting = delta < 0
            } else {
                EntriesScreen.move(&state, by: delta)
                w.keyText = Core.selectedEntry(state)?.key.text
            }
        case .chooseLIB:
            let before = w.libSelected
            w.libSelected = Selection.moved(w.libSelected, by: delta, count: state.lib.answers.count)
            if w.libSelected != before { w.libDetailScroll = 0 }
            w.libReason = nil
        case .review:
            if let view = view(state) { w.reviewScroll = view.moved(w.reviewScroll, by: delta) }
        case .result:
            if let view = view(state) { w.resultScroll = view.moved(w.resultScroll, by: delta) }
        case .confirm:
            break
        }
        state.wizard = w
    }

    /// The wizard is modal: no jumping to other screens half-way through a change.
    static func keepsGlobal(_ binding: Binding) -> Bool {
        switch binding.action {
        case .show(.entries), .show(.lib), .show(.history), .writeReport: false
        default: true
        }
    }

    /// Each step answers only its own keys.
    static func applies(_ binding: Binding, _ state: AppState) -> Bool {
        guard let step = state.wizard?.step else { return true }
        switch binding.action {
        case .reset, .delete: return step == .chooseEntry && state.wizard?.action.wholeFile == false
        case .typeLIB, .rereadLIB: return step == .chooseLIB
        case .search, .nextMatch, .previousMatch: return step == .review
        case .show(.diff): return step == .review
        // Both results offer W (a repair's keys all vote again: every key is watched).
        case .watch: return step == .result && state.wizard?.action != .restore && (try? state.wizard?.outcome?.get()) != nil
        default: return true
        }
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        guard let w = state.wizard else { return }
        var row = body.row
        stepsBar(&g, w, row: row)
        row += 1
        g.put("Step \(w.step.rawValue) of 5: \(w.step.title(for: w.action))", row: row, column: 0, style: .header)
        let note = w.step == .result ? "Enter or ESC: back to Entries" : "Nothing written yet. ESC goes back a step."
        g.put(SafeText(note), row: row, column: body.columns - note.count, style: .dim)
        row += 2
        let rect = Rect(row: row, column: 0, rows: body.bottom - row, columns: body.columns)
        switch w.step {
        case .chooseEntry: chooseEntry(&g, state, w, rect)
        case .chooseLIB: chooseLIB(&g, state, w, rect)?.draw(&g, top: w.libDetailScroll)
        case .review: review(&g, state, w, rect)
        case .confirm: confirm(&g, state, w, rect)
        case .result: result(&g, w, rect)
        }
    }

    static func stepsBar(_ g: inout Grid, _ w: WizardState, row: Int) {
        var col = 0
        for step in WizardStep.allCases {
            let skipped = step == .chooseLIB && !w.needsLIB
            let label = " \(step.rawValue) " + (skipped ? "(no LIB)" : step.shortTitle(for: w.action)) + " "
            let style: Style = step == w.step ? .selected : (step < w.step ? .normal : .dim)
            col = g.put(SafeText(label), row: row, column: col, style: style)
            if step != .result { col = g.put(SafeText(String(Line.pointer)), row: row, column: col, style: .dim) }
        }
    }

    static func chooseEntry(_ g: inout Grid, _ state: AppState, _ w: WizardState, _ rect: Rect) {
        var row = rect.row
        if w.action == .repair {
            ScrollView(repairIntro(state, width: rect.columns), in: Rect(row: row, column: 0, rows: rect.rows - 1, columns: rect.columns)).draw(&g, top: w.introScroll)
            g.put("Enter: choose the LIB source (every key's lock moves to it).", row: rect.bottom - 1, column: 0, style: .dim)
            return
        }
        if w.action == .importDocument {
            // The document named at `i`'s prompt; ESC from the review comes back here.
            g.put("Import the keys of the document at this path:", row: row, column: 0)
            row += 1
            for line in Format.hardWrap(w.documentPath ?? "", width: rect.columns) {
                g.put(SafeText(line), row: row, column: 0, style: .header)
                row += 1
            }
            row += 1
            let explain = "Each key the file lacks is added as the document has it; a key the file has is raised field by field, never moved back. The chain is checked against the LIB sources (l)."
            for line in Format.wrap(explain, width: rect.columns) {
                g.put(SafeText(line), row: row, column: 0, style: .dim)
                row += 1
            }
            g.put("Enter: review the import.  ESC: back to Entries.", row: rect.bottom - 1, column: 0, style: .dim)
            return
        }
        if w.action == .restore {
            g.put("Restore the file from this backup (j/k to choose another):", row: row, column: 0)
            row += 2
            let backups = state.history.listing?.backups ?? []
            let rows = max(1, rect.bottom - row - 3)
            // The chosen backup stays in view.
            let top = max(0, (backups.firstIndex { $0 == w.backup } ?? 0) - rows + 1)
            for (i, b) in backups.enumerated().dropFirst(top).prefix(rows) {
                let selected = b == w.backup
                if selected { g.fill(row: row, style: .selected) }
                g.put(SafeText((selected ? "\(Line.pointer) " : "  ") + b.name + "  " + b.modified + "  sha256 " + b.sha256.prefix(12) + "…"), row: row, column: 0, style: selected ? .selected : .normal)
                row += 1
                _ = i
            }
            row += 1
            g.put("Enter: review what the restore changes.", row: row, column: 0, style: .dim)
            return
        }
        g.put("Action:", row: row, column: 0)
        var col = 8
        for a in [WizardAction.reset, .delete] {
            let selected = a == w.action
            col = g.put(" \(a.rawValue.prefix(1)) \(a.title) ", row: row, column: col, style: selected ? .selected : .normal)
            col += 1
        }
        row += 1
        let explain = w.action == .reset
            ? "Reset: the lock moves to a LIB you choose (step 2); step 3 shows what the last vote becomes (the vote floor) and why."
            : "Delete: the entry is removed; nodeos recreates it at its next start with an empty last vote and its own LIB as lock."
        for line in Format.wrap(explain, width: rect.columns) {
            g.put(SafeText(line), row: row, column: 0, style: .dim)
            row += 1
        }
        row += 1
        g.put("Entry (j/k to choose another):", row: row, column: 0)
        row += 1
        guard let file = state.file else { return }
        // Several keys, one incident: every key that will not vote, in one change.
        if w.action == .reset, let n = Core.notVotingChoice(state) {
            let text = "every key that will not vote (\(Format.number(n.count))): #" + n.prefix(6).map { "\($0)" }.joined(separator: ", #")
                + (n.count > 6 ? ", …" : "") + " (one review, one confirmation, one backup)"
            if w.allNotVoting { g.fill(row: row, style: .selected) }
            g.put(SafeText((w.allNotVoting ? "\(Line.pointer) " : "  ") + Format.fit(text, rect.columns - 2)), row: row, column: 0, style: w.allNotVoting ? .selected : .warning)
            row += 1
        }
        let visible = Core.visibleEntries(state)
        let rows = max(1, rect.bottom - row - 2)
        let top = max(0, state.entries.selected - rows + 1)
        for (i, index) in visible.enumerated().dropFirst(top).prefix(rows) {
            let e = file.entries[index]
            let selected = i == state.entries.selected && !w.allNotVoting
            let vote = e.lastVoteHeight.map { "last vote #\(Format.number($0))" } ?? "never voted"
            let lock = e.lockHeight.map { "lock #\(Format.number($0))" } ?? (e.hasNoLock ? "no lock" : "lock \(e.hotStuff.map { Format.shortHex($0.bLock) } ?? "")")
            if selected { g.fill(row: row, style: .selected) }
            // The entry's verdict, as on Entries (issue 21: everywhere an entry is shown).
            let verdict = EntryFacts.verdict(e, index: index, state: state)
            g.put(
                SafeText((selected ? "\(Line.pointer) " : "  ") + Format.fitRight("#\(index)", 4) + " " + e.key.shortText(20) + "  "
                    + Format.fit(verdict.short, KeyVerdict.shortWidth) + "  " + vote + ", " + lock),
                row: row, column: 0, style: selected ? .selected : .normal)
            row += 1
        }
        g.put("Enter: " + (w.action == .reset ? "choose the LIB source." : "review the change."), row: rect.bottom - 1, column: 0, style: .dim)
    }

    /// Step 1 of a repair: what is wrong, the keys it will cover, what it does.
    static func repairIntro(_ state: AppState, width: Int) -> [(String, Style)] {
        var out = [(String, Style)]()
        func add(_ text: String, _ style: Style, indent: String = "") {
            for (i, line) in Format.wrap(text, width: width - indent.count).enumerated() {
                out.append(((i == 0 ? indent : String(repeating: " ", count: indent.count)) + line, style))
            }
        }
        if state.file == nil && state.fileMissing {
            add("\(Line.fail) \(state.location.file) does not exist: nodeos would give every configured key {last vote: empty, lock: its LIB} and every key would lose its protection against voting twice at once.", .danger)
            add("Repair creates it instead, each key with its vote floor.", .normal)
        }
        if let v = state.file?.verification {
            add("\(Line.fail) \(v.verdictLine)", .danger)
            if let f = v.file {
                add("\(Format.number(f.entries.count)) entr\(f.entries.count == 1 ? "y" : "ies") could be read; each value is evidence, not truth.", .normal)
            } else {
                add("No entry can be read: every key's last vote comes from backups, node APIs and LIB.", .normal)
            }
        }
        out.append(("", .normal))
        switch state.nodeKeys {
        case nil:
            add("The node's configured keys: still looking…", .dim)
        case let keys? where !keys.found:
            add("The node's configured keys were NOT found (no nodeos config.ini); a repair must give every key the node votes with an entry: quit (q) and open the interface again with " + InterfaceWords.say("--config-dir DIR") + ".", .danger)
        case let keys?:
            add("The node votes with \(Format.number(keys.publicKeys.count)) key\(keys.publicKeys.count == 1 ? "" : "s") (from \(keys.source ?? "?")):", .header)
            for k in keys.publicKeys.prefix(4) { add(k.shortText(40), .normal, indent: "  ") }
            if keys.publicKeys.count > 4 { add("… and \(Format.number(keys.publicKeys.count - 4)) more (step 3 lists every one)", .dim, indent: "  ") }
        }
        out.append(("", .normal))
        add("Repair writes a new file (version 1) in which every configured key has an entry: lock := the LIB chosen at step 2, last vote := the newest evidence of its own last vote (this file, backups, node APIs, LIB). Entries of other keys are kept when they read cleanly. The damaged file is kept as the backup. Step 3 shows every key: what was recovered, from where, and what is lost.", .dim)
        return out
    }

    /// Draws step 2; returns the selected source's details view (drawn by the caller).
    @discardableResult
    static func chooseLIB(_ g: inout Grid, _ state: AppState, _ w: WizardState, _ rect: Rect) -> ScrollView? {
        var row = rect.row
        let subject = w.action == .repair ? "Repair: every configured key's lock" : "Reset \(w.keyText.map { String($0.prefix(24)) + "…" } ?? "?"): its lock"
        g.put("\(subject) moves to the LIB chosen here.", row: row, column: 0)
        row += 1
        row = LIBScreen.banner(&g, state.lib, row: row, width: rect.columns)
        row += 1
        row = LIBScreen.table(&g, state.lib.answers, selected: w.libSelected, row: row, width: rect.columns, rows: max(2, rect.bottom - row - 6))
        row += 1
        g.put("Enter: use this source.  t: type a LIB.  u: ask the sources again.", row: rect.bottom - 1, column: 0, style: .dim)
        guard w.libSelected < state.lib.answers.count else { return nil }
        return ScrollView(LIBScreen.details(state.lib.answers[w.libSelected], width: rect.columns), in: Rect(row: row, column: 0, rows: rect.bottom - row - 1, columns: rect.columns))
    }

    static func review(_ g: inout Grid, _ state: AppState, _ w: WizardState, _ rect: Rect) {
        ScrollView(reviewLines(state, w, width: rect.columns), in: Rect(row: rect.row, column: 0, rows: rect.rows - 1, columns: rect.columns)).draw(&g, top: w.reviewScroll)
        let hint = w.plan.map { $0.refusal == nil ? "Enter: go to the typed confirmation.  v: Diff screen." : "This change cannot be made. ESC: back." } ?? ""
        g.put(SafeText(hint), row: rect.bottom - 1, column: 0, style: .dim)
    }

    /// Step 3's text: what stops the change, the warnings, every key, the diff, the interlocks.
    static func reviewLines(_ state: AppState, _ w: WizardState, width: Int) -> [(String, Style)] {
        let rect = Rect(row: 0, column: 0, rows: 0, columns: width)
        var lines = [(String, Style)]()
        if let e = w.planError {
            for line in Format.wrap("\(Line.fail) cannot plan this change: \(InterfaceWords.say(e))", width: rect.columns) { lines.append((line, .danger)) }
        } else if let plan = w.plan {
            if let refusal = plan.refusal {
                for line in Format.wrap("\(Line.fail) refused: \(InterfaceWords.say(refusal))", width: rect.columns) { lines.append((line, .danger)) }
            }
            // What stops or may stop the change first; checks that are clear in one line here
            // and in full after the diff (there are many: the warnings must stay in view).
            let clear = plan.checks.filter { $0.outcome == .clear }
            lines += checkLines(plan.checks.filter { $0.outcome != .clear }, width: width)
            if !clear.isEmpty {
                lines.append(("\(Line.ok) \(Format.number(clear.count)) interlock\(clear.count == 1 ? "" : "s") clear (each listed after the diff)", .good))
            }
            // A repair's listing is long (every key): its warnings come before it, in view.
            // Every review says its warnings first (issue 21): "the LIB sources disagree"
            // above the evidence, where it is read under pressure.
            let warningsFirst = true
            var warningLines = [(String, Style)]()
            for warning in plan.warnings {
                for (i, line) in Format.wrap(InterfaceWords.say(warning), width: rect.columns - 2).enumerated() {
                    warningLines.append(((i == 0 ? "! " : "  ") + line, .warning))
                }
            }
            if warningsFirst { lines += warningLines }
            // A repair's every key (recovered, from where, lost), and a LIB from one source.
            for item in plan.recovery {
                let indent = String(item.prefix { $0 == " " })
                let style: Style = item.contains("LOST:") || item.contains("DROPPED") ? .warning : (indent.isEmpty ? .header : .normal)
                for (i, line) in Format.wrap(InterfaceWords.say(String(item.dropFirst(indent.count))), width: rect.columns - indent.count - 2).enumerated() {
                    lines.append((indent + (i == 0 ? "" : "  ") + line, style))
                }
            }
            // The decision model's lines (issue 9): what nodeos will do, and the vote floor's evidence.
            for (title, items) in [("What nodeos will do:", plan.nodeosWillDo), ("Vote floor evidence:", plan.evidence)] where !items.isEmpty {
                lines.append((title, .header))
                for item in items {
                    for (i, line) in Format.wrap(InterfaceWords.say(item), width: rect.columns - 2).enumerated() {
                        lines.append(((i == 0 ? "- " : "  ") + line, .normal))
                    }
                }
            }
            if !warningsFirst { lines += warningLines }
            for note in plan.notes {
                for (i, line) in Format.wrap(InterfaceWords.say(note), width: rect.columns - 2).enumerated() {
                    lines.append(((i == 0 ? "- " : "  ") + line, .dim))
                }
            }
            lines.append(("", .normal))
            lines += DiffScreen.diffLines(plan.rows, showAll: false, width: width)
            if !clear.isEmpty {
                lines.append(("", .normal))
                lines.append(("Interlocks:", .header))
                lines += checkLines(clear, width: width)
            }
        } else {
            lines.append(("computing the plan…", .dim))
        }
        return lines
    }

    /// Each interlock with its result: ✔ clear, ✘ blocking, ? not checked.
    static func checkLines(_ checks: [CheckRow], width: Int) -> [(String, Style)] {
        var out = [(String, Style)]()
        for c in checks {
            let (mark, style): (String, Style) =
                switch c.outcome {
                case .clear: (String(Line.ok), .good)
                case .blocking: (String(Line.fail), .danger)
                case .notChecked: ("?", .warning)
                }
            for (i, line) in Format.wrap("\(c.name): \(InterfaceWords.say(c.detail))", width: width - 2).enumerated() {
                out.append(((i == 0 ? mark + " " : "  ") + line, style))
            }
        }
        return out
    }

    static func confirm(_ g: inout Grid, _ state: AppState, _ w: WizardState, _ rect: Rect) {
        var row = rect.row
        let what: String
        switch w.action {
        case .reset where w.allNotVoting:
            what = "Reset every key that will not vote in \(state.location.file): the new file, as step 3 showed it, has this SHA-256:"
        case .reset, .delete: what = "\(w.action.title) the entry of this key in \(state.location.file):"
        case .restore: what = "Restore \(state.location.file) from this backup:"
        case .repair:
            what = "\(state.file == nil ? "Create" : "Repair") \(state.location.file): the new file, as step 3 showed it, has this SHA-256:"
        case .importDocument:
            what = "Import the document into \(state.location.file): the new file, as step 3 showed it, has this SHA-256:"
        }
        for line in Format.wrap(what, width: rect.columns) {
            g.put(SafeText(line), row: row, column: 0)
            row += 1
        }
        let subject: String
        switch w.action {
        case .restore: subject = w.backup.map { "\($0.path)  sha256 \($0.sha256)" } ?? ""
        case .repair, .importDocument: subject = w.plan?.afterSHA256 ?? ""
        case .reset, .delete: subject = w.allNotVoting ? (w.plan?.afterSHA256 ?? "") : (w.keyText ?? "")
        }
        for line in Format.wrap(subject, width: rect.columns - 2) {
            g.put(SafeText("  " + line), row: row, column: 0, style: .header)
            row += 1
        }
        row += 1
        let explain = "A backup is written first, then the file is replaced atomically and an audit record is appended. To go on, \(w.confirmationHint):"
        for line in Format.wrap(explain, width: rect.columns) {
            g.put(SafeText(line), row: row, column: 0, style: .dim)
            row += 1
        }
        // The risk the plan takes, right above the prompt (the engine's Confirmation).
        if let risk = w.plan?.confirmation.risk {
            for line in Format.wrap(risk, width: rect.columns, maxLines: 4) {
                g.put(SafeText(line), row: row, column: 0, style: .danger)
                row += 1
            }
        }
        row += 1
        let start = g.put("> ", row: row, column: 0, style: .header)
        g.fill(row: row, from: start, to: start + max(10, w.expectedConfirmation.count + 2), style: .input)
        let end = g.put(SafeText(w.typed), row: row, column: start, style: .input)
        g.cursor = (row, end)
        row += 2
        if let e = w.confirmError {
            g.put(SafeText(e), row: row, column: 0, style: .danger)
        }
        g.put("Enter: write.  ESC: back to the review (nothing written).", row: rect.bottom - 1, column: 0, style: .dim)
    }

    static func result(_ g: inout Grid, _ w: WizardState, _ rect: Rect) {
        ScrollView(resultLines(w, width: rect.columns), in: rect).draw(&g, top: w.resultScroll)
    }

    /// Step 5's text: done or not, the backup, the audit record, next steps, interlocks.
    static func resultLines(_ w: WizardState, width: Int) -> [(String, Style)] {
        let rect = Rect(row: 0, column: 0, rows: 0, columns: width)
        var lines = [(String, Style)]()
        switch w.outcome {
        case .success(let o)?:
            lines.append(("\(Line.ok) Done: the file was written, read back and checked against the plan.", .good))
            if w.action != .restore {
                lines.append(("Start nodeos, then press W to watch \(w.action == .repair || w.action == .importDocument ? "every key" : "the key") vote again.", .header))
            }
            lines.append(("", .normal))
            for (label, value) in [("Backup", o.backupPath), ("Audit record", o.auditRecord), ("New sha256", o.newSHA256)] {
                for (i, line) in Format.wrap(value, width: rect.columns - 14).enumerated() {
                    lines.append(((i == 0 ? Format.fit(label, 14) : String(repeating: " ", count: 14)) + line, .normal))
                }
            }
            lines.append(("", .normal))
            lines.append(("Next steps:", .header))
            for (i, s) in o.nextSteps.enumerated() {
                for (j, line) in Format.wrap(s.text, width: rect.columns - 5).enumerated() {
                    lines.append(((j == 0 ? "  \(i + 1). " : "     ") + line, .normal))
                }
                // A command to copy: each line (a `cd DIR`, then the command with short
                // relative paths) alone on a row from column 0, never wrapped, so a copy of
                // the row is the line. A directory too long for a row is built in a shell
                // variable a piece per row (`NextStep.commandLines(width:)`).
                for command in s.commandLines(width: rect.columns) {
                    for line in Format.hardWrap(command, width: rect.columns) { lines.append((line, .header)) }
                }
            }
            if !o.checks.isEmpty {
                lines.append(("", .normal))
                lines.append(("Interlocks while applying:", .header))
                lines += checkLines(o.checks, width: rect.columns)
            }
        case .failure(let e)?:
            lines.append(("\(Line.fail) The change was refused or failed:", .danger))
            for line in Format.wrap(InterfaceWords.say(e.description), width: rect.columns) { lines.append((line, .danger)) }
            lines.append(("", .normal))
            for line in Format.wrap(
                "The file is read again. History (h) shows any backup and audit record this attempt made; Entries (e) shows the file as it is now.",
                width: rect.columns)
            {
                lines.append((line, .normal))
            }
        case nil:
            lines.append(("applying…", .dim))
        }
        return lines
    }

    /// The one scrolling view (`ScrollView`), for screens that keep their own offset.
    static func scrolled(_ g: inout Grid, _ lines: [(String, Style)], scroll: Int, in rect: Rect) {
        ScrollView(lines, in: rect).draw(&g, top: scroll)
    }
}
