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

    /// Whether a scalar is shown as an escape (a control, a direction override or isolate,
    /// an invisible format character). JSON escapes the same set (`JSON.quote`).
    public static func needsEscape(_ u: Unicode.Scalar) -> Bool {
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

/// Text that may reach a person: the only kind of text the output sinks take (standard
/// output and standard error of the command line, the case report file, the interface's
/// cell grid). Everything from outside the program stays a `String` (paths and the paths
/// made from them, other processes' command lines, config.ini, file, backup and audit
/// contents, node API answers, the environment) until it is made into a `SafeText`, and
/// the only ways to make one are:
///
/// - a string literal: program text, trusted as written (its line breaks are the layout);
/// - interpolation into a literal, `"\(path): cannot open"`: every interpolated `String`,
///   and the description of anything else, goes through `DisplayText.sanitize`, so a
///   value can never send a control to the terminal nor start a line of its own; a
///   `SafeText` interpolated is kept as it is, an integer is its digits;
/// - `SafeText(untrusted)`: a whole string as one line, sanitized;
/// - `SafeText(bytes:)`: bytes that should be UTF-8 (a name that is not);
/// - joining safe texts (`+`, `joined`).
///
/// So the compiler finds every place untrusted text would reach a sink unescaped: a
/// `String` does not convert by itself. (Never call `init(stringLiteral:)` by hand: it is
/// the compiler's door for literals.)
public struct SafeText: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The text, safe to write: no control character but the line breaks of literals.
    public private(set) var text: String

    /// Characters of one value shown before it is cut (with a visible mark): a path is at
    /// most 4,095 bytes, so it is always shown whole, even with every byte escaped.
    public static let valueLimit = 16_384

    public init(stringLiteral value: String) { text = value }

    public init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }

    /// Untrusted text as one line: every control character, line break included, visible.
    public init(_ untrusted: String) { text = Self.clean(untrusted) }

    /// Untrusted text, line by line: each line of `untrusted` sanitized, the line breaks
    /// kept. Only for text whose values could not hold a line break (JSON, which escapes
    /// every control in its strings; a `Substring` of a `SafeText`).
    public init(lines untrusted: String) {
        text = untrusted.split(separator: "\n", omittingEmptySubsequences: false).map { Self.clean(String($0)) }.joined(separator: "\n")
    }

    /// Bytes that should be UTF-8 (a file name): every byte that is not, as `\xNN`.
    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        text = DisplayText.sanitize(bytes: bytes, limit: Self.valueLimit)
    }

    public var description: String { text }
    public var isEmpty: Bool { text.isEmpty }
    /// Characters, for layout.
    public var count: Int { text.count }

    public static func + (a: SafeText, b: SafeText) -> SafeText {
        var out = a
        out.text += b.text
        return out
    }

    public static func += (a: inout SafeText, b: SafeText) { a.text += b.text }

    /// The first `n` characters (layout: a cut of safe text stays safe).
    public func prefix(_ n: Int) -> SafeText {
        var out = SafeText()
        out.text = String(text.prefix(n))
        return out
    }

    /// Its lines, each safe.
    public var lines: [SafeText] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { var s = SafeText(); s.text = String($0); return s }
    }

    public init() { text = "" }

    /// `DisplayText.sanitize` with the value limit, without its work for the usual text
    /// (printable ASCII, or UTF-8 with none of the lead bytes of an escaped character).
    static func clean(_ s: String) -> String {
        var plain = true
        for b in s.utf8 where b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2 || b == 0xEF {
            plain = false
            break
        }
        if plain && s.utf8.count <= valueLimit { return s }
        return DisplayText.sanitize(s, limit: valueLimit)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        /// Program text.
        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// Already safe.
        public mutating func appendInterpolation(_ safe: SafeText) { text += safe.text }

        /// Untrusted: sanitized.
        public mutating func appendInterpolation(_ untrusted: String) { text += SafeText.clean(untrusted) }

        /// A number: its digits.
        public mutating func appendInterpolation<T: BinaryInteger>(_ n: T) { text += String(n) }

        /// Anything else: its description, sanitized (an error or a finding can carry a
        /// path or a node's answer).
        public mutating func appendInterpolation<T>(_ value: T) { text += SafeText.clean(String(describing: value)) }
    }
}

extension Sequence where Element == SafeText {
    public func joined(separator: SafeText = "") -> SafeText {
        var out = SafeText()
        var first = true
        for s in self {
            if !first { out += separator }
            out += s
            first = false
        }
        return out
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
