import FinalityEngine
import FinalityFormat

/// A rectangle of the grid a screen draws its body into.
public struct Rect: Hashable, Sendable {
    public var row: Int
    public var column: Int
    public var rows: Int
    public var columns: Int
    public init(row: Int, column: Int, rows: Int, columns: Int) {
        self.row = row
        self.column = column
        self.rows = rows
        self.columns = columns
    }
    public var bottom: Int { row + rows }
}

/// Line-drawing characters. The core always draws these; the curses adapter swaps them
/// for `+ - |` when the locale is not UTF-8.
public enum Line {
    public static let horizontal: Character = "─"
    public static let vertical: Character = "│"
    public static let ok: Character = "✔"
    public static let fail: Character = "✘"
    public static let arrow: Character = "→"
    public static let pointer: Character = "▸"
}

extension Grid {
    /// A horizontal rule with an optional title: `─ Title ────────`.
    mutating func rule(row: Int, title: String? = nil, style: Style = .border) {
        fill(row: row, style: style, character: Line.horizontal)
        if let title { put(" \(title) ", row: row, column: 1, style: .header) }
    }

    /// Lines of (text, style) from a row. When they do not all fit, the last row says how
    /// many more there are: nothing disappears without a mark.
    mutating func lines(_ lines: [(String, Style)], in rect: Rect, indent: Int = 0) {
        guard rect.rows > 0 else {
            if !lines.isEmpty { noteCut(row: rect.row, text: lines[0].0, marked: false) }
            return
        }
        let fits = lines.count <= rect.rows
        let shown = fits ? lines.count : rect.rows - 1
        for (i, line) in lines.prefix(shown).enumerated() {
            put(SafeText(line.0), row: rect.row + i, column: rect.column + indent, style: line.1, width: rect.columns - indent)
        }
        if !fits {
            let more = lines.count - shown
            put("\(Grid.cutMark) \(more) more line\(more == 1 ? "" : "s")", row: rect.row + shown, column: rect.column + indent, style: .dim, width: rect.columns - indent)
            noteCut(row: rect.row + shown, text: lines[shown].0, marked: true)
        }
    }
}

/// The one scrolling view: every screen whose text can overflow (Help, LIB details, the
/// wizard's steps, reviews, results, Diff, Watch) draws it through this, and answers
/// `j`/`k`, Space/PgDn/PgUp (a full page less one line, so the last line read stays in
/// view) and `g`/`G` through `moved`. When the lines do not all fit, the last row of the
/// rect says which are shown and the keys that reach the rest: nothing is cut without a
/// key that shows it.
public struct ScrollView {
    public let lines: [(String, Style)]
    public let rect: Rect

    public init(_ lines: [(String, Style)], in rect: Rect) {
        self.lines = lines
        self.rect = rect
    }

    public var overflows: Bool { lines.count > rect.rows }
    /// Rows of text (the last row of an overflowing view is its position line).
    public var visibleRows: Int { overflows ? max(1, rect.rows - 1) : max(0, rect.rows) }
    public var maxTop: Int { overflows ? lines.count - visibleRows : 0 }
    /// A page: the rows shown less one.
    public var page: Int { max(1, visibleRows - 1) }

    public func clamped(_ top: Int) -> Int { max(0, min(top, maxTop)) }

    /// `top` moved by `delta` lines, saturated at both ends (`G` is a huge delta).
    public func moved(_ top: Int, by delta: Int) -> Int { clamped(Selection.add(top, delta)) }

    /// The position line: "lines 1-17 of 40 · j/k Space g G".
    public func position(top: Int) -> String {
        let t = clamped(top)
        return " lines \(Format.number(t + 1))-\(Format.number(min(lines.count, t + visibleRows))) of \(Format.number(lines.count)) · j/k Space g G "
    }

    public func draw(_ g: inout Grid, top: Int) {
        guard rect.rows > 0 else { return }
        let t = clamped(top)
        for (i, line) in lines.dropFirst(t).prefix(visibleRows).enumerated() {
            g.put(SafeText(line.0), row: rect.row + i, column: rect.column, style: line.1, width: rect.columns)
        }
        guard overflows else { return }
        let text = position(top: t)
        g.put(SafeText(text), row: rect.bottom - 1, column: max(rect.column, rect.column + rect.columns - text.count), style: .dim)
    }
}

public enum Render {
    /// The frame: title bar, the screen's body, status bar, key bar; or "terminal too small".
    public static func render(_ state: AppState) -> Grid {
        var g = Grid(state.size)
        let size = state.size
        guard !state.isTooSmall else {
            tooSmall(&g, size, askingQuit: state.askingQuit)
            return g
        }
        titleBar(&g, state)
        let body = Rect(row: 1, column: 0, rows: size.rows - 3, columns: size.columns)
        state.screen.unit.draw(&g, state, body)
        statusBar(&g, state)
        keyBar(&g, state)
        return g
    }

    static func tooSmall(_ g: inout Grid, _ size: Size, askingQuit: Bool = false) {
        let lines = [
            "terminal too small",
            "\(size.columns)x\(size.rows), needs 80x24",
            askingQuit ? "leave the wizard? y quits, other key stays" : "q quits",
        ]
        let top = max(0, size.rows / 2 - 1)
        for (i, l) in lines.enumerated() {
            g.put(SafeText(l), row: top + i, column: max(0, (size.columns - l.count) / 2), style: i == 0 ? .warning : .normal)
        }
    }

    static func titleBar(_ g: inout Grid, _ state: AppState) {
        g.fill(row: 0, style: .title)
        let title = " finality  \(state.screen.unit.titleText(state))"
        g.put(SafeText(title), row: 0, column: 0, style: .title)
        let right = (state.isReadOnly ? "READ-ONLY  " : "") + "? help "
        g.put(SafeText(right), row: 0, column: g.size.columns - right.count, style: .title)
    }

    /// A path the operator must read whole (the report's name, a file to compare with):
    /// rows of its own above the status bar, the path hard-wrapped from column 0 so its
    /// rows join back to it exactly.
    static func pathPanel(_ g: inout Grid, _ state: AppState) {
        let titles: [String]
        let path: String
        if let panel = Core.moveKeyPanel(state) {
            (titles, path) = panel
        } else if let p = state.prompt, p.purpose == .reportPath || p.purpose == .compareWith {
            titles = [p.purpose == .reportPath
                ? "The case report will be written to this file (Enter writes it, ESC cancels):"
                : "Compare the file with this one (Enter compares, ESC cancels):"]
            path = p.text
        } else if let s = state.status, s.path != nil || !s.detail.isEmpty {
            titles = s.detail.map(InterfaceWords.say) + (s.path == nil ? [] : [s.kind == .good ? "Written to:" : "Path:"])
            path = s.path ?? ""
        } else {
            return
        }
        let parts = path.isEmpty ? [] : Format.hardWrap(path, width: g.size.columns)
        let rows = titles.flatMap { Format.wrap($0, width: g.size.columns) }.map { ($0, Style.header) } + parts.map { ($0, Style.input) }
        let shown = Array(rows.suffix(max(1, g.size.rows - 4)))
        let top = g.size.rows - 2 - shown.count
        g.fill(row: top - 1, style: .border, character: Line.horizontal)
        for (i, line) in shown.enumerated() {
            g.fill(row: top + i, style: .normal)
            g.put(SafeText(line.0), row: top + i, column: 0, style: line.1)
        }
    }

    static func statusBar(_ g: inout Grid, _ state: AppState) {
        let row = g.size.rows - 2
        pathPanel(&g, state)
        g.fill(row: row, style: .normal)
        var col = 0
        // The quit question takes the whole row (the title bar still says READ-ONLY): a long
        // reason must not push it off the screen.
        if let reason = state.readOnlyReason, !state.askingQuit {
            col = g.put(" READ-ONLY: \(reason) ", row: row, column: 0, style: .warning)
            col += 1
        }
        if let p = state.prompt {
            col = g.put(SafeText(p.label), row: row, column: col, style: .header)
            // A long entry shows its end, where the cursor is, after a mark.
            let room = g.size.columns - 1 - col
            let typed = SafeText(p.text).text
            let text = typed.count > room ? String(Grid.cutMark) + String(typed.suffix(max(0, room - 1))) : typed
            let end = g.put(SafeText(text), row: row, column: col, style: .input)
            g.cursor = (row, min(end, g.size.columns - 1))
            return
        }
        let message: (String, Style)?
        if state.askingQuit {
            message = ("Quit and leave the wizard? Nothing was written. y: quit, other key: stay", .warning)
        } else if let busy = state.busy {
            message = (busy + "…", .dim)
        } else if let s = state.status {
            let style: Style =
                switch s.kind {
                case .info: .normal
                case .good: .good
                case .warning: .warning
                case .error: .danger
                }
            message = (InterfaceWords.say(s.text), style)
        } else if let notice = state.fileNotice, notice.readOnlyReason == nil || notice.readOnlyReason != state.readOnlyReason {
            message = (InterfaceWords.say(notice.text), .warning)
        } else {
            message = nil
        }
        // Where the operator is, at the right: support staff ask "which row, what order".
        // It gives way to a message that needs the room (never both cut into each other).
        let position = positionText(state)
        let messageWidth = message.map { $0.0.count + 1 } ?? 0
        if !position.isEmpty, col + messageWidth + position.count + 1 < g.size.columns {
            g.put(SafeText(position), row: row, column: g.size.columns - position.count - 1, style: .dim)
        }
        if let message {
            g.put(SafeText(message.0), row: row, column: col, style: message.1)
        }
    }

    static func positionText(_ state: AppState) -> String { state.screen.unit.position(state) }

    /// The key bar, from the binding table: key in reverse, label after it (as htop).
    static func keyBar(_ g: inout Grid, _ state: AppState) {
        let row = g.size.rows - 1
        g.fill(row: row, style: .normal)
        var col = 0
        let items = Bindings.bar(in: state)
        for (i, item) in items.enumerated() {
            let width = item.key.count + item.label.count + 1
            // Keys that do not fit: a mark says so (Help, ?, lists them all).
            let markRoom = i == items.count - 1 ? 0 : 2
            if col + width + markRoom > g.size.columns {
                g.put(SafeText(String(Grid.cutMark) + "?"), row: row, column: min(col, g.size.columns - 2), style: .dim)
                break
            }
            col = g.put(SafeText(item.key), row: row, column: col, style: .keyHint)
            col = g.put(SafeText(item.label), row: row, column: col, style: .normal)
            col += 1
        }
    }
}
