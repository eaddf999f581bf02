import ArgumentParser

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "(not yet)")

    func run() throws {
        printError("show: not implemented yet")
        throw ExitCode(2)
    }
}
