import FinalityEngine
import FinalityFormat

extension Screen {
    public static let entries = Screen("entries")
}

/// Entries: the file, nodeos's verdict, one row per entry, and the selected entry in full.
enum EntriesScreen: ScreenUnit {
    static let screen = Screen.entries
    static let title = "Entries"

    static func handle(_ action: Action, _ state: inout AppState) -> [Effect]? {
        switch action {
        case .toggleDetail:
            state.entries.zoomed.toggle()
            state.entries.detailScroll = 0
        case .pageDown, .pageUp, .top, .bottom:
            // Zoomed, j/k choose the entry; the page keys scroll its fields. Else the page
            // keys page the list, and g/G go to its ends (`move`).
            guard state.entries.zoomed else {
                guard action == .pageDown || action == .pageUp else { return nil }
                pageList(&state, down: action == .pageDown)
                return []
            }
            guard let view = detailView(state) else { return [] }
            state.entries.detailScroll = view.moved(state.entries.detailScroll, by: LIBScreen.detailDelta(action, view))
        case .search:
            state.prompt = Prompt(purpose: .search, label: "Search key: ", text: state.entries.filter)
        case .nextMatch, .previousMatch:
            Core.stepThroughMatches(&state, forward: action == .nextMatch)
        case .sort:
            let all = SortColumn.allCases
            state.entries.sort = all[(all.firstIndex(of: state.entries.sort)! + 1) % all.count]
            Core.refreshRows(&state)
            state.status = StatusMessage(.info, "sorted by \(state.entries.sort.rawValue)")
        case .reset, .delete:
            guard let entry = Core.selectedEntry(state) else {
                state.status = StatusMessage(.warning, "no entry selected")
                return []
            }
            state.wizard = WizardState(action: action == .reset ? .reset : .delete, keyText: entry.key.text)
            state.screen = .wizard
            // A node that started since the file was read is found by the review at step 3
            // (the engine's interlocks, once per review), which turns the screen read-only.
            return []
        case .repair:
            guard refused(state) else {
                state.status = StatusMessage(.info, "nodeos loads this file: nothing to repair (r: reset, d: delete one entry)")
                return []
            }
            state.wizard = WizardState(action: .repair)
            state.screen = .wizard
            return []
        case .exportDocument:
            return Core.startExport(&state)
        case .importDocument:
            return Core.startImport(&state)
        default:
            return nil
        }
        return []
    }

    /// A Savanna file (or an unreadable one) that nodeos refuses: what a repair is for.
    /// A HotStuff safety_db.dat is never repaired (spring does not read it).
    static func refused(_ state: AppState) -> Bool {
        if state.file == nil { return state.fileMissing }
        guard let v = state.file?.verification, !v.nodeosLoads else { return false }
        return v.file?.format != .hotStuff
    }

    /// Reset and delete change one entry of a file nodeos loads; on a file it refuses,
    /// repair takes their place (the key bar offers what can be done).
    static func applies(_ binding: Binding, _ state: AppState) -> Bool {
        switch binding.action {
        case .reset, .delete: !refused(state)
        case .repair: refused(state)
        default: true
        }
    }

    static func back(_ state: inout AppState) {
        if state.entries.zoomed {
            state.entries.zoomed = false
        } else if !state.entries.filter.isEmpty {
            Core.clearFilterKeepingSelection(&state)
        }
    }

    static func move(_ state: inout AppState, by delta: Int) {
        let before = state.entries.selected
        state.entries.selected = Selection.moved(state.entries.selected, by: delta, count: Core.visibleEntries(state).count)
        if state.entries.selected != before { state.entries.detailScroll = 0 }
        // The list keeps its place while the selection stays in view (k back up does not
        // scroll); it follows the selection out of view by as little as it can.
        if let list = listShown(state) { state.entries.scroll = list.top }
    }

    /// A page less one line: the list's last row shown becomes its first, and the
    /// selection moves as far (less's and htop's paging, not a fixed count of rows).
    static func pageList(_ state: inout AppState, down: Bool) {
        guard let list = listShown(state), list.rows > 0 else { return }
        let page = max(1, list.rows - 1) * (down ? 1 : -1)
        let count = Core.visibleEntries(state).count
        let before = state.entries.selected
        state.entries.scroll = max(0, min(list.top + page, max(0, count - list.rows)))
        state.entries.selected = Selection.moved(state.entries.selected, by: page, count: count)
        if state.entries.selected != before { state.entries.detailScroll = 0 }
    }

    /// The list's first row shown and how many rows it has, as drawn.
    static func listShown(_ state: AppState) -> (top: Int, rows: Int)? { scratchLayout(state).list }

    /// The layout as drawn, into a scratch grid: to know where things are.
    static func scratchLayout(_ state: AppState) -> (detail: ScrollView?, list: (top: Int, rows: Int)?) {
        var scratch = Grid(state.size)
        return layout(&scratch, state, Rect(row: 1, column: 0, rows: state.size.rows - 3, columns: state.size.columns))
    }

    static func position(_ state: AppState) -> String {
        guard let file = state.file, file.safetyFile != nil else { return "" }
        let rows = state.entries.rows.count
        var t = rows == 0 ? "no rows" : "row \(Format.number(state.entries.selected + 1)) of \(Format.number(rows))"
        if !state.entries.filter.isEmpty { t += " matching \"\(state.entries.filter)\"" }
        return t + " · sort: \(state.entries.sort.rawValue)"
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        guard let detail = layout(&g, state, body).detail else { return }
        // Zoomed (Enter), every field scrolls with the page keys; else the pane says
        // "Enter: all fields" when it is cut.
        if state.entries.zoomed { detail.draw(&g, top: state.entries.detailScroll) } else { g.lines(detail.lines, in: detail.rect) }
    }

    /// The detail pane's view as drawn (drawn into a scratch grid to know where).
    static func detailView(_ state: AppState) -> ScrollView? { scratchLayout(state).detail }

    /// Draws all but the detail pane's lines; returns them as a view, and where the list is.
    @discardableResult
    static func layout(_ g: inout Grid, _ state: AppState, _ body: Rect) -> (detail: ScrollView?, list: (top: Int, rows: Int)?) {
        let w = body.columns
        var row = body.row
        g.put("File    ", row: row, column: 0, style: .dim)
        g.put(SafeText(DisplayText.sanitize(state.location.file)), row: row, column: 8)
        row += 1
        guard let file = state.file else {
            if let error = state.loadError {
                for line in Format.wrap("cannot read the file: " + DisplayText.sanitize(error), width: w, maxLines: 3) {
                    g.put(SafeText(line), row: row, column: 0, style: .danger)
                    row += 1
                }
            }
            if state.fileMissing {
                // What nodeos does without the file, and what repair does instead (issue 9).
                row += 1
                let text = MissingFile.nodeosWillDo
                for line in Format.wrap(text, width: w) {
                    g.put(SafeText(line), row: row, column: 0, style: .warning)
                    row += 1
                }
                row += 1
                for (i, (line, style)) in keyLines(state, safety: nil, width: w - 8).enumerated() {
                    g.put(i == 0 ? "Keys    " : "", row: row, column: 0, style: .dim)
                    g.put(SafeText(line), row: row, column: 8, style: style)
                    row += 1
                }
                if !state.isReadOnly {
                    row += 1
                    let hint = "R: repair: create the file with an entry for every configured key (lock := LIB, last vote := its newest evidence: backups, node APIs, LIB)"
                    for line in Format.wrap(hint, width: w, maxLines: 3) {
                        g.put(SafeText(line), row: row, column: 0, style: .header)
                        row += 1
                    }
                }
            }
            return (nil, nil)
        }
        let v = file.verification
        // What the file is even when damaged ("…, truncated in entry 2 (2 of 5 entries read)"),
        // and the program the verdict below speaks for (issue 7, reader).
        var info = "\(v.headline) · loader \(v.loader.name)"
        info += " · \(Format.count(file.byteCount)) bytes · " + (!file.readWhole ? "sha256 not computed (the start read)" : file.sha256.map { "sha256 \($0.hex.prefix(12))…" } ?? "sha256 computing…")
        g.put("Format  ", row: row, column: 0, style: .dim)
        g.put(SafeText(info), row: row, column: 8)
        row += 1
        // The verdict, in nodeos's terms; the reason is never clipped away (two lines).
        var verdict = (v.nodeosLoads ? "\(Line.ok) " : "\(Line.fail) ") + v.verdictLine
        if !v.warnings.isEmpty { verdict += " (\(Format.number(v.warnings.count)) warning\(v.warnings.count == 1 ? "" : "s"))" }
        // The operator's first question: which keys will not vote (each row's verdict says why).
        let notVoting = v.nodeosLoads ? EntryFacts.notVoting(state) ?? [] : []
        if let n = VoteRules.notVotingSentence(notVoting.count) {
            verdict += "; " + n + ": #" + notVoting.prefix(4).map { "\($0)" }.joined(separator: ", #") + (notVoting.count > 4 ? ", …" : "")
        }
        // Without a readable layout there is no table: the whole reason gets the room.
        let bannerStyle: Style = v.nodeosLoads && notVoting.isEmpty ? .good : (v.nodeosLoads ? .warning : .danger)
        for line in Format.wrap(verdict, width: w, maxLines: v.file == nil ? 8 : 2) {
            g.fill(row: row, style: bannerStyle)
            g.put(SafeText(line), row: row, column: 0, style: bannerStyle)
            row += 1
        }
        g.put("LIB     ", row: row, column: 0, style: .dim)
        g.put(SafeText(libLine(state)), row: row, column: 8, style: state.lib.disagreement ? .warning : .normal)
        row += 1
        for (i, (line, style)) in keyLines(state, safety: v.file, width: w - 8).enumerated() {
            g.put(i == 0 ? "Keys    " : "", row: row, column: 0, style: .dim)
            g.put(SafeText(line), row: row, column: 8, style: style)
            row += 1
        }
        if refused(state), !state.isReadOnly {
            let hint = "R: repair: a new file where every configured key has an entry (lock := LIB, last vote := its newest evidence); the damaged file is kept as the backup"
            for line in Format.wrap(hint, width: w, maxLines: 2) {
                g.put(SafeText(line), row: row, column: 0, style: .header)
                row += 1
            }
        }

        guard let safety = v.file else { return (nil, nil) }
        let hotStuff = safety.format == .hotStuff
        let cols = Columns(width: w, reference: state.lib.reference?.lib.timestamp)
        g.fill(row: row, style: .header)
        g.put(SafeText(cols.header(hotStuff: hotStuff)), row: row, column: 0, style: .header)
        row += 1

        let visible = Core.visibleEntries(state)
        let detail = detailLines(state, width: w)
        let available = body.bottom - row
        // The list keeps at least half the room (or all its rows) unless the detail is
        // zoomed (Enter): then the selected row and every field.
        let listRows: Int
        if state.entries.zoomed {
            listRows = 1
        } else {
            let wanted = max(available - (detail.count + 1), available / 2)
            listRows = max(1, min(max(visible.count, 1), wanted, available - 2))
        }
        let detailRows = available - listRows
        let clipped = detail.count > detailRows - 1
        var top = state.entries.scroll
        if state.entries.selected < top { top = state.entries.selected }
        if state.entries.selected >= top + listRows { top = state.entries.selected - listRows + 1 }
        top = max(0, min(top, max(0, visible.count - listRows)))
        if visible.isEmpty {
            g.put(state.entries.filter.isEmpty ? "(no entries)" : "(no key contains \"\(state.entries.filter)\")", row: row, column: 2, style: .dim)
        }
        let lib = state.lib.reference?.lib
        for (i, index) in visible.enumerated().dropFirst(top).prefix(listRows) {
            let r = row + i - top
            let entry = safety.entries[index]
            let verdict = EntryFacts.verdict(entry, index: index, state: state)
            let flags = EntryFacts.flags(
                entry, index: index, lib: lib, findings: file.findingsByEntry[index] ?? [], tracked: state.lib.trackedVote(for: entry.key),
                keys: state.nodeKeys)
            let selected = i == state.entries.selected
            let text = cols.row(index: index, entry: entry, verdict: verdict, flags: flags)
            if selected { g.fill(row: r, style: .selected) }
            g.put(SafeText(text), row: r, column: 0, style: selected ? .selected : .normal)
            if !selected, verdict.style != .normal {
                g.put(SafeText(Format.fit(verdict.short, cols.verdictWidth)), row: r, column: cols.verdictColumn, style: verdict.style)
            }
            if !selected, let worst = flags.first(where: { $0.style == .danger }) ?? flags.first(where: { $0.style == .warning }) {
                g.put(SafeText(cols.flagsText(flags)), row: r, column: cols.flagsColumn, style: worst.style)
            }
        }
        // Detail pane; its rule also says which rows of the list are shown.
        let paneTop = row + listRows
        guard detailRows > 0 else { return (nil, (top, listRows)) }
        let title = Core.selectedEntryIndex(state).map { "Entry #\(Format.number($0)) of \(Format.number(safety.entries.count))" } ?? "No entry"
        g.rule(row: paneTop, title: title)
        var right = ""
        if visible.count > listRows { right += " rows \(Format.number(top + 1))-\(Format.number(min(visible.count, top + listRows))) of \(Format.number(visible.count)) " }
        if clipped && !state.entries.zoomed { right += " Enter: all fields " } else if state.entries.zoomed { right += " Enter: the list " }
        if !right.isEmpty { g.put(SafeText(right), row: paneTop, column: w - right.count - 1, style: .dim) }
        return (ScrollView(detail, in: Rect(row: paneTop + 1, column: 0, rows: detailRows - 1, columns: w)), (top, listRows))
    }

    /// The node's configured keys: where they came from, and each configured key without
    /// an entry (nodeos creates it at start-up); when unknown, that "inactive?" is a guess.
    static func keyLines(_ state: AppState, safety: SafetyFile?, width: Int) -> [(String, Style)] {
        guard let keys = state.nodeKeys else { return [("looking for the node's configured keys…", .dim)] }
        guard keys.found else {
            return [("not found (no nodeos config.ini): \"inactive?\" is a guess from time", .warning)]
        }
        var out = [(String, Style)]()
        // No file at all: every key is without one (said above the keys); none listed.
        let missing = state.file == nil ? [] : (safety == nil ? keys.publicKeys : state.keyCoverage?.missing ?? [])
        let n = keys.publicKeys.count
        out.append((Format.fit("\(Format.number(n)) configured, from \(keys.source ?? "?")" + (missing.isEmpty ? "" : "; \(Format.number(missing.count)) without \(state.file?.verification.nodeosLoads == false ? "a readable" : "an") entry:"), width), .normal))
        // On a file nodeos refuses, a key whose entry could not be read gets none from
        // nodeos: it does not start (a repair gives it one).
        let why = KeyCoverage.missingSentence(nodeosLoads: state.file?.verification.nodeosLoads != false)
        for k in missing.prefix(2) {
            out.append((Format.fit("\(k.shortText(20)): \(why)", width), .warning))
        }
        if missing.count > 2 { out.append(("… and \(Format.number(missing.count - 2)) more (w: the report lists every one)", .warning)) }
        return out
    }

    static func libLine(_ state: AppState) -> String {
        if state.lib.disagreement {
            return "sources DISAGREE: " + state.lib.answers.compactMap { a in a.reading.map { "\(a.request.label) #\(Format.number($0.lib.number))" } }.joined(separator: ", ") + " (l: LIB screen)"
        }
        guard let r = state.lib.reference else {
            if state.lib.answers.isEmpty { return state.lib.asked ? "asking the sources…" : "not read yet (l: LIB screen)" }
            return "unknown: no source answered (l: LIB screen)"
        }
        return "#\(Format.number(r.lib.number)) at \(Format.time(r.lib.timestamp)) from \(state.lib.answers.first { $0.reading == r }?.request.label ?? r.source.kind)"
    }

    /// Every field of the selected entry, in nodeos's names, with full key and hex ids.
    static func detailLines(_ state: AppState, width: Int) -> [(String, Style)] {
        guard let file = state.file, let index = Core.selectedEntryIndex(state), index < file.entries.count else { return [] }
        let entry = file.entries[index]
        var out: [(String, Style)] = Format.wrap(entry.key.text, width: width).map { ($0, .normal) }
        // The verdict first (what nodeos will do with it today), then the review's sentence.
        let verdict = EntryFacts.verdict(entry, index: index, state: state)
        for (i, line) in Format.wrap("verdict: " + verdict.text, width: width - 9).enumerated() {
            out.append(((i == 0 ? "" : String(repeating: " ", count: 9)) + line, verdict.style == .normal ? .header : verdict.style))
        }

        var ids = [(String, Style)]()
        switch entry.state {
        case .savanna(let s):
            out.append((Format.fit("last_vote", 11) + Format.blockRef(s.lastVote), .normal))
            out.append((Format.fit("lock", 11) + Format.blockRef(s.lock), .normal))
            if let forked = s.votesForkedSinceLatestStrongVote {
                out.append(("votes_forked_since_latest_strong_vote " + (forked ? "true" : "false"), .normal))
            } else {
                out.append(("other_branch_latest_time " + Format.slotTime(s.otherBranchLatestTime), .normal))
            }
            ids = [
                ("vote id      " + s.lastVote.blockID.hex, .dim), ("vote digest  " + s.lastVote.finalityDigest.hex, .dim),
                ("lock id      " + s.lock.blockID.hex, .dim), ("lock digest  " + s.lock.finalityDigest.hex, .dim),
            ]
        case .hotStuff(let h):
            out.append(("_vheight   bheight \(Format.number(h.vheight.bheight)), pcounter \(h.vheight.pcounter)", .normal))
            out.append(("_b_lock    " + h.bLock.hex + (h.bLock.isZero ? " (none)" : ""), .normal))
            out.append(("           a proposal id, not a block id", .dim))
        }
        // The review's sentence for today, after the fields (they stay in view at 80x24).
        if let detail = verdict.detail, verdict.kind != .inactive {
            for (i, line) in Format.wrap("today: " + detail, width: width - 7).enumerated() {
                out.append(((i == 0 ? "" : String(repeating: " ", count: 7)) + line, .dim))
            }
        }
        // Flags before the ids: on a small screen they are what must stay visible.
        let tracked = state.lib.trackedVote(for: entry.key)
        if let (vote, source) = tracked {
            let text = "network    last tracked vote #\(Format.number(vote.blockNumber)) at \(vote.timestamp.iso8601) (\(vote.isStrong ? "strong" : "weak"), \(source))"
            for (i, line) in Format.wrap(text, width: width - 11).enumerated() {
                out.append(((i == 0 ? "" : String(repeating: " ", count: 11)) + line, .normal))
            }
        }
        let flags = EntryFacts.flags(
            entry, index: index, lib: state.lib.reference?.lib, findings: file.findingsByEntry[index] ?? [], tracked: tracked,
            keys: state.nodeKeys)
        if let keys = state.nodeKeys, keys.found, keys.isConfigured(entry.key) == true {
            for (i, line) in Format.wrap("configured: " + keys.votingSentence(for: entry.key), width: width - 6).enumerated() {
                out.append(((i == 0 ? "" : "      ") + line, .dim))
            }
        }
        if flags.isEmpty {
            out.append(("flags: none", .dim))
        }
        for f in flags {
            for (i, line) in Format.wrap("flag: " + f.long, width: width - 6).enumerated() {
                out.append(((i == 0 ? "" : "      ") + line, f.style))
            }
        }
        out += ids
        return out
    }

    /// Column layout: narrow at 80 columns, wider times and keys from 120. Block numbers
    /// are always grouped, as everywhere else (`400,000,212`); at 80 columns a time is
    /// shown as `ls -l` shows one: the clock (`09:02`) within a day of LIB, else the date
    /// (`11-15`); the detail pane below gives the whole time.
    struct Columns {
        /// The verdict, read first (`KeyVerdict.short`).
        let verdictWidth = KeyVerdict.shortWidth
        let verdictColumn = 5
        let keyWidth: Int
        let heightWidth: Int
        let timeWide: Bool
        let refWidth: Int
        let flagsColumn: Int
        let width: Int
        /// LIB's time: what "within a day" is measured from (none: dates only).
        let reference: BlockTimestamp?

        init(width: Int, reference: BlockTimestamp? = nil) {
            self.width = width
            self.reference = reference
            timeWide = width >= 120
            // Below 140 columns the key is the 8 characters after PUB_BLS_: what `--key`
            // takes and the confirmation asks for (the detail pane has it whole).
            keyWidth = width >= 140 ? 26 : 8
            heightWidth = 11
            refWidth = heightWidth + 1 + (timeWide ? 21 : 5)
            flagsColumn = 4 + 1 + verdictWidth + 1 + keyWidth + 1 + refWidth + 2 + refWidth + 2
        }

        func header(hotStuff: Bool) -> String {
            "   #" + " " + Format.fit("Verdict", verdictWidth) + " " + Format.fit("Key", keyWidth) + " " + Format.fit(hotStuff ? "_vheight" : "Last vote", refWidth) + "  "
                + Format.fit(hotStuff ? (refWidth >= 21 ? "_b_lock (proposal id)" : "_b_lock") : "Lock", refWidth) + "  Flags"
        }

        /// `09:02` within a day of LIB, else `11-15` (2 slots a second: a day is 172,800 slots).
        func narrowTime(_ t: BlockTimestamp) -> String {
            let short = Format.shortTime(t)  // 11-21 09:02
            if let reference, abs(Int64(t.slot) - Int64(reference.slot)) < 172_800 { return String(short.suffix(5)) }
            return String(short.prefix(5))
        }

        func ref(height: UInt32?, time: BlockTimestamp?) -> String {
            guard let height else { return Format.fit("-", refWidth) }
            let t = time.map { timeWide ? Format.time($0) : narrowTime($0) } ?? ""
            return Format.fitRight(heightText(height), heightWidth) + " " + Format.fit(t, refWidth - heightWidth - 1)
        }

        func row(index: Int, entry: SafetyEntry, verdict: KeyVerdict, flags: [EntryFlag]) -> String {
            let key = Format.fit(keyWidth >= 26 ? entry.key.shortText(keyWidth) : Confirmation.forKey(entry.key).expected, keyWidth)
            let vote: String
            let lock: String
            switch entry.state {
            case .savanna:
                vote = ref(height: entry.lastVoteHeight, time: entry.lastVoteTime)
                lock = ref(height: entry.lockHeight, time: entry.lockTime)
            case .hotStuff(let h):
                vote = Format.fit(Format.fitRight(heightText(h.vheight.bheight), heightWidth) + "/\(h.vheight.pcounter)", refWidth)
                lock = Format.fit(h.bLock.isZero ? "-" : Format.shortHex(h.bLock, refWidth - 1), refWidth)
            }
            return Format.fitRight("\(index)", 4) + " " + Format.fit(verdict.short, verdictWidth) + " " + key + " " + vote + "  " + lock + "  " + flagsText(flags)
        }

        /// With commas, as everywhere; a number is never clipped: past 999,999,999 (in
        /// about 15 years at two blocks a second) the column shows plain digits.
        func heightText(_ h: UInt32) -> String {
            let n = Format.number(h)
            return n.count <= heightWidth ? n : String(h)
        }

        /// Whole flags while they fit, then "+N" for the rest (the detail pane lists them
        /// all): a flag cut in the middle reads as another word.
        func flagsText(_ flags: [EntryFlag]) -> String {
            let room = max(4, width - flagsColumn)
            func more(_ n: Int) -> String { n > 0 ? " +\(n)" : "" }
            var shown = [String]()
            for f in flags {
                let line = (shown + [f.short]).joined(separator: ",")
                guard line.count + more(flags.count - shown.count - 1).count <= room else { break }
                shown.append(f.short)
            }
            if shown.isEmpty, let first = flags.first {
                // The first flag whole with a bare "+" (more in the detail pane) before any clipping.
                if first.short.count + 1 <= room { return first.short + "+" }
                return Format.fit(first.short, room - more(flags.count - 1).count) + more(flags.count - 1)
            }
            return shown.joined(separator: ",") + more(flags.count - shown.count)
        }
    }
}
