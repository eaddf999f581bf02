import Testing

@testable import FinalityFormat

/// The duplicate search behind the "duplicate key" warning (nodeos keeps the first entry
/// of a key): its fast table must give exactly what a dictionary of whole keys gives, on
/// ordinary files and on files built against the table.
@Suite struct DuplicateKeysTests {
    /// A key from 12 words (not a curve point: the search does not care, and a refused file
    /// is searched too).
    static func key(_ w: [UInt64]) -> BLSPublicKey {
        BLSPublicKey(
            a: Bytes32(w0: w[0], w1: w[1], w2: w[2], w3: w[3]), b: Bytes32(w0: w[4], w1: w[5], w2: w[6], w3: w[7]),
            c: Bytes32(w0: w[8], w1: w[9], w2: w[10], w3: w[11]))
    }

    static func reference(_ keys: [BLSPublicKey]) -> (first: [Int: Int], distinct: [Int32]) {
        var first = [BLSPublicKey: Int]()
        var dup = [Int: Int]()
        var distinct = [Int32]()
        for (i, k) in keys.enumerated() {
            if let j = first[k] { dup[i] = j } else { first[k] = i; distinct.append(Int32(i)) }
        }
        return (dup, distinct)
    }

    @Test func randomKeysWithRepeatsMatchTheDictionary() {
        var g = SystemRandomNumberGenerator()
        for n in [1, 2, 7, 100, 5_000, 60_000] {
            var keys = (0..<n).map { _ in Self.key((0..<12).map { _ in g.next() }) }
            // Repeats: some keys again, some of them several times, anywhere in the file.
            for _ in 0..<(n / 5 + 1) { keys[Int.random(in: 0..<n)] = keys[Int.random(in: 0..<n)] }
            let want = Self.reference(keys)
            let got = DuplicateKeys.find(count: n) { keys[$0] }
            #expect(got.firstEntry == want.first, "n = \(n)")
            #expect(got.distinct == want.distinct, "n = \(n)")
        }
    }

    /// Distinct keys that share one fingerprint (the words it mixes are equal; the others
    /// differ), and keys whose fingerprints share their high 32 bits: the table's tag.
    @Test func keysBuiltToCollideStillGiveTheExactAnswer() {
        var g = SystemRandomNumberGenerator()
        var keys = [BLSPublicKey]()
        for i in 0..<3_000 {
            var w = (0..<12).map { _ in g.next() }
            (w[0], w[5], w[11]) = (7, 11, 13)  // a.w0, b.w1, c.w3: one fingerprint for all
            w[1] = UInt64(i % 2_000)  // every key twice after the first 2,000
            w[2] = 0; w[3] = 0; w[4] = 0; w[6] = 0; w[7] = 0; w[8] = 0; w[9] = 0; w[10] = 0
            keys.append(Self.key(w))
        }
        #expect(Set(keys.map(\.fingerprint)).count == 1)
        let want = Self.reference(keys)
        let got = DuplicateKeys.find(count: keys.count) { keys[$0] }
        #expect(got.firstEntry == want.first)
        #expect(got.distinct == want.distinct)
        #expect(got.firstEntry.count == 1_000)
        // Fewer of them than the probe limit: the table itself tells them apart, in full.
        let few = Array(keys[0..<400]) + Array(keys[0..<200])
        let wantFew = Self.reference(few)
        let gotFew = DuplicateKeys.find(count: few.count) { few[$0] }
        #expect(gotFew.firstEntry == wantFew.first)
        #expect(gotFew.distinct == wantFew.distinct)
        #expect(gotFew.firstEntry.count == 200)

        // Same tag (high 32 bits), different fingerprints: compared in full, never confused.
        var tagged = [BLSPublicKey]()
        for i in 0..<20_000 {
            var w = (0..<12).map { _ in UInt64(0) }
            w[0] = UInt64(i % 15_000)  // low bits of a.w0 only: the tag stays
            tagged.append(Self.key(w))
        }
        let want2 = Self.reference(tagged)
        let got2 = DuplicateKeys.find(count: tagged.count) { tagged[$0] }
        #expect(got2.firstEntry == want2.first)
        #expect(got2.distinct == want2.distinct)
        #expect(got2.firstEntry.count == 5_000)
    }

    @Test func theFallbackGivesTheSameAnswer() {
        var g = SystemRandomNumberGenerator()
        var keys = (0..<2_000).map { _ in Self.key((0..<12).map { _ in g.next() }) }
        for i in stride(from: 0, to: 2_000, by: 3) { keys[i] = keys[(i * 7) % 2_000] }
        let want = Self.reference(keys)
        let got = DuplicateKeys.findByWholeKeys(count: keys.count) { keys[$0] }
        #expect(got.firstEntry == want.first)
        #expect(got.distinct == want.distinct)
        #expect(DuplicateKeys.find(count: 0) { keys[$0] }.distinct.isEmpty)
    }
}
