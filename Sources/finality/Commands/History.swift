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

            A change is recorded before its rename ("applying", with the planned new SHA-256) and completed after its read-back. A change without its completion (killed, power cut) is reconciled against the file and its backup: applied (the file is the planned new content, or a later change started from it), not applied (the file is still the old content), or unknown (neither). The next change records the outcome first; an unknown one stops it until acknowledged (--acknowledge-unknown "why").

            Exit codes: 0 intact (or every break followed by a new segment) and no change of unknown outcome, 1 a break with no segment after it (the line number is printed) or a change whose outcome is unknown, 2 usage, 3 I/O.
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
            for r in h.reconciliations where r.outcome == .unknown {
                printError("audit log \(h.auditPath): \(r.sentence)")
            }
            if h.audit.openBreak != nil || h.unknownOpen { return .invalidOrRefused }
            return .success
        }
    }
}
