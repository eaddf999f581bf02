/// RIPEMD-160 (Dobbertin, Bosselaers, Preneel, 1996), written out here because no
/// library available to the project provides it and `PUB_BLS_` key text needs its
/// first 4 bytes as a checksum (fc's `ripemd160::hash`).
///
/// Little-endian words, two parallel lines of 80 steps per 64-byte block.
public enum RIPEMD160 {
    public static let digestSize = 20

    /// The 20-byte digest of `message`.
    public static func hash<C: Collection>(_ message: C) -> [UInt8] where C.Element == UInt8 {
        var state = State()
        let bytes = Array(message)
        let fullBlocks = bytes.count / 64
        bytes.withUnsafeBytes { raw in
            for i in 0..<fullBlocks { state.compress(raw, at: i * 64) }
        }
        // Padding: 0x80, zeros to 56 mod 64, then the bit length as a u64 LE.
        var tail = Array(bytes[(fullBlocks * 64)...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bitLength = UInt64(truncatingIfNeeded: bytes.count) &* 8
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        tail.withUnsafeBytes { raw in
            for i in 0..<(tail.count / 64) { state.compress(raw, at: i * 64) }
        }
        var out = [UInt8]()
        out.reserveCapacity(digestSize)
        for w in [state.h0, state.h1, state.h2, state.h3, state.h4] {
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) }
        }
        return out
    }

    struct State {
        var h0: UInt32 = 0x6745_2301
        var h1: UInt32 = 0xEFCD_AB89
        var h2: UInt32 = 0x98BA_DCFE
        var h3: UInt32 = 0x1032_5476
        var h4: UInt32 = 0xC3D2_E1F0

        // Message word order, left line then right line.
        static let rl: [Int] = [
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
            7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
            3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
            1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
            4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
        ]
        static let rr: [Int] = [
            5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
            6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
            15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
            8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
            12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
        ]
        // Rotation amounts.
        static let sl: [UInt32] = [
            11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
            7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
            11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
            11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
            9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
        ]
        static let sr: [UInt32] = [
            8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
            9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
            9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
            15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
            8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
        ]
        static let kl: [UInt32] = [0x0000_0000, 0x5A82_7999, 0x6ED9_EBA1, 0x8F1B_BCDC, 0xA953_FD4E]
        static let kr: [UInt32] = [0x50A2_8BE6, 0x5C4D_D124, 0x6D70_3EF3, 0x7A6D_76E9, 0x0000_0000]

        @inline(__always) static func f(_ round: Int, _ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 {
            switch round {
            case 0: return x ^ y ^ z
            case 1: return (x & y) | (~x & z)
            case 2: return (x | ~y) ^ z
            case 3: return (x & z) | (y & ~z)
            default: return x ^ (y | ~z)
            }
        }

        @inline(__always) static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }

        /// rl, rr, sl and sr of step j in one word (each below 256): one table, read
        /// through a pointer (a million keys for `list --json` hash two blocks each).
        static let packed: [UInt32] = (0..<80).map { j in UInt32(rl[j]) | UInt32(rr[j]) << 8 | sl[j] << 16 | sr[j] << 24 }

        mutating func compress(_ raw: UnsafeRawBufferPointer, at offset: Int) {
            var (al, bl, cl, dl, el) = (h0, h1, h2, h3, h4)
            var (ar, br, cr, dr, er) = (h0, h1, h2, h3, h4)
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { x in
                for i in 0..<16 {
                    x[i] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self))
                }
                Self.packed.withUnsafeBufferPointer { table in
                    for round in 0..<5 {
                        let kl = Self.kl[round], kr = Self.kr[round]
                        for j in round * 16..<round * 16 + 16 {
                            let p = table[j]
                            var t = Self.rotl(al &+ Self.f(round, bl, cl, dl) &+ x[Int(p & 0xFF)] &+ kl, (p >> 16) & 0xFF) &+ el
                            (al, el, dl, cl, bl) = (el, dl, Self.rotl(cl, 10), bl, t)
                            // The right line uses the round functions in reverse order.
                            t = Self.rotl(ar &+ Self.f(4 - round, br, cr, dr) &+ x[Int((p >> 8) & 0xFF)] &+ kr, p >> 24) &+ er
                            (ar, er, dr, cr, br) = (er, dr, Self.rotl(cr, 10), br, t)
                        }
                    }
                }
            }
            let t = h1 &+ cl &+ dr
            h1 = h2 &+ dl &+ er
            h2 = h3 &+ el &+ ar
            h3 = h4 &+ al &+ br
            h4 = h0 &+ bl &+ cr
            h0 = t
        }
    }
}
