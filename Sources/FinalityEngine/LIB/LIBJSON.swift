import FinalityFormat

/// The LIB shapes of `--json` (same conventions as the rest: ids hex, keys `PUB_BLS_`
/// text, times `{"slot", "utc"}`).
extension JSONModel {
    /// `{"block_num", "block_id", "timestamp": {"slot", "utc"}}`.
    public static func lib(_ lib: LIB) -> JSON {
        .object([
            ("block_num", .uint(UInt64(lib.number))),
            ("block_id", .string(lib.blockID.hex)),
            ("timestamp", time(lib.timestamp)),
        ])
    }

    /// `{"kind": "blocks-log", "path"}`, `{"kind": "api", "url"}`, `{"kind": "typed"}`.
    public static func libSource(_ source: LIBSource) -> JSON {
        switch source {
        case .blocksLog(let path): .object([("kind", .string(source.kind)), ("path", .string(path))])
        case .api(let url): .object([("kind", .string(source.kind)), ("url", .string(url))])
        case .typed: .object([("kind", .string(source.kind))])
        }
    }

    public static func libReading(_ r: LIBReading) -> JSON {
        .object([
            ("source", libSource(r.source)),
            ("lib", lib(r.lib)),
            ("chain_id", r.chainID.map { .string($0.hex) } ?? .null),
            ("details", .array(r.details.map { .string($0) })),
            ("warnings", .array(r.warnings.map { .string($0) })),
        ])
    }

    public static func libComparison(_ c: LIBComparison) -> JSON {
        .object([
            ("verdict", .string(c.verdict.rawValue)),
            ("summary", .array(c.summary.map { .string($0) })),
            ("pairs", .array(c.pairs.map(libPair))),
        ])
    }

    static func libPair(_ p: LIBComparison.Pair) -> JSON {
        var fields: [(String, JSON)] = [
            ("first", .uint(UInt64(p.first))),
            ("second", .uint(UInt64(p.second))),
            ("relation", .string(p.relation.name)),
            ("chain_ids_differ", .bool(p.chainIDsDiffer)),
        ]
        switch p.relation {
        case .same, .differentBlocks: break
        case .sameIDDifferentTime(let ms): fields.append(("milliseconds_apart", .int(ms)))
        case .lags(let behind, let ahead, let blocks, let ms):
            fields.append(("behind", .uint(UInt64(behind))))
            fields.append(("ahead", .uint(UInt64(ahead))))
            fields.append(("blocks_behind", .uint(UInt64(blocks))))
            fields.append(("milliseconds_behind", .int(ms)))
        }
        fields.append(("summary", .string(p.summary)))
        return .object(fields)
    }

    public static func libDecision(_ c: LIBDecision) -> JSON {
        .object([
            ("chosen_index", .uint(UInt64(c.chosenIndex))),
            ("chosen", libReading(c.chosen)),
            ("reason", .string(c.reason)),
            ("verdict", .string(c.verdict.rawValue)),
            ("comparison", .array(c.comparison.map { .string($0) })),
            ("alternatives", .array(c.alternatives.map(libReading))),
        ])
    }

    /// A tracked vote (`get_finalizer_info`): the network's view of a key's last vote.
    public static func trackedVote(_ v: TrackedVote) -> JSON {
        .object([
            ("public_key", .string(v.publicKey?.text ?? v.publicKeyText)),
            ("voted_for_block_num", .uint(UInt64(v.blockNumber))),
            ("voted_for_block_id", .string(v.blockID.hex)),
            ("voted_for_block_timestamp", time(v.timestamp)),
            ("is_vote_strong", .bool(v.isStrong)),
            ("finalizer_policy_generation", v.policyGeneration.map { .uint(UInt64($0)) } ?? .null),
            ("problems", .array(v.problems.map { .string($0) })),
        ])
    }
}
