import FinalityEngine
import FinalityFormat
/// Help: generated from the binding table, so it cannot disagree with the keys.
extension Screen {
    public static let help = Screen("help")
}

enum HelpScreen: ScreenUnit {
    static let screen = Screen.help
    static let title = "Help"

    /// ESC and q close Help, back to the screen it was opened on.
    static func back(_ state: inout AppState) { state.screen = state.screenBeforeHelp }

    static func move(_ state: inout AppState, by delta: Int) {
        let count = lines(state).count
        state.help.scroll = max(0, min(Selection.add(state.help.scroll, delta), max(0, count - 1)))
    }

    static func lines(_ state: AppState) -> [(String, Style)] {
        var out: [(String, Style)] = [
            ("Keys by screen. ESC goes back and never quits; unbound keys do nothing.", .dim)
        ]
        if let reason = state.readOnlyReason {
            out.append(("READ-ONLY (\(reason)): reset, delete and restore are not available.", .warning))
        }
        for context in Context.allCases {
            let rows = Bindings.table.filter { $0.context == context && !(state.isReadOnly && $0.mutates) }
            guard !rows.isEmpty else { continue }
            out.append(("", .normal))
            out.append((context.title, .header))
            for b in rows {
                out.append(("  " + Format.fit(b.allKeyNames, 18) + " " + b.help, .normal))
            }
        }
        out.append(("", .normal))
        out.append(("Wizard steps: 1 choose entry and action, 2 choose LIB source (reset),", .normal))
        out.append(("3 review the diff and warnings, 4 typed confirmation, 5 result.", .normal))
        out.append(("Nothing is written before step 4 is confirmed.", .normal))
        // The legend of the Entries table, from the engine's one table of verdicts and
        // flags (`FlagLegend.legendText`, the same text `finality list --help` prints).
        let width = max(40, state.size.columns)
        for line in FlagLegend.legendText {
            if !line.hasPrefix(" ") {
                out.append(("", .normal))
                out.append((line, .header))
                continue
            }
            for (i, part) in Format.wrap(String(line.dropFirst(2)), width: width - 4).enumerated() {
                out.append(((i == 0 ? "  " : "    ") + part, .normal))
            }
        }
        return out
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        let all = lines(state)
        let top = max(0, min(state.help.scroll, all.count - body.rows))
        g.lines(Array(all.dropFirst(top)), in: body)
    }
}
