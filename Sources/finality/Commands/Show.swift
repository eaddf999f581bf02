import ArgumentParser
import FinalityEngine
import FinalityFormat

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one entry: every field, the full key text and hex ids.",
        discussion: "KEY is the full PUB_BLS_ text or any unique part of it (or of the key's hex); an ambiguous part lists the candidates (exit 2).")

    @Argument(help: "A safety file, or a data dir (finalizers/safety.dat inside).")
    var path: String

    @Argument(help: "The key: PUB_BLS_ text or a unique part of it.")
    var key: String

    @Flag(help: "Print JSON (documented in the README).")
    var json = false

    @OptionGroup var network: NetworkOptions

    @OptionGroup var config: ConfigDirOption

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            // The verdict without subgroup checks (spring does none); the one entry shown
            // gets its own below: a million-entry file is not checked key by key for it.
            let inspection = try Inspection.open(path, subgroup: false)
            let file = try inspection.file()
            let index = try KeyMatch.find(key, in: file)
            let entry = file.entries[index]
            let duplicateOf = inspection.duplicateOf
            let (info, networkError) = Inspection.network(network.apiURL, timeout: network.apiTimeout)
            let lib = DefaultLIB.reference(for: inspection.loaded.location, api: network.apiURL, timeout: network.apiTimeout)
            // The node's configured keys (NodeKeys.swift), as list, the report and the Entries screen.
            let nodeKeys = config.keys(for: inspection.loaded.location)
            let findings = ((inspection.verification.errors + inspection.verification.warnings).filter { $0.entry == index }
                + SafetyFileReader.subgroupWarnings(inspection.verification, entries: [index]))
                .sorted { ($0.severity == .error ? 0 : 1, $0.offset, $0.check.rawValue) < ($1.severity == .error ? 0 : 1, $1.offset, $1.check.rawValue) }
            var out = Output()
            if json {
                var members = inspection.jsonHeader
                members.append(("entry", inspection.jsonEntry(index, entry, network: info, lib: lib, keys: nodeKeys)))
                members.append(("key_hex", .string(Hex.encode(entry.key.bytes))))
                members.append(("findings", .array(findings.map(JSONModel.finding))))
                out.line(JSON.object(members).text(pretty: true))
            } else {
                out.line(inspection.summaryLine)
                out.line(SafeText(inspection.verification.verdictLine))
                if !inspection.verification.nodeosLoads {
                    out.line(
                        "this entry was read from a file \(inspection.verification.loader.subject) refuses"
                            + (inspection.verification.entryReadCleanly(index) ? " (the entry itself read cleanly)" : " (the entry has an error of its own, below)"))
                }
                out.line()
                out.lines(EntryDetail.lines(entry, index: index, format: file.format, duplicateOf: duplicateOf[index], network: info, lib: lib, keys: nodeKeys))
                if let info {
                    out.line("network    \(Inspection.networkVote(info, entry.key)) (last vote tracked by \(network.apiURL ?? ""))")
                    if let v = info.vote(for: entry.key) {
                        out.line("           block_id \(v.blockID.hex) at \(v.timestamp.iso8601)")
                        for p in v.problems { out.line("           ! \(p)") }
                    }
                }
                for f in findings { out.line("\(f.severity.rawValue): \(f)") }
            }
            out.flush()
            if let networkError { throw networkError }
            return inspection.verification.nodeosLoads ? .success : .invalidOrRefused
        }
    }
}

/// Every field of one entry, in both vocabularies.
enum EntryDetail {
    static func lines(_ e: SafetyEntry, index: Int, format: SafetyFormat, duplicateOf: Int?, network: FinalizerInfo? = nil, lib: LIB? = nil, keys: NodeKeys? = nil) -> [String] {
        var out = [
            "entry      \(grouped(index))\(duplicateOf.map { " (duplicate: nodeos uses entry \(grouped($0)))" } ?? "")",
            "key        \(e.key.text)",
            "key hex    \(Hex.encode(e.key.bytes))",
        ]
        if let raw = e.hotStuffKeyBytes { out.append("key on disk \(Hex.encode(raw)) (Jacobian, Montgomery)") }
        /// `label` is padded to the column; `none` says what all zero means for this field.
        func ref(_ label: String, _ r: BlockRef, none: String) -> [String] {
            if r.isEmpty { return ["\(label) all zero (\(none))"] }
            return [
                "\(label) block \(grouped(r.blockNumber)) at \(r.timestamp.iso8601) (slot \(r.timestamp.slot))",
                "           block_id        \(r.blockID.hex)",
                "           finality_digest \(r.finalityDigest.hex)",
            ]
        }
        switch e.state {
        case .savanna(let s):
            out += ref("last_vote ", s.lastVote, none: "never voted")
            out += ref("lock      ", s.lock, none: "no lock: the key cannot vote")
            out.append(
                "other_branch_latest_time  \(s.otherBranchLatestTime.slot == 0 ? "none (0)" : "\(s.otherBranchLatestTime.iso8601) (slot \(s.otherBranchLatestTime.slot))")")
            if let forked = s.votesForkedSinceLatestStrongVote {
                out.append("votes_forked_since_latest_strong_vote  \(forked) (version 0; nodeos converts it to other_branch_latest_time)")
            }
        case .hotStuff(let h):
            out.append("_vheight   bheight \(grouped(h.vheight.bheight)), pcounter \(h.vheight.pcounter)   (last vote)")
            out.append("_b_lock    \(h.bLock.isZero ? "all zero (no lock)" : h.bLock.hex)   (lock: a proposal id, not a block id)")
        }
        // The one assessment: short text here, the sentence under it (as the Entries screen).
        if let keys {
            let answer = switch keys.isConfigured(e.key) { case true?: "yes"; case false?: "no"; case nil: "unknown" }
            out.append("configured \(answer): " + keys.votingSentence(for: e.key))
        }
        for flag in JSONModel.assessment(e, duplicateOf: duplicateOf, network: network, lib: lib, keys: keys) {
            out.append("flag       \(flag.short): \(flag.long)")
        }
        return out
    }
}
