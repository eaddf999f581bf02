// STUB: to be replaced by the real encoding with RIPEMD-160 (see format.md).

/// `PUB_BLS_` key text: base64url without padding of (96 key bytes ‖ first 4 bytes of
/// RIPEMD-160 of those bytes). Always 142 characters.
public enum KeyText {
    public static let prefix = "PUB_BLS_"

    public enum Error: Swift.Error, Sendable, Equatable {
        case missingPrefix
        case badCharacter(position: Int)
        case wrongLength(bytes: Int)
        case badChecksum(expected: [UInt8], found: [UInt8])
    }

    public static func encode(_ key: [UInt8]) -> String {
        prefix + Hex.encode(key)
    }

    public static func decode(_ text: String) throws(Error) -> [UInt8] {
        guard text.hasPrefix(prefix) else { throw .missingPrefix }
        guard let b = Hex.decode(String(text.dropFirst(prefix.count))) else { throw .badCharacter(position: 0) }
        guard b.count == 96 else { throw .wrongLength(bytes: b.count) }
        return b
    }
}
