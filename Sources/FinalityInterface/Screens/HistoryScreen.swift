/// History: the backups of this file (restore and compare from here) and its audit records.
enum HistoryScreen {
    static func selectedBackup(_ state: AppState) -> BackupRow? {
        guard let l = state.history.listing, state.history.selected < l.backups.count else { return nil }
        return l.backups[state.history.selected]
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        var row = body.row
        if let e = state.history.error {
            g.put("cannot read the history: " + e, row: row, column: 0, style: .danger)
            return
        }
        guard let l = state.history.listing else {
            g.put("reading…", row: row, column: 0, style: .dim)
            return
        }
        for p in l.problems {
            for line in Format.wrap(p, width: body.columns) {
                g.put(line, row: row, column: 0, style: .danger)
                row += 1
            }
        }
        let backupRows = max(3, (body.bottom - row - 4) / 2)
        g.rule(row: row, title: "Backups (\(l.backups.count))")
        row += 1
        g.fill(row: row, style: .header)
        // The engine's backup names carry the time and the first 12 digits of the old
        // SHA-256; the selected one's full hash and verdict are under the list.
        let nameWidth = body.columns - 2 - 1 - 19 - 1 - 7 - 1
        g.put("  " + Format.fit("Backup", nameWidth) + " " + Format.fit("Modified (UTC)", 19) + " " + Format.fitRight("Bytes", 7), row: row, column: 0, style: .header)
        row += 1
        if l.backups.isEmpty { g.put("  (no backups yet: one is made before every change)", row: row, column: 0, style: .dim) }
        let top = max(0, state.history.selected - backupRows + 1)
        for (i, b) in l.backups.enumerated().dropFirst(top).prefix(backupRows) {
            let r = row + i - top
            let selected = i == state.history.selected
            let text = (selected ? "\(Line.pointer) " : "  ") + Format.fit(b.name, nameWidth) + " " + Format.fit(b.modified, 19) + " " + Format.fitRight(Format.number(b.byteCount), 7)
            if selected { g.fill(row: r, style: .selected) }
            g.put(text, row: r, column: 0, style: selected ? .selected : .normal)
        }
        row += backupRows
        if let b = selectedBackup(state), !b.note.isEmpty {
            for line in Format.wrap(b.note, width: body.columns - 2).prefix(2) {
                g.put("  " + line, row: row, column: 0, style: .dim)
                row += 1
            }
        }
        g.rule(row: row, title: "Audit records (\(l.records.count))" + (l.auditPath.map { ": \($0)" } ?? ""))
        row += 1
        if l.records.isEmpty { g.put("  (no changes recorded)", row: row, column: 0, style: .dim) }
        // Newest last; two lines each so the summary is never cut at 80 columns.
        for rec in l.records.suffix(max(0, (body.bottom - row) / 2)) {
            g.put("  " + Format.fit(rec.time, 20) + " " + Format.fit(rec.action, 8) + " " + Format.fit(rec.key, 20) + " " + rec.who, row: row, column: 0)
            g.put("      " + rec.summary, row: row + 1, column: 0, style: .dim, width: body.columns)
            row += 2
        }
    }
}
