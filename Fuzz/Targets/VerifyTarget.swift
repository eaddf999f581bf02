// libFuzzer target: SafetyFileReader.verify on arbitrary bytes.
//
// Beyond "does not crash", two oracles:
// - a file nodeos would load (no errors) must encode back to the same bytes
//   (the writer is the reader's exact mirror, trailing bytes included);
// - every finding and the verdict must render as text (the operator reads them).
// Savanna v1 inputs of the right size are also tried with their CRC fixed up, so the
// fuzzer gets past the CRC (nearly every mutation breaks it).
import FinalityFormat

let options = SafetyFileReader.Options(checkKeys: true, now: BlockTimestamp(slot: 1_700_000_000), keyCheckThreads: 1)

func check(_ bytes: [UInt8]) {
    let v = SafetyFileReader.verify(bytes, options: options)
    var rendered = v.verdictLine
    for f in v.errors + v.warnings { rendered += f.description + f.location }
    require(!rendered.isEmpty, "empty verdict")
    guard let file = v.file else {
        require(!v.errors.isEmpty, "no file and no error")
        return
    }
    for e in file.entries { rendered += e.key.text }
    // Whatever the reader returns (even with a bad CRC or key), the writer must write it
    // without trapping, and the result must read back to the same entries.
    let rewritten = SafetyFileWriter.encode(file)
    let reread = SafetyFileReader.verify(rewritten, options: options)
    require(reread.file?.entries == file.entries, "rewritten file reads back with other entries")
    if file.format == .savannaV0 {
        let converted = SafetyFileReader.verify(SafetyFileWriter.encode(file.convertedToSavannaV1()), options: options)
        require(converted.file?.format == .savannaV1, "v0 converted to v1 does not read as v1")
        require(converted.file?.entries.count == file.entries.count, "v0 → v1 conversion changed the entry count")
    }
    if v.errors.isEmpty {
        let again = SafetyFileWriter.encode(file)
        require(again == bytes, "round trip: \(bytes.count) bytes read, \(again.count) written, first difference at byte \(firstDifference(again, bytes))")
        // Every key the reader accepted must survive its own text.
        for e in file.entries {
            require((try? BLSPublicKey(text: e.key.text)) == e.key, "key text round trip")
        }
    }
}

/// `precondition` without its message in -O builds would hide what failed.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVerify(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    check(bytes)
    // Version 1 with a correct CRC: magic, version 1, count n, size exactly 28 + 237n.
    if bytes.count >= 28, (bytes.count - 28) % 237 == 0, bytes[0..<16].elementsEqual(v1Header) {
        var fixed = bytes
        let crc = CRC32.checksum(fixed[0..<(fixed.count - 4)])
        for i in 0..<4 { fixed[fixed.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        if fixed != bytes { check(fixed) }
    }
    return 0
}

let v1Header: [UInt8] = [0x11, 0x11, 0xFE, 0x5A, 0x11, 0x11, 0xFE, 0x5A, 1, 0, 0, 0, 0, 0, 0, 0]
