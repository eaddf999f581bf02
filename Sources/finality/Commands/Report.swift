import ArgumentParser
import FinalityEngine
import FinalityFormat
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A plain-text case report for a support ticket: file, hashes, verdict, entries, LIB, interlocks, history.",
        discussion: """
            Holds nothing secret: the safety file stores public keys only, and the report leaves out the environment and SSH addresses. Exit code 0 when written (whatever the verdict), 2 usage, 3 I/O.
            """)

    @Argument(help: "The safety file, or a nodeos data dir.")
    var path: String

    @OptionGroup var lib: LIBOptions

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let location = try Location.resolve(path)
            let loaded = try LoadedFile.read(location)
            var readings = [LIBReading]()
            var libErrors = [String]()
            if !lib.isEmpty {
                do { readings = try lib.readings() } catch { libErrors.append("\(error)") }
            }
            let text = CaseReport.text(
                loaded: loaded, readings: readings, libErrors: libErrors, interlocks: Interlocks.run(location),
                toolVersion: ToolVersion.string, now: Date())
            var out = Output()
            out.write(text)
            out.flush()
            return .success
        }
    }
}
