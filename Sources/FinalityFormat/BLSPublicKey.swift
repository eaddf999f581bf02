import BLS12381

/// A finalizer's BLS public key: the 96-byte affine G1 point (x then y, 48 bytes each,
/// little-endian, canonical). Keys are compared by these bytes, never by text.
public struct BLSPublicKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    @usableFromInline var a: Bytes32, b: Bytes32, c: Bytes32

    public static let byteCount = 96

    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 96, "a BLS public key has 96 bytes")
        let all = Array(bytes)
        a = Bytes32(all[0..<32])
        b = Bytes32(all[32..<64])
        c = Bytes32(all[64..<96])
    }

    init(a: Bytes32, b: Bytes32, c: Bytes32) { (self.a, self.b, self.c) = (a, b, c) }

    public var bytes: [UInt8] { a.bytes + b.bytes + c.bytes }

    /// `PUB_BLS_` + base64url (no padding) of the 96 bytes and 4 checksum bytes.
    public var text: String { KeyText.encode(bytes) }

    /// Parses `PUB_BLS_…` text (prefix, base64url, length 100, RIPEMD-160 checksum).
    /// Does not check the point: see `check()`.
    public init(text: String) throws(KeyText.Error) {
        self.init(bytes: try KeyText.decode(text))
    }

    /// The point at infinity: x = y = 0.
    public var isInfinity: Bool { a.isZero && b.isZero && c.isZero }

    /// Every check: canonical coordinates, on the curve, in the subgroup. nodeos's loader
    /// does all but the last (`checkLoadable()`).
    public func check() -> G1.KeyCheck {
        // The stored words are the 96 bytes in order (loaded little-endian), so the check
        // reads them in place: no arrays, which threads checking keys would contend on
        // in malloc. `storageIsByteOrder` (tested) pins the layout this relies on.
        withUnsafeBytes(of: self) { G1.checkAffineLE($0) }
    }

    /// Only what spring's loader checks (canonical coordinates, on the curve; infinity
    /// passes): the verdict needs this and no more. See `G1.checkLoadableAffineLE`.
    public func checkLoadable() -> G1.KeyCheck {
        withUnsafeBytes(of: self) { G1.checkLoadableAffineLE($0) }
    }

    /// In the prime-order subgroup (only meaningful for a key `checkLoadable` accepts).
    /// nodeos does not check it on load: outside it, the key loads but can never sign a
    /// valid vote.
    public var isInPrimeOrderSubgroup: Bool {
        withUnsafeBytes(of: self) { G1.isInPrimeOrderSubgroupAffineLE($0) }
    }

    /// The in-memory layout is the key's byte order (what `check()` relies on).
    var storageIsByteOrder: Bool {
        MemoryLayout<BLSPublicKey>.size == 96 && withUnsafeBytes(of: self) { Array($0) } == bytes
    }

    /// A short form for tables: the start of the text.
    public func shortText(_ characters: Int = 20) -> String {
        let t = text
        return t.count <= characters ? t : String(t.prefix(characters - 1)) + "…"
    }

    public var description: String { text }

    public static func < (l: BLSPublicKey, r: BLSPublicKey) -> Bool {
        if l.a != r.a { return l.a < r.a }
        if l.b != r.b { return l.b < r.b }
        return l.c < r.c
    }
}
