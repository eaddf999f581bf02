import ArgumentParser

struct Lib: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lib", abstract: "(not yet)")

    func run() throws {
        printError("lib: not implemented yet")
        throw ExitCode(2)
    }
}
