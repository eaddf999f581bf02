import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

@testable import FinalityEngine

/// A key present twice (Fixtures/duplicate-key.dat: entry 5 repeats 2·G1 of entry 1):
/// nodeos keeps the first entry of a key (format.md, "Duplicate keys"). `show` says
/// "entry 5 (duplicate: nodeos uses entry 1)", list flags the row, the Entries screen
/// flags it and says which entry nodeos uses; the case report must say it the same way.
@Suite("The case report shows a key present twice as show, list and the Entries screen do")
struct CaseReportDuplicateTests {
    static func report(_ bytes: [UInt8], lib: LIBReading? = nil) -> String {
        CaseReport.text(
            loaded: LoadedFile(location: Location(file: "/d/finalizers/safety.dat", dataDir: "/d"), bytes: bytes),
            readings: lib.map { [$0] } ?? [], libErrors: [], interlocks: InterlockReport(checks: []), toolVersion: "test",
            now: Date(timeIntervalSince1970: 1_796_029_319)).text
    }

    /// The lines of entry `i`: its number and key, its fields, flags and decision.
    static func lines(_ report: String, entry i: Int) -> [String] {
        CaseReportDecisionTests.lines(report, entry: i)
    }

    @Test("the later entry says which entry nodeos uses, in show's words; it alone is flagged; nodeos does nothing with it")
    func laterEntryNamesTheFirst() throws {
        let bytes = try PackagePaths.fixture("duplicate-key.dat")
        let v = SafetyFileReader.verify(bytes)
        #expect(v.nodeosLoads)
        #expect(v.duplicateOf == [5: 1], "the fixture's one duplicate")
        let file = try #require(v.file)
        for lib in [nil, Damage.lib] {
            let text = Self.report(bytes, lib: lib)
            for i in file.entries.indices {
                let entry = Self.lines(text, entry: i)
                let head = try #require(entry.first, "entry \(i) is not in the report:\n\(text)")
                let flags = entry.filter { $0.hasPrefix("       flag ") && $0.contains("duplicate") }
                if i == 5 {
                    #expect(head == "  5. \(file.entries[5].key.text) (duplicate: nodeos uses entry 1)")
                    #expect(head.hasSuffix(" " + CaseReport.duplicateNote(nodeosUses: 1)))
                    #expect(flags.count == 1, "one duplicate flag: \(entry)")
                    #expect(flags.first?.contains("entry 1") == true, "\(flags)")
                    #expect(entry.last == "       nodeos will: nothing with this entry: entry 1 has the same key and nodeos uses the first")
                } else {
                    // The first entry of the key, like every other, is not marked.
                    #expect(head == "  \(i). \(file.entries[i].key.text)")
                    #expect(flags.isEmpty, "entry \(i): \(flags)")
                }
            }
        }
    }

    @Test("the report's flags for the duplicate are the one assessment's, given the entry it repeats (as list gives it)")
    func flagsAreTheOneAssessment() throws {
        let bytes = try PackagePaths.fixture("duplicate-key.dat")
        let v = SafetyFileReader.verify(bytes)
        let file = try #require(v.file)
        let text = Self.report(bytes, lib: Damage.lib)
        for i in file.entries.indices {
            let expected = EntryAssessment.flags(
                file.entries[i], lib: Damage.lib.lib, findings: (v.errors + v.warnings).filter { $0.entry == i }, duplicateOf: v.duplicateOf[i])
            let shown = Self.lines(text, entry: i).filter { $0.hasPrefix("       flag ") }
            #expect(shown == expected.map { "       flag \($0.short): \($0.long)" }, "entry \(i)")
        }
    }
}
