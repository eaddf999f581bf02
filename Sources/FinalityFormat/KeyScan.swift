/// The salvage that does not stop at the first damage: with the keys known, every place in
/// the bytes where a key's 96-byte encoding appears is an entry of that key, whatever
/// came before it (a zeroed magic, a zeroed count, a torn or zeroed region, a key length
/// that is not 96). In a Savanna file an entry is the key length varint (nodeos writes
/// the one byte 0x60), the key, `last_vote` {id 32, timestamp 4, finality_digest 32},
/// `lock` {the same 68 bytes}, then version 1's u32 `other_branch_latest_time` (237
/// bytes in all) or version 0's bool (234) (format.md; spring libraries/chain/
/// finalizer.cpp). The values around a key found this way are evidence, never a clean
/// entry: no CRC vouches for a part of a file.

/// One entry found by its key.
public struct FoundEntry: Sendable, Hashable {
    /// Offset of the key's first byte.
    public var keyOffset: Int
    /// Offset of the entry's first byte: the key length byte before the key (nodeos
    /// writes one byte), or the key itself when it starts the file.
    public var offset: Int
    /// The entry's position if the file's entries were all whole from offset 24
    /// ((offset − 24) / entry size), and whether it falls exactly on that boundary.
    public var index: Int
    public var aligned: Bool
    /// Which version's tail was read after the lock (v0 and v1 differ only there).
    public var layout: SafetyFormat
    /// The key and what could be read after it; a part beyond the end of the file is
    /// empty (zero) and named in `problems`.
    public var entry: SafetyEntry
    /// Every byte of the entry is in the file.
    public var complete: Bool
    /// What is doubtful about it: the byte before the key is not 0x60, the file ends
    /// inside it, a v0 bool that is not 0 or 1, a layout that had to be guessed.
    public var problems: [String]

    /// The entry's last vote (never empty: a key whose last vote is all zero or cut
    /// before its timestamp is not reported).
    public var lastVote: BlockRef { entry.savanna?.lastVote ?? .empty }
}

public enum KeyScan {
    /// Bytes after the key that hold the last vote's block id and timestamp: the least a
    /// found key must be followed by to say anything about the key's last vote.
    static let lastVoteNeeded = 96 + 32 + 4

    /// Every occurrence of each key's 96 bytes in `bytes`, in offset order, with the entry
    /// around it, except at the key offsets in `skipping` (entries already read in order).
    /// An occurrence whose last vote is all zero (never voted) or is cut before its
    /// timestamp is left out: it holds no evidence of a last vote. Cost: one pass over the
    /// bytes for all the keys (a table of their first bytes, then 8 bytes, then the rest).
    public static func scan(_ bytes: [UInt8], for keys: [BLSPublicKey], skipping: Set<Int> = []) -> [FoundEntry] {
        guard bytes.count >= lastVoteNeeded, !keys.isEmpty else { return [] }
        let hint = Self.headerVersion(bytes) ?? Self.sizeFit(bytes.count)
        let distinct = Set(keys).sorted()
        var out = [FoundEntry]()
        for (keyOffset, i) in occurrences(of: distinct.map(\.bytes), in: bytes) where !skipping.contains(keyOffset) {
            if let found = read(bytes, key: distinct[i], keyOffset: keyOffset, hint: hint) { out.append(found) }
        }
        return out
    }

    /// Offsets where one of `needles` (96 bytes each) starts in `bytes`, with room after it
    /// for a last vote, in offset order, each with the index of the needle found there.
    static func occurrences(of needles: [[UInt8]], in bytes: [UInt8]) -> [(offset: Int, needle: Int)] {
        let last = bytes.count - lastVoteNeeded
        guard last >= 0, !needles.isEmpty else { return [] }
        // For each possible first byte, the needles that start with it.
        var byFirst = [[Int]](repeating: [], count: 256)
        for (i, n) in needles.enumerated() { byFirst[Int(n[0])].append(i) }
        let heads = needles.map { n in n.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } }
        var out = [(offset: Int, needle: Int)]()
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            var i = 0
            while i <= last {
                let candidates = byFirst[Int(raw[i])]
                if !candidates.isEmpty {
                    let head = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    for c in candidates where heads[c] == head {
                        let equal = needles[c].withUnsafeBytes { memoryEqual(base + i + 8, $0.baseAddress! + 8, 88) }
                        if equal { out.append((i, c)) }
                    }
                }
                i += 1
            }
        }
        return out
    }

    @inline(__always)
    static func memoryEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        var i = 0
        while i + 8 <= count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < count {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    /// The version the header names, when the magic is Savanna's and the version 0 or 1.
    static func headerVersion(_ bytes: [UInt8]) -> SafetyFormat? {
        guard bytes.count >= 16 else { return nil }
        var r = ByteReader(bytes)
        guard let magic = try? r.u64(), magic == SafetyFormat.savannaMagic, let version = try? r.u64() else { return nil }
        return version == 0 ? .savannaV0 : version == 1 ? .savannaV1 : nil
    }

    /// The version whose whole-file size this is (24 + 237·n + 4, or 24 + 234·n), when
    /// only one fits.
    static func sizeFit(_ n: Int) -> SafetyFormat? {
        let v1 = n >= 28 && (n - 28) % SafetyFormat.savannaV1.entrySize == 0
        let v0 = n >= 24 && (n - 24) % SafetyFormat.savannaV0.entrySize == 0
        return v1 == v0 ? nil : v1 ? .savannaV1 : .savannaV0
    }

    /// Which tail follows the lock at entry offset `start`: the version on whose entry
    /// boundary it lies, then the header's version (else the one the file's size fits:
    /// `headerVersion` is that hint), then version 1 (what nodeos writes).
    static func layout(at start: Int, headerVersion: SafetyFormat?) -> (SafetyFormat, String?) {
        let v1 = start >= 24 && (start - 24) % SafetyFormat.savannaV1.entrySize == 0
        let v0 = start >= 24 && (start - 24) % SafetyFormat.savannaV0.entrySize == 0
        switch (v1, v0) {
        case (true, false): return (.savannaV1, nil)
        case (false, true): return (.savannaV0, nil)
        case (true, true): return (headerVersion ?? .savannaV1, nil)
        case (false, false):
            let chosen = headerVersion ?? .savannaV1
            return (chosen, "not on an entry boundary of either version: its last field read as \(chosen == .savannaV0 ? "version 0's bool" : "version 1's other_branch_latest_time")")
        }
    }

    static func read(_ bytes: [UInt8], key: BLSPublicKey, keyOffset k: Int, hint: SafetyFormat?) -> FoundEntry? {
        var problems = [String]()
        let start = k > 0 ? k - 1 : 0
        if k == 0 {
            problems.append("the key starts the file: no key length before it")
        } else if bytes[k - 1] != 0x60 {
            problems.append("the byte before the key is \(Hex.encode([bytes[k - 1]])), not the key length 60 (damaged, or a padded length)")
        }
        let (layout, guess) = self.layout(at: start, headerVersion: hint)
        if let guess { problems.append(guess) }
        func ref(at o: Int, field: String) -> BlockRef {
            guard o + 36 <= bytes.count else {
                if o < bytes.count { problems.append("the file ends inside its \(field)") } else { problems.append("the file ends before its \(field)") }
                return .empty
            }
            var r = ByteReader(bytes, offset: o)
            let id = Bytes32(Array(bytes[o..<o + 32]))
            try! r.skip(32)
            let time = BlockTimestamp(slot: try! r.u32())
            var digest = Bytes32.zero
            if o + 68 <= bytes.count {
                digest = Bytes32(Array(bytes[o + 36..<o + 68]))
            } else {
                problems.append("the file ends inside its \(field).finality_digest (read as zero)")
            }
            return BlockRef(blockID: id, timestamp: time, finalityDigest: digest)
        }
        let lastVote = ref(at: k + 96, field: "last_vote")
        guard !lastVote.isEmpty else { return nil }
        let lockOffset = k + 96 + 68
        var lock = BlockRef.empty
        if lockOffset < bytes.count { lock = ref(at: lockOffset, field: "lock") } else { problems.append("the file ends before its lock") }
        let tail = k + 96 + 68 + 68
        let state: SavannaSafety
        if layout == .savannaV0 {
            if tail < bytes.count {
                let b = bytes[tail]
                if b > 1 { problems.append("votes_forked_since_latest_strong_vote is \(b), not 0 or 1") }
                state = SavannaSafety(
                    lastVote: lastVote, lock: lock, otherBranchLatestTime: b == 1 ? lastVote.timestamp : .zero,
                    votesForkedSinceLatestStrongVote: b == 1)
            } else {
                if lockOffset < bytes.count { problems.append("the file ends before votes_forked_since_latest_strong_vote") }
                state = SavannaSafety(lastVote: lastVote, lock: lock, votesForkedSinceLatestStrongVote: false)
            }
        } else {
            if tail + 4 <= bytes.count {
                var r = ByteReader(bytes, offset: tail)
                state = SavannaSafety(lastVote: lastVote, lock: lock, otherBranchLatestTime: BlockTimestamp(slot: try! r.u32()))
            } else {
                if lockOffset < bytes.count { problems.append("the file ends before other_branch_latest_time") }
                state = SavannaSafety(lastVote: lastVote, lock: lock)
            }
        }
        let size = layout.entrySize
        let complete = start + size <= bytes.count && k > 0
        return FoundEntry(
            keyOffset: k, offset: start, index: start >= 24 ? (start - 24) / size : 0, aligned: start >= 24 && (start - 24) % size == 0,
            layout: layout, entry: SafetyEntry(key: key, state: .savanna(state)), complete: complete, problems: problems)
    }
}
