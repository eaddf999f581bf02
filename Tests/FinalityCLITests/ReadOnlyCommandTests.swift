import FinalityEngine
import Foundation
import Testing
import FinalityTestSupport

/// `list`, `show`, `verify` and `demo` as an operator runs them: the real binary, exit
/// codes as product.md documents, JSON that parses.
@Suite("Read-only commands, run as an operator would")
struct ReadOnlyCommandTests {
    static let root = PackagePaths.root
    static func fixture(_ name: String) -> String { root.appendingPathComponent("Fixtures/" + name).path }
    static let upstreamV1 = root.deletingLastPathComponent().appendingPathComponent("shared/upstream/safety_v1.dat").path

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("verify: exit 0 for a file nodeos loads, with the verdict and the CRC")
    func verifyLoads() {
        let r = BuiltBinary.run(["verify", Self.upstreamV1])
        #expect(r.status == 0)
        #expect(r.stdout.contains("crc-32 stored 0x00A2A67B, computed 0x00A2A67B (match)"))
        #expect(r.stdout.hasSuffix("nodeos will load this file\n"))
    }

    @Test("verify: exit 1 for a file nodeos refuses; the error names the file, the offset and the field")
    func verifyRefuses() {
        let path = Self.fixture("wrong-key-length.dat")
        let r = BuiltBinary.run(["verify", path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("error: \(path): offset 0x105 (261), entry 1, key length: expected 96, found 48"))
        #expect(r.stdout.contains("nodeos will REFUSE this file: offset 0x105 (261)"))
    }

    @Test("verify --json: the documented fields")
    func verifyJSON() throws {
        let r = BuiltBinary.run(["verify", "--json", Self.fixture("bad-crc.dat")])
        #expect(r.status == 1)
        let j = try json(r.stdout)
        #expect(j["nodeos_loads"] as? Bool == false)
        #expect(j["format"] as? String == "savanna-v1")
        #expect((j["crc"] as? [String: String])?["stored"] == "0xEFBEADDE")
        let errors = try #require(j["errors"] as? [[String: Any]])
        #expect(errors.first?["check"] as? String == "bad-crc")
        #expect(errors.first?["offset"] as? Int == 1209)
    }

    @Test("list --api to a node that does not answer: the entries are still listed, then exit 3 naming the endpoint")
    func listWithDeadAPI() {
        let r = BuiltBinary.run(["list", Self.upstreamV1, "--api", "http://127.0.0.1:9", "--api-timeout", "2"])
        #expect(r.status == 3)
        #expect(r.stdout.contains("NETWORK'S LAST VOTE") == false)
        #expect(r.stdout.contains("PUB_BLS_QMg8-wBVg6J1NJ1"))
        #expect(r.stderr.contains("127.0.0.1:9"))
    }

    @Test("a missing file is an I/O error (exit 3); a bad option is a usage error (exit 2)")
    func ioAndUsage() {
        let missing = BuiltBinary.run(["verify", "/nonexistent/safety.dat"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("/nonexistent/safety.dat: cannot open: no such file or directory"))
        #expect(BuiltBinary.run(["verify"]).status == 2)
        #expect(BuiltBinary.run(["lib", "--lib-slot", "abc"]).status == 2)
    }

    @Test("list --json: one entry per key, keys as PUB_BLS_ text, times next to the slot")
    func listJSON() throws {
        let r = BuiltBinary.run(["list", "--json", Self.upstreamV1])
        #expect(r.status == 0)
        let entries = try #require(try json(r.stdout)["entries"] as? [[String: Any]])
        #expect(entries.count == 3)
        #expect((entries[0]["key"] as? String)?.hasPrefix("PUB_BLS_QMg8-wBVg6J1NJ1E") == true)
        let lastVote = try #require(entries[0]["last_vote"] as? [String: Any])
        let time = try #require(lastVote["timestamp"] as? [String: Any])
        #expect(time["slot"] as? Int == 203)
        #expect(time["utc"] as? String == "2000-01-01T00:01:41.500Z")
    }

    @Test("list of a HotStuff file speaks its vocabulary: _vheight and _b_lock")
    func listHotStuff() throws {
        let r = BuiltBinary.run(["list", Self.fixture("hotstuff-three-entries.dat")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("_VHEIGHT (LAST VOTE)"))
        #expect(r.stdout.contains("400,000,210/2"))
        let j = try json(BuiltBinary.run(["list", "--json", Self.fixture("hotstuff-three-entries.dat")]).stdout)
        let first = try #require((j["entries"] as? [[String: Any]])?.first)
        #expect((first["_vheight"] as? [String: Int])?["pcounter"] == 2)
    }

    @Test("show: a unique part of the key finds the entry; an ambiguous part lists the candidates (exit 2)")
    func showKey() {
        let one = BuiltBinary.run(["show", Self.upstreamV1, "kkwuxSld"])
        #expect(one.status == 0)
        #expect(one.stdout.contains("entry      1"))
        #expect(one.stdout.contains("lock       block"))
        let many = BuiltBinary.run(["show", Self.upstreamV1, "PUB_BLS_"])
        #expect(many.status == 2)
        #expect(many.stderr.contains("matches 3 keys"))
        #expect(many.stderr.contains("entry 2: PUB_BLS_s4BZuXDpNWivBOI5"))
        #expect(BuiltBinary.run(["show", Self.upstreamV1, "zzzzzzzz"]).status == 2)
    }

    @Test("a data dir finds finalizers/safety.dat inside it")
    func dataDir() throws {
        let r = BuiltBinary.run(["demo", "--print-only"])
        #expect(r.status == 0)
        let dir = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let list = BuiltBinary.run(["list", dir])
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("\(dir)/finalizers/safety.dat: Savanna safety.dat version 1, 6 entries"))
        #expect(list.stdout.contains("no lock,never voted"))
        // Flags measured against the data dir's blocks.log, as the Entries screen and the report show them.
        for flag in ["lock-22", "vote+12", "inactive"] { #expect(list.stdout.contains(flag), "list lacks \(flag)") }
        let json = BuiltBinary.run(["list", dir, "--json"])
        // The demo's node has a config.ini beside its data dir: "inactive" is certain (the key
        // is not configured), never the guess from time; a configured key without an entry is
        // named; no private part of a signature-provider line appears anywhere.
        for code in ["lock-behind-lib", "last-vote-newer-than-lib", "inactive"] { #expect(json.stdout.contains("\"\(code)\""), "--json lacks \(code)") }
        #expect(!json.stdout.contains("maybe-inactive") && !list.stdout.contains("inactive?"))
        #expect(list.stdout.contains("configured key without an entry"))
        #expect(list.stdout.contains("config/ beside the data dir"))
        for out in [list.stdout, json.stdout, list.stderr, json.stderr] { #expect(!out.contains("PVT_BLS") && !out.contains("demo-private-part")) }
        let show = BuiltBinary.run(["show", dir, "04nAwfOWuw"])
        #expect(show.stdout.contains("flag       lock-22: lock behind LIB by 22 blocks"), "\(show.stdout)")
        // show reads the node's keys as list does: configured or not, certain; --config-dir
        // names another config dir (here one without a config.ini: unknown, and the guess).
        #expect(show.stdout.contains("configured yes: this node votes with this key"), "\(show.stdout)")
        let inactive = BuiltBinary.run(["show", dir, "gjUIlRSk"])
        #expect(inactive.stdout.contains("configured no: this node does not vote with this key: it is not among its 6 configured keys"), "\(inactive.stdout)")
        #expect(inactive.stdout.contains("flag       inactive:"))
        let elsewhere = BuiltBinary.run(["show", dir, "gjUIlRSk", "--config-dir", dir + "/state"])
        #expect(elsewhere.stdout.contains("configured unknown"), "\(elsewhere.stdout)")
        #expect(elsewhere.stdout.contains("flag       inactive?:"))
        for out in [show.stdout, inactive.stdout, elsewhere.stdout] { #expect(!out.contains("PVT_BLS")) }
        #expect(FileManager.default.fileExists(atPath: dir + "/blocks/blocks.log"))
        #expect(FileManager.default.fileExists(atPath: dir + "/state"))
    }

    @Test("show and the review of a reset say in the same sentence whether the node votes with the key: configured, not, unknown")
    func oneSentenceForVoting() throws {
        let demo = BuiltBinary.run(["demo", "--print-only"])
        let dir = demo.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        #expect(demo.status == 0 && !dir.isEmpty)
        // A configured key, one the node does not use, and one with no configuration found.
        for (key, word, extra) in [("04nAwfOWuw", "yes", [String]()), ("gjUIlRSk", "no", []), ("gjUIlRSk", "unknown", ["--config-dir", dir + "/state"])] {
            let show = BuiltBinary.run(["show", dir, key] + extra)
            let line = try #require(show.stdout.split(separator: "\n").first { $0.hasPrefix("configured ") }, "\(show.stdout)")
            #expect(line.hasPrefix("configured \(word): "), "\(line)")
            let sentence = String(line.dropFirst("configured \(word): ".count))
            #expect(sentence.contains("votes with this key") || sentence.contains("vote with this key"), "\(sentence)")
            let review = BuiltBinary.run(["reset", dir, "--key", key, "--dry-run", "--blocks-dir", dir + "/blocks"] + extra)
            let said = review.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(said.contains { $0.hasPrefix(sentence) }, "the review words it otherwise than show's \"\(sentence)\":\n\(review.stdout)\(review.stderr)")
        }
    }
}
