import ArgumentParser
import FinalityEngine

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the file by a backup, through the same interlocks, backup and audit as reset.",
        discussion: """
            The plan shows every key that changes, and flags any last vote or lock that moves backwards: restoring an old state is how finalizers double-sign.

            Exit codes: 0 done, 1 invalid backup or refused, 2 usage, 3 I/O, 4 a node is running.
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @Option(name: .customLong("from"), help: "The backup to restore (see `finality history`).")
    var from: String

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            try ChangeDoor.carryOut(ChangeRequest(.restore(backup: from), path: path), options: mutation)
        }
    }
}
