import ArgumentParser

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "(not yet)")

    func run() throws {
        printError("report: not implemented yet")
        throw ExitCode(2)
    }
}
