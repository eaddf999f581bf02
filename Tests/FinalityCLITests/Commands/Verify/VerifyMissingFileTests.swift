import FinalityEngine
import FinalitySamples
import FinalityTestSupport
import Foundation
import Testing

/// `finality verify` on a data dir whose safety file is missing speaks as the interface
/// does: nodeos starts without it (defaults for every configured key), so it is neither a
/// refusal nor bad usage (it was exit 2, "a directory without a safety file").
@Suite("verify on a data dir without its safety file", .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct VerifyMissingFileTests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    func run(_ args: [String]) throws -> (status: Int32, stdout: String) {
        let r = BuiltBinary.run(args)
        return (r.status, r.stdout + r.stderr)
    }

    @Test("exit 0, what nodeos will do (the interface's sentence) and the repair to run instead; --json says missing")
    func missingFile() throws {
        let parent = try TemporaryPaths.directory("finality-verify-missing")
        let location = try DemoDataDir.build(parent: parent)
        try FileManager.default.removeItem(atPath: location.file)
        let data = try #require(location.dataDir)
        let text = try run(["verify", data])
        #expect(text.status == 0, "\(text.stdout)")
        #expect(text.stdout.contains(MissingFile.nodeosWillDo))
        #expect(text.stdout.contains("\n  " + MissingFile.repairCommand(dataDir: data) + "\n"))
        let json = try run(["verify", data, "--json"])
        #expect(json.status == 0)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["missing"] as? Bool == true && object["nodeos_loads"] as? Bool == true)
        // A directory that is no data dir is still bad usage.
        #expect(try run(["verify", parent]).status == 2)
    }
}
