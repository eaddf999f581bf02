import Dispatch
import FoundationEssentials
import Glibc

// What the engine, the runner and the executable took from full Foundation, written on
// Glibc and the standard library (issue 11): with FoundationEssentials only, the static
// release binary links no ICU (FoundationInternationalization and _FoundationICU, ~34 MB).
// Each one does what the Foundation call it replaces did, text for text.

/// A mutex: Foundation's `NSLock` (lock, unlock, withLock).
public final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Foundation's `Thread { … }.start()`: `body` on a thread of its own, so that a blocking
/// call (a node API's timeout) holds only that thread.
public enum Threads {
    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    public static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box)
        if started != 0 {
            // No thread to be had (EAGAIN): Dispatch's pool runs it rather than nobody.
            let body = Unmanaged<Body>.fromOpaque(box).takeRetainedValue()
            DispatchQueue.global().async { body.run() }
        }
    }
}

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

/// `FileHandle.standardError.write(_:)`: every byte to descriptor 2 (a short write goes
/// on, EINTR is tried again). A closed or broken stderr loses the text; Foundation's
/// `write(_:)` stopped the program there instead.
public enum StandardError {
    public static func write(_ text: String) {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }
}
