/// Byte-level primitives shared by every structure on disk (fc::raw: little-endian
/// integers, LEB128 varints, raw 32-byte hashes).

/// 32 raw bytes: a block id, a finality digest, a proposal id (`_b_lock`).
/// Kept in the same order as the hex nodeos prints.
public struct Bytes32: Hashable, Comparable, Sendable, CustomStringConvertible {
    // Raw bytes in memory order (loaded little-endian, so byte i sits at i).
    @usableFromInline var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    @usableFromInline init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// Exactly 32 bytes.
    public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 32, "Bytes32 needs 32 bytes")
        var words: [UInt64] = [0, 0, 0, 0]
        for (i, b) in bytes.enumerated() { words[i / 8] |= UInt64(b) << (8 * UInt64(i % 8)) }
        self.init(w0: words[0], w1: words[1], w2: words[2], w3: words[3])
    }

    /// From 64 hex digits (upper or lower case); nil otherwise.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.init(bytes)
    }

    public var bytes: [UInt8] {
        withUnsafeBytes(of: (w0.littleEndian, w1.littleEndian, w2.littleEndian, w3.littleEndian)) { Array($0) }
    }

    public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    /// Block number of a block id: its first 4 bytes, big-endian.
    public var blockNumber: UInt32 {
        let b = UInt32(truncatingIfNeeded: w0)
        return b.byteSwapped
    }

    /// Byte order, as nodeos sorts keys and ids (words were loaded little-endian).
    public static func < (a: Bytes32, b: Bytes32) -> Bool {
        if a.w0 != b.w0 { return a.w0.byteSwapped < b.w0.byteSwapped }
        if a.w1 != b.w1 { return a.w1.byteSwapped < b.w1.byteSwapped }
        if a.w2 != b.w2 { return a.w2.byteSwapped < b.w2.byteSwapped }
        return a.w3.byteSwapped < b.w3.byteSwapped
    }
}

public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<C: Sequence>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 64 hex digits of `v` appended to `out` (no String made).
    public static func append(_ v: Bytes32, to out: inout [UInt8]) {
        withUnsafeBytes(of: (v.w0.littleEndian, v.w1.littleEndian, v.w2.littleEndian, v.w3.littleEndian)) { raw in
            for b in raw {
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 15)])
            }
        }
    }

    /// Even number of hex digits; an optional `0x` prefix; nil on anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] | 0x20 == UInt8(ascii: "x") {
            utf8.removeFirst(2)
        }
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

/// A cursor over bytes that knows its offset, so every failure can say where it was.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    /// Raised when fewer bytes remain than a field needs.
    public struct ShortRead: Error, Sendable {
        public var offset: Int
        public var needed: Int
        public var available: Int
    }

    @inline(__always)
    mutating func need(_ n: Int) throws(ShortRead) {
        if remaining < n { throw ShortRead(offset: offset, needed: n, available: remaining) }
    }

    public mutating func u8() throws(ShortRead) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() throws(ShortRead) -> UInt16 {
        try need(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    public mutating func u32() throws(ShortRead) -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    }

    public mutating func u64() throws(ShortRead) -> UInt64 {
        try need(8)
        defer { offset += 8 }
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }

    public mutating func bytes32() throws(ShortRead) -> Bytes32 {
        try need(32)
        defer { offset += 32 }
        return bytes.withUnsafeBytes { raw in
            Bytes32(
                w0: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
                w1: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self),
                w2: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self),
                w3: raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
        }
    }

    public mutating func skip(_ n: Int) throws(ShortRead) {
        try need(n)
        offset += n
    }

    public mutating func take(_ n: Int) throws(ShortRead) -> ArraySlice<UInt8> {
        try need(n)
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    /// fc::unsigned_int: unsigned LEB128, at most 5 bytes for a u32.
    public enum VarintError: Error, Sendable {
        case short(ShortRead)
        case tooLong(offset: Int)
    }

    /// `fc::unsigned_int` exactly as spring's fc unpacks it (AntelopeIO/spring
    /// libraries/libfc/include/fc/io/raw.hpp:243-251 @13cc2b7): at most 5 bytes (the loop
    /// runs `while (b & 0x80 && by < 32)`, so the 5th byte's continuation bit is ignored),
    /// each group OR-ed in as a `uint32_t` shifted left (bits past 32 are dropped, so a
    /// value >= 2^32 wraps), then truncated to 32 bits. Returns the value and how many
    /// bytes it took; throws only when the file ends first.
    public mutating func fcUnsignedInt() throws(ShortRead) -> (value: UInt32, length: Int) {
        let start = offset
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard offset < bytes.count else {
                throw ShortRead(offset: offset, needed: 1, available: 0)
            }
            let b = bytes[offset]
            offset += 1
            // uint32_t(b & 0x7f) << by: a C++ shift of a 32-bit value by < 32 bits.
            value |= UInt32(b & 0x7f) &<< shift
            shift += 7
            if b & 0x80 == 0 || shift >= 32 { return (value, offset - start) }
        }
    }

    public mutating func varint() throws(VarintError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else {
                throw .short(ShortRead(offset: offset, needed: 1, available: 0))
            }
            let b = bytes[offset]
            offset += 1
            value |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
            if shift >= 63 { throw .tooLong(offset: start) }
        }
    }
}

/// The exact mirror of `ByteReader`.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func bytes32(_ v: Bytes32) {
        withUnsafeBytes(of: v.w0) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: v.w1) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: v.w2) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: v.w3) { bytes.append(contentsOf: $0) }
    }
    public mutating func append<C: Sequence>(_ raw: C) where C.Element == UInt8 { bytes.append(contentsOf: raw) }

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
