import FinalityEngine
import FinalityFormat

/// What the export prompt asks the runner to do: the engine's `InterchangeExport.Request`
/// as the interface fills it (the file, the keys chosen, the LIB sources the screen asks:
/// the data dir's blocks.log and the node API when one is given), and the path typed.
public struct ExportOrder: Hashable, Sendable {
    /// The safety file (or data dir) to export from.
    public var path: String
    /// Full key texts; empty: every entry.
    public var keys: [String]
    /// Where the chain id comes from (the engine's own sources, as the LIB screen asks them).
    public var sources: [LIBRequest]
    /// The document's path, as the operator left it in the prompt (absolute).
    public var target: String
    public init(path: String, keys: [String], sources: [LIBRequest], target: String) {
        self.path = path
        self.keys = keys
        self.sources = sources
        self.target = target
    }
}

/// What an export wrote.
public struct ExportDone: Hashable, Sendable {
    public var target: String
    public var keyCount: Int
    public var chainID: String
    public var chainIDSource: String
    /// Sources that could not be read (said, not fatal when another named the chain).
    public var notes: [String]
    public init(target: String, keyCount: Int, chainID: String, chainIDSource: String, notes: [String] = []) {
        self.target = target
        self.keyCount = keyCount
        self.chainID = chainID
        self.chainIDSource = chainIDSource
        self.notes = notes
    }
}

/// Moving a key to another node (issue 24, item 4): `x` exports entries to a document the
/// way `finality export` does (same engine function, same interlocks, same chain-id
/// sources), `i` imports one through the wizard (the same request as `finality import`).
extension Core {
    /// `x`: the runner names the document as `finality export` would without --out; the
    /// prompt then shows that name whole, editable.
    static func startExport(_ state: inout AppState) -> [Effect] {
        guard let file = state.file else {
            state.status = StatusMessage(
                .warning, state.fileMissing ? "nothing to export: the file does not exist (R: a repair creates it)" : "nothing to export: the file could not be read")
            return []
        }
        guard file.safetyFile != nil else {
            state.status = StatusMessage(.warning, "nothing to export: nodeos refuses this file (R: repair it first)")
            return []
        }
        guard !file.entries.isEmpty else {
            state.status = StatusMessage(.warning, "the file has no entries: nothing to export")
            return []
        }
        state.busy = "naming the document"
        return [.proposeExport(state.location, workingDirectory: state.workingDirectory, home: state.home)]
    }

    /// The prompt, with the engine's default name: the selected entry first (Tab: every entry).
    static func exportProposed(_ state: inout AppState, _ path: String) {
        state.busy = nil
        guard state.screen == .entries else { return }
        state.prompt = Prompt(purpose: .exportPath(allEntries: false), label: "Export to: ", text: path)
    }

    /// `i`: the document's path (the place exports go by default, to complete).
    static func startImport(_ state: inout AppState) -> [Effect] {
        guard !state.isReadOnly else { return [] }
        let dir = state.reportDirectory
        state.prompt = Prompt(purpose: .importPath, label: "Import from: ", text: dir.hasSuffix("/") ? dir : dir + "/")
        return []
    }

    /// Tab in the export prompt: the selected entry or every entry.
    static func toggleExportScope(_ state: inout AppState) {
        guard var p = state.prompt, case .exportPath(let all) = p.purpose else { return }
        p.purpose = .exportPath(allEntries: !all)
        state.prompt = p
    }

    /// Enter in the export prompt: the engine's export, to the path as typed.
    static func submitExport(_ state: inout AppState, allEntries: Bool, text: String) -> [Effect] {
        guard !text.isEmpty else { return [] }
        var keys = [String]()
        if !allEntries {
            guard let entry = selectedEntry(state) else {
                state.status = StatusMessage(.warning, "no entry selected")
                return []
            }
            keys = [entry.key.text]
        }
        let target = PathText.absolute(text, base: state.workingDirectory ?? "/")
        state.busy = "exporting"
        return [.exportDocument(ExportOrder(path: state.location.file, keys: keys, sources: defaultLIBRequests(state), target: target))]
    }

    static func exported(_ state: inout AppState, _ result: Result<ExportDone, EngineError>) {
        state.busy = nil
        switch result {
        case .success(let done):
            let n = done.keyCount
            let keys = "\(Format.number(n)) key\(n == 1 ? "" : "s")"
            state.status = StatusMessage(
                .good, "exported \(keys) to the document named above", path: done.target,
                detail: [
                    "Exported \(keys), chain \(done.chainID.prefix(12))… (from \(done.chainIDSource))."
                ] + done.notes.map { "note: " + $0 } + [
                    "Copy it to the standby node and import it there (i). Before the key votes there it must stop voting here: remove it from this node's config.ini, or keep this node stopped."
                ])
        case .failure(let e):
            // The reason whole (the status bar is one row): on rows of its own above it.
            state.status = StatusMessage(.error, "nothing exported: the reason is above", detail: ["Nothing exported: " + e.description])
        }
    }

    /// Enter in the import prompt: the wizard, straight to the review (nothing to choose
    /// at steps 1 and 2: the document says the keys, and the chain comes from the LIB
    /// sources the screen asked).
    static func submitImport(_ state: inout AppState, text: String) -> [Effect] {
        guard !text.isEmpty, !text.hasSuffix("/") else {
            state.status = StatusMessage(.warning, "type the path of the document to import (i)")
            return []
        }
        var w = WizardState(action: .importDocument)
        // As `finality import` makes it absolute, against the working directory.
        w.documentPath = PathText.absolute(text, base: state.workingDirectory ?? "/")
        state.wizard = w
        state.screen = .wizard
        return wizardNext(&state)
    }

    /// The rows above the status bar while the export or import prompt is open: what it
    /// does, then the path whole (`Render.pathPanel` hard-wraps it).
    static func moveKeyPanel(_ state: AppState) -> (titles: [String], path: String)? {
        guard let p = state.prompt else { return nil }
        switch p.purpose {
        case .exportPath(let all):
            let count = state.file?.entries.count ?? 0
            // The selected entry as the Key column names it: the 8 characters after PUB_BLS_.
            let selected = selectedEntry(state).map { "the selected entry, \(String($0.key.text.dropFirst(8).prefix(8)))" } ?? "the selected entry"
            let chosen = all ? "all \(Format.number(count)) entries" : selected
            let other = all ? selected : "all \(Format.number(count)) entries"
            return (["Export \(chosen) (Tab: \(other)) to this new file (edit it if you like; Enter writes it, ESC cancels):"], p.text)
        case .importPath:
            return (["Import the document at this path (Enter: review the import; ESC cancels):"], p.text)
        default:
            return nil
        }
    }
}
