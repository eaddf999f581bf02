/// A point of G1's curve E: y^2 = x^3 + 4 in affine coordinates, Montgomery form.
/// Never the point at infinity (callers track that separately).
struct G1Affine: Equatable, Sendable {
    var x: Fp
    var y: Fp

    /// The standard generator of the prime-order subgroup.
    static let generator = G1Affine(
        x: Fp(
            0x5cb3_8790_fd53_0c16, 0x7817_fc67_9976_fff5, 0x154f_95c7_143b_a1c1,
            0xf0ae_6acd_f3d0_e747, 0xedce_6ecc_21db_f440, 0x1201_7741_9e0b_fb75),
        y: Fp(
            0xbaac_93d5_0ce7_2271, 0x8c22_631a_7918_fd8e, 0xdd59_5f13_5707_25ce,
            0x51ac_5829_5040_5194, 0x0e1c_8c3f_ad00_59c0, 0x0bbc_3efc_5008_a26a))

    @inline(__always)
    var isOnCurve: Bool { y.squared == x.squared * x + Fp.curveB }

    /// A non-trivial cube root of unity (Montgomery form). φ(x, y) = (β·x, y) is an
    /// endomorphism of E; with this β (not the other root, β²) it acts on G1 as
    /// multiplication by -u², which is what the subgroup test relies on.
    static let beta = Fp(
        0x30f1_361b_798a_64e8, 0xf3b8_ddab_7ece_5a2a, 0x16a8_ca3a_c615_77f7,
        0xc26a_2ff8_74fd_029b, 0x3636_b766_6070_1c6e, 0x051b_a4ab_241b_6160)

    /// u^2 for the BLS parameter u = -0xd201000000010000, as (high, low) 64-bit words.
    static let uSquaredHigh: UInt64 = 0xac45_a401_0001_a402
    static let uSquaredLow: UInt64 = 0x0000_0001_0000_0000

    /// Membership of the prime-order subgroup: P ∈ G1 iff φ(P) = -u²·P (Scott 2021,
    /// eprint 2021/1130 §6; proof corrected in eprint 2022/352). One 128-bit scalar
    /// multiplication instead of the 255-bit r·P = O, and no inversion.
    var isInPrimeOrderSubgroup: Bool {
        let q = G1Jacobian.multiple(of: self, high: G1Affine.uSquaredHigh, low: G1Affine.uSquaredLow)
        if q.isInfinity { return false }
        // Compare q with -φ(P) = (β·x, -y) without leaving Jacobian coordinates.
        let z2 = q.z.squared
        let z3 = z2 * q.z
        return q.x == G1Affine.beta * x * z2 && (q.y + y * z3).isZero
    }
}

/// A point in Jacobian coordinates (X, Y, Z) ↦ (X/Z², Y/Z³), Montgomery form; Z = 0 is the
/// point at infinity. This is also the layout of nodeos's bls12-381 `g1`.
struct G1Jacobian: Equatable, Sendable {
    var x: Fp
    var y: Fp
    var z: Fp

    static let infinity = G1Jacobian(x: .zero, y: .one, z: .zero)

    @inline(__always)
    init(x: Fp, y: Fp, z: Fp) {
        self.x = x; self.y = y; self.z = z
    }

    @inline(__always)
    init(_ p: G1Affine) {
        self.init(x: p.x, y: p.y, z: .one)
    }

    @inline(__always)
    var isInfinity: Bool { z.isZero }

    /// 2·P, "dbl-2009-l" (a = 0): 2M + 5S. Infinity and points with y = 0 give Z = 0.
    @inline(__always)
    var doubled: G1Jacobian {
        let a = x.squared
        let b = y.squared
        let c = b.squared
        let d = ((x + b).squared - a - c).doubled
        let e = a.doubled + a
        let f = e.squared
        let x3 = f - d.doubled
        let c8 = c.doubled.doubled.doubled
        let y3 = e * (d - x3) - c8
        let z3 = (y * z).doubled
        return G1Jacobian(x: x3, y: y3, z: z3)
    }

    /// P + Q for affine Q, "madd-2007-bl": 7M + 4S, with the cases the formula cannot
    /// handle (P = O, P = Q, P = -Q) done explicitly. Points outside G1 can have small
    /// order (3 divides the cofactor), so those cases do occur in the subgroup test.
    @inline(__always)
    func adding(_ q: G1Affine) -> G1Jacobian {
        if isInfinity { return G1Jacobian(q) }
        let z1z1 = z.squared
        let u2 = q.x * z1z1
        let s2 = q.y * z * z1z1
        let h = u2 - x
        let r = (s2 - y).doubled
        if h.isZero {
            return r.isZero ? doubled : .infinity
        }
        let hh = h.squared
        let i = hh.doubled.doubled
        let j = h * i
        let v = x * i
        let x3 = r.squared - j - v.doubled
        let y3 = r * (v - x3) - (y * j).doubled
        let z3 = (z + h).squared - z1z1 - hh
        return G1Jacobian(x: x3, y: y3, z: z3)
    }

    /// k·P for a scalar of up to 128 bits given as (high, low) words; double-and-add
    /// from the highest set bit (doubling infinity would be wasted work).
    static func multiple(of p: G1Affine, high: UInt64, low: UInt64) -> G1Jacobian {
        var acc = G1Jacobian.infinity
        @inline(__always) func absorb(_ word: UInt64, bits: Int) {
            var bit = UInt64(bits)
            while bit > 0 {
                bit -= 1
                acc = acc.doubled
                if (word >> bit) & 1 == 1 { acc = acc.adding(p) }
            }
        }
        if high != 0 {
            absorb(high, bits: 64 - high.leadingZeroBitCount)
            absorb(low, bits: 64)
        } else {
            absorb(low, bits: 64 - low.leadingZeroBitCount)
        }
        return acc
    }

    /// The affine point, or nil for infinity. One inversion.
    var affine: G1Affine? {
        if isInfinity { return nil }
        return affine(zInverse: z.inverse)
    }

    /// The affine point given 1/Z (computed elsewhere, e.g. by batch inversion).
    @inline(__always)
    func affine(zInverse: Fp) -> G1Affine {
        let zi2 = zInverse.squared
        return G1Affine(x: x * zi2, y: y * zi2 * zInverse)
    }
}
