import FoundationEssentials

/// A block timestamp: u32 slot of half-seconds since 2000-01-01T00:00:00Z.
public struct BlockTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var slot: UInt32

    /// 2000-01-01T00:00:00Z in Unix milliseconds.
    public static let epochUnixMilliseconds: Int64 = 946_684_800_000
    public static let millisecondsPerSlot: Int64 = 500
    public static let zero = BlockTimestamp(slot: 0)

    public init(slot: UInt32) { self.slot = slot }

    /// The slot holding this instant (rounded down to the half-second); nil outside u32.
    public init?(unixMilliseconds ms: Int64) {
        // Compare before subtracting: `Int64.min - epoch` would trap.
        guard ms >= Self.epochUnixMilliseconds else { return nil }
        let delta = ms - Self.epochUnixMilliseconds
        let slot = delta / Self.millisecondsPerSlot
        guard slot <= Int64(UInt32.max) else { return nil }
        self.slot = UInt32(slot)
    }

    public init?(date: Date) {
        let ms = (date.timeIntervalSince1970 * 1000).rounded(.down)
        // Int64(_:) traps on NaN, infinities and huge values; those are outside u32 anyway.
        guard ms.isFinite, ms >= -9.0e18, ms <= 9.0e18 else { return nil }
        self.init(unixMilliseconds: Int64(ms))
    }

    public var unixMilliseconds: Int64 { Int64(slot) * Self.millisecondsPerSlot + Self.epochUnixMilliseconds }
    public var date: Date { Date(timeIntervalSince1970: Double(unixMilliseconds) / 1000) }

    /// ISO-8601 UTC with milliseconds, e.g. `2024-05-01T12:00:00.500Z`.
    public var iso8601: String {
        let ms = unixMilliseconds
        let seconds = ms / 1000
        let millis = Int(ms % 1000)
        let c = CivilTime(unixSeconds: seconds)
        func pad(_ v: Int, _ width: Int) -> String {
            let digits = String(v)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):"
            + "\(pad(c.second, 2)).\(pad(millis, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.mmm][Z]` (nodeos prints the time without a zone: it is UTC).
    /// Times must fall on a slot boundary (a multiple of 500 ms) unless `roundDown` is set.
    public init?(iso8601 text: String, roundDown: Bool = false) {
        guard let (ms, exactMillisecond) = CivilTime.parseUnixMilliseconds(text) else { return nil }
        if !roundDown {
            // Digits past the millisecond (".5001") are off a slot boundary too.
            guard exactMillisecond, (ms - Self.epochUnixMilliseconds) % Self.millisecondsPerSlot == 0 else {
                return nil
            }
        }
        self.init(unixMilliseconds: ms)
    }

    public var description: String { "\(iso8601) (slot \(slot))" }

    public static func < (a: BlockTimestamp, b: BlockTimestamp) -> Bool { a.slot < b.slot }
}

/// Proleptic Gregorian calendar in UTC, without Foundation's locale machinery.
struct CivilTime {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    init(unixSeconds: Int64) {
        let days = Int(floorDiv(unixSeconds, 86_400))
        let secs = Int(unixSeconds - Int64(days) * 86_400)
        (hour, minute, second) = (secs / 3600, secs % 3600 / 60, secs % 60)
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Unix milliseconds of `YYYY-MM-DDTHH:MM:SS[.fraction][Z]` (or a space for `T`), with
    /// 1 to 9 fraction digits, rounded down to the millisecond; `exactMillisecond` is false
    /// when digits past the millisecond were not all zero. Nil for malformed text or a
    /// date that does not exist.
    static func parseUnixMilliseconds(_ text: String) -> (milliseconds: Int64, exactMillisecond: Bool)? {
        var s = Array(text.utf8)
        if s.last == UInt8(ascii: "Z") { s.removeLast() }
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= s.count else { return nil }
            var v = 0
            for c in s[r] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard s.count >= 19, s[4] == 45, s[7] == 45, s[10] == 84 || s[10] == 32, s[13] == 58, s[16] == 58,
            let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10),
            let h = num(11..<13), let mi = num(14..<16), let se = num(17..<19)
        else { return nil }
        var millis = 0
        var exact = true
        if s.count > 19 {
            // At most nanoseconds: more digits than that is not a time anyone prints.
            guard s[19] == 46, s.count > 20, s.count <= 29, let frac = num(20..<s.count) else { return nil }
            let digits = s.count - 20
            var f = frac
            for _ in digits..<max(digits, 9) { f *= 10 }  // now in nanoseconds
            millis = f / 1_000_000
            exact = f % 1_000_000 == 0
        }
        guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 60 else { return nil }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= monthDays[mo - 1] else { return nil }
        let days = Int64(daysFromCivil(y, mo, d))
        return ((days * 86_400 + Int64(h * 3600 + mi * 60 + se)) * 1000 + Int64(millis), exact)
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension BlockTimestamp {
    /// `iso8601`'s bytes appended to `out`, without making a String (a million-entry
    /// `list --json` writes three per entry).
    public func appendISO8601(to out: inout [UInt8]) {
        let ms = unixMilliseconds
        let c = CivilTime(unixSeconds: ms / 1000)
        // Every field is non-negative (slots count from 2000), so no sign to handle.
        @inline(__always) func digits(_ v: Int, _ width: Int) {
            var d = 1
            var w = 1
            while d <= v / 10 {
                d *= 10
                w += 1
            }
            if w < width { for _ in 0..<(width - w) { out.append(UInt8(ascii: "0")) } }
            var rest = v
            while d > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / d))
                rest %= d
                d /= 10
            }
        }
        digits(c.year, 4)
        out.append(UInt8(ascii: "-"))
        digits(c.month, 2)
        out.append(UInt8(ascii: "-"))
        digits(c.day, 2)
        out.append(UInt8(ascii: "T"))
        digits(c.hour, 2)
        out.append(UInt8(ascii: ":"))
        digits(c.minute, 2)
        out.append(UInt8(ascii: ":"))
        digits(c.second, 2)
        out.append(UInt8(ascii: "."))
        digits(Int(ms % 1000), 3)
        out.append(UInt8(ascii: "Z"))
    }
}
