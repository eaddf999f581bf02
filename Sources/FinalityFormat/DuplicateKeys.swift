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
    /// Each key's 64-bit fingerprint is multiplied by an odd number drawn at random for
    /// each search (a file cannot be built against a multiplier it does not know); the
    /// top bits of the product split the entries into partitions of a few thousand, in
    /// file order, and each partition is searched with an open-addressing table small
    /// enough to stay in cache (a table of a million slots costs a cache miss per key,
    /// which made this search slower than the on-curve checks). Keys are compared in full
    /// only when their mixed fingerprints are equal. A probe run longer than `probeLimit`
    /// (many different keys with one fingerprint: a crafted file) falls back to a
    /// dictionary of whole keys, whose hashing is seeded per process.
    static func find(count n: Int, key: (Int) -> BLSPublicKey) -> Result {
        guard n > 0 else { return Result(firstEntry: [:], distinct: []) }
        let multiplier = UInt64.random(in: 1...UInt64.max) | 1
        // About 2,048 entries per partition.
        var partitionBits = 0
        while partitionBits < 16 && (n >> (partitionBits + 11)) > 0 { partitionBits += 1 }
        let partitions = 1 << partitionBits
        @inline(__always) func partition(_ h: UInt64) -> Int {
            partitionBits == 0 ? 0 : Int(truncatingIfNeeded: h >> UInt64(64 - partitionBits))
        }
        let mixed = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = key(i).fingerprint &* multiplier }
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
        guard completed else { return findByWholeKeys(count: n, key: key) }
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

extension BLSPublicKey {
    /// 64 bits mixed from x and y: equal keys have equal fingerprints; different keys
    /// almost never do (and are then compared in full).
    var fingerprint: UInt64 {
        a.w0 ^ (b.w1 &* 0x9E37_79B9_7F4A_7C15) ^ (c.w3 &* 0xC2B2_AE3D_27D4_EB4F)
    }
}
