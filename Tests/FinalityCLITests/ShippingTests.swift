import FinalityEngine
import Foundation
import Testing
import FinalityTestSupport

/// What the release ships besides the commands: `--version` (the same string as every
/// audit record), the completion scripts swift-argument-parser generates, and the man page
/// post-processing (packaging/man-sections.sh) on the README's guided recovery.
/// The end-to-end proof on a host without Swift is scripts/test-on-clean-debian.sh.
@Suite("Shipping: --version, completions, man page sections")
struct ShippingTests {
    static let root = PackagePaths.root

    @Test("--version prints the version and the commit it was built from")
    func versionFormat() throws {
        // `X.Y.Z (commit <12 hex>[-dirty])`; a source build's from its checkout (with "?,
        // checked out after this build" when HEAD moved since); `(commit unknown)` outside one.
        let pattern = #/^[0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty|\?, checked out after this build)?|unknown)\)$/#
        let r = BuiltBinary.run(["--version"])
        #expect(r.status == 0)
        let line = r.stdout.trimmingCharacters(in: .newlines)
        #expect(line.wholeMatch(of: pattern) != nil, "got \(line)")
        #expect(!r.stdout.dropLast().contains("\n"), "one line")
    }

    @Test("the audit record's tool_version is exactly the --version string")
    func auditCarriesTheVersion() throws {
        let version = BuiltBinary.run(["--version"]).stdout.trimmingCharacters(in: .newlines)
        let (dir, path) = try Fixture.dataDir()
        let r = BuiltBinary.run(["reset", dir, "--key", Fixture.key(1).text, "--yes"] + Fixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        let log = try String(contentsOfFile: path + ".audit.jsonl", encoding: .utf8)
        let lines = log.split(separator: "\n")
        // The change's record (before the rename) and its completion (after the read-back).
        #expect(lines.count == 2)
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(record["tool_version"] as? String == version)
        }
    }

    @Test("completion scripts for bash, zsh and fish name every subcommand but the default; bash's parses", arguments: ["bash", "zsh", "fish"])
    func completionScripts(shell: String) throws {
        let r = BuiltBinary.run(["--generate-completion-script", shell])
        #expect(r.status == 0, "\(r.stderr)")
        switch shell {
        case "bash": #expect(r.stdout.contains("complete -o filenames -F ") || r.stdout.contains("complete -F "))
        case "zsh": #expect(r.stdout.hasPrefix("#compdef finality"))
        default: #expect(r.stdout.contains("complete -c 'finality' ") || r.stdout.contains("complete -c finality "))
        }
        // `open` is the default subcommand (`finality PATH`): the generator offers it in none of the three.
        for sub in ["demo", "list", "show", "verify", "lib", "reset", "delete", "diff", "restore", "history", "report"] {
            #expect(r.stdout.contains(sub), "\(shell) completion lacks \(sub)")
        }
        #expect(r.stdout.contains("--dry-run") || r.stdout.contains("dry-run"))
        if shell == "bash", FileManager.default.isExecutableFile(atPath: "/bin/bash") {
            let file = TemporaryPaths.name("finality-completion", suffix: ".bash")
            try r.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            #expect(runToEnd("/bin/bash", ["-n", file]) == 0, "bash -n refuses the completion script")
        }
    }

    /// The generated page ends its description with the generator's one-line EXIT STATUS;
    /// man-sections.sh replaces it and appends EXAMPLES from the README. A README edit
    /// that loses the guided-recovery command block fails here, not at release time.
    @Test("man-sections.sh: EXIT STATUS, ENVIRONMENT, FILES, and EXAMPLES from the README's guided recovery")
    func manSections() throws {
        let dir = TemporaryPaths.name("finality-man")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let page = dir + "/finality.1"
        let generated = """
            .Dd 2026-11-30
            .Dt FINALITY 1
            .Os
            .Sh NAME
            .Nm finality
            .Sh DESCRIPTION
            .Bl -tag -width 6n
            .It Fl -dry-run
            generated option text
            .El
            .Sh "EXIT STATUS"
            .Ex -std
            .Sh AUTHORS
            someone

            """
        try generated.write(toFile: page, atomically: true, encoding: .utf8)
        let status = runToEnd(Self.root.path + "/packaging/man-sections.sh", [page, Self.root.path + "/README.md"])
        #expect(status == 0)
        let out = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!out.contains(".Ex -std"))
        #expect(out.contains(".It Fl -dry-run\ngenerated option text"), "generated text kept as is")
        let headings = out.split(separator: "\n").filter { $0.hasPrefix(".Sh ") }
        #expect(headings == [".Sh NAME", ".Sh DESCRIPTION", ".Sh EXIT STATUS", ".Sh ENVIRONMENT", ".Sh FILES", ".Sh EXAMPLES", ".Sh AUTHORS"])
        #expect(out.contains(".It Ev NO_COLOR"))
        #expect(out.contains("safety.dat.audit.jsonl"))
        let examples = out.components(separatedBy: ".Sh EXAMPLES").last ?? ""
        #expect(examples.contains(".Dl finality verify"))
        #expect(examples.contains(".Dl finality reset"))
        #expect(!examples.contains("# "), "README comments become text, not part of the command")
        // Rendered, it has no roff errors.
        try RequiredTools.require(RequiredTools.which("groff") != nil, "groff (groff-base), to render the man page")
        let err = dir + "/groff.err"
        #expect(runToEnd("/bin/sh", ["-c", "groff -mandoc -Tutf8 -ww -z '\(page)' 2>'\(err)'"]) == 0)
        let warnings = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        #expect(warnings.isEmpty, "\(warnings)")
    }
}
