import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// Issue 9, item 3: a file nodeos refuses offers repair from the Entries screen, and the
/// wizard drives the engine's one change workflow as `finality repair` does.
@Suite struct RepairWizardTests {
    static func damaged(size: Size = .minimum) -> AppState {
        ScreenFixture.state(size: size, nodeKeys: ScreenFixture.nodeKeys, bytes: ScreenFixture.truncatedBytes)
    }

    @Test("a refused file offers R (repair) on the key bar and the screen; reset and delete give way to it")
    func repairOffered() {
        var s = Self.damaged()
        let bar = Bindings.bar(in: s).map(\.label)
        #expect(bar.contains("Repair") && !bar.contains("Reset") && !bar.contains("Delete"), "\(bar)")
        let text = Render.render(s).text
        #expect(text.contains("R: repair"))
        #expect(text.contains("nodeos will REFUSE this file"))
        // r and d do nothing here (they would fail at the plan: the file does not load).
        #expect(press(&s, c("r"), c("d")).isEmpty)
        #expect(s.wizard == nil)
        // A file nodeos loads: no repair on the bar, R says why.
        var good = ScreenFixture.state(nodeKeys: ScreenFixture.nodeKeys)
        #expect(!Bindings.bar(in: good).map(\.label).contains("Repair"))
        #expect(press(&good, c("R")).isEmpty && good.wizard == nil)
        // Read-only: absent.
        var ro = ScreenFixture.state(readOnly: true, nodeKeys: ScreenFixture.nodeKeys, bytes: ScreenFixture.truncatedBytes)
        #expect(!Bindings.bar(in: ro).map(\.label).contains("Repair"))
        #expect(press(&ro, c("R")).isEmpty && ro.wizard == nil)
        #expect(!Render.render(ro).text.contains("R: repair"))
    }

    @Test("the repair wizard: keys, LIB, the review of every key, the typed SHA-256, apply, the result")
    func walkThrough() {
        var s = Self.damaged()
        var effects = press(&s, c("R"))
        #expect(s.screen == .wizard && s.wizard?.action == .repair && s.wizard?.step == .chooseEntry)
        #expect(effects.isEmpty)  // the review runs the interlocks
        var text = Render.render(s).text
        #expect(text.contains("Step 1 of 5: Damage and node keys"))
        #expect(text.contains("The node votes with 4 keys (from config.ini /srv/node/config/config.ini"))
        effects = press(&s, .enter)
        #expect(s.wizard?.step == .chooseLIB)
        #expect(effects.isEmpty)  // LIB already read
        #expect(Render.render(s).text.contains("Repair: every configured key's lock moves to the LIB chosen here."))
        effects = press(&s, .enter)
        guard case .computePlan(let request)? = effects.first, effects.count == 1 else {
            Issue.record("no plan requested: \(effects)")
            return
        }
        #expect(request.kind == .repair)
        // The engine finds the node's keys itself, where the screen found them: the config dir given.
        #expect(request.configDir == s.configDir)
        #expect(request.expectedSHA256 == s.file?.sha256)
        #expect(request.lib == .readings([ScreenFixture.lib]) && request.libChoice == 0 && request.kind.key == nil)
        let plan = ScreenFixture.repairPlan(s)
        _ = Core.update(&s, .planComputed(.success(plan)))
        // The review lists every key: what was recovered, from where, what is lost.
        var review = [String]()
        for _ in 0..<300 {
            review.append(Render.render(s).text)
            press(&s, c("j"))
        }
        let all = review.joined(separator: "\n")
        #expect(all.contains("Repair of a damaged file:"))
        for k: UInt8 in [1, 2, 3, 7] { #expect(all.contains(ScreenFixture.key(k).shortText(40)), "key \(k) not reviewed") }
        #expect(all.contains("recovered: last vote: block #5,212"))
        #expect(all.contains("LOST:"))
        #expect(all.contains("What nodeos will do:"))
        #expect(all.contains("Vote floor evidence:"))
        #expect(all.contains("one source, not cross-checked"))
        // The warnings come before the long per-key listing: in view on the first screen.
        #expect(review[0].contains("! PUB_BLS_") && review[0].contains("no evidence of its last vote but LIB"))
        press(&s, .enter)
        #expect(s.wizard?.step == .confirm)
        text = Render.render(s).text
        #expect(text.contains(String(plan.afterSHA256.prefix(40))), "the SHA-256 to type from is shown")
        // The key's 8 characters are not the confirmation of a whole-file change.
        effects = type(&s, String(ScreenFixture.key(1).text.dropFirst(8).prefix(8))) + press(&s, .enter)
        #expect(effects.isEmpty && s.wizard?.confirmError != nil)
        #expect(s.wizard?.expectedConfirmation == String(plan.afterSHA256.prefix(12)))
        effects = type(&s, String(plan.afterSHA256.prefix(12))) + press(&s, .enter)
        #expect(effects == [.apply(planID: plan.id, request: plan.request)])
        effects = Core.update(
            &s,
            .applied(
                .success(
                    ApplyOutcome(
                        backupPath: "/srv/node/data/finalizers/backups/safety.dat.20261121T120105Z.0f0e.bak",
                        auditRecord: "/srv/node/data/finalizers/safety.dat.audit.jsonl", newSHA256: plan.afterSHA256,
                        nextSteps: [NextStep("Start nodeos: it loads the repaired file.")]))))
        #expect(effects == [.loadFile(ScreenFixture.location), .loadHistory(ScreenFixture.location)])
        text = Render.render(s).text
        #expect(text.contains("Step 5 of 5: Result"))
        #expect(text.contains("Done: the file was written"))
        // Issue 22: both results offer W; a repair watches every key.
        #expect(text.contains("press W to watch every key vote again"))
        press(&s, .enter)
        #expect(s.screen == .entries && s.wizard == nil)
    }

    @Test("ESC at step 1 goes back to Entries; nothing was asked of the engine but the interlocks")
    func escapeLeaves() {
        var s = Self.damaged()
        press(&s, c("R"))
        #expect(press(&s, .escape).isEmpty)
        #expect(s.screen == .entries && s.wizard == nil)
    }

    @Test("a missing file (its data dir there): R creates it through the same wizard; the plan is bound to no file")
    func missingFile() {
        var s = AppState(location: ScreenFixture.location, readOnly: false, size: .minimum)
        _ = Core.start(&s)
        var effects = Core.update(
            &s, .fileLoaded(.failure(.io(path: ScreenFixture.location.file, operation: "open", reason: "no such file or directory"))))
        #expect(s.fileMissing)
        #expect(effects == [.checkInterlocks(ScreenFixture.location)])
        // Until the interlocks answer, nothing may be written.
        #expect(s.isReadOnly)
        _ = Core.update(&s, .nodeKeysRead(ScreenFixture.nodeKeys))
        _ = Core.update(&s, .interlocksChecked(WriteAccess(writable: true, nodeRunning: nil)))
        #expect(!s.isReadOnly)
        var text = Render.render(s).text
        #expect(text.contains("The safety file is missing"))
        #expect(text.contains("R: repair: create the file"))
        #expect(Bindings.bar(in: s).map(\.label).contains("Repair"))
        effects = press(&s, c("R"))
        #expect(s.wizard?.action == .repair)
        text = Render.render(s).text
        #expect(text.contains("does not exist: nodeos would give every"))
        // Step 2 asks the LIB sources (not asked yet: no file was read).
        effects = press(&s, .enter)
        #expect(s.wizard?.step == .chooseLIB)
        guard case .readLIB? = effects.first else {
            Issue.record("LIB not asked: \(effects)")
            return
        }
        _ = Core.update(&s, .libRead([LIBAnswer(request: .blocksDir("/srv/node/data/blocks"), result: .success(ScreenFixture.lib))]))
        effects = press(&s, .enter)
        guard case .computePlan(let request)? = effects.first else {
            Issue.record("no plan requested: \(effects)")
            return
        }
        #expect(request.kind == .repair)
        #expect(request.expectedSHA256 == LoadedFile(location: ScreenFixture.location, bytes: []).sha256)
        // A node running: read-only, R absent.
        var running = AppState(location: ScreenFixture.location, readOnly: false, size: .minimum)
        _ = Core.update(&running, .fileLoaded(.failure(.io(path: ScreenFixture.location.file, operation: "open", reason: "no such file or directory"))))
        _ = Core.update(&running, .interlocksChecked(WriteAccess(writable: true, nodeRunning: "nodeos pid 42")))
        #expect(running.isReadOnly)
        #expect(!Bindings.bar(in: running).map(\.label).contains("Repair"))
        // Another failure to open is not "missing".
        var denied = AppState(location: ScreenFixture.location, readOnly: false, size: .minimum)
        #expect(Core.update(&denied, .fileLoaded(.failure(.io(path: ScreenFixture.location.file, operation: "open", reason: "Permission denied")))).isEmpty)
        #expect(!denied.fileMissing && denied.isReadOnly)
    }
}
