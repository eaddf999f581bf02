import FoundationEssentials
import FinalityFormat

/// One step the operator takes after a change. `command`, when set, is meant to be
/// copied: front ends print it on a line of its own, never wrapped into other text.
public struct NextStep: Hashable, Sendable {
    public var text: String
    public var command: String?
    public init(_ text: String, command: String? = nil) {
        self.text = text
        self.command = command
    }
}

/// What applying did, and what to do next.
public struct ChangeOutcome: Sendable {
    /// nil: the plan changed nothing, and nothing was written (`ChangeVerdict.nothingToChange`).
    public var result: ApplyResult?
    public var plan: Plan
    public var nextSteps: [NextStep]
}

/// A word as a shell reads it back: plain when it only holds safe characters, else in
/// single quotes (a path with a space must still paste as one argument).
public enum ShellWord {
    public static func quoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:=,@%")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingLiteral("'", with: "'\\''") + "'"
    }
}

extension ChangeWorkflow {
    /// The one next-steps text.
    /// Commands name the data dir when there is one, so they run every interlock again.
    public static func nextSteps(_ plan: Plan, _ result: ApplyResult, location: Location) -> [NextStep] {
        var out = [NextStep]()
        let target = ShellWord.quoted(location.dataDir ?? location.file)
        switch plan.action {
        case .reset:
            out.append(NextStep("Start nodeos: this key votes again once it sees blocks after LIB; watch its log for the key's first vote."))
        case .delete:
            out.append(NextStep("Start nodeos: it recreates the entry with an empty last vote and its own LIB as lock; watch its log for the key's first vote."))
        case .restore:
            out.append(NextStep("Start nodeos and watch its log: the restored values are what it will vote from."))
        case .importDocument:
            out.append(NextStep("Before this node votes with an imported key, make sure the source node no longer does (removed from its config.ini, or stopped); then start nodeos: each imported key votes only after its imported last vote."))
        case .repair:
            out.append(NextStep("Start nodeos: it loads the repaired file; each configured key votes once it sees a block after its last vote that extends LIB; watch its log for each key's first vote."))
        }
        out.append(NextStep("To undo, restore the backup (interface: History, select it, r), or run:", command: "finality restore \(target) --from \(ShellWord.quoted(result.backupPath))"))
        out.append(NextStep("Paste the case report into the support ticket:", command: "finality report \(target)"))
        if let leftover = result.removedLeftoverTemp {
            out.append(NextStep("A temp file left by an interrupted run was removed: \(leftover)"))
        }
        return out
    }

    /// Next steps as plain lines: each command alone on its own line, indented.
    public static func lines(_ steps: [NextStep]) -> [String] {
        var out = [String]()
        for (i, s) in steps.enumerated() {
            out.append("  \(i + 1). \(s.text)")
            if let c = s.command { out.append("       \(c)") }
        }
        return out
    }
}
