import FinalityFormat

/// Why a structure read from a block log did not decode: the absolute offset of the
/// field, its name in nodeos's terms, and what was expected and found.
public struct DecodeFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var field: String
    public var expected: String
    public var found: String
    /// True when the bytes simply ran out (the reader may fetch more and retry).
    public var isShortRead: Bool

    public init(offset: Int, field: String, expected: String, found: String, isShortRead: Bool = false) {
        self.offset = offset
        self.field = field
        self.expected = expected
        self.found = found
        self.isShortRead = isShortRead
    }

    public var description: String {
        "offset \(Offset.text(offset)): \(field): expected \(expected), found \(found)"
    }
}

enum Offset {
    static func text<I: BinaryInteger>(_ v: I) -> String { "0x" + String(UInt64(v), radix: 16, uppercase: true) }
}

/// A `ByteReader` over a window of a file that starts at `base`: every failure names the
/// absolute offset and the field.
struct FieldReader {
    var reader: ByteReader
    let base: Int

    init(_ bytes: [UInt8], base: Int) {
        reader = ByteReader(bytes)
        self.base = base
    }

    var offset: Int { base + reader.offset }
    var remaining: Int { reader.remaining }

    private func short(_ field: String, _ needed: Int) -> DecodeFailure {
        DecodeFailure(
            offset: offset, field: field, expected: "\(needed) more bytes", found: "\(reader.remaining)",
            isShortRead: true)
    }

    mutating func u8(_ field: String) throws(DecodeFailure) -> UInt8 {
        do { return try reader.u8() } catch { throw short(field, 1) }
    }
    mutating func u16(_ field: String) throws(DecodeFailure) -> UInt16 {
        do { return try reader.u16() } catch { throw short(field, 2) }
    }
    mutating func u32(_ field: String) throws(DecodeFailure) -> UInt32 {
        do { return try reader.u32() } catch { throw short(field, 4) }
    }
    mutating func u64(_ field: String) throws(DecodeFailure) -> UInt64 {
        do { return try reader.u64() } catch { throw short(field, 8) }
    }
    mutating func bytes32(_ field: String) throws(DecodeFailure) -> Bytes32 {
        do { return try reader.bytes32() } catch { throw short(field, 32) }
    }
    mutating func take(_ n: Int, _ field: String) throws(DecodeFailure) -> [UInt8] {
        do { return Array(try reader.take(n)) } catch { throw short(field, n) }
    }
    mutating func bool(_ field: String) throws(DecodeFailure) -> Bool {
        let at = offset
        let b = try u8(field)
        guard b <= 1 else { throw DecodeFailure(offset: at, field: field, expected: "0 or 1", found: "\(b)") }
        return b == 1
    }
    /// A varint used as a length or count: bounded so garbage cannot ask for gigabytes.
    mutating func varint(_ field: String, max: UInt64 = UInt64(UInt32.max)) throws(DecodeFailure) -> UInt64 {
        let at = offset
        let v: UInt64
        do { v = try reader.varint() } catch {
            switch error {
            case .short: throw short(field, 1)
            case .tooLong: throw DecodeFailure(offset: at, field: field, expected: "a varint", found: "too many bytes")
            }
        }
        guard v <= max else { throw DecodeFailure(offset: at, field: field, expected: "at most \(max)", found: "\(v)") }
        return v
    }
}

/// An Antelope account name (`eosio::name`): up to 13 characters packed in a u64.
public struct AccountName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: UInt64

    private static let charmap = Array(".12345abcdefghijklmnopqrstuvwxyz".utf8)

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// nodeos's `string_to_name`: characters outside `.1-5a-z` count as `.`.
    public init(_ text: String) {
        func symbol(_ c: UInt8) -> UInt64 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt64(c - UInt8(ascii: "a")) + 6
            case UInt8(ascii: "1")...UInt8(ascii: "5"): UInt64(c - UInt8(ascii: "1")) + 1
            default: 0
            }
        }
        let s = Array(text.utf8)
        var value: UInt64 = 0
        for i in 0..<min(12, s.count) { value |= (symbol(s[i]) & 0x1f) << UInt64(64 - 5 * (i + 1)) }
        if s.count > 12 { value |= symbol(s[12]) & 0x0f }
        rawValue = value
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String {
        var out = [UInt8](repeating: UInt8(ascii: "."), count: 13)
        var tmp = rawValue
        for i in 0...12 {
            out[12 - i] = Self.charmap[Int(tmp & (i == 0 ? 0x0f : 0x1f))]
            tmp >>= (i == 0 ? 4 : 5)
        }
        while out.last == UInt8(ascii: ".") { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}

/// `fc::crypto::public_key`: a static_variant of K1, R1 (33-byte compressed points) and
/// WebAuthn (point, user presence, relying party id).
public enum ChainPublicKey: Hashable, Sendable, CustomStringConvertible {
    case k1([UInt8])
    case r1([UInt8])
    case webAuthn(key: [UInt8], userPresence: UInt8, relyingPartyID: String)

    public var typeName: String {
        switch self {
        case .k1: "K1"
        case .r1: "R1"
        case .webAuthn: "WA"
        }
    }

    /// The variant type and the point in hex (the `PUB_K1_` text form needs RIPEMD-160 and
    /// base58, which this tool does not need to print a LIB).
    public var description: String {
        switch self {
        case .k1(let k), .r1(let k): "\(typeName):\(Hex.encode(k))"
        case .webAuthn(let k, let up, let rp): "WA:\(Hex.encode(k)) presence \(up) rp \(rp)"
        }
    }

    static func decode(_ r: inout FieldReader, _ field: String) throws(DecodeFailure) -> ChainPublicKey {
        let at = r.offset
        let type = try r.varint(field + " type", max: 255)
        switch type {
        case 0: return .k1(try r.take(33, field + " (K1)"))
        case 1: return .r1(try r.take(33, field + " (R1)"))
        case 2:
            let key = try r.take(33, field + " (WebAuthn key)")
            let up = try r.u8(field + " (WebAuthn user presence)")
            let n = try r.varint(field + " (WebAuthn rpid length)", max: 1 << 16)
            let rp = try r.take(Int(n), field + " (WebAuthn rpid)")
            return .webAuthn(key: key, userPresence: up, relyingPartyID: String(decoding: rp, as: UTF8.self))
        default:
            throw DecodeFailure(offset: at, field: field + " type", expected: "0 (K1), 1 (R1) or 2 (WebAuthn)", found: "\(type)")
        }
    }

    func encode(_ w: inout ByteWriter) {
        switch self {
        case .k1(let k):
            w.varint(0)
            w.append(k)
        case .r1(let k):
            w.varint(1)
            w.append(k)
        case .webAuthn(let k, let up, let rp):
            w.varint(2)
            w.append(k)
            w.u8(up)
            w.varint(UInt64(rp.utf8.count))
            w.append(rp.utf8)
        }
    }
}

/// `fc::crypto::signature`: K1 and R1 are 65 bytes; WebAuthn adds authenticator data and
/// the client JSON.
public enum ChainSignature: Hashable, Sendable {
    case k1([UInt8])
    case r1([UInt8])
    case webAuthn(compact: [UInt8], authenticatorData: [UInt8], clientJSON: String)

    static func decode(_ r: inout FieldReader, _ field: String) throws(DecodeFailure) -> ChainSignature {
        let at = r.offset
        let type = try r.varint(field + " type", max: 255)
        switch type {
        case 0: return .k1(try r.take(65, field + " (K1)"))
        case 1: return .r1(try r.take(65, field + " (R1)"))
        case 2:
            let compact = try r.take(65, field + " (WebAuthn)")
            let n = try r.varint(field + " (WebAuthn auth data length)", max: 1 << 20)
            let auth = try r.take(Int(n), field + " (WebAuthn auth data)")
            let m = try r.varint(field + " (WebAuthn client json length)", max: 1 << 20)
            let json = try r.take(Int(m), field + " (WebAuthn client json)")
            return .webAuthn(compact: compact, authenticatorData: auth, clientJSON: String(decoding: json, as: UTF8.self))
        default:
            throw DecodeFailure(offset: at, field: field + " type", expected: "0 (K1), 1 (R1) or 2 (WebAuthn)", found: "\(type)")
        }
    }

    func encode(_ w: inout ByteWriter) {
        switch self {
        case .k1(let s):
            w.varint(0)
            w.append(s)
        case .r1(let s):
            w.varint(1)
            w.append(s)
        case .webAuthn(let c, let a, let j):
            w.varint(2)
            w.append(c)
            w.varint(UInt64(a.count))
            w.append(a)
            w.varint(UInt64(j.utf8.count))
            w.append(j.utf8)
        }
    }
}
