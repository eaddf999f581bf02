import FinalityEngine
import FinalityFormat
import FinalityInterface
import Foundation
import Testing
import FinalityTestSupport

/// One assessment of an entry serves every front end (issue 10, item 3): the Entries
/// screen, `list --json`'s codes and the case report say the same flags, "inactive"
/// included.
@Suite struct OneVocabularyTests {
    @Test("the Entries screen, --json and the report give the same flags for each entry, keys known or not", arguments: [false, true])
    func sameFlagsEverywhere(keysKnown: Bool) {
        let file = ScreenFixture.savannaFile()
        let lib = ScreenFixture.lib.lib
        let keys = keysKnown ? ScreenFixture.nodeKeys : ScreenFixture.noNodeKeys
        let bytes = SafetyFileWriter.encode(file)
        let report = CaseReport.text(
            loaded: LoadedFile(location: ScreenFixture.location, bytes: bytes), readings: [ScreenFixture.lib], libErrors: [],
            interlocks: InterlockReport(checks: []), toolVersion: "test", now: Date(timeIntervalSince1970: 1_790_000_000), nodeKeys: keys).text
        let state = ScreenFixture.state(size: Size(columns: 120, rows: 40), nodeKeys: keys)
        let screen = Render.render(state).text
        var seen = Set<String>()
        for (i, e) in file.entries.enumerated() {
            let findings = state.file!.findingsByEntry[i] ?? []
            let onScreen = EntryFacts.flags(e, index: i, lib: lib, findings: findings, keys: keys)
            let assessed = EntryAssessment.flags(e, lib: lib, findings: findings, keys: keys)
            #expect(onScreen == assessed)
            #expect(JSONModel.flags(e, duplicateOf: nil, lib: lib, keys: keys) == EntryAssessment.flags(e, lib: lib, keys: keys).map(\.code))
            for f in assessed {
                #expect(report.contains("flag \(f.short): \(f.long)"), "report lacks \(f.short) for entry \(i)")
                seen.insert(f.code)
            }
            if let first = assessed.first { #expect(screen.contains(first.short), "screen lacks \(first.short)") }
        }
        // The fixture's stories are all told: lock behind LIB, vote newer, inactive, never voted.
        #expect(seen.isSuperset(of: ["lock-behind-lib", "last-vote-newer-than-lib", "never-voted", "no-lock"]), "\(seen)")
        if keysKnown {
            // Certain, and the configured key without an entry is listed on the screen and in the report.
            #expect(seen.contains("inactive") && !seen.contains("maybe-inactive"), "\(seen)")
            let missing = "configured key without an entry: \(ScreenFixture.key(7).text): \(KeyCoverage.missingLine)"
            #expect(report.contains(missing))
            #expect(screen.contains(ScreenFixture.key(7).shortText(20) + ": " + KeyCoverage.missingLine))
            #expect(screen.contains("4 configured, from config.ini /srv/node/config/config.ini"))
            #expect(report.contains("configured finalizer keys: 4, from config.ini /srv/node/config/config.ini (config/ beside the data dir)"))
        } else {
            #expect(seen.contains("maybe-inactive") && !seen.contains("inactive"), "\(seen)")
            #expect(screen.contains("inactive?") && screen.contains("is a guess from time"))
        }
    }

    @Test("a private key planted in config.ini never reaches the screen grid, the detail pane, the repair wizard or the report")
    func plantedPrivateKeyNeverShown() {
        let ini = "signature-provider = \(ScreenFixture.key(1).text)=KEY:\(ScreenFixture.plantedSecret)\nsignature-provider=\(ScreenFixture.plantedSecret)\n"
        let parsed = NodeConfig.keys(configINI: Array(ini.utf8), path: "/srv/node/config/config.ini")
        let keys = NodeKeys(keys: parsed.keys, looked: parsed.problems, source: "config.ini /srv/node/config/config.ini (--config-dir)")
        var texts = [String]()
        for size in [Size.minimum, Size(columns: 200, rows: 60)] {
            var s = ScreenFixture.state(size: size, nodeKeys: keys)
            texts.append(Render.render(s).text)
            _ = Core.update(&s, .terminal(.key(.enter)))  // every field of the entry
            texts.append(Render.render(s).text)
            // The repair wizard's first step lists the node's keys.
            var d = ScreenFixture.state(size: size, corruptCRC: true, nodeKeys: keys)
            texts.append(Render.render(d).text)
            _ = Core.update(&d, .terminal(.key(.character("R"))))
            texts.append(Render.render(d).text)
        }
        texts.append(
            CaseReport.text(
                loaded: LoadedFile(location: ScreenFixture.location, bytes: SafetyFileWriter.encode(ScreenFixture.savannaFile())), readings: [ScreenFixture.lib],
                libErrors: [], interlocks: InterlockReport(checks: []), toolVersion: "test", now: Date(timeIntervalSince1970: 1_790_000_000),
                nodeKeys: keys).text)
        #expect(texts.joined().contains(String(ScreenFixture.key(1).text.prefix(14))), "the public key is shown")
        for t in texts {
            #expect(!t.contains("PVT_BLS"), "\(t)")
            #expect(!t.contains("PlantedScreenSecret"))
        }
    }
}
