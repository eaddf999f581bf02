import ArgumentParser
import FinalityEngine

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a document written by finality export: add its keys' entries, or raise them, never moving a value back.",
        discussion: """
            For each key of the document (or each --key): an entry the file lacks is added as it is; an entry it has is merged field by field, keeping the later last vote, the later lock and the later other_branch_latest_time, so an import can only raise what protects the key (Docs/interchange.md). The review names where each value comes from. Refused: a document for another chain (checked against the data dir's blocks.log, --blocks-dir or --api), one exported while its node ran, two blocks at one time in the file and the document, a file nodeos refuses (repair first). The same interlocks, confirmation, backup and audit record (action import, with the document's SHA-256) as every change; importing the same document twice changes nothing the second time.

            Before this node votes with an imported key, the source node must stop voting with it. Exit codes: 0 done or nothing to change, 1 invalid file or refused, 2 usage, 3 I/O, 4 a node is running.
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @Argument(help: "The document written by finality export.")
    var document: String

    @Option(name: .customLong("key"), help: "Import only this key of the document (a unique part of its text); repeat for several.")
    var keys: [String] = []

    @OptionGroup var lib: LIBOptions

    @OptionGroup var config: ConfigDirOption

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            var request = ChangeRequest(.importDocument(path: PathText.absolute(document, base: (try? Sys.currentDirectory()) ?? "/"), keys: keys), path: path, configDir: config.configDir)
            request.lib = .sources(lib.requests)
            request.apiTimeoutSeconds = lib.apiTimeout
            return try ChangeDoor.carryOut(request, options: mutation)
        }
    }
}
