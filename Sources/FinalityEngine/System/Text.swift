import Dispatch
import FoundationEssentials
import Glibc

/// Foundation's character sets that `trimmingCharacters(in:)` was called with, scalar for
/// scalar as Foundation 6.3 has them (read off `CharacterSet.contains` over every scalar).
public enum TrimmedCharacters: Sendable {
    /// `CharacterSet.whitespaces`: tab, the space separators (Zs) and U+200B.
    case whitespaces
    /// `CharacterSet.newlines`: U+000A–U+000D, U+0085, U+2028, U+2029.
    case newlines
    /// `CharacterSet.whitespacesAndNewlines`: both.
    case whitespacesAndNewlines

    public func contains(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        let space =
            v == 0x09 || v == 0x20 || v == 0xA0 || v == 0x1680 || (0x2000...0x200B).contains(v) || v == 0x202F
            || v == 0x205F || v == 0x3000
        let newline = (0x0A...0x0D).contains(v) || v == 0x85 || v == 0x2028 || v == 0x2029
        switch self {
        case .whitespaces: return space
        case .newlines: return newline
        case .whitespacesAndNewlines: return space || newline
        }
    }
}

extension StringProtocol {
    /// `trimmingCharacters(in:)`: drops those scalars at both ends, scalar by scalar as
    /// Foundation does (not character by character).
    public func trimmed(_ set: TrimmedCharacters) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !set.contains($0) }),
            let last = scalars.lastIndex(where: { !set.contains($0) })
        else { return "" }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[first...last])
        return String(out)
    }

    /// `replacingOccurrences(of:with:)`: a literal match, scalar by scalar. Not the
    /// standard library's `replacing(_:with:)`, which matches whole characters: a quote
    /// followed by a combining mark is one character there, and a shell word quoted with
    /// it would keep a bare quote.
    public func replacingLiteral(_ target: String, with replacement: String) -> String {
        let source = Array(unicodeScalars)
        let pattern = Array(target.unicodeScalars)
        guard !pattern.isEmpty, source.count >= pattern.count else { return String(self) }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < source.count {
            if i + pattern.count <= source.count, source[i..<(i + pattern.count)].elementsEqual(pattern) {
                out.append(contentsOf: replacement.unicodeScalars)
                i += pattern.count
            } else {
                out.append(source[i])
                i += 1
            }
        }
        return String(out)
    }
}

extension String {
    /// `String(format:)` for numbers (`%d`, `%.1f`, `%.3g`…; no `%@`): C's printf, which
    /// is what Foundation used for them, in the C locale whatever `setlocale` chose (the
    /// interface sets the user's locale for ncurses: a `,` before the decimals otherwise).
    public init(printf format: String, _ arguments: CVarArg...) {
        let previous = cLocale.map { uselocale($0) }
        defer { if let previous { uselocale(previous) } }
        self = withVaList(arguments) { va in
            var buffer = [CChar](repeating: 0, count: 128)
            let needed = Int(vsnprintf(&buffer, buffer.count, format, va))
            if needed < 0 { return "" }
            if needed < buffer.count { return text(buffer) }
            return withVaList(arguments) { again in
                var bigger = [CChar](repeating: 0, count: needed + 1)
                _ = vsnprintf(&bigger, bigger.count, format, again)
                return text(bigger)
            }
        }
    }
}

private func text(_ chars: [CChar]) -> String {
    String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The C locale, for `String(printf:)` (per thread, through `uselocale`).
nonisolated(unsafe) private let cLocale: locale_t? = newlocale(Int32(1) << LC_NUMERIC, "C", nil)
