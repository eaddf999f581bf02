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

    /// Keys built to collide: equal in the words a fixed fingerprint would read (here
    /// a.w0, b.w1, c.w3), different elsewhere. Under the search's random multipliers they
    /// do not collide (the table is used, no fallback); under multipliers chosen to read
    /// a.w0 only, every key collides and the fallback gives the same exact answer.
    @Test func keysBuiltToCollideStillGiveTheExactAnswer() {
        var g = SystemRandomNumberGenerator()
        var keys = [BLSPublicKey]()
        for i in 0..<3_000 {
            var w = (0..<12).map { _ in g.next() }
            (w[0], w[5], w[11]) = (7, 11, 13)
            w[1] = UInt64(i % 2_000)  // every key twice after the first 2,000
            w[2] = 0; w[3] = 0; w[4] = 0; w[6] = 0; w[7] = 0; w[8] = 0; w[9] = 0; w[10] = 0
            keys.append(Self.key(w))
        }
        let want = Self.reference(keys)
        let table = DuplicateKeys.findInPartitions(count: keys.count, hash: KeyHash()) { keys[$0] }
        #expect(table != nil, "random multipliers: no long probe run")
        #expect(table?.firstEntry == want.first)
        #expect(table?.distinct == want.distinct)
        #expect(table?.firstEntry.count == 1_000)

        let aW0Only = KeyHash(multipliers: [1] + [UInt64](repeating: 0, count: 11) + [1])
        #expect(DuplicateKeys.findInPartitions(count: keys.count, hash: aW0Only) { keys[$0] } == nil, "all collide: the probe limit")
        let got = DuplicateKeys.find(count: keys.count) { keys[$0] }
        #expect(got.firstEntry == want.first)
        #expect(got.distinct == want.distinct)
        #expect(DuplicateKeys.findByWholeKeys(count: keys.count) { keys[$0] }.distinct == want.distinct)

        // Fewer colliding keys than the probe limit: the table tells them apart, in full.
        let few = Array(keys[0..<400]) + Array(keys[0..<200])
        let wantFew = Self.reference(few)
        let gotFew = DuplicateKeys.findInPartitions(count: few.count, hash: aW0Only) { few[$0] }
        #expect(gotFew?.firstEntry == wantFew.first)
        #expect(gotFew?.distinct == wantFew.distinct)
        #expect(gotFew?.firstEntry.count == 200)

        // Keys that differ in one word only, anywhere: told apart, repeats found.
        var oneWord = [BLSPublicKey]()
        for i in 0..<24_000 {
            var w = [UInt64](repeating: 0, count: 12)
            w[i % 12] = UInt64(i % 18_000)
            oneWord.append(Self.key(w))
        }
        let want2 = Self.reference(oneWord)
        let got2 = DuplicateKeys.findInPartitions(count: oneWord.count, hash: KeyHash()) { oneWord[$0] }
        #expect(got2?.firstEntry == want2.first)
        #expect(got2?.distinct == want2.distinct)
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
