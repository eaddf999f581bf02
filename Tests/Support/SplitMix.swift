import FinalityFormat

/// The tests' one seeded generator (SplitMix64): every run checks the same values, so
/// failures reproduce.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
    public mutating func bytes32() -> Bytes32 { Bytes32(bytes(32)) }
    public mutating func blockRef() -> BlockRef {
        BlockRef(blockID: bytes32(), timestamp: BlockTimestamp(slot: UInt32.random(in: 0...UInt32.max, using: &self)), finalityDigest: bytes32())
    }
}

/// Compares bytes without dumping megabytes into a failure message.
public func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> String? {
    if a == b { return nil }
    let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    return "sizes \(a.count) and \(b.count), first difference at offset \(first)"
}

public func u64LE(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
