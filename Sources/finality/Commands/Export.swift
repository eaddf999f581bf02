import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the safety data of chosen keys to a document, to move a key to another node (Docs/interchange.md).",
        discussion: """
            The document holds, for each key, its last vote, its lock and other_branch_latest_time, with the chain they belong to and where they came from (host, path, the file's SHA-256). Only from a file no node is using: a document exported while nodeos votes is outdated by its next vote (--while-running allows a look at a live file, and every import refuses that document). The chain id comes from the data dir's blocks.log, --blocks-dir or --api; without one, give --chain-id. The document is written under a new name only, never over a file.

            Before the key votes on the other node, it must stop voting here: remove it from this node's config.ini, or keep this node stopped. Exit code 0 when written, 2 usage, 3 I/O, 4 a node is using the file, 1 refused (a file nodeos refuses, a HotStuff file, chain ids that disagree).
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @Option(name: .customLong("key"), help: "A key to export (the full PUB_BLS_ text or a unique part); repeat for several; default: every entry.")
    var keys: [String] = []

    @Option(name: .customLong("out"), help: "The document's path (default: finality-export-HOST-TIME.json in the working directory, or in HOME when the working directory is inside the data dir).")
    var out: String?

    @Option(name: .customLong("blocks-dir"), help: "A nodeos blocks directory whose blocks.log names the chain.")
    var blocksDirs: [String] = []

    @Option(name: .customLong("api"), help: "A node's HTTP API base URL whose get_info names the chain.")
    var apiURLs: [String] = []

    @Option(name: .customLong("api-timeout"), help: "Seconds to wait for the node API.")
    var apiTimeout: Double = 5

    @Option(
        name: .customLong("chain-id"), help: "The chain id (64 hex digits), when no blocks.log or node API gives it; checked against them when they do.",
        transform: ArgumentFormat.hex32("--chain-id"))
    var chainID: Bytes32?

    @Flag(name: .customLong("while-running"), help: "Export from a file a running node uses: a look only; every import refuses the document.")
    var whileRunning = false

    func validate() throws {
        guard apiTimeout > 0 else { throw ValidationError("--api-timeout must be a number of seconds above 0, found \(apiTimeout)") }
    }

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let sources = blocksDirs.map { LIBRequest.blocksDir($0) } + apiURLs.map { LIBRequest.api($0, timeoutSeconds: apiTimeout) }
            let host = ProcessInfo.processInfo.hostName
            let now = Date()
            let request = InterchangeExport.Request(path: path, keys: keys, sources: sources, chainID: chainID, whileRunning: whileRunning)
            let result = try InterchangeExport.document(request, host: host, tool: "finality \(ToolVersion.string)", now: now)
            let cwd = try? Sys.currentDirectory()
            var target = out ?? InterchangeExport.defaultName(
                for: result.location, workingDirectory: cwd, home: ProcessInfo.processInfo.environment["HOME"], host: host, now: now)
            if !target.hasPrefix("/"), let cwd { target = cwd + "/" + target }
            try InterchangeExport.write(result.document, to: target)
            var o = Output()
            // The checks that say whether a node uses the file (the others are about writing it).
            o.lines(result.interlocks.checks.filter { ["state-lock", "processes"].contains($0.name) }.flatMap(\.lines))
            for note in result.notes { o.line("note: \(note)") }
            let doc = result.document
            o.line("exported \(doc.entries.count) entr\(doc.entries.count == 1 ? "y" : "ies") of \(result.location.file) (chain \(doc.chainID.hex), from \(doc.chainIDSource))\(doc.exported.whileRunning ? ", WHILE RUNNING: no import accepts this document" : "")")
            for e in doc.entries {
                let s = e.safety
                o.line("  \(e.key.shortText()) last vote \(s.lastVote.isEmpty ? "none" : "#\(s.lastVote.blockNumber)"), lock \(s.lock.isEmpty ? "none" : "#\(s.lock.blockNumber)")")
            }
            o.line("document:")
            o.line(SafeText(target))
            o.line("Before the key votes on another node it must stop voting here: remove it from this node's config.ini, or keep this node stopped.")
            o.flush()
            return .success
        }
    }
}
