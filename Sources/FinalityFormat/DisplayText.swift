/// Untrusted text made safe to print for a human: paths, node API answers and their error
/// messages, server version strings, anything read from a file.
///
/// A terminal obeys what it is sent: an ESC from a file name or an HTTP error body can
/// move the cursor, rewrite what the operator already read, retitle the window or (on some
/// emulators) answer back into the input. So every control character is shown as a
/// visible escape instead of being sent, and a long string is cut with a visible mark
/// (a 1 MB "error message" must not scroll the incident off the screen).
///
/// Made visible: C0 controls and DEL (`\n`, `\t`, `\r`, `\e`, `\x07`…), C1 controls
/// (U+0080–U+009F, e.g. the 8-bit CSI U+009B, as `\u{9B}`), bidirectional overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069: they make text read in another order than it is
/// stored), zero-width and invisible formatting characters (U+200B–U+200F, U+2028, U+2029,
/// U+2060, U+FEFF), and bytes that are not UTF-8 (`\xFF`). A backslash is doubled, so an
/// escape the tool shows can never be confused with the same characters in the text.
public enum DisplayText {
    /// Characters (Unicode scalars) kept before a string is cut.
    public static let defaultLimit = 512

    /// `text` with every control character visible, cut after `limit` scalars with a
    /// visible mark: `…[cut: 1,234 more characters]`.
    public static func sanitize(_ text: String, limit: Int = defaultLimit) -> String {
        var out = ""
        var kept = 0
        var scalars = text.unicodeScalars.makeIterator()
        while let u = scalars.next() {
            if kept >= limit {
                var more = 1
                while scalars.next() != nil { more += 1 }
                out += cutMark(more, unit: "character")
                return out
            }
            append(u, to: &out)
            kept += 1
        }
        return out
    }

    /// Bytes that should be UTF-8 (a file name, an HTTP body): valid sequences as text,
    /// every other byte as `\xNN`, then as `sanitize(_:)`.
    public static func sanitize<C: Collection>(bytes: C, limit: Int = defaultLimit) -> String where C.Element == UInt8 {
        var out = ""
        var kept = 0
        let all = Array(bytes)
        var i = 0
        while i < all.count {
            if kept >= limit {
                out += cutMark(all.count - i, unit: "byte")
                return out
            }
            if let (scalar, length) = decodeUTF8(all, at: i) {
                append(scalar, to: &out)
                i += length
            } else {
                out += "\\x" + hex2(all[i])
                i += 1
            }
            kept += 1
        }
        return out
    }

    /// Whether `text` would print exactly as it is (no control characters, not too long).
    public static func isSafe(_ text: String, limit: Int = defaultLimit) -> Bool {
        var n = 0
        for u in text.unicodeScalars {
            n += 1
            if n > limit || needsEscape(u) || u == "\\" { return false }
        }
        return true
    }

    static func cutMark(_ more: Int, unit: String) -> String {
        "…[cut: \(grouped(more)) more \(unit)\(more == 1 ? "" : "s")]"
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F, 0x80...0x9F: return true
        case 0x200B...0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF: return true
        case 0xFFF9...0xFFFB: return true
        default: return false
        }
    }

    static func append(_ u: Unicode.Scalar, to out: inout String) {
        switch u {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "\u{1B}": out += "\\e"
        default:
            if u.value < 0x80 && needsEscape(u) {
                out += "\\x" + hex2(UInt8(u.value))
            } else if needsEscape(u) {
                out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// One well-formed UTF-8 sequence at `i` (no overlongs, no surrogates, <= U+10FFFF).
    static func decodeUTF8(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let b0 = b[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        func cont(_ k: Int) -> UInt32? {
            guard i + k < b.count, b[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(b[i + k] & 0x3F)
        }
        var value: UInt32
        var length: Int
        switch b0 {
        case 0xC2...0xDF: value = UInt32(b0 & 0x1F); length = 2
        case 0xE0...0xEF: value = UInt32(b0 & 0x0F); length = 3
        case 0xF0...0xF4: value = UInt32(b0 & 0x07); length = 4
        default: return nil
        }
        for k in 1..<length {
            guard let c = cont(k) else { return nil }
            value = value << 6 | c
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let u = Unicode.Scalar(value) else { return nil }
        return (u, length)
    }
}
