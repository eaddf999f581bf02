import Testing
import FinalityTestSupport

@testable import FinalityFormat

@Suite("Untrusted text is made safe before a human reads it")
struct DisplayTextTests {
    @Test("an escape sequence in a file name is shown, never sent to the terminal")
    func escapeSequences() {
        let hostile = "safety.dat\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[1;1H"
        let shown = DisplayText.sanitize(hostile)
        #expect(shown == "safety.dat\\e]0;owned\\x07\\e[2J\\e[1;1H")
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    @Test("every C0 and C1 control and DEL becomes visible; printable text is kept as is")
    func everyControl() {
        for v in Array(0x00...0x1F) + [0x7F] + Array(0x80...0x9F) {
            let u = Unicode.Scalar(UInt32(v))!
            let shown = DisplayText.sanitize("a" + String(Character(u)) + "b")
            #expect(shown.hasPrefix("a\\") && shown.hasSuffix("b"), "U+\(String(v, radix: 16)) shown as \(shown)")
            #expect(!shown.unicodeScalars.contains(u), "U+\(String(v, radix: 16)) left in")
        }
        #expect(DisplayText.sanitize("PUB_BLS_82P3oM1u0IEv ✓ é 日本") == "PUB_BLS_82P3oM1u0IEv ✓ é 日本")
        #expect(DisplayText.sanitize("a\nb\tc\rd") == "a\\nb\\tc\\rd")
    }

    @Test("text that reads in another order than it is stored (bidi overrides) and invisible characters are shown")
    func bidiAndInvisible() {
        #expect(DisplayText.sanitize("key\u{202E}tad.ytefas") == "key\\u{202E}tad.ytefas")
        #expect(DisplayText.sanitize("a\u{200B}b\u{FEFF}c\u{2066}d") == "a\\u{200B}b\\u{FEFF}c\\u{2066}d")
    }

    @Test("sanitizing twice changes nothing (text sanitized where it enters and again where it is printed)")
    func idempotent() {
        for s in ["\u{1B}[2J", "a\\e", "\u{9B}x", String(repeating: "y", count: 700), "\u{202E}", "plain"] {
            let once = DisplayText.sanitize(s)
            #expect(DisplayText.sanitize(once) == once, "\(once)")
            #expect(DisplayText.isSafe(once, limit: .max))
        }
        #expect(DisplayText.sanitize(DisplayText.sanitize(bytes: [0xFF, 0x1B])) == "\\xFF\\e")
    }

    @Test("a long string is cut with a visible mark saying how much was left out")
    func cut() {
        let long = String(repeating: "x", count: 1_000_000)
        let shown = DisplayText.sanitize(long, limit: 40)
        #expect(shown == String(repeating: "x", count: 40) + "…[cut: 999,960 more characters]")
        #expect(DisplayText.sanitize("short", limit: 5) == "short")
        // Just past the limit is kept whole (the mark would be longer than what it saves).
        #expect(DisplayText.sanitize("short!", limit: 5) == "short!")
        let justOver = String(repeating: "z", count: 5 + 65)
        #expect(DisplayText.sanitize(justOver, limit: 5) == "zzzzz…[cut: 65 more characters]")
        #expect(DisplayText.sanitize(long).count < DisplayText.defaultLimit + 40)
    }

    @Test("bytes that are not UTF-8 are shown as \\xNN; valid sequences as text")
    func notUTF8() {
        #expect(DisplayText.sanitize(bytes: Array("name".utf8) + [0xFF, 0xFE]) == "name\\xFF\\xFE")
        #expect(DisplayText.sanitize(bytes: [0xC3, 0xA9]) == "é")
        // Overlong, surrogate and truncated sequences are bytes, not text.
        #expect(DisplayText.sanitize(bytes: [0xC0, 0xAF]) == "\\xC0\\xAF")
        #expect(DisplayText.sanitize(bytes: [0xED, 0xA0, 0x80]) == "\\xED\\xA0\\x80")
        #expect(DisplayText.sanitize(bytes: [0xE2, 0x82]) == "\\xE2\\x82")
        #expect(DisplayText.sanitize(bytes: [0x1B, 0x5B, 0x32, 0x4A]) == "\\e[2J")
        #expect(DisplayText.sanitize(bytes: [UInt8](repeating: 0xFF, count: 100), limit: 8) == "\\xFF\\xFF…[cut: 98 more bytes]")
    }

    @Test("random strings: the output never holds a control character and is bounded")
    func randomStrings() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<500 {
            let n = Int.random(in: 0...300, using: &rng)
            let scalars = (0..<n).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0...0x2100, using: &rng)) }
            var s = ""
            s.unicodeScalars.append(contentsOf: scalars)
            let shown = DisplayText.sanitize(s, limit: 100)
            #expect(!shown.unicodeScalars.contains { DisplayText.needsEscape($0) })
            #expect(shown.unicodeScalars.count <= 164 * 9 + 40)
            #expect(DisplayText.isSafe(s, limit: 100) == (shown == s))
            #expect(DisplayText.sanitize(shown, limit: 100) == shown)
        }
    }
}
