import FinalityEngine
import FinalityFormat
import Foundation
import Testing
import FinalityTestSupport

/// Issue 24, item 5: import cases in the shape of EIP-3076's conformance suite
/// (eth-clients/slashing-protection-interchange-tests: `{name, steps: [{should_succeed,
/// interchange, blocks: [{slot, should_succeed}]}]}`): start from a safety file, import each
/// step's document (which must succeed or fail as said) through the one change workflow,
/// then ask the vote model (`VoteRules.decide`, spring's `decide_vote`) whether nodeos
/// would vote on each listed block.
@Suite("Import conformance (EIP-3076's shape)", .serialized)
struct ImportConformanceTests {
    static let chain = Bytes32([UInt8](repeating: 0xC4, count: 32))
    static let otherChain = Bytes32([UInt8](repeating: 0x0C, count: 32))

    struct Block: CustomStringConvertible {
        var key: UInt64
        /// Block n at slot 2n (Fixture.ref).
        var number: UInt32
        var extendsLock = true
        /// The block its QC is on (default: the block before).
        var qc: UInt32? = nil
        var shouldVote: Bool
        var description: String { "key \(key) block #\(number)\(extendsLock ? "" : " (not extending the lock)")" }
    }

    struct Step {
        /// The document's entries: key, last vote, lock, other_branch_latest_time (block numbers).
        var entries: [(key: UInt64, vote: UInt32?, lock: UInt32?)]
        var chain: Bytes32 = ImportConformanceTests.chain
        var whileRunning = false
        /// Another block at the same time as the document's last vote (two votes at one time).
        var sameTimeOtherBlock = false
        var shouldSucceed: Bool
        var blocks: [Block]
    }

    struct Case: CustomStringConvertible {
        var name: String
        /// The target file's entries before the first step.
        var start: [(key: UInt64, vote: UInt32?, lock: UInt32?)]
        var steps: [Step]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a key the file lacks is added: no vote at or before its last vote, a vote after it",
             start: [(1, 5230, 5210)],
             steps: [Step(entries: [(7, 100, 90)], shouldSucceed: true, blocks: [
                Block(key: 7, number: 99, shouldVote: false), Block(key: 7, number: 100, shouldVote: false),
                Block(key: 7, number: 101, shouldVote: true), Block(key: 1, number: 5231, shouldVote: true),
             ])]),
        Case(name: "an older document moves nothing back",
             start: [(1, 5230, 5210)],
             steps: [Step(entries: [(1, 100, 90)], shouldSucceed: true, blocks: [
                Block(key: 1, number: 150, shouldVote: false), Block(key: 1, number: 5230, shouldVote: false),
                Block(key: 1, number: 5231, shouldVote: true),
             ])]),
        Case(name: "a newer document raises the last vote and the lock",
             start: [(1, 100, 90)],
             steps: [Step(entries: [(1, 5230, 5210)], shouldSucceed: true, blocks: [
                Block(key: 1, number: 200, shouldVote: false), Block(key: 1, number: 5230, shouldVote: false),
                Block(key: 1, number: 5231, shouldVote: true),
             ])]),
        Case(name: "a key that never voted here takes the document's last vote",
             start: [(1, nil, 90)],
             steps: [Step(entries: [(1, 300, 290)], shouldSucceed: true, blocks: [
                Block(key: 1, number: 300, shouldVote: false), Block(key: 1, number: 301, shouldVote: true),
             ])]),
        Case(name: "the same document twice: the second changes nothing",
             start: [(1, 100, 90)],
             steps: [
                Step(entries: [(1, 400, 390)], shouldSucceed: true, blocks: [Block(key: 1, number: 400, shouldVote: false)]),
                Step(entries: [(1, 400, 390)], shouldSucceed: true, blocks: [
                    Block(key: 1, number: 400, shouldVote: false), Block(key: 1, number: 401, shouldVote: true),
                ]),
             ]),
        Case(name: "another chain is refused; the file is as before",
             start: [(1, 100, 90)],
             steps: [Step(entries: [(1, 400, 390)], chain: otherChain, shouldSucceed: false, blocks: [
                Block(key: 1, number: 101, shouldVote: true),
             ])]),
        Case(name: "a document exported while running is refused",
             start: [(1, 100, 90)],
             steps: [Step(entries: [(1, 400, 390)], whileRunning: true, shouldSucceed: false, blocks: [
                Block(key: 1, number: 101, shouldVote: true),
             ])]),
        Case(name: "two blocks at one time in the file and the document are refused (slashable data)",
             start: [(1, 100, 90)],
             steps: [Step(entries: [(1, 100, 90)], sameTimeOtherBlock: true, shouldSucceed: false, blocks: [
                Block(key: 1, number: 100, shouldVote: false), Block(key: 1, number: 101, shouldVote: true),
             ])]),
        Case(name: "a later lock from the document: a block that does not extend it, with a QC before the lock, gets no vote",
             start: [(1, 100, 90)],
             steps: [Step(entries: [(1, 100, 95)], shouldSucceed: true, blocks: [
                Block(key: 1, number: 120, extendsLock: false, qc: 92, shouldVote: false),
                Block(key: 1, number: 120, qc: 92, shouldVote: true),
             ])]),
    ]

    static func file(_ entries: [(key: UInt64, vote: UInt32?, lock: UInt32?)]) -> SafetyFile {
        SafetyFile(format: .savannaV1, entries: entries.map { Fixture.savanna(key: $0.key, vote: $0.vote, lock: $0.lock) })
    }

    static func document(_ step: Step) -> InterchangeDocument {
        var entries = step.entries.map { e in
            InterchangeDocument.Entry(key: Fixture.key(e.key), safety: Fixture.savanna(key: e.key, vote: e.vote, lock: e.lock).savanna!)
        }
        if step.sameTimeOtherBlock {
            entries[0].safety.lastVote.blockID = Fixture.id(entries[0].safety.lastVote.blockNumber, fill: 0xEE)
        }
        return InterchangeDocument(
            chainID: step.chain, chainIDSource: "operator (--chain-id)",
            exported: .init(time: "2026-12-07T01:40:12Z", host: "node-a.example", path: "/srv/node-a/data/finalizers/safety.dat",
                            sha256: .zero, fileFormat: "savanna-v1", tool: "test", whileRunning: step.whileRunning),
            entries: entries)
    }

    @Test("each case: every step succeeds or fails as said, then nodeos votes on exactly the blocks said", arguments: cases)
    func conformance(_ c: Case) throws {
        let (dir, path) = try Fixture.dataDir(Self.file(c.start))
        let proc = TemporaryPaths.name("finality-proc")
        try FileManager.default.createDirectory(atPath: proc, withIntermediateDirectories: true)
        let env = ChangeEnvironment(toolVersion: "test", procRoot: proc, home: "/nonexistent-home")
        var lib = Fixture.lib(5190)
        lib.chainID = Self.chain
        for (n, step) in c.steps.enumerated() {
            let docPath = dir + "/document-\(n).json"
            #expect(FileManager.default.createFile(atPath: docPath, contents: Data(Self.document(step).bytes)))
            let before = Fixture.read(path)
            var succeeded = false
            do {
                let review = try ChangeWorkflow.review(
                    ChangeRequest(.importDocument(path: docPath, keys: []), path: dir, lib: .readings([lib])), environment: env)
                _ = try ChangeWorkflow.apply(review, context: Fixture.context(), environment: env)
                succeeded = true
            } catch {
                #expect(!step.shouldSucceed, "step \(n): \(error)")
            }
            #expect(succeeded == step.shouldSucceed, "step \(n)")
            if !succeeded { #expect(Fixture.read(path) == before, "step \(n): a refused import wrote") }
            let file = try SafetyFileReader.decode(Fixture.read(path))
            for b in step.blocks {
                let entry = try #require(file.entries.first { $0.key == Fixture.key(b.key) }?.savanna, "\(b)")
                let block = Fixture.ref(b.number)
                let candidate = CandidateBlock(
                    id: block.blockID, timestamp: block.timestamp, latestQCTime: Fixture.ref(b.qc ?? b.number - 1).timestamp,
                    extendsLock: b.extendsLock, extendsLastVote: true)
                let voted = VoteRules.decide(entry, on: candidate).kind != .none
                #expect(voted == b.shouldVote, "step \(n): \(b): voted \(voted)")
            }
        }
    }
}
