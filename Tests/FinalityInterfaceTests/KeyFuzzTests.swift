import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// Random key sequences against the core, with canned answers to its effects: it never
/// traps, ESC never quits, and no apply is ever asked for without the typed confirmation
/// (random typing never produces 8 characters of the key). Deterministic seeds.
@Suite struct KeyFuzzTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
    }

    static let keys: [Key] = Array(Set(Bindings.table.flatMap(\.keys))).sorted { "\($0)" < "\($1)" }
        + [.enter, .enter, .enter, .escape, .character("x"), .character("7"), .backspace, .left, .function(9)]

    /// The answers an engine would give, enough to walk every screen and every step.
    static func answer(_ effect: Effect, _ state: AppState) -> Message {
        switch effect {
        case .loadFile: .fileLoaded(.success(ScreenFixture.snapshot(ScreenFixture.savannaFile())))
        case .checkInterlocks: .interlocksChecked(WriteAccess(writable: true, nodeRunning: nil))
        case .readLIB(let rs): .libRead(rs.map { LIBAnswer(request: $0, result: .success(ScreenFixture.lib)) })
        case .computePlan(let r):
            .planComputed(.success(PlanPreview(id: 1, request: r, rows: [], warnings: ["w"], checks: [], confirmation: .forKey(ScreenFixture.key(1)))))
        case .apply: .applied(.success(ApplyOutcome(backupPath: "/b", auditRecord: "/a", newSHA256: "00", nextSteps: [NextStep("n")])))
        case .loadHistory: .historyLoaded(.success(ScreenFixture.backups))
        case .readNodeKeys: .nodeKeysRead(ScreenFixture.nodeKeys)
        case .compareFiles: .compared(.failure(.usage("no such file")))
        case .writeReport(let path, _, _, _): .reportWritten(.success(path))
        case .startWatch, .pollWatch, .stopWatch: .watchPolled([], now: 0)
        case .startNetwork, .pollNetwork, .stopNetwork:
            .networkPolled(NetworkPoll(latest: .failure(.io(path: "http://127.0.0.1:8888", operation: "connect", reason: "refused")), refreshes: 1, takenAt: 0), now: 0)
        case .pollSubgroupChecks(let load), .awaitHash(let load): .subgroupChecksPolled(load: load, sha256: nil, keyTexts: nil, warnings: [])
        case .checkWorld: .worldChecked(WorldCheck(file: nil, access: nil, unixMilliseconds: 0))
        case .proposeExport: .exportProposed("/home/operator/finality-export-node-a-20261207T033000Z.json")
        case .exportDocument(let o): .exported(.success(ExportDone(target: o.target, keyCount: max(1, o.keys.count), chainID: "00", chainIDSource: "blocks.log")))
        }
    }

    @Test func randomKeysNeverApplyWithoutConfirmation() {
        var reachedConfirmation = 0
        for seed in 0..<40 {
            var g = Generator(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
            var s = ScreenFixture.state(size: seed % 2 == 0 ? .minimum : Size(columns: 120, rows: 40))
            var confirmed = false
            for _ in 0..<400 {
                let key = g.pick(Self.keys)
                if key == .character("q") || key == .function(10) { continue }  // quitting ends the story
                var pending = Core.update(&s, .terminal(.key(key)))
                #expect(!s.quitting, "quit on \(key)")
                if s.wizard?.step == .confirm { confirmed = true }
                while !pending.isEmpty {
                    let effect = pending.removeFirst()
                    if case .apply = effect {
                        Issue.record("apply without the typed confirmation (seed \(seed))")
                    }
                    pending += Core.update(&s, Self.answer(effect, s))
                }
                _ = Render.render(s)
            }
            if confirmed { reachedConfirmation += 1 }
        }
        // The walk does reach step 4 (else this test would prove nothing).
        #expect(reachedConfirmation > 5, "step 4 reached in \(reachedConfirmation) of 40 walks")
    }

    /// The same walk on a file nodeos refuses (truncated), where R opens the repair wizard:
    /// no apply without the typed SHA-256, and the walk does reach the repair's step 4.
    @Test func randomKeysOnADamagedFileNeverApplyWithoutConfirmation() {
        let damaged = ScreenFixture.state(nodeKeys: ScreenFixture.nodeKeys, bytes: ScreenFixture.truncatedBytes).file!
        var reachedRepairConfirmation = 0
        for seed in 0..<40 {
            var g = Generator(state: UInt64(seed) &* 0x2545_F491_4F6C_DD1D &+ 7)
            var s = ScreenFixture.state(size: seed % 2 == 0 ? .minimum : Size(columns: 120, rows: 40), nodeKeys: ScreenFixture.nodeKeys, bytes: ScreenFixture.truncatedBytes)
            var confirmed = false
            for _ in 0..<400 {
                let key = g.pick(Self.keys + [.character("R"), .character("R")])
                if key == .character("q") || key == .function(10) { continue }
                var pending = Core.update(&s, .terminal(.key(key)))
                #expect(!s.quitting, "quit on \(key)")
                if s.wizard?.step == .confirm && s.wizard?.action == .repair { confirmed = true }
                while !pending.isEmpty {
                    let effect = pending.removeFirst()
                    if case .apply = effect {
                        Issue.record("apply without the typed confirmation (seed \(seed))")
                    }
                    // The file stays damaged: every reload answers with it.
                    let answer: Message =
                        if case .loadFile = effect { .fileLoaded(.success(damaged)) } else { Self.answer(effect, s) }
                    pending += Core.update(&s, answer)
                }
                _ = Render.render(s)
            }
            if confirmed { reachedRepairConfirmation += 1 }
        }
        #expect(reachedRepairConfirmation > 3, "the repair's step 4 reached in \(reachedRepairConfirmation) of 40 walks")
    }
}
