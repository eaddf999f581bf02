import ArgumentParser
import FinalityEngine
import Foundation

@main
struct Finality: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finality",
        abstract: "Inspect a finalizer safety file and, when you must, reset or delete one entry safely.",
        discussion: """
            Exit codes: 0 success; 1 the file is invalid or an operation was refused by a safety
            check; 2 bad usage or input; 3 I/O error; 4 a node is running on this file.
            """,
        version: ToolVersion.string,
        subcommands: [
            Open.self, Demo.self, List.self, Show.self, Verify.self, Lib.self, Reset.self, Delete.self,
            Diff.self, Restore.self, History.self, Report.self, Repair.self,
            Watch.self,
        ],
        defaultSubcommand: Open.self)

    /// ArgumentParser exits 64 on bad usage; product.md documents 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}
