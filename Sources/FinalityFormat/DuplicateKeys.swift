/// Finds entries that repeat an earlier entry's key, without hashing every 96-byte key:
/// a million-entry file must not need a dictionary of a million keys.
enum DuplicateKeys {
    struct Result {
        /// Entry index → the first entry with the same key.
        var firstEntry: [Int: Int]
        /// The first entry of each distinct key, in file order.
        var distinct: [Int32]
    }

    static func find(_ entries: [SafetyEntry]) -> Result {
        find(count: entries.count) { entries[$0].key }
    }

    /// The same over `key(i)` for i in 0..<count (see `KeyReader`).
    ///
    /// Each key is hashed to 64 bits from all twelve of its words with multipliers drawn
    /// at random for each search (`KeyHash`: a file cannot be built to collide under
    /// multipliers it does not know); the top bits of the hash split the entries into
    /// partitions of a few thousand, in file order, and each partition is searched with an
    /// open-addressing table small enough to stay in cache (a table of a million slots
    /// costs a cache miss per key, which made this search slower than the on-curve
    /// checks). Keys are compared in full only when their hashes are equal. A probe run
    /// longer than `probeLimit` (not expected from any file) falls back to a dictionary of
    /// whole keys, whose hashing is seeded per process.
    static func find(count n: Int, key: (Int) -> BLSPublicKey) -> Result {
        findInPartitions(count: n, hash: KeyHash(), key: key) ?? findByWholeKeys(count: n, key: key)
    }

    /// The partitioned search; nil when a probe run passed `probeLimit`.
    static func findInPartitions(count n: Int, hash: KeyHash, key: (Int) -> BLSPublicKey) -> Result? {
        guard n > 0 else { return Result(firstEntry: [:], distinct: []) }
        // About 2,048 entries per partition.
        var partitionBits = 0
        while partitionBits < 16 && (n >> (partitionBits + 11)) > 0 { partitionBits += 1 }
        let partitions = 1 << partitionBits
        @inline(__always) func partition(_ h: UInt64) -> Int {
            partitionBits == 0 ? 0 : Int(truncatingIfNeeded: h >> UInt64(64 - partitionBits))
        }
        let mixed = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = hash(key(i)) }
            count = n
        }
        var starts = [Int](repeating: 0, count: partitions + 1)
        for h in mixed { starts[partition(h) + 1] += 1 }
        for p in 0..<partitions { starts[p + 1] += starts[p] }
        // (mixed, index) pairs by partition, each partition in file order.
        var sortedMixed = [UInt64](repeating: 0, count: n)
        var sortedIndex = [Int32](repeating: 0, count: n)
        var fill = starts
        for i in 0..<n {
            let p = partition(mixed[i])
            sortedMixed[fill[p]] = mixed[i]
            sortedIndex[fill[p]] = Int32(i)
            fill[p] += 1
        }
        var largest = 0
        for p in 0..<partitions { largest = max(largest, starts[p + 1] - starts[p]) }
        var bits = 4
        while (1 << bits) < 2 * largest { bits += 1 }
        // A slot: 0 when empty, else the position in the partition's pairs + 1.
        var table = [UInt32](repeating: 0, count: 1 << bits)
        var isRepeat = [Bool](repeating: false, count: n)
        var firstEntry = [Int: Int]()
        let completed: Bool = table.withUnsafeMutableBufferPointer { t in
            for p in 0..<partitions {
                let lo = starts[p]
                let m = starts[p + 1] - lo
                guard m > 0 else { continue }
                var slotBits = 1
                while (1 << slotBits) < 2 * m { slotBits += 1 }
                let mask = (1 << slotBits) - 1
                for s in 0..<(1 << slotBits) { t[s] = 0 }
                for q in 0..<m {
                    let h = sortedMixed[lo + q]
                    // The bits below the partition's: the well-mixed top of the product.
                    var slot = Int(truncatingIfNeeded: (h << UInt64(partitionBits)) >> UInt64(64 - slotBits))
                    var probes = 0
                    while true {
                        let word = t[slot]
                        if word == 0 {
                            t[slot] = UInt32(q + 1)
                            break
                        }
                        let other = lo + Int(word) - 1
                        if sortedMixed[other] == h {
                            let i = Int(sortedIndex[lo + q])
                            let j = Int(sortedIndex[other])
                            if key(j) == key(i) {
                                firstEntry[i] = j
                                isRepeat[i] = true
                                break
                            }
                        }
                        probes += 1
                        if probes > probeLimit { return false }
                        slot = (slot + 1) & mask
                    }
                }
            }
            return true
        }
        guard completed else { return nil }
        var distinct = [Int32]()
        distinct.reserveCapacity(n - firstEntry.count)
        for i in 0..<n where !isRepeat[i] { distinct.append(Int32(i)) }
        return Result(firstEntry: firstEntry, distinct: distinct)
    }

    /// Probes one search may take before it gives up the table for `findByWholeKeys`.
    static let probeLimit = 1024

    /// The plain search: a dictionary of whole keys (for files crafted against the table).
    static func findByWholeKeys(count: Int, key: (Int) -> BLSPublicKey) -> Result {
        var first = [BLSPublicKey: Int32](minimumCapacity: count)
        var firstEntry = [Int: Int]()
        var distinct = [Int32]()
        distinct.reserveCapacity(count)
        for i in 0..<count {
            let k = key(i)
            if let j = first[k] {
                firstEntry[i] = Int(j)
            } else {
                first[k] = Int32(i)
                distinct.append(Int32(i))
            }
        }
        return Result(firstEntry: firstEntry, distinct: distinct)
    }
}

/// 64 bits from all 96 bytes of a key: Σ wordᵢ·mᵢ with odd multipliers mᵢ drawn at
/// random, then the high half folded into the low (the partition and slot come from the
/// top bits). Equal keys hash equal; for two different keys the hash is a different
/// linear form of random multipliers, so no file can make many keys collide except by
/// chance.
struct KeyHash {
    let m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, mix: UInt64

    init() {
        var g = SystemRandomNumberGenerator()
        self.init(multipliers: (0..<13).map { _ in g.next() | 1 })
    }

    /// With chosen multipliers (tests).
    init(multipliers m: [UInt64]) {
        precondition(m.count == 13)
        (m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, mix) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11], m[12])
    }

    @inline(__always)
    func callAsFunction(_ k: BLSPublicKey) -> UInt64 {
        var h = k.a.w0 &* m0 &+ k.a.w1 &* m1 &+ k.a.w2 &* m2 &+ k.a.w3 &* m3
        h = h &+ k.b.w0 &* m4 &+ k.b.w1 &* m5 &+ k.b.w2 &* m6 &+ k.b.w3 &* m7
        h = h &+ k.c.w0 &* m8 &+ k.c.w1 &* m9 &+ k.c.w2 &* m10 &+ k.c.w3 &* m11
        return (h ^ (h >> 32)) &* mix
    }
}
