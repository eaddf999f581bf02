import FinalityFormat

/// The Prometheus text exposition format (version 0.0.4), as node_exporter's textfile
/// collector reads it: each family's `# HELP` and `# TYPE` once, then all its samples
/// together; no timestamps (the collector refuses them). Label values are escaped as the
/// format says (backslash, double quote, line feed); they are sanitized first
/// (DisplayText: no control character, cut when long), so a hostile description gives a
/// valid file of bounded size.
public struct PrometheusText: Sendable {
    public private(set) var text = ""
    private var families = Set<String>()

    public init() {}

    /// Starts a gauge family. A family is written once: a second call with the same name is a
    /// programming error (the format forbids a family in two places).
    public mutating func gauge(_ name: String, _ help: String) {
        precondition(!families.contains(name), "metric family \(name) written twice")
        families.insert(name)
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) gauge\n"
    }

    /// One sample of the family last started.
    public mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Int64) {
        sample(name, Array(labels.map { ($0.key, $0.value) }), String(value))
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int64) {
        sample(name, labels, String(value))
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], seconds milliseconds: Int64) {
        sample(name, labels, Self.seconds(milliseconds))
    }

    /// Labels escaped once (`labels(_:)`), for the many families of one finalizer.
    public struct Labels: Sendable {
        var text: String
    }

    public static func labels(_ pairs: [(String, String)]) -> Labels {
        Labels(text: pairs.map { k, v in k + "=\"" + escapeLabel(v) + "\"" }.joined(separator: ","))
    }

    public mutating func sample(_ name: String, _ labels: Labels, _ value: Int64, extra: String = "") {
        text += name + "{" + labels.text + extra + "} " + String(value) + "\n"
    }

    public mutating func sample(_ name: String, _ labels: Labels, seconds milliseconds: Int64) {
        text += name + "{" + labels.text + "} " + Self.seconds(milliseconds) + "\n"
    }

    /// Milliseconds as seconds: `50.5`, `1796029444`, `-0.25`.
    static func seconds(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let m = milliseconds.magnitude
        let frac = m % 1000
        var fraction = frac == 0 ? "" : "." + String(String(frac + 1000).dropFirst())
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + String(m / 1000) + fraction
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (i, (k, v)) in labels.enumerated() {
                if i > 0 { text += "," }
                text += k + "=\"" + Self.escapeLabel(v) + "\""
            }
            text += "}"
        }
        text += " " + value + "\n"
    }

    /// A label value: sanitized (no controls, at most `limit` characters: a key text, 150, is whole), then `\` → `\\`,
    /// `"` → `\"`, line feed → `\n`.
    public static func escapeLabel(_ s: String, limit: Int = 256) -> String {
        let clean = NetworkView.clean(s, limit: limit)
        guard clean.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return clean }
        var out = ""
        for c in clean.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// HELP text: `\` → `\\`, line feed → `\n`.
    static func escapeHelp(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// The metrics of `finality network --prometheus` and the network part of
/// `finality watch --prometheus` (Docs/network.md lists them).
public enum NetworkMetrics {
    /// The label value of a status.
    public static func label(_ s: FinalizerStatus) -> String {
        switch s {
        case .voting: "voting"
        case .behind: "behind"
        case .notSeen: "not_seen"
        }
    }

    public static func text(_ v: NetworkView) -> String {
        var p = PrometheusText()
        write(v, into: &p)
        return p.text
    }

    public static func write(_ v: NetworkView, into p: inout PrometheusText) {
        let now = v.unixMilliseconds
        p.gauge("finality_sample_time_seconds", "When finality took these answers (Unix time).")
        p.sample("finality_sample_time_seconds", [], seconds: now)

        p.gauge("finality_api_up", "1 when the node API answered get_info and get_finalizer_info this refresh, else 0.")
        for n in v.nodes { p.sample("finality_api_up", ["api": n.url], 1) }
        for u in v.unanswered { p.sample("finality_api_up", ["api": u.url], 0) }

        p.gauge("finality_head_block_number", "The node's head block number.")
        for n in v.nodes { if let h = n.headBlockNumber { p.sample("finality_head_block_number", ["api": n.url], Int64(h)) } }
        p.gauge("finality_head_block_time_seconds", "The node's head block time (Unix time).")
        for n in v.nodes {
            if let t = n.headTime { p.sample("finality_head_block_time_seconds", [("api", n.url)], seconds: t.unixMilliseconds) }
        }
        p.gauge("finality_lib_block_number", "The node's last irreversible block number.")
        for n in v.nodes { p.sample("finality_lib_block_number", ["api": n.url], Int64(n.lib.number)) }
        p.gauge("finality_lib_block_time_seconds", "The node's last irreversible block time (Unix time).")
        for n in v.nodes { p.sample("finality_lib_block_time_seconds", [("api", n.url)], seconds: n.lib.timestamp.unixMilliseconds) }
        p.gauge("finality_lib_age_seconds", "Seconds from the LIB block's time to when finality took the answer.")
        for n in v.nodes { p.sample("finality_lib_age_seconds", [("api", n.url)], seconds: now - n.lib.timestamp.unixMilliseconds) }
        p.gauge("finality_lib_lag_seconds", "Seconds from the LIB block's time to the head block's time (grows while LIB is stalled and blocks are produced).")
        for n in v.nodes {
            if let t = n.headTime {
                p.sample("finality_lib_lag_seconds", [("api", n.url)], seconds: max(0, t.unixMilliseconds - n.lib.timestamp.unixMilliseconds))
            }
        }
        p.gauge("finality_lib_lag_blocks", "Head block number minus LIB block number.")
        for n in v.nodes {
            if let h = n.headBlockNumber { p.sample("finality_lib_lag_blocks", ["api": n.url], Int64(h) - Int64(n.lib.number)) }
        }
        p.gauge("finality_lib_stalled", "1 when LIB trails head by more than --stall-blocks slots (the verdict), else 0.")
        p.sample("finality_lib_stalled", [], v.libStalled ? 1 : 0)

        let policies = [v.active, v.pending].compactMap { $0 }
        p.gauge("finality_policy_generation", "The finalizer policy's generation.")
        for q in policies { if let g = q.generation { p.sample("finality_policy_generation", ["policy": q.role.rawValue], Int64(g)) } }
        p.gauge("finality_policy_threshold_weight", "The weight a QC needs (the policy's threshold).")
        for q in policies { p.sample("finality_policy_threshold_weight", ["policy": q.role.rawValue], Int64(clamping: q.totals.threshold)) }
        p.gauge("finality_policy_weight", "The total weight of the policy's finalizers.")
        for q in policies { p.sample("finality_policy_weight", ["policy": q.role.rawValue], Int64(clamping: q.totals.totalWeight)) }
        p.gauge("finality_policy_finalizers", "The number of finalizers in the policy.")
        for q in policies { p.sample("finality_policy_finalizers", ["policy": q.role.rawValue], Int64(q.totals.finalizerCount)) }
        p.gauge("finality_voting_weight", "Weight of the finalizers voting (last vote within --behind-blocks of head), by the kind of their last vote.")
        for q in policies {
            p.sample("finality_voting_weight", ["policy": q.role.rawValue, "vote": "strong"], Int64(clamping: q.totals.strongWeight))
            p.sample("finality_voting_weight", ["policy": q.role.rawValue, "vote": "weak"], Int64(clamping: q.totals.weakWeight))
        }
        p.gauge("finality_voting_finalizers", "The number of finalizers voting (last vote within --behind-blocks of head).")
        for q in policies { p.sample("finality_voting_finalizers", ["policy": q.role.rawValue], Int64(q.totals.votingCount)) }

        // Each finalizer's labels escaped once for its nine families.
        var escaped = [[PrometheusText.Labels]]()
        for q in policies {
            escaped.append(q.finalizers.map { f in PrometheusText.labels([("policy", q.role.rawValue), ("key", f.keyText), ("description", f.description)]) })
        }
        func labels(_ q: NetworkPolicy, _ f: NetworkFinalizer) -> PrometheusText.Labels {
            escaped[q.role == policies[0].role ? 0 : 1][f.index]
        }
        p.gauge("finality_finalizer_weight", "The finalizer's weight in the policy.")
        for q in policies { for f in q.finalizers { p.sample("finality_finalizer_weight", labels(q, f), Int64(clamping: f.weight)) } }
        p.gauge("finality_finalizer_status", "1 for the finalizer's status (voting, behind, not_seen), 0 for the others.")
        for q in policies {
            for f in q.finalizers {
                for s in FinalizerStatus.allCases {
                    p.sample("finality_finalizer_status", labels(q, f), f.status == s ? 1 : 0, extra: ",status=\"\(label(s))\"")
                }
            }
        }
        p.gauge("finality_finalizer_this_node", "1 when the node's config.ini has this finalizer's key, else 0.")
        for q in policies { for f in q.finalizers { p.sample("finality_finalizer_this_node", labels(q, f), f.isThisNode ? 1 : 0) } }
        p.gauge("finality_finalizer_last_vote_block_number", "The block of the finalizer's last tracked vote (absent: never seen).")
        for q in policies {
            for f in q.finalizers {
                if let l = f.lastVote { p.sample("finality_finalizer_last_vote_block_number", labels(q, f), Int64(l.blockNumber)) }
            }
        }
        p.gauge("finality_finalizer_last_vote_age_seconds", "Seconds from the finalizer's last tracked vote's block time to when finality took the answer.")
        for q in policies {
            for f in q.finalizers {
                if let l = f.lastVote { p.sample("finality_finalizer_last_vote_age_seconds", labels(q, f), seconds: now - l.time.unixMilliseconds) }
            }
        }
        p.gauge("finality_finalizer_last_vote_blocks_behind", "Head block number minus the block of the finalizer's last tracked vote.")
        for q in policies {
            for f in q.finalizers {
                if let l = f.lastVote { p.sample("finality_finalizer_last_vote_blocks_behind", labels(q, f), Int64(l.blocksBehindHead)) }
            }
        }
        p.gauge("finality_finalizer_last_vote_strong", "1 when the finalizer's last tracked vote is strong, 0 when weak.")
        for q in policies {
            for f in q.finalizers {
                if let l = f.lastVote { p.sample("finality_finalizer_last_vote_strong", labels(q, f), l.isStrong ? 1 : 0) }
            }
        }
    }
}

/// `finality watch --prometheus`: the network's metrics from the nodes still on the chain
/// (the same writer as `finality network`), then the file's own keys: each entry's last vote
/// and lock as the file holds them, and the newest vote the network tracked for the key.
public enum WatchMetrics {
    public static func text(_ s: WatchState, options: NetworkOptions = .init(), configuredKeys: [BLSPublicKey]? = nil) -> String {
        var p = PrometheusText()
        let answers = s.nodes.compactMap { n -> NetworkAnswer? in
            guard n.trusted, n.lastAnswer == s.now, let info = n.info, let f = n.finalizers else { return nil }
            return NetworkAnswer(url: n.url, info: info, finalizers: f)
        }
        let unanswered = s.nodes.filter { n in !answers.contains { $0.url == n.url } }.map { n in
            NetworkUnanswered(url: n.url, reason: n.offChain?.text ?? n.error ?? n.finalizersError ?? "no answer")
        }
        if let view = try? NetworkView.build(
            answers, configuredKeys: configuredKeys, options: options, unixMilliseconds: s.now, unanswered: unanswered)
        {
            NetworkMetrics.write(view, into: &p)
        } else {
            p.gauge("finality_sample_time_seconds", "When finality took these answers (Unix time).")
            p.sample("finality_sample_time_seconds", [], seconds: s.now)
            p.gauge("finality_api_up", "1 when the node API answered get_info and get_finalizer_info this refresh, else 0.")
            for u in unanswered { p.sample("finality_api_up", ["api": u.url], 0) }
        }
        var readable = false
        if case .read = s.file { readable = true }
        p.gauge("finality_file_readable", "1 when the safety file read cleanly this refresh, else 0.")
        p.sample("finality_file_readable", [], readable ? 1 : 0)

        let savanna = s.keys.compactMap { k -> (String, SavannaSafety)? in
            guard let e = k.entry, case .savanna(let v) = e.state else { return nil }
            return (k.key.text, v)
        }
        p.gauge("finality_file_last_vote_block_number", "The block of the safety file's last vote for the key.")
        for (k, v) in savanna { p.sample("finality_file_last_vote_block_number", ["key": k], Int64(v.lastVote.blockID.blockNumber)) }
        p.gauge("finality_file_last_vote_time_seconds", "The block time of the safety file's last vote for the key (Unix time).")
        for (k, v) in savanna { p.sample("finality_file_last_vote_time_seconds", [("key", k)], seconds: v.lastVote.timestamp.unixMilliseconds) }
        p.gauge("finality_file_lock_block_number", "The block of the safety file's lock for the key.")
        for (k, v) in savanna { p.sample("finality_file_lock_block_number", ["key": k], Int64(v.lock.blockID.blockNumber)) }
        p.gauge("finality_file_lock_time_seconds", "The block time of the safety file's lock for the key (Unix time).")
        for (k, v) in savanna { p.sample("finality_file_lock_time_seconds", [("key", k)], seconds: v.lock.timestamp.unixMilliseconds) }
        p.gauge("finality_key_network_last_vote_block_number", "The block of the newest vote any node API tracked for the file's key.")
        for k in s.keys {
            if let n = k.newest { p.sample("finality_key_network_last_vote_block_number", ["key": k.key.text], Int64(n.vote.blockNumber)) }
        }
        p.gauge("finality_key_network_last_vote_age_seconds", "Seconds from the block time of the newest tracked vote for the file's key to the refresh.")
        for k in s.keys {
            if let n = k.newest {
                p.sample("finality_key_network_last_vote_age_seconds", [("key", k.key.text)], seconds: s.now - n.vote.timestamp.unixMilliseconds)
            }
        }
        return p.text
    }
}
