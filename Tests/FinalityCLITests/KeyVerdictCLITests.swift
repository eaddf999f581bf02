import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Issue 21: `list` answers "which key will not vote, and why?" in its first column, in
/// `--json` and in its legend (`list --help`), from the engine's one verdict.
@Suite(
    "list: a verdict per key, the count of keys that will not vote, the legend (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct KeyVerdictCLITests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    func demo() throws -> String {
        let demo = BuiltBinary.run(["demo", "--print-only"])
        return demo.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("the demo: VERDICT after #, entry 5 will not vote (no lock), entry 0 inactive, counted above the table")
    func listVerdictColumn() throws {
        let dir = try demo()
        defer { TemporaryPaths.remove(TemporaryPaths.topLevel(of: dir) ?? dir) }
        let r = BuiltBinary.run(["list", dir])
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("#") })
        #expect(header.hasPrefix("#  VERDICT"), "\(header)")
        let row5 = try #require(lines.first { $0.hasPrefix("5 ") })
        #expect(row5.contains("no vote: no lock"), "\(row5)")
        let row0 = try #require(lines.first { $0.hasPrefix("0 ") })
        #expect(row0.contains("inactive: not configured"), "\(row0)")
        let row4 = try #require(lines.first { $0.hasPrefix("4 ") })
        #expect(row4.split(separator: " ", omittingEmptySubsequences: true)[1] == "votes", "\(row4)")
        #expect(r.stdout.contains("1 key will not vote: #5 (no vote: no lock)"), "\(r.stdout)")
    }

    @Test("--json: a verdict field per entry, the same on the fast path and with a node answer")
    func jsonVerdict() throws {
        let dir = try demo()
        defer { TemporaryPaths.remove(TemporaryPaths.topLevel(of: dir) ?? dir) }
        let r = BuiltBinary.run(["list", dir, "--json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let entries = try #require(doc["entries"] as? [[String: Any]])
        #expect(entries.count == 6)
        #expect(entries[5]["verdict"] as? String == "no-vote-no-lock")
        #expect(entries[5]["verdict_text"] as? String == "no vote: no lock")
        #expect(entries[0]["verdict"] as? String == "inactive")
        #expect(entries[4]["verdict"] as? String == "votes")
    }

    @Test("list --help explains every verdict and flag, from the engine's one table")
    func helpLegend() {
        let r = BuiltBinary.run(["list", "--help"])
        // The argument parser wraps the discussion: compare without line breaks.
        let flat = r.stdout.split(whereSeparator: { $0 == "\n" || $0 == " " }).joined(separator: " ")
        for v in KeyVerdict.legend {
            #expect(flat.contains("\(v.short): "), "no legend line for \(v.short)")
        }
        for f in FlagLegend.lines { #expect(flat.contains("\(f.short): "), "no legend line for \(f.code)") }
    }
}
