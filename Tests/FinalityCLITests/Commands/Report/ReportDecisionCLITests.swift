import Foundation
import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityRunner
import Testing
import FinalityTestSupport

/// Issue 9 (recovery): `finality report` and the interface's `w` say the same, node's keys
/// and nodeos's decision for each entry included.
@Suite(
    "The case report's keys and vote decisions, from the command line and from w",
    .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct ReportDecisionCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    @Test("report and w: the same text, with the node's keys (config/ beside the data dir) and what nodeos will do with each entry")
    func sameWithKeysAndDecisions() throws {
        let (dir, _) = try Fixture.dataDir()
        let base = (dir as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: base + "/config", withIntermediateDirectories: true)
        let secret = "PVT_BLS_PlantedReportSecret_0123456789abcdef"
        let ini = [1, 2, 7].map { "signature-provider = \(Fixture.key(UInt64($0)).text)=KEY:\(secret)\n" }.joined()
        try ini.write(toFile: base + "/config/config.ini", atomically: true, encoding: .utf8)
        let location = try Location.resolve(dir)

        let cli = BuiltBinary.run(["report", dir] + Fixture.libArgs)
        #expect(cli.status == 0, "\(cli.stderr)")
        let runner = EngineEffects(toolVersion: BuiltBinary.version)
        let path = base + "/report-from-w.txt"
        _ = runner.perform(.writeReport(path: path, location: location, readings: [try LIBRequest.typed(id: Fixture.libID, time: nil, slot: 10380).read()], libErrors: []))
        let fromW = try String(contentsOfFile: path, encoding: .utf8)
        func body(_ s: String) -> [String] {
            s.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("written ") && !$0.hasPrefix("  [ok] processes using ") }.map(String.init)
        }
        #expect(body(cli.stdout) == body(fromW))
        for text in [cli.stdout, fromW] {
            #expect(text.contains("config/ beside the data dir"), "\(text)")
            // Key 1 voted 5,230 and locked 5,210, after LIB 5,190.
            #expect(text.contains("nodeos will: votes only on a block that extends its lock, block #5,210"))
            // Key 3 is not configured: inactive, certain.
            #expect(text.contains("nodeos will: nothing: the node is not configured with this key (inactive)"))
            #expect(text.contains("configured key without an entry: \(Fixture.key(7).text): \(KeyCoverage.missingLine)"))
            #expect(!text.contains("PVT_BLS") && !text.contains("PlantedReportSecret"))
        }
    }
}
