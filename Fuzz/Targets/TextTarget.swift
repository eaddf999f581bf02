// libFuzzer target: the text an operator types or a node returns.
// The first byte picks the parser, the rest is the text (as UTF-8, repaired if invalid).
// Oracles: whatever parses must print back to something that parses to the same value.
import FinalityFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let selector = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    switch selector % 4 {
    case 0:
        do {
            let key = try KeyText.decode(text)
            require(key.count == 96)
            let canonical = KeyText.encode(key)
            require(canonical.utf8.count == KeyText.textLength)
            require((try? KeyText.decode(canonical)) == key, "canonical text must decode to the same key")
        } catch {
            require(!error.description.isEmpty)
            if case .badCharacter(let position, _) = error {
                require(position > KeyText.prefix.count && position <= text.unicodeScalars.count)
            }
        }
    case 1:
        if let bytes = try? Base64URL.decode(text) {
            // Re-encoding gives the canonical text of the same bytes.
            require((try? Base64URL.decode(Base64URL.encode(bytes))) == bytes)
        }
    case 2:
        if let id = Bytes32(hex: text) {
            require(Bytes32(hex: id.hex) == id)
            _ = id.blockNumber
        }
    default:
        let roundDown = selector & 0x80 != 0
        if let t = BlockTimestamp(iso8601: text, roundDown: roundDown) {
            require(BlockTimestamp(iso8601: t.iso8601) == t, "\(t.iso8601) must parse to slot \(t.slot)")
            _ = t.date
            _ = t.description
        }
    }
    return 0
}

/// `precondition` without its message in -O builds would hide what failed.
func require(_ condition: Bool, _ message: @autoclosure () -> String = "") {
    if !condition { fatalError(message()) }
}
