/// An element of the BLS12-381 base field Fp, p = 0x1a0111ea...ffffaaab (381 bits),
/// held as six 64-bit little-endian limbs. Unless a name says otherwise, the limbs are the
/// Montgomery form a·R mod p with R = 2^384, which is also how nodeos's bls12-381 library
/// keeps field elements in memory (and so how the HotStuff file stored its keys).
///
/// Every value is kept fully reduced (below p). Six named fields instead of an array keep
/// the arithmetic free of heap allocation and let the compiler keep limbs in registers.
struct Fp: Equatable, Sendable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64, l5: UInt64

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64, _ l5: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3; self.l4 = l4; self.l5 = l5
    }

    // p, little-endian limbs.
    static let p0: UInt64 = 0xb9fe_ffff_ffff_aaab
    static let p1: UInt64 = 0x1eab_fffe_b153_ffff
    static let p2: UInt64 = 0x6730_d2a0_f6b0_f624
    static let p3: UInt64 = 0x6477_4b84_f385_12bf
    static let p4: UInt64 = 0x4b1b_a7b6_434b_acd7
    static let p5: UInt64 = 0x1a01_11ea_397f_e69a
    /// -p^-1 mod 2^64, for Montgomery reduction.
    static let inv: UInt64 = 0x89f3_fffc_fffc_fffd

    static let zero = Fp(0, 0, 0, 0, 0, 0)
    /// 1 in Montgomery form: R mod p.
    static let one = Fp(
        0x7609_0000_0002_fffd, 0xebf4_000b_c40c_0002, 0x5f48_9857_53c7_58ba,
        0x77ce_5853_7052_5745, 0x5c07_1a97_a256_ec6d, 0x15f6_5ec3_fa80_e493)
    /// R^2 mod p: multiplying by it enters Montgomery form.
    static let r2 = Fp(
        0xf4df_1f34_1c34_1746, 0x0a76_e6a6_09d1_04f1, 0x8de5_476c_4c95_b6d5,
        0x67eb_88a9_939d_83c0, 0x9a79_3e85_b519_952d, 0x1198_8fe5_92ca_e3aa)
    /// The curve constant b = 4, in Montgomery form.
    static let curveB = Fp(
        0xaa27_0000_000c_fff3, 0x53cc_0032_fc34_000a, 0x478f_e97a_6b0a_807f,
        0xb1d3_7ebe_e6ba_24d7, 0x8ec9_733b_bf78_ab2f, 0x09d6_4551_3d83_de7e)

    /// 1 as stored (not Montgomery form): m(a, rawOne) = a/R.
    static let rawOne = Fp(1, 0, 0, 0, 0, 0)
    /// 4/R² mod p: the curve constant for `G1.isOnCurveRaw`, m(m(4, 1), 1).
    static let curveBOverR2 = Fp(4, 0, 0, 0, 0, 0) * rawOne * rawOne

    @inline(__always)
    var isZero: Bool { (l0 | l1 | l2 | l3 | l4 | l5) == 0 }

    /// Subtracts p when the value (known to be below 2p) is not below p. Branch-free: the
    /// outcome is a coin toss on random data, which a branch predictor cannot learn.
    @inline(__always)
    init(reducingOnce t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64, _ t4: UInt64, _ t5: UInt64) {
        var borrow: UInt64 = 0
        let d0 = sbb(t0, Fp.p0, &borrow)
        let d1 = sbb(t1, Fp.p1, &borrow)
        let d2 = sbb(t2, Fp.p2, &borrow)
        let d3 = sbb(t3, Fp.p3, &borrow)
        let d4 = sbb(t4, Fp.p4, &borrow)
        let d5 = sbb(t5, Fp.p5, &borrow)
        let keep = 0 &- borrow  // all ones when t < p
        self.init(
            (t0 & keep) | (d0 & ~keep), (t1 & keep) | (d1 & ~keep), (t2 & keep) | (d2 & ~keep),
            (t3 & keep) | (d3 & ~keep), (t4 & keep) | (d4 & ~keep), (t5 & keep) | (d5 & ~keep))
    }

    /// Whether limbs (in whatever form) are a canonical field value, i.e. below p.
    @inline(__always)
    var isBelowModulus: Bool {
        var borrow: UInt64 = 0
        _ = sbb(l0, Fp.p0, &borrow)
        _ = sbb(l1, Fp.p1, &borrow)
        _ = sbb(l2, Fp.p2, &borrow)
        _ = sbb(l3, Fp.p3, &borrow)
        _ = sbb(l4, Fp.p4, &borrow)
        _ = sbb(l5, Fp.p5, &borrow)
        return borrow != 0
    }

    @inline(__always)
    static func + (a: Fp, b: Fp) -> Fp {
        // p < 2^381, so the sum of two reduced values never carries out of 384 bits.
        var carry: UInt64 = 0
        let s0 = adc(a.l0, b.l0, &carry)
        let s1 = adc(a.l1, b.l1, &carry)
        let s2 = adc(a.l2, b.l2, &carry)
        let s3 = adc(a.l3, b.l3, &carry)
        let s4 = adc(a.l4, b.l4, &carry)
        let s5 = adc(a.l5, b.l5, &carry)
        return Fp(reducingOnce: s0, s1, s2, s3, s4, s5)
    }

    @inline(__always)
    static func - (a: Fp, b: Fp) -> Fp {
        var borrow: UInt64 = 0
        let d0 = sbb(a.l0, b.l0, &borrow)
        let d1 = sbb(a.l1, b.l1, &borrow)
        let d2 = sbb(a.l2, b.l2, &borrow)
        let d3 = sbb(a.l3, b.l3, &borrow)
        let d4 = sbb(a.l4, b.l4, &borrow)
        let d5 = sbb(a.l5, b.l5, &borrow)
        // Add p back when the subtraction wrapped (branch-free, as above).
        let mask = 0 &- borrow
        var carry: UInt64 = 0
        return Fp(
            adc(d0, Fp.p0 & mask, &carry), adc(d1, Fp.p1 & mask, &carry),
            adc(d2, Fp.p2 & mask, &carry), adc(d3, Fp.p3 & mask, &carry),
            adc(d4, Fp.p4 & mask, &carry), adc(d5, Fp.p5 & mask, &carry))
    }

    @inline(__always)
    static prefix func - (a: Fp) -> Fp {
        a.isZero ? a : Fp.zero - a
    }

    @inline(__always)
    var doubled: Fp { self + self }

    /// Montgomery square: the 21 distinct limb products (cross terms once, doubled),
    /// then a separate Montgomery reduction of the 12-limb result; 57 multiplications
    /// instead of the 72 of a general product. Fully unrolled.
    var squared: Fp {
        let a0 = l0, a1 = l1, a2 = l2, a3 = l3, a4 = l4, a5 = l5
        var c: UInt64 = 0, k: UInt64 = 0
        // Cross products a_i·a_j, i < j.
        c = 0
        var t1 = mac(0, a0, a1, &c)
        var t2 = mac(0, a0, a2, &c)
        var t3 = mac(0, a0, a3, &c)
        var t4 = mac(0, a0, a4, &c)
        var t5 = mac(0, a0, a5, &c)
        var t6 = c
        c = 0
        t3 = mac(t3, a1, a2, &c)
        t4 = mac(t4, a1, a3, &c)
        t5 = mac(t5, a1, a4, &c)
        t6 = mac(t6, a1, a5, &c)
        var t7 = c
        c = 0
        t5 = mac(t5, a2, a3, &c)
        t6 = mac(t6, a2, a4, &c)
        t7 = mac(t7, a2, a5, &c)
        var t8 = c
        c = 0
        t7 = mac(t7, a3, a4, &c)
        t8 = mac(t8, a3, a5, &c)
        var t9 = c
        c = 0
        t9 = mac(t9, a4, a5, &c)
        var t10 = c
        // Doubled.
        let t11 = t10 >> 63
        t10 = (t10 << 1) | (t9 >> 63)
        t9 = (t9 << 1) | (t8 >> 63)
        t8 = (t8 << 1) | (t7 >> 63)
        t7 = (t7 << 1) | (t6 >> 63)
        t6 = (t6 << 1) | (t5 >> 63)
        t5 = (t5 << 1) | (t4 >> 63)
        t4 = (t4 << 1) | (t3 >> 63)
        t3 = (t3 << 1) | (t2 >> 63)
        t2 = (t2 << 1) | (t1 >> 63)
        t1 = t1 << 1
        // Plus the squares a_i^2 on the diagonal.
        var t0: UInt64
        var hi: UInt64, lo: UInt64
        k = 0
        (hi, lo) = a0.multipliedFullWidth(by: a0)
        t0 = lo
        t1 = adc(t1, hi, &k)
        var t11m = t11
        (hi, lo) = a1.multipliedFullWidth(by: a1)
        t2 = adc(t2, lo, &k)
        t3 = adc(t3, hi, &k)
        (hi, lo) = a2.multipliedFullWidth(by: a2)
        t4 = adc(t4, lo, &k)
        t5 = adc(t5, hi, &k)
        (hi, lo) = a3.multipliedFullWidth(by: a3)
        t6 = adc(t6, lo, &k)
        t7 = adc(t7, hi, &k)
        (hi, lo) = a4.multipliedFullWidth(by: a4)
        t8 = adc(t8, lo, &k)
        t9 = adc(t9, hi, &k)
        (hi, lo) = a5.multipliedFullWidth(by: a5)
        t10 = adc(t10, lo, &k)
        t11m = adc(t11m, hi, &k)
        // Montgomery reduction, one limb at a time.
        var m: UInt64
        var pending: UInt64 = 0
        m = t0 &* Fp.inv
        c = 0
        _ = mac(t0, m, Fp.p0, &c)
        t1 = mac(t1, m, Fp.p1, &c)
        t2 = mac(t2, m, Fp.p2, &c)
        t3 = mac(t3, m, Fp.p3, &c)
        t4 = mac(t4, m, Fp.p4, &c)
        t5 = mac(t5, m, Fp.p5, &c)
        k = pending
        t6 = adc(t6, c, &k)
        pending = k
        m = t1 &* Fp.inv
        c = 0
        _ = mac(t1, m, Fp.p0, &c)
        t2 = mac(t2, m, Fp.p1, &c)
        t3 = mac(t3, m, Fp.p2, &c)
        t4 = mac(t4, m, Fp.p3, &c)
        t5 = mac(t5, m, Fp.p4, &c)
        t6 = mac(t6, m, Fp.p5, &c)
        k = pending
        t7 = adc(t7, c, &k)
        pending = k
        m = t2 &* Fp.inv
        c = 0
        _ = mac(t2, m, Fp.p0, &c)
        t3 = mac(t3, m, Fp.p1, &c)
        t4 = mac(t4, m, Fp.p2, &c)
        t5 = mac(t5, m, Fp.p3, &c)
        t6 = mac(t6, m, Fp.p4, &c)
        t7 = mac(t7, m, Fp.p5, &c)
        k = pending
        t8 = adc(t8, c, &k)
        pending = k
        m = t3 &* Fp.inv
        c = 0
        _ = mac(t3, m, Fp.p0, &c)
        t4 = mac(t4, m, Fp.p1, &c)
        t5 = mac(t5, m, Fp.p2, &c)
        t6 = mac(t6, m, Fp.p3, &c)
        t7 = mac(t7, m, Fp.p4, &c)
        t8 = mac(t8, m, Fp.p5, &c)
        k = pending
        t9 = adc(t9, c, &k)
        pending = k
        m = t4 &* Fp.inv
        c = 0
        _ = mac(t4, m, Fp.p0, &c)
        t5 = mac(t5, m, Fp.p1, &c)
        t6 = mac(t6, m, Fp.p2, &c)
        t7 = mac(t7, m, Fp.p3, &c)
        t8 = mac(t8, m, Fp.p4, &c)
        t9 = mac(t9, m, Fp.p5, &c)
        k = pending
        t10 = adc(t10, c, &k)
        pending = k
        m = t5 &* Fp.inv
        c = 0
        _ = mac(t5, m, Fp.p0, &c)
        t6 = mac(t6, m, Fp.p1, &c)
        t7 = mac(t7, m, Fp.p2, &c)
        t8 = mac(t8, m, Fp.p3, &c)
        t9 = mac(t9, m, Fp.p4, &c)
        t10 = mac(t10, m, Fp.p5, &c)
        k = pending
        t11m = adc(t11m, c, &k)
        pending = k
        return Fp(reducingOnce: t6, t7, t8, t9, t10, t11m)
    }

    /// Montgomery product a·b·R^-1 mod p: CIOS with the "no-carry" shortcut (Acar;
    /// gnark-crypto), valid because p's top limb is below (2^64 - 1)/2 - 1, so the running
    /// total never needs a seventh word. Fully unrolled: no loops, no arrays.
    static func * (a: Fp, b: Fp) -> Fp {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0, t5: UInt64 = 0
        var A: UInt64, C: UInt64, m: UInt64, s: UInt64
        // Word 0 of b.
        A = 0
        t0 = mac(t0, a.l0, b.l0, &A)
        m = t0 &* Fp.inv
        C = 0
        _ = mac(t0, m, Fp.p0, &C)
        s = mac(t1, a.l1, b.l0, &A)
        t0 = mac(s, m, Fp.p1, &C)
        s = mac(t2, a.l2, b.l0, &A)
        t1 = mac(s, m, Fp.p2, &C)
        s = mac(t3, a.l3, b.l0, &A)
        t2 = mac(s, m, Fp.p3, &C)
        s = mac(t4, a.l4, b.l0, &A)
        t3 = mac(s, m, Fp.p4, &C)
        s = mac(t5, a.l5, b.l0, &A)
        t4 = mac(s, m, Fp.p5, &C)
        t5 = C &+ A
        // Word 1 of b.
        A = 0
        t0 = mac(t0, a.l0, b.l1, &A)
        m = t0 &* Fp.inv
        C = 0
        _ = mac(t0, m, Fp.p0, &C)
        s = mac(t1, a.l1, b.l1, &A)
        t0 = mac(s, m, Fp.p1, &C)
        s = mac(t2, a.l2, b.l1, &A)
        t1 = mac(s, m, Fp.p2, &C)
        s = mac(t3, a.l3, b.l1, &A)
        t2 = mac(s, m, Fp.p3, &C)
        s = mac(t4, a.l4, b.l1, &A)
        t3 = mac(s, m, Fp.p4, &C)
        s = mac(t5, a.l5, b.l1, &A)
        t4 = mac(s, m, Fp.p5, &C)
        t5 = C &+ A
        // Word 2 of b.
        A = 0
        t0 = mac(t0, a.l0, b.l2, &A)
        m = t0 &* Fp.inv
        C = 0
        _ = mac(t0, m, Fp.p0, &C)
        s = mac(t1, a.l1, b.l2, &A)
        t0 = mac(s, m, Fp.p1, &C)
        s = mac(t2, a.l2, b.l2, &A)
        t1 = mac(s, m, Fp.p2, &C)
        s = mac(t3, a.l3, b.l2, &A)
        t2 = mac(s, m, Fp.p3, &C)
        s = mac(t4, a.l4, b.l2, &A)
        t3 = mac(s, m, Fp.p4, &C)
        s = mac(t5, a.l5, b.l2, &A)
        t4 = mac(s, m, Fp.p5, &C)
        t5 = C &+ A
        // Word 3 of b.
        A = 0
        t0 = mac(t0, a.l0, b.l3, &A)
        m = t0 &* Fp.inv
        C = 0
        _ = mac(t0, m, Fp.p0, &C)
        s = mac(t1, a.l1, b.l3, &A)
        t0 = mac(s, m, Fp.p1, &C)
        s = mac(t2, a.l2, b.l3, &A)
        t1 = mac(s, m, Fp.p2, &C)
        s = mac(t3, a.l3, b.l3, &A)
        t2 = mac(s, m, Fp.p3, &C)
        s = mac(t4, a.l4, b.l3, &A)
        t3 = mac(s, m, Fp.p4, &C)
        s = mac(t5, a.l5, b.l3, &A)
        t4 = mac(s, m, Fp.p5, &C)
        t5 = C &+ A
        // Word 4 of b.
        A = 0
        t0 = mac(t0, a.l0, b.l4, &A)
        m = t0 &* Fp.inv
        C = 0
        _ = mac(t0, m, Fp.p0, &C)
        s = mac(t1, a.l1, b.l4, &A)
        t0 = mac(s, m, Fp.p1, &C)
        s = mac(t2, a.l2, b.l4, &A)
        t1 = mac(s, m, Fp.p2, &C)
        s = mac(t3, a.l3, b.l4, &A)
        t2 = mac(s, m, Fp.p3, &C)
        s = mac(t4, a.l4, b.l4, &A)
        t3 = mac(s, m, Fp.p4, &C)
        s = mac(t5, a.l5, b.l4, &A)
        t4 = mac(s, m, Fp.p5, &C)
        t5 = C &+ A
        // Word 5 of b.
        A = 0
        t0 = mac(t0, a.l0, b.l5, &A)
        m = t0 &* Fp.inv
        C = 0
        _ = mac(t0, m, Fp.p0, &C)
        s = mac(t1, a.l1, b.l5, &A)
        t0 = mac(s, m, Fp.p1, &C)
        s = mac(t2, a.l2, b.l5, &A)
        t1 = mac(s, m, Fp.p2, &C)
        s = mac(t3, a.l3, b.l5, &A)
        t2 = mac(s, m, Fp.p3, &C)
        s = mac(t4, a.l4, b.l5, &A)
        t3 = mac(s, m, Fp.p4, &C)
        s = mac(t5, a.l5, b.l5, &A)
        t4 = mac(s, m, Fp.p5, &C)
        t5 = C &+ A
        return Fp(reducingOnce: t0, t1, t2, t3, t4, t5)
    }

    /// self^e for an exponent given as six little-endian limbs (left-to-right binary method).
    func power(_ e0: UInt64, _ e1: UInt64, _ e2: UInt64, _ e3: UInt64, _ e4: UInt64, _ e5: UInt64) -> Fp {
        var result = Fp.one
        var started = false
        @inline(__always) func absorb(_ limb: UInt64) {
            var bit: UInt64 = 64
            while bit > 0 {
                bit -= 1
                if started { result = result.squared }
                if (limb >> bit) & 1 == 1 {
                    result = started ? result * self : self
                    started = true
                }
            }
        }
        absorb(e5); absorb(e4); absorb(e3); absorb(e2); absorb(e1); absorb(e0)
        return result
    }

    /// The multiplicative inverse (Fermat: a^(p-2)); zero maps to zero.
    var inverse: Fp {
        power(
            0xb9fe_ffff_ffff_aaa9, 0x1eab_fffe_b153_ffff, 0x6730_d2a0_f6b0_f624,
            0x6477_4b84_f385_12bf, 0x4b1b_a7b6_434b_acd7, 0x1a01_11ea_397f_e69a)
    }

    /// A square root when one exists. p ≡ 3 (mod 4), so a candidate is a^((p+1)/4).
    var squareRoot: Fp? {
        let candidate = power(
            0xee7f_bfff_ffff_eaab, 0x07aa_ffff_ac54_ffff, 0xd9cc_34a8_3dac_3d89,
            0xd91d_d2e1_3ce1_44af, 0x92c6_e9ed_90d2_eb35, 0x0680_447a_8e5f_f9a6)
        return candidate.squared == self ? candidate : nil
    }

    /// Enters Montgomery form from canonical limbs (which must be below p).
    @inline(__always)
    var toMontgomery: Fp { self * Fp.r2 }

    /// Leaves Montgomery form: multiplying by the plain integer 1 divides by R.
    @inline(__always)
    var fromMontgomery: Fp { self * Fp(1, 0, 0, 0, 0, 0) }

    /// Reads six little-endian limbs (48 bytes) as they are, without any check or conversion.
    @inline(__always)
    init(rawLE bytes: UnsafeRawBufferPointer, at offset: Int) {
        @inline(__always) func limb(_ i: Int) -> UInt64 {
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8 * i, as: UInt64.self))
        }
        self.init(limb(0), limb(1), limb(2), limb(3), limb(4), limb(5))
    }

    /// Writes the six limbs as they are, little-endian, 48 bytes.
    @inline(__always)
    func storeRawLE(into bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        bytes.storeBytes(of: l0.littleEndian, toByteOffset: offset, as: UInt64.self)
        bytes.storeBytes(of: l1.littleEndian, toByteOffset: offset + 8, as: UInt64.self)
        bytes.storeBytes(of: l2.littleEndian, toByteOffset: offset + 16, as: UInt64.self)
        bytes.storeBytes(of: l3.littleEndian, toByteOffset: offset + 24, as: UInt64.self)
        bytes.storeBytes(of: l4.littleEndian, toByteOffset: offset + 32, as: UInt64.self)
        bytes.storeBytes(of: l5.littleEndian, toByteOffset: offset + 40, as: UInt64.self)
    }
}

/// A flag as 0 or 1. Written this way (not `b ? 1 : 0`) because the optimizer then
/// recognizes the carry chains below as add-with-carry instead of emitting branches.
@inline(__always)
func bit(_ b: Bool) -> UInt64 { UInt64(unsafeBitCast(b, to: UInt8.self)) }

/// a + b + carry; carry becomes the carry out (0 or 1).
@inline(__always)
func adc(_ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
    let (s1, o1) = a.addingReportingOverflow(b)
    let (s2, o2) = s1.addingReportingOverflow(carry)
    carry = bit(o1) | bit(o2)
    return s2
}

/// a - b - borrow; borrow becomes the borrow out (0 or 1).
@inline(__always)
func sbb(_ a: UInt64, _ b: UInt64, _ borrow: inout UInt64) -> UInt64 {
    let (d1, o1) = a.subtractingReportingOverflow(b)
    let (d2, o2) = d1.subtractingReportingOverflow(borrow)
    borrow = bit(o1) | bit(o2)
    return d2
}

/// The low word of t + a·b + carry; carry becomes the high word. Never overflows:
/// (2^64-1)^2 + 2(2^64-1) = 2^128 - 1.
@inline(__always)
func mac(_ t: UInt64, _ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
    let (hi, lo) = a.multipliedFullWidth(by: b)
    let (s1, o1) = lo.addingReportingOverflow(t)
    let (s2, o2) = s1.addingReportingOverflow(carry)
    carry = hi &+ bit(o1) &+ bit(o2)
    return s2
}
