import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A plain-text case report for a support ticket: file, hashes, verdict, entries, LIB, interlocks, history.",
        discussion: """
            The same report the interface writes with w. Without LIB options, a data dir's blocks.log is the LIB source (as in the interface); --api URL adds a node API, --lib-id a typed LIB. A source that fails is listed with its error; the report is still written. For each entry it says what nodeos will do with it as it is, given LIB; the node's configured keys (public parts only) mark inactive entries and keys without an entry.

            Holds nothing secret: the safety file stores public keys only, and the report leaves out the environment and SSH addresses. Exit code 0 when written (whatever the verdict), 2 usage, 3 I/O.
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @OptionGroup var lib: LIBOptions

    @OptionGroup var config: ConfigDirOption

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let location = try Location.resolve(path)
            let loaded = try LoadedFile.read(location)
            // The interface's `w` writes this same report: the same default sources (a data
            // dir's blocks.log; a node API when one is given), each failure on its own line.
            let requests = lib.isEmpty ? LIBRequest.defaults(for: location) : lib.requests
            let gathered = LIBReport.gather(requests)
            let text = CaseReport.text(
                loaded: loaded, readings: gathered.readings,
                libErrors: gathered.failures.map { CaseReport.libErrorLine($0.request, $0.error) }, interlocks: Interlocks.run(location),
                toolVersion: ToolVersion.string, now: Date(), nodeKeys: config.keys(for: location))
            var out = Output()
            out.write(text)  // SafeText: each of its lines made safe by CaseReport
            out.flush()
            return .success
        }
    }
}
