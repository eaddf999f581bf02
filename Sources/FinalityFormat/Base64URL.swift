/// base64url (RFC 4648 §5, `-` and `_`) as fc writes and reads it for `PUB_BLS_` keys.
///
/// Encoding never pads. Decoding mirrors nodeos's decoder (fc `base64url_decode`): it
/// stops at the first `=`, and the low bits of the last character that do not make a
/// whole byte are ignored, so two different texts can name the same key. That is why
/// keys are compared by decoded bytes, never by text.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Character → 6-bit value, 0xFF for characters outside the alphabet.
    static let values: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    public struct BadCharacter: Error, Sendable, Equatable {
        /// Zero-based index of the offending character in the decoded text (counted in
        /// Unicode scalars; every character before it is ASCII, so this is also its
        /// byte offset and its column).
        public var position: Int
        /// The offending character.
        public var character: Unicode.Scalar
    }

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var it = bytes.makeIterator()
        while let b0 = it.next() {
            let b1 = it.next(), b2 = it.next()
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
            guard let b1 else { break }
            out.append(alphabet[Int((b1 & 0x0F) << 2 | (b2 ?? 0) >> 6)])
            guard let b2 else { break }
            out.append(alphabet[Int(b2 & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `text`, stopping at the first `=`. A trailing group of one character
    /// (6 bits, less than a byte) contributes nothing; the unused low bits of a group
    /// of two or three characters are dropped.
    public static func decode(_ text: String) throws(BadCharacter) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for (i, c) in text.unicodeScalars.enumerated() {
            if c == "=" { break }
            let v = c.value < 128 ? values[Int(c.value)] : 0xFF
            guard v != 0xFF else { throw BadCharacter(position: i, character: c) }
            accumulator = (accumulator << 6 | UInt32(v)) & 0xFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
