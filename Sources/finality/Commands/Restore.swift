import ArgumentParser

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "(not yet)")

    func run() throws {
        printError("restore: not implemented yet")
        throw ExitCode(2)
    }
}
