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

    @Test("a key present twice: report marks the entry list flags, naming the entry nodeos uses, as verify's warning does")
    func duplicateKey() throws {
        let fixture = PackagePaths.fixtures.appendingPathComponent("duplicate-key.dat").path
        let list = BuiltBinary.run(["list", fixture])
        #expect(list.status == 0, "\(list.stderr)")
        // list: the FLAGS column of row 5 says `dup of #1`; no other row is flagged so.
        let rows = list.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(rows.count == 6, "\(list.stdout)")
        #expect(rows.filter { $0.contains("dup of #") }.map { String($0.prefix(2)) } == ["5 "], "\(rows)")
        #expect(rows.first { $0.hasPrefix("5 ") }?.contains("dup of #1") == true)
        let verify = BuiltBinary.run(["verify", fixture])
        #expect(verify.stdout.contains("entry 5, key: expected each key once, found the key of entry 1 again (nodeos uses entry 1"), "\(verify.stdout)")
        // report: the same entry marked, the same first entry named.
        let report = BuiltBinary.run(["report", fixture])
        #expect(report.status == 0, "\(report.stderr)")
        let heads = report.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(". PUB_BLS_") }
        #expect(heads.count == 6, "\(report.stdout)")
        #expect(heads.filter { $0.contains("(duplicate: ") }.map { String($0.prefix(5)) } == ["  5. "], "\(heads)")
        #expect(heads.first { $0.hasPrefix("  5. ") }?.hasSuffix(" (duplicate: nodeos uses entry 1)") == true)
    }
}
