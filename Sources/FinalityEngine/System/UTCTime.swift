import Dispatch
import FoundationEssentials
import Glibc

/// UTC times as Foundation's `ISO8601DateFormatter` and an en_US_POSIX `DateFormatter`
/// printed them: to the millisecond, rounded as they round (CoreFoundation formats
/// `floor((t + 978307200) × 1000 + 0.5)` milliseconds since 1970; `Date.ISO8601FormatStyle`
/// truncates instead, so a time could come out one millisecond or one second earlier).
public enum UTCTime {
    struct Fields {
        var year, month, day, hour, minute, second, millisecond: Int
    }

    static func fields(_ d: Date) -> Fields {
        let ms = Int64(((d.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5).rounded(.down))
        let (q, r) = ms.quotientAndRemainder(dividingBy: 1000)
        let seconds = r < 0 ? q - 1 : q
        let millisecond = r < 0 ? r + 1000 : r
        var t = time_t(seconds)
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        return Fields(
            year: Int(tm.tm_year) + 1900, month: Int(tm.tm_mon) + 1, day: Int(tm.tm_mday),
            hour: Int(tm.tm_hour), minute: Int(tm.tm_min), second: Int(tm.tm_sec), millisecond: Int(millisecond))
    }

    static func digits(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `2026-11-21T13:30:13.123Z` (`ISO8601DateFormatter`, `[.withInternetDateTime, .withFractionalSeconds]`).
    public static func iso8601Milliseconds(_ d: Date) -> String {
        let f = fields(d)
        return "\(digits(f.year, 4))-\(digits(f.month, 2))-\(digits(f.day, 2))T\(digits(f.hour, 2)):\(digits(f.minute, 2)):\(digits(f.second, 2)).\(digits(f.millisecond, 3))Z"
    }

    /// `2026-11-21T13:30:13Z` (`ISO8601DateFormatter`, default options).
    public static func iso8601(_ d: Date) -> String {
        let f = fields(d)
        return "\(digits(f.year, 4))-\(digits(f.month, 2))-\(digits(f.day, 2))T\(digits(f.hour, 2)):\(digits(f.minute, 2)):\(digits(f.second, 2))Z"
    }

    /// `20261121T133013Z` (`DateFormatter`, `yyyyMMdd'T'HHmmss'Z'`).
    public static func compact(_ d: Date) -> String {
        let f = fields(d)
        return "\(digits(f.year, 4))\(digits(f.month, 2))\(digits(f.day, 2))T\(digits(f.hour, 2))\(digits(f.minute, 2))\(digits(f.second, 2))Z"
    }
}
