import ArgumentParser

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Open the full-screen browser on PATH (the default).", shouldDisplay: false)

    func run() throws {
        printError("open: not implemented yet")
        throw ExitCode(2)
    }
}
