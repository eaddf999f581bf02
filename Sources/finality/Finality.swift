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
            Watch.self, Export.self, Import.self,
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

    /// ArgumentParser exits 64 on bad usage; product.md documents 2.
    static func main() {
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
