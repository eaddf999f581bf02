import ArgumentParser
import FinalityEngine
import FinalityFormat

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the entries of a safety file, with nodeos's verdict.",
        discussion: "Exit 0 when nodeos would load the file, 1 when it would refuse it (the entries are still listed when they can be read).\n\n"
            + FlagLegend.legendText.joined(separator: "\n"))

    @Argument(help: "A safety file, or a data dir (finalizers/safety.dat inside).")
    var path: String

    @Flag(help: "Print JSON (documented in the README).")
    var json = false

    @OptionGroup var network: NetworkOptions

    @OptionGroup var config: ConfigDirOption

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            // Verdict first (decode speed and on-curve checks); subgroup warnings at the end.
            let inspection = try Inspection.open(path, subgroup: false)
            let v = inspection.verification
            let file = try inspection.file()
            let duplicateOf = inspection.duplicateOf
            let (info, networkError) = Inspection.network(network.apiURL, timeout: network.apiTimeout)
            // The node's configured keys (recovery's NodeKeys.swift): inactive entries, keys without one.
            let nodeKeys = config.keys(for: inspection.loaded.location)
            let coverage = KeyCoverage(file: file, keys: nodeKeys)
            let lib = DefaultLIB.reference(for: inspection.loaded.location, api: network.apiURL, timeout: network.apiTimeout)
            var out = Output()
            if json {
                // Streamed entry by entry: a million entries never become one string.
                var head = ""
                JSON.object(inspection.jsonHeader + [
                    ("errors", .array(v.errors.map(JSONModel.finding))),
                    ("warnings", .array(v.warnings.map(JSONModel.finding))),
                    ("node_keys", nodeKeys.json),
                    ("inactive_entries", .array(coverage.inactiveEntries.map { .int(Int64($0)) })),
                    ("configured_keys_without_entry", .array(coverage.missing.map { .string($0.text) })),
                ]).write(to: &head, pretty: true, indent: 0)
                head.removeLast(2)  // reopen the object: drop "\n}"
                out.write(SafeText(lines: head + ",\n  \"entries\": ["))
                if info == nil {
                    // The fast path (issue 7): each entry's bytes written straight into one
                    // buffer, flushed in large writes; the same bytes as `jsonEntry`.
                    out.flush()
                    inspection.writeJSONEntries(file, lib: lib, keys: nodeKeys)
                } else {
                    let future = inspection.futureVoteEntries
                    for (i, e) in file.entries.enumerated() {
                        var s = i == 0 ? "\n    " : ",\n    "
                        inspection.jsonEntry(i, e, network: info, lib: lib, keys: nodeKeys, future: future).write(to: &s, pretty: false, indent: 2)
                        out.write(SafeText(lines: s))
                    }
                }
                // Subgroup warnings (never part of the verdict: spring does not check the
                // subgroup) come after the entries, so the listing never waits for them.
                out.write((file.entries.isEmpty ? "]" : "\n  ]") + ",\n  \"subgroup_warnings\": ")
                out.flush()
                var tail = ""
                JSON.array(inspection.subgroupWarnings().map(JSONModel.finding)).write(to: &tail, pretty: true, indent: 1)
                out.line(SafeText(lines: tail) + "\n}")
            } else {
                out.line(inspection.summaryLine)
                out.line(SafeText(v.verdictLine))
                for line in inspection.findingLines() { out.line(line) }
                out.line()
                if let damage = inspection.damageLine { out.line(damage) }
                let future = inspection.futureVoteEntries
                let verdicts = file.entries.enumerated().map { i, e in
                    Inspection.verdict(i, e, nodeosLoads: v.nodeosLoads, lib: lib, keys: nodeKeys, future: future)
                }
                if let n = VoteRules.notVotingSentence(VoteRules.notVotingCount(verdicts)) {
                    let which = verdicts.indices.filter { verdicts[$0].willNotVote }.prefix(8).map { "#\($0) (\(verdicts[$0].text))" }
                    out.line(SafeText(n + ": " + which.joined(separator: ", ") + (VoteRules.notVotingCount(verdicts) > 8 ? ", …" : "")))
                    out.line()
                }
                out.lines(EntryTable.lines(file, duplicateOf: duplicateOf, network: info, verification: v, lib: lib, keys: nodeKeys, future: future))
                out.line()
                out.lines(nodeKeys.lines + coverage.lines(nodeosLoads: v.nodeosLoads))
                out.flush()
                let late = inspection.subgroupWarnings()
                if !late.isEmpty { out.line() }
                for w in late { out.line("warning: \(inspection.shownPath): \(w)") }
            }
            out.flush()
            if let networkError { throw networkError }
            return v.nodeosLoads ? .success : .invalidOrRefused
        }
    }
}

/// The plain-text table of `list`: both vocabularies in the headers.
enum EntryTable {
    /// `verification`: when given, an entry with an error of its own is marked `!` beside its number.
    /// `keys`: the node's configured keys (NodeKeys): when found, the assessment marks
    /// entries of other keys `inactive` (certain) instead of guessing from time (`inactive?`).
    /// VERDICT comes first after the number: what nodeos will do with the entry today
    /// (`VoteRules.verdict`, the same as the Entries screen's first column and `--json`'s
    /// `verdict`); `finality list --help` has the legend.
    static func lines(
        _ file: SafetyFile, duplicateOf: [Int: Int], network: FinalizerInfo? = nil, verification: Verification? = nil, lib: LIB? = nil,
        keys: NodeKeys? = nil, future: Set<Int> = []
    ) -> [String] {
        let hot = file.format == .hotStuff
        var rows = [[
            "#", "VERDICT", "KEY",
            hot ? "_VHEIGHT (LAST VOTE)" : "LAST VOTE (_VHEIGHT)",
            hot ? "_B_LOCK (LOCK)" : "LOCK (_B_LOCK)",
            "FLAGS",
        ] + (network == nil ? [] : ["NETWORK'S LAST VOTE"])]
        let withErrors = verification?.entriesWithErrors ?? []
        for (i, e) in file.entries.enumerated() {
            let lastVote: String
            let lock: String
            switch e.state {
            case .savanna(let s):
                lastVote = s.lastVote.isEmpty ? "never voted" : "#\(grouped(s.lastVote.blockNumber)) \(s.lastVote.timestamp.iso8601)"
                lock = s.lock.isEmpty ? "none" : "#\(grouped(s.lock.blockNumber)) \(s.lock.timestamp.iso8601)"
            case .hotStuff(let h):
                lastVote = "\(grouped(h.vheight.bheight))/\(h.vheight.pcounter)"
                lock = h.bLock.isZero ? "none" : String(h.bLock.hex.prefix(16)) + "…"
            }
            let bad = withErrors.contains(i)
            let verdict = Inspection.verdict(i, e, nodeosLoads: verification?.nodeosLoads ?? true, lib: lib, keys: keys, future: future)
            rows.append([
                "\(i)\(bad ? "!" : "")", verdict.text, e.key.shortText(24), lastVote, lock,
                JSONModel.assessment(e, duplicateOf: duplicateOf[i], network: network, lib: lib, keys: keys).map(\.short).joined(separator: ","),
            ] + (network.map { [Inspection.networkVote($0, e.key)] } ?? []))
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
