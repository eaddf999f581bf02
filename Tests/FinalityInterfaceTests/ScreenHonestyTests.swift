import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityTestSupport
import Testing

/// Issue 20 in the pure core: the screen never lies and never acts on keys nobody typed.
@Suite struct ScreenHonestyTests {
    /// Entry 1's reset, reviewed: the wizard at step 4 (the typed confirmation).
    func atConfirmation() -> AppState {
        var s = ScreenFixture.state()
        press(&s, c("j"), c("r"), .enter, .enter)
        _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
        press(&s, .enter)
        return s
    }

    var confirmation: String { String(ScreenFixture.key(2).text.dropFirst(8).prefix(8)) }

    // MARK: item 2: a paste is text, never keys

    @Test("a paste into the confirmation is text: its newline confirms nothing; Enter must be a key")
    func pasteNeverConfirms() {
        var s = atConfirmation()
        #expect(s.wizard?.step == .confirm)
        let effects = Core.update(&s, .terminal(.paste(confirmation + "\r\n")))
        #expect(effects.isEmpty)
        #expect(s.wizard?.step == .confirm)
        #expect(s.wizard?.typed == confirmation)
        // The operator presses Enter: now it applies.
        guard case .apply? = press(&s, .enter).first else {
            Issue.record("Enter after the paste did not apply")
            return
        }
    }

    @Test("a paste into / filters once; outside a prompt it is ignored and the status bar says so")
    func pasteIntoTheFilterAndOutside() {
        var s = ScreenFixture.state()
        let before = s.screen
        // Outside a prompt: `r` in a paste opens no wizard, `q` quits nothing.
        #expect(Core.update(&s, .terminal(.paste("rdq\r"))).isEmpty)
        #expect(s.screen == before && s.wizard == nil && !s.quitting)
        #expect(s.status?.text.contains("paste ignored") == true)
        press(&s, c("/"))
        _ = Core.update(&s, .terminal(.paste(String(ScreenFixture.key(3).text.dropFirst(8).prefix(6)) + "\n")))
        #expect(s.prompt != nil, "the paste's newline closed the prompt")
        #expect(s.entries.rows.count == 1)
    }

    @Test("a huge paste keeps what a prompt can use; the confirmation keeps 64 characters")
    func pastesAreCut() {
        var s = ScreenFixture.state()
        press(&s, c("/"))
        _ = Core.update(&s, .terminal(.paste(String(repeating: "x", count: 10_000))))
        #expect(s.prompt?.text.count == 4096)
        var w = atConfirmation()
        _ = Core.update(&w, .terminal(.paste(String(repeating: "y", count: 10_000))))
        #expect(w.wizard?.typed.count == 64)
    }

    // MARK: item 5: quitting is asked inside a change at any size

    @Test("q while the window is too small asks before leaving the wizard, and says so on the small screen")
    func tooSmallQuitAsks() {
        var s = ScreenFixture.state()
        press(&s, c("j"), c("r"))
        _ = Core.update(&s, .terminal(.resize(Size(columns: 60, rows: 20))))
        press(&s, c("q"))
        #expect(!s.quitting)
        #expect(s.askingQuit)
        #expect(Render.render(s).text.contains("leave the wizard? y quits"))
        press(&s, c("n"))
        #expect(!s.quitting && !s.askingQuit && s.wizard != nil)
        press(&s, c("q"), c("y"))
        #expect(s.quitting)
    }

    @Test("a refused change sets the exit status the program ends with; one that then goes through clears it")
    func refusedChangeSetsTheExitStatus() {
        var s = atConfirmation()
        type(&s, confirmation)
        guard case .apply? = press(&s, .enter).first else {
            Issue.record("no apply")
            return
        }
        _ = Core.update(&s, .applied(.failure(.nodeRunning("nodeos pid 7 holds the data dir"))))
        #expect(s.changeFailed == .nodeRunning)
        _ = Core.update(&s, .applied(.failure(.refused("the file changed since the plan"))))
        #expect(s.changeFailed == .invalidOrRefused)
    }

    // MARK: item 3: the screen follows the world

    @Test("a file changed on disk is read again and the status bar says so with the time")
    func changedFileIsReadAgain() {
        var s = ScreenFixture.state()
        let effects = Core.update(&s, .worldChecked(WorldCheck(file: .changed, access: nil, unixMilliseconds: 1_796_000_000_000 + 3_723_000)))
        #expect(effects == [.loadFile(ScreenFixture.location)])
        _ = Core.update(&s, .fileLoaded(.success(ScreenFixture.snapshot(ScreenFixture.savannaFile()))))
        let clock = Core.clockText(1_796_000_000_000 + 3_723_000)
        #expect(Render.render(s).text.contains("the file changed on disk at \(clock): read again"), "\(Render.render(s).text)")
    }

    @Test("a file removed says so: no facts of it stay on screen, and the screen is read-only with the reason")
    func removedFileSaysSo() {
        var s = ScreenFixture.state()
        #expect(Render.render(s).text.contains("nodeos will load this file"))
        _ = Core.update(&s, .worldChecked(WorldCheck(file: .gone, access: nil, unixMilliseconds: 0)))
        let text = Render.render(s).text
        #expect(!text.contains("nodeos will load this file"), "\(text)")
        #expect(text.contains("is gone"))
        #expect(s.readOnlyReason?.contains("the file was removed from disk at 00:00:00 UTC") == true, "\(s.readOnlyReason ?? "nil")")
        #expect(text.contains("READ-ONLY: the file was removed"))
    }

    @Test("a link planted in the file's place: nothing of it is shown, READ-ONLY says where it points")
    func plantedLinkSaysSo() {
        var s = ScreenFixture.state()
        _ = Core.update(&s, .worldChecked(WorldCheck(file: .linked("/tmp/evil.dat"), access: nil, unixMilliseconds: 0)))
        #expect(s.file == nil)
        #expect(s.readOnlyReason?.contains("a symbolic link was planted at \(ScreenFixture.location.file) (to /tmp/evil.dat)") == true)
        #expect(press(&s, c("r")).isEmpty && s.wizard == nil)
    }

    @Test("a node that starts turns the screen read-only with the reason; its stop lifts nothing until ^R")
    func nodeStartTurnsReadOnly() {
        var s = ScreenFixture.state()
        #expect(!s.isReadOnly)
        _ = Core.update(
            &s, .worldChecked(WorldCheck(file: nil, access: WriteAccess(writable: true, nodeRunning: "nodeos pid 4242 (/usr/local/bin/nodeos)"), unixMilliseconds: 0)))
        #expect(s.readOnlyReason == "a node is running (nodeos pid 4242 (/usr/local/bin/nodeos))")
        #expect(Render.render(s).text.contains("READ-ONLY"))
        #expect(press(&s, c("r")).isEmpty && s.wizard == nil)
        _ = Core.update(&s, .worldChecked(WorldCheck(file: nil, access: WriteAccess(writable: true, nodeRunning: nil), unixMilliseconds: 0)))
        #expect(s.isReadOnly)
        #expect(press(&s, .control("r")) == [.loadFile(ScreenFixture.location)])
    }

    @Test("every tick looks at the world; the loop wakes at least once a second")
    func ticksLookAtTheWorld() {
        var s = ScreenFixture.state()
        #expect(Core.update(&s, .tick).contains(.checkWorld(ScreenFixture.location)))
        #expect(s.wakeMilliseconds <= 1000)
    }

    // MARK: item 4: the read-only reason names the cause

    @Test("read-only names the runner's cause: a read-only mount, the immutable flag, another owner")
    func readOnlyNamesTheCause() {
        for reason in [
            "the file system holding the file is mounted read-only",
            "the file has the immutable flag (lsattr shows i; chattr -i removes it)",
            "the file belongs to nodeos, not to this user (operator); mode 644",
        ] {
            var s = ScreenFixture.state()
            _ = Core.update(&s, .interlocksChecked(WriteAccess(writable: false, nodeRunning: nil, reason: reason)))
            #expect(s.readOnlyReason == reason)
        }
    }

    @Test("after a file went away, ^R reads again: a missing file in a data dir can then be repaired (the notice no longer blocks)")
    func goneThenRecheckedOffersTheRepair() {
        var s = ScreenFixture.state()
        _ = Core.update(&s, .worldChecked(WorldCheck(file: .gone, access: nil, unixMilliseconds: 0)))
        #expect(s.isReadOnly)
        #expect(press(&s, .control("r")) == [.loadFile(ScreenFixture.location)])
        let effects = Core.update(&s, .fileLoaded(.failure(.io(path: ScreenFixture.location.file, operation: "open", reason: "no such file or directory"))))
        #expect(effects == [.checkInterlocks(ScreenFixture.location)])
        _ = Core.update(&s, .interlocksChecked(WriteAccess(writable: true, nodeRunning: nil)))
        #expect(!s.isReadOnly, "\(s.readOnlyReason ?? "")")
    }
}
