import BLS12381
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

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

    /// `.subgroup` checks on threads of their own at the lowest priority (nice 19): the
    /// interface runs them after its first screen, and keys must still answer at once.
    public static func checkSubgroupInBackground(_ entries: [SafetyEntry], at indices: [Int32], threads: Int = 2) -> [G1.KeyCheck] {
        let n = indices.count
        guard n > 0 else { return [] }
        let workers = max(1, min(threads, n / 64 + 1))
        let results = UnsafeMutableBufferPointer<G1.KeyCheck>.allocate(capacity: n)
        results.initialize(repeating: .valid)
        defer { results.deallocate() }
        nonisolated(unsafe) let out = results
        let chunk = (n + workers - 1) / workers
        var ids = [pthread_t]()
        for w in 0..<workers {
            let lo = w * chunk
            let hi = min(n, lo + chunk)
            let job = LowPriorityJob {
                // Only this thread: on Linux the nice value is per thread, and who = 0 is
                // the calling thread (setpriority(2), NOTES).
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
                if lo < hi {
                    for i in lo..<hi { out[i] = entries[Int(indices[i])].key.isInPrimeOrderSubgroup ? .valid : .notInSubgroup }
                }
            }
            var id = pthread_t()
            let arg = Unmanaged.passRetained(job).toOpaque()
            if pthread_create(&id, nil, { arg in
                Unmanaged<LowPriorityJob>.fromOpaque(arg!).takeRetainedValue().body()
                return nil
            }, arg) == 0 {
                ids.append(id)
            } else {
                // No thread: do the work here.
                Unmanaged<LowPriorityJob>.fromOpaque(arg).takeRetainedValue().body()
            }
        }
        for id in ids { pthread_join(id, nil) }
        return Array(results)
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

final class LowPriorityJob: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
