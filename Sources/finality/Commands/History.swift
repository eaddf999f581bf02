import ArgumentParser
import FinalityEngine
import FinalityFormat

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The backups and the audit log of a safety file; checks the audit chain.",
        discussion: """
            Each audit record carries the SHA-256 of the line before it: an edited, removed or inserted line breaks the chain.

            Exit codes: 0 intact, 1 the chain is broken (the line number is printed), 2 usage, 3 I/O.
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @Flag(help: "JSON output.")
    var json = false

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let location = try Location.resolve(path)
            let h = try FileHistory.read(file: location.file)
            var out = Output()
            if json {
                out.line(h.json.serialized(pretty: true))
            } else {
                for l in h.lines { out.line(l) }
            }
            out.flush()
            if let line = h.audit.brokenLine {
                printError("audit log \(h.auditPath): chain broken at line \(line): \(h.audit.problem ?? "")")
                return .invalidOrRefused
            }
            return .success
        }
    }
}
