import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// `finality watch --until-vote` and `--json`, the real binary against a node API served
/// on 127.0.0.1 by the test.
@Suite("finality watch for scripts and tickets", .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct WatchCLITests {
    /// Under CI=true a missing binary fails every test here instead of skipping them.
    init() throws { try RequiredTools.require(needsTmux: false) }

    static let key = BLSPublicKey(bytes: (0..<96).map { UInt8(truncatingIfNeeded: $0 * 11 + 5) })

    /// A file whose key last voted on block `n - 50` and an API at head `n` (now) that
    /// tracked that old vote.
    static func setUp() -> (node: FakeNode, file: String, head: UInt32, nowSlot: UInt32) {
        let now = FakeAnswers.nowSlot()
        let head: UInt32 = 7_000_000
        let old = FakeAnswers.Vote(key: key, block: head - 50, slot: now - 50, strong: true)
        let node = FakeNode()
        node.set(head: head, headSlot: now, lib: head - 2, libSlot: now - 2, votes: [old])
        let entry = SafetyEntry(key: key, state: .savanna(SavannaSafety(
            lastVote: BlockRef(blockID: FakeAnswers.id(head - 50), timestamp: BlockTimestamp(slot: now - 50)),
            lock: BlockRef(blockID: FakeAnswers.id(head - 52), timestamp: BlockTimestamp(slot: now - 52)))))
        let dir = TemporaryPaths.name("finality-watch-cli")
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/safety.dat"
        FileManager.default.createFile(atPath: file, contents: Data(SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [entry]))))
        return (node, file, head, now)
    }

    static func cleanUp(_ file: String) { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }

    func objects(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON line: \(line)")
        }
    }

    /// Waits until the node was asked for the votes `count` times (the watch took its baseline).
    func waitForRequests(_ node: FakeNode, _ count: Int) -> Bool {
        for _ in 0..<400 {
            if node.server.requests.filter({ $0.path == "/v1/chain/get_finalizer_info" }).count >= count { return true }
            usleep(25_000)
        }
        return false
    }

    @Test("--until-vote exits 0 when the key's first vote after the start is seen, naming it weak; --json gives one object per refresh")
    func untilVoteSeen() throws {
        let (node, file, head, now) = Self.setUp()
        defer { node.stop(); Self.cleanUp(file) }
        let running = BuiltBinary.start([
            "watch", file, "--api", node.url, "--until-vote", String(Self.key.text.prefix(30)), "--timeout", "30",
            "--interval", "0.2", "--json",
        ])
        #expect(waitForRequests(node, 2))
        let new = FakeAnswers.Vote(key: Self.key, block: head + 1, slot: now + 1, strong: false)
        node.set(head: head + 2, headSlot: now + 2, lib: head, libSlot: now, votes: [new])
        let r = running.wait()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("voting again: weak vote on #7,000,001 at "), "\(r.stderr)")
        let lines = try objects(r.stdout)
        #expect(lines.count >= 3)
        #expect(lines.map { $0["refresh"] as? Int } == lines.indices.map { $0 + 1 })
        let last = try #require((lines.last?["keys"] as? [[String: Any]])?.first)
        #expect(last["public_key"] as? String == Self.key.text)
        #expect(last["new_vote"] as? Bool == true)
        #expect((last["verdict"] as? [String: Any])?["kind"] as? String == "voting-again")
        let firstKey = try #require((lines.first?["keys"] as? [[String: Any]])?.first)
        #expect(firstKey["new_vote"] as? Bool == false)
    }

    @Test("--until-vote exits 1 at the timeout with the last state printed")
    func untilVoteTimeout() throws {
        let (node, file, _, _) = Self.setUp()
        defer { node.stop(); Self.cleanUp(file) }
        let started = Date()
        let r = BuiltBinary.run(["watch", file, "--api", node.url, "--until-vote", Self.key.text, "--timeout", "1.5", "--interval", "0.5"])
        let took = Date().timeIntervalSince(started)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(took >= 1.4 && took < 10, "took \(took) s")
        let verdict = try #require(r.stdout.split(separator: "\n").last { $0.hasPrefix("  verdict  ") }, "\(r.stdout)")
        #expect(verdict.hasPrefix("  verdict  not voting yet: no vote in "), "\(verdict)")
        #expect(verdict.contains(" of watching (last tracked strong vote on #6,999,950 at "), "\(verdict)")
        #expect(r.stdout.contains("Node \(node.url)"))
        #expect(r.stderr.contains("no vote from PUB_BLS_"), "\(r.stderr)")
    }

    @Test("--until-vote exits 3 when no node API answers at all")
    func noAPI() throws {
        let (node, file, _, _) = Self.setUp()
        node.stop()
        defer { Self.cleanUp(file) }
        let dead = "http://127.0.0.1:\(TestHTTPServer.closedPort())"
        let r = BuiltBinary.run(["watch", file, "--api", dead, "--until-vote", Self.key.text, "--timeout", "1", "--interval", "0.3", "--json"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("no node API answered in 1 s: \(dead)"), "\(r.stderr)")
        let lines = try objects(r.stdout)
        #expect(!lines.isEmpty)
        let nodes = try #require(lines.last?["nodes"] as? [[String: Any]])
        #expect(nodes.first?["answered"] as? Bool == false)
        #expect((nodes.first?["error"] as? String)?.contains("cannot connect") == true)
    }

    @Test("a safety file that does not exist yet (nodeos creates it at start) is watched by full key: the vote still ends --until-vote")
    func missingFile() throws {
        let (node, file, head, now) = Self.setUp()
        defer { node.stop(); Self.cleanUp(file) }
        try FileManager.default.removeItem(atPath: file)
        let running = BuiltBinary.start([
            "watch", file, "--api", node.url, "--until-vote", Self.key.text, "--timeout", "30", "--interval", "0.2",
        ])
        #expect(waitForRequests(node, 2))
        node.set(head: head + 2, headSlot: now + 2, lib: head, libSlot: now, votes: [FakeAnswers.Vote(key: Self.key, block: head + 1, slot: now + 1, strong: true)])
        let r = running.wait()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("File cannot be read: \(file): cannot open: no such file or directory"), "\(r.stdout)")
        #expect(r.stdout.contains("voting again: strong vote on #7,000,001 at "), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: file))
        // A part of a key cannot be matched in a file that is not there: usage (2).
        let partial = BuiltBinary.run(["watch", file, "--api", node.url, "--key", String(Self.key.text.prefix(20))])
        #expect(partial.status == 2)
        #expect(partial.stderr.contains("give the full PUB_BLS_ text"), "\(partial.stderr)")
    }

    @Test("usage errors exit 2: no --api, --until-vote without --timeout, a key not in the file", arguments: [
        (["--until-vote", "PUB_BLS_x"], "--api"),
        (["--api", "http://127.0.0.1:9", "--until-vote", "abc"], "--until-vote needs --timeout"),
        (["--api", "http://127.0.0.1:9", "--key", "zzzz-not-there"], "no key in the file matches"),
        (["--api", "http://127.0.0.1:9", "--interval", "0"], "--interval"),
    ])
    func usage(args: [String], message: String) {
        let (node, file, _, _) = Self.setUp()
        defer { node.stop(); Self.cleanUp(file) }
        let r = BuiltBinary.run(["watch", file] + args)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test("watch never writes: the file's bytes and modification time are unchanged after refreshes")
    func neverWrites() throws {
        let (node, file, _, _) = Self.setUp()
        defer { node.stop(); Self.cleanUp(file) }
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let mtime = try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date
        let dirBefore = try FileManager.default.contentsOfDirectory(atPath: (file as NSString).deletingLastPathComponent)
        let r = BuiltBinary.run(["watch", file, "--api", node.url, "--until-vote", Self.key.text, "--timeout", "1", "--interval", "0.2"])
        #expect(r.status == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date == mtime)
        #expect(try FileManager.default.contentsOfDirectory(atPath: (file as NSString).deletingLastPathComponent) == dirBefore)
    }
}
