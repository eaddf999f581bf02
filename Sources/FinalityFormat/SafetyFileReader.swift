import BLS12381

/// Reads every generation of the safety file with exactly the checks of the program that
/// loads it, in the same order (so the first error is the one that program stops at), then
/// adds warnings it does not give.
///
/// Savanna files follow spring's loader (AntelopeIO/spring libraries/chain/finalizer.cpp
/// @94475fb): `load_finalizer_safety_info` (308-378) reads the magic (337-340), the
/// version, refused only when > 1 (344-347), then `load_finalizer_safety_info_v0/_v1`
/// (274-306) read a u64 count and that many entries with no check of the count against
/// the size, inserting each into a map with `emplace` (the first of two equal keys wins),
/// then for version 1 the CRC-32 of every byte read so far (364-371). Nothing after that is
/// read. Any throw is "corrupted finalizer safety persistence file" (375). Each key goes
/// through `bls_public_key`'s `operator>>` (libraries/libfc/include/fc/crypto/
/// bls_public_key.hpp:65-73 @53673ea): an `fc::unsigned_int` length that must be 96 (see
/// `ByteReader.fcUnsignedInt`), 96 bytes, then `from_affine_bytes_le` →
/// `g1::fromAffineBytesLE(.check_valid = true)`: coordinates below p, infinity returned
/// before the curve check, on the curve; NO subgroup check. A v0 bool must be 0 or 1
/// (fc raw.hpp:321-327 `FC_ASSERT((b & ~1) == 0)`).
public enum SafetyFileReader {
    public struct Options: Sendable {
        /// Run the loader's key checks (canonical coordinates, on the curve): part of the
        /// verdict. Off only for measuring raw decoding.
        public var checkKeys: Bool
        /// Also check each distinct key is in the prime-order subgroup (a warning only:
        /// nodeos does not check it). The costly part; a caller that wants the verdict at
        /// decode speed turns it off and calls `subgroupWarnings` afterwards.
        public var checkSubgroup: Bool
        /// "Now", for the timestamps-in-the-future warning; nil skips that warning.
        public var now: BlockTimestamp?
        /// Threads for key checks.
        public var keyCheckThreads: Int
        /// The file's size when `bytes` is only its start (`SafetyFileInput.readStart`: a
        /// file larger than its header accounts for is read no further). The rest is
        /// trailing bytes, which nodeos never reads (see `finish`); nil: `bytes` is all.
        public var fileSize: Int?
        /// The CRC-32 of `bytes[0..<end]`, computed beside the read (`SafetyFileInput`):
        /// used when the stored CRC is at `end`, instead of a second pass over the bytes.
        public var knownCRC: (end: Int, crc: UInt32)?

        public init(checkKeys: Bool = true, checkSubgroup: Bool = true, now: BlockTimestamp? = nil, keyCheckThreads: Int = 2) {
            self.checkKeys = checkKeys
            self.checkSubgroup = checkSubgroup
            self.now = now
            self.keyCheckThreads = keyCheckThreads
        }
    }

    /// Decodes, or throws the first error the loader would stop at.
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
        func fail(_ f: Finding, format: SafetyFormat? = nil) -> Verification {
            Verification(file: nil, errors: [f], warnings: [], format: format)
        }
        guard let version = try? r.u64() else {
            return fail(shortField(bytes, offset: 8, field: "version", size: 8))
        }
        if let devEra = DevelopmentEra.inspectSavanna(bytes, version: version) {
            return fail(devEra, format: version == 1 ? .savannaV1 : nil)
        }
        let format: SafetyFormat
        switch version {
        case 0: format = .savannaV0
        case 1: format = .savannaV1
        default:
            // finalizer.cpp:346: `file_version <= current_safety_file_version`, as a u64.
            return fail(
                Finding(
                    .error, .version, offset: 8, field: "version", expected: "0 or 1",
                    found: "\(version)", note: "written by a newer or unknown build"))
        }
        guard let count = try? r.u64() else {
            return fail(shortField(bytes, offset: 16, field: "count", size: 8), format: format)
        }
        let entrySize = format.entrySize
        let tail = format == .savannaV1 ? 4 : 0
        // An entry is never shorter than entrySize (a padded length only adds bytes), so a
        // count above `room` is sure to make nodeos read past the end: it is the cause to
        // name. And a huge count never makes the reader reserve memory.
        let room = max(0, bytes.count - 24 - tail) / entrySize
        // When the file holds whole entries (and the CRC) but fewer than the count, the
        // count is the cause; when it ends mid-entry, it is a torn or truncated file.
        let countTooLarge = count > UInt64(room) && bytes.count >= 24 + tail && (bytes.count - 24 - tail) % entrySize == 0
        var entries = [SafetyEntry]()
        var offsets = [Int]()
        entries.reserveCapacity(Int(min(count, UInt64(room))))
        offsets.reserveCapacity(Int(min(count, UInt64(room))))
        var errors = [Finding]()
        var warnings = [Finding]()
        var stoppedAt: Finding?
        let source = EntrySource(bytes: bytes, v0: format == .savannaV0)
        if countTooLarge {
            // The cause, named once, first; where the read then fails is `stoppedAt`.
            errors.append(Finding(
                .error, .count, offset: 16, field: "count",
                expected: "at most \(grouped(room)) (file is \(grouped(bytes.count)) bytes: 24-byte header, \(entrySize)-byte entries\(tail > 0 ? ", 4-byte CRC" : ""))",
                found: "\(grouped(count)) (needs \(needed(count, entrySize, 24 + tail)) bytes)"))
        }
        var i = 0
        reading: while UInt64(i) < count {
            let start = r.offset
            func truncated() -> Finding {
                let left = bytes.count - start
                return Finding(
                    .error, .truncated, offset: start, entry: i, field: "entry",
                    expected: "\(entrySize) bytes", found: "\(left) byte\(left == 1 ? "" : "s") before the end of the file",
                    note: "the file ends inside entry \(grouped(i)) of \(grouped(count))")
            }
            func stop(_ f: Finding) {
                stoppedAt = f
                errors.append(f)
            }
            func shortRead() {
                let t = truncated()
                if countTooLarge { stoppedAt = t } else { stop(t) }
            }
            guard let length = try? r.fcUnsignedInt() else {
                shortRead()
                break reading
            }
            let (keyLength, lengthSize) = length
            if keyLength != 96 {
                let padded = lengthSize > varintSize(UInt64(keyLength))
                let found = "\(keyLength)" + (padded ? " (read by fc from the \(lengthSize)-byte varint \(Hex.encode(bytes[start..<start + lengthSize])))" : "")
                if keyLength == 144 {
                    stop(Finding(
                        .error, .developmentEra, offset: start, entry: i, field: "key length", expected: "96", found: found,
                        note: "144-byte keys (Jacobian, Montgomery form) are a development-era layout; no release reads them"))
                } else {
                    stop(Finding(.error, .keyLength, offset: start, entry: i, field: "key length", expected: "96", found: found))
                }
                break reading
            }
            guard r.remaining >= entrySize - 1 else {
                shortRead()
                break reading
            }
            if lengthSize > 1 {
                let raw = Array(bytes[start..<start + lengthSize])
                warnings.append(
                    Finding(
                        .warning, .paddedKeyLength, offset: start, entry: i, field: "key length",
                        expected: "the one-byte varint 60 that nodeos writes",
                        found: "96 padded to \(lengthSize) bytes (\(Hex.encode(raw)))",
                        note: "fc reads it as 96, so nodeos loads it; a rewrite keeps these bytes, nodeos's own next save writes 60"))
            }
            // The entry stays in the file's bytes (decoded on access: see `SafetyEntry`);
            // only the version 0 bool is checked here (the keys are checked in `finish`).
            try! r.skip(entrySize - 1 - (format == .savannaV0 ? 1 : 0))
            if format == .savannaV0 {
                let boolOffset = r.offset
                let b = try! r.u8()
                if b > 1 {
                    errors.append(
                        Finding(
                            .error, .bool, offset: boolOffset, entry: i, field: "votes_forked_since_latest_strong_vote",
                            expected: "0 or 1", found: "\(b)"))
                }
            }
            entries.append(SafetyEntry(source: source, offset: start))
            offsets.append(start)
            i += 1
        }
        var storedCRC: UInt32?
        var computedCRC: UInt32?
        if format == .savannaV1 && stoppedAt == nil {
            let crcOffset = r.offset
            if let stored = try? r.u32() {
                // The CRC covers every byte read before it, padding of a key length included.
                let computed = options.knownCRC.flatMap { $0.end == crcOffset ? $0.crc : nil } ?? CRC32.checksum(bytes[0..<crcOffset])
                storedCRC = stored
                computedCRC = computed
                if stored != computed {
                    errors.append(
                        Finding(
                            .error, .crc, offset: crcOffset, field: "crc",
                            expected: "\(CRC32.text(computed)) (CRC-32 of bytes 0..<\(crcOffset))", found: CRC32.text(stored)))
                }
            } else {
                errors.append(
                    Finding(
                        .error, .truncated, offset: crcOffset, field: "crc", expected: "4 bytes",
                        found: "\(r.remaining) byte\(r.remaining == 1 ? "" : "s")", note: "the file ends before its CRC-32"))
            }
        }
        let complete = stoppedAt == nil
        let trailing = complete ? Array(bytes[r.offset...]) : []
        let file = SafetyFile(format: format, entries: entries, trailingBytes: trailing)
        var v = finish(
            file, bytes: bytes, offsets: offsets, endOffset: r.offset, errors: errors, storedCRC: storedCRC, computedCRC: computedCRC,
            options: options)
        v.warnings += warnings
        v.warnings.sort { ($0.offset, $0.check.rawValue) < ($1.offset, $1.check.rawValue) }
        v.entriesComplete = complete
        v.declaredCount = count
        v.stoppedAt = stoppedAt
        return v
    }

    // MARK: HotStuff

    /// The Leap HotStuff prototype's `safety_db.dat` (leap cedbc5128, qc_chain.cpp): the
    /// tool's long-standing rules for it are kept; its loader did not check keys.
    static func readHotStuff(_ bytes: [UInt8], options: Options) -> Verification {
        var r = ByteReader(bytes, offset: 8)
        func fail(_ f: Finding) -> Verification { Verification(file: nil, errors: [f], warnings: [], format: .hotStuff) }
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
                    found: "\(grouped(count)) padded to \(headerSize - 8) bytes", note: "not written by nodeos's serializer"))
        }
        let room = (bytes.count - headerSize) / 181
        var entries = [SafetyEntry]()
        var offsets = [Int]()
        entries.reserveCapacity(Int(min(count, UInt64(room))))
        offsets.reserveCapacity(Int(min(count, UInt64(room))))
        var warnings = [Finding]()
        var errors = [Finding]()
        var stoppedAt: Finding?
        var i = 0
        while UInt64(i) < count {
            let start = r.offset
            guard r.remaining >= 181 else {
                let t = Finding(
                    .error, .truncated, offset: start, entry: i, field: "entry",
                    expected: "181 bytes", found: "\(r.remaining) byte\(r.remaining == 1 ? "" : "s") before the end of the file",
                    note: "the file ends inside entry \(grouped(i)) of \(grouped(count))")
                stoppedAt = t
                if count > UInt64(room) && (bytes.count - headerSize) % 181 == 0 {
                    errors.append(Finding(
                        .error, .count, offset: 8, field: "count",
                        expected: "at most \(grouped(room)) (file is \(grouped(bytes.count)) bytes: \(headerSize)-byte header, 181-byte entries)",
                        found: "\(grouped(count)) (needs \(needed(count, 181, headerSize)) bytes)"))
                } else {
                    errors.append(t)
                }
                break
            }
            let raw = Array(try! r.take(144))
            let affine = raw.withUnsafeBytes { G1.affineLE(fromJacobianMontgomeryLE: $0) }
            guard let affine else {
                // A coordinate is not a field element: there is no point to speak of.
                let f = Finding(
                    .error, .keyNotCanonical, offset: start, entry: i, field: "key (Jacobian, Montgomery)",
                    expected: "coordinates below p", found: "a coordinate not below p")
                stoppedAt = f
                errors.append(f)
                break
            }
            let key = BLSPublicKey(bytes: affine)
            let bheight = try! r.u32()
            let pcounter = try! r.u8()
            let bLock = try! r.bytes32()
            entries.append(
                SafetyEntry(
                    key: key, state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: bheight, pcounter: pcounter), bLock: bLock)),
                    hotStuffKeyBytes: raw))
            offsets.append(start)
            if pcounter > 3 {
                warnings.append(
                    Finding(
                        .warning, .bool, offset: start + 148, entry: i, field: "_vheight.pcounter",
                        expected: "0..3 (a HotStuff phase)", found: "\(pcounter)"))
            }
            i += 1
        }
        let complete = stoppedAt == nil
        let file = SafetyFile(format: .hotStuff, entries: entries, trailingBytes: complete ? Array(bytes[r.offset...]) : [])
        var v = finish(file, bytes: bytes, offsets: offsets, endOffset: r.offset, errors: errors, storedCRC: nil, computedCRC: nil, options: options)
        v.warnings.insert(contentsOf: warnings, at: 0)
        v.entriesComplete = complete
        v.declaredCount = count
        v.stoppedAt = stoppedAt
        return v
    }

    // MARK: checks shared by every format

    static func finish(
        _ file: SafetyFile, bytes: [UInt8], offsets: [Int], endOffset: Int, errors: [Finding], storedCRC: UInt32?, computedCRC: UInt32?,
        options: Options
    ) -> Verification {
        var errors = errors
        var warnings = [Finding]()
        let hotStuff = file.format == .hotStuff
        let layout = EntryLayout(file: file, offsets: offsets)

        // Duplicate keys: nodeos keeps the first (`emplace`). Each distinct key is checked once.
        // Keys read straight from the bytes (see `KeyReader`): no shared retains per key.
        let (duplicates, results): (DuplicateKeys.Result, [G1.KeyCheck]) = KeyReader.with(file.entries, offsets: offsets) { key in
            let n = file.entries.count
            guard options.checkKeys else { return (DuplicateKeys.find(count: n, key: key), []) }
            if options.checkSubgroup {
                // The costly checks: each distinct key once.
                let d = DuplicateKeys.find(count: n, key: key)
                return (d, KeyChecker.check(key: key, at: d.distinct, scope: .all, threads: options.keyCheckThreads))
            }
            // The loader's checks are cheap: every key, beside the duplicate search.
            let (all, d) = KeyChecker.checkLoadable(count: n, key: key, threads: options.keyCheckThreads) {
                DuplicateKeys.find(count: n, key: key)
            }
            return (d, d.distinct.map { all[Int($0)] })
        }
        for (i, first) in duplicates.firstEntry.sorted(by: { $0.key < $1.key }) {
            warnings.append(
                Finding(
                    .warning, .duplicateKey, offset: layout.keyOffset(i), entry: i, field: "key",
                    expected: "each key once", found: "the key of entry \(grouped(first)) again",
                    note: "nodeos uses entry \(grouped(first)) and ignores this one"))
        }
        let distinct = duplicates.distinct

        if options.checkKeys {
            for (n, i32) in distinct.enumerated() {
                let i = Int(i32)
                if let f = keyFinding(results[n], entry: i, offset: layout.keyOffset(i), hotStuff: hotStuff) {
                    if f.severity == .error { errors.append(f) } else { warnings.append(f) }
                }
            }
        }
        // The loader stops at the first failure in file order.
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
                // (Checked before the list is built: a million entries, a million lists.)
                if let now = options.now, s.lastVote.timestamp > now || s.lock.timestamp > now || s.otherBranchLatestTime > now {
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
        // Bytes past what was read (`Options.fileSize`): trailing bytes too. nodeos never
        // reads them: spring's `load_finalizer_safety_info` (libraries/chain/finalizer.cpp
        // @94475fb, 308-378) stops after the CRC (364-371), and `persist_file.checksum()`
        // covers only the bytes read before it, so they need no reading here either.
        let notRead = max(0, (options.fileSize ?? bytes.count) - bytes.count)
        let readPart = file.trailingBytes.count
        if readPart > 0 || (notRead > 0 && endOffset == bytes.count) {
            let n = readPart + notRead
            let unreadNote = notRead > 0 ? "; finality read \(grouped(Int64(readPart))) of them, no further than the header accounts for plus 1 MiB" : ""
            let minimum = file.format.entrySize
            if file.format.isSavanna && n >= minimum && readPart > 0 && file.trailingBytes[0] == 0x60 {
                // Looks like more entries: the count (u64 at offset 16) stops short of them.
                warnings.append(
                    Finding(
                        .warning, .unreadEntries, offset: endOffset, field: "end of file",
                        expected: "the file to end at byte \(endOffset) (the count is \(grouped(file.entries.count)))",
                        found: "\(grouped(n)) more bytes, room for \(grouped(n / minimum)) more entr\(n / minimum == 1 ? "y" : "ies")",
                        note: "nodeos reads only the entries the count gives and ignores the rest" + unreadNote))
            } else {
                warnings.append(
                    Finding(
                        .warning, .trailingBytes, offset: endOffset, field: "end of file",
                        expected: "the file to end at byte \(endOffset)",
                        found: "\(grouped(n)) more byte\(n == 1 ? "" : "s")",
                        note: "nodeos ignores them" + unreadNote))
            }
        }
        warnings.sort { ($0.offset, $0.check.rawValue) < ($1.offset, $1.check.rawValue) }
        return Verification(
            file: file, errors: errors, warnings: warnings, storedCRC: storedCRC, computedCRC: computedCRC,
            duplicateOf: duplicates.firstEntry, format: file.format, entryOffsets: offsets,
            subgroupChecked: !options.checkKeys || options.checkSubgroup, bytesNotRead: notRead)
    }

    /// The finding for one key's check result, nil when there is nothing to say.
    static func keyFinding(_ result: G1.KeyCheck, entry i: Int, offset o: Int, hotStuff: Bool) -> Finding? {
        func invalid(_ check: Finding.Check, _ expected: String, _ found: String) -> Finding {
            if hotStuff {
                // The HotStuff loader copied the point in without checking it.
                return Finding(
                    .warning, .hotStuffKeyInvalid, offset: o, entry: i, field: "key", expected: expected, found: found,
                    note: "the HotStuff loader did not check keys, but this key cannot be a finalizer's")
            }
            return Finding(.error, check, offset: o, entry: i, field: "key", expected: expected, found: found)
        }
        switch result {
        case .valid: return nil
        case .infinity:
            // g1::fromAffineBytesLE returns zero() before the curve check.
            return Finding(
                .warning, .keyAtInfinity, offset: o, entry: i, field: "key",
                expected: "a point other than infinity", found: "x = y = 0 (the point at infinity)",
                note: "nodeos loads it, but no finalizer can have this key")
        case .xNotCanonical: return invalid(.keyNotCanonical, "x below the field modulus p", "x >= p")
        case .yNotCanonical: return invalid(.keyNotCanonical, "y below the field modulus p", "y >= p")
        case .notOnCurve: return invalid(.keyNotOnCurve, "a point on y^2 = x^3 + 4", "a point not on the curve")
        case .notInSubgroup:
            // No subgroup check on load: only a warning, for every format.
            return Finding(
                .warning, .keyNotInSubgroup, offset: o, entry: i, field: "key",
                expected: "a point in the prime-order subgroup", found: "a point on the curve outside the subgroup",
                note: "nodeos loads it; this key can never sign a valid vote")
        }
    }

    /// The subgroup warnings of a verification made with `checkSubgroup: false`, for the
    /// keys the loader accepted: the costly checks, run after the verdict is shown.
    /// `background`: on threads of the lowest priority (the interface, while it answers keys).
    /// `cancellation` (background only): stop early; the warnings are then incomplete and
    /// the caller drops them.
    public static func subgroupWarnings(_ v: Verification, threads: Int = 2, background: Bool = false, cancellation: Cancellation? = nil) -> [Finding] {
        guard let file = v.file else { return [] }
        let layout = EntryLayout(file: file, offsets: v.entryOffsets)
        // Only keys the loader accepts: a HotStuff key off the curve is a warning, not an
        // error, so the errors cannot tell (a fuzzer finding); the curve check is cheap.
        let (distinct, results): ([Int32], [G1.KeyCheck]) = KeyReader.with(file.entries, offsets: v.entryOffsets) { key in
            let distinct = DuplicateKeys.find(count: file.entries.count, key: key).distinct.filter { key(Int($0)).checkLoadable() == .valid }
            let results =
                background
                ? KeyChecker.checkSubgroupInBackground(file.entries, at: distinct, threads: threads, cancellation: cancellation)
                : KeyChecker.check(key: key, at: distinct, scope: .subgroup, threads: threads)
            return (distinct, results)
        }
        var out = [Finding]()
        for (n, i32) in distinct.enumerated() where results[n] == .notInSubgroup {
            let i = Int(i32)
            // A HotStuff key off the curve is already a warning; only loadable keys get here.
            out.append(keyFinding(.notInSubgroup, entry: i, offset: layout.keyOffset(i), hotStuff: false)!)
        }
        return out
    }

    /// The subgroup warning of each of `entries` only (`show` of one entry need not check a
    /// million keys): as `subgroupWarnings` gives it, i.e. none for a later duplicate
    /// (its key is checked as the first entry's) or a key the loader refuses.
    public static func subgroupWarnings(_ v: Verification, entries: [Int]) -> [Finding] {
        guard let file = v.file, !v.subgroupChecked else { return [] }
        let layout = EntryLayout(file: file, offsets: v.entryOffsets)
        return entries.compactMap { i in
            guard i >= 0, i < file.entries.count, v.duplicateOf[i] == nil else { return nil }
            let key = file.entries[i].key
            guard key.checkLoadable() == .valid, !key.isInPrimeOrderSubgroup else { return nil }
            return keyFinding(.notInSubgroup, entry: i, offset: layout.keyOffset(i), hotStuff: false)
        }
    }

    static func shortField(_ bytes: [UInt8], offset: Int, field: String, size: Int) -> Finding {
        let have = max(0, bytes.count - offset)
        return Finding(
            .error, .truncated, offset: offset, field: field, expected: "\(size) byte\(size == 1 ? "" : "s")",
            found: "\(grouped(have)) byte\(have == 1 ? "" : "s") (file is \(grouped(bytes.count)) bytes)")
    }

    static func needed(_ count: UInt64, _ entrySize: Int, _ fixed: Int) -> String {
        let (m, o1) = count.multipliedReportingOverflow(by: UInt64(entrySize))
        let (s, o2) = m.addingReportingOverflow(UInt64(fixed))
        return o1 || o2 ? "more than 2^64" : grouped(s)
    }
}

/// Where each field of entry i starts (entries can differ in size: a padded key length).
struct EntryLayout {
    let file: SafetyFile
    let offsets: [Int]
    init(file: SafetyFile, offsets: [Int]) {
        self.file = file
        self.offsets = offsets
    }
    func entryOffset(_ i: Int) -> Int {
        i < offsets.count ? offsets[i] : (file.format.isSavanna ? 24 : 8) + file.format.entrySize * i
    }
    /// The key bytes (after the length varint for Savanna).
    func keyOffset(_ i: Int) -> Int {
        entryOffset(i) + (file.format.isSavanna ? file.entries[i].keyLengthSize : 0)
    }
    func lastVoteOffset(_ i: Int) -> Int { file.format.isSavanna ? keyOffset(i) + 96 : entryOffset(i) + 144 }
    func lockOffset(_ i: Int) -> Int { file.format.isSavanna ? keyOffset(i) + 96 + 68 : entryOffset(i) + 149 }
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
