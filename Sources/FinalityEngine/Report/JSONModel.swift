import FinalityFormat

/// A JSON value with ordered keys, so `--json` output is stable and diffable.
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool { a.serialized() == b.serialized() }

    /// Compact (one line) or indented with two spaces.
    public func serialized(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    /// The document as text to print: every string in it quoted by `quote`, so its only
    /// controls are its own line breaks (checked again line by line, which costs a scan).
    public func text(pretty: Bool = false) -> SafeText { SafeText(lines: serialized(pretty: pretty)) }

    public func write(to out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                if pretty { JSON.newline(&out, indent + 1) }
                item.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSON.newline(&out, indent) }
            out += "]"
        case .object(let members):
            if members.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (n, (k, v)) in members.enumerated() {
                if n > 0 { out += "," }
                if pretty { JSON.newline(&out, indent + 1) }
                JSON.quote(k, into: &out)
                out += pretty ? ": " : ":"
                v.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSON.newline(&out, indent) }
            out += "}"
        }
    }

    static func newline(_ out: inout String, _ indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    public static func quote(_ s: String, into out: inout String) {
        // Hex, key text and times (printable ASCII) need no escaping: append them whole.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // C0 controls, DEL and the C1 controls (U+0080-U+009F: some terminals act on
            // them, e.g. U+009B is CSI) are escaped, so text from a file or a node can never
            // reach a terminal as a control when the JSON is printed or paged; so are the
            // direction overrides and isolates and the invisible format characters (text
            // that reads in another order than it is stored): the set `DisplayText` shows.
            case _ where DisplayText.needsEscape(u):
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}

/// How the model appears in `--json`: keys as `PUB_BLS_` text, ids as hex, times as
/// ISO-8601 UTC next to the raw slot.
public enum JSONModel {
    public static func time(_ t: BlockTimestamp) -> JSON {
        .object([("slot", .uint(UInt64(t.slot))), ("utc", .string(t.iso8601))])
    }

    public static func blockRef(_ r: BlockRef) -> JSON {
        .object([
            ("block_num", .uint(UInt64(r.blockNumber))),
            ("block_id", .string(r.blockID.hex)),
            ("timestamp", time(r.timestamp)),
            ("finality_digest", .string(r.finalityDigest.hex)),
            ("empty", .bool(r.isEmpty)),
        ])
    }

    public static func finding(_ f: Finding) -> JSON {
        .object([
            ("severity", .string(f.severity.rawValue)),
            ("check", .string(f.check.rawValue)),
            ("offset", .uint(UInt64(f.offset))),
            ("entry", f.entry.map { .uint(UInt64($0)) } ?? .null),
            ("field", .string(f.field)),
            ("expected", .string(f.expected)),
            ("found", .string(f.found)),
            ("note", f.note.map { .string($0) } ?? .null),
            ("message", .string(f.description)),
        ])
    }

    /// Short flags shown beside an entry (also in the interface's table). With a node's
    /// `get_finalizer_info`, `network-vote-newer`: the network saw this key vote past the
    /// file's last vote, so the file is older than the key's real state (a restored or
    /// copied file): voting from it risks a double vote.
    /// The codes of the one assessment (`EntryAssessment`); with a LIB, the flags measured
    /// against it too (`lock-behind-lib`, `last-vote-newer-than-lib`, `inactive`, …).
    public static func flags(_ e: SafetyEntry, duplicateOf: Int?, network: FinalizerInfo? = nil, lib: LIB? = nil, keys: NodeKeys? = nil) -> [String] {
        assessment(e, duplicateOf: duplicateOf, network: network, lib: lib, keys: keys).map(\.code)
    }

    /// The flags themselves (short and long text) for a plain-text front end.
    /// `keys`: the node's configured keys (recovery's NodeKeys), when looked for.
    public static func assessment(_ e: SafetyEntry, duplicateOf: Int?, network: FinalizerInfo? = nil, lib: LIB? = nil, keys: NodeKeys? = nil) -> [EntryFlag] {
        let vote = network.flatMap { info in info.vote(for: e.key).map { NetworkVoteEvidence($0, source: info.source.description) } }
        return EntryAssessment.flags(e, lib: lib, network: vote, duplicateOf: duplicateOf, keys: keys)
    }

    /// One entry in both vocabularies: the common `last_vote`/`lock` summary (a.k.a.
    /// `_vheight`/`_b_lock`), then the fields as stored.
    /// `network` is what a node's `get_finalizer_info` says of this key, when asked
    /// (`"network_last_vote": null` then means the node tracks no vote for it).
    /// `verdict`: what nodeos will do with the entry today (`VoteRules.verdict`), as
    /// `"verdict"` (the code) and `"verdict_text"` (the words), when the caller judged it.
    public static func entry(
        _ e: SafetyEntry, index: Int, duplicateOf: Int? = nil, network: FinalizerInfo? = nil, lib: LIB? = nil, keys: NodeKeys? = nil,
        verdict: KeyVerdict? = nil
    ) -> JSON {
        var members: [(String, JSON)] = [
            ("index", .uint(UInt64(index))),
            ("key", .string(e.key.text)),
        ]
        switch e.state {
        case .savanna(let s):
            members.append(("last_vote", blockRef(s.lastVote)))
            members.append(("lock", blockRef(s.lock)))
            members.append(("other_branch_latest_time", time(s.otherBranchLatestTime)))
            if let forked = s.votesForkedSinceLatestStrongVote {
                members.append(("votes_forked_since_latest_strong_vote", .bool(forked)))
            }
        case .hotStuff(let h):
            members.append(
                ("_vheight", .object([("bheight", .uint(UInt64(h.vheight.bheight))), ("pcounter", .uint(UInt64(h.vheight.pcounter)))])))
            members.append(("_b_lock", .string(h.bLock.hex)))
        }
        members.append(("duplicate_of", duplicateOf.map { .uint(UInt64($0)) } ?? .null))
        members.append(("flags", .array(flags(e, duplicateOf: duplicateOf, network: network, lib: lib, keys: keys).map { .string($0) })))
        if let verdict {
            members.append(("verdict", .string(verdict.kind.rawValue)))
            members.append(("verdict_text", .string(verdict.text)))
        }
        if let network {
            members.append(("network_last_vote", network.vote(for: e.key).map(trackedVote) ?? .null))
        }
        return .object(members)
    }

    /// `entry(...)` written compactly (`serialized()`), byte for byte, straight into
    /// `out`, without the open object's closing brace (the caller adds its own members
    /// and the `}`). Only for entries without a network answer (`network == nil`): the
    /// million-entry `list --json` path (issue 7), where building a `JSON` tree and
    /// Strings per entry cost more than everything else. `JSONEntryWriterTests` holds it
    /// to `entry(...).serialized()`.
    public static func appendEntryOpen(
        _ e: SafetyEntry, index: Int, duplicateOf: Int? = nil, lib: LIB? = nil, keys: NodeKeys? = nil, verdict: KeyVerdict? = nil,
        into out: inout [UInt8]
    ) {
        func raw(_ s: StaticString) {
            s.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        func number(_ v: UInt64) {
            if v < 10 {
                out.append(UInt8(ascii: "0") + UInt8(v))
                return
            }
            var d: UInt64 = 1
            while d <= v / 10 { d *= 10 }
            var rest = v
            while d > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / d))
                rest %= d
                d /= 10
            }
        }
        func time(_ t: BlockTimestamp) {
            raw(#"{"slot":"#)
            number(UInt64(t.slot))
            raw(#","utc":""#)
            t.appendISO8601(to: &out)
            raw(#""}"#)
        }
        func blockRef(_ r: BlockRef) {
            raw(#"{"block_num":"#)
            number(UInt64(r.blockNumber))
            raw(#","block_id":""#)
            Hex.append(r.blockID, to: &out)
            raw(#"","timestamp":"#)
            time(r.timestamp)
            raw(#","finality_digest":""#)
            Hex.append(r.finalityDigest, to: &out)
            raw(#"","empty":"#)
            if r.isEmpty { raw("true}") } else { raw("false}") }
        }
        func string(_ s: String) {
            var text = ""
            JSON.quote(s, into: &text)
            out.append(contentsOf: text.utf8)
        }
        raw(#"{"index":"#)
        number(UInt64(index))
        raw(#","key":""#)
        KeyText.append(e.key, to: &out)
        raw("\"")
        switch e.state {
        case .savanna(let s):
            raw(#","last_vote":"#)
            blockRef(s.lastVote)
            raw(#","lock":"#)
            blockRef(s.lock)
            raw(#","other_branch_latest_time":"#)
            time(s.otherBranchLatestTime)
            if let forked = s.votesForkedSinceLatestStrongVote {
                raw(#","votes_forked_since_latest_strong_vote":"#)
                if forked { raw("true") } else { raw("false") }
            }
        case .hotStuff(let h):
            raw(#","_vheight":{"bheight":"#)
            number(UInt64(h.vheight.bheight))
            raw(#","pcounter":"#)
            number(UInt64(h.vheight.pcounter))
            raw(#"},"_b_lock":""#)
            Hex.append(h.bLock, to: &out)
            raw("\"")
        }
        raw(#","duplicate_of":"#)
        if let d = duplicateOf { number(UInt64(d)) } else { raw("null") }
        raw(#","flags":["#)
        for (n, f) in flags(e, duplicateOf: duplicateOf, network: nil, lib: lib, keys: keys).enumerated() {
            if n > 0 { raw(",") }
            string(f)
        }
        raw("]")
        if let verdict {
            raw(#","verdict":"#)
            string(verdict.kind.rawValue)
            raw(#","verdict_text":"#)
            string(verdict.text)
        }
    }
}
