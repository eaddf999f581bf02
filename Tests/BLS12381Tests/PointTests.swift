import BigInt
import Testing
import FinalityTestSupport

@testable import BLS12381

@Suite("G1 points: multiples of the generator and subgroup membership")
struct PointTests {
    @Test func generatorIsTheStandardOne() {
        // Coordinates as published (e.g. draft-irtf-cfrg-pairing-friendly-curves).
        #expect(G1.generatorMultipleAffineLE(1) == Ref.affineLE(Ref.generator))
        #expect(Ref.isOnCurve(Ref.generator))
        #expect(Ref.multiply(Ref.generator, by: Ref.r) == nil)  // affine, the slow way
        #expect(Ref.multiply(Ref.generator, by: Ref.r - 1) == Ref.negate(Ref.generator))
        #expect(G1Affine.generator.isOnCurve)
    }

    @Test func cofactorAndOrderAreConsistent() {
        // #E(Fp) = h·r and the trace t = u + 1: #E = p + 1 - t.
        let u = BigInt(-1) * BigInt(Ref.u)
        #expect(BigInt(Ref.h * Ref.r) == BigInt(Ref.p) + 1 - (u + 1))
    }

    @Test func jacobianReferenceAgreesWithAffineReference() {
        var rng = SplitMix(seed: 10)
        var previous = Ref.point(atOrAfter: rng.element())
        for _ in 0..<20 {
            let q = Ref.point(atOrAfter: rng.element())
            #expect(Ref.Jacobian(previous).adding(Ref.Jacobian(q)).affine == Ref.add(previous, q))
            #expect(Ref.Jacobian(q).doubled.affine == Ref.add(q, q))
            let k = BigUInt(rng.next() >> 54)
            #expect(Ref.Jacobian(q).multiplied(by: k).affine == Ref.multiply(q, by: k))
            previous = q
        }
    }

    @Test func smallMultiplesMatchRepeatedAddition() {
        var expected: Ref.Point? = nil
        for k in UInt64(0)...64 {
            #expect(G1.generatorMultipleAffineLE(k) == Ref.affineLE(expected), "k = \(k)")
            expected = Ref.add(expected, Ref.generator)
        }
    }

    @Test func largeMultiplesMatchReference() {
        var rng = SplitMix(seed: 11)
        let ks: [UInt64] = [UInt64.max, UInt64.max - 1, 1 << 63, 0xd201_0000_0001_0000] + (0..<30).map { _ in rng.next() }
        for k in ks {
            let expected = Ref.Jacobian(Ref.generator).multiplied(by: BigUInt(k)).affine
            #expect(G1.generatorMultipleAffineLE(k) == Ref.affineLE(expected), "k = \(k)")
        }
    }

    @Test(arguments: [0, 1, 2, 7, 1000, (1 << 32) + 5, 0x5eed_5eed_5eed_5eed, UInt64.max - 600] as [UInt64])
    func consecutiveMultiplesMatchSingleMultiples(start: UInt64) {
        var multiples = GeneratorMultiples(startingAt: start)
        #expect(multiples.k == start)
        // 300 crosses several batch boundaries (batches grow 8, 16, ... 256).
        for offset in UInt64(0)..<300 {
            let k = start + offset
            #expect(multiples.k == k)
            #expect(multiples.next() == G1.generatorMultipleAffineLE(k), "k = \(k)")
        }
        #expect(multiples.k == start + 300)
    }

    @Test func consecutiveMultiplesAreValidAndDistinct() {
        let keys = Array(GeneratorMultiples(startingAt: 1).prefix(500))
        #expect(Set(keys).count == 500)
        #expect(keys.allSatisfy { check($0) == .valid })
    }

    @Test func mixedAdditionHandlesEqualAndOppositePoints() {
        let g = G1Affine.generator
        let jacobianG = G1Jacobian(x: g.x * Fp.curveB.squared, y: g.y * Fp.curveB.squared * Fp.curveB, z: Fp.curveB)
        #expect(jacobianG.adding(g).affine == G1Jacobian(g).doubled.affine)
        #expect(jacobianG.adding(G1Affine(x: g.x, y: -g.y)).isInfinity)
        #expect(G1Jacobian.infinity.adding(g).affine == g)
        let two = Ref.add(Ref.generator, Ref.generator)!
        #expect(G1.affineBytes(jacobianG.adding(g).affine) == Ref.affineLE(two))
    }
}

@Suite("The endomorphism subgroup test agrees with r·P = O")
struct SubgroupTests {
    static let orderThree = [Ref.Point(x: 0, y: 2), Ref.Point(x: 0, y: Ref.p - 2)]

    static func fastVerdict(_ q: Ref.Point) -> Bool {
        G1Affine(x: Ref.fp(q.x), y: Ref.fp(q.y)).isInPrimeOrderSubgroup
    }

    @Test func pointsOfOrderThreeAreOutside() {
        for t in Self.orderThree {
            #expect(Ref.isOnCurve(t))
            #expect(Ref.multiply(t, by: 3) == nil)
            #expect(!Self.fastVerdict(t))
            #expect(check(Ref.affineLE(t)) == .notInSubgroup)
        }
    }

    /// Each point's verdict decided by computing r·P directly (72 points: random curve
    /// points, multiples of G, and multiples of G shifted by torsion points).
    @Test func directComparisonOnMixedPoints() {
        var rng = SplitMix(seed: 12)
        var points: [Ref.Point] = []
        for _ in 0..<24 { points.append(Ref.point(atOrAfter: rng.element())) }
        for _ in 0..<24 {
            points.append(Ref.point(affineLE: G1.generatorMultipleAffineLE(rng.next()))!)
        }
        for i in 0..<24 {
            let q = Ref.point(affineLE: G1.generatorMultipleAffineLE(rng.next()))
            points.append(Ref.add(q, Self.orderThree[i % 2])!)
        }
        var inside = 0
        for q in points {
            let expected = Ref.isInSubgroupFast(q)
            if expected { inside += 1 }
            #expect(Self.fastVerdict(q) == expected, "x = \(String(q.x, radix: 16))")
            #expect(check(Ref.affineLE(q)) == (expected ? .valid : .notInSubgroup))
        }
        #expect(inside == 24)
    }

    /// 400 more points whose membership follows from their construction: Q + T with Q in
    /// G1 is in G1 iff T is, and r·T = O only for T = O when T's order divides the cofactor.
    /// The torsion points T (orders dividing h, including 3 and 11) come from r·R.
    @Test func constructedPointsInsideAndOutside() {
        var rng = SplitMix(seed: 13)
        var torsion = Self.orderThree
        while torsion.count < 5 {
            if let t = Ref.Jacobian(Ref.point(atOrAfter: rng.element())).multiplied(by: Ref.r).affine {
                torsion.append(t)
            }
        }
        // 11² divides h: (r·h/121)·R has order dividing 121; keep points of order exactly 11.
        while torsion.count < 8 {
            let base = Ref.Jacobian(Ref.point(atOrAfter: rng.element()))
            if var t = base.multiplied(by: Ref.r * Ref.h / 121).affine {
                if let eleven = Ref.multiply(t, by: 11) { t = eleven }
                torsion.append(t)
            }
        }
        #expect(torsion.allSatisfy { Ref.Jacobian($0).multiplied(by: Ref.h).z.isZero })
        #expect(torsion[5...].allSatisfy { Ref.multiply($0, by: 11) == nil })
        // Pure torsion points: scalar multiplication inside the test meets k·T = ±T.
        for t in torsion { #expect(!Self.fastVerdict(t)) }

        var checked = 0
        var q = Ref.point(affineLE: G1.generatorMultipleAffineLE(rng.next()))!
        for i in 0..<200 {
            #expect(Self.fastVerdict(q))
            let shifted = Ref.add(q, torsion[i % torsion.count])!
            #expect(!Self.fastVerdict(shifted), "i = \(i)")
            checked += 2
            q = Ref.add(Ref.add(q, q), Ref.generator)!
        }
        #expect(checked == 400)
    }
}
