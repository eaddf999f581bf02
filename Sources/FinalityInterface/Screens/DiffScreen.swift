import FinalityEngine
import FinalityFormat
/// Diff: field by field, before and after; changed fields marked `*` and shown on two
/// lines (`- before`, `+ after`) so 64-digit ids fit in 80 columns.
extension Screen {
    public static let diff = Screen("diff")
}

enum DiffScreen: ScreenUnit {
    static let screen = Screen.diff
    static let title = "Diff"

    static func handle(_ action: Action, _ state: inout AppState) -> [Effect]? {
        switch action {
        case .compareFile:
            state.prompt = Prompt(purpose: .compareWith, label: "Compare with file: ")
        case .toggleUnchanged:
            state.diff?.showAll.toggle()
            state.diff?.scroll = 0
        default:
            return nil
        }
        return []
    }

    /// Back to the wizard that showed its plan here, if one is under way.
    static func back(_ state: inout AppState) {
        state.screen = state.wizard != nil && state.wizard?.step != .result ? .wizard : .entries
    }

    static func move(_ state: inout AppState, by delta: Int) {
        guard let d = state.diff else { return }
        let lines = diffLines(d.rows, showAll: d.showAll, width: state.size.columns).count
        state.diff?.scroll = max(0, min(Selection.add(d.scroll, delta), lines - 1))
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        guard let diff = state.diff ?? pendingPlanDiff(state) else {
            g.put("Nothing to compare yet.", row: body.row, column: 0)
            g.put("c: compare the file with another file (a backup, another node's copy).", row: body.row + 1, column: 0, style: .dim)
            g.put("A pending reset, delete or restore shows here from the wizard's review step.", row: body.row + 2, column: 0, style: .dim)
            return
        }
        var row = body.row
        g.put(SafeText(diff.title), row: row, column: 0, style: .header)
        row += 1
        // The names whole, over as many rows as they need (a backup's name is long).
        for (label, name) in [("- before: ", diff.leftName), ("+ after:  ", diff.rightName)] {
            for (i, part) in Format.hardWrap(SafeText(name).text, width: max(1, body.columns - label.count)).enumerated() {
                g.put(SafeText((i == 0 ? label : String(repeating: " ", count: label.count)) + part), row: row, column: 0, style: .dim)
                row += 1
            }
        }
        let changed = diff.rows.filter(\.changed).count
        g.put("\(changed) field\(changed == 1 ? "" : "s") changed" + (diff.showAll ? ", all fields shown" : ", unchanged fields hidden (a: show all)"), row: row, column: 0, style: changed == 0 ? .good : .warning)
        row += 1
        for n in diff.notes {
            for line in Format.wrap(n, width: body.columns) {
                g.put(SafeText(line), row: row, column: 0, style: .warning)
                row += 1
            }
        }
        let lines = diffLines(diff.rows, showAll: diff.showAll, width: body.columns)
        let rows = body.bottom - row - 1
        let top = max(0, min(diff.scroll, lines.count - rows))
        g.lines(Array(lines.dropFirst(top).prefix(rows)), in: Rect(row: row, column: 0, rows: rows, columns: body.columns))
        if lines.count > rows {
            let more = " \(Format.number(top + 1))-\(Format.number(min(lines.count, top + rows))) of \(Format.number(lines.count)) "
            g.put(SafeText(more), row: body.bottom - 1, column: body.columns - more.count, style: .dim)
        }
    }

    static func pendingPlanDiff(_ state: AppState) -> DiffView? {
        guard let w = state.wizard, let plan = w.plan else { return nil }
        return DiffView(title: "Pending \(w.action.rawValue) (not written)", leftName: plan.request.path, rightName: "the plan", rows: plan.rows, notes: plan.warnings)
    }

    /// The diff as styled lines, grouped by section.
    static func diffLines(_ rows: [DiffRow], showAll: Bool, width: Int) -> [(String, Style)] {
        var out = [(String, Style)]()
        var section: String?
        for r in rows where showAll || r.changed {
            if r.section != section {
                section = r.section
                // A key is longer than 80 columns: wrapped whole, never cut.
                for line in Format.wrap(r.section, width: width) { out.append((line, .header)) }
            }
            if r.changed {
                out.append(("* " + r.field, .changed))
                for (i, line) in Format.wrap(r.before, width: width - 4).enumerated() { out.append(((i == 0 ? "  - " : "    ") + line, .danger)) }
                for (i, line) in Format.wrap(r.after, width: width - 4).enumerated() { out.append(((i == 0 ? "  + " : "    ") + line, .good)) }
            } else {
                out.append(("  " + Format.fit(r.field, 26) + " " + r.before, .dim))
            }
        }
        if out.isEmpty { out.append(("(no differences)", .good)) }
        return out
    }
}
