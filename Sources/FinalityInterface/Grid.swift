import FinalityEngine
import FinalityFormat
/// The pure interface renders into this grid of cells; the ncurses adapter only copies
/// it to the terminal. Tests read it directly.

/// What a cell means; the adapter maps each to attributes (bold, reverse, colour when
/// allowed), so the screen still reads in monochrome.
public enum Style: UInt8, Hashable, Sendable, CaseIterable {
    case normal
    case title
    case header
    case selected
    case dim
    case good
    case warning
    case danger
    case keyHint
    case input
    case changed
    case border
}

public struct Cell: Hashable, Sendable {
    /// One character (a grapheme of display width 1; wide characters are not used).
    public var character: Character
    public var style: Style

    public init(_ character: Character = " ", _ style: Style = .normal) {
        self.character = character
        self.style = style
    }

    public static let blank = Cell()
}

public struct Size: Hashable, Sendable {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
    public static let minimum = Size(columns: 80, rows: 24)
}

public struct Grid: Hashable, Sendable {
    public let size: Size
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should sit (text input), if visible.
    public var cursor: (row: Int, column: Int)? {
        get { cursorRow.map { ($0, cursorColumn) } }
        set {
            cursorRow = newValue?.row
            cursorColumn = newValue?.column ?? 0
        }
    }
    private var cursorRow: Int?
    private var cursorColumn = 0

    public init(_ size: Size) {
        self.size = size
        cells = Array(repeating: .blank, count: max(0, size.columns * size.rows))
    }

    public subscript(row: Int, column: Int) -> Cell {
        get { cells[row * size.columns + column] }
        set {
            guard row >= 0, row < size.rows, column >= 0, column < size.columns else { return }
            cells[row * size.columns + column] = newValue
        }
    }

    /// Text that did not fit where it was drawn, and whether the cut is marked with `…`
    /// (every cut through `put` and `lines` is; tests read this to find any other).
    public struct Cut: Hashable, Sendable {
        public var row: Int
        public var text: String
        public var marked: Bool
    }
    public private(set) var cuts: [Cut] = []

    /// The mark a cut text ends with: never a silent cut mid-word.
    public static let cutMark: Character = "…"

    /// Writes text from (row, column); text that does not fit ends with `…` in the last
    /// cell. Returns the column after what was written.
    ///
    /// Only `SafeText` reaches the cells (DisplayText.swift): a path, a node's answer or a
    /// file's content is drawn with its controls made visible, never as a control (the
    /// adapter would pass it to the terminal), and a line break inside a value is drawn
    /// as `\n` on its row instead of moving to another.
    @discardableResult
    public mutating func put(_ safe: SafeText, row: Int, column: Int, style: Style = .normal, width: Int? = nil) -> Int {
        // A literal's own line break has no meaning in one row: shown like a value's.
        let text = safe.text.contains("\n") ? SafeText(safe.text).text : safe.text
        guard row >= 0, row < size.rows else {
            if !text.isEmpty { cuts.append(Cut(row: row, text: text, marked: false)) }
            return column
        }
        let limit = min(size.columns, width.map { column + $0 } ?? size.columns)
        var c = column
        var written = 0
        for ch in text {
            if c >= limit {
                // Trailing blanks lost at the edge are no loss.
                if text.dropFirst(written).allSatisfy({ $0 == " " }) { break }
                if c - 1 >= max(0, column) {
                    self[row, c - 1] = Cell(Self.cutMark, style)
                    cuts.append(Cut(row: row, text: text, marked: true))
                } else {
                    cuts.append(Cut(row: row, text: text, marked: false))
                }
                break
            }
            if c >= 0 { self[row, c] = Cell(ch, style) }
            c += 1
            written += 1
        }
        return c
    }

    /// Records a cut the caller marked itself (a "3 more lines" row, a wrapped text's
    /// last line ending in `…`).
    public mutating func noteCut(row: Int, text: String, marked: Bool) {
        cuts.append(Cut(row: row, text: text, marked: marked))
    }

    /// Fills a row segment with a style (e.g. the selected row's bar).
    public mutating func fill(row: Int, from: Int = 0, to: Int? = nil, style: Style, character: Character = " ") {
        guard row >= 0, row < size.rows else { return }
        for c in max(0, from)..<min(size.columns, to ?? size.columns) { self[row, c] = Cell(character, style) }
    }

    /// The text of one row (trailing spaces kept).
    public func text(row: Int) -> String {
        String(cells[row * size.columns..<(row + 1) * size.columns].map(\.character))
    }

    /// The whole screen as text, one line per row, trailing spaces trimmed.
    public var text: String {
        (0..<size.rows).map { r in
            var line = text(row: r)
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    public static func == (a: Grid, b: Grid) -> Bool {
        a.size == b.size && a.cells == b.cells && a.cursorRow == b.cursorRow && a.cursorColumn == b.cursorColumn
    }

    public func hash(into h: inout Hasher) {
        h.combine(size)
        h.combine(cells)
    }
}

/// A key, as the adapter decodes it from the terminal's bytes.
public enum Key: Hashable, Sendable {
    case character(Character)
    case control(Character)  // ^A … ^Z as the letter
    case enter, escape, backspace, tab, backTab
    case up, down, left, right, pageUp, pageDown, home, end, delete
    case function(Int)
}

/// Everything the pure core reacts to: keys, resizes, and the results of side effects.
public enum TerminalEvent: Hashable, Sendable {
    case key(Key)
    case resize(Size)
    /// SIGHUP/SIGTERM: the terminal is gone or we are told to stop.
    case hangup
    /// A bracketed paste (its first bytes only): text for the prompt that has focus,
    /// never keys (a newline in it confirms nothing).
    case paste(String)
}

/// A terminal as the pure core sees it. The ncurses adapter is one implementation;
/// tests use an in-memory one.
public protocol TerminalDevice: AnyObject {
    /// The current size in cells.
    var size: Size { get }
    /// Shows a frame (the device sends only what changed).
    func draw(_ grid: Grid)
    /// The next key, resize or hangup; nil when `timeoutMilliseconds` passes first.
    func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent?
    /// Repaints everything on the next draw (^L after line noise).
    func forceRedraw()
    /// Keys already wait to be read: the loop handles them before drawing again.
    var hasPendingInput: Bool { get }
}

extension TerminalDevice {
    public var hasPendingInput: Bool { false }
    public func forceRedraw() {}
}
