import ArgumentParser
import FinalityEngine
import FinalityFormat

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two safety files key by key (a file and its backup, or two nodes' copies).",
        discussion: """
            Entries are paired by key, not by position. Values that move backwards from OLD to NEW are flagged.

            Exit codes: 0 compared (identical or not), 1 a file is invalid, 2 usage, 3 I/O.
            """)

    @Argument(help: "The old file (or data dir).")
    var old: String

    @Argument(help: "The new file (or data dir).")
    var new: String

    @Flag(help: "JSON output.")
    var json = false

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let a = try LoadedFile.read(try Location.resolve(old))
            let b = try LoadedFile.read(try Location.resolve(new))
            let fa = try Planner.decodeForDiff(a.bytes, path: a.location.file)
            let fb = try Planner.decodeForDiff(b.bytes, path: b.location.file)
            let diff = FileDiff.compare(old: fa, new: fb)
            var out = Output()
            if json {
                let node = JSON.object([
                    ("old", .object([("file", .string(a.location.file)), ("sha256", .string(a.sha256.hex)), ("entries", .int(Int64(fa.entries.count)))])),
                    ("new", .object([("file", .string(b.location.file)), ("sha256", .string(b.sha256.hex)), ("entries", .int(Int64(fb.entries.count)))])),
                    ("byte_identical", .bool(a.bytes == b.bytes)),
                    ("diff", diff.json),
                ])
                out.line(node.text(pretty: true))
            } else {
                out.line("old: \(a.location.file) (SHA-256 \(a.sha256.hex), \(grouped(fa.entries.count)) entries)")
                out.line("new: \(b.location.file) (SHA-256 \(b.sha256.hex), \(grouped(fb.entries.count)) entries)")
                if a.bytes == b.bytes { out.line("The files are byte-identical.") }
                out.line()
                out.lines(diff.lines)
                if !diff.warnings.isEmpty {
                    out.line()
                    out.line("Moving from old to new:")
                    for w in diff.warnings { out.line("  ! \(w.message)") }
                }
            }
            out.flush()
            return .success
        }
    }
}
