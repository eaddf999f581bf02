import ArgumentParser

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "(not yet)")

    func run() throws {
        printError("delete: not implemented yet")
        throw ExitCode(2)
    }
}
