import BigInt
import Testing
import FinalityTestSupport

@testable import BLS12381

@Suite("HotStuff's 144-byte Jacobian Montgomery keys convert to and from affine keys")
struct HotStuffConversionTests {
    static func affineKeys() -> [[UInt8]] {
        var rng = SplitMix(seed: 20)
        return (1...10).map { G1.generatorMultipleAffineLE($0) }
            + (0..<20).map { _ in G1.generatorMultipleAffineLE(rng.next()) }
            + (0..<5).map { G1.pointOutsideSubgroupAffineLE(seed: $0) }
            + [KeyCheckTests.specKey]
    }

    static func toJacobian(_ affine: [UInt8]) -> [UInt8]? {
        affine.withUnsafeBytes { G1.jacobianMontgomeryLE(fromAffineLE: $0) }
    }

    static func toAffine(_ jacobian: [UInt8]) -> [UInt8]? {
        jacobian.withUnsafeBytes { G1.affineLE(fromJacobianMontgomeryLE: $0) }
    }

    /// Montgomery form of a value, as HotStuff's file holds it.
    static func montgomeryLE(_ value: BigUInt) -> [UInt8] {
        Ref.bytesLE((value * Ref.montgomeryR) % Ref.p)
    }

    @Test func affineToJacobianHasMontgomeryOneAsZAndRoundTrips() {
        for key in Self.affineKeys() {
            let jacobian = Self.toJacobian(key)
            let q = Ref.point(affineLE: key)!
            #expect(jacobian == Self.montgomeryLE(q.x) + Self.montgomeryLE(q.y) + Self.montgomeryLE(1))
            #expect(jacobian.flatMap(Self.toAffine) == key)
        }
    }

    @Test func anyZConvertsBackToTheSameAffineKey() {
        var rng = SplitMix(seed: 21)
        for key in Self.affineKeys() {
            let q = Ref.point(affineLE: key)!
            for _ in 0..<4 {
                var z = rng.element()
                if z.isZero { z = 1 }
                let zz = Ref.mul(z, z)
                let jacobian = Self.montgomeryLE(Ref.mul(q.x, zz)) + Self.montgomeryLE(Ref.mul(q.y, Ref.mul(zz, z)))
                    + Self.montgomeryLE(z)
                #expect(Self.toAffine(jacobian) == key)
            }
        }
    }

    @Test func zeroZIsInfinityWhateverXAndY() {
        var rng = SplitMix(seed: 22)
        for _ in 0..<10 {
            let jacobian = Self.montgomeryLE(rng.element()) + Self.montgomeryLE(rng.element()) + Ref.bytesLE(0)
            #expect(Self.toAffine(jacobian) == [UInt8](repeating: 0, count: 96))
        }
    }

    @Test func infinityRoundTripsThroughZeroZ() {
        let zero = [UInt8](repeating: 0, count: 96)
        #expect(Self.toJacobian(zero) == [UInt8](repeating: 0, count: 144))
        #expect(Self.toJacobian(zero).flatMap(Self.toAffine) == zero)
    }

    @Test func aCoordinateNotBelowPIsRejected() {
        let valid = Self.toJacobian(KeyCheckTests.specKey)!
        let p = Ref.bytesLE(Ref.p)
        let allOnes = [UInt8](repeating: 0xff, count: 48)
        for coordinate in 0..<3 {
            for bad in [p, allOnes, Ref.bytesLE(Ref.p + 1)] {
                var jacobian = valid
                jacobian.replaceSubrange(coordinate * 48..<coordinate * 48 + 48, with: bad)
                #expect(Self.toAffine(jacobian) == nil, "coordinate \(coordinate)")
            }
        }
        let y = Array(KeyCheckTests.specKey[48...]), x = Array(KeyCheckTests.specKey[..<48])
        #expect(Self.toJacobian(p + y) == nil)
        #expect(Self.toJacobian(x + p) == nil)
    }
}
