import BLS12381
import FinalityFormat

/// The keys of every sample the project makes (the demo, `Fixtures/`, tests): k·G1, a
/// real BLS12-381 point for each k ≥ 1, so that every check nodeos makes on a key passes.
public enum SampleKeys {
    public static func key(_ k: UInt64) -> BLSPublicKey { BLSPublicKey(bytes: G1.generatorMultipleAffineLE(k)) }
}
