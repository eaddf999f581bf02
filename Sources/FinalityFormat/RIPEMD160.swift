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
            for i in 0..<fullBlocks { RIPEMD160.compressUnrolled(&state, raw, at: i * 64) }
        }
        // Padding: 0x80, zeros to 56 mod 64, then the bit length as a u64 LE.
        var tail = Array(bytes[(fullBlocks * 64)...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bitLength = UInt64(truncatingIfNeeded: bytes.count) &* 8
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        tail.withUnsafeBytes { raw in
            for i in 0..<(tail.count / 64) { RIPEMD160.compressUnrolled(&state, raw, at: i * 64) }
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

    /// `State.compress`, unrolled (generated from the tables above; the tests hold it to
    /// the RIPEMD-160 vectors): a million keys' text for `list --json` is two blocks each.
    static func compressUnrolled(_ h: inout State, _ raw: UnsafeRawBufferPointer, at offset: Int) {
        @inline(__always) func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
        let x0 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 0, as: UInt32.self))
        let x1 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        let x2 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))
        let x3 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
        let x4 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self))
        let x5 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 20, as: UInt32.self))
        let x6 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt32.self))
        let x7 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 28, as: UInt32.self))
        let x8 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 32, as: UInt32.self))
        let x9 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 36, as: UInt32.self))
        let x10 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 40, as: UInt32.self))
        let x11 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 44, as: UInt32.self))
        let x12 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 48, as: UInt32.self))
        let x13 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 52, as: UInt32.self))
        let x14 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 56, as: UInt32.self))
        let x15 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 60, as: UInt32.self))
        var al = h.h0, bl = h.h1, cl = h.h2, dl = h.h3, el = h.h4
        var ar = h.h0, br = h.h1, cr = h.h2, dr = h.h3, er = h.h4
        var t: UInt32 = 0
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x0, 11) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x5 &+ 0x50A28BE6, 8) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x1, 14) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x14 &+ 0x50A28BE6, 9) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x2, 15) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x7 &+ 0x50A28BE6, 9) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x3, 12) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x0 &+ 0x50A28BE6, 11) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x4, 5) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x9 &+ 0x50A28BE6, 13) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x5, 8) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x2 &+ 0x50A28BE6, 15) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x6, 7) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x11 &+ 0x50A28BE6, 15) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x7, 9) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x4 &+ 0x50A28BE6, 5) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x8, 11) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x13 &+ 0x50A28BE6, 7) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x9, 13) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x6 &+ 0x50A28BE6, 7) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x10, 14) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x15 &+ 0x50A28BE6, 8) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x11, 15) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x8 &+ 0x50A28BE6, 11) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x12, 6) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x1 &+ 0x50A28BE6, 14) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x13, 7) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x10 &+ 0x50A28BE6, 14) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x14, 9) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x3 &+ 0x50A28BE6, 12) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ cl ^ dl) &+ x15, 8) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ (cr | ~dr)) &+ x12 &+ 0x50A28BE6, 6) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x7 &+ 0x5A827999, 7) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x6 &+ 0x5C4DD124, 9) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x4 &+ 0x5A827999, 6) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x11 &+ 0x5C4DD124, 13) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x13 &+ 0x5A827999, 8) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x3 &+ 0x5C4DD124, 15) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x1 &+ 0x5A827999, 13) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x7 &+ 0x5C4DD124, 7) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x10 &+ 0x5A827999, 11) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x0 &+ 0x5C4DD124, 12) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x6 &+ 0x5A827999, 9) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x13 &+ 0x5C4DD124, 8) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x15 &+ 0x5A827999, 7) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x5 &+ 0x5C4DD124, 9) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x3 &+ 0x5A827999, 15) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x10 &+ 0x5C4DD124, 11) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x12 &+ 0x5A827999, 7) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x14 &+ 0x5C4DD124, 7) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x0 &+ 0x5A827999, 12) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x15 &+ 0x5C4DD124, 7) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x9 &+ 0x5A827999, 15) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x8 &+ 0x5C4DD124, 12) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x5 &+ 0x5A827999, 9) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x12 &+ 0x5C4DD124, 7) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x2 &+ 0x5A827999, 11) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x4 &+ 0x5C4DD124, 6) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x14 &+ 0x5A827999, 7) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x9 &+ 0x5C4DD124, 15) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x11 &+ 0x5A827999, 13) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x1 &+ 0x5C4DD124, 13) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & cl) | (~bl & dl)) &+ x8 &+ 0x5A827999, 12) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & dr) | (cr & ~dr)) &+ x2 &+ 0x5C4DD124, 11) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x3 &+ 0x6ED9EBA1, 11) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x15 &+ 0x6D703EF3, 9) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x10 &+ 0x6ED9EBA1, 13) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x5 &+ 0x6D703EF3, 7) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x14 &+ 0x6ED9EBA1, 6) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x1 &+ 0x6D703EF3, 15) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x4 &+ 0x6ED9EBA1, 7) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x3 &+ 0x6D703EF3, 11) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x9 &+ 0x6ED9EBA1, 14) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x7 &+ 0x6D703EF3, 8) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x15 &+ 0x6ED9EBA1, 9) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x14 &+ 0x6D703EF3, 6) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x8 &+ 0x6ED9EBA1, 13) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x6 &+ 0x6D703EF3, 6) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x1 &+ 0x6ED9EBA1, 15) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x9 &+ 0x6D703EF3, 14) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x2 &+ 0x6ED9EBA1, 14) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x11 &+ 0x6D703EF3, 12) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x7 &+ 0x6ED9EBA1, 8) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x8 &+ 0x6D703EF3, 13) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x0 &+ 0x6ED9EBA1, 13) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x12 &+ 0x6D703EF3, 5) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x6 &+ 0x6ED9EBA1, 6) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x2 &+ 0x6D703EF3, 14) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x13 &+ 0x6ED9EBA1, 5) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x10 &+ 0x6D703EF3, 13) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x11 &+ 0x6ED9EBA1, 12) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x0 &+ 0x6D703EF3, 13) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x5 &+ 0x6ED9EBA1, 7) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x4 &+ 0x6D703EF3, 7) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl | ~cl) ^ dl) &+ x12 &+ 0x6ED9EBA1, 5) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br | ~cr) ^ dr) &+ x13 &+ 0x6D703EF3, 5) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x1 &+ 0x8F1BBCDC, 11) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x8 &+ 0x7A6D76E9, 15) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x9 &+ 0x8F1BBCDC, 12) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x6 &+ 0x7A6D76E9, 5) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x11 &+ 0x8F1BBCDC, 14) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x4 &+ 0x7A6D76E9, 8) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x10 &+ 0x8F1BBCDC, 15) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x1 &+ 0x7A6D76E9, 11) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x0 &+ 0x8F1BBCDC, 14) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x3 &+ 0x7A6D76E9, 14) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x8 &+ 0x8F1BBCDC, 15) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x11 &+ 0x7A6D76E9, 14) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x12 &+ 0x8F1BBCDC, 9) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x15 &+ 0x7A6D76E9, 6) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x4 &+ 0x8F1BBCDC, 8) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x0 &+ 0x7A6D76E9, 14) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x13 &+ 0x8F1BBCDC, 9) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x5 &+ 0x7A6D76E9, 6) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x3 &+ 0x8F1BBCDC, 14) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x12 &+ 0x7A6D76E9, 9) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x7 &+ 0x8F1BBCDC, 5) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x2 &+ 0x7A6D76E9, 12) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x15 &+ 0x8F1BBCDC, 6) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x13 &+ 0x7A6D76E9, 9) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x14 &+ 0x8F1BBCDC, 8) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x9 &+ 0x7A6D76E9, 12) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x5 &+ 0x8F1BBCDC, 6) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x7 &+ 0x7A6D76E9, 5) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x6 &+ 0x8F1BBCDC, 5) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x10 &+ 0x7A6D76E9, 15) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ ((bl & dl) | (cl & ~dl)) &+ x2 &+ 0x8F1BBCDC, 12) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ ((br & cr) | (~br & dr)) &+ x14 &+ 0x7A6D76E9, 8) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x4 &+ 0xA953FD4E, 9) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x12, 8) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x0 &+ 0xA953FD4E, 15) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x15, 5) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x5 &+ 0xA953FD4E, 5) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x10, 12) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x9 &+ 0xA953FD4E, 11) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x4, 9) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x7 &+ 0xA953FD4E, 6) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x1, 12) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x12 &+ 0xA953FD4E, 8) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x5, 5) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x2 &+ 0xA953FD4E, 13) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x8, 14) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x10 &+ 0xA953FD4E, 12) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x7, 6) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x14 &+ 0xA953FD4E, 5) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x6, 8) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x1 &+ 0xA953FD4E, 12) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x2, 13) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x3 &+ 0xA953FD4E, 13) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x13, 6) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x8 &+ 0xA953FD4E, 14) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x14, 5) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x11 &+ 0xA953FD4E, 11) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x0, 15) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x6 &+ 0xA953FD4E, 8) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x3, 13) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x15 &+ 0xA953FD4E, 5) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x9, 11) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = rotl(al &+ (bl ^ (cl | ~dl)) &+ x13 &+ 0xA953FD4E, 6) &+ el; al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
        t = rotl(ar &+ (br ^ cr ^ dr) &+ x11, 11) &+ er; ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
        t = h.h1 &+ cl &+ dr
        h.h1 = h.h2 &+ dl &+ er
        h.h2 = h.h3 &+ el &+ ar
        h.h3 = h.h4 &+ al &+ br
        h.h4 = h.h0 &+ bl &+ cr
        h.h0 = t
    }
}
