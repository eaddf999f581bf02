import FinalityFormat

/// The safety interchange document (Docs/interchange.md, Docs/finality-interchange.schema.json):
/// one or more keys' safety data carried from one node's safety file to another's. Reading
/// it is strict: every member is checked, an unknown one is refused, and a failure names
/// the member by its path (`entries[2].last_vote.block_num`).
public struct InterchangeDocument: Hashable, Sendable {
    public static let formatName = "finality-safety-interchange"
    public static let version: Int64 = 1

    public struct Exported: Hashable, Sendable {
        /// UTC, whole seconds (`2026-12-07T01:40:12Z`).
        public var time: String
        public var host: String
        /// The source safety file, absolute.
        public var path: String
        public var sha256: Bytes32
        /// `savanna-v1` or `savanna-v0`.
        public var fileFormat: String
        public var tool: String
        /// Exported with `--while-running`: a look at a live file, refused by every import.
        public var whileRunning: Bool

        public init(time: String, host: String, path: String, sha256: Bytes32, fileFormat: String, tool: String, whileRunning: Bool) {
            self.time = time
            self.host = host
            self.path = path
            self.sha256 = sha256
            self.fileFormat = fileFormat
            self.tool = tool
            self.whileRunning = whileRunning
        }
    }

    public struct Entry: Hashable, Sendable {
        public var key: BLSPublicKey
        public var safety: SavannaSafety
        public init(key: BLSPublicKey, safety: SavannaSafety) {
            self.key = key
            self.safety = safety
        }
    }

    public var chainID: Bytes32
    /// `blocks.log PATH`, `node API URL` or `operator (--chain-id)`.
    public var chainIDSource: String
    public var exported: Exported
    public var entries: [Entry]

    public init(chainID: Bytes32, chainIDSource: String, exported: Exported, entries: [Entry]) {
        self.chainID = chainID
        self.chainIDSource = chainIDSource
        self.exported = exported
        self.entries = entries
    }

    /// A problem with a document, naming the member.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// The member's path, e.g. `entries[2].last_vote.block_num`; empty for the document.
        public var member: String
        public var reason: String
        public var description: String { member.isEmpty ? reason : "\(member): \(reason)" }
        public init(_ member: String, _ reason: String) {
            self.member = member
            self.reason = reason
        }
    }

    // MARK: export

    /// The document of `keys` (all when empty) of a Savanna file. A version 0 entry is carried
    /// as nodeos converts it on load (docs: format.md, "Savanna safety.dat version 0"):
    /// `votes_forked_since_latest_strong_vote` true gives `other_branch_latest_time =
    /// last_vote.timestamp`, false gives 0. HotStuff files are refused: spring never reads
    /// `safety_db.dat`, so its entries protect nothing on a Savanna node.
    public static func export(
        _ file: SafetyFile, keys: [BLSPublicKey] = [], chainID: Bytes32, chainIDSource: String, exported: Exported
    ) throws(Failure) -> InterchangeDocument {
        guard file.format.isSavanna else {
            throw Failure("", "a HotStuff safety_db.dat is not exported: spring's nodeos never reads it, so its _vheight and _b_lock protect nothing on a Savanna node")
        }
        var chosen: [Entry] = []
        var seen = Set<BLSPublicKey>()
        for e in file.entries {
            guard keys.isEmpty || keys.contains(e.key), let s = e.savanna, seen.insert(e.key).inserted else { continue }
            chosen.append(Entry(key: e.key, safety: converted(s)))
        }
        if let missing = keys.first(where: { !seen.contains($0) }) {
            throw Failure("", "the file has no entry for \(missing.text)")
        }
        guard !chosen.isEmpty else { throw Failure("", "the file has no entry to export") }
        return InterchangeDocument(chainID: chainID, chainIDSource: chainIDSource, exported: exported, entries: chosen)
    }

    /// A version 0 entry as nodeos converts it on load; a version 1 entry as it is.
    static func converted(_ s: SavannaSafety) -> SavannaSafety {
        guard let forked = s.votesForkedSinceLatestStrongVote else { return s }
        return SavannaSafety(lastVote: s.lastVote, lock: s.lock, otherBranchLatestTime: forked ? s.lastVote.timestamp : .zero)
    }

    /// The chain the LIB readings (and the operator's typed id, first) name, with where it
    /// was read; nil when none names one. Sources that disagree refuse: a document must
    /// never be written for, or read into, a chain in doubt (`refusing` says what is not done).
    static func chain(
        of readings: [LIBReading], typed: (id: Bytes32, source: String)?, refusing: String
    ) throws(EngineError) -> (id: Bytes32, source: String)? {
        var chain = typed
        for r in readings {
            guard let id = r.chainID else { continue }
            if let known = chain, known.id != id {
                throw .refused("the chain ids disagree: \(known.id.hex) from \(known.source), \(id.hex) from \(r.source.description): \(refusing)")
            }
            if chain == nil { chain = (id, r.source.description) }
        }
        return chain
    }

    // MARK: writing

    public var json: JSON {
        func ref(_ r: BlockRef) -> JSON {
            if r.isEmpty { return .null }
            return .object([
                ("block_id", .string(r.blockID.hex)),
                ("block_num", .int(Int64(r.blockNumber))),
                ("timestamp_slot", .int(Int64(r.timestamp.slot))),
                ("timestamp", .string(r.timestamp.iso8601)),
                ("finality_digest", .string(r.finalityDigest.hex)),
            ])
        }
        return .object([
            ("format", .string(Self.formatName)),
            ("version", .int(Self.version)),
            ("chain_id", .string(chainID.hex)),
            ("chain_id_source", .string(chainIDSource)),
            ("exported", .object([
                ("time", .string(exported.time)),
                ("host", .string(exported.host)),
                ("path", .string(exported.path)),
                ("sha256", .string(exported.sha256.hex)),
                ("file_format", .string(exported.fileFormat)),
                ("tool", .string(exported.tool)),
                ("while_running", .bool(exported.whileRunning)),
            ])),
            ("entries", .array(entries.map { e in
                .object([
                    ("key", .string(e.key.text)),
                    ("last_vote", ref(e.safety.lastVote)),
                    ("lock", ref(e.safety.lock)),
                    ("other_branch_latest_time_slot", .int(Int64(e.safety.otherBranchLatestTime.slot))),
                ])
            })),
        ])
    }

    /// The document's bytes as export writes them: indented, one final newline.
    public var bytes: [UInt8] { Array((json.serialized(pretty: true) + "\n").utf8) }

    // MARK: reading

    /// Reads a document (at most `maximumSize` bytes), refusing anything it does not know.
    public static let maximumSize = 64 << 20

    public init(bytes: [UInt8]) throws(Failure) {
        guard bytes.count <= Self.maximumSize else { throw Failure("", "larger than \(Self.maximumSize >> 20) MB: not a safety interchange document") }
        let value: JSON
        do { value = try StrictJSON.parse(bytes) } catch { throw Failure("", "not valid JSON: \(error)") }
        var top = try Members(value, "")
        guard case .string(let format) = try top.take("format"), format == Self.formatName else {
            throw Failure("format", "expected \"\(Self.formatName)\": not a safety interchange document")
        }
        guard case .int(let version) = try top.take("version") else { throw Failure("version", "expected a whole number") }
        guard version == Self.version else { throw Failure("version", "version \(version) is not known to this tool (it reads version \(Self.version))") }
        chainID = try Self.hex32(top.take("chain_id"), "chain_id")
        chainIDSource = try Self.text(top.take("chain_id_source"), "chain_id_source")
        var ex = try Members(top.take("exported"), "exported")
        let time = try Self.text(ex.take("time"), "exported.time")
        guard Self.isWholeSecondUTC(time) else { throw Failure("exported.time", "expected a UTC time in whole seconds (2026-12-07T01:40:12Z)") }
        let path = try Self.text(ex.take("path"), "exported.path")
        guard path.hasPrefix("/") else { throw Failure("exported.path", "expected an absolute path") }
        let fileFormat = try Self.text(ex.take("file_format"), "exported.file_format")
        guard ["savanna-v1", "savanna-v0"].contains(fileFormat) else { throw Failure("exported.file_format", "expected savanna-v1 or savanna-v0") }
        guard case .bool(let whileRunning) = try ex.take("while_running") else { throw Failure("exported.while_running", "expected true or false") }
        exported = Exported(
            time: time, host: try Self.text(ex.take("host"), "exported.host"), path: path,
            sha256: try Self.hex32(ex.take("sha256"), "exported.sha256"), fileFormat: fileFormat,
            tool: try Self.text(ex.take("tool"), "exported.tool"), whileRunning: whileRunning)
        try ex.end()
        guard case .array(let items) = try top.take("entries") else { throw Failure("entries", "expected an array") }
        guard !items.isEmpty else { throw Failure("entries", "no entry") }
        try top.end()
        var read: [Entry] = []
        var firstIndex: [BLSPublicKey: Int] = [:]
        for (n, item) in items.enumerated() {
            let at = "entries[\(n)]"
            var m = try Members(item, at)
            let keyText = try Self.text(m.take("key"), at + ".key")
            let key: BLSPublicKey
            do { key = try BLSPublicKey(text: keyText) } catch { throw Failure(at + ".key", "\(error)") }
            switch key.checkLoadable() {
            case .valid:
                guard key.isInPrimeOrderSubgroup else { throw Failure(at + ".key", "not in the prime-order subgroup: such a key can never sign a valid vote") }
            case .infinity: throw Failure(at + ".key", "the point at infinity: such a key can never sign")
            default: throw Failure(at + ".key", "not a point on the BLS12-381 curve: nodeos refuses a file holding it")
            }
            if let first = firstIndex[key] { throw Failure(at + ".key", "the same key as entries[\(first)]: which one would count?") }
            firstIndex[key] = n
            let lastVote = try Self.blockRef(m.take("last_vote"), at + ".last_vote")
            let lock = try Self.blockRef(m.take("lock"), at + ".lock")
            let other = try Self.u32(m.take("other_branch_latest_time_slot"), at + ".other_branch_latest_time_slot")
            try m.end()
            read.append(Entry(key: key, safety: SavannaSafety(lastVote: lastVote, lock: lock, otherBranchLatestTime: BlockTimestamp(slot: other))))
        }
        entries = read
    }

    /// An object's members, taken one by one; `end()` refuses what was not taken.
    struct Members {
        var rest: [(String, JSON)]
        let path: String
        init(_ value: JSON, _ path: String) throws(Failure) {
            guard case .object(let members) = value else { throw Failure(path, "expected an object") }
            rest = members
            self.path = path
        }
        mutating func take(_ name: String) throws(Failure) -> JSON {
            guard let i = rest.firstIndex(where: { $0.0 == name }) else { throw Failure(path.isEmpty ? name : path + "." + name, "missing") }
            return rest.remove(at: i).1
        }
        func end() throws(Failure) {
            if let (name, _) = rest.first {
                throw Failure(path.isEmpty ? name : path + "." + name, "not a member of a version 1 document (refused rather than skipped: it might protect the key)")
            }
        }
    }

    static func text(_ v: JSON, _ path: String) throws(Failure) -> String {
        guard case .string(let s) = v, !s.isEmpty else { throw Failure(path, "expected a string that is not empty") }
        return s
    }

    static func hex32(_ v: JSON, _ path: String) throws(Failure) -> Bytes32 {
        guard case .string(let s) = v, s.utf8.count == 64, let b = Bytes32(hex: s.lowercased()) else { throw Failure(path, "expected 64 hex digits") }
        return b
    }

    static func u32(_ v: JSON, _ path: String) throws(Failure) -> UInt32 {
        guard case .int(let n) = v, n >= 0, n <= Int64(UInt32.max) else { throw Failure(path, "expected a whole number from 0 to 4294967295") }
        return UInt32(n)
    }

    static func blockRef(_ v: JSON, _ path: String) throws(Failure) -> BlockRef {
        if case .null = v { return .empty }
        var m = try Members(v, path)
        let id = try hex32(m.take("block_id"), path + ".block_id")
        let number = try u32(m.take("block_num"), path + ".block_num")
        let slot = try u32(m.take("timestamp_slot"), path + ".timestamp_slot")
        let time = try text(m.take("timestamp"), path + ".timestamp")
        let digest = try hex32(m.take("finality_digest"), path + ".finality_digest")
        try m.end()
        guard id.blockNumber == number else {
            throw Failure(path + ".block_num", "\(number) is not the block id's number (\(id.blockNumber), its first four bytes)")
        }
        let stamp = BlockTimestamp(slot: slot)
        guard time == stamp.iso8601 else { throw Failure(path + ".timestamp", "\(time) is not the time of slot \(slot) (\(stamp.iso8601))") }
        let ref = BlockRef(blockID: id, timestamp: stamp, finalityDigest: digest)
        guard !ref.isEmpty else { throw Failure(path, "an all-zero block reference is written null") }
        return ref
    }

    static func isWholeSecondUTC(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 20, b[19] == UInt8(ascii: "Z") else { return false }
        let digits: Set<Int> = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        for (i, c) in b.enumerated().dropLast() {
            if digits.contains(i) {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return false }
            } else if i == 4 || i == 7 {
                guard c == UInt8(ascii: "-") else { return false }
            } else if i == 10 {
                guard c == UInt8(ascii: "T") else { return false }
            } else {
                guard c == UInt8(ascii: ":") else { return false }
            }
        }
        return true
    }
}
