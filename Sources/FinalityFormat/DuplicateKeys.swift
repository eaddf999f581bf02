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
    static func find(count: Int, key: (Int) -> BLSPublicKey) -> Result {
        var firstByFingerprint = [UInt64: Int32](minimumCapacity: count)
        // Distinct keys that share a fingerprint with an earlier key: resolved exactly.
        var collided = [BLSPublicKey: Int]()
        var firstEntry = [Int: Int]()
        var distinct = [Int32]()
        distinct.reserveCapacity(count)
        for i in 0..<count {
            let k = key(i)
            let fp = k.fingerprint
            if let j = firstByFingerprint[fp] {
                if key(Int(j)) == k {
                    firstEntry[i] = Int(j)
                } else if let c = collided[k] {
                    firstEntry[i] = c
                } else {
                    collided[k] = i
                    distinct.append(Int32(i))
                }
            } else {
                firstByFingerprint[fp] = Int32(i)
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
