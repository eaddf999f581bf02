import FinalityEngine
import FinalityFormat

/// Written out here from their specifications, sharing no code with the engine, so a test
/// checks the engine's answer against an independent one.

/// SHA-256 written out here from FIPS 180-4, so the tests check the engine's block ids
/// with a hash that shares no code with it.
public enum TestSHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var m = message
        let bitLength = UInt64(message.count) * 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for i in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        for chunk in stride(from: 0, to: m.count, by: 64) {
            var w = [UInt32](repeating: 0, count: 64)
            for i in 0..<16 {
                w[i] = UInt32(m[chunk + 4 * i]) << 24 | UInt32(m[chunk + 4 * i + 1]) << 16
                    | UInt32(m[chunk + 4 * i + 2]) << 8 | UInt32(m[chunk + 4 * i + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }
}

/// Little-endian packing written out by hand for the tests (the mirror of fc::raw).
public struct TestPacker {
    public var bytes: [UInt8] = []
    public init() {}
    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { for i in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt16(i)))) } }
    public mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    public mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    public mutating func varint(_ v: UInt64) {
        var v = v
        repeat {
            var b = UInt8(v & 0x7f)
            v >>= 7
            if v != 0 { b |= 0x80 }
            bytes.append(b)
        } while v != 0
    }
}

public enum TestBase58 {
    public static func decode(_ s: String) -> [UInt8] {
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        var out = [UInt8]()
        for c in s {
            var carry = alphabet.firstIndex(of: c)!
            for i in 0..<out.count {
                carry += Int(out[i]) * 58
                out[i] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 {
                out.append(UInt8(carry & 0xff))
                carry >>= 8
            }
        }
        for c in s { if c == "1" { out.append(0) } else { break } }
        return out.reversed()
    }
}

public func hexBytes(_ s: String) -> [UInt8] {
    var out = [UInt8]()
    var it = s.makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
}

/// The header packed field by field here, independently of the engine's encoder.
public func independentlyPacked(_ h: BlockHeader) -> [UInt8] {
    var p = TestPacker()
    p.u32(h.timestamp.slot)
    p.u64(h.producer.rawValue)
    p.u16(h.confirmed)
    p.raw(h.previous.bytes)
    p.raw(h.transactionMroot.bytes)
    p.raw(h.actionMroot.bytes)
    p.u32(h.scheduleVersion)
    if let s = h.newProducers {
        p.u8(1)
        p.u32(s.version)
        p.varint(UInt64(s.producers.count))
        for k in s.producers {
            p.u64(k.producer.rawValue)
            switch k.signingKey {
            case .k1(let b): p.varint(0); p.raw(b)
            case .r1(let b): p.varint(1); p.raw(b)
            case .webAuthn(let b, let up, let rp): p.varint(2); p.raw(b); p.u8(up); p.varint(UInt64(rp.utf8.count)); p.raw(Array(rp.utf8))
            }
        }
    } else {
        p.u8(0)
    }
    p.varint(UInt64(h.headerExtensions.count))
    for e in h.headerExtensions {
        p.u16(e.id)
        p.varint(UInt64(e.data.count))
        p.raw(e.data)
    }
    return p.bytes
}

/// sha256 of the packed header, first 4 bytes = number (BE) where number = BE(previous[0..4]) + 1.
public func independentID(_ h: BlockHeader) -> String {
    let prev = h.previous.bytes
    let number = (UInt32(prev[0]) << 24 | UInt32(prev[1]) << 16 | UInt32(prev[2]) << 8 | UInt32(prev[3])) &+ 1
    var d = TestSHA256.hash(independentlyPacked(h))
    d[0] = UInt8(number >> 24)
    d[1] = UInt8((number >> 16) & 0xff)
    d[2] = UInt8((number >> 8) & 0xff)
    d[3] = UInt8(number & 0xff)
    return Hex.encode(d)
}
