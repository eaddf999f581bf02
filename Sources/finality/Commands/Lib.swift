import ArgumentParser
import FinalityEngine

struct Lib: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lib",
        abstract: "Show the last irreversible block (LIB) from each source given, side by side.",
        discussion: """
            Sources: --blocks-dir DIR (the last block of DIR/blocks.log), --api URL (a node's POST /v1/chain/get_info), --lib-id HEX with --lib-time or --lib-slot (typed by hand). Several may be given, each once or more; every value is shown with its source and the sources are compared, never merged.

            Exit codes: 0 the LIB was read (all sources agree); 1 the sources disagree (the tool refuses to pick one); 2 bad usage or input (a log or an answer that fails a check); 3 I/O error (missing log, node unreachable, timeout, HTTP error).
            """)

    @OptionGroup var sources: LIBOptions

    @Flag(help: "Print JSON (documented in Docs/cli-lib.md).")
    var json = false

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            guard !sources.isEmpty else {
                throw .usage("lib needs at least one source: --blocks-dir DIR, --api URL, or --lib-id HEX with --lib-time/--lib-slot")
            }
            let report = LIBReport.gather(sources.requests)
            for f in report.failures { printError("\(f.request.option): \(f.error.text)") }
            var out = Output()
            if json {
                out.line(report.json.text(pretty: true))
            } else {
                out.lines(report.text)
            }
            out.flush()
            if report.failures.isEmpty && report.comparison.verdict == .disagree {
                printError("the LIB sources disagree: not picking one (see the comparison above)")
            }
            return report.status
        }
    }
}
