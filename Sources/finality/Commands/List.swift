import ArgumentParser

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "(not yet)")

    func run() throws {
        printError("list: not implemented yet")
        throw ExitCode(2)
    }
}
