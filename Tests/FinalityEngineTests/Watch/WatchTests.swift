import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// `finality watch` against node APIs served on 127.0.0.1 by the test: the sampler asks
/// real sockets, the model turns the samples into state and verdicts.
@Suite("Watch: the node catches up and the key votes again", .serialized)
struct WatchTests {
    static let key = BLSPublicKey(bytes: (0..<96).map { UInt8(truncatingIfNeeded: $0 * 5 + 1) })
    static let other = BLSPublicKey(bytes: (0..<96).map { UInt8(truncatingIfNeeded: $0 * 3 + 2) })

    /// Block numbers near the issue's: block n sits at slot `base + n - first`.
    static let first: UInt32 = 400_000_000
    static let base: UInt32 = 850_000_000
    static func slot(_ n: UInt32) -> UInt32 { base + (n - first) }
    static func ms(_ n: UInt32) -> Int64 { BlockTimestamp(slot: slot(n)).unixMilliseconds }

    /// A safety file: the key's last vote and lock (both on the chain unless `lockFill` differs).
    static func file(lastVote: UInt32, lock: UInt32, lockFill: UInt8 = 0xAB) -> TempFile {
        let entry = SafetyEntry(
            key: key,
            state: .savanna(SavannaSafety(
                lastVote: BlockRef(blockID: FakeAnswers.id(lastVote), timestamp: BlockTimestamp(slot: slot(lastVote))),
                lock: BlockRef(blockID: FakeAnswers.id(lock, fill: lockFill), timestamp: BlockTimestamp(slot: slot(lock))))))
        return TempFile(SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [entry])))
    }

    static func vote(_ n: UInt32, strong: Bool, key: BLSPublicKey = key) -> FakeAnswers.Vote {
        FakeAnswers.Vote(key: key, block: n, slot: slot(n), strong: strong)
    }

    /// One refresh at the wall-clock time of block `at` (plus `plus` ms).
    static func refresh(_ state: inout WatchState, at n: UInt32, plus: Int64 = 0, timeout: Double = 1) {
        let sample = WatchSampler.sample(state.config, wanted: state.blockHeightsWanted, apiTimeout: timeout, clock: { ms(n) + plus })
        state.update(sample)
    }

    @Test("head and LIB advancing: blocks per second, LIB trailing head, advancing")
    func advancing() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = Self.file(lastVote: Self.first + 100, lock: Self.first + 99)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        for step in UInt32(0)..<5 {
            let head = Self.first + 1000 + step * 4  // 4 blocks per 2 s refresh: 2 blocks/s
            node.set(head: head, headSlot: Self.slot(head), lib: head - 3, libSlot: Self.slot(head - 3), votes: [])
            Self.refresh(&state, at: head)
        }
        let n = try #require(state.nodes.first)
        #expect(n.blocksPerSecond == 2)
        #expect(n.libAdvances == true)
        #expect(n.info?.lib.number == Self.first + 1016 - 3)
        let lines = state.lines()
        #expect(lines.contains("  head #400,001,016 at \(WatchText.clock(Self.ms(Self.first + 1016))), 2.0 blocks/s"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  LIB  #400,001,013 at ") && $0.hasSuffix(", 3 behind head, advancing") }, "\(lines)")
        // LIB stops: after the rate window it is no longer advancing, and the lines say for how long.
        for step in UInt32(5)..<12 {
            let head = Self.first + 1000 + step * 4
            node.set(head: head, headSlot: Self.slot(head), lib: Self.first + 1013, libSlot: Self.slot(Self.first + 1013), votes: [])
            Self.refresh(&state, at: head)
        }
        #expect(state.nodes[0].libAdvances == false)
        #expect(state.lines().contains { $0.contains("#400,001,013") && $0.contains("not advancing for 14 s") }, "\(state.lines())")
    }

    @Test("a key that stays silent, then votes weak, then strong: the verdict follows, the first new vote is kept")
    func silentWeakStrong() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = Self.file(lastVote: Self.first + 100, lock: Self.first + 99)
        defer { f.remove() }
        let reset = WatchChange(action: "reset", unixMilliseconds: Self.ms(Self.first + 190))
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url], change: reset))
        let old = Self.vote(Self.first + 100, strong: true)
        let peer = Self.vote(Self.first + 199, strong: true, key: Self.other)
        for head in [Self.first + 200, Self.first + 202] {
            node.set(head: head, headSlot: Self.slot(head), lib: head - 2, libSlot: Self.slot(head - 2), votes: [old, peer])
            Self.refresh(&state, at: head)
        }
        var k = try #require(state.keys.first { $0.key == Self.key })
        #expect(state.verdict(k) == .waiting(last: SeenVote(vote: k.newest!.vote, url: node.url), milliseconds: 1000, nodeos: "votes"))
        #expect(state.verdict(k).text.hasPrefix("not voting yet: no vote in 1 s of watching (last tracked strong vote on #400,000,100 at "))
        #expect(!state.verdict(k).sawNewVote)

        node.set(head: Self.first + 204, headSlot: Self.slot(Self.first + 204), lib: Self.first + 202, libSlot: Self.slot(Self.first + 202),
                 votes: [Self.vote(Self.first + 203, strong: false), peer])
        Self.refresh(&state, at: Self.first + 204)
        k = try #require(state.keys.first { $0.key == Self.key })
        #expect(state.verdict(k).sawNewVote)
        // Block 203 is 13 blocks (6.5 s) after the reset at block 190's time.
        #expect(state.verdict(k).text == "voting again: weak vote on #400,000,203 at \(WatchText.clock(Self.ms(Self.first + 203))), 6 s after the reset")

        node.set(head: Self.first + 300, headSlot: Self.slot(Self.first + 300), lib: Self.first + 298, libSlot: Self.slot(Self.first + 298),
                 votes: [Self.vote(Self.first + 272, strong: true), peer])
        Self.refresh(&state, at: Self.first + 300)
        k = try #require(state.keys.first { $0.key == Self.key })
        #expect(state.verdict(k).text == "voting again: strong vote on #400,000,272 at \(WatchText.clock(Self.ms(Self.first + 272))), 41 s after the reset")
        #expect(k.firstNewVote?.vote.vote.blockNumber == Self.first + 203)
        #expect(k.firstNewVote?.vote.vote.isStrong == false)
        let lines = state.lines()
        #expect(lines.contains("  network  strong vote on #400,000,272 at \(WatchText.clock(Self.ms(Self.first + 272))), 14 s behind head"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  file     last vote #400,000,100 at ") && $0.contains(", lock #400,000,099 at ") })
    }

    @Test("a vote the network had tracked before the start is not a new vote")
    func oldVoteIsNotNew() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = Self.file(lastVote: Self.first + 10, lock: Self.first + 9)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        for head in [Self.first + 50, Self.first + 52, Self.first + 54] {
            node.set(head: head, headSlot: Self.slot(head), lib: head - 2, libSlot: Self.slot(head - 2), votes: [Self.vote(Self.first + 40, strong: true)])
            Self.refresh(&state, at: head)
        }
        let k = try #require(state.keys.first)
        #expect(k.firstNewVote == nil)
        #expect(!state.verdict(k).sawNewVote)
    }

    @Test("a node catching up: its head trails the network's (second API) and the wall clock")
    func catchingUp() throws {
        let node = FakeNode(), peer = FakeNode()
        defer { node.stop(); peer.stop() }
        let f = Self.file(lastVote: Self.first + 10, lock: Self.first + 9)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url, peer.url]))
        let netHead = Self.first + 5000
        node.set(head: netHead - 1234, headSlot: Self.slot(netHead - 1234), lib: netHead - 1240, libSlot: Self.slot(netHead - 1240), votes: [])
        // The peer's clock view: head on time.
        peer.set(head: netHead, headSlot: Self.slot(netHead), lib: netHead - 2, libSlot: Self.slot(netHead - 2), votes: [])
        Self.refresh(&state, at: netHead)
        let k = try #require(state.keys.first)
        #expect(state.verdict(k) == .catchingUp(blocks: 1234))
        #expect(state.verdict(k).text == "catching up (head 1,234 blocks behind the network)")
        // One API only: the wall clock tells the same (1,234 slots behind now).
        var alone = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        Self.refresh(&alone, at: netHead)
        #expect(alone.verdict(alone.keys[0]).text == "catching up (head 1,234 blocks behind the network)")
        // Caught up: no longer.
        node.set(head: netHead, headSlot: Self.slot(netHead), lib: netHead - 2, libSlot: Self.slot(netHead - 2), votes: [])
        Self.refresh(&state, at: netHead)
        #expect(state.verdict(state.keys[0]).kind == "waiting")
    }

    @Test("an API that stops answering: the last values stay, the lines say for how long, the refresh ends on time")
    func stopsAnswering() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = Self.file(lastVote: Self.first + 10, lock: Self.first + 9)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let head = Self.first + 100
        node.set(head: head, headSlot: Self.slot(head), lib: head - 2, libSlot: Self.slot(head - 2), votes: [])
        Self.refresh(&state, at: head)
        node.all(.silent)
        let started = Date()
        Self.refresh(&state, at: head, plus: 12_000, timeout: 0.3)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(state.noAnswer)
        #expect(state.nodes[0].info?.headBlockNumber == head)
        let lines = state.lines()
        #expect(lines.contains("  no answer for 12 s: \(node.url)/v1/chain/get_info: cannot POST: no answer within 0.3 s (timed out while waiting for the answer)"), "\(lines)")
        #expect(state.verdict(state.keys[0]).text == "no answer from any node API for 12 s")
        #expect(state.everAnswered)
    }

    @Test("a slow API does not hold up a fast one: both asked at once, the refresh takes one timeout")
    func slowAndFast() throws {
        let slow = FakeNode(), fast = FakeNode()
        defer { slow.stop(); fast.stop() }
        let f = Self.file(lastVote: Self.first + 10, lock: Self.first + 9)
        defer { f.remove() }
        let head = Self.first + 100
        fast.set(head: head, headSlot: Self.slot(head), lib: head - 2, libSlot: Self.slot(head - 2), votes: [Self.vote(head - 1, strong: true)])
        slow.all(.delayed(seconds: 5, then: .respond(status: 200, body: FakeAnswers.getInfo(head: head, headSlot: Self.slot(head), lib: head - 2, libSlot: Self.slot(head - 2)))))
        var state = WatchState(WatchConfig(file: f.path, apis: [slow.url, fast.url]))
        let started = Date()
        Self.refresh(&state, at: head, timeout: 0.5)
        let took = Date().timeIntervalSince(started)
        #expect(took < 1.5, "took \(took) s")
        #expect(state.nodes[0].error?.contains("no answer within 0.5 s") == true)
        #expect(state.nodes[1].info?.headBlockNumber == head)
        #expect(!state.noAnswer)
        #expect(state.keys[0].newest?.url == fast.url)
    }

    @Test("an API answering garbage: the error names the check, earlier values stay, text is one line", arguments: [
        ("<html>\u{1B}[31mBad Gateway</html>", "the answer is not JSON"),
        (#"{"head_block_num":"#, "the answer is not JSON"),
        (#"{"chain_id":"zz"}"#, "chain_id: expected 64 hex digits"),
    ])
    func garbage(body: String, message: String) throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = Self.file(lastVote: Self.first + 10, lock: Self.first + 9)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let head = Self.first + 100
        node.set(head: head, headSlot: Self.slot(head), lib: head - 2, libSlot: Self.slot(head - 2), votes: [])
        Self.refresh(&state, at: head)
        node.all(.respond(status: 200, body: body))
        Self.refresh(&state, at: head, plus: 3000)
        let error = try #require(state.nodes[0].error)
        #expect(error.contains(message), "\(error)")
        #expect(state.nodes[0].info?.headBlockNumber == head)
        // The node's text reaches the screen sanitised: no raw ESC or newline.
        #expect(state.lines().allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 } })
        #expect(state.json.serialized().contains("\\u001b") == false)
    }

    @Test("a lock on a block the chain does not extend, with LIB not past it: not voting")
    func lockOffChain() throws {
        let node = FakeNode()
        defer { node.stop() }
        let lockN = Self.first + 500
        // The file's lock is on block 500 of a fork (fill 0xEE); the chain's block 500 is 0xAB.
        let f = Self.file(lastVote: lockN + 1, lock: lockN, lockFill: 0xEE)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let head = Self.first + 520
        // Finality stalled at 498: LIB's time is before the lock's.
        node.set(head: head, headSlot: Self.slot(head), lib: lockN - 2, libSlot: Self.slot(lockN - 2), votes: [Self.vote(lockN + 1, strong: true)])
        node.server.route("/v1/chain/get_block_info", .respond(status: 200, body: FakeAnswers.blockInfo(lockN, slot: Self.slot(lockN))))
        Self.refresh(&state, at: head)
        #expect(state.blockHeightsWanted == [lockN])
        Self.refresh(&state, at: head, plus: 1000)
        let k = state.keys[0]
        #expect(k.chainIDAtLock == FakeAnswers.id(lockN))
        #expect(state.verdict(k).text == "not voting: lock on a block the chain does not extend")
        #expect(node.server.requests.contains { $0.path == "/v1/chain/get_block_info" && $0.body == #"{"block_num":400000500}"# })
        // The same lock on the chain's own block: no such verdict.
        let g = Self.file(lastVote: lockN + 1, lock: lockN)
        defer { g.remove() }
        var onChain = WatchState(WatchConfig(file: g.path, apis: [node.url]))
        Self.refresh(&onChain, at: head)
        Self.refresh(&onChain, at: head, plus: 1000)
        #expect(onChain.keys[0].chainIDAtLock == FakeAnswers.id(lockN))
        #expect(onChain.verdict(onChain.keys[0]).kind != "not-voting-lock-off-chain")
    }

    @Test("a key missing from the active finalizer policy is said to have nothing to vote on")
    func notInPolicy() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = Self.file(lastVote: Self.first + 10, lock: Self.first + 9)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let head = Self.first + 100
        node.set(head: head, headSlot: Self.slot(head), lib: head - 2, libSlot: Self.slot(head - 2), votes: [], policy: [Self.other])
        Self.refresh(&state, at: head)
        #expect(state.verdict(state.keys[0]).text == "not voting: the key is not in the active finalizer policy (generation 3)")
    }

    @Test("the change the verdict counts from is the newest audit record of the key; another key's record does not count")
    func changeFromAuditLog() throws {
        let f = Self.file(lastVote: Self.first + 10, lock: Self.first + 9)
        defer { f.remove() }
        #expect(WatchChange.lastRecorded(file: f.path, key: Self.key) == nil)
        let log = AuditLog.path(for: f.path)
        for (time, action, key) in [
            ("2026-11-30T09:01:00.000Z", "reset", Self.key), ("2026-11-30T09:02:33.250Z", "delete", Self.key),
            ("2026-11-30T09:05:00.000Z", "reset", Self.other),
        ] {
            _ = try AuditLog.append(
                [("time", .string(time)), ("user", .string("operator")), ("action", .string(action)), ("key", .string(key.text))], to: log)
        }
        let change = try #require(WatchChange.lastRecorded(file: f.path, key: Self.key))
        #expect(change.action == "delete")
        #expect(change.unixMilliseconds == BlockTimestamp(iso8601: "2026-11-30T09:02:33.000Z")!.unixMilliseconds)
    }

    @Test("one JSON object per refresh carries nodes, file and each key's verdict")
    func json() throws {
        let node = FakeNode()
        defer { node.stop() }
        let f = Self.file(lastVote: Self.first + 10, lock: Self.first + 9)
        defer { f.remove() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        let head = Self.first + 100
        node.set(head: head, headSlot: Self.slot(head), lib: head - 2, libSlot: Self.slot(head - 2), votes: [Self.vote(head - 1, strong: false)])
        Self.refresh(&state, at: head)
        let text = state.json.serialized()
        #expect(!text.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.first?["url"] as? String == node.url)
        #expect(nodes.first?["answered"] as? Bool == true)
        let keys = try #require(object["keys"] as? [[String: Any]])
        #expect(keys.first?["public_key"] as? String == Self.key.text)
        let verdict = try #require(keys.first?["verdict"] as? [String: Any])
        #expect(verdict["kind"] as? String == "voting")
        let vote = try #require(keys.first?["network_last_vote"] as? [String: Any])
        #expect(vote["is_vote_strong"] as? Bool == false)
        #expect((object["file"] as? [String: Any])?["state"] as? String == "read")
    }
}
