import FinalityFormat

/// The SHA-256 every plan, backup and loaded file is known by.
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> Bytes32 { Bytes32(Array(SHA256.hash(data: bytes))) }
}
