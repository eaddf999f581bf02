import FinalityEngine
import FinalityFormat
/// Help: generated from the binding table, so it cannot disagree with the keys.
extension Screen {
    public static let help = Screen("help")
}

enum HelpScreen: ScrollingText {
    static let screen = Screen.help
    static let title = "Help"

    /// ESC and q close Help, back to the screen it was opened on.
    static func back(_ state: inout AppState) { state.screen = state.screenBeforeHelp }

    static func text(_ state: AppState, width: Int) -> [(String, Style)]? { lines(state, width: width) }
    static func scroll(_ state: AppState) -> Int? { state.help.scroll }
    static func scroll(_ state: inout AppState, to top: Int) { state.help.scroll = top }

    /// Every line wrapped to the screen (a key's help after its keys, continued under
    /// its own start): nothing in Help is cut.
    static func lines(_ state: AppState, width: Int) -> [(String, Style)] {
        var out = [(String, Style)]()
        func add(_ text: String, _ style: Style, head: String = "") {
            let indent = head.count
            for (i, line) in Format.wrap(text, width: max(10, width - indent)).enumerated() {
                out.append(((i == 0 ? head : String(repeating: " ", count: indent)) + line, style))
            }
        }
        add("Keys by screen. ESC goes back and never quits; unbound keys do nothing. Long text scrolls: j/k, Space/PgDn a page, g/G.", .dim)
        if let reason = state.readOnlyReason {
            add("READ-ONLY (\(reason)): reset, delete and restore are not available.", .warning)
        }
        for context in Context.allCases {
            let rows = Bindings.table.filter { $0.context == context && !(state.isReadOnly && $0.mutates) }
            guard !rows.isEmpty else { continue }
            out.append(("", .normal))
            out.append((context.title, .header))
            for b in rows {
                let keys = b.allKeyNames
                if keys.count > 18 {
                    out.append(("  " + keys, .normal))
                    add(b.help, .normal, head: String(repeating: " ", count: 21))
                } else {
                    add(b.help, .normal, head: "  " + keys + String(repeating: " ", count: 19 - keys.count))
                }
            }
        }
        out.append(("", .normal))
        add("Wizard steps: 1 choose entry and action, 2 choose LIB source (reset), 3 review the diff and warnings, 4 typed confirmation, 5 result. Nothing is written before step 4 is confirmed.", .normal)
        // The legend of the Entries table, from the engine's one table of verdicts and
        // flags (`FlagLegend.legendText`, the same text `finality list --help` prints).
        for line in FlagLegend.legendText {
            if !line.hasPrefix(" ") {
                out.append(("", .normal))
                out.append((line, .header))
                continue
            }
            for (i, part) in Format.wrap(InterfaceWords.say(String(line.dropFirst(2))), width: width - 4).enumerated() {
                out.append(((i == 0 ? "  " : "    ") + part, .normal))
            }
        }
        return out
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) { drawText(&g, state, body, empty: "") }
}

