import ArgumentParser
import FinalityCurses
import FinalityEngine
import FoundationEssentials
import Glibc

/// Where the executable meets the full-screen interface (`finality [PATH]`, `finality demo`).
enum Terminal {
    static var isInteractive: Bool { isatty(0) == 1 && isatty(1) == 1 }

    /// Runs the interface until the operator quits. Its status is 0, 2 without a usable
    /// terminal (already explained on stderr), or 128 + the signal that ended it.
    static func open(_ location: Location, readOnly: Bool, apiURL: String? = nil, configDir: String? = nil) throws {
        let status = runInterface(location: location, readOnly: readOnly, apiURL: apiURL, configDir: configDir, toolVersion: ToolVersion.string)
        if status != 0 { throw ExitCode(status) }
    }
}
