import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// A damaged file still shows what it holds on the Entries screen, and the banner names
/// the program the verdict speaks for (issue 7).
@Suite struct DamagedFileScreenTests {
    static func screen(_ bytes: [UInt8], path: String = ScreenFixture.location.file) -> String {
        var s = AppState(location: Location(file: path, dataDir: nil), readOnly: false, size: Size(columns: 100, rows: 30))
        let loaded = LoadedFile(location: ScreenFixture.location, bytes: bytes)
        _ = Core.update(
            &s,
            .fileLoaded(
                .success(
                    FileSnapshot(
                        path: path, byteCount: bytes.count, sha256: loaded.sha256,
                        verification: SafetyFileReader.verify(bytes), writable: true))))
        return Render.render(s).text
    }

    @Test("a file torn inside entry 2 lists entries 0 and 1 under a headline that says so")
    func tornFile() {
        let whole = SafetyFileWriter.encode(ScreenFixture.savannaFile())
        let torn = Array(whole.prefix(24 + 237 * 2 + 50))
        let text = Self.screen(torn)
        #expect(text.contains("Savanna safety.dat version 1, truncated in entry 2 (2 of 4 entries read)"))
        #expect(text.contains("nodeos will REFUSE this file"))
        let keys = ScreenFixture.savannaFile().entries.map { String($0.key.text.dropFirst(8).prefix(8)) }  // the key column at 80 columns
        #expect(text.contains(keys[0]) && text.contains(keys[1]))
        #expect(!text.contains(keys[2]))
    }

    @Test("the banner names the loader: spring for safety.dat, the Leap HotStuff prototype for safety_db.dat")
    func loaderNamed() {
        #expect(Self.screen(SafetyFileWriter.encode(ScreenFixture.savannaFile())).contains("loader spring"))
        let hot = Self.screen(SafetyFileWriter.encode(ScreenFixture.hotStuffFile()))
        #expect(hot.contains("loader leap-hotstuff-prototype"))
        #expect(hot.contains("the Leap HotStuff prototype will load this file"))
    }

    @Test("an escape sequence in the file's path is shown, never drawn")
    func hostilePath() {
        let text = Self.screen(SafetyFileWriter.encode(ScreenFixture.savannaFile()), path: "/srv/evil\u{1B}[2J.dat")
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("/srv/evil\\e[2J.dat"))
    }
}
