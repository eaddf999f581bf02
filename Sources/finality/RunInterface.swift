import FinalityCurses
import FinalityEngine
import FinalityInterface
import FinalityRunner
import FoundationEssentials
import Glibc

/// Terminal types that cannot run a full-screen interface.
let unusableTERMs: Set<String> = ["", "dumb", "unknown"]

/// The full-screen interface on the process's terminal: the one entry point the
/// executable calls (`finality PATH`, `finality demo`). Returns the exit status:
/// 0 after `q`; 2 without a usable terminal (message on stderr); 128+signal after
/// SIGINT/SIGTERM/SIGHUP/SIGQUIT (nothing written: a hangup abandons the wizard); the
/// status of the last change tried when it was refused or failed (1, 3, 4).
func runInterface(location: Location, readOnly: Bool, apiURL: String? = nil, configDir: String? = nil, toolVersion: String = "unknown") -> Int32 {
    guard isatty(0) == 1, isatty(1) == 1 else {
        printError("the full-screen interface needs a terminal on stdin and stdout; for scripts use finality list, show or verify")
        return ExitStatus.usage.rawValue
    }
    let term = getenv("TERM").map { String(cString: $0) } ?? ""
    guard !unusableTERMs.contains(term) else {
        printError("TERM=\(term.isEmpty ? "(unset)" : term) cannot run the full-screen interface; set TERM (e.g. xterm-256color or vt100) or use finality list, show or verify")
        return ExitStatus.usage.rawValue
    }
    setlocale(LC_ALL, "")
    // Exported LINES/COLUMNS pin the size and stop resizes from working.
    unsetenv("LINES")
    unsetenv("COLUMNS")
    let terminal: CursesTerminal
    do {
        terminal = try CursesTerminal()
    } catch {
        printError("\(error)")
        return ExitStatus.usage.rawValue
    }
    defer { terminal.close() }
    // The core decides where the case report goes from these (it does no I/O itself).
    var state = AppState(
        location: location, readOnly: readOnly, size: terminal.size, apiURL: apiURL,
        workingDirectory: FileManager.default.currentDirectoryPath, home: ProcessInfo.processInfo.environment["HOME"])
    state.configDir = configDir
    let program = Program(state: state, device: terminal, runner: EngineEffects(toolVersion: toolVersion))
    program.run()
    terminal.close()
    // A signal ends the session with 128 + its number (SIGHUP 129, SIGINT 130, SIGQUIT 131,
    // SIGTERM 143); else a change refused or failed at step 4 and not followed by one that
    // went through gives that refusal's status (1, 3 or 4), as the command line would.
    if let signal = terminal.signal { return 128 + signal }
    return program.state.changeFailed?.rawValue ?? ExitStatus.success.rawValue
}
