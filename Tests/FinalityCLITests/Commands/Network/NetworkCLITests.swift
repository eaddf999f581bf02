import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// `finality network`: the real binary against node APIs served on 127.0.0.1 by the test.
@Suite("finality network: the network's view on the command line", .enabled(if: RequiredTools.shouldRun(needsTmux: false), "needs the built finality binary"))
struct NetworkCLITests {
    init() throws { try RequiredTools.require(needsTmux: false) }

    static let t0: UInt32 = FakeAnswers.nowSlot() - 200

    static let greek = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
        "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    ].map { "bp." + $0 }
    /// alpha 2, beta 2, gamma 2, delta 3, the other 17: 1. Total 26, threshold 18.
    static let policy = FakeAnswers.Policy.make(21, names: greek, weights: [2, 2, 2, 3] + Array(repeating: 1, count: 17), generation: 7)
    static func key(_ name: String) -> BLSPublicKey { policy.finalizers.first { $0.description == name }!.key }
    static let stopping: Set<BLSPublicKey> = Set(["bp.delta", "bp.alpha", "bp.beta", "bp.kappa", "bp.lambda"].map(key))

    /// A node whose LIB (block 1,000) stalled 100 blocks ago: 9 of 26 weight stopped voting.
    static func stalledNode(chainID: String = FakeAnswers.chainID) -> FakeNode {
        let node = FakeNode()
        node.setNetwork(
            head: 1100, headSlot: t0 + 100, lib: 1000, active: policy, voting: Set(policy.finalizers.map(\.key)).subtracting(stopping),
            staleBlock: 1000, chainID: chainID)
        return node
    }

    /// A config dir whose config.ini names `keys` as this node's finalizer keys.
    static func configDir(_ keys: [BLSPublicKey]) throws -> String {
        let dir = TemporaryPaths.name("finality-network-config")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let lines = keys.enumerated().map { i, k in "signature-provider = \(k.text)=KEY:PVT_BLS_made-up-\(i)" }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/config.ini", atomically: true, encoding: .utf8)
        return dir
    }

    static var libClock: String { String(BlockTimestamp(slot: t0).iso8601.dropFirst(11).prefix(8)) }

    @Test("text: the verdict in the issue's shape, the policy, every finalizer, this node's key marked; exit 0")
    func text() throws {
        let node = Self.stalledNode()
        defer { node.stop() }
        let config = try Self.configDir([Self.key("bp.delta")])
        defer { try? FileManager.default.removeItem(atPath: config) }
        let r = BuiltBinary.run(["network", "--api", node.url, "--config-dir", config])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains(
            "LIB stalled since \(Self.libClock): strong votes 17, threshold 18: 1 more weight must vote; not voting: bp.delta (3), bp.alpha (2), bp.beta (2), bp.kappa (1), bp.lambda (1)"))
        #expect(lines.contains("active policy: generation 7, threshold 18, 21 finalizers, total weight 26"))
        for name in Self.greek { #expect(lines.contains { $0.hasSuffix(" " + name) || $0.contains(" \(name)  ← this node") }, "\(name) missing") }
        #expect(lines.contains { $0.contains("behind") && $0.contains("bp.delta  ← this node") })
        #expect(lines.contains("this node's keys in the active policy: 1 (bp.delta: behind)"))
    }

    @Test("--json: one document with every finalizer, the totals and the verdict")
    func json() throws {
        let node = Self.stalledNode()
        defer { node.stop() }
        let r = BuiltBinary.run(["network", "--api", node.url, "--json", "--sort", "status"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let active = try #require(doc["active_policy"] as? [String: Any])
        #expect(active["strong_weight"] as? Int == 17 && active["threshold"] as? Int == 18 && active["missing_strong_weight"] as? Int == 1)
        let rows = try #require(active["finalizers"] as? [[String: Any]])
        #expect(rows.count == 21)
        #expect(rows.prefix(5).map { $0["description"] as? String } == ["bp.delta", "bp.alpha", "bp.beta", "bp.kappa", "bp.lambda"])
        #expect((doc["verdict"] as? [String: Any])?["kind"] as? String == "stalled")
    }

    @Test("an API on another chain: refused, exit 1, both URLs and chain ids named")
    func otherChain() throws {
        let a = Self.stalledNode(), b = Self.stalledNode(chainID: String(repeating: "22", count: 32))
        defer { a.stop(); b.stop() }
        let r = BuiltBinary.run(["network", "--api", a.url, "--api", b.url])
        #expect(r.status == 1)
        #expect(r.stderr.contains(a.url) && r.stderr.contains(b.url) && r.stderr.contains(String(repeating: "22", count: 32)))
        #expect(r.stdout.isEmpty)
    }

    @Test("no API answers: exit 3 within the timeout, the URL and the reason on stderr")
    func noAnswer() throws {
        let dead = FakeNode()
        defer { dead.stop() }
        dead.all(.silent)
        let r = BuiltBinary.run(["network", "--api", dead.url, "--api-timeout", "0.5"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains(dead.url))
        #expect(r.seconds < 5)
    }

    @Test("--config-dir without a config.ini is bad usage (exit 2), not silently no marks")
    func configDirMissing() throws {
        let node = Self.stalledNode()
        defer { node.stop() }
        let r = BuiltBinary.run(["network", "--api", node.url, "--config-dir", "/nonexistent-finality-config"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no readable config.ini"))
    }

    static let hostile: [String] = [
        "\u{1B}]0;pwned\u{07}title", "\u{1B}[2J\u{1B}[Hclear", "quote\" back\\slash\nnew line\r\ttab", "\u{9B}31mC1 CSI",
        "\u{202E}txet desrever", String(repeating: "x", count: 10_000) + "\u{1B}[31m",
    ]

    @Test("hostile descriptions: no control byte reaches stdout, the JSON parses, promtool accepts the metrics")
    func hostileDescriptions() throws {
        let node = FakeNode()
        defer { node.stop() }
        let p = FakeAnswers.Policy.make(Self.hostile.count, names: Self.hostile)
        node.setNetwork(head: 1000, headSlot: Self.t0 + 2, lib: 998, active: p, voting: Set(p.finalizers.prefix(2).map(\.key)))
        let text = BuiltBinary.run(["network", "--api", node.url])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(!text.stdoutBytes.contains { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F })
        #expect(!text.stdout.unicodeScalars.contains { (0x80...0x9F).contains($0.value) || $0 == "\u{202E}" })
        #expect(text.stdout.utf8.count < 20_000)
        let json = BuiltBinary.run(["network", "--api", node.url, "--json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(((doc["active_policy"] as? [String: Any])?["finalizers"] as? [Any])?.count == Self.hostile.count)
        #expect(!json.stdoutBytes.contains { $0 == 0x1B })
        let prom = BuiltBinary.run(["network", "--api", node.url, "--prometheus"])
        #expect(prom.status == 0)
        #expect(!prom.stdoutBytes.contains { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F })
        try Promtool.require()
        let check = try Promtool.checkMetrics(prom.stdout)
        #expect(check.status == 0 && check.output.isEmpty, "\(check.output)")
    }

    @Test("--prometheus-file writes the metrics atomically (no temporary left), promtool accepts them; --quiet prints nothing")
    func prometheusFile() throws {
        let node = Self.stalledNode()
        defer { node.stop() }
        let dir = TemporaryPaths.name("finality-network-prom")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/finality.prom"
        let r = BuiltBinary.run(["network", "--api", node.url, "--prometheus-file", path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["finality.prom"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("finality_lib_stalled 1\n"))
        #expect(text.contains(#"finality_voting_weight{policy="active",vote="strong"} 17"#))
        try Promtool.require()
        let check = try Promtool.checkMetrics(text)
        #expect(check.status == 0 && check.output.isEmpty, "\(check.output)")
        // A directory that does not exist: exit 3, said.
        let bad = BuiltBinary.run(["network", "--api", node.url, "--prometheus-file", dir + "/none/finality.prom", "--quiet"])
        #expect(bad.status == 3)
    }

    @Test("--watch refreshes (JSON lines) until Ctrl-C, which ends it cleanly: exit 0, no temporary metrics file left")
    func watchUntilInterrupt() throws {
        let node = Self.stalledNode()
        defer { node.stop() }
        let dir = TemporaryPaths.name("finality-network-watch")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let running = BuiltBinary.start([
            "network", "--api", node.url, "--watch", "--interval", "0.2", "--json", "--prometheus-file", dir + "/finality.prom",
        ])
        var asked = 0
        for _ in 0..<400 {
            asked = node.server.requests.filter { $0.path == "/v1/chain/get_finalizer_info" }.count
            if asked >= 3 { break }
            usleep(25_000)
        }
        #expect(asked >= 3)
        // LIB moves on between refreshes: the watch shows it.
        node.setNetwork(head: 1112, headSlot: Self.t0 + 112, lib: 1110, active: Self.policy, voting: Set(Self.policy.finalizers.map(\.key)))
        // Two more refreshes after the change (one may have been in flight), however loaded the machine.
        for _ in 0..<400 {
            if node.server.requests.filter({ $0.path == "/v1/chain/get_finalizer_info" }).count >= asked + 2 { break }
            usleep(25_000)
        }
        usleep(100_000)
        kill(running.pid, SIGINT)
        let r = running.wait()
        #expect(r.status == 0 && r.signal == nil, "\(r.stderr)")
        let docs = r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(docs.count >= 3 && docs.count == r.stdout.split(separator: "\n").count)
        let kinds = docs.compactMap { ($0["verdict"] as? [String: Any])?["kind"] as? String }
        #expect(kinds.first == "stalled" && kinds.last == "advancing")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["finality.prom"])
    }

    @Test("--watch goes on when the API stops answering (the failure shown, no hang) and shows the view again when it is back")
    func watchThroughSilence() throws {
        let node = Self.stalledNode()
        defer { node.stop() }
        let running = BuiltBinary.start(["network", "--api", node.url, "--watch", "--interval", "0.2", "--api-timeout", "0.3", "--json"])
        func asked() -> Int { node.server.requests.filter { $0.path == "/v1/chain/get_info" }.count }
        func waitFor(_ n: Int) -> Bool {
            for _ in 0..<400 {
                if asked() >= n { return true }
                usleep(25_000)
            }
            return false
        }
        #expect(waitFor(2))
        node.all(.silent)
        let before = asked()
        #expect(waitFor(before + 3))
        node.setNetwork(
            head: 1112, headSlot: Self.t0 + 112, lib: 1110, active: Self.policy, voting: Set(Self.policy.finalizers.map(\.key)))
        let back = asked()
        #expect(waitFor(back + 3))
        kill(running.pid, SIGINT)
        let r = running.wait()
        #expect(r.status == 0, "\(r.stderr)")
        let docs = r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(docs.count == r.stdout.split(separator: "\n").count)
        let errors = docs.compactMap { $0["error"] as? String }
        #expect(!errors.isEmpty && errors.allSatisfy { $0.contains(node.url) })
        #expect(docs.first?["error"] == nil && docs.last?["error"] == nil)
        #expect(((docs.last?["verdict"] as? [String: Any])?["kind"] as? String) == "advancing")
    }

    @Test("watch --prometheus: the network's metrics and the file's own keys' last vote and lock; promtool accepts them")
    func watchPrometheus() throws {
        let now = FakeAnswers.nowSlot()
        let k = Self.key("bp.delta")
        let node = FakeNode()
        defer { node.stop() }
        node.setNetwork(head: 7_000_000, headSlot: now, lib: 6_999_998, active: Self.policy, voting: Set(Self.policy.finalizers.map(\.key)))
        let entry = SafetyEntry(key: k, state: .savanna(SavannaSafety(
            lastVote: BlockRef(blockID: FakeAnswers.id(6_999_990), timestamp: BlockTimestamp(slot: now - 10)),
            lock: BlockRef(blockID: FakeAnswers.id(6_999_988), timestamp: BlockTimestamp(slot: now - 12)))))
        let dir = TemporaryPaths.name("finality-watch-prom")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/safety.dat"
        FileManager.default.createFile(atPath: file, contents: Data(SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [entry]))))
        let running = BuiltBinary.start(["watch", file, "--api", node.url, "--interval", "0.2", "--prometheus-file", dir + "/w.prom"])
        var text = ""
        for _ in 0..<400 {
            text = (try? String(contentsOfFile: dir + "/w.prom", encoding: .utf8)) ?? ""
            if text.contains("finality_file_lock_block_number") { break }
            usleep(25_000)
        }
        kill(running.pid, SIGTERM)
        _ = running.wait()
        #expect(text.contains(#"finality_file_last_vote_block_number{key="\#(k.text)"} 6999990"#))
        #expect(text.contains(#"finality_file_lock_block_number{key="\#(k.text)"} 6999988"#))
        #expect(text.contains(#"finality_key_network_last_vote_block_number{key="\#(k.text)"} 7000000"#))
        #expect(text.contains(#"finality_voting_weight{policy="active",vote="strong"} 26"#))
        try Promtool.require()
        let check = try Promtool.checkMetrics(text)
        #expect(check.status == 0 && check.output.isEmpty, "\(check.output)")
    }

    @Test("--help documents the exit codes and the status rules")
    func help() {
        let r = BuiltBinary.run(["network", "--help"])
        #expect(r.status == 0)
        let flat = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("Exit codes: 0 the view was shown (whatever the verdict); 1 refused: the node APIs are on different chains; 2 bad usage; 3 no node API answered"))
        #expect(flat.contains("behind = an older last vote"))
    }
}
