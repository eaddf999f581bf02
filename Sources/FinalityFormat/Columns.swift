#if canImport(Glibc)
    import Glibc
#endif

/// Every entry's `PUB_BLS_…` text in lower case, in one flat buffer (142 bytes a key):
/// the interface's search over a million keys without a String or an array per key
/// (issue 7: each search keystroke within 100 ms on 1 000 000 entries).
public struct KeyTextColumn: Sendable {
    public static let width = KeyText.textLength
    public let count: Int
    let bytes: [UInt8]

    /// `threads` > 1 splits the work (the runner builds it in the background).
    public init(_ entries: [SafetyEntry], threads: Int = 1) {
        let n = entries.count
        count = n
        let w = Self.width
        var out = [UInt8](repeating: 0, count: n * w)
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress
            let workers = max(1, min(threads, n / 4096 + 1))
            let chunk = (n + workers - 1) / workers
            let fill: @Sendable (Int) -> Void = { worker in
                guard let base else { return }
                var one = [UInt8]()
                one.reserveCapacity(w)
                let lo = worker * chunk
                let hi = min(n, lo + chunk)
                if lo >= hi { return }
                for i in lo..<hi {
                    one.removeAll(keepingCapacity: true)
                    KeyText.append(entries[i].key, to: &one)
                    let row = base + i * w
                    for j in 0..<w {
                        let c = one[j]
                        // ASCII upper case to lower case (the text is base64url: ASCII only).
                        row[j] = c &- 0x41 < 26 ? c | 0x20 : c
                    }
                }
            }
            if workers == 1 {
                fill(0)
            } else {
                DispatchQueueShim.concurrentPerform(workers, fill)
            }
        }
        bytes = out
    }

    /// Whether entry i's text holds `needle` (lower case).
    public func contains(_ i: Int, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= Self.width, i < count else { return false }
        return bytes.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                Self.rowContains(h.baseAddress! + i * Self.width, Self.width, n.baseAddress!, n.count)
            }
        }
    }

    /// `needle` (nc ≥ 1 bytes) within the `w` bytes at `row`: memchr to each candidate first
    /// byte, memcmp for the rest (glibc's memmem is not visible to Swift).
    @inline(__always)
    static func rowContains(_ row: UnsafeRawPointer, _ w: Int, _ needle: UnsafeRawPointer, _ nc: Int) -> Bool {
        let first = Int32(needle.load(as: UInt8.self))
        var at = 0
        while w - at >= nc {
            guard let hit = memchr(row + at, first, w - at - nc + 1) else { return false }
            let pos = row.distance(to: UnsafeRawPointer(hit))
            if nc == 1 || memcmp(hit + 1, needle + 1, nc - 1) == 0 { return true }
            at = pos + 1
        }
        return false
    }

    /// Of `indices` (in their order), those whose text holds `needle` (lower case).
    public func filter(_ indices: [Int], _ needle: [UInt8]) -> [Int] {
        guard !needle.isEmpty else { return indices }
        guard needle.count <= Self.width else { return [] }
        let w = Self.width
        return bytes.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                nonisolated(unsafe) let hb = h.baseAddress!
                nonisolated(unsafe) let nb = n.baseAddress!
                let nc = n.count
                let count = count
                // Two halves on two cores past 65,536 rows (a keystroke on a million keys).
                let parts = indices.count > 65_536 ? 2 : 1
                if parts == 1 { return indices.filter { i in i < count && Self.rowContains(hb + i * w, w, nb, nc) } }
                var halves = [[Int]](repeating: [], count: parts)
                let half = (indices.count + 1) / 2
                indices.withUnsafeBufferPointer { ix in
                    halves.withUnsafeMutableBufferPointer { out in
                        nonisolated(unsafe) let ix = ix
                        nonisolated(unsafe) let out = out
                        DispatchQueue.concurrentPerform(iterations: parts) { p in
                            let lo = p * half, hi = min(ix.count, lo + half)
                            out[p] = ix[lo..<hi].filter { i in i < count && Self.rowContains(hb + i * w, w, nb, nc) }
                        }
                    }
                }
                return halves[0] + halves[1]
            }
        }
    }
}

/// Orders for the Entries table over a million entries: each entry decoded once into a
/// column, then a sort of integers (never a decode per comparison).
public enum EntryOrder {
    /// `indices` sorted by key bytes, then by index.
    public static func byKey(_ entries: [SafetyEntry], _ indices: [Int]) -> [Int] {
        // The first 8 bytes of the key, big-endian: the order of `BLSPublicKey.<` whenever
        // they differ; ties are broken by the whole key.
        var pairs = indices.map { i in (entries[i].key.a.w0.byteSwapped, Int32(truncatingIfNeeded: i)) }
        pairs.sort { l, r in
            if l.0 != r.0 { return l.0 < r.0 }
            let a = entries[Int(l.1)].key, b = entries[Int(r.1)].key
            if a != b { return a < b }
            return l.1 < r.1
        }
        return pairs.map { Int($0.1) }
    }

    /// `indices` sorted by `value(i)`, then by index: one 64-bit sort key per entry.
    public static func byValue(_ indices: [Int], _ value: (Int) -> UInt32) -> [Int] {
        var keys = indices.map { i in UInt64(value(i)) << 32 | UInt64(UInt32(truncatingIfNeeded: i)) }
        keys.sort()
        return keys.map { Int(UInt32(truncatingIfNeeded: $0)) }
    }
}

import Dispatch

enum DispatchQueueShim {
    static func concurrentPerform(_ n: Int, _ body: @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: n, execute: body)
    }
}
