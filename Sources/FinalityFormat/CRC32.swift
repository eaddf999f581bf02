import CZlib

/// The ordinary zlib/IEEE CRC-32 that nodeos appends to a version 1 file.
public enum CRC32 {
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    /// `0x00A2A67B`: how every message and `--json` shows a CRC-32.
    public static func text(_ crc: UInt32) -> String {
        let digits = String(crc, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Continue a running CRC over more bytes (zlib's own chaining).
    public static func update(_ crc: UInt32, _ raw: UnsafeRawBufferPointer) -> UInt32 {
        var crc = UInt(crc)
        var base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var left = raw.count
        while left > 0, let b = base {
            let n = min(left, 1 << 30)
            crc = CZlib.crc32(crc, b, UInt32(n))
            base = b + n
            left -= n
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
