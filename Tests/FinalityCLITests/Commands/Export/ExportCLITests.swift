import FinalityEngine
import FinalityFormat
import Foundation
import Testing
import FinalityTestSupport

/// `finality export` (issue 24, item 1): the document of chosen entries, from a file no
/// node uses, with its chain, under a new name only.
@Suite("finality export", .serialized)
struct ExportCLITests {
    /// A demo data dir (the project's own writer) and a fresh working directory.
    static func setup() throws -> (data: String, work: String) {
        let r = BuiltBinary.run(["demo", "--print-only"])
        try #require(r.status == 0, "\(r.stderr)")
        let data = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        TemporaryPaths.register(PathText.directory(data))
        let work = TemporaryPaths.name("finality-export-work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: false)
        return (data, work)
    }

    @Test("every entry of a data dir, its chain from blocks.log; the document reads back equal to the file's entries; never over a file")
    func exportsAndNeverReplaces() throws {
        let (data, work) = try Self.setup()
        let out = work + "/doc.json"
        let r = BuiltBinary.run(["export", data, "--out", out])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("exported 6 entries"))
        #expect(r.stdout.contains("from blocks.log \(data)/blocks/blocks.log"))
        #expect(r.stdout.contains("must stop voting here"))
        // The interlocks that say whether a node uses the file, not those about writing it.
        #expect(r.stdout.contains("[ok] lock on \(data)/state/shared_memory.bin"))
        #expect(r.stdout.contains("[ok] processes using"))
        #expect(!r.stdout.contains("owner, group, mode"))
        let bytes = Fixture.read(out)
        let doc = try InterchangeDocument(bytes: bytes)
        let file = try SafetyFileReader.decode(Fixture.read(data + "/finalizers/safety.dat"))
        #expect(doc.entries.map(\.key) == file.entries.map(\.key))
        #expect(doc.entries.map(\.safety) == file.entries.compactMap(\.savanna))
        #expect(doc.exported.path == data + "/finalizers/safety.dat")
        #expect(doc.exported.sha256 == Digest.sha256(Fixture.read(data + "/finalizers/safety.dat")))
        #expect(!doc.exported.whileRunning)
        // A second export to the same name: refused, the first document untouched.
        let again = BuiltBinary.run(["export", data, "--out", out, "--key", "hqCme"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists: a document never replaces a file"))
        #expect(Fixture.read(out) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work) == ["doc.json"], "no temporary name left")
    }

    @Test("--key chooses; a node using the data dir refuses (exit 4, nothing written) unless --while-running, which marks the document")
    func nodeRunning() throws {
        let (data, work) = try Self.setup()
        let node = try Child.nodeos(["--data-dir", data])
        defer { node.stop() }
        let refused = BuiltBinary.run(["export", data, "--key", "hqCme", "--out", work + "/a.json"])
        #expect(refused.status == 4, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("outdated by its next vote"))
        #expect(!FileManager.default.fileExists(atPath: work + "/a.json"))
        let look = BuiltBinary.run(["export", data, "--key", "hqCme", "--out", work + "/b.json", "--while-running"])
        #expect(look.status == 0, "\(look.stdout)\(look.stderr)")
        #expect(look.stdout.contains("WHILE RUNNING"))
        let doc = try InterchangeDocument(bytes: Fixture.read(work + "/b.json"))
        #expect(doc.exported.whileRunning)
        #expect(doc.entries.count == 1 && doc.entries[0].key.text.hasPrefix("PUB_BLS_hqCme"))
    }

    @Test("a safety file with no blocks.log needs --chain-id; a typed one that disagrees with blocks.log refuses")
    func chainID() throws {
        let (data, work) = try Self.setup()
        let lone = work + "/safety.dat"
        try FileManager.default.copyItem(atPath: data + "/finalizers/safety.dat", toPath: lone)
        let none = BuiltBinary.run(["export", lone, "--out", work + "/a.json"])
        #expect(none.status == 2, "\(none.stderr)")
        #expect(none.stderr.contains("--chain-id HEX"))
        let typed = String(repeating: "ab", count: 32)
        let given = BuiltBinary.run(["export", lone, "--out", work + "/b.json", "--chain-id", typed.uppercased()])
        #expect(given.status == 0, "\(given.stderr)")
        #expect(try InterchangeDocument(bytes: Fixture.read(work + "/b.json")).chainID.hex == typed)
        let disagree = BuiltBinary.run(["export", data, "--out", work + "/c.json", "--chain-id", typed])
        #expect(disagree.status == 1)
        #expect(disagree.stderr.contains("the chain ids disagree"))
    }

    @Test("the default name: the working directory, or HOME when it is inside the data dir; never beside the safety file")
    func defaultPlace() throws {
        let (data, work) = try Self.setup()
        let home = TemporaryPaths.name("finality-export-home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let exe = BuiltBinary.finality ?? "finality"
        /// `finality export DATA` run from `dir` with HOME set (the shell's positional arguments: no quoting).
        func exportFrom(_ dir: String) -> Int32 {
            runToEnd("/bin/sh", ["-c", "cd \"$1\" && HOME=\"$2\" exec \"$3\" export \"$4\" >/dev/null", "sh", dir, home, exe, data])
        }
        let inside = exportFrom(data + "/finalizers")
        #expect(inside == 0)
        let written = try FileManager.default.contentsOfDirectory(atPath: home)
        #expect(written.count == 1 && written[0].hasPrefix("finality-export-") && written[0].hasSuffix(".json"), "\(written)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/finalizers").allSatisfy { !$0.hasPrefix("finality-export-") })
        let outside = exportFrom(work)
        #expect(outside == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work).contains { $0.hasPrefix("finality-export-") })
    }
}
