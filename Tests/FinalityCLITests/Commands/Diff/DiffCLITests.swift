import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

@Suite(
    "finality diff (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct DiffCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    @Test("diff compares two files by key, in text and JSON")
    func diff() throws {
        let (_, a) = try Fixture.dataDir()
        var f = Fixture.savannaFile()
        f.entries.reverse()
        f.entries[0] = SafetyEntry(key: Fixture.key(3), state: .savanna(SavannaSafety(lastVote: Fixture.ref(7), lock: Fixture.ref(6))))
        let (_, b) = try Fixture.dataDir(f)
        let t = BuiltBinary.run(["diff", a, b])
        #expect(t.status == 0)
        #expect(t.stdout.contains("changed"))
        #expect(t.stdout.contains("the order of entries changed"))
        let j = BuiltBinary.run(["diff", b, a, "--json"])
        struct Document: Decodable {
            struct DiffPart: Decodable { var changedEntries: Int; var warnings: [AuditRecord.Warning] }
            var diff: DiffPart
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let doc = try decoder.decode(Document.self, from: Data(j.stdout.utf8))
        #expect(doc.diff.changedEntries == 1)
        #expect(!doc.diff.warnings.isEmpty)
    }
}
