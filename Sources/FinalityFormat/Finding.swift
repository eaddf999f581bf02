/// One thing a check found in a file: an error (nodeos refuses the file) or a warning
/// (nodeos loads it, but the operator should know). Every finding says where it is
/// (offset, entry, field) and what was expected and found.
public struct Finding: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    /// The check that produced the finding. The raw value is stable (`--json`).
    public enum Check: String, Sendable, Hashable, CaseIterable {
        // Errors: nodeos's loader refuses the file ("corrupted finalizer safety persistence file").
        case magic = "bad-magic"
        case version = "unknown-version"
        case developmentEra = "development-era"
        case truncated = "truncated"
        case count = "count-larger-than-file"
        case keyLength = "key-length"
        case keyNotCanonical = "key-not-canonical"
        case keyNotOnCurve = "key-not-on-curve"
        case bool = "bad-bool"
        case crc = "bad-crc"
        case varint = "bad-varint"
        case empty = "empty-file"
        // Warnings: nodeos loads the file.
        case trailingBytes = "trailing-bytes"
        case duplicateKey = "duplicate-key"
        case noLock = "no-lock"
        case lastVoteOlderThanLock = "last-vote-older-than-lock"
        case futureTimestamp = "future-timestamp"
        case keyAtInfinity = "key-at-infinity"
        case hotStuffKeyInvalid = "hotstuff-key-invalid"
        /// On the curve, outside the prime-order subgroup: spring loads it (no subgroup
        /// check on load), but the key can never sign a valid vote.
        case keyNotInSubgroup = "key-not-in-subgroup"
        /// The key length varint is 96 padded to more than one byte (fc reads it).
        case paddedKeyLength = "padded-key-length"
        /// Whole entries after the ones the count covers: nodeos never reads them.
        case unreadEntries = "count-leaves-bytes-unread"
    }

    public var severity: Severity
    public var check: Check
    /// Byte offset in the file where the failed field starts.
    public var offset: Int
    /// Index of the entry (0-based), when the finding belongs to one.
    public var entry: Int?
    /// The field, in nodeos's own names (`lock.block_id`, `key length`, `crc`).
    public var field: String
    public var expected: String
    public var found: String
    /// What it means or what it looks like (development-era layouts, consequences).
    public var note: String?

    public init(
        _ severity: Severity, _ check: Check, offset: Int, entry: Int? = nil, field: String,
        expected: String, found: String, note: String? = nil
    ) {
        self.severity = severity
        self.check = check
        self.offset = offset
        self.entry = entry
        self.field = field
        self.expected = expected
        self.found = found
        self.note = note
    }

    /// `offset 0x18 (24), entry 0, key length: expected 96, found 48`
    public var location: String {
        var s = "offset 0x\(String(offset, radix: 16, uppercase: true)) (\(offset))"
        if let entry { s += ", entry \(grouped(entry))" }
        return s + ", \(field)"
    }

    public var description: String {
        var s = "\(location): expected \(expected), found \(found)"
        if let note { s += " (\(note))" }
        return s
    }
}

/// What nodeos would make of a file, and what else the tool noticed.
public struct Verification: Sendable {
    /// The decoded file, when its structure could be read (even if a key or the CRC
    /// failed, so the entries can still be shown). nil when the layout itself is wrong.
    public var file: SafetyFile?
    /// In file order; the first is the reason nodeos gives up.
    public var errors: [Finding]
    public var warnings: [Finding]
    /// The stored CRC (version 1), and the one computed over the bytes.
    public var storedCRC: UInt32?
    public var computedCRC: UInt32?
    /// Entry index → the earlier entry with the same key (the one nodeos uses).
    public var duplicateOf: [Int: Int]
    /// The format named by the header, whenever the header could be read (also for a
    /// file too damaged to list, so the headline never says "unknown format" for it).
    public var format: SafetyFormat?
    /// Offset of each entry of `file` in the file (entries are not all the same size: a
    /// padded key length makes one longer).
    public var entryOffsets: [Int]
    /// false when `file` holds only the entries that could be read before the damage (a
    /// truncated or torn file): they are shown, but the file is not all there.
    public var entriesComplete: Bool
    /// The entry count the header gives (nil when it could not be read).
    public var declaredCount: UInt64?
    /// Where reading the entries stopped, when it stopped early (`entriesComplete` false).
    public var stoppedAt: Finding?
    /// Subgroup checks (warnings only) were run; false when a caller asked for the verdict
    /// first and runs them later (`SafetyFileReader.subgroupWarnings`).
    public var subgroupChecked: Bool
    /// Bytes at the end of the file that were not read (`Options.fileSize`): trailing
    /// bytes, counted in the warning but not in `file.trailingBytes`. A change needs them
    /// all, so it reads the file whole (or refuses).
    public var bytesNotRead: Int

    public init(
        file: SafetyFile?, errors: [Finding], warnings: [Finding], storedCRC: UInt32? = nil, computedCRC: UInt32? = nil,
        duplicateOf: [Int: Int] = [:], format: SafetyFormat? = nil, entryOffsets: [Int] = [], entriesComplete: Bool = true,
        declaredCount: UInt64? = nil, stoppedAt: Finding? = nil, subgroupChecked: Bool = true, bytesNotRead: Int = 0
    ) {
        self.bytesNotRead = bytesNotRead
        self.file = file
        self.duplicateOf = duplicateOf
        self.errors = errors
        self.warnings = warnings
        self.storedCRC = storedCRC
        self.computedCRC = computedCRC
        self.format = format ?? file?.format
        self.entryOffsets = entryOffsets
        self.entriesComplete = entriesComplete
        self.declaredCount = declaredCount
        self.stoppedAt = stoppedAt
        self.subgroupChecked = subgroupChecked
    }

    /// The program this verdict speaks for: spring, unless the file is a HotStuff
    /// `safety_db.dat` (read only by the Leap HotStuff prototype).
    public var loader: Loader { format?.loader ?? .spring }

    /// That loader would load this file.
    public var nodeosLoads: Bool { errors.isEmpty }

    /// The one line an operator reads first. For spring: "nodeos will load this file".
    public var verdictLine: String {
        let who = loader.subject
        if let first = errors.first {
            return "\(who) will REFUSE this file: \(first)"
        }
        return "\(who) will load this file"
    }

    /// `loader: spring's nodeos (...)`: which program the verdict speaks for.
    public var loaderLine: String {
        var s = "loader: \(loader)"
        if loader == .leapHotStuffPrototype { s += "; spring refuses it as finalizers/safety.dat (bad magic)" }
        return s
    }

    /// What the file is, even when damaged: "Savanna safety.dat version 1, 5 entries",
    /// "Savanna safety.dat version 1, truncated in entry 2 (2 of 5 entries read)".
    public var headline: String {
        let first = errors.first
        guard let format else {
            switch first?.check {
            case .empty?: return "an empty file"
            case .truncated? where first?.field == "magic": return "unknown format: \(first!.found), too short for a magic number"
            case .truncated?: return "Savanna safety.dat, truncated in the header (\(first!.field))"
            case .version?: return "Savanna safety.dat, unknown version \(first!.found)"
            case .developmentEra?: return "a development-era file, not a released format (\(first!.field) at offset \(first!.offset))"
            default: return "not a finalizer safety file (magic \(first?.found ?? "unreadable"))"
            }
        }
        let read = file?.entries.count ?? 0
        guard let count = declaredCount else {
            if first?.check == .developmentEra { return "\(format.description), development-era layout" }
            return "\(format.description), truncated in the header (\(first?.field ?? "count"))"
        }
        if let stop = stoppedAt, !entriesComplete {
            let of = "\(grouped(read)) of \(grouped(count)) entries read"
            switch stop.check {
            case .truncated, .count:
                return "\(format.description), truncated in entry \(grouped(stop.entry ?? read)) (\(of))"
            default:
                return "\(format.description), unreadable from entry \(grouped(stop.entry ?? read)): \(stop.field) (\(of))"
            }
        }
        let n = "\(grouped(read)) entr\(read == 1 ? "y" : "ies")"
        if let e = first, e.check == .truncated, e.field == "crc" { return "\(format.description), \(n), truncated in the CRC" }
        return "\(format.description), \(n)"
    }

    /// Entry i read without an error of its own (its key, its bool).
    public func entryReadCleanly(_ i: Int) -> Bool {
        // Errors that name an entry are few (the loader stops at the first key error in
        // file order, but the reader lists every bad key); a million calls stay linear
        // in practice only while they are: callers over every entry use `entriesWithErrors`.
        !errors.contains { $0.entry == i }
    }

    /// The entries with an error of their own, for callers that ask of every entry.
    public var entriesWithErrors: Set<Int> { Set(errors.compactMap(\.entry)) }
}
