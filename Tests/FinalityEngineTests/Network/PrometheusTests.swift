import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

@Suite("Prometheus metrics and alerting rules (issue 23, item 3)")
struct PrometheusTests {
    typealias S = NetworkScenario

    func stalledView(configured: [BLSPublicKey]? = nil) throws -> NetworkView {
        let headSlot = S.t0 + 100
        let all = S.keys(S.twentyOne)
        let a = try S.answer(
            head: 1100, headSlot: headSlot, lib: 1000, active: S.twentyOne,
            votes: S.votes(Array(all.subtracting(S.stopping)), block: 1100, head: 1100, headSlot: headSlot)
                + S.votes(Array(S.stopping), block: 1000, head: 1100, headSlot: headSlot))
        return try NetworkView.build([a], configuredKeys: configured, unixMilliseconds: S.now(headSlot))
    }

    /// The value of the one sample of `name` whose line holds every one of `has`.
    func value(_ text: String, _ name: String, _ has: [String] = []) -> String? {
        let lines = text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
        let hits = lines.filter { l in has.allSatisfy { l.contains($0) } }
        guard hits.count == 1 else { return nil }
        return hits[0].split(separator: " ").last.map(String.init)
    }

    @Test("the network's metrics: head, LIB, ages, policy threshold, voting weight, per finalizer vote, weight and status")
    func values() throws {
        let v = try stalledView(configured: [S.key("bp.delta")])
        let text = NetworkMetrics.text(v)
        let api = #"api="http://node-a:8888""#
        #expect(value(text, "finality_head_block_number", [api]) == "1100")
        #expect(value(text, "finality_lib_block_number", [api]) == "1000")
        #expect(value(text, "finality_lib_lag_blocks", [api]) == "100")
        #expect(value(text, "finality_lib_lag_seconds", [api]) == "50")
        #expect(value(text, "finality_lib_age_seconds", [api]) == "50.5")
        #expect(value(text, "finality_lib_block_time_seconds", [api]) == String(BlockTimestamp(slot: S.t0).unixMilliseconds / 1000))
        #expect(value(text, "finality_lib_stalled") == "1")
        #expect(value(text, "finality_policy_threshold_weight", [#"policy="active""#]) == "18")
        #expect(value(text, "finality_policy_weight", [#"policy="active""#]) == "26")
        #expect(value(text, "finality_policy_generation", [#"policy="active""#]) == "7")
        #expect(value(text, "finality_voting_weight", [#"vote="strong""#]) == "17")
        #expect(value(text, "finality_voting_weight", [#"vote="weak""#]) == "0")
        let delta = #"description="bp.delta""#
        #expect(value(text, "finality_finalizer_weight", [delta]) == "3")
        #expect(value(text, "finality_finalizer_last_vote_block_number", [delta]) == "1000")
        #expect(value(text, "finality_finalizer_last_vote_blocks_behind", [delta]) == "100")
        #expect(value(text, "finality_finalizer_last_vote_age_seconds", [delta]) == "50.5")
        #expect(value(text, "finality_finalizer_status", [delta, #"status="behind""#]) == "1")
        #expect(value(text, "finality_finalizer_status", [delta, #"status="voting""#]) == "0")
        #expect(value(text, "finality_finalizer_this_node", [delta]) == "1")
        #expect(value(text, "finality_finalizer_this_node", [#"description="bp.alpha""#]) == "0")
        #expect(value(text, "finality_finalizer_status", [#"description="bp.phi""#, #"status="voting""#]) == "1")
    }

    @Test("a label value is sanitized, then escaped as the format says")
    func escaping() {
        #expect(PrometheusText.escapeLabel(#"a"b\c"#) == #"a\"b\\c"#)
        // A line feed is made visible by the sanitizer first (backslash n), whose backslash is then escaped.
        #expect(PrometheusText.escapeLabel("a\nb") == #"a\\nb"#)
        #expect(PrometheusText.escapeLabel("\u{1B}[2J") == #"\\e[2J"#)
        #expect(PrometheusText.escapeLabel(String(repeating: "x", count: 10_000)).count < 300)
    }

    @Test("promtool check metrics accepts the output: 21 finalizers stalled, with a pending policy, and hostile descriptions")
    func promtoolAccepts() throws {
        try Promtool.require()
        let headSlot = S.t0 + 2
        let p = NetworkViewTests.hostilePolicy
        let hostile = try S.answer(
            head: 1000, headSlot: headSlot, lib: 998, active: p, pending: S.four,
            votes: S.votes(p.finalizers.prefix(3).map(\.key), block: 1000, head: 1000, headSlot: headSlot))
        let unanswered = [NetworkUnanswered(url: "http://dead\"\n:8888", reason: "timeout")]
        for view in [
            try stalledView(), try NetworkView.build([hostile], configuredKeys: [p.finalizers[0].key], unixMilliseconds: S.now(headSlot), unanswered: unanswered),
        ] {
            let text = NetworkMetrics.text(view)
            let (status, output) = try Promtool.checkMetrics(text)
            #expect(status == 0, "promtool check metrics: \(output)\n\(text.prefix(2000))")
            #expect(output.isEmpty, "lint: \(output)")
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        }
    }

    @Test("promtool check metrics refuses what a writer without escaping would give (the check can fail)")
    func promtoolRefusesRaw() throws {
        try Promtool.require()
        let raw = "# HELP finality_x x\n# TYPE finality_x gauge\nfinality_x{description=\"a\"b\"} 1\n"
        #expect(try Promtool.checkMetrics(raw).status != 0)
    }

    @Test("Docs/alerts: promtool check rules accepts the rules, promtool test rules runs each alert firing and not firing")
    func alertRules() throws {
        try Promtool.require()
        let dir = PackagePaths.root.appendingPathComponent("Docs/alerts").path
        let check = try Promtool.run(["check", "rules", dir + "/finality.rules.yml"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 4 rules found"))
        let test = try Promtool.run(["test", "rules", dir + "/finality.rules.test.yml"])
        #expect(test.status == 0, "\(test.output)")
        // Every alert is exercised by the test file, firing at least once.
        let rules = try String(contentsOfFile: dir + "/finality.rules.yml", encoding: .utf8)
        let tests = try String(contentsOfFile: dir + "/finality.rules.test.yml", encoding: .utf8)
        let alerts = rules.split(separator: "\n").compactMap { l -> String? in
            let t = l.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("- alert: ") ? String(t.dropFirst(9)) : nil
        }
        #expect(alerts == ["FinalityLIBStalled", "FinalityVotingWeightBelowThreshold", "FinalityThisNodeKeyNotVoting", "FinalityMetricsStale"])
        for a in alerts { #expect(tests.contains("alertname: \(a)\n        exp_alerts:\n          - exp_labels"), "\(a) never fires in the test file") }
    }

    @Test("every metric the alerting rules use is one finality writes")
    func rulesUseWrittenMetrics() throws {
        let rules = try String(contentsOfFile: PackagePaths.root.appendingPathComponent("Docs/alerts/finality.rules.yml").path, encoding: .utf8)
        let used = Set(rules.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init).filter { $0.hasPrefix("finality_") })
        #expect(!used.isEmpty)
        let text = NetworkMetrics.text(try stalledView(configured: [S.key("bp.delta")]))
        let written = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        #expect(used.subtracting(written).isEmpty, "used but never written: \(used.subtracting(written))")
    }

    @Test("the metrics file is replaced atomically: a reader of the old file keeps the old bytes, no temporary is left")
    func atomicFile() throws {
        let dir = TemporaryPaths.name("finality-metrics")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/finality.prom"
        try MetricsFile.write("old 1\n", to: path)
        let reader = try #require(FileHandle(forReadingAtPath: path))
        defer { try? reader.close() }
        try MetricsFile.write("new 2\n", to: path)
        #expect(String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) == "old 1\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new 2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["finality.prom"])
        #expect(MetricsFile.temporaryName(for: path).hasPrefix(dir + "/.finality.prom.tmp-"))
        #expect {
            try MetricsFile.write("x", to: dir + "/missing/finality.prom")
        } throws: { ($0 as? EngineError)?.status == .io }
    }
}
