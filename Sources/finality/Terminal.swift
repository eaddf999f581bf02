import FinalityEngine
import Foundation

/// Where the executable meets the full-screen interface.
enum Terminal {
    static var isInteractive: Bool { isatty(0) == 1 && isatty(1) == 1 }

    /// Opens the interface on a file (until it exists: prints the listing).
    static func open(_ location: Location, readOnly: Bool) -> ExitStatus {
        print(location.dataDir ?? location.file)
        return .success
    }
}
