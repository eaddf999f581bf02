import BLS12381
import Testing
import FinalityTestSupport

@testable import FinalityFormat

/// Hand-built edge cases with the verdict spring's loader gives each (format.md "Point
/// validity", "Key length", "How nodeos reads and writes it"; spring finalizer.cpp and fc
/// raw.hpp, cited in SafetyFileReader). Keys are real points, so every check runs.
@Suite("Edge cases: spring's verdict, exactly")
struct EdgeCaseTableTests {
    /// What a case must get: loads or not, and the checks found.
    struct Expect: CustomStringConvertible {
        var loads: Bool
        /// The first error's check (refused), or nil.
        var firstError: Finding.Check?
        /// Every warning's check, in order.
        var warnings: [Finding.Check]
        var description: String { loads ? "loads, warnings \(warnings.map(\.rawValue))" : "refused: \(firstError?.rawValue ?? "?")" }

        static func loads(_ warnings: Finding.Check...) -> Expect { Expect(loads: true, firstError: nil, warnings: warnings) }
        static func refused(_ check: Finding.Check?) -> Expect { Expect(loads: false, firstError: check, warnings: []) }
    }

    static let g1 = G1.generatorMultipleAffineLE(1)
    static let g2 = G1.generatorMultipleAffineLE(2)

    /// A lock and a later last vote: no semantic warning.
    static let refs: [UInt8] = {
        var w = ByteWriter()
        w.blockRef(BlockRef(blockID: Bytes32((0..<32).map { UInt8($0 + 1) }), timestamp: BlockTimestamp(slot: 1000)))
        w.blockRef(BlockRef(blockID: Bytes32((0..<32).map { UInt8($0 + 2) }), timestamp: BlockTimestamp(slot: 990)))
        return w.bytes
    }()

    static func entry(_ length: [UInt8] = [0x60], key: [UInt8] = g1, v0: Bool = false, bool: UInt8 = 0) -> [UInt8] {
        length + key + refs + (v0 ? [bool] : [0, 0, 0, 0])
    }

    static func header(version: UInt64, count: UInt64) -> [UInt8] {
        u64LE(SafetyFormat.savannaMagic) + u64LE(version) + u64LE(count)
    }

    static func crc(_ bytes: [UInt8]) -> [UInt8] { withUnsafeBytes(of: CRC32.checksum(bytes).littleEndian) { Array($0) } }

    /// A v1 file: header, entries, the CRC of everything before it.
    static func v1(_ entries: [[UInt8]], count: UInt64? = nil) -> [UInt8] {
        let body = header(version: 1, count: count ?? UInt64(entries.count)) + entries.flatMap { $0 }
        return body + crc(body)
    }

    static func v0(_ entries: [[UInt8]], count: UInt64? = nil) -> [UInt8] {
        header(version: 0, count: count ?? UInt64(entries.count)) + entries.flatMap { $0 }
    }

    /// 48-byte little-endian x + p (still below 2^384: a non-canonical encoding of x).
    static func plusP(_ x: ArraySlice<UInt8>) -> [UInt8] {
        let p = Hex.decode("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab")!.reversed()
        var out = [UInt8]()
        var carry = 0
        for (a, b) in zip(x, p) {
            let s = Int(a) + Int(b) + carry
            out.append(UInt8(s & 0xFF))
            carry = s >> 8
        }
        return out
    }

    static func le48(_ v: UInt8) -> [UInt8] { [v] + [UInt8](repeating: 0, count: 47) }
    static let pMinus2: [UInt8] = {
        var p = Array(Hex.decode("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab")!.reversed())
        p[0] -= 2
        return p
    }()

    static let cases: [(String, [UInt8], Expect)] = [
        ("canonical key length 60", v1([entry()]), .loads()),
        ("key length padded to 2 bytes: E0 00", v1([entry([0xE0, 0x00])]), .loads(.paddedKeyLength)),
        ("key length padded to 3 bytes: E0 80 00", v1([entry([0xE0, 0x80, 0x00])]), .loads(.paddedKeyLength)),
        ("key length padded to 4 bytes: E0 80 80 00", v1([entry([0xE0, 0x80, 0x80, 0x00])]), .loads(.paddedKeyLength)),
        ("key length padded to 5 bytes: E0 80 80 80 00", v1([entry([0xE0, 0x80, 0x80, 0x80, 0x00])]), .loads(.paddedKeyLength)),
        ("5th byte's continuation bit ignored: E0 80 80 80 80", v1([entry([0xE0, 0x80, 0x80, 0x80, 0x80])]), .loads(.paddedKeyLength)),
        ("96 + 2^32 wraps to 96: E0 80 80 80 10", v1([entry([0xE0, 0x80, 0x80, 0x80, 0x10])]), .loads(.paddedKeyLength)),
        ("96 + 2^34 + continuation wraps to 96: E0 80 80 80 F0", v1([entry([0xE0, 0x80, 0x80, 0x80, 0xF0])]), .loads(.paddedKeyLength)),
        ("96 + 2^28 does not wrap: E0 80 80 80 01", v1([entry([0xE0, 0x80, 0x80, 0x80, 0x01])]), .refused(.keyLength)),
        ("a 6th varint byte is read as the key's first byte (the entry shifts)", v1([entry([0xE0, 0x80, 0x80, 0x80, 0x80, 0x00])]), .refused(nil)),
        ("key length 48", v1([entry([0x30])]), .refused(.keyLength)),
        ("key length 97 (0xE1 0x00)", v1([entry([0xE1, 0x00])]), .refused(.keyLength)),
        ("key at infinity (0, 0)", v1([entry(key: [UInt8](repeating: 0, count: 96))]), .loads(.keyAtInfinity)),
        ("3-torsion point (0, 2): on the curve, outside the subgroup", v1([entry(key: le48(0) + le48(2))]), .loads(.keyNotInSubgroup)),
        ("3-torsion point (0, p - 2)", v1([entry(key: le48(0) + pMinus2)]), .loads(.keyNotInSubgroup)),
        ("x + p: the same point, x not canonical", v1([entry(key: plusP(g1[0..<48]) + Array(g1[48..<96]))]), .refused(.keyNotCanonical)),
        ("y + p", v1([entry(key: Array(g1[0..<48]) + plusP(g1[48..<96]))]), .refused(.keyNotCanonical)),
        ("(0, 0) with y = p: not canonical, before the infinity test", v1([entry(key: le48(0) + plusP(le48(0)[0..<48]))]), .refused(.keyNotCanonical)),
        ("point off the curve (x + 1)", v1([entry(key: [g1[0] ^ 1] + Array(g1[1..<96]))]), .refused(.keyNotOnCurve)),
        ("v1 count 0, then the CRC of the header, then an entry", v1([], count: 0) + entry(), .loads(.unreadEntries)),
        ("v0 count 0 with two entries after it", v0([entry(v0: true), entry(key: g2, v0: true)], count: 0), .loads(.unreadEntries)),
        ("v0 count 1 of 2 entries", v0([entry(v0: true), entry(key: g2, v0: true)], count: 1), .loads(.unreadEntries)),
        ("v1 count 1 of 2 entries, CRC where the count ends", {
            let body = header(version: 1, count: 1) + entry()
            return body + crc(body) + entry(key: g2)
        }(), .loads(.unreadEntries)),
        ("v1 count 1 of 2 entries, CRC at the end: the loader reads the CRC from entry 1", {
            let body = header(version: 1, count: 1) + entry() + entry(key: g2)
            return body + crc(body)
        }(), .refused(.crc)),
        ("CRC covers the padding of a key length", v1([entry([0xE0, 0x00]), entry(key: g2)]), .loads(.paddedKeyLength)),
        ("CRC computed without the padding", {
            let canonical = header(version: 1, count: 1) + entry()
            return header(version: 1, count: 1) + entry([0xE0, 0x00]) + crc(canonical)
        }(), .refused(.crc)),
        ("bytes after the CRC", v1([entry()]) + [1, 2, 3], .loads(.trailingBytes)),
        ("duplicate key: the first wins", v1([entry(), entry(key: g2), entry()]), .loads(.duplicateKey)),
        ("v0 bool 2", v0([entry(v0: true, bool: 2)]), .refused(.bool)),
        ("v0 bool 0xFF", v0([entry(v0: true, bool: 0xFF)]), .refused(.bool)),
        ("v0 bool 1", v0([entry(v0: true, bool: 1)]), .loads()),
        ("version 2", header(version: 2, count: 0) + [0, 0, 0, 0], .refused(.version)),
        ("version 2^32 (compared as a u64, not 0)", header(version: 1 << 32, count: 0) + [0, 0, 0, 0], .refused(.version)),
        ("version 2^64 - 1", header(version: .max, count: 0), .refused(.version)),
        ("count 2^64 - 1", v1([entry()], count: .max), .refused(.count)),
        ("count 2 with one entry and its CRC", v1([entry()], count: 2), .refused(.count)),
        ("empty v1 file", v1([]), .loads()),
        ("v1 without its CRC", header(version: 1, count: 0), .refused(.truncated)),
        ("file ends inside the key length varint", header(version: 1, count: 1) + [0xE0], .refused(.truncated)),
    ]

    @Test("each edge case gets spring's verdict", arguments: 0..<cases.count)
    func edgeCase(_ n: Int) {
        let (name, bytes, expect) = Self.cases[n]
        let v = SafetyFileReader.verify(bytes)
        #expect(v.nodeosLoads == expect.loads, "\(name): expected \(expect), got \(v.errors.first.map(\.description) ?? "loads")")
        if expect.loads {
            #expect(v.warnings.map(\.check) == expect.warnings, "\(name): \(v.warnings)")
            // Everything nodeos loads re-encodes to its exact bytes.
            if let file = v.file { #expect(sameBytes(SafetyFileWriter.encode(file), bytes) == nil, "\(name)") }
        } else if let check = expect.firstError {
            #expect(v.errors.first?.check == check, "\(name): \(v.errors)")
        }
    }
}
