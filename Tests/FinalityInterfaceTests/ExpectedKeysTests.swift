import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// Keys as people expect them (issue 10, items 7, 10 and 11), each told as the operator
/// would meet it.
@Suite struct ExpectedKeysTests {
    @Test("the Entries screen says whether the node votes with the selected key in the node keys' one sentence (as show and the review)")
    func votingSentenceOnTheScreen() throws {
        let s = ScreenFixture.state(size: Size(columns: 200, rows: 60), nodeKeys: ScreenFixture.nodeKeys)
        let index = try #require(Core.selectedEntryIndex(s))
        let key = try #require(s.file?.verification.file?.entries[index].key)
        #expect(ScreenFixture.nodeKeys.isConfigured(key) == true)
        let sentence = ScreenFixture.nodeKeys.votingSentence(for: key)
        #expect(sentence.hasPrefix("this node votes with this key (config.ini /srv/node/config/config.ini"))
        #expect(Render.render(s).text.contains("configured: " + sentence), "\(Render.render(s).text)")
    }

    // MARK: 7: a screen too small drives nothing

    @Test("behind \"terminal too small\" a whole reset typed blind changes nothing")
    func keysBehindTooSmallDoNothing() {
        var s = ScreenFixture.state()
        press(&s, c("j"), c("r"))
        #expect(s.wizard?.step == .chooseEntry)
        // A smaller client joins the shared tmux: the window shrinks.
        _ = Core.update(&s, .terminal(.resize(Size(columns: 70, rows: 20))))
        #expect(Render.render(s).text.contains("terminal too small"))
        let before = s.wizard
        var effects = press(&s, .enter, .enter, .enter)
        effects += type(&s, String(ScreenFixture.key(2).text.dropFirst(8).prefix(8)))
        effects += press(&s, .enter, c("/"), c("d"), .escape, c("?"))
        #expect(effects.isEmpty)
        #expect(s.wizard?.step == before?.step)
        #expect(s.prompt == nil)
        #expect(s.screen == .wizard)
        // Back to full size: the wizard is where it was.
        _ = Core.update(&s, .terminal(.resize(.minimum)))
        #expect(s.wizard?.step == .chooseEntry)
    }

    @Test("behind \"terminal too small\" a prompt takes no typed text; q quits")
    func tooSmallPromptTakesNoText() {
        var s = ScreenFixture.state()
        press(&s, c("/"))
        _ = Core.update(&s, .terminal(.resize(Size(columns: 40, rows: 10))))
        type(&s, "abc")
        #expect(s.prompt?.text == "")
        press(&s, c("q"))
        #expect(s.quitting)
    }

    // MARK: 10: keys as people expect them

    @Test("q on Help closes Help, as in less; it does not quit")
    func qClosesHelp() {
        var s = ScreenFixture.state()
        press(&s, c("l"), c("?"))
        #expect(s.screen == .help)
        press(&s, c("q"))
        #expect(!s.quitting)
        #expect(s.screen == .lib)
    }

    @Test("q in the wizard asks first; only y quits")
    func qInTheWizardAsks() {
        var s = ScreenFixture.state()
        press(&s, c("r"))
        press(&s, c("q"))
        #expect(!s.quitting)
        #expect(Render.render(s).text(row: 22).contains("Quit and leave the wizard?"))
        press(&s, c("n"))
        #expect(!s.quitting)
        #expect(s.screen == .wizard)
        press(&s, c("q"), c("y"))
        #expect(s.quitting)
    }

    @Test("History opens on the newest backup (the one an undo wants)")
    func historyOpensOnNewest() {
        var s = ScreenFixture.state()
        press(&s, c("h"))
        _ = Core.update(&s, .historyLoaded(.success(ScreenFixture.backups)))
        #expect(s.history.selected == 0)  // 2026-11-21, the newer of the two
        // A re-read (after a change) keeps what the operator selected.
        press(&s, c("j"))
        _ = Core.update(&s, .historyLoaded(.success(ScreenFixture.backups)))
        #expect(s.history.selected == 1)
    }

    @Test("a restore's steps are titled for a restore: a backup is chosen, not an entry")
    func restoreStepsTitled() {
        var s = ScreenFixture.state()
        press(&s, c("h"))
        _ = Core.update(&s, .historyLoaded(.success(ScreenFixture.backups)))
        press(&s, c("r"))
        let text = Render.render(s).text
        #expect(text.contains("Step 1 of 5: Choose the backup"))
        #expect(!text.contains("Entry & action"))
        #expect(!text.contains("Choose entry"))
    }

    @Test("n and N step through the search's matches, wrapping around")
    func nStepsThroughMatches() {
        var s = ScreenFixture.state()
        press(&s, c("/"))
        type(&s, "PUB_BLS_")
        press(&s, .enter)
        #expect(s.entries.rows.count == 4)
        press(&s, c("n"), c("n"))
        #expect(s.entries.selected == 2)
        press(&s, c("N"), c("N"), c("N"))
        #expect(s.entries.selected == 3)
    }

    @Test("leaving the search keeps the selected entry selected")
    func leavingTheFilterKeepsSelection() {
        var s = ScreenFixture.state()
        let key3 = ScreenFixture.key(4).text
        press(&s, c("/"))
        type(&s, String(key3.dropFirst(8).prefix(6)))
        press(&s, .enter)
        #expect(Core.selectedEntryIndex(s) == 3)
        press(&s, .escape)
        #expect(s.entries.filter.isEmpty)
        #expect(Core.selectedEntryIndex(s) == 3)
        // ESC while still typing does the same.
        press(&s, c("g"), c("/"))
        type(&s, String(ScreenFixture.key(3).text.dropFirst(8).prefix(6)))
        press(&s, .escape)
        #expect(Core.selectedEntryIndex(s) == 2)
    }

    // MARK: 11: read-only lifts when the reason goes

    @Test("after nodeos stops, ^R checks again and the reset becomes available without restarting")
    func readOnlyLiftsWhenTheNodeStops() {
        var s = ScreenFixture.state(nodeRunning: "nodeos pid 4242 holds state/shared_memory.bin")
        #expect(s.isReadOnly)
        #expect(press(&s, c("r")).isEmpty)
        #expect(s.wizard == nil)
        // ^R reads the file again as well as the node and writability (issue 20).
        let effects = press(&s, .control("r"))
        #expect(effects == [.loadFile(ScreenFixture.location)])
        _ = Core.update(&s, .fileLoaded(.success(ScreenFixture.snapshot(ScreenFixture.savannaFile()))))
        #expect(!s.isReadOnly)
        #expect(s.status?.text.contains("checked again: the file was read again, no node is running and the file is writable") == true)
        press(&s, c("r"))
        #expect(s.wizard?.step == .chooseEntry)
    }

    @Test("a change checks the interlocks once, at its review: a node found there stops the wizard and turns the screen read-only")
    func theReviewChecksAgain() {
        var s = ScreenFixture.state()
        // Starting a change asks for nothing: the engine's review runs the interlocks.
        #expect(press(&s, c("r")).isEmpty)
        press(&s, .enter)
        guard case .computePlan? = press(&s, .enter).first else {
            Issue.record("no review requested")
            return
        }
        var plan = ScreenFixture.resetPlan(s)
        plan.refusal = "a node is running: nodeos pid 7. Stop nodeos first; nothing can be written while it runs"
        plan.nodeRunning = "nodeos pid 7"
        _ = Core.update(&s, .planComputed(.success(plan)))
        #expect(s.isReadOnly)
        #expect(press(&s, .enter).isEmpty)
        #expect(s.wizard?.step == .review)
        #expect(Render.render(s).text(row: 22).contains("READ-ONLY: a node is running"))
    }
}

/// The review step shows the workflow's review in its order: interlocks, what nodeos will
/// do and the vote floor's evidence (the decision model's slot), warnings, the diff.
@Suite struct ReviewStepTests {
    @Test("the review shows what nodeos will do and the evidence, before the warnings and the diff")
    func reviewShowsTheDecisionModelSlot() {
        var s = ScreenFixture.state(size: Size(columns: 120, rows: 40))
        press(&s, c("j"), c("r"), .enter, .enter)
        var plan = ScreenFixture.resetPlan(s)
        plan.nodeosWillDo = ["at its next start nodeos votes from block 5,211 on"]
        plan.evidence = ["the entry's own last vote: block 5,200", "LIB: block 5,210 (blocks.log)"]
        _ = Core.update(&s, .planComputed(.success(plan)))
        let text = Render.render(s).text
        let order = ["What nodeos will do:", "votes from block 5,211", "Vote floor evidence:", "LIB: block 5,210", "lock.block_id"]
        let positions = order.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(text)")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted())
    }
}
