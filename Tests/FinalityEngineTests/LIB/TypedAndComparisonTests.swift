import FinalityEngine
import FinalityFormat
import FinalitySamples
import FinalityTestSupport
import Foundation
import Testing

@Suite("LIB typed by hand")
struct TypedLIBTests {
    static let id = "00989680" + String(repeating: "5e", count: 28)

    func usage(_ id: String?, _ time: String?, _ slot: UInt32?) -> String? {
        do {
            _ = try LIBSources.typed(id: id, time: time, slot: slot)
            return nil
        } catch {
            #expect(error.status == .usage)
            return error.description
        }
    }

    @Test("an id with a time on a slot boundary, or with a slot, is a LIB")
    func valid() throws {
        let a = try LIBSources.typed(id: Self.id, time: "2024-06-01T00:00:04.500", slot: nil)
        #expect(a.lib.number == 10_000_000)
        #expect(a.lib.timestamp.iso8601 == "2024-06-01T00:00:04.500Z")
        #expect(a.source == .typed)
        #expect(a.chainID == nil)
        let b = try LIBSources.typed(id: "0x" + Self.id.uppercased(), time: nil, slot: a.lib.timestamp.slot)
        #expect(b.lib == a.lib)
        let z = try LIBSources.typed(id: Self.id, time: "2024-06-01T00:00:04.5Z", slot: nil)
        #expect(z.lib == a.lib)
    }

    @Test("bad hex, wrong length, a zero block number: each refused with what was wrong")
    func badIDs() {
        #expect(usage("00989680" + String(repeating: "5g", count: 28), nil, 5)?.contains("character 10 is \"g\"") == true)
        #expect(usage(String(Self.id.dropLast(2)), nil, 5)?.contains("must be 64 hex digits (a 32-byte block id), found 62") == true)
        #expect(usage(Self.id + "00", nil, 5)?.contains("found 66") == true)
        #expect(usage("", nil, 5)?.contains("found 0") == true)
        #expect(usage(String(repeating: "0", count: 64), nil, 5)?.contains("says block 0") == true)
    }

    @Test("a time off a slot boundary, or not a time, is refused")
    func badTimes() {
        #expect(usage(Self.id, "2024-06-01T00:00:04.250", nil)?.contains("not on a block slot boundary") == true)
        #expect(usage(Self.id, "2024-06-01 noon", nil)?.contains("not a UTC time") == true)
        #expect(usage(Self.id, "2024-02-30T00:00:00.000", nil)?.contains("not a UTC time") == true)
    }

    @Test("both a time and a slot, or neither, or a time without an id: refused")
    func bothOrNeither() {
        #expect(usage(Self.id, "2024-06-01T00:00:04.500", 5)?.contains("not both") == true)
        #expect(usage(Self.id, nil, nil)?.contains("needs --lib-time or --lib-slot") == true)
        #expect(usage(nil, "2024-06-01T00:00:04.500", nil)?.contains("need --lib-id") == true)
        #expect(usage(nil, nil, 7)?.contains("need --lib-id") == true)
    }
}

@Suite("LIB sources side by side: compared, never merged")
struct LIBComparisonTests {
    static let chainA = Bytes32(hex: String(repeating: "aa", count: 32))!
    static let chainB = Bytes32(hex: String(repeating: "bb", count: 32))!
    static let blocks = SignedBlock.chain(BlockChainSpec(firstBlockNumber: 100, count: 10))
    static let fork = SignedBlock.chain(BlockChainSpec(firstBlockNumber: 100, count: 10, seed: "fork"))

    static func reading(_ b: SignedBlock, _ source: LIBSource, chain: Bytes32? = chainA) -> LIBReading {
        LIBReading(lib: LIB(blockID: b.id, timestamp: b.header.timestamp), source: source, chainID: chain)
    }

    static let log = LIBSource.blocksLog(path: "/data/blocks/blocks.log")
    static let api = LIBSource.api(url: "http://127.0.0.1:8888")

    @Test("the same block from the log and the API: agree, and the choice is automatic")
    func agree() throws {
        let c = LIBComparison([Self.reading(Self.blocks[9], Self.log), Self.reading(Self.blocks[9], Self.api)])
        #expect(c.verdict == .agree)
        #expect(c.pairs.count == 1 && c.pairs[0].relation == .same)
        #expect(c.summary == ["all 2 sources agree: block 109 (\(Self.blocks[9].id.hex)) at \(Self.blocks[9].header.timestamp.iso8601)"])
        let choice = try #require(LIBDecision.automatic(c))
        #expect(choice.chosen.source == Self.log)
        #expect(choice.reason == "all 2 sources agree")
        #expect(choice.alternatives.map(\.source) == [Self.api])
    }

    @Test("the log behind the API: which lags, by how many blocks and how much time")
    func lags() {
        let c = LIBComparison([Self.reading(Self.blocks[2], Self.log), Self.reading(Self.blocks[9], Self.api)])
        #expect(c.verdict == .disagree)
        #expect(c.pairs[0].relation == .lags(behind: 0, ahead: 1, blocks: 7, milliseconds: 3500))
        #expect(c.summary[0].hasPrefix("blocks.log /data/blocks/blocks.log lags node API http://127.0.0.1:8888 by 7 blocks and 3.5 s"))
        // Order does not matter: the one behind is named.
        let d = LIBComparison([Self.reading(Self.blocks[9], Self.api), Self.reading(Self.blocks[2], Self.log)])
        #expect(d.pairs[0].relation == .lags(behind: 1, ahead: 0, blocks: 7, milliseconds: 3500))
        #expect(LIBDecision.automatic(c) == nil)
    }

    @Test("same number, different ids: different forks when the chain is the same, different chains when not")
    func forks() {
        let sameChain = LIBComparison([Self.reading(Self.blocks[5], Self.log), Self.reading(Self.fork[5], Self.api)])
        #expect(sameChain.pairs[0].relation == .differentBlocks(number: 105))
        #expect(sameChain.summary[0].contains("different forks of the same chain"))
        let unknown = LIBComparison([Self.reading(Self.blocks[5], Self.log), Self.reading(Self.fork[5], .typed, chain: nil)])
        #expect(unknown.summary[0].contains("different forks or different chains"))
        let chains = LIBComparison([Self.reading(Self.blocks[5], Self.log), Self.reading(Self.fork[5], Self.api, chain: Self.chainB)])
        #expect(chains.pairs[0].chainIDsDiffer)
        #expect(chains.summary[0].hasPrefix("chain ids differ"))
        #expect(chains.summary[0].contains("different chains"))
    }

    @Test("the same block on two chains still disagrees; the same id with another time too")
    func chainIDsAndTimes() {
        let c = LIBComparison([Self.reading(Self.blocks[5], Self.log), Self.reading(Self.blocks[5], Self.api, chain: Self.chainB)])
        #expect(c.verdict == .disagree)
        #expect(c.pairs[0].relation == .same && c.pairs[0].chainIDsDiffer)
        var typed = Self.reading(Self.blocks[5], .typed, chain: nil)
        typed.lib.timestamp.slot += 4
        let t = LIBComparison([Self.reading(Self.blocks[5], Self.log), typed])
        #expect(t.pairs[0].relation == .sameIDDifferentTime(milliseconds: 2000))
        #expect(t.summary[0].contains("one time is wrong"))
        // A typed value without a chain id does not conflict with a chain.
        let u = LIBComparison([Self.reading(Self.blocks[5], Self.log), Self.reading(Self.blocks[5], .typed, chain: nil)])
        #expect(u.verdict == .agree)
    }

    @Test("a higher block with an older time is called out")
    func higherButOlder() {
        var late = Self.reading(Self.blocks[2], Self.log)
        late.lib.timestamp.slot = Self.blocks[9].header.timestamp.slot + 10
        let c = LIBComparison([late, Self.reading(Self.blocks[9], Self.api)])
        #expect(c.summary[0].contains("LATER"))
    }

    @Test("three sources: every pair compared")
    func threeSources() {
        let c = LIBComparison([
            Self.reading(Self.blocks[1], Self.log), Self.reading(Self.blocks[9], Self.api), Self.reading(Self.blocks[9], .typed, chain: nil),
        ])
        #expect(c.pairs.map { [$0.first, $0.second] } == [[0, 1], [0, 2], [1, 2]])
        #expect(c.pairs[2].agrees)
        #expect(c.summary.count == 2)
    }

    @Test("choosing among disagreeing sources needs a reason, which the choice keeps for the plan")
    func choiceNeedsReason() throws {
        let c = LIBComparison([Self.reading(Self.blocks[2], Self.log), Self.reading(Self.blocks[9], Self.api)])
        #expect(throws: EngineError.self) { try LIBDecision.choose(c, index: 1, reason: "  ") }
        do {
            _ = try LIBDecision.choose(c, index: 1, reason: nil)
        } catch {
            #expect(error.status == .invalidOrRefused)
            #expect(error.description.contains("needs a reason"))
        }
        #expect(throws: EngineError.self) { try LIBDecision.choose(c, index: 2, reason: "x") }
        let choice = try LIBDecision.choose(c, index: 1, reason: "the node is synced; its blocks.log lags by design")
        #expect(choice.chosen.source == Self.api)
        #expect(choice.verdict == .disagree)
        #expect(choice.alternatives.map(\.source) == [Self.log])
        #expect(choice.readings == c.readings && choice.chosenIndex == 1)
        let fields = Dictionary(uniqueKeysWithValues: choice.fields.map { ($0.key, $0.value) })
        #expect(fields["lib_block_num"] == "109")
        #expect(fields["lib_block_id"] == Self.blocks[9].id.hex)
        #expect(fields["lib_source"] == "api")
        #expect(fields["lib_choice_reason"] == "the node is synced; its blocks.log lags by design")
        #expect(fields["lib_sources_verdict"] == "disagree")
        #expect(fields["lib_alternative_1"]?.contains("block 102") == true)
        let json = choice.json.serialized()
        #expect(json.hasPrefix(#"{"chosen_index":1,"chosen":{"source":{"kind":"api""#))
        #expect(json.contains(#""reason":"the node is synced; its blocks.log lags by design""#))
        #expect(json.contains(#""alternatives":[{"source":{"kind":"blocks-log","path":"/data/blocks/blocks.log"}"#))
    }
}

@Suite("the lib report: what `finality lib` prints")
struct LIBReportTests {
    @Test("a blocks dir, a node and a typed value: all shown with their provenance, JSON stable")
    func threeSources() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SpringAnswers.blocks
        try BlocksLogWriter(version: 3, chainID: Bytes32(hex: SpringAnswers.chainID)!).write(Array(blocks[0..<10]), toDirectory: dir.path)
        let server = TestHTTPServer(["/v1/chain/get_info": .respond(status: 200, body: SpringAnswers.getInfo())])
        defer { server.stop() }
        let lib = SpringAnswers.lib
        let report = LIBReport.gather([
            .blocksDir(dir.path), .api(server.baseURL, timeoutSeconds: 2),
            .typed(id: lib.id.hex, time: nil, slot: lib.header.timestamp.slot),
        ])
        #expect(report.failures.isEmpty)
        #expect(report.readings.count == 3)
        #expect(report.comparison.verdict == .disagree)
        #expect(report.status == .invalidOrRefused)
        #expect(report.comparison.summary.count == 2)
        #expect(report.comparison.summary.allSatisfy { $0.contains("lags") && $0.contains("by 2 blocks and 1 s") })
        let text = report.text.joined(separator: "\n")
        #expect(text.contains("[1] blocks.log \(dir.path)/blocks.log"))
        #expect(text.contains("[2] node API \(server.baseURL)"))
        #expect(text.contains("[3] typed by the operator"))
        #expect(text.contains("Comparison: DISAGREE"))
        #expect(text.contains("    block     371449"))
        #expect(text.contains("    chain id  \(SpringAnswers.chainID)"))
        let json = report.json.serialized()
        #expect(json.hasPrefix(#"{"verdict":"disagree","exit_status":1,"sources":[{"source":{"kind":"blocks-log","path":""#))
        #expect(json.contains(#""lib":{"block_num":371451,"block_id":"\#(lib.id.hex)","timestamp":{"slot":\#(lib.header.timestamp.slot),"utc":"\#(lib.header.timestamp.iso8601)"}}"#))
        #expect(json.contains(#""relation":"different-numbers","chain_ids_differ":false,"behind":0,"ahead":1,"blocks_behind":2,"milliseconds_behind":1000"#))
    }

    @Test("a source that fails is reported beside those that worked, and decides the exit status")
    func failureBesideReadings() throws {
        let report = LIBReport.gather([
            .api("http://127.0.0.1:\(TestHTTPServer.closedPort())", timeoutSeconds: 1),
            .typed(id: TypedLIBTests.id, time: nil, slot: 5),
        ])
        #expect(report.readings.count == 1)
        #expect(report.failures.count == 1)
        #expect(report.status == .io)
        #expect(report.text.contains { $0.hasPrefix("[-] --api http://127.0.0.1:") && $0.contains("cannot connect") })
        let json = report.json.serialized()
        #expect(json.contains(#""errors":[{"request":"--api http://127.0.0.1:"#))
        #expect(json.contains(#""exit_status":3"#))
    }

    @Test("one agreeing pair: exit 0")
    func agreeing() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let blocks = SignedBlock.chain(BlockChainSpec(count: 5))
        try BlocksLogWriter().write(blocks, toDirectory: dir.path)
        let report = LIBReport.gather([.blocksDir(dir.path), .typed(id: blocks[4].id.hex, time: String(blocks[4].header.timestamp.iso8601), slot: nil)])
        #expect(report.status == .success)
        #expect(report.comparison.verdict == .agree)
    }
}
