import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import FinalityInterface
import Foundation
import Testing

/// Issue 23, item 2: the Network screen, reached with n from LIB and Watch, fed by the
/// runner's refreshes between keys; the same view `finality network` prints.
@Suite("Network screen")
struct NetworkScreenTests {
    static let base: UInt32 = 850_000_000

    /// A node's answers: a policy of `weights.count` finalizers (descriptions `names`, keys
    /// `FakeAnswers.networkKey(i)`), head 1,000, LIB `lib`; finalizer i voted strong at head
    /// unless it is in `silent` (no vote) or `behind` (a vote 40 blocks back).
    static func view(
        names: [String], weights: [Int], threshold: Int, lib: UInt32 = 998, silent: Set<Int> = [], behind: Set<Int> = [],
        configured: [BLSPublicKey]? = nil
    ) throws -> NetworkView {
        let head: UInt32 = 1_000
        let policy = FakeAnswers.Policy.make(
            weights.count, names: names, weights: weights.map(UInt64.init), generation: 7, threshold: UInt64(threshold))
        let votes = policy.finalizers.indices.filter { !silent.contains($0) }.map { i in
            let block = behind.contains(i) ? head - 40 : head
            return FakeAnswers.Vote(key: policy.finalizers[i].key, block: block, slot: base + block, strong: true)
        }
        let url = "http://127.0.0.1:8888"
        let info = try NodeAPI.parseInfo(Array(FakeAnswers.getInfo(head: head, headSlot: base + head, lib: lib, libSlot: base + lib).utf8), url: url)
        let fin = try NodeAPI.parseFinalizerInfo(Array(FakeAnswers.finalizerInfo(active: policy, votes: votes).utf8), url: url)
        return try NetworkView.build(
            [NetworkAnswer(url: url, info: info, finalizers: fin)], configuredKeys: configured,
            unixMilliseconds: BlockTimestamp(slot: base + head).unixMilliseconds + 500)
    }

    static let greek = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
        "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    ].map { "bp." + $0 }
    static let weights = [2, 2, 2, 3] + Array(repeating: 1, count: 17)

    /// Every frame from g, then Space until the screen stops changing: all text shown.
    static func everything(_ state: AppState) -> String {
        var s = state
        press(&s, c("g"))
        var frames = [Render.render(s).text]
        for _ in 0..<200 {
            press(&s, c(" "))
            let t = Render.render(s).text
            if t == frames.last { break }
            frames.append(t)
        }
        return frames.joined(separator: "\n")
    }

    /// The screen's text with wrapped lines joined (a sentence is searched whole).
    static func flat(_ text: String) -> String {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// The table's rows (they start with the this-node mark or two spaces, then a status).
    static func rows(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { row in
            ["NOT SEEN", "BEHIND  ", "voting  "].contains(String(row.dropFirst(2).prefix(8)))
        }
    }

    /// The state on the Network screen with `view` absorbed.
    static func shown(_ view: NetworkView, nodeKeys: NodeKeys = ScreenFixture.noNodeKeys, size: Size = .minimum) -> AppState {
        var s = ScreenFixture.state(size: size, nodeKeys: nodeKeys)
        s.lib.askAPI = true
        press(&s, c("l"), c("n"))
        _ = Core.update(&s, .networkPolled(NetworkPoll(latest: .success(view), refreshes: 1, takenAt: view.unixMilliseconds), now: view.unixMilliseconds))
        return s
    }

    @Test("n on LIB without a node API asks for one (never asks one by itself); the answer starts the refreshes; ESC goes back; leaving stops them")
    func startAskStop() {
        var s = ScreenFixture.state(nodeKeys: ScreenFixture.nodeKeys)
        press(&s, c("l"))
        #expect(s.screen == .lib)
        #expect(Render.render(s).text.contains("nNetwork"), "n is on LIB's key bar: \(Render.render(s).text)")
        #expect(press(&s, c("n")).isEmpty)
        #expect(s.screen == .lib && s.prompt?.purpose == .networkAPI)
        #expect(Render.render(s).text.contains("No node API given; ask which (several: spaces)? http://127.0.0.1:8888"))
        press(&s, .backspace)
        _ = Core.update(&s, .terminal(.key(.control("u"))))
        type(&s, "http://a:8888 http://b:8888")
        let effects = press(&s, .enter)
        #expect(s.screen == .network)
        #expect(effects == [.startNetwork(NetworkConfig(apis: ["http://a:8888", "http://b:8888"], configuredKeys: ScreenFixture.nodeKeys.publicKeys))])
        #expect(s.tickMilliseconds == 250)
        #expect(Core.update(&s, .tick) == [.pollNetwork, .checkWorld(s.location)])
        #expect(Render.render(s).text.contains("asking http://a:8888, http://b:8888"))
        press(&s, .escape)
        #expect(s.screen == .lib)
        #expect(Core.update(&s, .tick) == [.stopNetwork, .checkWorld(s.location)])
        #expect(s.network == nil && s.tickMilliseconds == nil)
    }

    @Test("n on Watch opens it too, with the node API the watch asks; ESC returns to Watch")
    func fromWatch() {
        var s = ScreenFixture.state()
        s.lib.askAPI = true
        press(&s, c("j"), c("W"))
        #expect(s.screen == .watch)
        let effects = press(&s, c("n"))
        #expect(s.screen == .network)
        #expect(effects == [.startNetwork(NetworkConfig(apis: ["http://127.0.0.1:8888"], configuredKeys: nil))])
        press(&s, .escape)
        #expect(s.screen == .watch)
    }

    @Test("a stall of 21 finalizers at 80x24: the verdict, the policy's weights, not voting first, this node's key marked; everything reachable")
    func stallOfTwentyOne() throws {
        // More than a third of the weight (9 of 26) silent: delta 3, alpha 2, beta 2, kappa 1, lambda 1.
        let silent: Set<Int> = [0, 1, 3, 9, 10]
        let mine = FakeAnswers.networkKey(9)
        let r = NodeConfig.keys(configINI: Array("signature-provider = \(mine.text)=KEY:\(ScreenFixture.plantedSecret)\n".utf8), path: "/etc/nodeos/config.ini")
        let nodeKeys = NodeKeys(keys: r.keys, looked: [], source: "config.ini /etc/nodeos/config.ini")
        let v = try Self.view(names: Self.greek, weights: Self.weights, threshold: 18, lib: 900, silent: silent, configured: [mine])
        let s = Self.shown(v, nodeKeys: nodeKeys)
        let first = Self.flat(Render.render(s).text)
        #expect(first.contains("Network"), "\(first)")
        #expect(first.contains("LIB stalled since"), "\(first)")
        #expect(first.contains("strong votes 17, threshold 18: 1 more weight must vote"), "\(first)")
        #expect(first.contains("not voting: bp.delta (3), bp.alpha (2), bp.beta (2), bp.kappa (1), bp.lambda (1)"), "\(first)")
        #expect(first.contains("Active policy: generation 7, 21 finalizers, total weight 26, threshold 18"), "\(first)")
        // Paging at 80x24 reaches every finalizer's row and the legend; nothing is cut.
        let all = Self.everything(s)
        for name in Self.greek { #expect(Self.rows(all).contains { $0.contains(name + " ") }, "\(name) missing:\n\(all)") }
        #expect(all.contains("◆ this node's key"))
        #expect(!all.contains("more line"), "\(all)")
        // Sorted by status, the silent come first; this node's key is marked.
        let rows = Self.rows(Render.render(Self.shown(v, nodeKeys: nodeKeys, size: Size(columns: 80, rows: 60))).text)
        #expect(rows.count == 21)
        #expect(rows.prefix(5).allSatisfy { $0.contains("NOT SEEN") } && rows.dropFirst(5).allSatisfy { $0.contains("voting") }, "\(rows)")
        let kappa = try #require(rows.first { $0.contains("bp.kappa ") })
        #expect(kappa.hasPrefix("◆ "), "\(kappa)")
        #expect(rows.filter { $0.hasPrefix("◆") }.count == 1)
    }

    @Test("a policy of 1,000 finalizers at 80x24: every row reachable by paging, in the order asked, none twice")
    func thousandFinalizers() throws {
        let names = (0..<1_000).map { "bp.\($0)" }
        let v = try Self.view(names: names, weights: (0..<1_000).map { 1 + $0 % 7 }, threshold: 2_667, silent: Set(stride(from: 0, to: 1_000, by: 10)))
        var s = Self.shown(v)
        press(&s, c("s"))  // policy order
        var seen = [String]()
        press(&s, c("g"))
        for _ in 0..<200 {
            for row in Self.rows(Render.render(s).text) {
                let name = String(row.dropFirst(2 + 8 + 1 + 7 + 1).prefix { $0 != " " })
                if seen.last != name, !seen.contains(name) { seen.append(name) }
            }
            let before = Render.render(s)
            press(&s, c(" "))
            if Render.render(s) == before { break }
        }
        #expect(seen == names, "\(seen.count) rows seen; first missing: \(names.first { !seen.contains($0) } ?? "none")")
        #expect(Self.flat(Render.render({ var t = s; press(&t, c("g")); return t }()).text).contains("Active policy: generation 7, 1,000 finalizers"))
    }

    @Test("s sorts by status, policy order, weight, last vote; the status bar says which")
    func sorting() throws {
        let v = try Self.view(names: ["bp.a", "bp.b", "bp.c", "bp.d"], weights: [1, 4, 2, 3], threshold: 7, silent: [2], behind: [3])
        var s = Self.shown(v)
        func order(_ s: AppState) -> [String] {
            Self.rows(Render.render(s).text).compactMap { row in ["bp.a", "bp.b", "bp.c", "bp.d"].first { row.contains($0 + " ") } }
        }
        #expect(order(s) == ["bp.c", "bp.d", "bp.b", "bp.a"], "status: not seen, behind, voting (heaviest first)")
        press(&s, c("s"))
        #expect(order(s) == ["bp.a", "bp.b", "bp.c", "bp.d"])
        #expect(Render.render(s).text.contains("sorted by policy order"))
        press(&s, c("s"))
        #expect(order(s) == ["bp.b", "bp.d", "bp.c", "bp.a"])
        press(&s, c("s"))
        #expect(order(s) == ["bp.c", "bp.d", "bp.a", "bp.b"], "last vote, oldest first: none, 40 blocks back, then policy order")
        #expect(Render.render(s).text.contains("BEHIND"))
    }

    @Test("hostile descriptions from a node: no control byte or escape reaches the grid, a long one is cut, the rows stay aligned")
    func hostileDescriptions() throws {
        let names = ["bp.\u{1B}[2J\u{1B}]0;pwned\u{07}", "bp.line\nbreak\r", String(repeating: "W", count: 10_000), "bp.\u{202E}reversed"]
        let v = try Self.view(names: names, weights: [1, 1, 1, 1], threshold: 3)
        let s = Self.shown(v)
        let g = Render.render(s)
        let text = Self.everything(s)
        for ch in text.unicodeScalars where ch.value < 0x20 && ch != "\n" { Issue.record("control character \(ch.value) on the screen") }
        #expect(!text.contains("\u{1B}") && !text.contains("\u{202E}"))
        #expect(!text.contains(String(repeating: "W", count: 100)))
        for row in 0..<s.size.rows { #expect(g.text(row: row).count <= 80) }
    }

    @Test("a refresh that fails (no API answers) says so, and keeps the last answers with their age")
    func failureKeepsTheLastView() throws {
        let v = try Self.view(names: ["bp.a", "bp.b"], weights: [1, 1], threshold: 2)
        var s = Self.shown(v)
        _ = Core.update(
            &s,
            .networkPolled(
                NetworkPoll(latest: .failure(.io(path: "http://127.0.0.1:8888", operation: "ask the node API", reason: "timed out after 2 s")), refreshes: 2, takenAt: v.unixMilliseconds + 5_000),
                now: v.unixMilliseconds + 5_000))
        let text = Render.render(s).text
        #expect(text.contains("timed out after 2 s"), "\(text)")
        #expect(text.contains("The last answers that could be used (taken 5 s ago)"), "\(text)")
        #expect(text.contains("bp.a"))
    }
}
