import BLS12381

/// Reads every generation of the safety file with the checks of nodeos's loader, in the
/// same order (so the first error is the one nodeos reports), then adds warnings nodeos
/// does not give.
public enum SafetyFileReader {
    public struct Options: Sendable {
        /// Check every distinct key is a valid point in the prime-order subgroup (nodeos
        /// does). Off only for measuring raw decoding.
        public var checkKeys: Bool
        /// "Now", for the timestamps-in-the-future warning; nil skips that warning.
        public var now: BlockTimestamp?
        /// Threads for key checks (the only costly part of reading a file).
        public var keyCheckThreads: Int

        public init(checkKeys: Bool = true, now: BlockTimestamp? = nil, keyCheckThreads: Int = 2) {
            self.checkKeys = checkKeys
            self.now = now
            self.keyCheckThreads = keyCheckThreads
        }
    }

    /// Decodes, or throws the first error nodeos would stop at.
    public static func decode(_ bytes: [UInt8], options: Options = .init()) throws(Finding) -> SafetyFile {
        let v = verify(bytes, options: options)
        if let e = v.errors.first { throw e }
        return v.file!
    }

    public static func verify(_ bytes: [UInt8], options: Options = .init()) -> Verification {
        var r = ByteReader(bytes)
        guard !bytes.isEmpty else {
            return Verification(
                file: nil,
                errors: [Finding(.error, .empty, offset: 0, field: "magic", expected: "8 bytes", found: "an empty file")],
                warnings: [])
        }
        guard let magic = try? r.u64() else {
            return Verification(
                file: nil,
                errors: [
                    Finding(
                        .error, .truncated, offset: 0, field: "magic", expected: "8 bytes",
                        found: "\(bytes.count) byte\(bytes.count == 1 ? "" : "s")")
                ], warnings: [])
        }
        switch magic {
        case SafetyFormat.savannaMagic:
            return readSavanna(bytes, options: options)
        case SafetyFormat.hotStuffMagic:
            return readHotStuff(bytes, options: options)
        default:
            let note = DevelopmentEra.describeMagic(magic)
            return Verification(
                file: nil,
                errors: [
                    Finding(
                        .error, note == nil ? .magic : .developmentEra, offset: 0, field: "magic",
                        expected: "0x5AFE11115AFE1111 (Savanna) or 0x0123456789ABCDEF (HotStuff)",
                        found: hex64(magic), note: note ?? DevelopmentEra.guessForeign(bytes))
                ], warnings: [])
        }
    }

    // MARK: Savanna

    static func readSavanna(_ bytes: [UInt8], options: Options) -> Verification {
        var r = ByteReader(bytes, offset: 8)
        func fail(_ f: Finding) -> Verification { Verification(file: nil, errors: [f], warnings: []) }
        guard let version = try? r.u64() else {
            return fail(shortField(bytes, offset: 8, field: "version", size: 8))
        }
        if let devEra = DevelopmentEra.inspectSavanna(bytes, version: version) {
            return fail(devEra)
        }
        let format: SafetyFormat
        switch version {
        case 0: format = .savannaV0
        case 1: format = .savannaV1
        default:
            return fail(
                Finding(
                    .error, .version, offset: 8, field: "version", expected: "0 or 1",
                    found: "\(version)", note: "written by a newer or unknown build"))
        }
        guard let count = try? r.u64() else {
            return fail(shortField(bytes, offset: 16, field: "count", size: 8))
        }
        let entrySize = format.entrySize
        let tail = format == .savannaV1 ? 4 : 0
        // The count is checked against the size first: a huge count must never make us
        // reserve memory, and it says more than "short read" at the first missing entry.
        let room = (bytes.count - 24 - tail) / entrySize
        if count > UInt64(max(room, 0)) && (bytes.count - 24 - tail) % entrySize == 0 && bytes.count >= 24 + tail {
            return fail(
                Finding(
                    .error, .count, offset: 16, field: "count",
                    expected: "at most \(room) (file is \(bytes.count) bytes: 24-byte header, \(entrySize)-byte entries\(tail > 0 ? ", 4-byte CRC" : ""))",
                    found: "\(count) (needs \(needed(count, entrySize, 24 + tail)) bytes)"))
        }
        var entries = [SafetyEntry]()
        entries.reserveCapacity(Int(min(count, UInt64(max(room, 0)) + 1)))
        var errors = [Finding]()
        var i = 0
        while UInt64(i) < count {
            let start = r.offset
            if r.remaining < entrySize {
                // The file ends inside this entry (or before it).
                if count > UInt64(max(room, 0)) && r.remaining <= tail {
                    return fail(
                        Finding(
                            .error, .count, offset: 16, field: "count",
                            expected: "at most \(max(room, 0)) (file is \(bytes.count) bytes)",
                            found: "\(count) (needs \(needed(count, entrySize, 24 + tail)) bytes)"))
                }
                return fail(
                    Finding(
                        .error, .truncated, offset: start, entry: i, field: "entry",
                        expected: "\(entrySize) bytes", found: "\(r.remaining) byte\(r.remaining == 1 ? "" : "s") before the end of the file",
                        note: "the file ends inside entry \(i) of \(count)"))
            }
            let keyLength: UInt64?
            do { keyLength = try r.varint() } catch { keyLength = nil }
            if keyLength == 96 && r.offset != start + 1 {
                // fc would read a padded varint too, but no writer makes one and the
                // entry would no longer be 237 bytes: refuse rather than guess.
                return fail(
                    Finding(
                        .error, .keyLength, offset: start, entry: i, field: "key length",
                        expected: "96 as the one-byte varint 0x60", found: "96 padded to \(r.offset - start) bytes"))
            }
            if keyLength != 96 {
                if keyLength == 144 {
                    return fail(
                        Finding(
                            .error, .developmentEra, offset: start, entry: i, field: "key length",
                            expected: "96", found: "144",
                            note: "144-byte keys (Jacobian, Montgomery form) are a development-era layout; no release reads them"))
                }
                return fail(
                    Finding(
                        .error, .keyLength, offset: start, entry: i, field: "key length",
                        expected: "96", found: keyLength.map { "\($0)" } ?? "an unreadable varint"))
            }
            // A key length of 96 is one varint byte, so the entry is exactly entrySize bytes.
            let key = r.key()
            let lastVote = r.blockRef()
            let lock = r.blockRef()
            let state: SavannaSafety
            if format == .savannaV1 {
                let other = BlockTimestamp(slot: try! r.u32())
                state = SavannaSafety(lastVote: lastVote, lock: lock, otherBranchLatestTime: other)
            } else {
                let boolOffset = r.offset
                let b = try! r.u8()
                if b > 1 {
                    errors.append(
                        Finding(
                            .error, .bool, offset: boolOffset, entry: i, field: "votes_forked_since_latest_strong_vote",
                            expected: "0 or 1", found: "\(b)"))
                }
                // nodeos's conversion to version 1: true -> the last vote's time, false -> 0.
                state = SavannaSafety(
                    lastVote: lastVote, lock: lock,
                    otherBranchLatestTime: b == 1 ? lastVote.timestamp : .zero,
                    votesForkedSinceLatestStrongVote: b == 1)
            }
            entries.append(SafetyEntry(key: key, state: .savanna(state)))
            i += 1
        }
        var storedCRC: UInt32?
        var computedCRC: UInt32?
        if format == .savannaV1 {
            let crcOffset = r.offset
            guard let stored = try? r.u32() else {
                return fail(
                    Finding(
                        .error, .truncated, offset: crcOffset, field: "crc", expected: "4 bytes",
                        found: "\(r.remaining) byte\(r.remaining == 1 ? "" : "s")", note: "the file ends before its CRC-32"))
            }
            let computed = CRC32.checksum(bytes[0..<crcOffset])
            storedCRC = stored
            computedCRC = computed
            if stored != computed {
                errors.append(
                    Finding(
                        .error, .crc, offset: crcOffset, field: "crc",
                        expected: "\(CRC32.text(computed)) (CRC-32 of bytes 0..<\(crcOffset))", found: CRC32.text(stored)))
            }
        }
        let trailing = Array(bytes[r.offset...])
        let file = SafetyFile(format: format, entries: entries, trailingBytes: trailing)
        return finish(file, bytes: bytes, endOffset: r.offset, errors: errors, storedCRC: storedCRC, computedCRC: computedCRC, options: options)
    }

    // MARK: HotStuff

    static func readHotStuff(_ bytes: [UInt8], options: Options) -> Verification {
        var r = ByteReader(bytes, offset: 8)
        func fail(_ f: Finding) -> Verification { Verification(file: nil, errors: [f], warnings: []) }
        let count: UInt64
        do {
            count = try r.varint()
        } catch {
            switch error {
            case .short: return fail(shortField(bytes, offset: 8, field: "count (varint)", size: 1))
            case .tooLong(let o):
                return fail(Finding(.error, .varint, offset: o, field: "count (varint)", expected: "at most 10 bytes", found: "a longer varint"))
            }
        }
        let headerSize = r.offset
        if headerSize != 8 + varintSize(count) {
            // fc writes the shortest form; a padded count could not be written back
            // byte-identical, so the tool refuses rather than rewrite it differently.
            return fail(
                Finding(
                    .error, .varint, offset: 8, field: "count (varint)", expected: "the \(varintSize(count))-byte form fc writes",
                    found: "\(count) padded to \(headerSize - 8) bytes", note: "not written by nodeos's serializer"))
        }
        let room = (bytes.count - headerSize) / 181
        if count > UInt64(room) && (bytes.count - headerSize) % 181 == 0 {
            return fail(
                Finding(
                    .error, .count, offset: 8, field: "count",
                    expected: "at most \(room) (file is \(bytes.count) bytes: \(headerSize)-byte header, 181-byte entries)",
                    found: "\(count) (needs \(needed(count, 181, headerSize)) bytes)"))
        }
        var entries = [SafetyEntry]()
        entries.reserveCapacity(Int(min(count, UInt64(room) + 1)))
        var warnings = [Finding]()
        var errors = [Finding]()
        for i in 0..<Int(min(count, UInt64(Int.max))) {
            let start = r.offset
            guard r.remaining >= 181 else {
                return fail(
                    Finding(
                        .error, .truncated, offset: start, entry: i, field: "entry",
                        expected: "181 bytes", found: "\(r.remaining) byte\(r.remaining == 1 ? "" : "s") before the end of the file",
                        note: "the file ends inside entry \(i) of \(count)"))
            }
            let raw = Array(try! r.take(144))
            let affine = raw.withUnsafeBytes { G1.affineLE(fromJacobianMontgomeryLE: $0) }
            guard let affine else {
                // A coordinate is not a field element: there is no point to speak of.
                errors.append(
                    Finding(
                        .error, .keyNotCanonical, offset: start, entry: i, field: "key (Jacobian, Montgomery)",
                        expected: "coordinates below p", found: "a coordinate not below p"))
                return Verification(file: nil, errors: errors, warnings: warnings)
            }
            let key = BLSPublicKey(bytes: affine)
            let bheight = try! r.u32()
            let pcounter = try! r.u8()
            let bLock = try! r.bytes32()
            entries.append(
                SafetyEntry(
                    key: key, state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: bheight, pcounter: pcounter), bLock: bLock)),
                    hotStuffKeyBytes: raw))
            if pcounter > 3 {
                warnings.append(
                    Finding(
                        .warning, .bool, offset: start + 148, entry: i, field: "_vheight.pcounter",
                        expected: "0..3 (a HotStuff phase)", found: "\(pcounter)"))
            }
        }
        let file = SafetyFile(format: .hotStuff, entries: entries, trailingBytes: Array(bytes[r.offset...]))
        var v = finish(file, bytes: bytes, endOffset: r.offset, errors: errors, storedCRC: nil, computedCRC: nil, options: options)
        v.warnings.insert(contentsOf: warnings, at: 0)
        return v
    }

    // MARK: checks shared by every format

    static func finish(
        _ file: SafetyFile, bytes: [UInt8], endOffset: Int, errors: [Finding], storedCRC: UInt32?, computedCRC: UInt32?,
        options: Options
    ) -> Verification {
        var errors = errors
        var warnings = [Finding]()
        let layout = EntryLayout(file.format, headerSize: file.format == .hotStuff ? 8 + varintSize(UInt64(file.entries.count)) : 24)

        // Duplicate keys: nodeos keeps the first. Each distinct key is checked once.
        let duplicates = DuplicateKeys.find(file.entries)
        for (i, first) in duplicates.firstEntry.sorted(by: { $0.key < $1.key }) {
            warnings.append(
                Finding(
                    .warning, .duplicateKey, offset: layout.keyOffset(i), entry: i, field: "key",
                    expected: "each key once", found: "the key of entry \(first) again",
                    note: "nodeos uses entry \(first) and ignores this one"))
        }
        let distinct = duplicates.distinct

        if options.checkKeys {
            let results = KeyChecker.check(file.entries, at: distinct, threads: options.keyCheckThreads)
            for (n, i32) in distinct.enumerated() {
                let i = Int(i32)
                let result = results[n]
                let o = layout.keyOffset(i)
                let hotStuff = file.format == .hotStuff
                func keyFinding(_ check: Finding.Check, _ expected: String, _ found: String) {
                    if hotStuff {
                        // The HotStuff loader copied the point in without checking it.
                        warnings.append(
                            Finding(
                                .warning, .hotStuffKeyInvalid, offset: o, entry: i, field: "key", expected: expected, found: found,
                                note: "the HotStuff loader did not check keys, but this key cannot be a finalizer's"))
                    } else {
                        errors.append(Finding(.error, check, offset: o, entry: i, field: "key", expected: expected, found: found))
                    }
                }
                switch result {
                case .valid: break
                case .infinity:
                    warnings.append(
                        Finding(
                            .warning, .keyAtInfinity, offset: o, entry: i, field: "key",
                            expected: "a point other than infinity", found: "x = y = 0 (the point at infinity)",
                            note: "nodeos loads it, but no finalizer can have this key"))
                case .xNotCanonical:
                    keyFinding(.keyNotCanonical, "x below the field modulus p", "x >= p")
                case .yNotCanonical:
                    keyFinding(.keyNotCanonical, "y below the field modulus p", "y >= p")
                case .notOnCurve:
                    keyFinding(.keyNotOnCurve, "a point on y^2 = x^3 + 4", "a point not on the curve")
                case .notInSubgroup:
                    keyFinding(.keyNotInSubgroup, "a point in the prime-order subgroup", "a point on the curve outside the subgroup")
                }
            }
        }
        // nodeos reports the first failure in file order.
        errors.sort { $0.offset < $1.offset }

        for (i, e) in file.entries.enumerated() {
            switch e.state {
            case .savanna(let s):
                if s.lock.isEmpty {
                    warnings.append(
                        Finding(
                            .warning, .noLock, offset: layout.lockOffset(i), entry: i, field: "lock",
                            expected: "a lock", found: "an all-zero lock", note: "this key cannot vote until it is reset"))
                } else if !s.lastVote.isEmpty && s.lastVote.timestamp < s.lock.timestamp {
                    warnings.append(
                        Finding(
                            .warning, .lastVoteOlderThanLock, offset: layout.lastVoteOffset(i), entry: i, field: "last_vote.timestamp",
                            expected: "at or after the lock's \(s.lock.timestamp.iso8601)",
                            found: "\(s.lastVote.timestamp.iso8601), \(Durations.describe(slots: Int64(s.lock.timestamp.slot) - Int64(s.lastVote.timestamp.slot))) earlier"))
                }
                if let now = options.now {
                    for (field, t, o) in [
                        ("last_vote.timestamp", s.lastVote.timestamp, layout.lastVoteOffset(i) + 32),
                        ("lock.timestamp", s.lock.timestamp, layout.lockOffset(i) + 32),
                        ("other_branch_latest_time", s.otherBranchLatestTime, layout.lockOffset(i) + 68),
                    ] where t > now {
                        warnings.append(
                            Finding(
                                .warning, .futureTimestamp, offset: o, entry: i, field: field,
                                expected: "a time before now (\(now.iso8601))",
                                found: "\(t.iso8601), \(Durations.describe(slots: Int64(t.slot) - Int64(now.slot))) ahead"))
                    }
                }
            case .hotStuff(let h):
                if h.bLock.isZero {
                    warnings.append(
                        Finding(
                            .warning, .noLock, offset: layout.lockOffset(i), entry: i, field: "_b_lock",
                            expected: "a proposal id", found: "32 zero bytes", note: "no lock"))
                }
            }
        }
        if !file.trailingBytes.isEmpty {
            warnings.append(
                Finding(
                    .warning, .trailingBytes, offset: endOffset, field: "end of file",
                    expected: "the file to end at byte \(endOffset)",
                    found: "\(file.trailingBytes.count) more byte\(file.trailingBytes.count == 1 ? "" : "s")",
                    note: "nodeos ignores them"))
        }
        warnings.sort { ($0.offset, $0.check.rawValue) < ($1.offset, $1.check.rawValue) }
        return Verification(
            file: file, errors: errors, warnings: warnings, storedCRC: storedCRC, computedCRC: computedCRC,
            duplicateOf: duplicates.firstEntry)
    }

    static func shortField(_ bytes: [UInt8], offset: Int, field: String, size: Int) -> Finding {
        let have = max(0, bytes.count - offset)
        return Finding(
            .error, .truncated, offset: offset, field: field, expected: "\(size) byte\(size == 1 ? "" : "s")",
            found: "\(have) byte\(have == 1 ? "" : "s") (file is \(bytes.count) bytes)")
    }

    static func needed(_ count: UInt64, _ entrySize: Int, _ fixed: Int) -> String {
        let (m, o1) = count.multipliedReportingOverflow(by: UInt64(entrySize))
        let (s, o2) = m.addingReportingOverflow(UInt64(fixed))
        return o1 || o2 ? "more than 2^64" : "\(s)"
    }
}

/// Where each field of entry i starts.
struct EntryLayout {
    let format: SafetyFormat
    let headerSize: Int
    init(_ format: SafetyFormat, headerSize: Int) {
        self.format = format
        self.headerSize = headerSize
    }
    func entryOffset(_ i: Int) -> Int { headerSize + format.entrySize * i }
    /// The key bytes (after the length byte for Savanna).
    func keyOffset(_ i: Int) -> Int { entryOffset(i) + (format.isSavanna ? 1 : 0) }
    func lastVoteOffset(_ i: Int) -> Int { format.isSavanna ? entryOffset(i) + 97 : entryOffset(i) + 144 }
    func lockOffset(_ i: Int) -> Int { format.isSavanna ? entryOffset(i) + 97 + 68 : entryOffset(i) + 149 }
}

extension ByteReader {
    mutating func key() -> BLSPublicKey {
        BLSPublicKey(a: try! bytes32(), b: try! bytes32(), c: try! bytes32())
    }

    mutating func blockRef() -> BlockRef {
        let id = try! bytes32()
        let t = BlockTimestamp(slot: try! u32())
        let d = try! bytes32()
        return BlockRef(blockID: id, timestamp: t, finalityDigest: d)
    }
}

func hex64(_ v: UInt64) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 16 - s.count) + s
}


/// Human durations for block and slot distances.
public enum Durations {
    /// `1,234 slots = 10m 17s` style: whole units, largest first.
    public static func describe(slots: Int64) -> String {
        describe(milliseconds: slots * 500)
    }

    public static func describe(milliseconds ms: Int64) -> String {
        var s = abs(ms) / 1000
        let half = abs(ms) % 1000 != 0
        let d = s / 86_400; s %= 86_400
        let h = s / 3600; s %= 3600
        let m = s / 60; s %= 60
        var parts = [String]()
        if d > 0 { parts.append("\(d)d") }
        if h > 0 { parts.append("\(h)h") }
        if m > 0 { parts.append("\(m)m") }
        if s > 0 || half || parts.isEmpty { parts.append(half ? "\(s).5s" : "\(s)s") }
        return parts.prefix(2).joined(separator: " ")
    }
}
