import ArgumentParser

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "(not yet)")

    func run() throws {
        printError("diff: not implemented yet")
        throw ExitCode(2)
    }
}
