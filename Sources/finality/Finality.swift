import ArgumentParser
import FinalityEngine
import FinalityFormat
import FinalityInterface
import FoundationEssentials
import Glibc

@main
struct Finality: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finality",
        abstract: "Inspect a finalizer safety file and, when you must, reset or delete one entry safely.",
        discussion: Finality.guide,
        version: ToolVersion.string,
        subcommands: [
            Open.self, Demo.self, List.self, Show.self, Verify.self, Lib.self, Reset.self, Delete.self,
            Diff.self, Restore.self, History.self, Report.self, Repair.self,
            Watch.self, Network.self, Export.self, Import.self,
        ],
        defaultSubcommand: Open.self)

    /// What a newcomer reads first: how to open a file, the demo, the screens' keys (from
    /// the interface's binding table, the same table Help and the key bar come from).
    static let guide: String = {
        var out = [String]()
        out.append("finality [PATH] [--read-only] [--api URL]")
        out.append("  The full-screen browser. PATH is a safety file or a nodeos data dir (finalizers/safety.dat, blocks/ and state/ are found inside it); without PATH, the current directory when it is one. --read-only: the keys that change the file are absent. --api URL: also ask that node for LIB and each key's last tracked vote.")
        out.append("finality demo")
        out.append("  Builds a realistic demo data dir in a temp folder and opens it: a safe place to try every key.")
        out.append("")
        out.append("Keys of the full-screen browser (? shows them on screen):")
        for context in Context.allCases {
            let rows = Bindings.table.filter { $0.context == context }
            guard !rows.isEmpty else { continue }
            out.append("  \(context.title):")
            for b in rows {
                let keys = b.allKeyNames
                out.append("    " + keys + String(repeating: " ", count: max(1, 16 - keys.count)) + b.help)
            }
        }
        out.append("")
        out.append("Exit codes: 0 success; 1 the file is invalid or an operation was refused by a safety check; 2 bad usage or input; 3 I/O error; 4 a node is running on this file; 5 (watch --until-vote) every node API left the chain, so no vote can count. With --json, an error is also a JSON object on stdout: {\"error\": {\"kind\", \"message\", \"exit_status\"}}.")
        return out.joined(separator: "\n")
    }()

    /// A first word that is no command and no path ("lsit", a typo): said as such, with
    /// the nearest command, before the hidden default (`open PATH`) would answer about a
    /// path or an argument it does not take. nil lets the parser go on.
    static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !first.contains("/"), first != ".", first != "..",
            !configuration.subcommands.compactMap({ $0.configuration.commandName }).contains(first),
            // Outside the fault plan: this look is not the command's own file access.
            !FaultInjection.outsideWritePath({ Sys.exists(first) })
        else { return nil }
        let names = configuration.subcommands.filter { $0.configuration.shouldDisplay }.compactMap { $0.configuration.commandName }
        let nearest = names.map { ($0, editDistance($0, first)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }
        if let nearest { return "unknown command '\(first)'; did you mean '\(nearest.0)'?" }
        // One word and no more: a path that does not exist (Open says so).
        guard arguments.dropFirst().contains(where: { !$0.hasPrefix("-") }) else { return nil }
        return "unknown command '\(first)'; the commands are: \(names.joined(separator: ", ")) (finality --help)"
    }

    /// Edits (insert, delete, replace, swap two neighbours) from one word to another.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        guard !x.isEmpty, !y.isEmpty else { return max(x.count, y.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }

    /// ArgumentParser exits 64 on bad usage; product.md documents 2.
    static func main() {
        if let said = unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            StandardError.write(SafeText(said) + "\n")
            JSONError.emit(message: said, kind: "usage", status: ExitStatus.usage.rawValue)
            Glibc.exit(ExitStatus.usage.rawValue)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                // The parser's message can quote what was typed (a path): that part as one
                // line made visible, the parser's own usage text line by line.
                let said = message(for: error)
                StandardError.write(SafeText(lines: fullMessage(for: error).replacingLiteral(said, with: SafeText(said).text)) + "\n")
                JSONError.emit(message: message(for: error), kind: "usage", status: ExitStatus.usage.rawValue)
                Glibc.exit(ExitStatus.usage.rawValue)
            }
            // Help, version and exit codes: the parser's own (its text is the program's).
            if exitCode(for: error) == .success || error is ExitCode { exit(withError: error) }
            // Any other error's message can carry a path: made safe line by line.
            let said = fullMessage(for: error)
            if !said.isEmpty { StandardError.write(SafeText(lines: said) + "\n") }
            Glibc.exit(exitCode(for: error).rawValue)
        }
    }
}
