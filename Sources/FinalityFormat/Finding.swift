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
        case keyNotInSubgroup = "key-not-in-subgroup"
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
        if let entry { s += ", entry \(entry)" }
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

    public init(
        file: SafetyFile?, errors: [Finding], warnings: [Finding], storedCRC: UInt32? = nil, computedCRC: UInt32? = nil,
        duplicateOf: [Int: Int] = [:]
    ) {
        self.file = file
        self.duplicateOf = duplicateOf
        self.errors = errors
        self.warnings = warnings
        self.storedCRC = storedCRC
        self.computedCRC = computedCRC
    }

    /// nodeos would load this file.
    public var nodeosLoads: Bool { errors.isEmpty }

    /// The one line an operator reads first.
    public var verdictLine: String {
        if let first = errors.first {
            return "nodeos will REFUSE this file: \(first)"
        }
        return "nodeos will load this file"
    }
}
