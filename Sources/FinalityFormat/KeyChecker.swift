import BLS12381
import Dispatch

/// Checks keys against BLS12-381 G1 (the only costly step of reading a file), spread
/// over a few threads, in place: no copy of a million keys.
public enum KeyChecker {
    public static func check(_ keys: [BLSPublicKey], threads: Int = 2) -> [G1.KeyCheck] {
        run(count: keys.count, threads: threads) { keys[$0].check() }
    }

    /// Checks `entries[i].key` for each i in `indices`, in that order.
    public static func check(_ entries: [SafetyEntry], at indices: [Int32], threads: Int = 2) -> [G1.KeyCheck] {
        run(count: indices.count, threads: threads) { entries[Int(indices[$0])].key.check() }
    }

    /// What to check: the loader's checks (cheap: the verdict), the subgroup (costly: a
    /// warning), or both.
    public enum Scope: Sendable {
        case loader, subgroup, all
    }

    /// `entries[i].key` for each i in `indices`. `.loader` never answers `.notInSubgroup`;
    /// `.subgroup` answers `.valid` or `.notInSubgroup` only (assumes a loadable key).
    public static func check(_ entries: [SafetyEntry], at indices: [Int32], scope: Scope, threads: Int = 2) -> [G1.KeyCheck] {
        switch scope {
        case .all: return check(entries, at: indices, threads: threads)
        case .loader: return run(count: indices.count, threads: threads) { entries[Int(indices[$0])].key.checkLoadable() }
        case .subgroup:
            return run(count: indices.count, threads: threads) {
                entries[Int(indices[$0])].key.isInPrimeOrderSubgroup ? .valid : .notInSubgroup
            }
        }
    }

    static func run(count n: Int, threads: Int, _ check: @Sendable (Int) -> G1.KeyCheck) -> [G1.KeyCheck] {
        guard n > 0 else { return [] }
        let workers = max(1, min(threads, n / 64 + 1))
        if workers == 1 { return (0..<n).map(check) }
        let results = UnsafeMutableBufferPointer<G1.KeyCheck>.allocate(capacity: n)
        results.initialize(repeating: .valid)
        defer { results.deallocate() }
        let chunk = (n + workers - 1) / workers
        // Each worker writes only its own slice of `results`.
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk
            let hi = min(n, lo + chunk)
            if lo < hi { for i in lo..<hi { out[i] = check(i) } }
        }
        return Array(results)
    }
}
