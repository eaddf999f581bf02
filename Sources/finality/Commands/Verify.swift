import ArgumentParser

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "(not yet)")

    func run() throws {
        printError("verify: not implemented yet")
        throw ExitCode(2)
    }
}
