import FinalityEngine
import FinalityFormat
import Testing

/// SHA-256 from the system's libcrypto against the standard vectors (FIPS 180-2, appendix
/// B; the NIST example values), one-shot and fed in pieces of every size.
@Suite("SHA-256 (libcrypto): the standard vectors")
struct SHA256Tests {
    static func hex(_ b: [UInt8]) -> String { Bytes32(b).hex }

    @Test("\"\", \"abc\", the 448-bit message and a million a's")
    func standardVectors() {
        #expect(Self.hex(SHA256.hash(data: [])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(SHA256.hash(data: Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Self.hex(SHA256.hash(data: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            Self.hex(SHA256.hash(data: [UInt8](repeating: 0x61, count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("fed in pieces of 1 to 97 bytes, the digest is the one-shot digest")
    func incremental() {
        let data = (0..<10_007).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hash(data: data)
        for piece in [1, 2, 63, 64, 65, 97] {
            var h = SHA256()
            var i = 0
            while i < data.count {
                let end = min(data.count, i + piece)
                h.update(data: Array(data[i..<end]))
                i = end
            }
            #expect(h.finalize() == whole, "pieces of \(piece)")
        }
        #expect(Digest.sha256(data).bytes == whole)
    }
}
