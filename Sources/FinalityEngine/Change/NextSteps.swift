import FoundationEssentials
import FinalityFormat

/// One step the operator takes after a change. `command`, when set, is meant to be
/// copied: front ends print it on a line of its own, never wrapped into other text.
/// `directory`, when set, is where it runs: a `cd DIR` line comes before it, so the
/// command's paths are short and relative (a long backup path would not fit a line).
public struct NextStep: Hashable, Sendable {
    public var text: String
    public var command: String?
    public var directory: String?
    public init(_ text: String, command: String? = nil, directory: String? = nil) {
        self.text = text
        self.command = command
        self.directory = directory
    }

    /// The lines to copy, each one line that no front end wraps: `cd DIR`, then the command.
    public var commandLines: [String] {
        guard let command else { return [] }
        return (directory.map { ["cd " + ShellWord.quoted($0)] } ?? []) + [command]
    }

    /// The same lines for a screen `width` columns wide: a `cd DIR` line wider than that
    /// becomes the directory built in a shell variable, a piece per line, then `cd "$d"`
    /// (`d=/srv/…`, `d="$d"…`): every line fits and is still a line the shell runs as it
    /// is, so a copy of the rows is the command (issue 22, item 2).
    public func commandLines(width: Int) -> [String] {
        guard let command else { return [] }
        guard let directory, "cd ".count + ShellWord.quoted(directory).count > width else { return commandLines }
        return ShellWord.assigned(directory, to: "d", width: width) + ["cd \"$d\"", command]
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

    /// Lines that set the shell variable `name` to `value`, each at most `width` columns
    /// (at least one character of the value per line): `name=PIECE`, then
    /// `name="$name"PIECE`, each piece quoted as `quoted` does.
    public static func assigned(_ value: String, to name: String, width: Int) -> [String] {
        var out = [String]()
        var rest = Substring(value)
        while !rest.isEmpty {
            let lead = out.isEmpty ? name + "=" : name + "=\"$" + name + "\""
            var take = 1
            while take < rest.count, lead.count + quoted(String(rest.prefix(take + 1))).count <= width { take += 1 }
            // Break before a `/` when one is in reach: the rows read as the path's parts.
            if take < rest.count, let slash = rest.prefix(take + 1).dropFirst().lastIndex(of: "/") {
                take = rest.distance(from: rest.startIndex, to: slash)
            }
            out.append(lead + quoted(String(rest.prefix(take))))
            rest = rest.dropFirst(take)
        }
        return out
    }
}

extension ChangeWorkflow {
    /// The one next-steps text.
    /// Commands name the data dir when there is one, so they run every interlock again.
    public static func nextSteps(_ plan: Plan, _ result: ApplyResult, location: Location) -> [NextStep] {
        var out = [NextStep]()
        let targetPath = location.dataDir ?? location.file
        let target = ShellWord.quoted(targetPath)
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
        // From the backup's directory: the backup by its name, the target relative to it.
        let backupDir = PathText.directory(result.backupPath)
        out.append(
            NextStep(
                "To undo, restore the backup (interface: History, select it, r), or run:",
                command: "finality restore \(ShellWord.quoted(Self.relative(targetPath, from: backupDir))) --from \(ShellWord.quoted(PathText.name(result.backupPath)))",
                directory: backupDir))
        // From the data dir (or the file's directory): `.` or the file's name.
        let home = location.dataDir ?? PathText.directory(location.file)
        let here = location.dataDir != nil ? "." : ShellWord.quoted(PathText.name(location.file))
        out.append(NextStep("Paste the case report into the support ticket:", command: "finality report \(here)", directory: home))
        if let leftover = result.removedLeftoverTemp {
            out.append(NextStep("A temp file left by an interrupted run was removed: \(leftover)"))
        }
        return out
    }

    /// `path` as seen from the directory `base` (both absolute): `../..` up to their
    /// common part, then down; `.` when they are the same.
    static func relative(_ path: String, from base: String) -> String {
        let p = path.split(separator: "/").filter { $0 != "." }
        let b = base.split(separator: "/").filter { $0 != "." }
        guard path.hasPrefix("/"), base.hasPrefix("/") else { return path }
        let common = zip(p, b).prefix { $0 == $1 }.count
        let parts = Array(repeating: "..", count: b.count - common) + p.dropFirst(common).map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// Next steps as plain lines: each command alone on its own line, indented.
    public static func lines(_ steps: [NextStep]) -> [String] {
        var out = [String]()
        for (i, s) in steps.enumerated() {
            out.append("  \(i + 1). \(s.text)")
            // Each command line from column 0: a copied line is exactly the command.
            out += s.commandLines
        }
        return out
    }
}
