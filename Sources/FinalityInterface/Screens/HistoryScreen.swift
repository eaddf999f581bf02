import FinalityEngine
import FinalityFormat
/// History: the backups of this file (restore and compare from here) and its audit records.
extension Screen {
    public static let history = Screen("history")
}

enum HistoryScreen: ScreenUnit {
    static let screen = Screen.history
    static let title = "History"

    static func opened(_ state: inout AppState) -> [Effect] {
        state.history.selectNewestOnLoad = true
        state.busy = "reading backups and audit records"
        return [.loadHistory(state.location)]
    }

    static func handle(_ action: Action, _ state: inout AppState) -> [Effect]? {
        switch action {
        case .restore:
            guard let backup = selectedBackup(state) else {
                state.status = StatusMessage(.warning, "no backup selected")
                return []
            }
            state.wizard = WizardState(action: .restore, backup: backup)
            state.screen = .wizard
            return []
        case .pageDown, .pageUp, .top, .bottom:
            // j/k choose the backup; the page keys scroll the audit records.
            guard let view = recordView(state) else { return [] }
            state.history.recordScroll = view.moved(view.clamped(state.history.recordScroll), by: LIBScreen.detailDelta(action, view))
            return []
        case .compareBackup:
            guard let backup = selectedBackup(state) else {
                state.status = StatusMessage(.warning, "no backup selected")
                return []
            }
            state.busy = "comparing"
            return [.compareFiles(old: backup.path, new: state.location.file)]
        default:
            return nil
        }
    }

    static func move(_ state: inout AppState, by delta: Int) {
        state.history.selected = Selection.moved(state.history.selected, by: delta, count: state.history.listing?.backups.count ?? 0)
    }

    static func position(_ state: AppState) -> String {
        guard let n = state.history.listing?.backups.count, n > 0 else { return "" }
        return "backup \(Format.number(state.history.selected + 1)) of \(Format.number(n))"
    }

    static func selectedBackup(_ state: AppState) -> BackupRow? {
        guard let l = state.history.listing, state.history.selected < l.backups.count else { return nil }
        return l.backups[state.history.selected]
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        layout(&g, state, body)?.draw(&g, top: state.history.recordScroll)
    }

    /// The audit records as drawn (drawn into a scratch grid to know where).
    static func recordView(_ state: AppState) -> ScrollView? {
        var scratch = Grid(state.size)
        return layout(&scratch, state, Rect(row: 1, column: 0, rows: state.size.rows - 3, columns: state.size.columns))
    }

    /// Draws all but the audit records; returns their view.
    @discardableResult
    static func layout(_ g: inout Grid, _ state: AppState, _ body: Rect) -> ScrollView? {
        var row = body.row
        if let e = state.history.error {
            for line in Format.wrap("cannot read the history: " + InterfaceWords.say(e), width: body.columns) {
                g.put(SafeText(line), row: row, column: 0, style: .danger)
                row += 1
            }
            return nil
        }
        guard let l = state.history.listing else {
            g.put("reading…", row: row, column: 0, style: .dim)
            return nil
        }
        for p in l.problems {
            for line in Format.wrap(InterfaceWords.say(p), width: body.columns) {
                g.put(SafeText(line), row: row, column: 0, style: .danger)
                row += 1
            }
        }
        let backupRows = max(3, (body.bottom - row - 4) / 2)
        g.rule(row: row, title: "Backups (\(Format.number(l.backups.count)))")
        row += 1
        g.fill(row: row, style: .header)
        // The engine's backup names carry the time and the first 12 digits of the old
        // SHA-256; the selected one's full hash and verdict are under the list.
        let nameWidth = body.columns - 2 - 1 - 19 - 1 - 7 - 1
        g.put(SafeText("  " + Format.fit("Backup", nameWidth) + " " + Format.fit("Modified (UTC)", 19) + " " + Format.fitRight("Bytes", 7)), row: row, column: 0, style: .header)
        row += 1
        if l.backups.isEmpty { g.put("  (no backups yet: one is made before every change)", row: row, column: 0, style: .dim) }
        let top = max(0, state.history.selected - backupRows + 1)
        for (i, b) in l.backups.enumerated().dropFirst(top).prefix(backupRows) {
            let r = row + i - top
            let selected = i == state.history.selected
            let text = (selected ? "\(Line.pointer) " : "  ") + Format.fit(b.name, nameWidth) + " " + Format.fit(b.modified, 19) + " " + Format.fitRight(Format.number(b.byteCount), 7)
            if selected { g.fill(row: r, style: .selected) }
            g.put(SafeText(text), row: r, column: 0, style: selected ? .selected : .normal)
        }
        row += backupRows
        // The selected backup's note (its SHA-256 and what nodeos makes of it) whole: under
        // the list when it fits there with four rows left for the records; else it leads
        // the scrolling records, so the page keys reach its end (nothing cut, issue 22).
        var noteLines = [(String, Style)]()
        if let b = selectedBackup(state), !b.note.isEmpty {
            let note = Format.wrap(b.note, width: body.columns - 2).map { ("  " + $0, Style.dim) }
            if note.count <= body.bottom - row - 1 - 4 {
                for (line, style) in note {
                    g.put(SafeText(line), row: row, column: 0, style: style)
                    row += 1
                }
            } else {
                noteLines = note
            }
        }
        g.rule(row: row, title: "Audit records (\(Format.number(l.records.count)))" + (l.auditPath.map { ": \($0)" } ?? ""))
        row += 1
        if l.records.isEmpty { g.put("  (no changes recorded)", row: row, column: 0, style: .dim) }
        // Newest last, each record whole (its summary wrapped); the page keys scroll them.
        var lines = noteLines
        for rec in l.records {
            for line in Format.wrap(rec.time + "  " + rec.action + "  " + rec.key + "  " + rec.who, width: body.columns - 2) { lines.append(("  " + line, .normal)) }
            for line in Format.wrap(InterfaceWords.say(rec.summary), width: body.columns - 6) { lines.append(("      " + line, .dim)) }
        }
        return ScrollView(lines, in: Rect(row: row, column: 0, rows: max(1, body.bottom - row), columns: body.columns))
    }
}
