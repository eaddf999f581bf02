// STUB: the public surface the format module calls. The real arithmetic replaces these
// bodies (fixed-width 6x64-bit limbs, Montgomery form).

/// BLS12-381 G1: the curve y^2 = x^3 + 4 over the base field Fp.
public enum G1 {
    /// What nodeos's `from_affine_bytes_le` with `check_valid` makes of 96 key bytes.
    public enum KeyCheck: Sendable, Equatable {
        /// On the curve and in the prime-order subgroup.
        case valid
        /// x = y = 0: the point at infinity (nodeos accepts it; such a key cannot sign).
        case infinity
        /// x is not below p.
        case xNotCanonical
        /// y is not below p.
        case yNotCanonical
        /// y^2 != x^3 + 4.
        case notOnCurve
        /// On the curve but r·P != O.
        case notInSubgroup
    }

    /// Checks 96 bytes: x then y, 48 bytes each, little-endian, canonical (not Montgomery).
    public static func checkAffineLE(_ bytes: UnsafeRawBufferPointer) -> KeyCheck {
        precondition(bytes.count == 96)
        return .valid
    }

    /// The 144-byte HotStuff form (Jacobian X, Y, Z, each 6 u64 LE limbs in Montgomery form)
    /// to the 96-byte affine canonical form. Z = 0 gives 96 zero bytes (infinity).
    /// nil when a coordinate is not below p.
    public static func affineLE(fromJacobianMontgomeryLE bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        precondition(bytes.count == 144)
        return nil
    }

    /// The 96-byte affine form to the 144-byte HotStuff form with Z = Montgomery one
    /// (as the HotStuff code wrote keys parsed from text). Infinity maps to Z = 0.
    /// nil when a coordinate is not below p.
    public static func jacobianMontgomeryLE(fromAffineLE bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        precondition(bytes.count == 96)
        return nil
    }

    /// k·G1 in the 96-byte affine form (k = 0 gives infinity).
    public static func generatorMultipleAffineLE(_ k: UInt64) -> [UInt8] {
        [UInt8](repeating: 0, count: 96)
    }

    /// A point on the curve but outside the prime-order subgroup, found deterministically
    /// from a seed (for fixtures and tests).
    public static func pointOutsideSubgroupAffineLE(seed: UInt64) -> [UInt8] {
        [UInt8](repeating: 0, count: 96)
    }
}

/// Consecutive multiples k·G1, (k+1)·G1, ... at the cost of one point addition each.
public struct GeneratorMultiples: Sequence, IteratorProtocol {
    public private(set) var k: UInt64
    public init(startingAt k: UInt64) { self.k = k }
    public mutating func next() -> [UInt8]? {
        defer { k += 1 }
        return G1.generatorMultipleAffineLE(k)
    }
}
