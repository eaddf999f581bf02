import FinalityEngine
import FinalityFormat

/// Which entries the Entries screen shows, and the selections of every list.
extension Core {
    /// Rows the Entries screen shows: indices into the file's entries, filtered and sorted.
    public static func visibleEntries(_ state: AppState) -> [Int] { state.entries.rows }

    /// Recomputes the rows after the file, the filter or the sort changed. A filter that
    /// extends the previous one only narrows the rows already found.
    public static func refreshRows(_ state: inout AppState, fileChanged: Bool = false) {
        let entries = state.file?.entries ?? []
        let filter = state.entries.filter.lowercased()
        if fileChanged { state.entries.searchColumn = nil }
        // Key text (base64url with a RIPEMD-160 checksum), one flat column: the runner
        // builds it in the background after the first screen; a search typed before it
        // arrives builds it here.
        if !filter.isEmpty, state.entries.searchColumn?.count != entries.count {
            state.entries.searchColumn = KeyTextColumn(entries)
        }
        let needle = Array(filter.utf8)
        let narrowing = !fileChanged && state.entries.rowsSort == state.entries.sort && !state.entries.rowsFilter.isEmpty
            && filter.hasPrefix(state.entries.rowsFilter)
        var idx = narrowing ? state.entries.rows : Array(entries.indices)
        if !filter.isEmpty, let column = state.entries.searchColumn {
            idx = column.filter(idx, needle)
        }
        if !narrowing {
            // Sorts over one integer column (each entry decoded once), not a decode per comparison.
            switch state.entries.sort {
            case .fileOrder: break
            case .key: idx = EntryOrder.byKey(entries, idx)
            case .lastVote: idx = EntryOrder.byValue(idx) { entries[$0].lastVoteHeight ?? 0 }
            case .lock:
                if state.file?.verification.format == .hotStuff {
                    idx.sort { lockOrder(entries[$0], $0) < lockOrder(entries[$1], $1) }
                } else {
                    idx = EntryOrder.byValue(idx) { entries[$0].lockHeight ?? 0 }
                }
            }
        }
        state.entries.rows = idx
        state.entries.rowsFilter = filter
        state.entries.rowsSort = state.entries.sort
        clampEntries(&state)
    }

    /// The key-text column the runner built in the background, when it is for this file.
    static func adoptSearchColumn(_ state: inout AppState, _ column: KeyTextColumn) {
        guard column.count == state.file?.entries.count, state.entries.searchColumn == nil else { return }
        state.entries.searchColumn = column
    }

    /// n / N: the next or previous entry matching the search, wrapping around.
    static func stepThroughMatches(_ state: inout AppState, forward: Bool) {
        guard !state.entries.filter.isEmpty else {
            state.status = StatusMessage(.info, "no search: / to search by key text, then n and N step through the matches")
            return
        }
        let count = state.entries.rows.count
        guard count > 0 else {
            state.status = StatusMessage(.warning, "no key contains \"\(state.entries.filter)\"")
            return
        }
        state.entries.selected = (state.entries.selected + (forward ? 1 : count - 1)) % count
        state.status = StatusMessage(.info, "match \(Format.number(state.entries.selected + 1)) of \(Format.number(count))")
    }

    /// Leaving the search shows every entry again with the same entry still selected.
    static func clearFilterKeepingSelection(_ state: inout AppState) {
        let keep = selectedEntryIndex(state)
        state.entries.filter = ""
        refreshRows(&state)
        if let keep, let row = state.entries.rows.firstIndex(of: keep) {
            state.entries.selected = row
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
}
