import ArgumentParser
import FinalityEngine

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete one entry: nodeos recreates it at its next start as {empty last vote, lock = its own LIB}.",
        discussion: """
            The file keeps its format version; every other entry keeps its bytes and order. A LIB source is optional: with one, the plan says by how much the lock moves back.

            Exit codes: 0 done, 1 invalid file or refused, 2 usage, 3 I/O, 4 a node is running.
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @Option(help: "The key: its full PUB_BLS_ text or any unique part of it (or of its hex).")
    var key: String

    @OptionGroup var lib: PlanLIBOptions

    @OptionGroup var config: ConfigDirOption

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            var request = ChangeRequest(.delete(key: key), path: path, configDir: config.configDir)
            lib.apply(to: &request)
            return try ChangeDoor.carryOut(request, options: mutation)
        }
    }
}
