import Foundation
import PropertyBased
import Testing
import FinalityTestSupport

@testable import FinalityFormat

/// Vectors from upstream `libraries/libfc/test/test_bls.cpp` (`bls_prefix_encoding_check`)
/// and the keys of upstream `unittests/test-data/fsi/safety_v1.dat` (see format.md).
enum KeyVectors {
    static let valid =
        "PUB_BLS_82P3oM1u0IEv64u9i4vSzvg1-QDl4Fb2n50Mp8Sk7Fr1Tz0MJypzL39nSd5VPFgFC9WqrjopRbBm1Pf0RkP018fo1k2rXaJY7Wtzd9RKlE8PoQ6XhDm4PyZlIupQg_gOuiMhcg"
    static let validKeyHex =
        "f363f7a0cd6ed0812feb8bbd8b8bd2cef835f900e5e056f69f9d0ca7c4a4ec5af54f3d0c272a732f7f6749de553c58050bd5aaae3a2945b066d4f7f44643f4d7c7e8d64dab5da258ed6b7377d44a944f0fa10e978439b83f266522ea5083f80e"
    static let validChecksumHex = "ba232172"

    static let upstreamFileKeys = [
        "PUB_BLS_QMg8-wBVg6J1NJ1EivX4vwwOcL4GRX9RG5ebcfqNeza4kS_jjIbP4mKZ9upC3soRzyGeljRPKB8d-r_cVTnMg2QcXfXwmgSUAFoC4XGJfh2LS3IgBAyUvfwDmaLN4ioUrSb0aQ",
        "PUB_BLS_kkwuxSldAgJdE4VuDujHqJpvrqZrRHpFY-8oBaeyRg2FcmrSXcA05sxQDxfGr3cC_ubimD-pgXEvRnYOnMJg0yZlmE0WGXm_Fs3d9A9ObOcQsNOGvyYNp7fftOqeYnwOV2auSQ",
        "PUB_BLS_s4BZuXDpNWivBOI5kcxVrc1ePNrJ_QO8fX-7XN7mv7Sc5roSJAxvfVWDJ2hciN0Avxe3zMIlU1K23xnfrhpITWMptNGISk27vzHgvAN0luMOvm00cC4E0pCjzu9n-5IMKurYKg",
    ]

    /// `valid` with its last `n` characters replaced by `tail`.
    static func validEnding(_ tail: String, replacing n: Int) -> String {
        String(valid.dropLast(n)) + tail
    }

    /// The upstream samples live next to the project, never inside it.
    static func upstreamURL(_ name: String) -> URL {
        PackagePaths.upstream.appendingPathComponent(name).standardizedFileURL
    }
}

@Suite("PUB_BLS_ key text")
struct KeyTextTests {
    @Test("the upstream valid vector decodes to its key, and its checksum is ba232172")
    func validVector() throws {
        let key = try KeyText.decode(KeyVectors.valid)
        #expect(Hex.encode(key) == KeyVectors.validKeyHex)
        #expect(Hex.encode(KeyText.checksum(key)) == KeyVectors.validChecksumHex)
        #expect(KeyText.encode(key) == KeyVectors.valid)
    }

    @Test(
        "upstream invalid vectors fail on the checksum",
        arguments: [
            KeyVectors.validEnding("Mhdg", replacing: 4),
            KeyVectors.validEnding("MhTg", replacing: 4),
            "PUB_BLS_92P3" + KeyVectors.valid.dropFirst("PUB_BLS_82P3".count),
        ])
    func invalidVectors(text: String) {
        #expect(text.count == 142)
        #expect {
            try KeyText.decode(text)
        } throws: { error in
            guard case KeyText.Error.badChecksum(let expected, let found)? = error as? KeyText.Error else {
                return false
            }
            return expected.count == 4 && found.count == 4 && expected != found
        }
    }

    @Test("the checksum error names both checksums")
    func checksumErrorCarriesBoth() {
        // 'd' in place of 'c' changes the last checksum byte only: 0x72 → 0x76.
        let text = KeyVectors.validEnding("dg", replacing: 2)
        #expect(throws: KeyText.Error.badChecksum(expected: [0xba, 0x23, 0x21, 0x72], found: [0xba, 0x23, 0x21, 0x76])) {
            try KeyText.decode(text)
        }
        let message = KeyText.Error.badChecksum(expected: [0xba, 0x23, 0x21, 0x72], found: [0xba, 0x23, 0x21, 0x76])
            .description
        #expect(message.contains("ba232172") && message.contains("ba232176"))
    }

    @Test("the upstream sample keys decode and re-encode to the same text", arguments: KeyVectors.upstreamFileKeys)
    func upstreamTextsRoundTrip(text: String) throws {
        let key = try KeyText.decode(text)
        #expect(key.count == 96)
        #expect(KeyText.encode(key) == text)
        #expect(try BLSPublicKey(text: text).text == text)
    }

    @Test("the keys of upstream safety_v1.dat encode to the three documented texts, in file order")
    func upstreamFileKeys() throws {
        let url = KeyVectors.upstreamURL("safety_v1.dat")
        let file = try [UInt8](Data(contentsOf: url))
        try #require(file.count == 739, "upstream safety_v1.dat should be 739 bytes: \(url.path)")
        let texts = (0..<3).map { i in
            KeyText.encode(Array(file[(25 + 237 * i)..<(25 + 237 * i + 96)]))
        }
        #expect(texts == KeyVectors.upstreamFileKeys)
    }

    // 100 bytes = 800 bits; 134 characters carry 804: the last character's 4 low bits are
    // unused. nodeos ignores them, so "…Mhcg" … "…Mhcv" all name the same key.
    @Test("a last character differing only in its unused low bits decodes to the same key")
    func ignoredLowBits() throws {
        let key = try KeyText.decode(KeyVectors.valid)
        let lastCharacters = Array("ghijklmnopqrstuv")  // 'g' = 32 … 'v' = 47: same top 2 bits
        for c in lastCharacters {
            let text = KeyVectors.validEnding(String(c), replacing: 1)
            #expect(try KeyText.decode(text) == key, "last character \(c)")
        }
        // 'w' = 48 changes a used bit: the last checksum byte becomes 0x73.
        #expect(throws: KeyText.Error.badChecksum(expected: [0xba, 0x23, 0x21, 0x72], found: [0xba, 0x23, 0x21, 0x73])) {
            try KeyText.decode(KeyVectors.validEnding("w", replacing: 1))
        }
        // The text the tool writes is always the canonical one.
        #expect(KeyText.encode(key) == KeyVectors.valid)
    }

    @Test("decoding stops at '=', as nodeos's decoder does")
    func stopsAtEquals() throws {
        let key = try KeyText.decode(KeyVectors.valid)
        #expect(try KeyText.decode(KeyVectors.valid + "==") == key)
        #expect(try KeyText.decode(KeyVectors.valid + "=not base64 at all!") == key)
        // An '=' in the middle cuts the key short.
        let cut = String(KeyVectors.valid.prefix(50)) + "=" + KeyVectors.valid.dropFirst(51)
        #expect(throws: KeyText.Error.wrongLength(expectedBytes: 100, foundBytes: 31, characters: 142)) {
            try KeyText.decode(cut)
        }
    }

    @Test("text without the PUB_BLS_ prefix is refused and the error shows what it starts with")
    func missingPrefix() {
        #expect(throws: KeyText.Error.missingPrefix(found: "pub_bls_")) {
            try KeyText.decode("pub_bls_" + KeyVectors.valid.dropFirst(8))
        }
        #expect(throws: KeyText.Error.missingPrefix(found: "PUB_K1_6")) {
            try KeyText.decode("PUB_K1_6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV")
        }
        #expect(throws: KeyText.Error.missingPrefix(found: "")) { try KeyText.decode("") }
        #expect(throws: KeyText.Error.missingPrefix(found: " PUB_BLS")) {
            try KeyText.decode(" " + KeyVectors.valid)
        }
        #expect(KeyText.Error.missingPrefix(found: "PUB_K1_6").description.contains("\"PUB_BLS_\""))
    }

    @Test("a character outside base64url is refused with its column, counted from 1 over the whole text")
    func badCharacter() {
        var chars = Array(KeyVectors.valid)
        chars[20] = "+"  // standard base64, not base64url
        #expect(throws: KeyText.Error.badCharacter(position: 21, character: "+")) {
            try KeyText.decode(String(chars))
        }
        chars[20] = "é"
        #expect(throws: KeyText.Error.badCharacter(position: 21, character: "é")) {
            try KeyText.decode(String(chars))
        }
        // A pasted line break at the end.
        #expect(throws: KeyText.Error.badCharacter(position: 143, character: "\n")) {
            try KeyText.decode(KeyVectors.valid + "\n")
        }
        let message = KeyText.Error.badCharacter(position: 143, character: "\n").description
        #expect(message.contains("143") && message.contains("line break"))
        #expect(KeyText.Error.badCharacter(position: 21, character: "+").description.contains("'+'"))
    }

    @Test("a truncated or overlong text is refused with the byte count and the text length")
    func wrongLength() {
        #expect(throws: KeyText.Error.wrongLength(expectedBytes: 100, foundBytes: 99, characters: 141)) {
            try KeyText.decode(String(KeyVectors.valid.dropLast()))
        }
        #expect(throws: KeyText.Error.wrongLength(expectedBytes: 100, foundBytes: 102, characters: 144)) {
            try KeyText.decode(KeyVectors.valid + "AA")
        }
        #expect(throws: KeyText.Error.wrongLength(expectedBytes: 100, foundBytes: 0, characters: 8)) {
            try KeyText.decode("PUB_BLS_")
        }
        let message = KeyText.Error.wrongLength(expectedBytes: 100, foundBytes: 99, characters: 141).description
        #expect(message.contains("99") && message.contains("100") && message.contains("141") && message.contains("142"))
    }

    @Test("any 96 bytes encode to 142 characters that decode back to them")
    func roundTrip() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 96)) { key in
            let text = KeyText.encode(key)
            #expect(text.count == KeyText.textLength)
            #expect(text.hasPrefix("PUB_BLS_"))
            #expect((try? KeyText.decode(text)) == key)
        }
    }

    @Test("base64url without padding matches RFC 4648 for every tail length")
    func base64URLVectors() throws {
        // RFC 4648 §10 vectors, padding removed.
        let vectors = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(try Base64URL.decode(encoded) == Array(plain.utf8))
        }
        // The two characters that differ from standard base64.
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(try Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(throws: Base64URL.BadCharacter(position: 1, character: "/")) { try Base64URL.decode("-/8") }
    }
}
