import FinalityFormat

/// Deterministic bytes for tests (SplitMix64), so failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
    mutating func bytes32() -> Bytes32 { Bytes32(bytes(32)) }
    mutating func blockRef() -> BlockRef {
        BlockRef(blockID: bytes32(), timestamp: BlockTimestamp(slot: UInt32.random(in: 0...UInt32.max, using: &self)), finalityDigest: bytes32())
    }
}

/// Compares bytes without dumping megabytes into a failure message.
func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> String? {
    if a == b { return nil }
    let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    return "sizes \(a.count) and \(b.count), first difference at offset \(first)"
}

func u64LE(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
