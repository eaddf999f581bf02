import FinalityEngine
import FinalityFormat

extension Screen {
    public static let lib = Screen("lib")
}

/// LIB: every source side by side with its provenance; disagreement is shown, never merged.
enum LIBScreen: ScreenUnit {
    static let screen = Screen.lib
    static let title = "LIB"

    static func opened(_ state: inout AppState) -> [Effect] { Core.askLIBOnce(&state) }

    static func handle(_ action: Action, _ state: inout AppState) -> [Effect]? {
        switch action {
        case .rereadLIB:
            state.busy = "asking LIB sources"
            return [.readLIB(Core.defaultLIBRequests(state))]
        case .setAPI:
            state.prompt = Prompt(purpose: .apiURL, label: "Node API URL: ", text: state.lib.apiURL)
        case .typeLIB:
            state.prompt = Prompt(purpose: .typedLIB, label: "LIB id (64 hex) and time or slot: ")
        case .pageDown, .pageUp, .top, .bottom:
            // j/k choose the source; the page keys scroll its details.
            guard let view = detailView(state) else { return [] }
            state.lib.detailScroll = view.moved(state.lib.detailScroll, by: detailDelta(action, view))
        default:
            return nil
        }
        return []
    }

    /// What a page key moves a details view by.
    static func detailDelta(_ action: Action, _ view: ScrollView) -> Int {
        switch action {
        case .pageDown: view.page
        case .pageUp: -view.page
        case .top: -Int(Int32.max)
        default: Int(Int32.max)
        }
    }

    static func move(_ state: inout AppState, by delta: Int) {
        let before = state.lib.selected
        state.lib.selected = Selection.moved(state.lib.selected, by: delta, count: state.lib.answers.count)
        if state.lib.selected != before { state.lib.detailScroll = 0 }
    }

    /// The selected source's details as drawn (drawn into a scratch grid to know where).
    static func detailView(_ state: AppState) -> ScrollView? {
        var scratch = Grid(state.size)
        return layout(&scratch, state, Rect(row: 1, column: 0, rows: state.size.rows - 3, columns: state.size.columns))
    }

    static func position(_ state: AppState) -> String {
        state.lib.answers.isEmpty ? "" : "source \(Format.number(state.lib.selected + 1)) of \(Format.number(state.lib.answers.count))"
    }

    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect) {
        layout(&g, state, body)?.draw(&g, top: state.lib.detailScroll)
    }

    /// Draws all but the details; returns the details' view.
    @discardableResult
    static func layout(_ g: inout Grid, _ state: AppState, _ body: Rect) -> ScrollView? {
        var row = body.row
        let w = body.columns
        g.put("Each source is asked on its own; a reset uses the one you choose.", row: row, column: 0, style: .dim)
        row += 1
        row = banner(&g, state.lib, row: row, width: w)
        row += 1
        row = table(&g, state.lib.answers, selected: state.lib.selected, row: row, width: w, rows: max(3, body.bottom - row - 9))
        guard state.lib.selected < state.lib.answers.count else { return nil }
        row += 1
        g.rule(row: row, title: "Source: \(state.lib.answers[state.lib.selected].request.label)")
        row += 1
        return ScrollView(details(state.lib.answers[state.lib.selected], width: w), in: Rect(row: row, column: 0, rows: body.bottom - row, columns: w))
    }

    /// One line saying whether the sources agree. Returns the next row.
    static func banner(_ g: inout Grid, _ lib: LIBView, row: Int, width: Int) -> Int {
        let text: String
        let style: Style
        let readings = lib.answers.compactMap { a in a.reading.map { (a.request.label, $0) } }
        if readings.isEmpty {
            text = lib.asked ? "No source answered: type a LIB (t) or set the node API (a)" : "Sources not asked yet (u)"
            style = .warning
        } else if lib.disagreement {
            text = "Sources DISAGREE: " + readings.map { "\($0.0) #\(Format.number($0.1.lib.number))" }.joined(separator: ", ") + ". "
                + lib.comparison.summary.joined(separator: ". ")
            style = .danger
        } else {
            text = readings.count == 1 ? "One source answered: LIB #\(Format.number(readings[0].1.lib.number))" : "All \(readings.count) sources agree: LIB #\(Format.number(readings[0].1.lib.number))"
            style = .good
        }
        var r = row
        for line in Format.wrap(text, width: width, maxLines: lib.disagreement ? 6 : 2) {
            g.fill(row: r, style: style)
            g.put(SafeText(line), row: r, column: 0, style: style)
            r += 1
        }
        return r
    }

    /// The sources as a selectable table. Returns the row after it.
    static func table(_ g: inout Grid, _ answers: [LIBAnswer], selected: Int, row: Int, width: Int, rows: Int) -> Int {
        var r = row
        g.fill(row: r, style: .header)
        g.put(SafeText("  " + Format.fit("Source", 12) + Format.fitRight("Block", 13) + "  " + Format.fit("Time (UTC)", 22) + "Block id"), row: r, column: 0, style: .header)
        r += 1
        if answers.isEmpty {
            g.put("  (none)", row: r, column: 0, style: .dim)
            return r + 1
        }
        // The selected source stays in view when there are more than fit.
        let top = max(0, selected - rows + 1)
        for (i, a) in answers.enumerated().dropFirst(top).prefix(rows) {
            let isSelected = i == selected
            var text = (isSelected ? "\(Line.pointer) " : "  ") + Format.fit(a.request.label, 12)
            var style: Style = isSelected ? .selected : .normal
            switch a.result {
            case .success(let reading):
                text += Format.fitRight("#" + Format.number(reading.lib.number), 13) + "  " + Format.fit(Format.time(reading.lib.timestamp), 22) + reading.lib.blockID.hex
            case .failure(let e):
                text += "  error: " + e.description
                if !isSelected { style = .danger }
            }
            if isSelected { g.fill(row: r, style: .selected) }
            g.put(SafeText(text), row: r, column: 0, style: style)
            r += 1
        }
        return r
    }

    static func details(_ a: LIBAnswer, width: Int) -> [(String, Style)] {
        // Where it came from, whole (a path or a URL can be long).
        var out: [(String, Style)] = Format.hardWrap(SafeText(a.request.origin).text, width: max(1, width - 10)).enumerated().map { i, part in
            ((i == 0 ? "from      " : "          ") + part, .normal)
        }
        switch a.result {
        case .success(let r):
            out.append(("block     #\(Format.number(r.lib.number))", .normal))
            out.append(("id        " + r.lib.blockID.hex, .normal))
            out.append(("time      " + Format.slotTime(r.lib.timestamp), .normal))
            if let chain = r.chainID { out.append(("chain id  " + chain.hex, .normal)) }
            for d in r.details {
                for line in Format.wrap(InterfaceWords.say(d), width: width - 10) { out.append(("          " + line, .dim)) }
            }
        case .failure(let e):
            for line in Format.wrap("error     " + InterfaceWords.say(e.description), width: width) { out.append((line, .danger)) }
        }
        return out
    }
}
