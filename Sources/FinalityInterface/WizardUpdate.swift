import FinalityEngine
import FinalityFormat

/// The wizard's steps as `update` drives them: forward on Enter, the typed confirmation.
extension Core {
    static func wizardNext(_ state: inout AppState) -> [Effect] {
        guard var w = state.wizard else { return [] }
        // A repair may create a missing file: its plan is bound to "no file" (empty bytes).
        let missing = state.file == nil && state.fileMissing && w.action == .repair
        if let f = state.file, f.sha256 == nil {
            // The first screen comes before the SHA-256 (a fraction of a second on a large
            // file); a plan is bound to it, so the wizard waits for it, then goes on.
            state.wizardAwaitsHash = true
            state.busy = "computing the file's SHA-256 (a plan is bound to it)"
            return [.awaitHash(load: f.loadID)]
        }
        guard let fileSHA256 = state.file?.sha256 ?? (missing ? Digest.sha256([]) : nil) else { return [] }
        if state.isReadOnly, w.step < .result { return [] }
        var effects = [Effect]()
        switch w.step {
        case .chooseEntry:
            if w.action == .restore {
                guard w.backup != nil else { return [] }
            } else if w.action == .repair {
                // The whole file: no entry to choose; the keys are the node's.
                w.keyText = nil
            } else if w.action == .importDocument {
                // The document names its keys.
                guard w.documentPath != nil else { return [] }
                w.keyText = nil
            } else if w.allNotVoting, w.action == .reset {
                // Every key that will not vote: the engine decides which, as for `--not-voting`.
                w.keyText = nil
            } else if let entry = wizardEntry(state) {
                w.keyText = entry.key.text
            } else {
                return []
            }
            if w.needsLIB {
                w.step = .chooseLIB
                if !state.lib.asked {
                    state.lib.asked = true
                    state.busy = "asking LIB sources"
                    effects.append(.readLIB(defaultLIBRequests(state)))
                }
            } else {
                effects.append(
                    review(&state, &w, fileSHA256: fileSHA256, libChosen: nil, libReason: nil, backupPath: w.backup?.path))
            }
        case .chooseLIB:
            guard w.libSelected < state.lib.answers.count, state.lib.answers[w.libSelected].reading != nil else {
                state.status = StatusMessage(.warning, "choose a LIB source that answered (t: type one)")
                return []
            }
            // Sources that disagree are never picked silently: the operator says why.
            if state.lib.disagreement, (w.libReason ?? "").isEmpty {
                state.prompt = Prompt(purpose: .libReason, label: "Sources disagree. Why this one? ")
                return []
            }
            // The index among the readings (sources that answered), as the engine counts.
            let chosen = state.lib.answers[..<w.libSelected].filter { $0.reading != nil }.count
            effects.append(review(&state, &w, fileSHA256: fileSHA256, libChosen: chosen, libReason: w.libReason, backupPath: nil))
        case .review:
            guard let plan = w.plan, plan.refusal == nil else { return [] }
            w.step = .confirm
            w.typed = ""
        case .confirm:
            break
        case .result:
            state.wizard = nil
            state.screen = .entries
            return []
        }
        state.wizard = w
        return effects
    }

    /// Keys at step 4: typed text goes into the confirmation; Enter checks it.
    static func confirmKey(_ state: inout AppState, _ key: Key) -> [Effect]? {
        guard var w = state.wizard else { return nil }
        if case .character("?") = key { return nil }  // Help stays reachable; key text never contains "?"
        if case .character(let ch) = key {
            w.typed.append(ch)
            w.confirmError = nil
            state.wizard = w
            return []
        }
        switch Bindings.inputAction(for: key) {
        case .deleteCharacter:
            if !w.typed.isEmpty { w.typed.removeLast() }
        case .clearInput:
            w.typed = ""
        case .submitInput:
            guard !state.isReadOnly, let plan = w.plan else { return [] }
            guard plan.confirmation.accepts(w.typed) else {
                w.confirmError = "that does not match: nothing was written"
                w.typed = ""
                state.wizard = w
                return []
            }
            state.wizard = w
            state.busy = "applying: backup, write, read back, audit"
            return [.apply(planID: plan.id, request: plan.request)]
        default:
            return nil  // ESC, ?, ^L and the rest through the bindings
        }
        state.wizard = w
        return []
    }

}

extension Core {
    /// Step 1's first line: the entries that will not vote, when two or more do (one key
    /// alone is chosen as its entry).
    static func notVotingChoice(_ state: AppState) -> [Int]? {
        guard let n = EntryFacts.notVoting(state), n.count >= 2 else { return nil }
        return n
    }

    /// Step 3: the plan is computed outside the core (an effect); until it comes back the
    /// review shows that it is being computed. The wizard only says what the operator chose
    /// (the kind of change, the entry or backup, the LIB readings seen at step 2 and the one
    /// chosen, the node API and config dir given): the engine gathers the rest itself,
    /// exactly as for the command line.
    static func review(
        _ state: inout AppState, _ w: inout WizardState, fileSHA256: Bytes32, libChosen: Int?, libReason: String?, backupPath: String?
    ) -> Effect {
        w.step = .review
        w.plan = nil
        state.busy = "computing the plan"
        return .computePlan(changeRequest(state, w, fileSHA256: fileSHA256, libChosen: libChosen, libReason: libReason, backupPath: backupPath))
    }

    /// The operator's choices as the engine's one request.
    static func changeRequest(
        _ state: AppState, _ w: WizardState, fileSHA256: Bytes32, libChosen: Int?, libReason: String?, backupPath: String?
    ) -> ChangeRequest {
        let kind: ChangeRequest.Kind =
            switch w.action {
            case .reset: w.allNotVoting ? .resetKeys(.notVoting) : .reset(key: w.keyText ?? "")
            case .delete: .delete(key: w.keyText ?? "")
            case .restore: .restore(backup: backupPath ?? "")
            case .repair: .repair
            // Every key of the document, as `finality import PATH DOCUMENT` without --key.
            case .importDocument: .importDocument(path: w.documentPath ?? "", keys: [])
            }
        return ChangeRequest(
            kind, path: state.location.file, lib: .readings(state.lib.readings), libChoice: libChosen, libReason: libReason,
            apiURLs: state.lib.askAPI && !state.lib.apiURL.isEmpty ? [state.lib.apiURL] : [], apiTimeoutSeconds: state.lib.apiTimeoutSeconds,
            configDir: state.configDir, expectedSHA256: fileSHA256,
            // The command line's defaults: votes ahead of now by up to 10 minutes count as
            // clock skew; none further ahead is discarded (the review refuses and says why).
            clockSkewSeconds: EvidenceSet.defaultToleranceSeconds, futureVoteDiscards: [])
    }
}
