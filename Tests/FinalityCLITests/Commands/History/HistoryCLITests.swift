import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

@Suite(
    "finality history (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct HistoryCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    let key1 = Fixture.key(1).text

    @Test("history finds an edited audit record: exit 1 with the line number")
    func historyBroken() throws {
        let (dir, path) = try Fixture.dataDir()
        #expect(BuiltBinary.run(["reset", dir, "--key", key1, "--yes"] + Fixture.libArgs).status == 0)
        #expect(BuiltBinary.run(["delete", dir, "--key", Fixture.key(3).text, "--yes"]).status == 0)
        let log = path + ".audit.jsonl"
        var text = try String(contentsOfFile: log, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"user\":\"", with: "\"user\":\"someone-else-", options: [], range: text.range(of: "\"user\":\""))
        try Data(text.utf8).write(to: URL(fileURLWithPath: log))
        let h = BuiltBinary.run(["history", dir])
        #expect(h.status == 1)
        #expect(h.stderr.contains("chain broken at line 2"))
        #expect(h.stdout.contains("CHAIN BROKEN at line 2"))
    }
}
