import FinalityEngine
import Testing

/// `--json` strings: every control character is escaped (C0, DEL, C1), so text from a
/// file or a node never reaches a terminal as a control when the JSON is printed.
@Suite("JSON escapes every control character")
struct JSONEscapingTests {
    @Test("C0, DEL and C1 controls become \\u escapes; other text passes unchanged")
    func controls() {
        #expect(JSON.string("a\u{7F}b").serialized() == #""a\u007fb""#)
        #expect(JSON.string("\u{80}\u{9B}[2J\u{9F}").serialized() == #""\u0080\u009b[2J\u009f""#)
        #expect(JSON.string("\u{1B}[31m\u{0}").serialized() == #""\u001b[31m\u0000""#)
        #expect(JSON.string("q\"b\\\n\t\r").serialized() == #""q\"b\\\n\t\r""#)
        // Just outside the C1 range, and ordinary non-ASCII text, stay as they are.
        #expect(JSON.string("\u{A0}é✓~").serialized() == "\"\u{A0}é✓~\"")
        #expect(JSON.string("PUB_BLS_abc-_09").serialized() == "\"PUB_BLS_abc-_09\"")
    }

    @Test("every scalar below U+00A0 that is not printable ASCII is escaped")
    func everyControl() {
        for v in UInt32(0)..<0xA0 {
            let u = Unicode.Scalar(v)!
            let out = JSON.string(String(Character(u))).serialized()
            let printable = (0x20..<0x7F).contains(v)
            #expect(out.unicodeScalars.allSatisfy { (0x20..<0x7F).contains($0.value) }, "U+\(String(v, radix: 16)) -> \(out.debugDescription)")
            if !printable { #expect(out.hasPrefix("\"\\"), "U+\(String(v, radix: 16)) not escaped: \(out.debugDescription)") }
        }
    }
}
