/// Entry-by-entry salvage of a file, for a tool that must keep what can be kept (repair
/// writes a file nodeos loads from the entries that read cleanly; list and show display a
/// damaged file's content; a damaged backup is read for evidence). Built on the same
/// reader as the verdict: one set of rules. Reading in order stops where an entry's
/// boundaries become unknown (a key length that is not 96, the end of the file), and a
/// header that cannot be read gives nothing; with the keys known, `salvage(_:keys:)` also
/// finds every entry of those keys still on disk, wherever it is (KeyScan.swift).

/// One entry as read from the file.
public struct SalvagedEntry: Sendable, Hashable {
    /// Position in the file (0-based).
    public var index: Int
    /// Offset of its first byte (the key length varint for Savanna).
    public var offset: Int
    /// Bytes it takes on disk (a padded key length makes it longer).
    public var size: Int
    public var entry: SafetyEntry
    /// No error of its own: its key loads and (v0) its bool is 0 or 1. An entry of a file
    /// refused for another reason (a CRC mismatch, an entry torn further on) reads cleanly.
    public var readCleanly: Bool
    /// Every finding that names this entry (errors first).
    public var findings: [Finding]
    /// The earlier entry with the same key, which nodeos uses instead of this one.
    public var duplicateOf: Int?

    /// Offset of the key's first byte (after its length varint).
    public var keyOffset: Int { offset + entry.keyLengthSize }
}

/// What a file holds, whatever its state.
public struct Salvage: Sendable {
    /// The full verdict (errors, warnings) the entries come from.
    public var verification: Verification
    /// Every entry that could be read, in file order, up to the damage if any.
    public var entries: [SalvagedEntry]
    /// Entries of the keys asked for (`salvage(_:keys:)`) found by their key beyond what
    /// was read in order, in offset order: evidence only, never clean.
    public var found: [FoundEntry] = []

    public var format: SafetyFormat? { verification.format }
    /// "Savanna safety.dat version 1, truncated in entry 2 (2 of 5 entries read)".
    public var headline: String { verification.headline }
    /// Every entry the header's count promises was read.
    public var complete: Bool { verification.entriesComplete && verification.file != nil }
    /// Where reading stopped early (offset, entry, what was wrong), when it did.
    public var stoppedAt: Finding? { verification.stoppedAt }

    /// The entries a repair can keep: read cleanly and nodeos's for their key (a later
    /// duplicate is dropped), in file order, bytes as read (padded lengths kept).
    public var keepable: [SalvagedEntry] { entries.filter { $0.readCleanly && $0.duplicateOf == nil } }
}

extension SafetyFileReader {
    /// Reads every entry that can be read, even from a file nodeos refuses: each with its
    /// offset, size and whether it read cleanly. Never throws; a file whose header cannot
    /// be read has no entries (its verification says why).
    public static func salvage(_ bytes: [UInt8], options: Options = .init()) -> Salvage {
        salvage(verify(bytes, options: options))
    }

    /// Reads in order as far as it can, then scans the whole file for each of `keys`
    /// (KeyScan): an entry after the damage, or in a file whose magic or count is zeroed,
    /// is found wherever it still is on disk. `found` holds those not read in order.
    public static func salvage(_ bytes: [UInt8], keys: [BLSPublicKey], options: Options = .init()) -> Salvage {
        var s = salvage(bytes, options: options)
        let savanna = s.format.map(\.isSavanna) ?? true
        if savanna && !keys.isEmpty {
            s.found = KeyScan.scan(bytes, for: keys, skipping: Set(s.entries.map(\.keyOffset)))
        }
        return s
    }

    /// The entries of a verification already made.
    public static func salvage(_ v: Verification) -> Salvage {
        guard let file = v.file else { return Salvage(verification: v, entries: []) }
        var byEntry = [Int: [Finding]]()
        for f in v.errors + v.warnings {
            if let i = f.entry { byEntry[i, default: []].append(f) }
        }
        let entries = file.entries.enumerated().map { i, e in
            let findings = byEntry[i] ?? []
            return SalvagedEntry(
                index: i, offset: i < v.entryOffsets.count ? v.entryOffsets[i] : -1, size: e.encodedSize(in: file.format),
                entry: e, readCleanly: !findings.contains { $0.severity == .error }, findings: findings,
                duplicateOf: v.duplicateOf[i])
        }
        return Salvage(verification: v, entries: entries)
    }
}
