import FinalityEngine
import FinalityFormat
import Foundation

/// Which entries the Entries screen shows, and the selections of every list.
extension Core {
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
