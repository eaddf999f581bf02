import FinalityFormat

/// Several LIB readings side by side. Never merges them: it says, for each pair, whether
/// they are the same block, and if not how they differ.
public struct LIBComparison: Hashable, Sendable {
    public enum Verdict: String, Hashable, Sendable {
        /// One reading: nothing to compare.
        case single
        /// Every reading names the same block at the same time, on the same chain.
        case agree
        /// At least two readings differ: the operator must choose, and say why.
        case disagree
    }

    /// How reading `first` relates to reading `second`.
    public enum Relation: Hashable, Sendable {
        case same
        /// Same id, different timestamps: one of them is wrong (often a typed time).
        case sameIDDifferentTime(milliseconds: Int64)
        /// Same number, different ids: different forks, or different chains.
        case differentBlocks(number: UInt32)
        /// Different numbers: `behind` (an index into the readings) lags `ahead`.
        case lags(behind: Int, ahead: Int, blocks: UInt32, milliseconds: Int64)

        /// Stable name (`--json`).
        public var name: String {
            switch self {
            case .same: "same"
            case .sameIDDifferentTime: "same-id-different-time"
            case .differentBlocks: "same-number-different-id"
            case .lags: "different-numbers"
            }
        }
    }

    public struct Pair: Hashable, Sendable {
        public var first: Int
        public var second: Int
        public var relation: Relation
        /// Both sources named their chain, and the chains differ.
        public var chainIDsDiffer: Bool
        /// What it means, in a sentence that names both sources.
        public var summary: String

        public var agrees: Bool { relation == .same && !chainIDsDiffer }
    }

    public var readings: [LIBReading]
    public var pairs: [Pair]

    public init(_ readings: [LIBReading]) {
        self.readings = readings
        var pairs = [Pair]()
        for i in readings.indices {
            for j in readings.indices where j > i {
                pairs.append(Self.compare(readings, i, j))
            }
        }
        self.pairs = pairs
    }

    public var verdict: Verdict {
        if readings.count <= 1 { return .single }
        return pairs.allSatisfy(\.agrees) ? .agree : .disagree
    }

    /// One line per pair that differs; one line when all agree.
    public var summary: [String] {
        switch verdict {
        case .single: return readings.isEmpty ? ["no LIB source"] : ["one source: nothing to compare"]
        case .agree: return ["all \(readings.count) sources agree: block \(readings[0].lib.number) (\(readings[0].lib.blockID.hex)) at \(readings[0].lib.timestamp.iso8601)"]
        case .disagree: return pairs.filter { !$0.agrees }.map(\.summary)
        }
    }

    static func name(_ r: LIBReading) -> String { r.source.description }

    static func duration(_ ms: Int64) -> String {
        let s = Double(ms) / 1000
        if ms % 1000 == 0 && ms < 120_000 { return "\(ms / 1000) s" }
        if ms < 120_000 { return "\(s) s" }
        let minutes = ms / 60_000
        if minutes < 120 { return "\(minutes) min \((ms % 60_000) / 1000) s" }
        let hours = minutes / 60
        if hours < 48 { return "\(hours) h \(minutes % 60) min" }
        return "\(hours / 24) days \(hours % 24) h"
    }

    static func compare(_ readings: [LIBReading], _ i: Int, _ j: Int) -> Pair {
        let a = readings[i], b = readings[j]
        var chainsDiffer = false
        var chainNote = ""
        if let ca = a.chainID, let cb = b.chainID, ca != cb {
            chainsDiffer = true
            chainNote = "chain ids differ (\(ca.hex) vs \(cb.hex)): these sources are on DIFFERENT CHAINS. "
        }
        let sameChainKnown = a.chainID != nil && a.chainID == b.chainID
        let relation: Relation
        var summary: String
        if a.lib.blockID == b.lib.blockID {
            if a.lib.timestamp == b.lib.timestamp {
                relation = .same
                summary = "\(name(a)) and \(name(b)) agree: block \(a.lib.number)"
            } else {
                let ms = (Int64(b.lib.timestamp.slot) - Int64(a.lib.timestamp.slot)) * BlockTimestamp.millisecondsPerSlot
                relation = .sameIDDifferentTime(milliseconds: ms)
                summary =
                    "\(name(a)) and \(name(b)) name the same block \(a.lib.number) but different times (\(a.lib.timestamp.iso8601) vs \(b.lib.timestamp.iso8601)): one time is wrong"
            }
        } else if a.lib.number == b.lib.number {
            relation = .differentBlocks(number: a.lib.number)
            let what =
                chainsDiffer ? "different chains" : sameChainKnown ? "different forks of the same chain" : "different forks or different chains"
            summary =
                "\(name(a)) and \(name(b)) both say block \(a.lib.number) but with different ids (\(a.lib.blockID.hex) vs \(b.lib.blockID.hex)): \(what)"
        } else {
            let (behind, ahead) = a.lib.number < b.lib.number ? (i, j) : (j, i)
            let rb = readings[behind], ra = readings[ahead]
            let blocks = ra.lib.number - rb.lib.number
            let ms = (Int64(ra.lib.timestamp.slot) - Int64(rb.lib.timestamp.slot)) * BlockTimestamp.millisecondsPerSlot
            relation = .lags(behind: behind, ahead: ahead, blocks: blocks, milliseconds: ms)
            summary = "\(name(rb)) lags \(name(ra)) by \(blocks) block\(blocks == 1 ? "" : "s")"
            if ms >= 0 {
                summary += " and \(duration(ms)) (block \(rb.lib.number) at \(rb.lib.timestamp.iso8601) vs \(ra.lib.number) at \(ra.lib.timestamp.iso8601))"
            } else {
                summary +=
                    ", yet its block is \(duration(-ms)) LATER (\(rb.lib.timestamp.iso8601) vs \(ra.lib.timestamp.iso8601)): a higher block cannot be older on one chain"
            }
            summary += "; these values alone do not show that one block descends from the other"
        }
        return Pair(first: i, second: j, relation: relation, chainIDsDiffer: chainsDiffer, summary: chainNote + summary)
    }
}

/// The operator's decision among LIB readings, and why: what a plan stores and an audit
/// record shows ("LIB and its source"). `readings` and `chosenIndex` are what a plan's
/// LIB choice holds; this adds the reason and the comparison as it stood.
public struct LIBDecision: Hashable, Sendable {
    /// Every reading, in the order they were read.
    public var readings: [LIBReading]
    /// Index into `readings`.
    public var chosenIndex: Int
    /// The operator's words, or the tool's when nothing had to be chosen.
    public var reason: String
    public var verdict: LIBComparison.Verdict
    /// The comparison's sentences at the time of the decision.
    public var comparison: [String]

    public var chosen: LIBReading { readings[chosenIndex] }
    /// The readings not chosen, shown beside the choice forever after.
    public var alternatives: [LIBReading] { readings.enumerated().filter { $0.offset != chosenIndex }.map(\.element) }

    /// Picks `readings[index]`. When the readings disagree, a reason is required: the
    /// tool never picks silently.
    public static func choose(_ comparison: LIBComparison, index: Int, reason: String?) throws(EngineError) -> LIBDecision {
        guard comparison.readings.indices.contains(index) else {
            throw .usage("no LIB reading number \(index + 1): there are \(comparison.readings.count)")
        }
        try crossCheck(comparison.readings)
        let trimmed = reason?.trimmingWhitespace ?? ""
        let text: String
        switch comparison.verdict {
        case .single: text = trimmed.isEmpty ? oneSource : "\(trimmed) (\(oneSource))"
        case .agree: text = trimmed.isEmpty ? "all \(comparison.readings.count) sources agree" : trimmed
        case .disagree:
            guard !trimmed.isEmpty else {
                throw .refused(
                    "the LIB sources disagree (\(comparison.summary.joined(separator: "; "))): choosing \(comparison.readings[index].source) needs a reason")
            }
            // The same minimum as every other reason, through every door (ReasonRule).
            if let problem = ReasonRule.problem(trimmed, for: "choosing \(comparison.readings[index].source) among LIB sources that disagree") {
                throw .usage(SafeText(problem))
            }
            text = trimmed
        }
        return LIBDecision(
            readings: comparison.readings, chosenIndex: index, reason: text, verdict: comparison.verdict,
            comparison: comparison.summary)
    }

    /// What a plan, its review and its audit record say when LIB came from one source.
    public static let oneSource = "one source, not cross-checked"

    /// The F3-style checks every LIB must pass before a plan uses it, whatever the
    /// operator chooses: its id's number is its block number (the id's first 4 bytes,
    /// big-endian), and every source that names its chain (the blocks.log preamble, each
    /// node API's `chain_id`) names the same one. A failure refuses the plan.
    public static func crossCheck(_ readings: [LIBReading]) throws(EngineError) {
        // The id/number agreement is checked where a source gives both: a node API's
        // `last_irreversible_block_num` against its id (NodeAPI.parseInfo refuses the
        // answer); blocks.log builds the id from the block's number; a typed LIB has only
        // its id. What is left to refuse here is an id that says block 0.
        for r in readings where r.lib.number == 0 {
            throw .refused("\(r.source) gives LIB \(r.lib.blockID.hex), whose first 4 bytes say block 0: not a block id; no plan uses it")
        }
        let named = readings.filter { $0.chainID != nil }
        if let first = named.first, let other = named.first(where: { $0.chainID != first.chainID }) {
            let list = named.map { "\($0.source): chain \($0.chainID!.hex)" }.joined(separator: "; ")
            throw .refused(
                "the LIB sources are on DIFFERENT CHAINS (\(list)): \(first.source) and \(other.source) cannot both describe this node; no plan is made (check which node and which blocks directory belong to this data dir)")
        }
    }

    /// Whether LIB was checked against another source.
    public var crossChecked: Bool { readings.count > 1 }

    /// The only decision there is when all sources agree (or there is one): nil when they
    /// disagree.
    public static func automatic(_ comparison: LIBComparison) -> LIBDecision? {
        guard comparison.verdict != .disagree, !comparison.readings.isEmpty else { return nil }
        return try? choose(comparison, index: 0, reason: nil)
    }

    /// Flat fields for an audit record or a plan, in a fixed order.
    public var fields: [(key: String, value: String)] {
        var out: [(String, String)] = [
            ("lib_block_num", String(chosen.lib.number)),
            ("lib_block_id", chosen.lib.blockID.hex),
            ("lib_timestamp", chosen.lib.timestamp.iso8601),
            ("lib_slot", String(chosen.lib.timestamp.slot)),
            ("lib_source", chosen.source.kind),
            ("lib_source_detail", chosen.source.description),
            ("lib_choice_reason", reason),
            ("lib_sources_verdict", verdict.rawValue),
        ]
        if let c = chosen.chainID { out.append(("lib_chain_id", c.hex)) }
        for (i, alt) in alternatives.enumerated() {
            out.append(("lib_alternative_\(i + 1)", "\(alt.source): block \(alt.lib.number) \(alt.lib.blockID.hex) at \(alt.lib.timestamp.iso8601)"))
        }
        return out
    }

    public var json: JSON { JSONModel.libDecision(self) }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
