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
/// U+2060, U+FEFF), and bytes that are not UTF-8 (`\xFF`).
///
/// Idempotent: what it returns passes through it unchanged, so text sanitized where it
/// enters (an error built from a path) and again where it is printed reads the same.
/// (A backslash is therefore kept as it is: doubling it would double at every layer.)
public enum DisplayText {
    /// Characters (Unicode scalars) shown before a string is cut.
    public static let defaultLimit = 512

    /// `text` with every control character visible; when that is longer than `limit`
    /// characters by more than the mark's room, cut once `limit` is reached, with a visible
    /// mark: `…[cut: 1,234 more characters]` (characters of the input left out).
    public static func sanitize(_ text: String, limit: Int = defaultLimit) -> String {
        let cap = cap(limit)
        var out = ""
        var shown = 0  // scalars in `out`
        var taken = 0  // input scalars used
        var cutAt: (out: String.UnicodeScalarView.Index, taken: Int)?
        for u in text.unicodeScalars {
            if cutAt == nil && shown >= limit { cutAt = (out.unicodeScalars.endIndex, taken) }
            shown += append(u, to: &out)
            taken += 1
            if shown > cap, let c = cutAt {
                let total = text.unicodeScalars.count
                var kept = String.UnicodeScalarView(out.unicodeScalars[..<c.out])
                kept.append(contentsOf: cutMark(total - c.taken, unit: "character").unicodeScalars)
                return String(kept)
            }
        }
        return out
    }

    /// Bytes that should be UTF-8 (a file name, an HTTP body): valid sequences as text,
    /// every other byte as `\xNN`, then as `sanitize(_:)`.
    public static func sanitize<C: Collection>(bytes: C, limit: Int = defaultLimit) -> String where C.Element == UInt8 {
        let all = Array(bytes)
        var text = ""
        var i = 0
        while i < all.count {
            if let (scalar, length) = decodeUTF8(all, at: i) {
                _ = append(scalar, to: &text)
                i += length
            } else {
                text += "\\x" + hex2(all[i])
                i += 1
            }
            if text.unicodeScalars.count > cap(limit) { break }
        }
        if text.unicodeScalars.count <= cap(limit) && i == all.count { return text }
        // Cut: redo up to the limit, then the mark in bytes left out.
        var out = ""
        i = 0
        while i < all.count && out.unicodeScalars.count < limit {
            if let (scalar, length) = decodeUTF8(all, at: i) {
                _ = append(scalar, to: &out)
                i += length
            } else {
                out += "\\x" + hex2(all[i])
                i += 1
            }
        }
        return out + cutMark(all.count - i, unit: "byte")
    }

    /// Whether `text` would print exactly as it is (no control characters, not too long).
    public static func isSafe(_ text: String, limit: Int = defaultLimit) -> Bool {
        var n = 0
        for u in text.unicodeScalars {
            n += 1
            if n > cap(limit) || needsEscape(u) { return false }
        }
        return true
    }

    static func cap(_ limit: Int) -> Int { limit > Int.max - markRoom ? Int.max : limit + markRoom }

    /// Room past the limit for the cut mark (`…[cut: 9,223,372,036,854,775,807 more characters]` fits).
    static let markRoom = 64

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

    /// Appends `u`, escaped when it must be; returns how many scalars were added.
    @discardableResult
    static func append(_ u: Unicode.Scalar, to out: inout String) -> Int {
        let piece: String
        switch u {
        case "\n": piece = "\\n"
        case "\t": piece = "\\t"
        case "\r": piece = "\\r"
        case "\u{1B}": piece = "\\e"
        default:
            if u.value < 0x80 && needsEscape(u) {
                piece = "\\x" + hex2(UInt8(u.value))
            } else if needsEscape(u) {
                piece = "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(u)
                return 1
            }
        }
        out += piece
        return piece.unicodeScalars.count
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
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

/// `5,210`: block numbers as operators read them.
public func grouped<T: BinaryInteger>(_ n: T) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}
