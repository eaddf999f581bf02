import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// The operator's stories, told to the pure core: keys in, state and effects out.
@Suite struct CoreTests {
    @Test func escapeNeverQuits() {
        var s = ScreenFixture.state()
        for screen in ["l", "v", "h", "?"] {
            press(&s, c(Character(screen)))
            press(&s, .escape, .escape, .escape)
            #expect(!s.quitting)
            #expect(s.screen == .entries)
        }
        press(&s, c("r"), .escape, .escape)
        #expect(!s.quitting)
    }

    @Test func qQuitsAndUnboundKeysDoNothing() {
        var s = ScreenFixture.state()
        let before = Render.render(s)
        #expect(press(&s, c("Z"), c("9"), .function(12), .left).isEmpty)
        #expect(Render.render(s) == before)
        press(&s, c("q"))
        #expect(s.quitting)
    }

    @Test func movementKeysHaveLetterAndControlForms() {
        var s = ScreenFixture.state()
        press(&s, c("j"))
        #expect(s.entries.selected == 1)
        press(&s, .control("n"), .down)
        #expect(s.entries.selected == 3)
        press(&s, .control("p"))
        #expect(s.entries.selected == 2)
        press(&s, c("g"))
        #expect(s.entries.selected == 0)
        press(&s, c("G"))
        #expect(s.entries.selected == 3)
        press(&s, c("j"))
        #expect(s.entries.selected == 3)
    }

    @Test func searchFiltersByKeyTextAndEscapeClearsIt() {
        var s = ScreenFixture.state()
        press(&s, c("/"))
        type(&s, String(ScreenFixture.key(3).text.dropFirst(8).prefix(24)))
        #expect(Core.visibleEntries(s) == [2])
        press(&s, .enter)
        #expect(s.prompt == nil)
        #expect(s.entries.filter.count == 24)
        press(&s, .escape)
        #expect(Core.visibleEntries(s) == [0, 1, 2, 3])
    }

    /// Typing narrows the rows already found; the result is the same as searching afresh,
    /// and deleting a character widens again.
    @Test func searchNarrowsAndWidensLikeAFreshSearch() {
        let query = String(ScreenFixture.key(2).text.dropFirst(8).prefix(5)).lowercased()
        var typed = ScreenFixture.state()
        press(&typed, c("/"))
        var fresh = ScreenFixture.state()
        for n in 1...query.count {
            type(&typed, String(query.dropFirst(n - 1).prefix(1)))
            fresh.entries.filter = String(query.prefix(n))
            Core.refreshRows(&fresh)
            #expect(Core.visibleEntries(typed) == Core.visibleEntries(fresh), "after \(n) characters")
        }
        #expect(Core.visibleEntries(typed) == [1])
        press(&typed, .backspace, .backspace, .backspace, .backspace, .backspace)
        #expect(Core.visibleEntries(typed) == [0, 1, 2, 3])
    }

    @Test func sortCyclesThroughColumns() {
        var s = ScreenFixture.state()
        press(&s, c("s"))
        #expect(s.entries.sort == .key)
        press(&s, c("s"))
        #expect(s.entries.sort == .lastVote)
        #expect(Core.visibleEntries(s) == [2, 3, 1, 0])
        press(&s, c("s"), c("s"))
        #expect(s.entries.sort == .fileOrder)
    }

    @Test func readOnlyRemovesEveryMutationKey() {
        for s0 in [ScreenFixture.state(readOnly: true), ScreenFixture.state(nodeRunning: "nodeos pid 1")] {
            var s = s0
            #expect(s.isReadOnly)
            #expect(press(&s, c("r"), c("d")).isEmpty)
            #expect(s.wizard == nil)
            for screen in Screen.allCases {
                let bar = Bindings.bar(on: screen, readOnly: true).map(\.label)
                #expect(!bar.contains("Reset") && !bar.contains("Delete") && !bar.contains("Restore"))
                #expect(Bindings.active(on: screen, readOnly: true).allSatisfy { !$0.mutates })
            }
            let status = Render.render(s).text(row: 22)
            #expect(status.contains("READ-ONLY"))
        }
    }

    @Test func unwritableFileIsReadOnly() {
        var s = AppState(location: ScreenFixture.location, readOnly: false, size: .minimum)
        _ = Core.update(&s, .fileLoaded(.success(ScreenFixture.snapshot(ScreenFixture.savannaFile(), writable: false))))
        #expect(s.readOnlyReason == "the file is not writable by this user")
    }

    @Test func helpIsGeneratedFromTheBindingTable() {
        var s = ScreenFixture.state(size: Size(columns: 120, rows: 80))
        press(&s, c("?"))
        let text = Render.render(s).text
        for b in Bindings.table {
            #expect(text.contains(b.help), "help lacks \(b.help)")
        }
        press(&s, c("?"))
        #expect(s.screen == .entries)
    }

    @Test func everyBarKeyIsTheKeyThatDoesIt() {
        for screen in Screen.allCases {
            let bar = Bindings.bar(on: screen, readOnly: false)
            // A global binding shadowed by the screen's own key (q on Help) is not on the bar.
            #expect(Set(bar.map(\.key)).count == bar.count, "\(screen): one key, two labels")
            for b in Bindings.active(on: screen, readOnly: false) where b.bar != nil && bar.contains(where: { $0.label == b.bar && $0.key == b.keyName }) {
                #expect(Bindings.action(for: b.keys[0], on: screen, readOnly: false) == b.action, "\(screen) \(b.keyName)")
            }
        }
    }

    /// The five steps in order; nothing is applied before the typed confirmation.
    @Test func resetWizardWritesOnlyAfterTypedConfirmation() {
        var s = ScreenFixture.state()
        press(&s, c("j"), c("r"))
        #expect(s.wizard?.step == .chooseEntry)
        var effects = press(&s, .enter)
        #expect(s.wizard?.step == .chooseLIB)
        #expect(effects.isEmpty)  // LIB already read
        effects = press(&s, .enter)
        #expect(s.wizard?.step == .review)
        guard case .computePlan(let request)? = effects.first else {
            Issue.record("no plan requested: \(effects)")
            return
        }
        #expect(request.kind == .reset(key: ScreenFixture.key(2).text))
        #expect(request.lib == .readings(s.lib.readings) && request.libChoice.map { s.lib.readings[$0] } == ScreenFixture.lib)
        #expect(request.expectedSHA256 == s.file?.sha256)
        _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
        press(&s, .enter)
        #expect(s.wizard?.step == .confirm)
        // "y" is not a confirmation; a wrong part of the key is not either.
        effects = press(&s, c("y"), .enter)
        #expect(effects.isEmpty)
        #expect(s.wizard?.confirmError != nil)
        effects = type(&s, String(ScreenFixture.key(1).text.dropFirst(8).prefix(8))) + press(&s, .enter)
        #expect(effects.isEmpty)
        let expected = s.wizard!.expectedConfirmation
        #expect(expected == String(ScreenFixture.key(2).text.dropFirst(8).prefix(8)))
        effects = type(&s, expected) + press(&s, .enter)
        #expect(effects == [.apply(planID: 7, request: ScreenFixture.resetPlan(s).request)])
    }

    @Test func choosingBetweenDisagreeingSourcesNeedsAReason() {
        var s = ScreenFixture.state(apiAnswer: .success(ScreenFixture.apiLIB))
        press(&s, c("r"), .enter, c("j"))
        #expect(press(&s, .enter).isEmpty)
        #expect(s.prompt?.purpose == .libReason)
        #expect(press(&s, .enter).isEmpty)  // an empty reason is refused
        #expect(s.wizard?.step == .chooseLIB)
        press(&s, .enter)
        type(&s, "blocks.log is stale; the API node is synced")
        let effects = press(&s, .enter)
        guard case .computePlan(let r)? = effects.first else {
            Issue.record("no plan requested: \(effects)")
            return
        }
        #expect(r.libChoice.map { s.lib.readings[$0] } == ScreenFixture.apiLIB)
        #expect(r.libChoice == 1)
        #expect(r.libReason == "blocks.log is stale; the API node is synced")
    }

    @Test func aLIBTypedAtStepTwoIsTheOneSelected() {
        var s = ScreenFixture.state()
        press(&s, c("r"), .enter, c("t"))
        #expect(s.prompt?.purpose == .typedLIB)
        let id = ScreenFixture.blockID(5_215).hex
        type(&s, "\(id) \(ScreenFixture.libSlot + 5)")
        let effects = press(&s, .enter)
        #expect(effects == [.readLIB([.typed(id: id, timeOrSlot: "\(ScreenFixture.libSlot + 5)")])])
        let typed = LIBReading(lib: LIB(blockID: ScreenFixture.blockID(5_215), timestamp: BlockTimestamp(slot: ScreenFixture.libSlot + 5)), source: .typed)
        _ = Core.update(&s, .libRead([LIBAnswer(request: .typed(id: id, timeOrSlot: "\(ScreenFixture.libSlot + 5)"), result: .success(typed))]))
        #expect(s.wizard?.libSelected == 2)
        #expect(s.lib.answers.count == 3)
    }

    @Test func escapeGoesBackOneStepAtATime() {
        var s = ScreenFixture.state()
        press(&s, c("r"), .enter, .enter)
        _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
        press(&s, .enter)
        #expect(s.wizard?.step == .confirm)
        press(&s, .escape)
        #expect(s.wizard?.step == .review)
        press(&s, .escape)
        #expect(s.wizard?.step == .chooseLIB)
        press(&s, .escape)
        #expect(s.wizard?.step == .chooseEntry)
        press(&s, .escape)
        #expect(s.wizard == nil)
        #expect(s.screen == .entries)
        #expect(!s.quitting)
    }

    @Test func deleteSkipsTheLIBStep() {
        var s = ScreenFixture.state()
        press(&s, c("d"))
        let effects = press(&s, .enter)
        #expect(s.wizard?.step == .review)
        guard case .computePlan(let r)? = effects.first else {
            Issue.record("no plan requested")
            return
        }
        #expect(r.kind == .delete(key: ScreenFixture.key(2).text) || r.kind.action == .delete)
        // The LIB readings go along only to say how far the lock moves back when nodeos
        // recreates it; no choice is made for the operator.
        #expect(r.lib == .readings(s.lib.readings) && s.lib.readings.contains(ScreenFixture.lib) && r.libChoice == nil)
        press(&s, .escape)
        #expect(s.wizard?.step == .chooseEntry)
    }

    @Test func hangupDuringTheWizardWritesNothing() {
        var s = ScreenFixture.state()
        press(&s, c("r"), .enter, .enter)
        _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
        press(&s, .enter)
        type(&s, s.wizard!.expectedConfirmation)
        let effects = Core.update(&s, .terminal(.hangup))
        #expect(effects.isEmpty)
        #expect(s.quitting)
    }

    @Test func aRefusedPlanCannotReachConfirmation() {
        var s = ScreenFixture.state()
        press(&s, c("r"), .enter, .enter)
        var plan = ScreenFixture.resetPlan(s)
        plan.refusal = "a node is running"
        _ = Core.update(&s, .planComputed(.success(plan)))
        press(&s, .enter)
        #expect(s.wizard?.step == .review)
    }

    @Test func appliedChangeRereadsTheFile() {
        var s = ScreenFixture.state()
        press(&s, c("r"), .enter, .enter)
        let outcome = ApplyOutcome(backupPath: "/b", auditRecord: "/a", newSHA256: "00", nextSteps: [])
        let effects = Core.update(&s, .applied(.success(outcome)))
        // A refusal too: the file is shown as it now is.
        var refused = ScreenFixture.state()
        press(&refused, c("r"), .enter, .enter)
        #expect(Core.update(&refused, .applied(.failure(.nodeRunning("nodeos pid 1")))) == [.loadFile(ScreenFixture.location), .loadHistory(ScreenFixture.location)])
        #expect(s.wizard?.step == .result)
        #expect(effects == [.loadFile(ScreenFixture.location), .loadHistory(ScreenFixture.location)])
        press(&s, .enter)
        #expect(s.wizard == nil)
    }

    @Test func resizeFollowsTheTerminal() {
        var s = ScreenFixture.state()
        _ = Core.update(&s, .terminal(.resize(Size(columns: 132, rows: 50))))
        #expect(Render.render(s).size == Size(columns: 132, rows: 50))
        _ = Core.update(&s, .terminal(.resize(Size(columns: 70, rows: 20))))
        #expect(Render.render(s).text.contains("terminal too small"))
    }

    @Test func lockBehindLIBIsFlagged() {
        let file = ScreenFixture.savannaFile()
        let flags = EntryFacts.flags(file.entries[1], index: 1, lib: ScreenFixture.lib.lib, findings: [])
        #expect(flags.map(\.long).contains("lock behind LIB by 20 blocks (lock 5,190, LIB 5,210)"))
        // Without the node's keys, a guess from time, said to be one.
        let guess = EntryFacts.flags(file.entries[3], index: 3, lib: ScreenFixture.lib.lib, findings: [], keys: ScreenFixture.noNodeKeys)
        #expect(guess.contains { $0.short == "inactive?" && $0.code == "maybe-inactive" && $0.long.contains("a guess from time") })
        #expect(!guess.contains { $0.code == "inactive" })
        // With them, certain: key 4 is not configured; key 2 is (no guess, whatever its times).
        let certain = EntryFacts.flags(file.entries[3], index: 3, lib: ScreenFixture.lib.lib, findings: [], keys: ScreenFixture.nodeKeys)
        #expect(certain.contains { $0.short == "inactive" && $0.code == "inactive" && $0.long.contains("not configured with this key") })
        #expect(!certain.contains { $0.code == "maybe-inactive" })
        #expect(!EntryFacts.flags(file.entries[1], index: 1, lib: ScreenFixture.lib.lib, findings: [], keys: ScreenFixture.nodeKeys).contains { $0.code.contains("inactive") })
    }

    @Test func sourcesThatDisagreeAreShownNotMerged() {
        let s = ScreenFixture.state(apiAnswer: .success(ScreenFixture.apiLIB))
        #expect(s.lib.disagreement)
        #expect(s.lib.answers.count == 2)
        #expect(Render.render(s).text.contains("sources DISAGREE"))
    }

    @Test func reportGoesToAFileWithTheLIBReadingsShown() {
        var s = ScreenFixture.state()
        press(&s, c("w"))
        #expect(s.prompt?.purpose == .reportPath)
        let effects = press(&s, .enter)
        guard case .writeReport(let path, let location, let readings, let errors)? = effects.first else {
            Issue.record("no report written")
            return
        }
        // The working directory (issue 19): never beside the safety file.
        #expect(path.hasPrefix("/home/operator/finality-report-"))
        #expect(location == ScreenFixture.location)
        #expect(readings == [ScreenFixture.lib])
        #expect(errors == ["--api http://127.0.0.1:8888: http://127.0.0.1:8888: cannot connect: Connection refused"])
    }

    @Test func diffMarksChangedFieldsAndBackwardMoves() {
        let before = ScreenFixture.savannaFile()
        var after = before
        after.entries[0].state = .savanna(SavannaSafety(lastVote: .empty, lock: ScreenFixture.ref(5_190)))
        let diff = FileDiff.compare(old: before, new: after)
        let rows = DiffRows.from(diff)
        #expect(rows.filter(\.changed).map(\.field) == [
            "last_vote.block_id (_vheight)", "last_vote.timestamp (_vheight)", "last_vote.finality_digest", "lock.block_id (_b_lock)",
            "lock.timestamp (_b_lock)", "lock.finality_digest",
        ])
        #expect(diff.warnings.contains { $0.message.contains("moves back") })
    }
}

/// Every screen at every size from the minimum to large, in every wizard step: rendering
/// never traps (a screen drawn over SSH must not crash the tool).
@Suite struct RenderRobustnessTests {
    @Test func everySceneAtManySizes() {
        let sizes = [(80, 24), (81, 25), (90, 30), (132, 43), (200, 60), (80, 60), (250, 24)].map { Size(columns: $0.0, rows: $0.1) }
        for scene in ScreenSnapshotTests.scenes {
            for size in sizes {
                let grid = Render.render(scene.1(size))
                #expect(grid.size == size)
                #expect(!grid.text.contains("terminal too small"), "\(scene.0) at \(size)")
            }
        }
        for size in [Size(columns: 1, rows: 1), Size(columns: 0, rows: 0), Size(columns: 79, rows: 100), Size(columns: 300, rows: 23)] {
            _ = Render.render(ScreenFixture.state(size: size))
        }
    }
}
