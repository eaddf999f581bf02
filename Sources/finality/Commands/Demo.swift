import ArgumentParser

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "(not yet)")

    func run() throws {
        printError("demo: not implemented yet")
        throw ExitCode(2)
    }
}
