import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// Every screen, rendered at 80x24 and 120x40, against its stored dump.
@Suite struct ScreenSnapshotTests {
    static let sizes = [Size(columns: 80, rows: 24), Size(columns: 120, rows: 40)]

    /// Named scenes: how support staff would reach each screen.
    static let scenes: [(String, @Sendable (Size) -> AppState)] = [
        ("entries", { size in ScreenFixture.state(size: size) }),
        ("entries-second-selected", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("j"))
            return s
        }),
        ("entries-detail-zoomed", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("j"), .enter)
            return s
        }),
        ("entries-unreadable-layout", { size in
            var s = AppState(location: ScreenFixture.location, readOnly: false, size: size)
            let bytes: [UInt8] = [0x10, 0x11, 0xFE, 0x5A, 0x11, 0x11, 0xFE, 0x5A] + [UInt8](repeating: 0, count: 40)
            let loaded = LoadedFile(location: ScreenFixture.location, bytes: bytes)
            _ = Core.update(
                &s,
                .fileLoaded(
                    .success(
                        FileSnapshot(
                            path: ScreenFixture.location.file, byteCount: bytes.count, sha256: loaded.sha256,
                            verification: SafetyFileReader.verify(bytes), writable: true))))
            return s
        }),
        ("entries-cannot-read", { size in
            var s = AppState(location: ScreenFixture.location, readOnly: false, size: size)
            _ = Core.update(&s, .fileLoaded(.failure(.io(path: ScreenFixture.location.file, operation: "open", reason: "Permission denied"))))
            return s
        }),
        ("wizard-reset-5-refused", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("j"), c("r"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
            press(&s, .enter)
            type(&s, s.wizard!.expectedConfirmation)
            press(&s, .enter)
            _ = Core.update(&s, .applied(.failure(.nodeRunning("held (write lock) by pid 4242 (nodeos): nodeos is running on /srv/node/data"))))
            return s
        }),
        ("entries-network-vote-newer", { size in
            var s = ScreenFixture.state(size: size)
            let tracked = [
                TrackedVoteRow(
                    keyText: ScreenFixture.key(2).text, key: ScreenFixture.key(2), blockNumber: 5_231, timestamp: BlockTimestamp(slot: ScreenFixture.libSlot + 21),
                    isStrong: true)
            ]
            _ = Core.update(
                &s, .libRead([LIBAnswer(request: .api("http://127.0.0.1:8888", timeoutSeconds: 2), result: .success(ScreenFixture.apiLIB), trackedVotes: tracked)]))
            press(&s, c("j"))
            return s
        }),
        ("entries-refused", { size in ScreenFixture.state(size: size, corruptCRC: true) }),
        ("entries-read-only-search", { size in
            var s = ScreenFixture.state(size: size, readOnly: true)
            press(&s, c("/"))
            type(&s, ScreenFixture.key(2).text.dropFirst(8).prefix(4).description)
            return s
        }),
        ("entries-node-running", { size in ScreenFixture.state(size: size, nodeRunning: "nodeos pid 4242 holds state/shared_memory.bin") }),
        ("entries-sorted-by-lock", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("s"), c("s"), c("s"))
            return s
        }),
        ("entries-hotstuff", { size in ScreenFixture.state(size: size, file: ScreenFixture.hotStuffFile()) }),
        ("entries-v0", { size in ScreenFixture.state(size: size, file: ScreenFixture.savannaFile(format: .savannaV0)) }),
        ("lib", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("l"))
            return s
        }),
        ("lib-disagree", { size in
            var s = ScreenFixture.state(size: size, apiAnswer: .success(ScreenFixture.apiLIB))
            press(&s, c("l"), c("j"))
            return s
        }),
        ("network-stall", { size in
            // Issue 23: 21 finalizers, 9 of 26 weight silent, LIB 100 blocks behind head.
            let v = try! NetworkScreenTests.view(
                names: NetworkScreenTests.greek, weights: NetworkScreenTests.weights, threshold: 18, lib: 900, silent: [0, 1, 3, 9, 10], behind: [12])
            return NetworkScreenTests.shown(v, size: size)
        }),
        ("diff-empty", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("v"))
            return s
        }),
        ("diff-backup", { size in
            var s = ScreenFixture.state(size: size)
            var old = ScreenFixture.savannaFile()
            old.entries[1].state = .savanna(SavannaSafety(lastVote: ScreenFixture.ref(5_230), lock: ScreenFixture.ref(5_228)))
            old.entries.remove(at: 2)
            let diff = FileDiff.compare(old: old, new: ScreenFixture.savannaFile())
            let view = DiffView(
                title: "Comparison", leftName: ScreenFixture.backups.backups[0].path, rightName: ScreenFixture.location.file,
                rows: DiffRows.from(diff), notes: diff.warnings.map(\.message))
            _ = Core.update(&s, .compared(.success(view)))
            return s
        }),
        ("history", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("h"))
            _ = Core.update(&s, .historyLoaded(.success(ScreenFixture.backups)))
            return s
        }),
        ("help", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("?"))
            return s
        }),
        ("help-read-only", { size in
            var s = ScreenFixture.state(size: size, readOnly: true)
            press(&s, c("?"))
            return s
        }),
        ("wizard-reset-1-entry", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("j"), c("r"))
            return s
        }),
        ("wizard-reset-2-lib", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("j"), c("r"), .enter)
            return s
        }),
        ("wizard-reset-3-review", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("j"), c("r"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
            return s
        }),
        ("wizard-reset-4-confirm", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("j"), c("r"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
            press(&s, .enter)
            type(&s, "abc")
            return s
        }),
        ("wizard-reset-5-result", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("j"), c("r"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
            press(&s, .enter)
            type(&s, s.wizard!.expectedConfirmation)
            press(&s, .enter)
            _ = Core.update(
                &s,
                .applied(
                    .success(
                        ApplyOutcome(
                            backupPath: "/srv/node/data/finalizers/backups/safety.dat.2026-11-21T12-00-05Z.bak",
                            auditRecord: "/srv/node/data/finalizers/safety.dat.audit.log, record 3",
                            newSHA256: "9d2c4b1a0f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4",
                            nextSteps: [
                                NextStep("Start nodeos; this key votes again from the LIB on."),
                                NextStep("Watch the finalizer's votes (get_finalizer_info) for a few minutes."),
                                NextStep("Keep the backup until the network's LIB has moved past block 5,210."),
                            ]))))
            return s
        }),
        ("wizard-delete-3-review", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("d"))
            press(&s, .enter)
            return s
        }),
        ("wizard-restore-1", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("h"))
            _ = Core.update(&s, .historyLoaded(.success(ScreenFixture.backups)))
            press(&s, c("r"))
            return s
        }),
        ("entries-node-keys", { size in
            var s = ScreenFixture.state(size: size, nodeKeys: ScreenFixture.nodeKeys)
            press(&s, c("G"))
            return s
        }),
        ("entries-damaged-repair", { size in RepairWizardTests.damaged(size: size) }),
        ("entries-missing-repair", { size in
            var s = AppState(location: ScreenFixture.location, readOnly: false, size: size)
            _ = Core.update(&s, .fileLoaded(.failure(.io(path: ScreenFixture.location.file, operation: "open", reason: "no such file or directory"))))
            _ = Core.update(&s, .nodeKeysRead(ScreenFixture.nodeKeys))
            _ = Core.update(&s, .interlocksChecked(WriteAccess(writable: true, nodeRunning: nil)))
            s.status = nil
            return s
        }),
        ("wizard-repair-1", { size in
            var s = RepairWizardTests.damaged(size: size)
            press(&s, c("R"))
            return s
        }),
        ("wizard-repair-3-review", { size in
            var s = RepairWizardTests.damaged(size: size)
            press(&s, c("R"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.repairPlan(s))))
            return s
        }),
        ("wizard-repair-3-review-keys", { size in
            var s = RepairWizardTests.damaged(size: size)
            press(&s, c("R"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.repairPlan(s))))
            for _ in 0..<12 { press(&s, c("j")) }
            return s
        }),
        ("wizard-repair-4-confirm", { size in
            var s = RepairWizardTests.damaged(size: size)
            press(&s, c("R"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.repairPlan(s))))
            press(&s, .enter)
            type(&s, "1f2e")
            return s
        }),
        ("prompt-report", { size in
            var s = ScreenFixture.state(size: size)
            press(&s, c("w"))
            return s
        }),
    ]

    static let cases: [(String, Size)] = scenes.flatMap { scene in sizes.map { (scene.0, $0) } }

    @Test("screen snapshot", arguments: cases.indices)
    func screen(_ i: Int) {
        let (name, size) = Self.cases[i]
        let state = Self.scenes.first { $0.0 == name }!.1(size)
        Snapshot.check(Render.render(state), "\(name)-\(size.columns)x\(size.rows)")
    }

    @Test func terminalTooSmall() {
        let state = ScreenFixture.state(size: Size(columns: 79, rows: 24))
        let grid = Render.render(state)
        #expect(grid.text.contains("terminal too small"))
        Snapshot.check(grid, "too-small-79x24")
        Snapshot.check(Render.render(ScreenFixture.state(size: Size(columns: 100, rows: 20))), "too-small-100x20")
    }
}
