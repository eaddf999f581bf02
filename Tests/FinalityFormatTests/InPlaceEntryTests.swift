import FinalityFormat
import Testing
import FinalityTestSupport

/// Entries read in place (issue 7: a million-entry file costs its own bytes, not a
/// decoded copy more), the columns the interface searches and sorts by, and a file read
/// only as far as its header accounts for.
@Suite("Entries read in place, key-text and sort columns, unread trailing bytes")
struct InPlaceEntryTests {
    static func file(_ n: Int, format: SafetyFormat = .savannaV1, seed: UInt64 = 7) -> SafetyFile {
        var g = SplitMix(seed: seed)
        var entries = [SafetyEntry]()
        for i in 0..<n {
            let key = BLSPublicKey(bytes: g.bytes(96))
            let lastVote: BlockRef = g.blockRef()
            let lock: BlockRef = i % 3 == 0 ? .empty : g.blockRef()
            let other = format == .savannaV0 ? BlockTimestamp.zero : BlockTimestamp(slot: UInt32(i))
            let forked: Bool? = format == .savannaV0 ? i % 2 == 0 : nil
            let s = SavannaSafety(lastVote: lastVote, lock: lock, otherBranchLatestTime: other, votesForkedSinceLatestStrongVote: forked)
            let length: [UInt8]? = i % 4 == 1 ? [0xE0, 0x80, 0x00] : nil
            entries.append(SafetyEntry(key: key, state: .savanna(s), keyLengthBytes: length))
        }
        return SafetyFile(format: format, entries: entries)
    }

    @Test("every field of an entry read in place equals the decoded one; a change stores values", arguments: [SafetyFormat.savannaV1, .savannaV0])
    func fields(_ format: SafetyFormat) throws {
        var f = Self.file(40, format: format)
        if format == .savannaV0 {
            // Version 0 stores the bool; the reader derives other_branch_latest_time from it.
            f = SafetyFileReader.verify(SafetyFileWriter.encode(f), options: .init(checkKeys: false)).file!
        }
        let bytes = SafetyFileWriter.encode(f)
        let read = try #require(SafetyFileReader.verify(bytes, options: .init(checkKeys: false)).file)
        #expect(read.entries.count == f.entries.count)
        for (a, b) in zip(read.entries, f.entries) {
            #expect(a.key == b.key)
            #expect(a.state == b.state)
            #expect(a.keyLengthBytes == b.keyLengthBytes)
            #expect(a.keyLengthSize == (b.keyLengthBytes?.count ?? 1))
            #expect(a == b)
            #expect(a.hashValue == b.hashValue)
        }
        #expect(sameBytes(SafetyFileWriter.encode(read), bytes) == nil)
        // Decoded per run from the bytes (list --json's threads): the same entries.
        let offsets = SafetyFileReader.verify(bytes, options: .init(checkKeys: false)).entryOffsets
        var seen = [Int]()
        EntryRuns(read.entries, offsets: offsets).forEach(3, 37) { i, e in
            seen.append(i)
            #expect(e == read.entries[i])
            #expect(e.keyLengthBytes == read.entries[i].keyLengthBytes)
        }
        #expect(seen == Array(3..<37))
        // A changed file (not all in place) gives its entries as they are.
        var mixed = read
        mixed.entries[2].keyLengthBytes = nil
        EntryRuns(mixed.entries, offsets: offsets).forEach(0, 40) { i, e in #expect(e == mixed.entries[i]) }
        // A change to one entry changes that entry only.
        var changed = read
        changed.entries[5].state = .savanna(SavannaSafety(lastVote: .empty, lock: .empty, votesForkedSinceLatestStrongVote: format == .savannaV0 ? false : nil))
        changed.entries[9].keyLengthBytes = nil
        #expect(changed.entries[4] == read.entries[4])
        #expect(changed.entries[5] != read.entries[5])
        let again = try #require(SafetyFileReader.verify(SafetyFileWriter.encode(changed), options: .init(checkKeys: false)).file)
        #expect(again.entries == changed.entries)
    }

    @Test("KeyText.append writes exactly the key's text")
    func keyTextBytes() {
        var g = SplitMix(seed: 99)
        for _ in 0..<200 {
            let key = BLSPublicKey(bytes: g.bytes(96))
            var out: [UInt8] = [1, 2]
            KeyText.append(key, to: &out)
            #expect(out == [1, 2] + Array(key.text.utf8))
        }
    }

    @Test("the key-text column finds what a lower-case substring search of each text finds")
    func searchColumn() {
        let f = Self.file(300)
        let column = KeyTextColumn(f.entries, threads: 2)
        #expect(column.count == 300)
        let texts = f.entries.map { $0.key.text.lowercased() }
        for needle in ["pub_bls_", "a", "zz", "-", String(texts[17].dropFirst(30).prefix(9)), "nothing-like-this", String(repeating: "a", count: 143)] {
            let expected = texts.indices.filter { texts[$0].contains(needle) }
            #expect(column.filter(Array(texts.indices), Array(needle.utf8)) == expected, "\(needle)")
            #expect(texts.indices.filter { column.contains($0, Array(needle.utf8)) } == expected)
        }
        // The order given is kept.
        let reversed = Array(texts.indices.reversed())
        #expect(column.filter(reversed, Array("b".utf8)) == reversed.filter { texts[$0].contains("b") })
    }

    @Test("past 65,536 rows the search runs in two halves and finds the same rows in the same order")
    func searchColumnHalves() {
        let n = 70_001
        let state = SafetyEntry.State.savanna(SavannaSafety(lastVote: .empty, lock: .empty))
        let entries = (0..<n).map { i -> SafetyEntry in
            var b = [UInt8](repeating: 0, count: 96)
            b[0] = UInt8(truncatingIfNeeded: i)
            b[1] = UInt8(truncatingIfNeeded: i >> 8)
            b[2] = UInt8(truncatingIfNeeded: i >> 16)
            return SafetyEntry(key: BLSPublicKey(bytes: b), state: state)
        }
        let column = KeyTextColumn(entries, threads: 2)
        let all = Array((0..<n).reversed())
        for needle in ["aa", "q", "zz9"] {
            let bytes = Array(needle.utf8)
            #expect(column.filter(all, bytes) == all.filter { column.contains($0, bytes) }, "\(needle)")
        }
    }

    @Test("sorting by a column gives the order of sorting by the field, ties by index")
    func sortColumns() {
        var f = Self.file(500)
        // Duplicate keys and equal prefixes: ties broken by the whole key, then the index.
        f.entries[10].key = f.entries[3].key
        var k = f.entries[20].key.bytes
        k[95] ^= 1
        f.entries[21].key = BLSPublicKey(bytes: k)
        let all = Array(f.entries.indices)
        #expect(EntryOrder.byKey(f.entries, all) == all.sorted { (f.entries[$0].key, $0) < (f.entries[$1].key, $1) })
        let votes = { (i: Int) in f.entries[i].lastVoteHeight ?? 0 }
        #expect(EntryOrder.byValue(all, votes) == all.sorted { (votes($0), $0) < (votes($1), $1) })
        let some = all.filter { $0 % 7 != 0 }
        #expect(EntryOrder.byValue(some, votes) == some.sorted { (votes($0), $0) < (votes($1), $1) })
    }

    @Test("bytes past what was read count as trailing bytes: a warning, nodeos loads the file")
    func unreadTrailing() throws {
        let whole = SafetyFileWriter.encode(Self.file(3)) + [UInt8](repeating: 0, count: 100)
        let start = Array(whole.prefix(whole.count - 60))
        var options = SafetyFileReader.Options(checkKeys: false)
        options.fileSize = whole.count + 5000
        let v = SafetyFileReader.verify(start, options: options)
        #expect(v.nodeosLoads)
        #expect(v.bytesNotRead == 5060)
        let t = try #require(v.warnings.first { $0.check == .trailingBytes })
        #expect(t.offset == 24 + 3 * 237 + 2 * 1 + 4)
        #expect(t.found == "5,100 more bytes")
        #expect(t.note?.contains("finality read 40 of them") == true)
    }
}
