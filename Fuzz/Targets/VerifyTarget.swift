// libFuzzer target: SafetyFileReader.verify on arbitrary bytes.
//
// Beyond "does not crash", these oracles (spring's loader's rules, format.md):
// - a file nodeos would load (no errors) must encode back to the same bytes
//   (the writer is the reader's exact mirror: trailing bytes, padded key lengths,
//   duplicates and entries the count leaves unread included);
// - the verdict never depends on the subgroup check: with it off, the same errors; and the
//   subgroup warnings computed afterwards are the ones the full check gives;
// - only spring's refusals are errors: a subgroup, padding, unread-entries or infinity
//   finding is never an error;
// - a file whose header reads never gets "unknown format"; a damaged file's entries read
//   up to the damage are kept, with offsets that increase;
// - every finding and the verdict render as text that DisplayText leaves unchanged once
//   sanitized.
// Savanna v1 inputs that read to the end of their entries are also tried with their CRC
// fixed up (wherever the entries end, padding included), so the fuzzer gets past the CRC.
import FinalityFormat

let options = SafetyFileReader.Options(checkKeys: true, now: BlockTimestamp(slot: 1_700_000_000), keyCheckThreads: 1)

let verdictFirst = SafetyFileReader.Options(checkKeys: true, checkSubgroup: false, now: BlockTimestamp(slot: 1_700_000_000), keyCheckThreads: 1)

@discardableResult
func check(_ bytes: [UInt8]) -> Verification {
    let v = SafetyFileReader.verify(bytes, options: options)
    var rendered = v.verdictLine + v.headline + v.loaderLine
    for f in v.errors + v.warnings { rendered += f.description + f.location }
    require(!rendered.isEmpty, "empty verdict")
    let shown = DisplayText.sanitize(rendered, limit: .max)
    require(DisplayText.sanitize(shown, limit: .max) == shown, "sanitizing twice changed the text")

    let fast = SafetyFileReader.verify(bytes, options: verdictFirst)
    require(fast.errors == v.errors, "the verdict depends on the subgroup check")
    let subgroup = v.warnings.filter { $0.check == .keyNotInSubgroup }
    require(SafetyFileReader.subgroupWarnings(fast, threads: 1) == subgroup, "subgroup warnings differ when run afterwards")
    for e in v.errors {
        require(![.keyNotInSubgroup, .paddedKeyLength, .unreadEntries, .keyAtInfinity, .trailingBytes, .duplicateKey].contains(e.check), "\(e.check) is not a refusal")
    }
    if bytes.count >= 8 && (bytes[0..<8].elementsEqual(v1Header[0..<8]) || bytes[0..<8].elementsEqual([0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01])) {
        require(!v.headline.contains("unknown format"), "readable header called unknown format: \(v.headline)")
    }
    if let file = v.file {
        require(v.entryOffsets.count == file.entries.count, "an offset per entry")
        require(zip(v.entryOffsets, v.entryOffsets.dropFirst()).allSatisfy { $0 < $1 }, "entry offsets increase")
    }
    guard let file = v.file else {
        require(!v.errors.isEmpty, "no file and no error")
        return v
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
    return v
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
    let v = check(bytes)
    // Version 1 whose entries all read: put the right CRC where they end (padding counts).
    if bytes.count >= 24, bytes[0..<16].elementsEqual(v1Header), v.entriesComplete, let file = v.file, v.declaredCount != nil {
        let end = file.entries.indices.last.map { v.entryOffsets[$0] + file.entries[$0].encodedSize(in: .savannaV1) } ?? 24
        if end + 4 <= bytes.count {
            var fixed = bytes
            let crc = CRC32.checksum(fixed[0..<end])
            for i in 0..<4 { fixed[end + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
            if fixed != bytes { check(fixed) }
        }
    }
    return 0
}

let v1Header: [UInt8] = [0x11, 0x11, 0xFE, 0x5A, 0x11, 0x11, 0xFE, 0x5A, 1, 0, 0, 0, 0, 0, 0, 0]
