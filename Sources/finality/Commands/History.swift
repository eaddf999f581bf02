import ArgumentParser

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "(not yet)")

    func run() throws {
        printError("history: not implemented yet")
        throw ExitCode(2)
    }
}
