import BigInt
import Testing
import FinalityTestSupport

@testable import BLS12381

@Suite("Fp, the base field, agrees with BigInt arithmetic mod p")
struct FieldTests {
    /// Random elements plus the values where carries and reductions go wrong first.
    static func samples(_ count: Int, seed: UInt64) -> [BigUInt] {
        var rng = SplitMix(seed: seed)
        let edges: [BigUInt] = [
            0, 1, 2, 3, 4, Ref.p - 1, Ref.p - 2, (Ref.p - 1) / 2, (Ref.p + 1) / 2,
            Ref.montgomeryR % Ref.p, (BigUInt(1) << 380), (BigUInt(1) << 64) - 1, BigUInt(1) << 64,
        ]
        return edges + (0..<count).map { _ in rng.element() }
    }

    @Test func modulusAndMontgomeryConstantsAreRight() {
        #expect(Ref.raw(Fp(Fp.p0, Fp.p1, Fp.p2, Fp.p3, Fp.p4, Fp.p5)) == Ref.p)
        #expect(Fp.p0 &* Fp.inv == UInt64.max)  // inv = -p^-1 mod 2^64
        #expect(Ref.raw(Fp.one) == Ref.montgomeryR % Ref.p)
        #expect(Ref.raw(Fp.r2) == (Ref.montgomeryR * Ref.montgomeryR) % Ref.p)
        #expect(Ref.value(Fp.curveB) == 4)
        #expect(Ref.value(Fp.one) == 1)
    }

    @Test func montgomeryFormRoundTrips() {
        for a in Self.samples(100, seed: 1) {
            let entered = Ref.rawFp(a).toMontgomery
            #expect(Ref.raw(entered) == (a * Ref.montgomeryR) % Ref.p)
            #expect(Ref.raw(entered.fromMontgomery) == a)
        }
    }

    @Test func additionSubtractionNegationMatch() {
        let xs = Self.samples(300, seed: 2), ys = Self.samples(300, seed: 3).reversed()
        for (a, b) in zip(xs, ys) {
            let fa = Ref.fp(a), fb = Ref.fp(b)
            #expect(Ref.value(fa + fb) == Ref.add(a, b))
            #expect(Ref.value(fa - fb) == Ref.sub(a, b))
            #expect(Ref.value(-fa) == Ref.neg(a))
            #expect(Ref.value(fa.doubled) == Ref.add(a, a))
            #expect((fa + fb).isBelowModulus && (fa - fb).isBelowModulus)
        }
    }

    @Test func multiplicationAndSquaringMatch() {
        let xs = Self.samples(400, seed: 4), ys = Self.samples(400, seed: 5).reversed()
        for (a, b) in zip(xs, ys) {
            let product = Ref.fp(a) * Ref.fp(b)
            #expect(Ref.value(product) == Ref.mul(a, b))
            #expect(product.isBelowModulus)
            #expect(Ref.value(Ref.fp(a).squared) == Ref.mul(a, a))
        }
    }

    @Test func inverseMatches() {
        for a in Self.samples(60, seed: 6) where !a.isZero {
            #expect(Ref.value(Ref.fp(a).inverse) == Ref.inv(a))
        }
        #expect(Fp.zero.inverse == Fp.zero)
    }

    @Test func squareRootExistsExactlyForSquares() {
        var squares = 0
        for a in Self.samples(120, seed: 7) {
            let root = Ref.fp(a).squareRoot
            if Ref.isSquare(a) {
                squares += 1
                #expect(root.map { Ref.mul(Ref.value($0), Ref.value($0)) } == a)
            } else {
                #expect(root == nil)
            }
        }
        #expect(squares > 30 && squares < 110)  // about half of random elements
    }

    @Test func canonicalCheckRejectsPAndAbove() {
        #expect(Ref.rawFp(Ref.p - 1).isBelowModulus)
        #expect(Ref.rawFp(0).isBelowModulus)
        #expect(!Ref.rawFp(Ref.p).isBelowModulus)
        #expect(!Ref.rawFp(Ref.p + 1).isBelowModulus)
        #expect(!Ref.rawFp((BigUInt(1) << 384) - 1).isBelowModulus)
        // A limb above p's limb but the whole value below p, and the reverse.
        #expect(Ref.rawFp(Ref.p - (BigUInt(1) << 320)).isBelowModulus)
        #expect(!Ref.rawFp(Ref.p + (BigUInt(1) << 64)).isBelowModulus)
    }

    @Test func betaIsTheCubeRootOfUnityThatActsAsMinusUSquared() {
        let beta = Ref.value(G1Affine.beta)
        #expect(beta != 1)
        #expect(Ref.mul(beta, Ref.mul(beta, beta)) == 1)
        let uSquared = (BigUInt(G1Affine.uSquaredHigh) << 64) | BigUInt(G1Affine.uSquaredLow)
        #expect(uSquared == Ref.u * Ref.u)
        // φ(G) = -u²·G for this β. With the other non-trivial root β², φ acts on G1 as
        // (-u²)² instead, and the subgroup test would reject every valid key.
        let minusUSquaredG = Ref.negate(Ref.Jacobian(Ref.generator).multiplied(by: uSquared).affine)
        let g = Ref.generator
        #expect(minusUSquaredG == Ref.Point(x: Ref.mul(beta, g.x), y: g.y))
        #expect(minusUSquaredG != Ref.Point(x: Ref.mul(Ref.mul(beta, beta), g.x), y: g.y))
    }
}
