import FinalityFormat

/// A JSON value with ordered keys, so `--json` output is byte-stable.
public indirect enum LIBJSON: Hashable, Sendable {
    case object([(String, LIBJSON)])
    case array([LIBJSON])
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null

    public static func == (a: LIBJSON, b: LIBJSON) -> Bool { a.render() == b.render() }
    public func hash(into h: inout Hasher) { h.combine(render()) }

    /// Two-space indented, one key per line; `pretty: false` gives one line.
    public func render(pretty: Bool = true) -> String {
        var out = ""
        write(&out, indent: 0, pretty: pretty)
        return out
    }

    private func write(_ out: inout String, indent: Int, pretty: Bool) {
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let end = pretty ? String(repeating: "  ", count: indent) : ""
        let nl = pretty ? "\n" : ""
        switch self {
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{" + nl
            for (i, (k, v)) in fields.enumerated() {
                out += pad + Self.quote(k) + (pretty ? ": " : ":")
                v.write(&out, indent: indent + 1, pretty: pretty)
                out += (i + 1 < fields.count ? "," : "") + nl
            }
            out += end + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + nl
            for (i, v) in items.enumerated() {
                out += pad
                v.write(&out, indent: indent + 1, pretty: pretty)
                out += (i + 1 < items.count ? "," : "") + nl
            }
            out += end + "]"
        case .string(let s): out += Self.quote(s)
        case .int(let n): out += String(n)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    // MARK: - The LIB shapes

    /// `{"block_num", "block_id", "timestamp", "slot"}`.
    public static func lib(_ lib: LIB) -> LIBJSON {
        .object([
            ("block_num", .int(Int64(lib.number))),
            ("block_id", .string(lib.blockID.hex)),
            ("timestamp", .string(lib.timestamp.iso8601)),
            ("slot", .int(Int64(lib.timestamp.slot))),
        ])
    }

    /// `{"kind": "blocks-log", "path"}`, `{"kind": "api", "url"}`, `{"kind": "typed"}`.
    public static func source(_ source: LIBSource) -> LIBJSON {
        switch source {
        case .blocksLog(let path): .object([("kind", .string(source.kind)), ("path", .string(path))])
        case .api(let url): .object([("kind", .string(source.kind)), ("url", .string(url))])
        case .typed: .object([("kind", .string(source.kind))])
        }
    }

    public static func reading(_ r: LIBReading) -> LIBJSON {
        .object([
            ("source", source(r.source)),
            ("lib", lib(r.lib)),
            ("chain_id", r.chainID.map { .string($0.hex) } ?? .null),
            ("details", .array(r.details.map { .string($0) })),
            ("warnings", .array(r.warnings.map { .string($0) })),
        ])
    }

    public static func comparison(_ c: LIBComparison) -> LIBJSON {
        .object([
            ("verdict", .string(c.verdict.rawValue)),
            ("summary", .array(c.summary.map { .string($0) })),
            ("pairs", .array(c.pairs.map(pair))),
        ])
    }

    static func pair(_ p: LIBComparison.Pair) -> LIBJSON {
        var fields: [(String, LIBJSON)] = [
            ("first", .int(Int64(p.first))),
            ("second", .int(Int64(p.second))),
            ("relation", .string(p.relation.name)),
            ("chain_ids_differ", .bool(p.chainIDsDiffer)),
        ]
        switch p.relation {
        case .same, .differentBlocks: break
        case .sameIDDifferentTime(let ms): fields.append(("milliseconds_apart", .int(ms)))
        case .lags(let behind, let ahead, let blocks, let ms):
            fields.append(("behind", .int(Int64(behind))))
            fields.append(("ahead", .int(Int64(ahead))))
            fields.append(("blocks_behind", .int(Int64(blocks))))
            fields.append(("milliseconds_behind", .int(ms)))
        }
        fields.append(("summary", .string(p.summary)))
        return .object(fields)
    }

    /// A tracked vote (`get_finalizer_info`), keys as `PUB_BLS_` text.
    public static func vote(_ v: TrackedVote) -> LIBJSON {
        .object([
            ("public_key", .string(v.publicKey?.text ?? v.publicKeyText)),
            ("voted_for_block_num", .int(Int64(v.blockNumber))),
            ("voted_for_block_id", .string(v.blockID.hex)),
            ("voted_for_block_timestamp", .string(v.timestamp.iso8601)),
            ("voted_for_block_slot", .int(Int64(v.timestamp.slot))),
            ("is_vote_strong", .bool(v.isStrong)),
            ("problems", .array(v.problems.map { .string($0) })),
        ])
    }
}
