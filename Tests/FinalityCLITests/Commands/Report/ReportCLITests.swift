import Foundation
import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Testing

@Suite(
    "finality report (the real binary)", .serialized,
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct ReportCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    let key1 = Fixture.key(1).text

    @Test("report is plain text with hashes, verdict, entries, LIB and interlocks")
    func report() throws {
        let (dir, path) = try Fixture.dataDir()
        let r = BuiltBinary.run(["report", dir] + Fixture.libArgs)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("SHA-256"))
        #expect(r.stdout.contains("Verdict: nodeos will load this file"))
        #expect(r.stdout.contains(key1))
        #expect(r.stdout.contains("typed by the operator"))
        #expect(r.stdout.contains("Interlocks:"))
        #expect(r.stdout.contains(path))
        #expect(!r.stdout.contains("SSH_"))
    }
}
