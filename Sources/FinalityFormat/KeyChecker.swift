import BLS12381
import Dispatch
import Synchronization

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
    /// Cancelled (`cancellation`): stops within a few keys; the results are then incomplete.
    public static func checkSubgroupInBackground(
        _ entries: [SafetyEntry], at indices: [Int32], threads: Int = 2, cancellation: Cancellation? = nil
    ) -> [G1.KeyCheck] {
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
                    for i in lo..<hi {
                        if cancellation?.isCancelled == true { return }
                        out[i] = entries[Int(indices[i])].key.isInPrimeOrderSubgroup ? .valid : .notInSubgroup
                    }
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

    /// `key(i)` for each i in `indices` (see `KeyReader`), in that order.
    static func check(key: @Sendable (Int) -> BLSPublicKey, at indices: [Int32], scope: Scope, threads: Int = 2) -> [G1.KeyCheck] {
        indices.withUnsafeBufferPointer { ix in
            nonisolated(unsafe) let at = ix
            switch scope {
            case .all: return run(count: at.count, threads: threads) { key(Int(at[$0])).check() }
            case .loader: return run(count: at.count, threads: threads) { key(Int(at[$0])).checkLoadable() }
            case .subgroup: return run(count: at.count, threads: threads) { key(Int(at[$0])).isInPrimeOrderSubgroup ? .valid : .notInSubgroup }
            }
        }
    }

    /// The loader's checks of `key(i)` for every i in 0..<n over `threads` threads, with
    /// the duplicate search run beside them as one more piece of the same work (it needs
    /// no key check, and the key checks need not wait for it). A key repeated in the file
    /// is checked each time: the cheap checks only, so a file of one key repeated costs
    /// what a file of as many different keys does.
    static func checkLoadable(
        count n: Int, key: @Sendable (Int) -> BLSPublicKey, threads: Int, beside: () -> DuplicateKeys.Result
    ) -> ([G1.KeyCheck], DuplicateKeys.Result) {
        final class Box: @unchecked Sendable { var value: DuplicateKeys.Result? }
        let other = Box()
        guard n > 0 else { return ([], beside()) }
        // The search takes a thread for a while: the checks are cut finer, for that
        // thread to join them when it is done.
        let pieces = max(1, min(n / 256 + 1, max(1, threads) * 16))
        let all = withoutActuallyEscaping(beside) { search in
            slices(count: n, pieces: pieces, first: { other.value = search() }) { key($0).checkLoadable() }
        }
        return (all, other.value!)
    }

    static func run(count n: Int, threads: Int, _ check: @Sendable (Int) -> G1.KeyCheck) -> [G1.KeyCheck] {
        guard n > 0 else { return [] }
        let workers = max(1, min(threads, n / 64 + 1))
        if workers == 1 { return (0..<n).map(check) }
        return slices(count: n, pieces: workers, check)
    }

    /// `check(i)` for i in 0..<n, in `pieces` slices, each written by one thread only,
    /// with `first` (when given) run once as one more piece of the same work.
    private static func slices(
        count n: Int, pieces: Int, first: (() -> Void)? = nil, _ check: @Sendable (Int) -> G1.KeyCheck
    ) -> [G1.KeyCheck] {
        let results = UnsafeMutableBufferPointer<G1.KeyCheck>.allocate(capacity: n)
        results.initialize(repeating: .valid)
        defer { results.deallocate() }
        let chunk = (n + pieces - 1) / pieces
        nonisolated(unsafe) let out = results
        nonisolated(unsafe) let firstWork = first
        let extra = first == nil ? 0 : 1
        DispatchQueue.concurrentPerform(iterations: pieces + extra) { w in
            if w < extra {
                firstWork?()
                return
            }
            let lo = (w - extra) * chunk
            let hi = min(n, lo + chunk)
            if lo < hi { for i in lo..<hi { out[i] = check(i) } }
        }
        return Array(results)
    }
}

/// Set by another thread to stop background checks early: the file was read again, and
/// nobody will look at these results (a million-key file's subgroup checks take minutes).
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

final class LowPriorityJob: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Entry keys for loops over a million entries on several threads: read straight from the
/// file's bytes when every entry is read in place from one file (the reader's case), so
/// no thread touches a shared reference count per key (atomic retains of the one shared
/// buffer from two threads cost more than the on-curve checks themselves). Otherwise
/// each entry's `key`.
enum KeyReader {
    static func with<R>(_ entries: [SafetyEntry], offsets: [Int], _ body: (_ key: @Sendable (Int) -> BLSPublicKey) -> R) -> R {
        guard offsets.count == entries.count, let source = commonSource(entries, offsets) else {
            return body { entries[$0].key }
        }
        return source.bytes.withUnsafeBytes { raw in
            offsets.withUnsafeBufferPointer { offs in
                nonisolated(unsafe) let r = raw
                nonisolated(unsafe) let o = offs
                return body { i in
                    let at = o[i]
                    var n = 1
                    while n < 5 && r[at + n - 1] & 0x80 != 0 { n += 1 }
                    let k = at + n
                    return BLSPublicKey(
                        a: Bytes32(
                            w0: r.loadUnaligned(fromByteOffset: k, as: UInt64.self), w1: r.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self),
                            w2: r.loadUnaligned(fromByteOffset: k + 16, as: UInt64.self), w3: r.loadUnaligned(fromByteOffset: k + 24, as: UInt64.self)),
                        b: Bytes32(
                            w0: r.loadUnaligned(fromByteOffset: k + 32, as: UInt64.self), w1: r.loadUnaligned(fromByteOffset: k + 40, as: UInt64.self),
                            w2: r.loadUnaligned(fromByteOffset: k + 48, as: UInt64.self), w3: r.loadUnaligned(fromByteOffset: k + 56, as: UInt64.self)),
                        c: Bytes32(
                            w0: r.loadUnaligned(fromByteOffset: k + 64, as: UInt64.self), w1: r.loadUnaligned(fromByteOffset: k + 72, as: UInt64.self),
                            w2: r.loadUnaligned(fromByteOffset: k + 80, as: UInt64.self), w3: r.loadUnaligned(fromByteOffset: k + 88, as: UInt64.self)))
                }
            }
        }
    }

    /// The one source every entry is read from in place, at `offsets[i]`; nil otherwise.
    static func commonSource(_ entries: [SafetyEntry], _ offsets: [Int]) -> EntrySource? {
        guard case .onDisk(let first, _)? = entries.first?.storage else { return nil }
        for (i, e) in entries.enumerated() {
            guard case .onDisk(let s, let o) = e.storage, s === first, Int(o) == offsets[i] else { return nil }
        }
        return first
    }
}

/// Entries for threads that each go through a run of a million-entry file (`list --json`):
/// each entry decoded from the file's bytes into values of its own, so two threads never
/// touch one shared reference count per entry (the in-place entries all share their
/// file's buffer; atomic retains of it from two cores made the listing run on one).
public struct EntryRuns: @unchecked Sendable {
    let entries: [SafetyEntry]
    let offsets: [Int]
    let source: EntrySource?

    /// `offsets`: each entry's offset, as the reader gives them (`Verification.entryOffsets`).
    public init(_ entries: [SafetyEntry], offsets: [Int]) {
        self.entries = entries
        self.offsets = offsets
        source = offsets.count == entries.count ? KeyReader.commonSource(entries, offsets) : nil
    }

    /// `body(i, entry i)` for i in lo..<hi, in order; equal to `entries[i]`.
    public func forEach(_ lo: Int, _ hi: Int, _ body: (Int, SafetyEntry) -> Void) {
        guard lo < hi else { return }
        guard let source else {
            for i in lo..<hi { body(i, entries[i]) }
            return
        }
        let v0 = source.v0
        source.bytes.withUnsafeBytes { r in
            offsets.withUnsafeBufferPointer { offs in
                @inline(__always) func b32(_ k: Int) -> Bytes32 {
                    Bytes32(
                        w0: r.loadUnaligned(fromByteOffset: k, as: UInt64.self), w1: r.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self),
                        w2: r.loadUnaligned(fromByteOffset: k + 16, as: UInt64.self), w3: r.loadUnaligned(fromByteOffset: k + 24, as: UInt64.self))
                }
                @inline(__always) func ref(_ k: Int) -> BlockRef {
                    BlockRef(
                        blockID: b32(k), timestamp: BlockTimestamp(slot: UInt32(littleEndian: r.loadUnaligned(fromByteOffset: k + 32, as: UInt32.self))),
                        finalityDigest: b32(k + 36))
                }
                for i in lo..<hi {
                    let at = offs[i]
                    var n = 1
                    while n < 5 && r[at + n - 1] & 0x80 != 0 { n += 1 }
                    let k = at + n
                    let key = BLSPublicKey(a: b32(k), b: b32(k + 32), c: b32(k + 64))
                    let lastVote = ref(k + 96), lock = ref(k + 96 + 68)
                    let s: SavannaSafety
                    if !v0 {
                        s = SavannaSafety(
                            lastVote: lastVote, lock: lock,
                            otherBranchLatestTime: BlockTimestamp(slot: UInt32(littleEndian: r.loadUnaligned(fromByteOffset: k + 96 + 136, as: UInt32.self))))
                    } else {
                        // As `EntrySource.state`: true -> the last vote's time, false -> 0.
                        let b = r[k + 96 + 136]
                        s = SavannaSafety(
                            lastVote: lastVote, lock: lock, otherBranchLatestTime: b == 1 ? lastVote.timestamp : .zero,
                            votesForkedSinceLatestStrongVote: b == 1)
                    }
                    let length: [UInt8]? = n == 1 ? nil : Array(UnsafeRawBufferPointer(rebasing: r[at..<at + n]))
                    body(i, SafetyEntry(key: key, state: .savanna(s), keyLengthBytes: length))
                }
            }
        }
    }
}
