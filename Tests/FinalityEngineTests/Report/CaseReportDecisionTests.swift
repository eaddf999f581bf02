import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// Issue 9: the case report says, for each entry, what nodeos will do with it as it is,
/// given LIB (VoteModel, voting.md), in the operator's words: the sentence the review's
/// "after:" line uses.
@Suite("The case report states nodeos's vote decision for each entry")
struct CaseReportDecisionTests {
    static let location = Location(file: "/d/finalizers/safety.dat", dataDir: "/d")
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func report(_ bytes: [UInt8], lib: LIBReading? = Fixture.lib(5190), keys: NodeKeys? = nil) -> String {
        CaseReport.text(
            loaded: LoadedFile(location: location, bytes: bytes), readings: lib.map { [$0] } ?? [], libErrors: [],
            interlocks: InterlockReport(checks: []), toolVersion: "test", now: now, nodeKeys: keys).text
    }

    static func lines(_ report: String, entry i: Int) -> [String] {
        // Empty lines kept: the last entry ends at the blank line before "Node's keys:".
        let all = report.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = all.firstIndex(where: { $0.hasPrefix("  \(i). PUB_BLS_") }) else { return [] }
        return Array(all[start...].prefix { !$0.hasPrefix("  \(i + 1). ") && !$0.isEmpty })
    }

    static func keys(_ ks: [UInt64]) -> NodeKeys {
        NodeKeys(
            keys: ks.map { ConfiguredKey(text: Fixture.key($0).text, key: Fixture.key($0), origin: "config.ini /c/config.ini", problem: nil) },
            looked: [], source: "config.ini /c/config.ini (--config-dir)")
    }

    @Test("each entry: what nodeos will do given LIB, in the review's words")
    func eachEntry() {
        let file = Fixture.savannaFile()
        let text = Self.report(SafetyFileWriter.encode(file))
        let chain = ChainView(lib: Fixture.lib(5190).lib)
        // Key 1 locked on 5,210, after LIB 5,190: it votes only on blocks that extend that lock.
        let one = Self.lines(text, entry: 0)
        let expected1 = "       nodeos will: " + VoteRules.outlook(file.entries[0].savanna!, chain: chain).sentence
        #expect(one.contains(expected1), "\(one)")
        #expect(expected1.contains("votes only on a block that extends its lock, block #5,210"))
        #expect(expected1.contains("will not vote at or before"))
        // Key 2's lock is older than LIB: it votes on the first block after LIB.
        let two = Self.lines(text, entry: 1).first { $0.contains("nodeos will: ") } ?? ""
        #expect(two.contains("votes on the first block after") && two.contains("LIB #5,190"), "\(two)")
        // Key 3: both refs empty, nodeos gives it its default at start-up.
        let three = Self.lines(text, entry: 2).first { $0.contains("nodeos will: ") } ?? ""
        #expect(three.contains("both refs empty: nodeos gives it {last vote: empty, lock: its LIB}"), "\(three)")
        #expect(three.contains("no last vote: nothing stops it voting again"))
    }

    @Test("no LIB: said unknown, with how to give one; a file nodeos refuses: no key votes")
    func noLIBAndRefused() {
        let bytes = SafetyFileWriter.encode(Fixture.savannaFile())
        let noLIB = Self.report(bytes, lib: nil)
        #expect(Self.lines(noLIB, entry: 0).contains { $0.contains("nodeos will: unknown without a LIB") })
        var torn = bytes
        torn[torn.count - 1] ^= 0x5A
        let refused = Self.report(torn)
        for i in 0..<3 {
            #expect(Self.lines(refused, entry: i).contains { $0.contains("nodeos will: nothing: it refuses to start with this file") }, "entry \(i)")
        }
    }

    @Test("with the node's keys: an entry of another key is inactive; a configured key without an entry gets nodeos's default")
    func withKeys() {
        let text = Self.report(SafetyFileWriter.encode(Fixture.savannaFile()), keys: Self.keys([1, 2, 9]))
        let three = Self.lines(text, entry: 2)
        #expect(three.contains { $0.contains("flag inactive: inactive: the node is not configured with this key") })
        #expect(three.contains { $0.contains("nodeos will: nothing: the node is not configured with this key (inactive)") })
        let all = text.split(separator: "\n").map(String.init)
        let missing = try? #require(all.firstIndex { $0.contains("configured key without an entry: \(Fixture.key(9).text)") })
        #expect(missing != nil)
        if let m = missing {
            #expect(all[m + 1].contains("nodeos will: votes on the first block after"), "\(all[m + 1])")
            #expect(all[m + 1].contains("no last vote"))
        }
        #expect(text.contains("configured finalizer keys: 3, from config.ini /c/config.ini (--config-dir)"))
    }

    @Test("HotStuff entries: spring never reads the file")
    func hotStuff() {
        let text = Self.report(SafetyFileWriter.encode(Fixture.hotStuffFile()))
        #expect(Self.lines(text, entry: 0).contains { $0.contains("nodeos will: nothing: spring never reads a HotStuff safety_db.dat") })
    }
}
