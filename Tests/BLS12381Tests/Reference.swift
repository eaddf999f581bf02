import BigInt
import FinalityTestSupport
@testable import BLS12381

// A slow, obviously-correct BLS12-381 G1 built on arbitrary-precision integers: the
// oracle the fixed-width code is checked against. Nothing here shares code with it.

enum Ref {
    static let p = BigUInt(
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
        radix: 16)!
    static let r = BigUInt("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", radix: 16)!
    static let u = BigUInt("d201000000010000", radix: 16)!  // |u|; u itself is negative
    /// The cofactor of G1: #E(Fp) = h·r.
    static let h = BigUInt("396c8c005555e1568c00aaab0000aaab", radix: 16)!
    static let montgomeryR = BigUInt(1) << 384
    static let montgomeryRInverse = (montgomeryR % p).inverse(p)!

    // Field, mod p.
    static func add(_ a: BigUInt, _ b: BigUInt) -> BigUInt { (a + b) % p }
    static func sub(_ a: BigUInt, _ b: BigUInt) -> BigUInt { (a + p - b % p) % p }
    static func mul(_ a: BigUInt, _ b: BigUInt) -> BigUInt { (a * b) % p }
    static func neg(_ a: BigUInt) -> BigUInt { (p - a % p) % p }
    static func inv(_ a: BigUInt) -> BigUInt { a.inverse(p)! }
    static func isSquare(_ a: BigUInt) -> Bool { a.isZero || a.power((p - 1) / 2, modulus: p) == 1 }
    static func curveRHS(_ x: BigUInt) -> BigUInt { (x * x * x + 4) % p }

    /// An affine point; nil is the point at infinity.
    struct Point: Equatable {
        var x: BigUInt
        var y: BigUInt
    }

    static func isOnCurve(_ q: Point) -> Bool { mul(q.y, q.y) == curveRHS(q.x) }

    static func negate(_ a: Point?) -> Point? { a.map { Point(x: $0.x, y: neg($0.y)) } }

    /// The chord-and-tangent law, straight from the textbook.
    static func add(_ a: Point?, _ b: Point?) -> Point? {
        guard let a else { return b }
        guard let b else { return a }
        let slope: BigUInt
        if a.x == b.x {
            if add(a.y, b.y) == 0 { return nil }  // P + (-P), including 2-torsion
            slope = mul(mul(3, mul(a.x, a.x)), inv(mul(2, a.y)))
        } else {
            slope = mul(sub(b.y, a.y), inv(sub(b.x, a.x)))
        }
        let x3 = sub(sub(mul(slope, slope), a.x), b.x)
        let y3 = sub(mul(slope, sub(a.x, x3)), a.y)
        return Point(x: x3, y: y3)
    }

    /// k·P by double-and-add on affine points.
    static func multiply(_ q: Point?, by k: BigUInt) -> Point? {
        var result: Point? = nil
        var addend = q
        var k = k
        while !k.isZero {
            if k[bitAt: 0] { result = add(result, addend) }
            addend = add(addend, addend)
            k >>= 1
        }
        return result
    }

    /// The definition of G1 membership: r·P = O.
    static func isInSubgroup(_ q: Point) -> Bool { multiply(q, by: r) == nil }

    static let generator = Point(
        x: BigUInt(
            "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb",
            radix: 16)!,
        y: BigUInt(
            "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1",
            radix: 16)!)

    /// Some point on the curve with x ≥ start (most such points are outside G1).
    static func point(atOrAfter start: BigUInt) -> Point {
        var x = start % p
        while !isSquare(curveRHS(x)) { x = add(x, 1) }
        let y = curveRHS(x).power((p + 1) / 4, modulus: p)
        return Point(x: x, y: y)
    }

    // Byte forms.
    static func integer(le bytes: ArraySlice<UInt8>) -> BigUInt {
        bytes.reversed().reduce(BigUInt(0)) { ($0 << 8) | BigUInt($1) }
    }

    static func bytesLE(_ value: BigUInt, count: Int = 48) -> [UInt8] {
        precondition(value.bitWidth <= count * 8)
        return (0..<count).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func affineLE(_ q: Point?) -> [UInt8] {
        guard let q else { return [UInt8](repeating: 0, count: 96) }
        return bytesLE(q.x) + bytesLE(q.y)
    }

    static func point(affineLE bytes: [UInt8]) -> Point? {
        let x = integer(le: bytes[0..<48]), y = integer(le: bytes[48..<96])
        return x.isZero && y.isZero ? nil : Point(x: x, y: y)
    }

    // Bridges to the fast field type (limbs are the Montgomery form a·R mod p).
    static func fp(_ value: BigUInt) -> Fp {
        let m = (value * montgomeryR) % p
        let w = (0..<6).map { UInt64(truncatingIfNeeded: m >> (64 * $0)) }
        return Fp(w[0], w[1], w[2], w[3], w[4], w[5])
    }

    static func value(_ f: Fp) -> BigUInt {
        let m = [f.l0, f.l1, f.l2, f.l3, f.l4, f.l5].reversed().reduce(BigUInt(0)) { ($0 << 64) | BigUInt($1) }
        return (m * montgomeryRInverse) % p
    }
}

/// The tests' seeded generator (FinalityTestSupport), drawing field elements.
extension SplitMix {
    /// A field element, biased towards nothing in particular.
    mutating func element() -> BigUInt {
        BigUInt.randomInteger(lessThan: Ref.p, using: &self)
    }
}

extension Ref {
    /// Jacobian (X, Y, Z) ↦ (X/Z², Y/Z³) with the textbook formulas (add-1998-cmo-2,
    /// dbl-1998-cmo with a = 0; deliberately not the formulas of the fast code), so that
    /// r·P needs no inversion. Checked against the affine law in the tests.
    struct Jacobian {
        var x: BigUInt
        var y: BigUInt
        var z: BigUInt
        static let infinity = Jacobian(x: 1, y: 1, z: 0)
        init(x: BigUInt, y: BigUInt, z: BigUInt) { self.x = x; self.y = y; self.z = z }
        init(_ q: Point?) { self = q.map { Jacobian(x: $0.x, y: $0.y, z: 1) } ?? .infinity }

        var affine: Point? {
            if z.isZero { return nil }
            let zi = Ref.inv(z)
            let zi2 = Ref.mul(zi, zi)
            return Point(x: Ref.mul(x, zi2), y: Ref.mul(y, Ref.mul(zi2, zi)))
        }

        var doubled: Jacobian {
            if z.isZero || y.isZero { return .infinity }
            let yy = Ref.mul(y, y)
            let s = Ref.mul(4, Ref.mul(x, yy))
            let m = Ref.mul(3, Ref.mul(x, x))
            let x3 = Ref.sub(Ref.mul(m, m), Ref.mul(2, s))
            let y3 = Ref.sub(Ref.mul(m, Ref.sub(s, x3)), Ref.mul(8, Ref.mul(yy, yy)))
            return Jacobian(x: x3, y: y3, z: Ref.mul(2, Ref.mul(y, z)))
        }

        func adding(_ o: Jacobian) -> Jacobian {
            if z.isZero { return o }
            if o.z.isZero { return self }
            let z1z1 = Ref.mul(z, z), z2z2 = Ref.mul(o.z, o.z)
            let u1 = Ref.mul(x, z2z2), u2 = Ref.mul(o.x, z1z1)
            let s1 = Ref.mul(y, Ref.mul(z2z2, o.z)), s2 = Ref.mul(o.y, Ref.mul(z1z1, z))
            let h = Ref.sub(u2, u1), rr = Ref.sub(s2, s1)
            if h.isZero { return rr.isZero ? doubled : .infinity }
            let hh = Ref.mul(h, h), hhh = Ref.mul(hh, h)
            let u1hh = Ref.mul(u1, hh)
            let x3 = Ref.sub(Ref.sub(Ref.mul(rr, rr), hhh), Ref.mul(2, u1hh))
            let y3 = Ref.sub(Ref.mul(rr, Ref.sub(u1hh, x3)), Ref.mul(s1, hhh))
            return Jacobian(x: x3, y: y3, z: Ref.mul(h, Ref.mul(z, o.z)))
        }

        func multiplied(by k: BigUInt) -> Jacobian {
            var result = Jacobian.infinity
            var addend = self
            var k = k
            while !k.isZero {
                if k[bitAt: 0] { result = result.adding(addend) }
                addend = addend.doubled
                k >>= 1
            }
            return result
        }
    }

    /// r·P = O, computed without inversions.
    static func isInSubgroupFast(_ q: Point) -> Bool { Jacobian(q).multiplied(by: r).z.isZero }
}

extension Ref {
    /// The limbs as an integer, with no Montgomery conversion.
    static func raw(_ f: Fp) -> BigUInt {
        [f.l0, f.l1, f.l2, f.l3, f.l4, f.l5].reversed().reduce(BigUInt(0)) { ($0 << 64) | BigUInt($1) }
    }

    /// Limbs holding an integer as it is (no Montgomery conversion); must fit 384 bits.
    static func rawFp(_ value: BigUInt) -> Fp {
        precondition(value.bitWidth <= 384)
        let w = (0..<6).map { UInt64(truncatingIfNeeded: value >> (64 * $0)) }
        return Fp(w[0], w[1], w[2], w[3], w[4], w[5])
    }

    /// What nodeos's checked affine parse should say, decided the slow way.
    static func classify(affineLE bytes: [UInt8]) -> G1.KeyCheck {
        let x = integer(le: bytes[0..<48]), y = integer(le: bytes[48..<96])
        if x >= p { return .xNotCanonical }
        if y >= p { return .yNotCanonical }
        if x.isZero && y.isZero { return .infinity }
        let q = Point(x: x, y: y)
        if !isOnCurve(q) { return .notOnCurve }
        return isInSubgroupFast(q) ? .valid : .notInSubgroup
    }
}

func check(_ bytes: [UInt8]) -> G1.KeyCheck {
    bytes.withUnsafeBytes { G1.checkAffineLE($0) }
}
