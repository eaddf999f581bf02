import FinalityEngine
import FinalityFormat

/// Number and time spellings shared by every screen.
public enum Format {
    /// `5,210`: FinalityFormat's one grouping, as the command line prints numbers.
    public static func number<T: BinaryInteger>(_ n: T) -> String { grouped(n) }

    public static func count<T: BinaryInteger>(_ n: T) -> String { number(n) }

    /// `950`, `9,999`, `12k`, `1.0M`: for the narrow flags column.
    public static func compact<T: BinaryInteger>(_ n: T) -> String {
        let v = Int64(n)
        if v < 10_000 { return number(v) }
        if v < 1_000_000 { return "\(v / 1000)k" }
        return "\(v / 1_000_000).\((v % 1_000_000) / 100_000)M"
    }

    /// `2026-11-21 13:05:46.5` (UTC), compact for tables.
    public static func time(_ t: BlockTimestamp) -> String {
        let iso = t.iso8601  // 2026-11-21T13:05:46.500Z
        var s = String(iso.prefix(19).map { $0 == "T" ? " " : $0 })
        if iso.dropFirst(19).hasPrefix(".500") { s += ".5" }
        return s
    }

    /// `11-21 13:05` for narrow tables.
    public static func shortTime(_ t: BlockTimestamp) -> String {
        let iso = t.iso8601
        return String(iso.dropFirst(5).prefix(11).map { $0 == "T" ? " " : $0 })
    }

    public static func shortHex(_ b: Bytes32, _ n: Int = 12) -> String {
        String(b.hex.prefix(n)) + "…"
    }

    public static func slotTime(_ t: BlockTimestamp) -> String {
        t.slot == 0 ? "0 (none)" : "\(t.iso8601) (slot \(t.slot))"
    }

    /// A block reference: `#5,210 at 2026-…` or `empty (all zero)`.
    public static func blockRef(_ r: BlockRef) -> String {
        r.isEmpty ? "empty (all zero)" : "#\(number(r.blockNumber)) at \(r.timestamp.iso8601)"
    }

    /// Splits text into lines of at most `width` characters, as it will be shown: a
    /// control character in it made visible first (`SafeText`), so the widths are those
    /// of the rows drawn.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines = [String]()
        var rest = Substring(SafeText(text).text)
        while rest.count > width {
            var cut = rest.index(rest.startIndex, offsetBy: width)
            if let space = rest[..<cut].lastIndex(of: " "), rest.distance(from: rest.startIndex, to: space) > width / 2 {
                cut = space
            }
            lines.append(String(rest[..<cut]))
            rest = rest[cut...].drop { $0 == " " }
        }
        lines.append(String(rest))
        return lines
    }

    /// Without spaces and tabs at either end.
    public static func trimmed(_ text: String) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isBlank).reversed().drop(while: isBlank).reversed())
    }

    /// Rows of exactly `width` characters (the last shorter), no space dropped: for a
    /// command to copy, whose rows must join back to it.
    public static func hardWrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var out = [String]()
        var rest = Substring(SafeText(text).text)
        while rest.count > width {
            out.append(String(rest.prefix(width)))
            rest = rest.dropFirst(width)
        }
        out.append(String(rest))
        return out
    }

    /// Pads or clips to exactly `width` characters; a clipped text ends with `…`.
    public static func fit(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        if text.count > width { return String(text.prefix(width - 1)) + String(Grid.cutMark) }
        if text.count == width { return text }
        return text + String(repeating: " ", count: width - text.count)
    }

    /// `wrap`, at most `maxLines` lines: when more would be needed, the last one ends
    /// with `…` (the rest is on another screen, never silently gone).
    public static func wrap(_ text: String, width: Int, maxLines: Int) -> [String] {
        let all = wrap(text, width: width)
        guard all.count > maxLines, maxLines > 0 else { return all }
        var out = Array(all.prefix(maxLines))
        let last = out[maxLines - 1]
        out[maxLines - 1] = last.count < width ? last + String(Grid.cutMark) : String(last.prefix(width - 1)) + String(Grid.cutMark)
        return out
    }

    /// Right-aligns; never clips (numbers must not lose digits).
    public static func fitRight(_ text: String, _ width: Int) -> String {
        if text.count >= width { return text }
        return String(repeating: " ", count: width - text.count) + text
    }
}
