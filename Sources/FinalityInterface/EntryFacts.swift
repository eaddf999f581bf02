import Foundation
import FinalityEngine
import FinalityFormat

/// Something worth flagging about one entry, in a short form for the table and a long
/// form for the detail pane.
public struct EntryFlag: Hashable, Sendable {
    public var short: String
    public var long: String
    public var style: Style
}

public enum EntryFacts {
    /// A key whose last vote is this much older than LIB has stopped voting.
    static let inactiveAfterSlots: Int64 = 15 * 60 * 2

    public static func flags(_ entry: SafetyEntry, index: Int, lib: LIB?, findings: [Finding]) -> [EntryFlag] {
        var out = [EntryFlag]()
        for f in findings where f.entry == index {
            out.append(EntryFlag(short: f.check.rawValue, long: "\(f.severity == .error ? "error" : "warning"): \(f.description)", style: f.severity == .error ? .danger : .warning))
        }
        if entry.hasNoLock, !out.contains(where: { $0.short == Finding.Check.noLock.rawValue }) {
            out.append(EntryFlag(short: "no lock", long: "no lock: this key cannot vote until it has one", style: .warning))
        }
        if entry.neverVoted {
            out.append(EntryFlag(short: "never voted", long: "never voted: the last vote is empty", style: .dim))
        }
        guard let lib else { return out }
        let libNumber = lib.number
        switch entry.state {
        case .savanna(let s):
            if let lock = entry.lockHeight, lock < libNumber {
                out.append(
                    EntryFlag(
                        short: "lock-\(Format.compact(libNumber - lock))",
                        long: "lock behind LIB by \(Format.count(libNumber - lock)) blocks (lock \(Format.number(lock)), LIB \(Format.number(libNumber)))",
                        style: .warning))
            }
            if let vote = entry.lastVoteHeight, vote > libNumber {
                out.append(
                    EntryFlag(
                        short: "vote+\(Format.compact(vote - libNumber))",
                        long: "last vote newer than LIB by \(Format.count(vote - libNumber)) blocks",
                        style: .normal))
            }
            if !s.lastVote.isEmpty, Int64(lib.timestamp.slot) - Int64(s.lastVote.timestamp.slot) > inactiveAfterSlots {
                let behind = Int64(lib.timestamp.slot) - Int64(s.lastVote.timestamp.slot)
                out.append(
                    EntryFlag(
                        short: "inactive",
                        long: "inactive? last vote \(Durations.describe(slots: behind)) before LIB",
                        style: .warning))
            }
        case .hotStuff(let h):
            if h.vheight.bheight != 0, h.vheight.bheight < libNumber {
                out.append(
                    EntryFlag(
                        short: "vh-\(Format.compact(libNumber - h.vheight.bheight))",
                        long: "_vheight behind LIB by \(Format.count(libNumber - h.vheight.bheight)) blocks",
                        style: .warning))
            } else if h.vheight.bheight > libNumber {
                out.append(
                    EntryFlag(
                        short: "vote+\(Format.compact(h.vheight.bheight - libNumber))",
                        long: "_vheight newer than LIB by \(Format.count(h.vheight.bheight - libNumber)) blocks",
                        style: .normal))
            }
        }
        return out
    }
}

/// Number and time spellings shared by every screen.
public enum Format {
    /// `5,210`
    public static func number<T: BinaryInteger>(_ n: T) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

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
        var s = String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ")
        if iso.dropFirst(19).hasPrefix(".500") { s += ".5" }
        return s
    }

    /// `11-21 13:05` for narrow tables.
    public static func shortTime(_ t: BlockTimestamp) -> String {
        let iso = t.iso8601
        return String(iso.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ")
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

    /// Splits text into lines of at most `width` characters.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines = [String]()
        var rest = Substring(text)
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

    /// Pads or clips to exactly `width` characters.
    public static func fit(_ text: String, _ width: Int) -> String {
        if text.count >= width { return String(text.prefix(width)) }
        return text + String(repeating: " ", count: width - text.count)
    }

    /// Right-aligns; never clips (numbers must not lose digits).
    public static func fitRight(_ text: String, _ width: Int) -> String {
        if text.count >= width { return text }
        return String(repeating: " ", count: width - text.count) + text
    }
}
