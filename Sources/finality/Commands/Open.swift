import ArgumentParser
import FinalityEngine

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Open the full-screen browser on PATH (the default).", shouldDisplay: false)

    /// A safety file or a nodeos data dir (finalizers/safety.dat inside).
    @Argument(help: "A safety file or a nodeos data dir (default: the current directory).")
    var path: String = "."

    /// Shows everything; reset, delete and restore are absent.
    @Flag(name: .long, help: "Inspect only: the keys that change the file are absent.")
    var readOnly = false

    func run() throws {
        let location: Location
        do {
            location = try Location.resolve(path)
        } catch {
            throw fail(error)
        }
        try Terminal.open(location, readOnly: readOnly)
    }
}
