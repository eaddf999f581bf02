import ArgumentParser
import FinalityEngine
import FinalityFormat

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The backups and the audit log of a safety file; checks the audit chain.",
        discussion: """
            Each audit record carries the SHA-256 of the line before it: an edited, removed or inserted line breaks the chain.

            Every record is read, past any break; each break is shown where it is, with the new chain segment that followed it (a segment starts with the operator's typed reason: --new-audit-segment on a change).

            Exit codes: 0 intact (or every break followed by a new segment), 1 a break with no segment after it (the line number is printed), 2 usage, 3 I/O.
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
                out.line(h.json.text(pretty: true))
            } else {
                out.lines(h.lines)
            }
            out.flush()
            for b in h.audit.breaks {
                printError("audit log \(h.auditPath): chain broken at line \(b.line): \(b.problem)" + (b.resumedAtLine.map { "; new segment at line \($0)" } ?? ""))
            }
            if h.audit.openBreak != nil { return .invalidOrRefused }
            return .success
        }
    }
}
