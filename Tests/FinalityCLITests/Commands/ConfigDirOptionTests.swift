import Foundation
import FinalityTestSupport
import Testing

/// `--config-dir` is one option (ConfigDirOption): every command that reads the node's
/// keys declares it through that group, with the same help, and the commands that do not
/// read them refuse it as a usage error (the real binary).
@Suite("--config-dir: one option, one help text (real binary)", .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct ConfigDirOptionTests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    /// The commands that read the node's signature-provider keys.
    static let taking: Set<String> = ["open", "list", "show", "report", "reset", "delete", "repair", "import", "network"]
    /// Commands that must not take it.
    static let refusing = ["verify", "restore", "diff", "history", "lib", "watch"]

    static func words(_ s: String) -> String { s.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ") }

    /// Each (sub)command's `--config-dir` help, from ArgumentParser's own dump of the tree.
    static func declared() throws -> [String: String] {
        let r = BuiltBinary.run(["--experimental-dump-help"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        var out = [String: String]()
        func walk(_ c: [String: Any]) {
            for a in c["arguments"] as? [[String: Any]] ?? [] {
                let names = (a["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                if names.contains("config-dir") { out[c["commandName"] as? String ?? "?"] = a["abstract"] as? String ?? "" }
            }
            for s in c["subcommands"] as? [[String: Any]] ?? [] { walk(s) }
        }
        walk(try #require(doc["command"] as? [String: Any]))
        return out
    }

    @Test("the commands that read the node's keys declare --config-dir with one help text, and --help prints it")
    func oneHelpText() throws {
        let declared = try Self.declared()
        #expect(Set(declared.keys) == Self.taking)
        let texts = Set(declared.values)
        #expect(texts.count == 1, "different --config-dir help texts: \(declared)")
        let text = try #require(texts.first)
        #expect(text.contains("default: the running nodeos's"))
        for command in Self.taking.sorted() {
            let r = BuiltBinary.run([command, "--help"])
            #expect(r.status == 0, "\(command): \(r.stderr)")
            #expect(Self.words(r.stdout).contains("--config-dir <dir>"), "finality \(command) --help: \(r.stdout)")
            #expect(Self.words(r.stdout).contains(Self.words(text)), "finality \(command) --help lacks the one text:\n\(r.stdout)")
        }
    }

    @Test("verify, restore, diff, history, lib and watch refuse --config-dir (exit 2, the option named)")
    func othersRefuseIt() throws {
        let demo = BuiltBinary.run(["demo", "--print-only"])
        let dir = demo.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        #expect(demo.status == 0 && !dir.isEmpty)
        let config = (dir as NSString).deletingLastPathComponent + "/config"
        let args: [String: [String]] = [
            "verify": [dir], "restore": [dir, "--from", dir + "/finalizers/safety.dat"], "diff": [dir, dir],
            "history": [dir], "lib": ["--blocks-dir", dir + "/blocks"], "watch": [dir, "--api", "http://127.0.0.1:9"],
        ]
        for command in Self.refusing {
            let r = BuiltBinary.run([command] + args[command]! + ["--config-dir", config])
            #expect(r.status == 2, "finality \(command) --config-dir: exit \(r.status)\n\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("--config-dir"), "finality \(command): \(r.stderr)")
        }
        // The same arguments without it are accepted by the parser (not a usage error).
        for command in Self.refusing where command != "watch" {
            let r = BuiltBinary.run([command] + args[command]! + (command == "restore" ? ["--dry-run"] : []))
            #expect(r.status != 2, "finality \(command) \(args[command]!): \(r.stderr)")
        }
    }
}
