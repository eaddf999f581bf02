import FinalityEngine
import FinalityFormat
/// Every action a key can trigger.
public enum Action: Hashable, Sendable {
    case quit, help, redraw, back, confirm
    case up, down, pageUp, pageDown, top, bottom
    /// Show a screen (its unit's `opened` reads what it displays).
    case show(Screen)
    case toggleDetail, search, nextMatch, previousMatch, sort, reset, delete, restore, compareBackup, compareFile, writeReport
    case rereadLIB, setAPI, typeLIB, toggleUnchanged
    /// Rebuild a file nodeos refuses from what can be read and the evidence (wizard).
    case repair
    /// Watch the key vote again (Watch screen, live and read-only).
    case watch
    /// The network's view: who votes in the finalizer policy (Network screen, live and read-only).
    case network
    /// Run the interlocks again: read-only mode lifts when its reason is gone.
    case recheck
    /// Export entries to a document for another node (`finality export`).
    case exportDocument
    /// Import a document through the wizard (`finality import`).
    case importDocument
    case submitInput, cancelInput, deleteCharacter, clearInput
}

/// Where a binding applies: everywhere, on one screen, or while typing.
public enum Context: Hashable, Sendable {
    case global
    case screen(Screen)
    /// A text prompt (search, path, typed LIB, reason) or the typed confirmation.
    case input

    /// Help's order: everywhere, each screen in the table's order, typing.
    public static var allCases: [Context] { [.global] + Screen.allCases.map { .screen($0) } + [.input] }

    public var title: String {
        switch self {
        case .global: "Everywhere"
        case .screen(let s): s.title
        case .input: "Typing (prompts and the confirmation)"
        }
    }
}

/// One row of the binding table: keys, what they do, where, and how the key bar and the
/// Help screen name them. The same table drives all three (as in htop and tig).
public struct Binding: Hashable, Sendable {
    public var keys: [Key]
    public var action: Action
    public var context: Context
    /// Short label for the key bar; nil keeps the binding off the bar.
    public var bar: String?
    public var help: String
    /// Changes the file (possibly, after the wizard): absent in read-only mode.
    public var mutates: Bool

    public init(_ keys: [Key], _ action: Action, _ context: Context, bar: String? = nil, _ help: String, mutates: Bool = false) {
        self.keys = keys
        self.action = action
        self.context = context
        self.bar = bar
        self.help = help
        self.mutates = mutates
    }

    /// How the key bar and Help spell the first key ("?", "^L", "Enter").
    public var keyName: String { keys.first.map(Key.name) ?? "" }
    public var allKeyNames: String { keys.map(Key.name).joined(separator: " ") }
}

extension Key {
    public static func name(_ key: Key) -> String {
        switch key {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "^" + String(c).uppercased()
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Bksp"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .delete: "Del"
        case .function(let n): "F\(n)"
        }
    }
}

public enum Bindings {
    private static func c(_ s: Character) -> Key { .character(s) }

    /// The screens, each a unit in its own file (`ScreenUnit`). A new screen is one line
    /// here, its keys in the table below, and its own file.
    public static let screens: [any ScreenUnit.Type] = [
        EntriesScreen.self, LIBScreen.self, DiffScreen.self, HistoryScreen.self, HelpScreen.self, WizardScreen.self,
        WatchScreen.self, NetworkScreen.self,
    ]

    /// The table. Order matters for the key bar (left to right) and Help (top to bottom);
    /// within a context, the first binding of a key wins, and a context's own binding wins
    /// over a global one.
    public static let table: [Binding] = [
        Binding([c("?"), .function(1)], .help, .global, bar: "Help", "Show this help (from any screen)"),
        Binding([c("q"), .function(10)], .quit, .global, bar: "Quit", "Quit (nothing is written; the wizard asks first)"),
        Binding([.escape], .back, .global, "Go back: close a prompt, a step, a screen (never quits)"),
        Binding([c("j"), .down, .control("n")], .down, .global, "Next row"),
        Binding([c("k"), .up, .control("p")], .up, .global, "Previous row"),
        Binding([.control("f"), .pageDown, c(" ")], .pageDown, .global, "Next page"),
        Binding([.control("b"), .pageUp], .pageUp, .global, "Previous page"),
        Binding([c("g"), .home], .top, .global, "First row"),
        Binding([c("G"), .end], .bottom, .global, "Last row"),
        Binding([.control("l")], .redraw, .global, "Redraw the screen"),
        Binding([.control("r")], .recheck, .global, "Check again: is a node running, is the file writable"),
        Binding([c("e"), .function(2)], .show(.entries), .global, bar: "Entries", "Entries screen (the file)"),
        Binding([c("l"), .function(3)], .show(.lib), .global, bar: "LIB", "LIB screen (every source, side by side)"),
        Binding([c("v"), .function(4)], .show(.diff), .global, bar: "Diff", "Diff screen (the pending plan or a comparison)"),
        Binding([c("h"), .function(5)], .show(.history), .global, bar: "History", "History screen (backups and audit records)"),
        Binding([c("w")], .writeReport, .global, bar: "Report", "Write the plain-text case report to a file"),

        Binding([.enter], .toggleDetail, .screen(.entries), "Every field of the selected entry, or back to the list"),
        Binding([c("/")], .search, .screen(.entries), bar: "Search", "Filter entries by key text"),
        Binding([c("n")], .nextMatch, .screen(.entries), "Next entry matching the search (the whole list stays)"),
        Binding([c("N")], .previousMatch, .screen(.entries), "Previous entry matching the search"),
        Binding([c("s")], .sort, .screen(.entries), bar: "Sort", "Sort by the next column (file order, key, last vote, lock)"),
        Binding([c("r")], .reset, .screen(.entries), bar: "Reset", "Reset the selected entry to a LIB (wizard)", mutates: true),
        Binding([c("d")], .delete, .screen(.entries), bar: "Delete", "Delete the selected entry (wizard)", mutates: true),
        Binding([c("R")], .repair, .screen(.entries), bar: "Repair", "Repair a file nodeos refuses: every configured key, from the evidence (wizard)", mutates: true),
        Binding([c("x")], .exportDocument, .screen(.entries), "Export the selected entry, or every entry (Tab), to a document for another node"),
        Binding([c("i")], .importDocument, .screen(.entries), "Import a document from another node (wizard): add or raise its keys' entries", mutates: true),
        Binding([c("W")], .watch, .screen(.entries), "Watch the selected key vote: head, LIB, its last vote (live, read-only)"),

        Binding([c("u")], .rereadLIB, .screen(.lib), bar: "Re-read", "Ask every LIB source again"),
        Binding([c("a")], .setAPI, .screen(.lib), bar: "API", "Set the node API URL and ask it"),
        Binding([c("t")], .typeLIB, .screen(.lib), bar: "Type", "Type a LIB: block id and time or slot"),
        Binding([c("n")], .network, .screen(.lib), bar: "Network", "Network screen: which finalizers of the policy vote, the weight missing for a quorum (live)"),
        Binding([c("n")], .network, .screen(.watch), bar: "Network", "Network screen: which finalizers of the policy vote, the weight missing for a quorum (live)"),

        Binding([c("s")], .sort, .screen(.network), bar: "Sort", "Sort by the next column (status, policy order, weight, last vote)"),
        Binding([c("a")], .setAPI, .screen(.network), bar: "APIs", "Ask other node APIs (several, separated by spaces): they are compared"),

        Binding([c("c")], .compareFile, .screen(.diff), bar: "Compare", "Compare the file with another file (a backup, another node's copy)"),
        Binding([c("a")], .toggleUnchanged, .screen(.diff), bar: "All/changed", "Show all fields or only changed ones"),

        Binding([c("c"), .enter], .compareBackup, .screen(.history), bar: "Compare", "Diff the file against the selected backup"),
        Binding([c("r")], .restore, .screen(.history), bar: "Restore", "Restore the selected backup (wizard)", mutates: true),

        Binding([c("q")], .back, .screen(.help), bar: "Close", "Close Help (as in less); ESC too"),

        Binding([.enter], .confirm, .screen(.wizard), bar: "Next", "Go on to the next step"),
        Binding([c("v")], .show(.diff), .screen(.wizard), "Step 3: the plan on the Diff screen (ESC returns here)"),
        Binding([c("/")], .search, .screen(.wizard), "Step 3: search the review (n and N step through the matches)"),
        Binding([c("n")], .nextMatch, .screen(.wizard), "Step 3: next line of the review matching the search"),
        Binding([c("N")], .previousMatch, .screen(.wizard), "Step 3: previous line of the review matching the search"),
        Binding([c("r")], .reset, .screen(.wizard), bar: "Reset", "Step 1: choose reset", mutates: true),
        Binding([c("d")], .delete, .screen(.wizard), bar: "Delete", "Step 1: choose delete", mutates: true),
        Binding([c("t")], .typeLIB, .screen(.wizard), "Step 2: type a LIB"),
        Binding([c("u")], .rereadLIB, .screen(.wizard), "Step 2: ask the LIB sources again"),
        Binding([c("W")], .watch, .screen(.wizard), bar: "Watch", "Step 5: start nodeos, then watch the key vote again"),
        Binding([.enter], .submitInput, .input, "Accept what was typed"),
        Binding([.escape], .cancelInput, .input, "Cancel (nothing is done)"),
        Binding([.backspace], .deleteCharacter, .input, "Delete the last character"),
        Binding([.control("u")], .clearInput, .input, "Clear the line"),
    ]

    /// The bindings of a screen, given read-only mode (mutations absent): its own first,
    /// then the global ones the screen lets through.
    public static func active(on screen: Screen, readOnly: Bool) -> [Binding] {
        let own = table.filter { $0.context == .screen(screen) && (!readOnly || !$0.mutates) }
        let global = table.filter { $0.context == .global && screen.unit.keepsGlobal($0) }
        return own + global
    }

    /// The bindings that answer now: the screen's, narrowed by its state (a wizard step).
    public static func active(in state: AppState) -> [Binding] {
        let unit = state.screen.unit
        return active(on: state.screen, readOnly: state.isReadOnly).filter { unit.applies($0, state) }
    }

    /// The action for a key while typing, or nil (the key is text, or ignored).
    public static func inputAction(for key: Key) -> Action? {
        table.first { $0.context == .input && $0.keys.contains(key) }?.action
    }

    /// The action for a key on a screen, or nil (unbound keys do nothing).
    public static func action(for key: Key, on screen: Screen, readOnly: Bool) -> Action? {
        active(on: screen, readOnly: readOnly).first { $0.keys.contains(key) }?.action
    }

    /// The action for a key in this state, or nil.
    public static func action(for key: Key, in state: AppState) -> Action? {
        active(in: state).first { $0.keys.contains(key) }?.action
    }

    /// The key bar: the screen's own labelled bindings first, then the global ones.
    public static func bar(on screen: Screen, readOnly: Bool) -> [(key: String, label: String)] {
        labels(active(on: screen, readOnly: readOnly))
    }

    /// The key bar for this state: only what answers now (a wizard step's keys).
    public static func bar(in state: AppState) -> [(key: String, label: String)] {
        labels(active(in: state))
    }

    /// Labelled bindings whose key does what the label says here (a screen's own `q`
    /// shadows the global Quit on the bar too).
    static func labels(_ bindings: [Binding]) -> [(key: String, label: String)] {
        bindings.compactMap { b in
            guard let label = b.bar, let key = b.keys.first, bindings.first(where: { $0.keys.contains(key) })?.action == b.action else { return nil }
            return (key: b.keyName, label: label)
        }
    }
}
