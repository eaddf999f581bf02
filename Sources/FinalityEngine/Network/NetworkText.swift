import FinalityFormat

/// `finality network`'s text and JSON. Every value from a node was sanitized when the view
/// was built (NetworkView); the CLI prints these lines through `Output.lines`, which makes
/// each one a line of its own whatever it holds.
public enum NetworkText {
    /// The whole report, one refresh.
    public static func lines(_ v: NetworkView, sort: NetworkSort = .policy) -> [String] {
        var out = [String]()
        out.reserveCapacity((v.active?.finalizers.count ?? 0) + (v.pending?.finalizers.count ?? 0) + 24)
        let head = "head \(grouped(v.headBlockNumber))" + (v.headTime.map { " (\(clock($0)))" } ?? "")
        out.append("chain \(v.chainID.hex.prefix(16))… · \(head) · LIB \(grouped(v.lib.number)) (\(clock(v.lib.timestamp)), \(grouped(v.libLagBlocks)) blocks behind head)")
        out.append(v.verdict.sentence)
        for n in v.nodes {
            var s = "  node API \(n.url): head \(n.headBlockNumber.map { grouped($0) } ?? "?"), LIB \(grouped(n.lib.number))"
            if let sv = n.serverVersion { s += ", \(sv)" }
            s += ", \(n.elapsedMilliseconds) ms"
            out.append(s)
        }
        for u in v.unanswered { out.append("  node API \(u.url): NOT ANSWERING: \(u.reason)") }
        if !v.disagreements.isEmpty {
            out.append("the node APIs disagree:")
            for d in v.disagreements { out.append("  \(d)") }
        }
        for p in [v.active, v.pending].compactMap({ $0 }) {
            out.append("")
            out.append(policyLine(p))
            out.append(totalsLine(p, options: v.options))
            out.append(header)
            var clocks = [UInt32: String]()  // most rows share a few vote times
            for f in NetworkView.sorted(p.finalizers, by: sort) { out.append(row(f, clocks: &clocks)) }
        }
        if v.active == nil { out.append("no active finalizer policy in the node's answer") }
        out.append("")
        out.append(
            "status: voting = last vote within \(v.options.behindBlocks) blocks of head; behind = an older last vote; not seen = no tracked vote. LIB stalled = more than \(v.options.stallBlocks) slots behind head.")
        if !v.configuredKeysKnown {
            out.append("this node's keys: not known (no config.ini found; --config-dir DIR)")
        } else {
            let mine = (v.active?.finalizers ?? []).filter(\.isThisNode)
            out.append("this node's keys in the active policy: \(mine.count)" + (mine.isEmpty ? "" : " (" + mine.map { "\(name($0)): \($0.status.rawValue)" }.joined(separator: ", ") + ")"))
            for k in v.configuredKeysOutsidePolicy { out.append("  configured key in no policy: \(String(k.prefix(40)))…") }
        }
        return out
    }

    public static func policyLine(_ p: NetworkPolicy) -> String {
        "\(p.role.rawValue) policy: generation \(p.generation.map(String.init) ?? "?"), threshold \(grouped(p.totals.threshold)), \(grouped(p.totals.finalizerCount)) finalizers, total weight \(grouped(p.totals.totalWeight))"
    }

    public static func totalsLine(_ p: NetworkPolicy, options: NetworkOptions) -> String {
        let t = p.totals
        return "  voting in the last \(options.behindBlocks) blocks: strong \(grouped(t.strongWeight)), weak \(grouped(t.weakWeight)) of weight \(grouped(t.totalWeight)) (\(grouped(t.votingCount)) of \(grouped(t.finalizerCount)) finalizers); threshold \(grouped(t.threshold)): "
            + (t.strongQuorum ? "strong QC" : t.weakQuorum ? "weak QC only: \(grouped(t.missingStrongWeight)) more weight must vote strong" : "no QC: \(grouped(t.missingStrongWeight)) more weight must vote")
    }

    static let header = "  STATUS     WEIGHT  LAST VOTE                              KEY                     DESCRIPTION"

    public static func row(_ f: NetworkFinalizer) -> String {
        var clocks = [UInt32: String]()
        return row(f, clocks: &clocks)
    }

    static func row(_ f: NetworkFinalizer, clocks: inout [UInt32: String]) -> String {
        func memo(_ t: BlockTimestamp) -> String {
            if let c = clocks[t.slot] { return c }
            let c = clock(t)
            clocks[t.slot] = c
            return c
        }
        let vote = f.lastVote.map { "\(grouped($0.blockNumber)) \($0.isStrong ? "strong" : "weak") \(memo($0.time)) (\($0.blocksBehindHead == 0 ? "at head" : "\(grouped($0.blocksBehindHead)) behind"))" } ?? "—"
        var s = "  " + pad(f.status.rawValue, 9) + " " + pad(grouped(f.weight), 6, right: true) + "  " + pad(vote, 37) + "  "
            + pad(shortKey(f.keyText), 22) + "  " + (f.description.isEmpty ? "(no description)" : f.description)
        if f.isThisNode { s += "  ← this node" }
        if let d = f.disagreement { s += "  [APIs disagree: \(d)]" }
        return s
    }

    static func name(_ f: NetworkFinalizer) -> String { f.description.isEmpty ? shortKey(f.keyText) : f.description }

    static func shortKey(_ k: String) -> String { k.count > 21 ? String(k.prefix(20)) + "…" : k }

    static func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
        let n = s.count
        guard n < w else { return s }
        let fill = String(repeating: " ", count: w - n)
        return right ? fill + s : s + fill
    }

    /// `09:03:14.5` (UTC).
    public static func clock(_ t: BlockTimestamp) -> String {
        let iso = t.iso8601
        return String(iso.dropFirst(11).prefix(10))
    }

    // MARK: - JSON

    public static func json(_ v: NetworkView, sort: NetworkSort = .policy) -> JSON {
        func vote(_ l: NetworkVote?) -> JSON {
            guard let l else { return .null }
            return .object([
                ("block_num", .uint(UInt64(l.blockNumber))), ("block_id", .string(l.blockID.hex)), ("time", .string(l.time.iso8601)),
                ("strong", .bool(l.isStrong)), ("blocks_behind_head", .uint(UInt64(l.blocksBehindHead))), ("api", .string(l.url)),
            ])
        }
        func policy(_ p: NetworkPolicy?) -> JSON {
            guard let p else { return .null }
            let t = p.totals
            return .object([
                ("generation", p.generation.map { .uint(UInt64($0)) } ?? .null), ("threshold", .uint(t.threshold)),
                ("finalizer_count", .int(Int64(t.finalizerCount))), ("total_weight", .uint(t.totalWeight)),
                ("strong_weight", .uint(t.strongWeight)), ("weak_weight", .uint(t.weakWeight)),
                ("voting_count", .int(Int64(t.votingCount))), ("missing_strong_weight", .uint(t.missingStrongWeight)),
                ("strong_quorum", .bool(t.strongQuorum)), ("weak_quorum", .bool(t.weakQuorum)),
                ("finalizers", .array(NetworkView.sorted(p.finalizers, by: sort).map { f in
                    .object([
                        ("index", .int(Int64(f.index))), ("description", .string(f.description)), ("weight", .uint(f.weight)),
                        ("public_key", .string(f.keyText)), ("this_node", .bool(f.isThisNode)),
                        ("status", .string(NetworkMetrics.label(f.status))), ("last_vote", vote(f.lastVote)),
                        ("disagreement", f.disagreement.map { .string($0) } ?? .null),
                    ])
                })),
            ])
        }
        return .object([
            ("time", .string(BlockTimestamp.isoMilliseconds(v.unixMilliseconds))),
            ("chain_id", .string(v.chainID.hex)),
            ("head_block_num", .uint(UInt64(v.headBlockNumber))),
            ("head_block_time", v.headTime.map { .string($0.iso8601) } ?? .null),
            ("lib_block_num", .uint(UInt64(v.lib.number))), ("lib_block_id", .string(v.lib.blockID.hex)),
            ("lib_block_time", .string(v.lib.timestamp.iso8601)),
            ("verdict", .object([
                ("kind", .string(v.verdict.kind.rawValue)), ("sentence", .string(v.verdict.sentence)),
                ("stalled_since", v.verdict.stalledSince.map { .string($0.iso8601) } ?? .null),
            ])),
            ("options", .object([("behind_blocks", .uint(UInt64(v.options.behindBlocks))), ("stall_blocks", .uint(UInt64(v.options.stallBlocks)))])),
            ("nodes", .array(v.nodes.map { n in
                .object([
                    ("api", .string(n.url)), ("head_block_num", n.headBlockNumber.map { .uint(UInt64($0)) } ?? .null),
                    ("lib_block_num", .uint(UInt64(n.lib.number))), ("server_version", n.serverVersion.map { .string($0) } ?? .null),
                    ("elapsed_ms", .int(Int64(n.elapsedMilliseconds))),
                ])
            })),
            ("unanswered", .array(v.unanswered.map { .object([("api", .string($0.url)), ("reason", .string($0.reason))]) })),
            ("disagreements", .array(v.disagreements.map { .string($0) })),
            ("active_policy", policy(v.active)), ("pending_policy", policy(v.pending)),
            ("configured_keys_known", .bool(v.configuredKeysKnown)),
            ("configured_keys_outside_policy", .array(v.configuredKeysOutsidePolicy.map { .string($0) })),
        ])
    }
}

extension BlockTimestamp {
    /// Unix milliseconds as ISO-8601 UTC (`2026-11-30T09:03:14.250Z`); any millisecond.
    static func isoMilliseconds(_ ms: Int64) -> String {
        let slot = ms - ms % 500
        guard let t = BlockTimestamp(unixMilliseconds: slot) else { return String(ms) }
        let iso = t.iso8601
        let m = ms % 1000
        return String(iso.prefix(20)) + String(String(m + 1000).dropFirst()) + "Z"
    }
}
