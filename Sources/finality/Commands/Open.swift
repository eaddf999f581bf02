import ArgumentParser
import FinalityEngine
import FinalityFormat

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Open the full-screen browser on PATH (the default).", shouldDisplay: false)

    /// A safety file or a nodeos data dir (finalizers/safety.dat inside).
    @Argument(help: "A safety file or a nodeos data dir (default: the current directory, when it is one).")
    var path: String?

    /// Shows everything; reset, delete and restore are absent.
    @Flag(name: .long, help: "Inspect only: the keys that change the file are absent.")
    var readOnly = false

    @Option(name: .customLong("api"), help: "A node's API URL: its LIB and each key's tracked vote beside the file's (none is asked unless given).")
    var apiURL: String?

    @OptionGroup var config: ConfigDirOption

    func run() throws {
        let location: Location
        do {
            location = try Location.resolve(path ?? ".")
        } catch {
            // A data dir whose finalizers/safety.dat is missing (deleted by hand, lost):
            // the interface opens on it and offers repair (issue 9).
            if let path, let target = try? RepairTarget.resolve(path), target.absent, target.location.dataDir != nil {
                try Terminal.open(target.location, readOnly: readOnly, apiURL: apiURL, configDir: config.configDir)
                return
            }
            guard path == nil else { throw fail(error) }
            // `finality` alone, outside a data dir: a newcomer; say what to type.
            printError("no safety file here (\(error.text)).")
            printUsage(Open.newcomerUsage)
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        try Terminal.open(location, readOnly: readOnly, apiURL: apiURL, configDir: config.configDir)
    }

    static let newcomerUsage: SafeText = """
        Usage:
          finality PATH               open a safety file, or a nodeos data dir (finalizers/safety.dat inside)
          finality PATH --read-only   the same, with every key that changes the file absent
          finality demo               build a demo data dir in a temp folder and open it, to try the tool
          finality --help             every command, option and key
        """
}
