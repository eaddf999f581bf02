import FinalityEngine
import FinalityFormat
import Foundation
import Testing
import FinalityTestSupport

/// `finality import` (issue 24, items 2 and 5): a key moved from node A to node B, through
/// the one change workflow; nothing ever moves back.
@Suite("finality import", .serialized)
struct ImportCLITests {
    static func demo() throws -> String {
        let r = BuiltBinary.run(["demo", "--print-only"])
        try #require(r.status == 0, "\(r.stderr)")
        let data = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        TemporaryPaths.register(PathText.directory(data))
        return data
    }

    static func work() throws -> String {
        let dir = TemporaryPaths.name("finality-import-work")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return dir
    }

    static func safety(_ data: String) -> [UInt8] { Fixture.read(data + "/finalizers/safety.dat") }

    /// The 237 bytes of `key`'s entry in a version 1 file (its 96 key bytes and what follows).
    static func entryBytes(_ file: [UInt8], _ key: BLSPublicKey) -> [UInt8]? {
        let k = key.bytes
        guard file.count >= 96 else { return nil }
        for i in 0...(file.count - 96) where file[i] == k[0] && Array(file[i..<i + 96]) == k {
            return Array(file[(i - 1)..<min(file.count, i - 1 + SafetyFormat.savannaV1.entrySize)])
        }
        return nil
    }

    @Test("node A to node B: B's entry equals A's byte for byte; a second import changes nothing (nothing to write, exit 0); the audit record says import with the document's SHA-256")
    func moveAKey() throws {
        let a = try Self.demo(), b = try Self.demo(), work = try Self.work()
        // B lacks the key (deleted, as on a standby that never had it).
        #expect(BuiltBinary.run(["delete", b, "--key", "04nAw", "--yes"]).status == 0)
        let key = try #require(try SafetyFileReader.decode(Self.safety(a)).entries.first { $0.key.text.contains("04nAw") }).key
        #expect(Self.entryBytes(Self.safety(b), key) == nil)
        let doc = work + "/doc.json"
        #expect(BuiltBinary.run(["export", a, "--key", "04nAw", "--out", doc]).status == 0)
        let r = BuiltBinary.run(["import", b, doc, "--yes"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("added from the document"))
        #expect(r.stdout.contains("One key, one voter"))
        let moved = Self.entryBytes(Self.safety(b), key)
        #expect(moved != nil && moved == Self.entryBytes(Self.safety(a), key))
        // The audit record: action import, the document's SHA-256 and where it came from.
        let log = String(decoding: Fixture.read(b + "/finalizers/safety.dat.audit.jsonl"), as: UTF8.self)
        #expect(log.contains("\"action\":\"import\""))
        #expect(log.contains("\"sha256\":\"\(Digest.sha256(Fixture.read(doc)).hex)\""))
        #expect(log.contains("\"outcome\":\"added\""))
        // Twice: nothing to change.
        let before = Self.safety(b)
        let again = BuiltBinary.run(["import", b, doc, "--yes"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("nothing to write"))
        #expect(again.stdout.contains("unchanged: the file already holds the document's values"), "\(again.stdout)")
        #expect(!again.stdout.contains("from both"), "\(again.stdout)")
        #expect(Digest.sha256(Self.safety(b)) == Digest.sha256(before), "the file changed")
    }

    @Test("an older document moves nothing back: B's newer last vote stays (nothing to write)")
    func olderMovesNothingBack() throws {
        let a = try Self.demo(), b = try Self.demo(), work = try Self.work()
        let doc = work + "/doc.json"
        #expect(BuiltBinary.run(["export", a, "--key", "04nAw", "--out", doc]).status == 0)
        // B's entry for the key moves forward (a reset to B's LIB, after A's last vote).
        let reset = BuiltBinary.run(["reset", b, "--key", "04nAw", "--blocks-dir", b + "/blocks", "--yes"])
        #expect(reset.status == 0, "\(reset.stderr)")
        let before = Self.safety(b)
        let r = BuiltBinary.run(["import", b, doc, "--yes"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("nothing to write"))
        #expect(Digest.sha256(Self.safety(b)) == Digest.sha256(before), "the file changed")
    }

    @Test("refused, nothing written: a document for another chain, one exported while running, the source node running on this host (exit 4), a key the document lacks")
    func refusals() throws {
        let a = try Self.demo(), b = try Self.demo(), work = try Self.work()
        let lone = work + "/safety.dat"
        try FileManager.default.copyItem(atPath: a + "/finalizers/safety.dat", toPath: lone)
        let other = work + "/other-chain.json"
        #expect(BuiltBinary.run(["export", lone, "--out", other, "--chain-id", String(repeating: "ab", count: 32)]).status == 0)
        let before = Self.safety(b)
        let chain = BuiltBinary.run(["import", b, other, "--yes"])
        #expect(chain.status == 1, "\(chain.stdout)\(chain.stderr)")
        #expect(chain.stderr.contains("is for chain abab"))
        let node = try Child.nodeos(["--data-dir", a])
        let live = work + "/live.json"
        let look = BuiltBinary.run(["export", a, "--out", live, "--while-running"])
        node.stop()
        #expect(look.status == 0, "\(look.stderr)")
        let running = BuiltBinary.run(["import", b, live, "--yes"])
        #expect(running.status == 1)
        #expect(running.stderr.contains("exported while a node used its file"))
        let doc = work + "/doc.json"
        #expect(BuiltBinary.run(["export", a, "--key", "04nAw", "--out", doc]).status == 0)
        // One key, one voter: the source node, on this host, started again after the export.
        let source = try Child.nodeos(["--data-dir", a])
        let twoVoters = BuiltBinary.run(["import", b, doc, "--yes"])
        source.stop()
        #expect(twoVoters.status == 4, "\(twoVoters.stdout)\(twoVoters.stderr)")
        #expect(twoVoters.stderr.contains("one key, one voter: a nodeos (pid"))
        let missing = BuiltBinary.run(["import", b, doc, "--key", "hqCme", "--yes"])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("no key of the document"))
        #expect(Digest.sha256(Self.safety(b)) == Digest.sha256(before), "the file changed")
    }
}
