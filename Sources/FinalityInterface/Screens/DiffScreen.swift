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
        guard let d = state.diff, let view = view(state) else { return }
        state.diff?.scroll = view.moved(d.scroll, by: delta)
    }

    static func page(_ state: AppState) -> Int { view(state)?.page ?? Core.pageRows(state) }

    /// The diff's lines as drawn (drawn into a scratch grid to know where).
    static func view(_ state: AppState) -> ScrollView? {
        var scratch = Grid(state.size)
        return layout(&scratch, state, Rect(row: 1, column: 0, rows: state.size.rows - 3, columns: state.size.columns))
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        layout(&g, state, body)?.draw(&g, top: (state.diff ?? pendingPlanDiff(state))?.scroll ?? 0)
    }

    /// Draws the names and notes; returns the diff's view.
    @discardableResult
    static func layout(_ g: inout Grid, _ state: AppState, _ body: Rect) -> ScrollView? {
        guard let diff = state.diff ?? pendingPlanDiff(state) else {
            g.put("Nothing to compare yet.", row: body.row, column: 0)
            g.put("c: compare the file with another file (a backup, another node's copy).", row: body.row + 1, column: 0, style: .dim)
            g.put("A pending reset, delete or restore shows here from the wizard's review step.", row: body.row + 2, column: 0, style: .dim)
            return nil
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
        // The notes (a plan's warnings, many for a repair) scroll with the diff.
        var lines = [(String, Style)]()
        for n in diff.notes {
            for line in Format.wrap(InterfaceWords.say(n), width: body.columns) { lines.append((line, .warning)) }
        }
        return ScrollView(lines + diffLines(diff.rows, showAll: diff.showAll, width: body.columns), in: Rect(row: row, column: 0, rows: max(1, body.bottom - row), columns: body.columns))
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
