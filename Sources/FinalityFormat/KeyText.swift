/// `PUB_BLS_` key text: base64url without padding of (96 key bytes ‖ first 4 bytes of
/// RIPEMD-160 of those bytes). Always 142 characters when written.
///
/// Reading follows nodeos (fc `bls_public_key` from string): the prefix, then base64url
/// that stops at `=` and ignores the unused low bits of the last character, exactly 100
/// bytes, then the checksum. So several texts can name one key: compare decoded bytes.
/// The point itself is not checked here (see `BLSPublicKey.check()`).
public enum KeyText {
    public static let prefix = "PUB_BLS_"
    public static let keyByteCount = 96
    public static let checksumByteCount = 4
    /// 100 bytes → 134 base64url characters (the last one carries 4 unused bits), + 8.
    public static let textLength = 142

    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The text does not start with `PUB_BLS_`; `found` is what it starts with
        /// (at most as many characters as the prefix).
        case missingPrefix(found: String)
        /// A character outside base64url. `position` counts from 1 over the whole text,
        /// prefix included, as an operator counts columns.
        case badCharacter(position: Int, character: Unicode.Scalar)
        /// The base64url part decodes to `foundBytes` bytes instead of 100;
        /// `characters` is the length of the whole text.
        case wrongLength(expectedBytes: Int, foundBytes: Int, characters: Int)
        /// The 4 checksum bytes in the text (`found`) differ from the first 4 bytes of
        /// RIPEMD-160 of the 96 key bytes (`expected`).
        case badChecksum(expected: [UInt8], found: [UInt8])

        public var description: String {
            switch self {
            case .missingPrefix(let found):
                let shown = found.isEmpty ? "an empty text" : "\"\(found)\""
                return "a BLS public key text must start with \"\(KeyText.prefix)\"; found \(shown)"
            case .badCharacter(let position, let character):
                return "character \(position) of the key text is \(KeyText.show(character)), "
                    + "which is not base64url (A-Z, a-z, 0-9, '-', '_')"
            case .wrongLength(let expectedBytes, let foundBytes, let characters):
                return "the key text decodes to \(foundBytes) byte\(foundBytes == 1 ? "" : "s"), expected "
                    + "\(expectedBytes) (96 key bytes and a 4-byte checksum, \(KeyText.textLength) characters "
                    + "with the prefix); this text has \(characters) character\(characters == 1 ? "" : "s")"
                    + " (truncated or extra characters?)"
            case .badChecksum(let expected, let found):
                return "the key text's checksum is \(Hex.encode(found)) but its key bytes give "
                    + "\(Hex.encode(expected)) (RIPEMD-160): a character was mistyped or altered"
            }
        }
    }

    public static func encode(_ key: [UInt8]) -> String {
        precondition(key.count == keyByteCount, "a BLS public key has 96 bytes")
        return prefix + Base64URL.encode(key + checksum(key))
    }

    public static func decode(_ text: String) throws(Error) -> [UInt8] {
        // Byte comparison, as nodeos does (a combining mark after `_` must not matter).
        let prefixUTF8 = Array(prefix.utf8)
        guard text.utf8.starts(with: prefixUTF8) else {
            throw .missingPrefix(found: String(text.unicodeScalars.prefix(prefixUTF8.count).map(Character.init)))
        }
        let body = String(decoding: text.utf8.dropFirst(prefixUTF8.count), as: UTF8.self)
        let bytes: [UInt8]
        do {
            bytes = try Base64URL.decode(body)
        } catch {
            throw .badCharacter(position: prefixUTF8.count + error.position + 1, character: error.character)
        }
        let total = keyByteCount + checksumByteCount
        guard bytes.count == total else {
            throw .wrongLength(expectedBytes: total, foundBytes: bytes.count, characters: text.unicodeScalars.count)
        }
        let key = Array(bytes[0..<keyByteCount])
        let found = Array(bytes[keyByteCount...])
        let expected = checksum(key)
        guard found == expected else { throw .badChecksum(expected: expected, found: found) }
        return key
    }

    /// First 4 bytes of RIPEMD-160 of the key bytes (fc's `checksummed_data`).
    public static func checksum(_ key: [UInt8]) -> [UInt8] {
        Array(RIPEMD160.hash(key).prefix(checksumByteCount))
    }

    /// A character as an operator can read it in a message, even when it is invisible.
    static func show(_ c: Unicode.Scalar) -> String {
        switch c {
        case " ": return "a space"
        case "\t": return "a tab"
        case "\n", "\r": return "a line break"
        default:
            if c.value < 0x20 || c.value == 0x7F || c.properties.generalCategory == .format
                || c.properties.generalCategory == .nonspacingMark || c.properties.isWhitespace
            {
                return "U+" + String(c.value, radix: 16, uppercase: true).leftPadded(to: 4)
            }
            let u = "U+" + String(c.value, radix: 16, uppercase: true).leftPadded(to: 4)
            return c.isASCII ? "'\(c)'" : "'\(c)' (\(u))"
        }
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}

extension KeyText {
    /// The 142 bytes of `key.text` appended to `out`, with no String or array made on the
    /// way (a million keys for `list --json` and the interface's search column).
    public static func append(_ key: BLSPublicKey, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { block in
            // The message (96 bytes) padded to two RIPEMD-160 blocks: 0x80, zeros, the bit length.
            withUnsafeBytes(of: key) { block.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 96) }
            block[96] = 0x80
            for i in 97..<120 { block[i] = 0 }
            withUnsafeBytes(of: UInt64(96 * 8).littleEndian) { for i in 0..<8 { block[120 + i] = $0[i] } }
            var state = RIPEMD160.State()
            let raw = UnsafeRawBufferPointer(block)
            state.compress(raw, at: 0)
            state.compress(raw, at: 64)
            // The 4 checksum bytes after the key (over the padding: it is not needed any more).
            withUnsafeBytes(of: state.h0.littleEndian) { for i in 0..<4 { block[96 + i] = $0[i] } }
            prefix.utf8.withContiguousStorageIfAvailable { out.append(contentsOf: $0) } ?? out.append(contentsOf: Array(prefix.utf8))
            let a = Base64URL.alphabet
            var i = 0
            while i + 3 <= 100 {
                let b0 = block[i], b1 = block[i + 1], b2 = block[i + 2]
                out.append(a[Int(b0 >> 2)])
                out.append(a[Int((b0 & 0x03) << 4 | b1 >> 4)])
                out.append(a[Int((b1 & 0x0F) << 2 | b2 >> 6)])
                out.append(a[Int(b2 & 0x3F)])
                i += 3
            }
            // One byte left (100 = 33 × 3 + 1): two characters, no padding.
            let b0 = block[99]
            out.append(a[Int(b0 >> 2)])
            out.append(a[Int((b0 & 0x03) << 4)])
        }
    }
}
