import BLS12381
import Dispatch

/// Checks many keys against BLS12-381 G1 (the only costly step of reading a file),
/// spread over a few threads.
public enum KeyChecker {
    public static func check(_ keys: [BLSPublicKey], threads: Int = 2) -> [G1.KeyCheck] {
        let n = keys.count
        guard n > 0 else { return [] }
        let workers = max(1, min(threads, n / 64 + 1))
        if workers == 1 { return keys.map { $0.check() } }
        let results = UnsafeMutableBufferPointer<G1.KeyCheck>.allocate(capacity: n)
        results.initialize(repeating: .valid)
        defer { results.deallocate() }
        let chunk = (n + workers - 1) / workers
        // Each worker writes only its own slice of `results`.
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk
            let hi = min(n, lo + chunk)
            if lo < hi { for i in lo..<hi { out[i] = keys[i].check() } }
        }
        return Array(results)
    }
}
