import FinalityEngine
import FinalityFormat
import FinalityInterface
import Foundation
import Testing

/// One assessment of an entry serves every front end (issue 10, item 3): the Entries
/// screen, `list --json`'s codes and the case report say the same flags, "inactive"
/// included.
@Suite struct OneVocabularyTests {
    @Test("the Entries screen, --json and the report give the same flags for each entry")
    func sameFlagsEverywhere() {
        let file = Fixtures.savannaFile()
        let lib = Fixtures.lib.lib
        let bytes = SafetyFileWriter.encode(file)
        let report = CaseReport.text(
            loaded: LoadedFile(location: Fixtures.location, bytes: bytes), readings: [Fixtures.lib], libErrors: [],
            interlocks: InterlockReport(checks: []), toolVersion: "test", now: Date(timeIntervalSince1970: 1_790_000_000))
        let state = Fixtures.state(size: Size(columns: 120, rows: 40))
        let screen = Render.render(state).text
        var seen = Set<String>()
        for (i, e) in file.entries.enumerated() {
            let findings = state.file!.findingsByEntry[i] ?? []
            let onScreen = EntryFacts.flags(e, index: i, lib: lib, findings: findings)
            let assessed = EntryAssessment.flags(e, lib: lib, findings: findings)
            #expect(onScreen == assessed)
            #expect(JSONModel.flags(e, duplicateOf: nil, lib: lib) == EntryAssessment.flags(e, lib: lib).map(\.code))
            for f in assessed {
                #expect(report.contains("flag \(f.short): \(f.long)"), "report lacks \(f.short) for entry \(i)")
                seen.insert(f.code)
            }
            if let first = assessed.first { #expect(screen.contains(first.short), "screen lacks \(first.short)") }
        }
        // The fixture's stories are all told: lock behind LIB, vote newer, inactive, never voted.
        #expect(seen.isSuperset(of: ["lock-behind-lib", "last-vote-newer-than-lib", "inactive", "never-voted", "no-lock"]), "\(seen)")
    }
}
