import FinalityEngine
import FinalityFormat

/// One-line prompts (search, paths, a typed LIB, a reason): typing and submitting.
extension Core {
    static func promptKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        guard var p = state.prompt else { return [] }
        if case .character(let ch) = key {
            p.text.append(ch)
            state.prompt = p
            if p.purpose == .search { narrow(&state, to: p.text) }
            return []
        }
        switch Bindings.inputAction(for: key) {
        case .deleteCharacter:
            if !p.text.isEmpty { p.text.removeLast() }
        case .clearInput:
            p.text = ""
        case .cancelInput:
            state.prompt = nil
            if p.purpose == .search { clearFilterKeepingSelection(&state) }
            return []
        case .submitInput:
            state.prompt = nil
            return submit(&state, p)
        default:
            // Tab in the export prompt: the selected entry or every entry.
            if key == .tab, case .exportPath = p.purpose { toggleExportScope(&state) }
            return []
        }
        state.prompt = p
        if p.purpose == .search { narrow(&state, to: p.text) }
        return []
    }

    /// Search narrows the rows as the operator types, from the first row.
    static func narrow(_ state: inout AppState, to text: String) {
        state.entries.filter = text
        refreshRows(&state)
        state.entries.selected = 0
        state.entries.scroll = 0
    }

    static func submit(_ state: inout AppState, _ p: Prompt) -> [Effect] {
        let text = Format.trimmed(p.text)
        switch p.purpose {
        case .search:
            state.entries.filter = text
            refreshRows(&state)
            return []
        case .reviewSearch:
            state.wizard?.reviewSearch = text
            WizardScreen.findInReview(&state, forward: true, fromTop: true)
            return []
        case .compareWith:
            guard !text.isEmpty else { return [] }
            state.busy = "comparing"
            return [.compareFiles(old: state.location.file, new: text)]
        case .reportPath:
            guard !text.isEmpty else { return [] }
            state.busy = "writing the report"
            let errors = state.lib.answers.compactMap { a -> String? in
                if case .failure(let e) = a.result { return CaseReport.libErrorLine(a.request, e) }
                return nil
            }
            return [.writeReport(path: text, location: state.location, readings: state.lib.readings, libErrors: errors)]
        case .apiURL:
            state.lib.apiURL = text
            state.lib.askAPI = !text.isEmpty
            guard !text.isEmpty else { return [] }
            state.busy = "asking \(text)"
            return [.readLIB([.api(text, timeoutSeconds: state.lib.apiTimeoutSeconds)])]
        case .watchAPI:
            guard !text.isEmpty else { return [] }
            state.lib.apiURL = text
            state.lib.askAPI = true
            return WatchScreen.startFromHere(&state)
        case .networkAPI:
            return NetworkScreen.apisGiven(&state, text)
        case .libReason:
            guard state.wizard?.step == .chooseLIB, ReasonRule.problem(text, for: "") == nil else {
                // The same minimum as the command line's (ReasonRule, in the engine).
                state.status = StatusMessage(.warning, ReasonRule.problem(text, for: "choosing between LIB sources that disagree") ?? "")
                state.prompt = Prompt(purpose: .libReason, label: "Sources disagree. Why this one? ", text: text)
                return []
            }
            state.wizard?.libReason = text
            return wizardNext(&state)
        case .exportPath(let all):
            return submitExport(&state, allEntries: all, text: text)
        case .importPath:
            return submitImport(&state, text: text)
        case .typedLIB:
            let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 2 else {
                state.status = StatusMessage(.error, "type the block id (64 hex digits), a space, then a time (2024-05-01T12:00:00.500) or a slot")
                return []
            }
            return [.readLIB([.typed(id: parts[0], timeOrSlot: parts[1])])]
        }
    }

}
