import FinalityEngine
import FinalityFormat
/// A screen's identity: a stable name. Each screen declares its own in its file
/// (`extension Screen { public static let lib = Screen("lib") }`), so adding a screen does
/// not touch a list of cases here.
public struct Screen: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    /// Every screen, in the binding table's order.
    public static var allCases: [Screen] { Bindings.screens.map { $0.screen } }

    /// The unit that draws this screen and answers its keys.
    public var unit: any ScreenUnit.Type {
        Bindings.screens.first { $0.screen == self } ?? EntriesScreen.self
    }

    /// Stable titles support staff can name on the phone.
    public var title: String { unit.title }
}

/// What every screen answers (tig's view operations, htop's panel functions): draw,
/// handle an action, go back, say where the operator is, which bindings apply. A screen
/// is one type in one file; the binding table (`Bindings`) lists it and its keys.
public protocol ScreenUnit: Sendable {
    static var screen: Screen { get }
    /// The title bar's name ("Entries", "LIB"), stable for support staff.
    static var title: String { get }
    /// The title bar's text when it says more than the name (the wizard's step).
    static func titleText(_ state: AppState) -> String
    /// Draws the body (between the title bar and the status bar).
    static func draw(_ g: inout Grid, _ state: AppState, _ body: Rect)
    /// Answers an action bound on this screen, or one it takes over from the global
    /// bindings; nil lets the global handling run.
    static func handle(_ action: Action, _ state: inout AppState) -> [Effect]?
    /// ESC: close the innermost thing; never quits.
    static func back(_ state: inout AppState)
    /// Moves the selection or the scroll by `delta` rows (saturated at both ends).
    static func move(_ state: inout AppState, by delta: Int)
    /// How far Space/PgDn and PgUp move: a scrolling view's page (its rows less one).
    static func page(_ state: AppState) -> Int
    /// Where the operator is ("row 3 of 40 · sort: lock"), at the status bar's right.
    static func position(_ state: AppState) -> String
    /// Effects to run when the screen is shown (read what it displays).
    static func opened(_ state: inout AppState) -> [Effect]
    /// Whether a binding of this screen (or a global one) answers in this state.
    static func applies(_ binding: Binding, _ state: AppState) -> Bool
    /// Global bindings this screen lets through at all (the wizard keeps out jumps to
    /// other screens half-way through a change).
    static func keepsGlobal(_ binding: Binding) -> Bool
}

extension ScreenUnit {
    public static func titleText(_ state: AppState) -> String { title }
    public static func handle(_ action: Action, _ state: inout AppState) -> [Effect]? { nil }
    public static func back(_ state: inout AppState) { state.screen = .entries }
    public static func move(_ state: inout AppState, by delta: Int) {}
    public static func position(_ state: AppState) -> String { "" }
    public static func page(_ state: AppState) -> Int { Core.pageRows(state) }
    public static func opened(_ state: inout AppState) -> [Effect] { [] }
    public static func applies(_ binding: Binding, _ state: AppState) -> Bool { true }
    public static func keepsGlobal(_ binding: Binding) -> Bool { true }
}

/// Saturating list arithmetic every screen's `move` uses.
enum Selection {
    static func add(_ a: Int, _ b: Int) -> Int {
        a.addingReportingOverflow(b).overflow ? (b > 0 ? Int.max / 2 : -Int.max / 2) : a + b
    }

    /// `index` moved by `delta` within `0..<count` (0 when empty).
    static func moved(_ index: Int, by delta: Int, count: Int) -> Int {
        max(0, min(count - 1, add(index, delta)))
    }
}

/// A screen that is one scrolling text below the title bar (Help, Watch, Network): its
/// lines and where it keeps its scroll offset; moving, paging and drawing come with it.
protocol ScrollingText: ScreenUnit {
    /// The text at `width` columns; nil when there is nothing to show (no watch running).
    static func text(_ state: AppState, width: Int) -> [(String, Style)]?
    /// The scroll offset (nil while there is nothing to show), and setting it.
    static func scroll(_ state: AppState) -> Int?
    static func scroll(_ state: inout AppState, to top: Int)
}

extension ScrollingText {
    static func body(_ state: AppState) -> Rect { Rect(row: 1, column: 0, rows: state.size.rows - 3, columns: state.size.columns) }

    static func view(_ state: AppState) -> ScrollView? {
        text(state, width: state.size.columns).map { ScrollView($0, in: body(state)) }
    }

    static func move(_ state: inout AppState, by delta: Int) {
        guard let top = scroll(state), let view = view(state) else { return }
        scroll(&state, to: view.moved(top, by: delta))
    }

    static func page(_ state: AppState) -> Int { view(state)?.page ?? Core.pageRows(state) }

    /// Draws the text, or `empty` when there is none.
    static func drawText(_ g: inout Grid, _ state: AppState, _ body: Rect, empty: String) {
        guard let lines = text(state, width: body.columns), let top = scroll(state) else {
            g.put(SafeText(empty), row: body.row, column: 0, style: .dim)
            return
        }
        ScrollView(lines, in: body).draw(&g, top: top)
    }
}
