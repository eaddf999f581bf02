import ArgumentParser

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reset", abstract: "(not yet)")

    func run() throws {
        printError("reset: not implemented yet")
        throw ExitCode(2)
    }
}
