import FinalityTestSupport
import Foundation
import Testing

/// Every command's `--help` as a person reads it at 80 columns: argument-parser re-wraps
/// each line of a discussion on its own, so a paragraph written with hard newlines comes
/// out broken mid-sentence ("each key's\nlast\ntracked vote"). A paragraph is one line in
/// the source (or continued with `\`), and the parser wraps it to the width.
@Suite("Every --help reads whole at 80 columns", .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct HelpTextTests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    static let commands = [
        [], ["demo"], ["list"], ["show"], ["verify"], ["lib"], ["reset"], ["delete"], ["diff"], ["restore"], ["history"],
        ["report"], ["repair"], ["watch"],
    ]

    static func help(_ command: [String]) throws -> String {
        let run = BuiltBinary.run(command + ["--help"], env: ["COLUMNS": "80"])
        return run.stdout + run.stderr
    }

    /// Lines of prose that end in the middle of a sentence, far short of the width, while
    /// the paragraph goes on: the next line has the same indentation, its first word would
    /// have fitted on this line, and this line does not end a sentence or a clause. Table
    /// rows (a gap of two spaces between columns) and indented blocks are not prose.
    static func brokenLines(_ text: String, width: Int = 80) -> [String] {
        func indent(_ s: String) -> Int { s.prefix { $0 == " " }.count }
        func hasColumnGap(_ s: String) -> Bool { s.drop { $0 == " " }.contains("  ") }
        let lines = text.components(separatedBy: "\n")
        var out = [String]()
        for (i, line) in lines.enumerated() where i + 1 < lines.count {
            let next = lines[i + 1]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let nextWord = next.drop { $0 == " " }.prefix { $0 != " " }
            guard !trimmed.isEmpty, !nextWord.isEmpty, indent(line) == indent(next) else { continue }
            guard !hasColumnGap(line), !hasColumnGap(next) else { continue }
            if let last = trimmed.last, ".:;!?".contains(last) { continue }
            guard line.count < width - 10, line.count + 1 + nextWord.count <= width else { continue }
            out.append("\(line)⏎\(next)")
        }
        return out
    }

    @Test("no --help paragraph breaks mid-sentence at 80 columns", arguments: commands)
    func paragraphsAreWhole(_ command: [String]) throws {
        let text = try Self.help(command)
        #expect(text.contains("USAGE:"), "\(command): no help printed:\n\(text)")
        let broken = Self.brokenLines(text)
        #expect(broken.isEmpty, "finality \(command.joined(separator: " ")) --help breaks mid-sentence:\n\(broken.joined(separator: "\n"))")
    }

    @Test("the check finds a hard-wrapped paragraph")
    func theCheckCanFail() {
        let text = "OVERVIEW: Watch.\n\nEvery refresh asks each node API for head and each key's\nlast\ntracked vote.\n"
        #expect(Self.brokenLines(text).count == 2)
    }

    /// The repository's prose: README.md and every file of Docs/.
    static func documentation() throws -> String {
        let root = PackagePaths.root
        var text = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let docs = root.appendingPathComponent("Docs")
        for name in try FileManager.default.contentsOfDirectory(atPath: docs.path).sorted() where name.hasSuffix(".md") {
            text += try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
        }
        return text
    }

    /// The long options a `--help` lists in its OPTIONS section.
    static func options(_ help: String) -> [String] {
        guard let start = help.range(of: "\nOPTIONS:") else { return [] }
        var out = [String]()
        for line in help[start.upperBound...].components(separatedBy: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            // Names stand at column 3; a description's continuation is indented further.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), t.hasPrefix("-") else { continue }
            // The names column only: the description after the column gap names options too.
            let names = t.components(separatedBy: "  ").first ?? t
            for word in names.components(separatedBy: CharacterSet(charactersIn: " ,")) where word.hasPrefix("--") {
                let name = String(word.prefix { $0 != "<" && $0 != "=" })
                if !["--help", "--version", "--experimental-dump-help"].contains(name) && !out.contains(name) { out.append(name) }
            }
        }
        return out
    }

    @Test("every option of every command is documented in the README or Docs/", arguments: commands)
    func everyOptionIsDocumented(_ command: [String]) throws {
        let docs = try Self.documentation()
        let listed = Self.options(try Self.help(command))
        #expect(!listed.isEmpty || command == ["demo"] || command.isEmpty, "\(command): no options read from --help")
        for option in listed {
            #expect(docs.contains(option), "finality \(command.joined(separator: " ")) \(option) is documented nowhere (README.md, Docs/)")
        }
    }
}
