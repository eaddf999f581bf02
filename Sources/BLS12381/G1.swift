/// BLS12-381 G1: the curve y^2 = x^3 + 4 over the base field Fp.
///
/// Byte forms used by the finalizer safety files:
/// - affine LE (96 bytes): x then y, 48 bytes each, little-endian, canonical (not
///   Montgomery); (0, 0) is the point at infinity. This is the form of the v0/v1 files and
///   of `PUB_BLS_…` keys.
/// - Jacobian Montgomery LE (144 bytes): X, Y, Z, each six u64 LE limbs in Montgomery form
///   (R = 2^384 mod p). nodeos's in-memory `g1`, dumped as is by the HotStuff `safety_db.dat`.
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
    /// The checks run in nodeos's order: x canonical, y canonical, infinity, curve, subgroup.
    public static func checkAffineLE(_ bytes: UnsafeRawBufferPointer) -> KeyCheck {
        precondition(bytes.count == 96)
        let xRaw = Fp(rawLE: bytes, at: 0)
        if !xRaw.isBelowModulus { return .xNotCanonical }
        let yRaw = Fp(rawLE: bytes, at: 48)
        if !yRaw.isBelowModulus { return .yNotCanonical }
        if xRaw.isZero && yRaw.isZero { return .infinity }
        let point = G1Affine(x: xRaw.toMontgomery, y: yRaw.toMontgomery)
        if !point.isOnCurve { return .notOnCurve }
        if !point.isInPrimeOrderSubgroup { return .notInSubgroup }
        return .valid
    }

    /// What spring's loader checks, and nothing more: `bls12_381::g1::fromAffineBytesLE` with
    /// `check_valid` refuses a coordinate not below p and a point off the curve, and returns
    /// the point at infinity before the curve check. It never checks the subgroup
    /// (`inCorrectSubgroup` is only called when verifying signatures). So this answers
    /// `.valid`, `.infinity`, `.xNotCanonical`, `.yNotCanonical` or `.notOnCurve`, never
    /// `.notInSubgroup`: a point outside the subgroup LOADS (see `isInPrimeOrderSubgroupAffineLE`).
    public static func checkLoadableAffineLE(_ bytes: UnsafeRawBufferPointer) -> KeyCheck {
        precondition(bytes.count == 96)
        let xRaw = Fp(rawLE: bytes, at: 0)
        if !xRaw.isBelowModulus { return .xNotCanonical }
        let yRaw = Fp(rawLE: bytes, at: 48)
        if !yRaw.isBelowModulus { return .yNotCanonical }
        if xRaw.isZero && yRaw.isZero { return .infinity }
        return isOnCurveRaw(x: xRaw, y: yRaw) ? .valid : .notOnCurve
    }

    /// y² = x³ + 4 for coordinates as stored (not in Montgomery form), in four Montgomery
    /// multiplications (m(a, b) = a·b/R) instead of six (two to enter Montgomery form):
    /// m(m(y, y), 1) = y²/R² and m(m(x, x), x) = x³/R², so the curve equation holds exactly
    /// when the first equals the second plus 4/R².
    @inline(__always)
    static func isOnCurveRaw(x: Fp, y: Fp) -> Bool {
        (y.squared * Fp.rawOne) == x.squared * x + Fp.curveBOverR2
    }

    /// For a point `checkLoadableAffineLE` calls valid: is it in the prime-order subgroup
    /// (r·P = O)? The costly check, and only ever a warning: nodeos loads such a key, but
    /// it can never sign a vote that verifies. Infinity counts as in the subgroup.
    public static func isInPrimeOrderSubgroupAffineLE(_ bytes: UnsafeRawBufferPointer) -> Bool {
        precondition(bytes.count == 96)
        let xRaw = Fp(rawLE: bytes, at: 0)
        let yRaw = Fp(rawLE: bytes, at: 48)
        if xRaw.isZero && yRaw.isZero { return true }
        return G1Affine(x: xRaw.toMontgomery, y: yRaw.toMontgomery).isInPrimeOrderSubgroup
    }

    /// The 144-byte HotStuff form (Jacobian X, Y, Z, each 6 u64 LE limbs in Montgomery form)
    /// to the 96-byte affine canonical form. Any Z works (not only Montgomery one);
    /// Z = 0 gives 96 zero bytes (infinity). nil when a coordinate is not below p.
    /// The point is not checked for validity: pass the result to `checkAffineLE` for that.
    public static func affineLE(fromJacobianMontgomeryLE bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        precondition(bytes.count == 144)
        let point = G1Jacobian(
            x: Fp(rawLE: bytes, at: 0), y: Fp(rawLE: bytes, at: 48), z: Fp(rawLE: bytes, at: 96))
        guard point.x.isBelowModulus, point.y.isBelowModulus, point.z.isBelowModulus else {
            return nil
        }
        return affineBytes(point.affine)
    }

    /// The 96-byte affine form to the 144-byte HotStuff form with Z = Montgomery one
    /// (as the HotStuff code wrote keys parsed from text). Infinity (all zero) maps to
    /// (0, 0, 0), as nodeos's `fromAffineBytesLE` builds it (x and y kept, z = 0), and
    /// maps back to all zero. nil when a coordinate is not below p.
    /// The point is not checked for validity.
    public static func jacobianMontgomeryLE(fromAffineLE bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        precondition(bytes.count == 96)
        let xRaw = Fp(rawLE: bytes, at: 0)
        let yRaw = Fp(rawLE: bytes, at: 48)
        guard xRaw.isBelowModulus, yRaw.isBelowModulus else { return nil }
        let infinity = xRaw.isZero && yRaw.isZero
        let point = G1Jacobian(
            x: xRaw.toMontgomery, y: yRaw.toMontgomery, z: infinity ? .zero : .one)
        return [UInt8](unsafeUninitializedCapacity: 144) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            point.x.storeRawLE(into: raw, at: 0)
            point.y.storeRawLE(into: raw, at: 48)
            point.z.storeRawLE(into: raw, at: 96)
            count = 144
        }
    }

    /// k·G1 in the 96-byte affine form (k = 0 gives infinity).
    public static func generatorMultipleAffineLE(_ k: UInt64) -> [UInt8] {
        affineBytes(G1Jacobian.multiple(of: .generator, high: 0, low: k).affine)
    }

    /// A point on the curve but outside the prime-order subgroup, found deterministically
    /// from a seed (for fixtures and tests): x from the seed, incremented until x^3 + 4 is a
    /// square; y is its square root a^((p+1)/4) (p ≡ 3 mod 4).
    public static func pointOutsideSubgroupAffineLE(seed: UInt64) -> [UInt8] {
        var state = seed
        // splitmix64: a fixed, well-mixed expansion of the seed into 381 bits.
        func nextWord() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        let w0 = nextWord(), w1 = nextWord(), w2 = nextWord()
        let w3 = nextWord(), w4 = nextWord(), w5 = nextWord() & 0x0fff_ffff_ffff_ffff  // < p
        var x = Fp(w0, w1, w2, w3, w4, w5).toMontgomery
        while true {
            if let y = (x.squared * x + Fp.curveB).squareRoot {
                let point = G1Affine(x: x, y: y)
                // Only about one point in 2^126 of the curve lies in G1; check anyway.
                if !point.isInPrimeOrderSubgroup { return affineBytes(point) }
            }
            x = x + Fp.one
        }
    }

    /// The 96-byte affine canonical form; nil (infinity) gives all zero.
    static func affineBytes(_ point: G1Affine?) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 96) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            if let point {
                point.x.fromMontgomery.storeRawLE(into: raw, at: 0)
                point.y.fromMontgomery.storeRawLE(into: raw, at: 48)
            } else {
                raw.initializeMemory(as: UInt8.self, repeating: 0)
            }
            count = 96
        }
    }
}

/// Consecutive multiples k·G1, (k+1)·G1, ... at the cost of one point addition each.
///
/// Points are made in batches (growing to 256) so that the conversion to affine form
/// needs one field inversion per batch (Montgomery's trick) instead of one per point.
public struct GeneratorMultiples: Sequence, IteratorProtocol, Sendable {
    /// The multiple the next call to `next()` returns.
    public private(set) var k: UInt64
    /// (k + ready.count - readyIndex)·G: the first point of the next batch.
    private var running: G1Jacobian
    private var ready: [[UInt8]] = []
    private var readyIndex = 0
    private var batch: [G1Jacobian] = []
    private var prefix: [Fp] = []

    private static let largestBatch = 256

    public init(startingAt k: UInt64) {
        self.k = k
        self.running = G1Jacobian.multiple(of: .generator, high: 0, low: k)
    }

    public mutating func next() -> [UInt8]? {
        if readyIndex == ready.count { refill() }
        defer { k += 1; readyIndex += 1 }
        return ready[readyIndex]
    }

    private mutating func refill() {
        // Small first batches keep taking one or two keys cheap.
        let size = Swift.min(Self.largestBatch, Swift.max(8, ready.count * 2))
        batch.removeAll(keepingCapacity: true)
        prefix.removeAll(keepingCapacity: true)
        var product = Fp.one
        for _ in 0..<size {
            batch.append(running)
            // prefix[i] = product of the non-zero Z of batch[0..<i].
            prefix.append(product)
            if !running.isInfinity { product = product * running.z }
            running = running.adding(.generator)
        }
        var inverse = product.inverse  // of all non-zero Z together
        var made = [[UInt8]](repeating: [], count: size)
        var i = size
        while i > 0 {
            i -= 1
            let point = batch[i]
            if point.isInfinity {
                made[i] = G1.affineBytes(nil)
            } else {
                made[i] = G1.affineBytes(point.affine(zInverse: inverse * prefix[i]))
                inverse = inverse * point.z
            }
        }
        ready = made
        readyIndex = 0
    }
}
