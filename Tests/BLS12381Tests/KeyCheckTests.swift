import BigInt
import Foundation
import FinalityTestSupport
import Testing

@testable import BLS12381

@Suite("Key checks say what nodeos's checked affine parse says")
struct KeyCheckTests {
    /// The valid vector of libfc's test_bls.cpp (`bls_prefix_encoding_check`), per format.md.
    static let specKey = hexBytes(
        "f363f7a0cd6ed0812feb8bbd8b8bd2cef835f900e5e056f69f9d0ca7c4a4ec5af54f3d0c272a732f"
            + "7f6749de553c58050bd5aaae3a2945b066d4f7f44643f4d7c7e8d64dab5da258ed6b7377d44a944f"
            + "0fa10e978439b83f266522ea5083f80e")

    /// The three keys of the upstream v1 sample file (read in place, never copied).
    static func upstreamKeys() throws -> [[UInt8]] {
        let file = try Data(contentsOf: PackagePaths.upstream.appendingPathComponent("safety_v1.dat"))
        return [25, 25 + 237, 25 + 474].map { [UInt8](file[$0..<$0 + 96]) }
    }

    @Test func theSpecVectorKeyIsValid() {
        #expect(Self.specKey.count == 96)
        #expect(check(Self.specKey) == .valid)
        #expect(Ref.classify(affineLE: Self.specKey) == .valid)
    }

    @Test func theKeysOfTheUpstreamSampleFileAreValid() throws {
        let keys = try Self.upstreamKeys()
        #expect(Set(keys).count == 3)
        for key in keys {
            #expect(check(key) == .valid)
            #expect(Ref.classify(affineLE: key) == .valid)
        }
    }

    @Test func flippingAnyBitOfARealKeyMakesItInvalid() throws {
        var keys = try Self.upstreamKeys()
        keys.append(Self.specKey)
        // Every bit of one key, a spread of bits of the others; the reference says which case.
        for (index, key) in keys.enumerated() {
            let bits = index == 0 ? Array(0..<768) : Array(stride(from: index, to: 768, by: 37)) + [383, 767]
            for bit in bits {
                var flipped = key
                flipped[bit / 8] ^= 1 << (bit % 8)
                let verdict = check(flipped)
                #expect(verdict != .valid, "key \(index), bit \(bit)")
                #expect(verdict == Ref.classify(affineLE: flipped), "key \(index), bit \(bit)")
            }
        }
    }

    @Test func coordinatesNotBelowPAreNotCanonical() {
        let p = Ref.bytesLE(Ref.p)
        let y = Array(Self.specKey[48...]), x = Array(Self.specKey[..<48])
        #expect(check(p + y) == .xNotCanonical)
        #expect(check(x + p) == .yNotCanonical)
        #expect(check(p + p) == .xNotCanonical)  // x is looked at first
        #expect(check([UInt8](repeating: 0xff, count: 96)) == .xNotCanonical)
        #expect(check(Ref.bytesLE(Ref.p + 5) + y) == .xNotCanonical)
        // x + p encodes the same field element, but nodeos insists on the canonical form.
        let xPlusP = Ref.integer(le: Self.specKey[..<48]) + Ref.p
        #expect(xPlusP.bitWidth <= 384)
        #expect(check(Ref.bytesLE(xPlusP) + y) == .xNotCanonical)
        #expect(check(Ref.bytesLE(Ref.p - 1) + Ref.bytesLE(Ref.p - 1)) == .notOnCurve)
    }

    @Test func allZeroIsTheAcceptedPointAtInfinity() {
        #expect(check([UInt8](repeating: 0, count: 96)) == .infinity)
    }

    @Test func pointsOffTheCurve() {
        #expect(check(Ref.bytesLE(1) + Ref.bytesLE(1)) == .notOnCurve)
        #expect(check(Ref.bytesLE(0) + Ref.bytesLE(1)) == .notOnCurve)
        #expect(check(Ref.bytesLE(1) + Ref.bytesLE(0)) == .notOnCurve)
        // The generator's x with y + 1.
        let g = Ref.generator
        #expect(check(Ref.bytesLE(g.x) + Ref.bytesLE(Ref.add(g.y, 1))) == .notOnCurve)
        // The generator's x with -y is on the curve: it is -G, valid.
        #expect(check(Ref.bytesLE(g.x) + Ref.bytesLE(Ref.neg(g.y))) == .valid)
    }

    @Test func pointsOutsideTheSubgroupAreDeterministicAndRejected() {
        var seen = Set<[UInt8]>()
        for seed in UInt64(0)..<40 {
            let point = G1.pointOutsideSubgroupAffineLE(seed: seed)
            #expect(point == G1.pointOutsideSubgroupAffineLE(seed: seed))
            #expect(check(point) == .notInSubgroup, "seed \(seed)")
            seen.insert(point)
        }
        #expect(seen.count == 40)
        for seed in [UInt64(0), 1, 0xdead_beef, UInt64.max] {
            #expect(Ref.classify(affineLE: G1.pointOutsideSubgroupAffineLE(seed: seed)) == .notInSubgroup)
        }
    }
}

/// The loader's on-curve check works on the coordinates as stored (four Montgomery
/// multiplications, `G1.isOnCurveRaw`): held against the BigInt curve equation.
@Suite struct RawOnCurveTests {
    @Test func agreesWithTheCurveEquationOnRandomAndOnCurvePoints() {
        var g = SystemRandomNumberGenerator()
        func random() -> BigUInt { BigUInt(words: (0..<6).map { _ in UInt(g.next() as UInt64) }) % Ref.p }
        var onCurve = 0
        for n in 0..<48 {
            let x = random()
            // Half of them points on the curve (y from x), the others random y; and some
            // on-curve points with y changed by one or negated.
            let q = Ref.point(atOrAfter: x)
            let y: BigUInt
            switch n % 4 {
            case 0: y = q.y
            case 1: y = Ref.neg(q.y)
            case 2: y = Ref.add(q.y, 1)
            default: y = random()
            }
            let px = n % 4 < 3 ? q.x : x
            let bytes = Ref.bytesLE(px) + Ref.bytesLE(y)
            let want = Ref.mul(y, y) == Ref.curveRHS(px)
            if want { onCurve += 1 }
            let got = bytes.withUnsafeBytes { G1.checkLoadableAffineLE($0) }
            #expect(got == (want ? .valid : .notOnCurve), "x \(px) y \(y)")
        }
        #expect(onCurve >= 24, "both answers were tried")
        #expect(Fp.curveBOverR2 == Fp(4, 0, 0, 0, 0, 0) * Fp.rawOne * Fp.rawOne)
    }
}
