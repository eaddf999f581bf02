/// Every action a key can trigger.
public enum Action: String, Hashable, Sendable, CaseIterable {
    case quit, help, redraw, back, confirm
    case up, down, pageUp, pageDown, top, bottom
    case showEntries, showLIB, showDiff, showHistory
    case toggleDetail, search, sort, reset, delete, restore, compareBackup, compareFile, writeReport
    case rereadLIB, setAPI, typeLIB, toggleUnchanged
    case submitInput, cancelInput, deleteCharacter, clearInput
}

/// Where a binding applies.
public enum Context: String, Hashable, Sendable, CaseIterable {
    case global, entries, lib, diff, history, help, wizard
    /// A text prompt (search, path, typed LIB, reason) or the typed confirmation.
    case input

    public var title: String {
        switch self {
        case .global: "Everywhere"
        case .entries: "Entries"
        case .lib: "LIB"
        case .diff: "Diff"
        case .history: "History"
        case .help: "Help"
        case .wizard: "Wizard"
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

    /// The table. Order matters for the key bar (left to right) and Help (top to bottom);
    /// within a context, the first binding of a key wins, and a context's own binding wins
    /// over a global one.
    public static let table: [Binding] = [
        Binding([c("?"), .function(1)], .help, .global, bar: "Help", "Show this help (from any screen)"),
        Binding([c("q"), .function(10)], .quit, .global, bar: "Quit", "Quit (nothing is written; the wizard is abandoned)"),
        Binding([.escape], .back, .global, "Go back: close a prompt, a step, a screen (never quits)"),
        Binding([c("j"), .down, .control("n")], .down, .global, "Next row"),
        Binding([c("k"), .up, .control("p")], .up, .global, "Previous row"),
        Binding([.control("f"), .pageDown, c(" ")], .pageDown, .global, "Next page"),
        Binding([.control("b"), .pageUp], .pageUp, .global, "Previous page"),
        Binding([c("g"), .home], .top, .global, "First row"),
        Binding([c("G"), .end], .bottom, .global, "Last row"),
        Binding([.control("l")], .redraw, .global, "Redraw the screen"),
        Binding([c("e"), .function(2)], .showEntries, .global, bar: "Entries", "Entries screen (the file)"),
        Binding([c("l"), .function(3)], .showLIB, .global, bar: "LIB", "LIB screen (every source, side by side)"),
        Binding([c("v"), .function(4)], .showDiff, .global, bar: "Diff", "Diff screen (the pending plan or a comparison)"),
        Binding([c("h"), .function(5)], .showHistory, .global, bar: "History", "History screen (backups and audit records)"),
        Binding([c("w")], .writeReport, .global, bar: "Report", "Write the plain-text case report to a file"),

        Binding([.enter, c("i")], .toggleDetail, .entries, "Every field of the selected entry, or back to the list"),
        Binding([c("/")], .search, .entries, bar: "Search", "Filter entries by key text"),
        Binding([c("s")], .sort, .entries, bar: "Sort", "Sort by the next column (file order, key, last vote, lock)"),
        Binding([c("r")], .reset, .entries, bar: "Reset", "Reset the selected entry to a LIB (wizard)", mutates: true),
        Binding([c("d")], .delete, .entries, bar: "Delete", "Delete the selected entry (wizard)", mutates: true),

        Binding([c("u")], .rereadLIB, .lib, bar: "Re-read", "Ask every LIB source again"),
        Binding([c("a")], .setAPI, .lib, bar: "API URL", "Set the node API URL and ask it"),
        Binding([c("t")], .typeLIB, .lib, bar: "Type LIB", "Type a LIB: block id and time or slot"),

        Binding([c("c")], .compareFile, .diff, bar: "Compare", "Compare the file with another file (a backup, another node's copy)"),
        Binding([c("a")], .toggleUnchanged, .diff, bar: "All/changed", "Show all fields or only changed ones"),

        Binding([c("c"), .enter], .compareBackup, .history, bar: "Compare", "Diff the file against the selected backup"),
        Binding([c("r")], .restore, .history, bar: "Restore", "Restore the selected backup (wizard)", mutates: true),

        Binding([.enter], .confirm, .wizard, bar: "Next", "Go on to the next step"),
        Binding([c("v")], .showDiff, .wizard, "Step 3: the plan on the Diff screen (ESC returns here)"),
        Binding([c("r")], .reset, .wizard, bar: "Reset", "Step 1: choose reset", mutates: true),
        Binding([c("d")], .delete, .wizard, bar: "Delete", "Step 1: choose delete", mutates: true),
        Binding([c("t")], .typeLIB, .wizard, "Step 2: type a LIB"),
        Binding([.enter], .submitInput, .input, "Accept what was typed"),
        Binding([.escape], .cancelInput, .input, "Cancel (nothing is done)"),
        Binding([.backspace], .deleteCharacter, .input, "Delete the last character"),
        Binding([.control("u")], .clearInput, .input, "Clear the line"),
        Binding([c("u")], .rereadLIB, .wizard, "Step 2: ask the LIB sources again"),
    ]

    /// The bindings live on a screen, given read-only mode (mutations absent).
    public static func active(on screen: Screen, readOnly: Bool) -> [Binding] {
        let ctx = context(of: screen)
        let own = table.filter { $0.context == ctx && (!readOnly || !$0.mutates) }
        // The wizard is modal: no jumping to other screens half-way through a change.
        let modal: Set<Action> = [.showEntries, .showLIB, .showHistory, .writeReport]
        let global = table.filter { $0.context == .global && !(screen == .wizard && modal.contains($0.action)) }
        return own + global
    }

    public static func context(of screen: Screen) -> Context {
        switch screen {
        case .entries: .entries
        case .lib: .lib
        case .diff: .diff
        case .history: .history
        case .help: .help
        case .wizard: .wizard
        }
    }

    /// The action for a key while typing, or nil (the key is text, or ignored).
    public static func inputAction(for key: Key) -> Action? {
        table.first { $0.context == .input && $0.keys.contains(key) }?.action
    }

    /// The action for a key on a screen, or nil (unbound keys do nothing).
    public static func action(for key: Key, on screen: Screen, readOnly: Bool) -> Action? {
        active(on: screen, readOnly: readOnly).first { $0.keys.contains(key) }?.action
    }

    /// The key bar: the screen's own labelled bindings first, then the global ones. In the
    /// wizard, only what the current step answers to.
    public static func bar(on screen: Screen, readOnly: Bool, step: WizardStep? = nil) -> [(key: String, label: String)] {
        let all = active(on: screen, readOnly: readOnly)
            .filter { b in
                guard let step else { return true }
                switch b.action {
                case .reset, .delete: return step == .chooseEntry
                case .typeLIB, .rereadLIB: return step == .chooseLIB
                case .showDiff: return step == .review
                default: return true
                }
            }
            .compactMap { b in b.bar.map { (b.keyName, $0) } }
        return all.map { (key: $0.0, label: $0.1) }
    }
}
