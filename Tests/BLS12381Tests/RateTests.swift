import Foundation
import Testing

@testable import BLS12381

/// Prints throughput; asserts nothing about time. The figures mean something only in a
/// release build (a debug build is some 20 times slower).
@Suite("Rates (printed, not asserted)")
struct Rates {
    @Test func keyChecksAndGeneratedKeysPerSecond() {
        let keys = Array(GeneratorMultiples(startingAt: 1).prefix(2000))
        let clock = ContinuousClock()
        var valid = 0
        let checking = clock.measure {
            for key in keys where check(key) == .valid { valid += 1 }
        }
        #expect(valid == keys.count)
        var count = 0
        let generating = clock.measure {
            for _ in GeneratorMultiples(startingAt: 1_000_000).prefix(20_000) { count += 1 }
        }
        func perSecond(_ n: Int, _ d: Duration) -> Int {
            Int(Double(n) / (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18))
        }
        print("BLS12381: \(perSecond(keys.count, checking)) key checks/s, "
            + "\(perSecond(count, generating)) generated keys/s (one thread)")
    }
}
