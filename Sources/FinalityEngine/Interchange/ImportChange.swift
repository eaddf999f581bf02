import FinalityFormat
import FoundationEssentials

/// An import, as the plan and the audit record keep it: the document and what each of its
/// keys did to the file.
public struct ImportSummary: Hashable, Sendable {
    public struct Key: Hashable, Sendable {
        public var key: BLSPublicKey
        /// The entry's index in the new file.
        public var entryIndex: Int
        /// "added" (the file had no entry), "raised" (some field moved forward) or
        /// "unchanged" (the file's values were as new or newer in every field).
        public var outcome: String
        public var lastVote: InterchangeMerge.Source
        public var lock: InterchangeMerge.Source
        public var otherBranchLatestTime: InterchangeMerge.Source
    }

    public var documentPath: String
    public var documentSHA256: Bytes32
    public var document: InterchangeDocument
    public var keys: [Key]

    public var json: JSON {
        let ex = document.exported
        return .object([
            ("path", .string(documentPath)),
            ("sha256", .string(documentSHA256.hex)),
            ("chain_id", .string(document.chainID.hex)),
            ("chain_id_source", .string(document.chainIDSource)),
            ("exported", .object([
                ("time", .string(ex.time)), ("host", .string(ex.host)), ("path", .string(ex.path)),
                ("sha256", .string(ex.sha256.hex)), ("file_format", .string(ex.fileFormat)), ("tool", .string(ex.tool)),
            ])),
            ("keys", .array(keys.map { k in
                .object([
                    ("key", .string(k.key.text)), ("entry_index", .int(Int64(k.entryIndex))), ("outcome", .string(k.outcome)),
                    ("last_vote_from", .string(k.lastVote.rawValue)), ("lock_from", .string(k.lock.rawValue)),
                    ("other_branch_latest_time_from", .string(k.otherBranchLatestTime.rawValue)),
                ])
            })),
        ])
    }
}

/// Import a document (Docs/interchange.md) into a Savanna file nodeos loads: for each key,
/// an absent entry is added as it is, a present one merged so that nothing moves back
/// (`InterchangeMerge`). Refused: a document exported while running, for another chain (or
/// with the target's chain unknown), a key named that the document lacks, two blocks at
/// one time, a file nodeos refuses (repair first), a HotStuff or version 0 file.
struct ImportChange: ChangeKind {
    var document: InterchangeDocument
    var documentPath: String
    var documentSHA256: Bytes32
    /// Keys named by the operator (unique parts of their text); empty: every key.
    var keys: [String]
    /// The target's chain id and where it was read, or nil when no source gave one.
    var targetChain: (id: Bytes32, source: String)?
    /// The source node, when it runs on this host with the file the document came from.
    var sourceNodeRunning: String?
    var nodeKeys: NodeKeys?

    /// Where each merged field came from, for the review: "unchanged: …" when the file
    /// already holds the document's values; a field equal in both is "the same in both".
    static func sources(_ m: InterchangeMerge.Merged) -> String {
        let fields: [(String, InterchangeMerge.Source)] = [("last vote", m.lastVote), ("lock", m.lock), ("other_branch_latest_time", m.otherBranchLatestTime)]
        if fields.allSatisfy({ $0.1 == .both }) { return "unchanged: the file already holds the document's values" }
        return fields.map { name, source in source == .both ? "\(name) the same in both" : "\(name) from \(source.rawValue)" }.joined(separator: ", ")
    }

    func plan(bytes: [UInt8], location: Location) throws(EngineError) -> Plan {
        guard !document.exported.whileRunning else {
            throw .refused("\(documentPath) was exported while a node used its file (--while-running): it may be outdated by that node's next vote; export again with the node stopped")
        }
        if let sourceNodeRunning {
            throw .nodeRunning("one key, one voter: \(sourceNodeRunning): it may still vote with the document's keys; remove them from that node's config.ini and restart it, or stop it, before importing")
        }
        let original = try Planner.decode(bytes, path: location.file)
        guard original.format == .savannaV1 else {
            throw .refused("\(location.file) is \(original.format): an import writes Savanna safety.dat version 1 entries only (nodeos rewrites a version 0 file as version 1 at its next vote)")
        }
        guard let target = targetChain else {
            throw .usage("the chain of \(location.file) is unknown: give --blocks-dir DIR or --api URL, so that a document for another chain is refused")
        }
        guard target.id == document.chainID else {
            throw .refused("\(documentPath) is for chain \(document.chainID.hex) (\(document.chainIDSource)); \(location.file) is on chain \(target.id.hex) (\(target.source)): refused")
        }
        var chosen = document.entries
        if !keys.isEmpty {
            chosen = []
            for q in keys {
                let hits = document.entries.filter { $0.key.text.contains(q) }
                guard hits.count == 1 else {
                    throw .usage("\(String(q.prefix(40))): \(hits.isEmpty ? "no key of the document" : "\(hits.count) keys of the document") match\(hits.count == 1 ? "es" : "")")
                }
                guard !chosen.contains(hits[0]) else { throw .usage("\(String(q.prefix(40))): the same key is named twice") }
                chosen.append(hits[0])
            }
        }
        var file = original
        var summary: [ImportSummary.Key] = []
        var notes: [String] = []
        for e in chosen {
            if let i = file.entries.firstIndex(where: { $0.key == e.key }) {
                let merged: InterchangeMerge.Merged
                do { merged = try InterchangeMerge.merge(file: file.entries[i].savanna, document: e.safety) } catch {
                    throw .refused("\(e.key.shortText()): \(error.description)")
                }
                if !merged.isUnchanged { file.entries[i] = SafetyEntry(key: e.key, state: .savanna(merged.safety)) }
                summary.append(.init(
                    key: e.key, entryIndex: i, outcome: merged.isUnchanged ? "unchanged" : "raised",
                    lastVote: merged.lastVote, lock: merged.lock, otherBranchLatestTime: merged.otherBranchLatestTime))
                notes.append("\(e.key.shortText()) (entry #\(i)): " + Self.sources(merged))
            } else {
                file.entries.append(SafetyEntry(key: e.key, state: .savanna(e.safety)))
                summary.append(.init(key: e.key, entryIndex: file.entries.count - 1, outcome: "added", lastVote: .document, lock: .document, otherBranchLatestTime: .document))
                notes.append("\(e.key.shortText()) (new entry #\(file.entries.count - 1)): added from the document")
            }
        }
        notes.insert(
            "One key, one voter: before this node votes with an imported key, the source node (\(document.exported.host), \(document.exported.path)) must no longer vote with it: remove it from that node's config.ini, or keep that node stopped.",
            at: 0)
        let changed = summary.contains { $0.outcome != "unchanged" }
        let afterBytes = changed ? SafetyFileWriter.encode(file) : bytes
        var plan = Plan(
            action: .importDocument, path: location.file, format: original.format, beforeBytes: bytes, beforeSHA256: Digest.sha256(bytes),
            afterBytes: afterBytes, afterSHA256: Digest.sha256(afterBytes), key: nil, entryIndex: nil, entryBefore: nil, entryAfter: nil,
            diff: FileDiff.compare(old: original, new: changed ? file : original), warnings: [], notes: notes, lib: nil, proposal: nil,
            restoreSource: nil)
        plan.imported = ImportSummary(documentPath: documentPath, documentSHA256: documentSHA256, document: document, keys: summary)
        return plan
    }
}
