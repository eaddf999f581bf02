/// One model for the three released generations of the finalizer safety file.
///
/// Savanna (`safety.dat`, versions 0 and 1) stores per key a `last_vote` and a `lock`
/// block reference; HotStuff (`safety_db.dat`) stores `_vheight` {bheight, pcounter}
/// and `_b_lock` (a proposal id). Early Spring code named them the same way:
/// `last_vote; // v_height under hotstuff`, `lock; // b_lock under hotstuff`.

public enum SafetyFormat: Hashable, Sendable, CustomStringConvertible {
    /// Savanna `safety.dat` version 1: u32 `other_branch_latest_time`, CRC-32 at the end.
    case savannaV1
    /// Savanna `safety.dat` version 0: bool `votes_forked_since_latest_strong_vote`, no CRC.
    case savannaV0
    /// HotStuff `safety_db.dat`: varint count, 144-byte Jacobian keys, `_vheight`, `_b_lock`.
    case hotStuff

    public static let savannaMagic: UInt64 = 0x5AFE_1111_5AFE_1111
    public static let hotStuffMagic: UInt64 = 0x0123_4567_89AB_CDEF

    public var magic: UInt64 { self == .hotStuff ? Self.hotStuffMagic : Self.savannaMagic }

    /// Bytes per entry on disk.
    public var entrySize: Int {
        switch self {
        case .savannaV1: 237
        case .savannaV0: 234
        case .hotStuff: 181
        }
    }

    public var isSavanna: Bool { self != .hotStuff }

    /// Stable machine name, used in `--json`.
    public var name: String {
        switch self {
        case .savannaV1: "savanna-v1"
        case .savannaV0: "savanna-v0"
        case .hotStuff: "hotstuff"
        }
    }

    /// The program whose loader decides whether this file loads.
    public var loader: Loader { self == .hotStuff ? .leapHotStuffPrototype : .spring }

    public var description: String {
        switch self {
        case .savannaV1: "Savanna safety.dat version 1"
        case .savannaV0: "Savanna safety.dat version 0"
        case .hotStuff: "HotStuff safety_db.dat"
        }
    }
}

/// The program a verdict speaks for. A Savanna `safety.dat` is read by spring's nodeos
/// (`libraries/chain/finalizer.cpp`); a HotStuff `safety_db.dat` was only ever read by the
/// Leap HotStuff prototype (`hotstuff_integration` branch): spring has no reader for it
/// and refuses it as `finalizers/safety.dat` (bad magic).
public enum Loader: String, Hashable, Sendable, CustomStringConvertible {
    case spring = "spring"
    case leapHotStuffPrototype = "leap-hotstuff-prototype"

    /// Stable machine name (`--json` "loader").
    public var name: String { rawValue }

    public var description: String {
        switch self {
        case .spring: "spring's nodeos (finalizers/safety.dat, Spring 1.0 and later)"
        case .leapHotStuffPrototype: "the Leap HotStuff prototype (safety_db.dat, hotstuff_integration branch; spring never reads this file)"
        }
    }

    /// Who loads or refuses, as the verdict line says it.
    public var subject: String {
        switch self {
        case .spring: "nodeos"
        case .leapHotStuffPrototype: "the Leap HotStuff prototype"
        }
    }
}

/// Savanna `block_ref`: a block id, its timestamp, and a finality digest.
public struct BlockRef: Hashable, Sendable {
    public var blockID: Bytes32
    public var timestamp: BlockTimestamp
    public var finalityDigest: Bytes32

    public static let empty = BlockRef(blockID: .zero, timestamp: .zero, finalityDigest: .zero)

    public init(blockID: Bytes32, timestamp: BlockTimestamp, finalityDigest: Bytes32 = .zero) {
        self.blockID = blockID
        self.timestamp = timestamp
        self.finalityDigest = finalityDigest
    }

    /// All zero: nodeos's default (never voted / no lock).
    public var isEmpty: Bool { blockID.isZero && timestamp.slot == 0 && finalityDigest.isZero }
    public var blockNumber: UInt32 { blockID.blockNumber }
}

/// HotStuff `_vheight`: block height and phase counter (0..3).
public struct VHeight: Hashable, Sendable, Comparable {
    public var bheight: UInt32
    public var pcounter: UInt8

    public init(bheight: UInt32, pcounter: UInt8) {
        self.bheight = bheight
        self.pcounter = pcounter
    }

    public static func < (a: VHeight, b: VHeight) -> Bool { (a.bheight, a.pcounter) < (b.bheight, b.pcounter) }
}

/// Savanna per-key state (versions 0 and 1).
public struct SavannaSafety: Hashable, Sendable {
    public var lastVote: BlockRef
    public var lock: BlockRef
    /// Version 1: `other_branch_latest_time` (slot; 0 = none).
    /// Version 0 stored a bool instead; see `votesForkedSinceLatestStrongVote`.
    public var otherBranchLatestTime: BlockTimestamp
    /// Version 0 only: `votes_forked_since_latest_strong_vote`. nil for version 1.
    public var votesForkedSinceLatestStrongVote: Bool?

    public init(
        lastVote: BlockRef, lock: BlockRef, otherBranchLatestTime: BlockTimestamp = .zero,
        votesForkedSinceLatestStrongVote: Bool? = nil
    ) {
        self.lastVote = lastVote
        self.lock = lock
        self.otherBranchLatestTime = otherBranchLatestTime
        self.votesForkedSinceLatestStrongVote = votesForkedSinceLatestStrongVote
    }
}

/// HotStuff per-key state.
public struct HotStuffSafety: Hashable, Sendable {
    public var vheight: VHeight
    /// A proposal id, not a block id: sha256(sha256(block_id ‖ u8 phase) ‖ final_on_qc).
    public var bLock: Bytes32

    public init(vheight: VHeight, bLock: Bytes32) {
        self.vheight = vheight
        self.bLock = bLock
    }
}

/// One entry: a key and its safety state.
///
/// An entry the reader found in a Savanna file is not decoded into fields: it is the
/// file's bytes (shared, never copied: the reader's `[UInt8]`) and the entry's offset, 16
/// bytes in all, decoded on access. A million-entry file then costs its own 237 MB and
/// 16 MB more, instead of another 264 MB of decoded entries (issue 7: peak memory at most
/// 1.5 × the file + 30 MB). Setting a field (or building an entry) stores the values.
public struct SafetyEntry: Hashable, Sendable {
    @usableFromInline var storage: Storage

    @usableFromInline enum Storage: Sendable {
        /// A Savanna entry in place: the offset of its key-length varint in `source`.
        case onDisk(EntrySource, UInt32)
        case value(EntryValue)
    }

    public init(key: BLSPublicKey, state: State, hotStuffKeyBytes: [UInt8]? = nil, keyLengthBytes: [UInt8]? = nil) {
        storage = .value(EntryValue(key: key, state: state, hotStuffKeyBytes: hotStuffKeyBytes, keyLengthBytes: keyLengthBytes))
    }

    /// The Savanna entry at `offset` of `source` (already checked by the reader: a length
    /// varint fc reads as 96 and the whole entry before the end).
    init(source: EntrySource, offset: Int) {
        storage = .onDisk(source, UInt32(offset))
    }

    var value: EntryValue {
        switch storage {
        case .value(let v): v
        case .onDisk(let s, let o): s.decode(Int(o))
        }
    }

    public var key: BLSPublicKey {
        get {
            switch storage {
            case .value(let v): v.key
            case .onDisk(let s, let o): s.key(Int(o))
            }
        }
        set {
            let v = value
            storage = .value(EntryValue(key: newValue, state: v.state, hotStuffKeyBytes: v.hotStuffKeyBytes, keyLengthBytes: v.keyLengthBytes))
        }
    }

    public var state: State {
        get {
            switch storage {
            case .value(let v): v.state
            case .onDisk(let s, let o): s.state(Int(o))
            }
        }
        set {
            let v = value
            storage = .value(EntryValue(key: v.key, state: newValue, hotStuffKeyBytes: v.hotStuffKeyBytes, keyLengthBytes: v.keyLengthBytes))
        }
    }

    /// HotStuff only: the key's 144 bytes as found on disk (Jacobian, Montgomery form,
    /// any Z), so an untouched entry is written back byte-identical.
    public var hotStuffKeyBytes: [UInt8]? {
        get {
            switch storage {
            case .value(let v): v.hotStuffKeyBytes
            case .onDisk: nil
            }
        }
        set {
            let v = value
            storage = .value(EntryValue(key: v.key, state: v.state, hotStuffKeyBytes: newValue, keyLengthBytes: v.keyLengthBytes))
        }
    }

    /// Savanna only: the key length varint as found on disk when it was not the one byte
    /// `0x60` nodeos writes (fc reads 96 padded to up to 5 bytes, e.g. `E0 00`), so an
    /// untouched entry is written back byte-identical. nil: the canonical `60`.
    public var keyLengthBytes: [UInt8]? {
        get {
            switch storage {
            case .value(let v): v.keyLengthBytes
            case .onDisk(let s, let o): s.keyLengthBytes(Int(o))
            }
        }
        set {
            let v = value
            storage = .value(EntryValue(key: v.key, state: v.state, hotStuffKeyBytes: v.hotStuffKeyBytes, keyLengthBytes: newValue))
        }
    }

    /// Bytes of the key length varint on disk (1 unless padded).
    public var keyLengthSize: Int {
        switch storage {
        case .value(let v): v.keyLengthBytes?.count ?? 1
        case .onDisk(let s, let o): s.lengthSize(Int(o))
        }
    }

    public enum State: Hashable, Sendable {
        case savanna(SavannaSafety)
        case hotStuff(HotStuffSafety)
    }

    public static func == (l: SafetyEntry, r: SafetyEntry) -> Bool {
        if case .onDisk(let a, let x) = l.storage, case .onDisk(let b, let y) = r.storage, a === b, x == y { return true }
        return l.key == r.key && l.state == r.state && l.hotStuffKeyBytes == r.hotStuffKeyBytes && l.keyLengthBytes == r.keyLengthBytes
    }

    public func hash(into h: inout Hasher) {
        h.combine(key)
        h.combine(state)
    }

    /// Bytes this entry takes on disk in a file of `format` (a padded key length adds to it).
    public func encodedSize(in format: SafetyFormat) -> Int {
        format.entrySize + (format.isSavanna ? keyLengthSize - 1 : 0)
    }

    public var savanna: SavannaSafety? {
        if case .savanna(let s) = state { return s }
        return nil
    }

    public var hotStuff: HotStuffSafety? {
        if case .hotStuff(let h) = state { return h }
        return nil
    }

    // MARK: both vocabularies

    /// Height of the last vote: `last_vote` block number, or `_vheight.bheight`.
    /// nil when the key never voted (all-zero last vote / zero `_vheight`).
    public var lastVoteHeight: UInt32? {
        switch state {
        case .savanna(let s): s.lastVote.isEmpty ? nil : s.lastVote.blockNumber
        case .hotStuff(let h): h.vheight.bheight == 0 && h.vheight.pcounter == 0 ? nil : h.vheight.bheight
        }
    }

    /// Time of the last vote (Savanna only).
    public var lastVoteTime: BlockTimestamp? {
        guard let s = savanna, !s.lastVote.isEmpty else { return nil }
        return s.lastVote.timestamp
    }

    /// Height of the lock (Savanna only: `_b_lock` is a proposal id, not a block).
    public var lockHeight: UInt32? {
        guard let s = savanna, !s.lock.isEmpty else { return nil }
        return s.lock.blockNumber
    }

    public var lockTime: BlockTimestamp? {
        guard let s = savanna, !s.lock.isEmpty else { return nil }
        return s.lock.timestamp
    }

    /// No lock: an all-zero `lock` or `_b_lock`. Such a key cannot vote.
    public var hasNoLock: Bool {
        switch state {
        case .savanna(let s): s.lock.isEmpty
        case .hotStuff(let h): h.bLock.isZero
        }
    }

    public var neverVoted: Bool { lastVoteHeight == nil }
}

/// A decoded safety file.
public struct SafetyFile: Hashable, Sendable {
    public var format: SafetyFormat
    public var entries: [SafetyEntry]
    /// Bytes after the end of the file proper (after the CRC for version 1). nodeos
    /// ignores them; they are kept so that a rewrite changes nothing outside the plan.
    public var trailingBytes: [UInt8]

    public init(format: SafetyFormat, entries: [SafetyEntry], trailingBytes: [UInt8] = []) {
        self.format = format
        self.entries = entries
        self.trailingBytes = trailingBytes
    }

    /// Index of the entry nodeos would use for a key: the first one (duplicates lose).
    public func index(of key: BLSPublicKey) -> Int? {
        entries.firstIndex { $0.key == key }
    }

    /// Size on disk of the file proper (without trailing bytes).
    public var encodedSize: Int {
        let padding = format.isSavanna ? entries.reduce(0) { $0 + $1.keyLengthSize - 1 } : 0
        return padding + {
            switch format {
            case .savannaV1: 24 + 237 * entries.count + 4
            case .savannaV0: 24 + 234 * entries.count
            case .hotStuff: 8 + varintSize(UInt64(entries.count)) + 181 * entries.count
            }
        }()
    }
}

func varintSize(_ v: UInt64) -> Int {
    var n = 1
    var v = v >> 7
    while v != 0 {
        n += 1
        v >>= 7
    }
    return n
}

/// An entry's values, when it is not read in place (built, changed, or HotStuff).
@usableFromInline final class EntryValue: Sendable {
    let key: BLSPublicKey
    let state: SafetyEntry.State
    let hotStuffKeyBytes: [UInt8]?
    let keyLengthBytes: [UInt8]?
    init(key: BLSPublicKey, state: SafetyEntry.State, hotStuffKeyBytes: [UInt8]?, keyLengthBytes: [UInt8]?) {
        self.key = key
        self.state = state
        self.hotStuffKeyBytes = hotStuffKeyBytes
        self.keyLengthBytes = keyLengthBytes
    }
}

/// The bytes of a Savanna file whose entries are read in place (see `SafetyEntry`): the
/// reader's own array, shared, not copied.
@usableFromInline final class EntrySource: Sendable {
    let bytes: [UInt8]
    /// Version 0 (a bool after the lock) or 1 (a u32).
    let v0: Bool
    init(bytes: [UInt8], v0: Bool) {
        self.bytes = bytes
        self.v0 = v0
    }

    /// Bytes of the key length varint at `o`: as fc reads it, up to a byte without the
    /// continuation bit, at most 5 (`ByteReader.fcUnsignedInt`).
    @inline(__always) func lengthSize(_ o: Int) -> Int {
        var n = 1
        while n < 5 && bytes[o + n - 1] & 0x80 != 0 { n += 1 }
        return n
    }

    func keyLengthBytes(_ o: Int) -> [UInt8]? {
        let n = lengthSize(o)
        return n == 1 ? nil : Array(bytes[o..<o + n])
    }

    @inline(__always) func key(_ o: Int) -> BLSPublicKey {
        var r = ByteReader(bytes, offset: o + lengthSize(o))
        return r.key()
    }

    func state(_ o: Int) -> SafetyEntry.State {
        var r = ByteReader(bytes, offset: o + lengthSize(o) + 96)
        let lastVote = r.blockRef()
        let lock = r.blockRef()
        if !v0 {
            return .savanna(SavannaSafety(lastVote: lastVote, lock: lock, otherBranchLatestTime: BlockTimestamp(slot: try! r.u32())))
        }
        // finalizer.cpp:289-290: true -> the last vote's time, false -> 0 (a byte above 1
        // is the reader's error; the entry still shows as "false").
        let b = try! r.u8()
        return .savanna(
            SavannaSafety(
                lastVote: lastVote, lock: lock, otherBranchLatestTime: b == 1 ? lastVote.timestamp : .zero,
                votesForkedSinceLatestStrongVote: b == 1))
    }

    func decode(_ o: Int) -> EntryValue {
        EntryValue(key: key(o), state: state(o), hotStuffKeyBytes: nil, keyLengthBytes: keyLengthBytes(o))
    }

    /// The entry's bytes on disk, for a writer that keeps them as they were.
    func raw(_ o: Int) -> ArraySlice<UInt8> {
        bytes[o..<o + lengthSize(o) + (v0 ? 234 : 237) - 1]
    }
}
