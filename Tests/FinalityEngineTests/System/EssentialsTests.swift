import Dispatch
import FinalityEngine
import Foundation
import Testing

/// System/ (Threads, UTCTime, Text, StandardError) replaces full Foundation calls in the shipped binary (issue 11:
/// FoundationEssentials only, no ICU). The tests, which may use full Foundation, hold each
/// replacement to what the Foundation call printed: audit times and backup names must not
/// move by a millisecond or a second.
@Suite("Essentials: what replaced full Foundation prints what Foundation printed")
struct EssentialsTests {
    static func dates() -> [Date] {
        var out: [Date] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1.9995), Date(timeIntervalSince1970: 1.9994999),
            Date(timeIntervalSince1970: 59.9999999), Date(timeIntervalSince1970: 951_782_400.5),  // 2000-02-29
            Date(timeIntervalSince1970: 1_796_000_000.0005), Date(timeIntervalSince1970: 4_102_444_799.9996), Date(),
        ]
        var g = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            // Whole milliseconds plus a little either side: where rounding and truncating part.
            let ms = Double(Int.random(in: 0...4_102_444_800_000, using: &g)) / 1000
            out.append(Date(timeIntervalSince1970: ms + Double.random(in: -0.0006...0.0006, using: &g)))
        }
        return out
    }

    @Test("UTCTime: ISO8601DateFormatter's and DateFormatter's text, rounding included")
    func utcTime() {
        let withMs = ISO8601DateFormatter()
        withMs.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        withMs.timeZone = TimeZone(identifier: "UTC")
        let plain = ISO8601DateFormatter()
        plain.timeZone = TimeZone(identifier: "UTC")
        let compact = DateFormatter()
        compact.locale = Locale(identifier: "en_US_POSIX")
        compact.timeZone = TimeZone(identifier: "UTC")
        compact.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var differences = [String]()
        for d in Self.dates() {
            if UTCTime.iso8601Milliseconds(d) != withMs.string(from: d) { differences.append("ms \(d.timeIntervalSince1970)") }
            if UTCTime.iso8601(d) != plain.string(from: d) { differences.append("s \(d.timeIntervalSince1970)") }
            if UTCTime.compact(d) != compact.string(from: d) { differences.append("compact \(d.timeIntervalSince1970)") }
        }
        #expect(differences.isEmpty, "\(differences.prefix(5))")
        #expect(UTCTime.iso8601Milliseconds(Date(timeIntervalSince1970: 1.9995)) == "1970-01-01T00:00:02.000Z")
        #expect(UTCTime.compact(Date(timeIntervalSince1970: 951_782_400.5)) == "20000229T000000Z")
    }

    @Test("trimmed(_:): the same scalars as CharacterSet's, over every scalar")
    func trimmingSets() {
        let pairs: [(TrimmedCharacters, CharacterSet)] = [
            (.whitespaces, .whitespaces), (.newlines, .newlines), (.whitespacesAndNewlines, .whitespacesAndNewlines),
        ]
        for (ours, theirs) in pairs {
            var differ = [UInt32]()
            for v in UInt32(0)...0x10FFFF {
                guard let s = Unicode.Scalar(v) else { continue }
                if ours.contains(s) != theirs.contains(s) { differ.append(v) }
            }
            #expect(differ.isEmpty, "\(ours): \(differ.prefix(10).map { String($0, radix: 16) })")
        }
        let texts = [
            "", " ", "\t x \n", "\u{200B}key\u{3000}", " e\u{301} ", "\u{301} ", "\r\n\u{85}a b\u{2029}", "\u{A0}\u{1F600}\u{A0}",
        ]
        for t in texts {
            #expect(t.trimmed(.whitespaces) == t.trimmingCharacters(in: .whitespaces))
            #expect(t.trimmed(.newlines) == t.trimmingCharacters(in: .newlines))
            #expect(t.trimmed(.whitespacesAndNewlines) == t.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(Substring(t).trimmed(.whitespaces) == t.trimmingCharacters(in: .whitespaces))
        }
    }

    @Test("String(printf:): String(format:)'s text for the number formats used")
    func printf() {
        for v in [0, 0.05, 0.25, 1, 1.5, 2.0004, 12.345, 999.95, 1e-7, 123_456_789.5, -3.25] {
            for f in ["%.3g", "%g", "%.1f", "%.0f", "%.2f", "%.3f", "%.4f"] {
                #expect(String(printf: f, v) == String(format: f, v), "\(f) \(v)")
            }
        }
        #expect(String(printf: "%d keys in %.3f s", 42, 1.5) == "42 keys in 1.500 s")
        #expect(String(printf: "%.1f", 1e300).count > 128)  // longer than the first buffer
    }

    @Test("replacingLiteral: scalar by scalar, so every quote of a shell word is escaped")
    func shellQuoting() throws {
        for (text, target, replacement) in [("a'b'c", "'", "'\\''"), ("/usr/bin/nodeos (deleted)", " (deleted)", ""), ("2026-11-21T13:30", "T", " ")] {
            #expect(text.replacingLiteral(target, with: replacement) == text.replacingOccurrences(of: target, with: replacement))
        }
        // A quote followed by a combining mark is one Character: a character-wise
        // replacement leaves it, and the pasted word would close its quotes there.
        let nasty = ["it's", "a'\u{301}; touch /tmp/finality-pwned '\u{301}", "'", "''\u{301}'", "x y", "\u{301}'\u{301}", "$(id)`id`\\"]
        for word in nasty {
            let quoted = ShellWord.quoted(word)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "printf %s " + quoted]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(quoted)")
            #expect(String(decoding: data, as: UTF8.self) == word, "\(quoted) reads back as another word")
        }
    }

    @Test("Lock and Threads.start: bodies run on threads of their own, the lock keeps the count")
    func lockAndThreads() {
        final class Counter: @unchecked Sendable {
            let lock = Lock()
            var n = 0
            var threads = Set<UInt>()
        }
        let counter = Counter()
        let caller = UInt(pthread_self())
        let group = DispatchGroup()
        for _ in 0..<8 {
            group.enter()
            Threads.start {
                for _ in 0..<10_000 { counter.lock.withLock { counter.n += 1 } }
                counter.lock.lock()
                counter.threads.insert(UInt(pthread_self()))
                counter.lock.unlock()
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(counter.lock.withLock { counter.n } == 80_000)
        #expect(!counter.lock.withLock { counter.threads }.contains(caller))
    }
}
