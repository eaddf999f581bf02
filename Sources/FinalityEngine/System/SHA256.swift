import CLibcrypto
import FinalityFormat

/// SHA-256 (FIPS 180-4) from the system's libcrypto: the hash every plan, backup and loaded
/// file is known by, block ids, chain ids and HotStuff proposal ids. One-shot
/// (`SHA256.hash(data:)`) or incremental (`update`, then `finalize`), the shape of
/// swift-crypto's type that it replaces. libcrypto uses the CPU's SHA extensions where
/// there are some (OpenSSL hashes at about 1.75 GB/s on this machine kind).
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public init() {
        // Allocation and initialisation fail only when memory is exhausted, where nothing
        // else would work either.
        guard let c = EVP_MD_CTX_new(), EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1 else {
            fatalError("libcrypto cannot start a SHA-256 (out of memory)")
        }
        context = c
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(bufferPointer: UnsafeRawBufferPointer) {
        guard let base = bufferPointer.baseAddress, bufferPointer.count > 0 else { return }
        EVP_DigestUpdate(context, base, bufferPointer.count)
    }

    public mutating func update(data: [UInt8]) {
        data.withUnsafeBytes { update(bufferPointer: $0) }
    }

    /// The 32-byte digest of everything given so far.
    public consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return out
    }

    public static func hash(data: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(data: data)
        return h.finalize()
    }
}
