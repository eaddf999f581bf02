import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityRunner
import FinalityTestSupport
import Foundation
import Testing

/// Issue 19, item 4: on a file nodeos refuses, nodeos does not start, so it creates no
/// entry for a configured key: `list` must not say it will. `list`, the case report and
/// the Entries screen take the sentence from one function (`KeyCoverage.missingKeyLine`).
@Suite("A configured key without an entry, said truly on a file nodeos refuses", .enabled(if: BuiltBinary.finality != nil))
struct MissingKeySentenceTests {
    @Test("list and report on a refused file (bad CRC): no key is \"created at start-up\"; both say nodeos refuses the file and does not start")
    func refusedFile() throws {
        let (dir, file) = try Fixture.dataDir()
        var bytes = Fixture.read(file)
        bytes[bytes.count - 1] ^= 0xFF  // the CRC: nodeos refuses the file
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let config = (dir as NSString).deletingLastPathComponent + "/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let ini = [1, 7].map { "signature-provider = \(Fixture.key(UInt64($0)).text)=KEY:PVT_BLS_planted\n" }.joined()
        try ini.write(toFile: config + "/config.ini", atomically: true, encoding: .utf8)
        let expected = "configured key without a readable entry: \(Fixture.key(7).text): \(KeyCoverage.unreadableLine)"

        let list = BuiltBinary.run(["list", dir])
        #expect(list.status == 1, "\(list.stderr)")
        #expect(list.stdout.contains("nodeos will REFUSE"), "\(list.stdout)")
        #expect(!list.stdout.contains(KeyCoverage.missingLine), "\(list.stdout)")
        #expect(!list.stdout.contains("will create"), "\(list.stdout)")
        #expect(list.stdout.contains(expected), "\(list.stdout)")

        let report = BuiltBinary.run(["report", dir] + Fixture.libArgs)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("  " + expected), "\(report.stdout)")
        #expect(!report.stdout.contains(KeyCoverage.missingLine))

        // On a file nodeos loads, the same key is one it creates at start-up.
        try Data(SafetyFileWriter.encode(Fixture.savannaFile())).write(to: URL(fileURLWithPath: file))
        let loads = BuiltBinary.run(["list", dir])
        #expect(loads.status == 0, "\(loads.stderr)")
        #expect(loads.stdout.contains("configured key without an entry: \(Fixture.key(7).text): \(KeyCoverage.missingLine)"), "\(loads.stdout)")
    }
}
