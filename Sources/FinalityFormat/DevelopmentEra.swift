/// Files written by unreleased builds between the releases: same magic (or nearly),
/// layouts no release reads. They are recognized and described, never guessed at.
enum DevelopmentEra {
    /// A magic one character off the Savanna one was used by a development build.
    static func describeMagic(_ magic: UInt64) -> String? {
        if magic == 0x5AFE_1111_5AFE_1112 {
            return "magic 0x5AFE11115AFE1112 was written by an unreleased Spring development build; no release reads it"
        }
        return nil
    }

    /// What a file with an unknown magic might be, to help the operator.
    static func guessForeign(_ bytes: [UInt8]) -> String? {
        if bytes.count >= 8 {
            let be = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if be == SafetyFormat.savannaMagic || be == SafetyFormat.hotStuffMagic {
                return "the magic is byte-swapped: not written by nodeos on a little-endian machine"
            }
        }
        if bytes.count >= 4 && bytes[0] <= 3 && bytes[1] == 0 && bytes[2] == 0 && (bytes[3] == 0 || bytes[3] == 0x80) {
            return "this looks like a blocks.log, not a safety file"
        }
        return "not a finalizer safety file"
    }

    /// Savanna magic, but a layout of the development era. nil when it looks released.
    static func inspectSavanna(_ bytes: [UInt8], version: UInt64) -> Finding? {
        let size = bytes.count
        if version > 1 {
            // Unversioned files: magic, then a u64 entry count where version now sits,
            // entries from offset 16, each starting with the key length varint 0x60.
            if size > 16 && bytes[16] == 0x60 {
                for (entrySize, crc) in [(237, 4), (234, 0), (234, 4), (237, 0)]
                where size >= 16 + crc
                    && UInt64(size - 16 - crc) == version.multipliedReportingOverflow(by: UInt64(entrySize)).partialValue
                    && version < UInt64(size) {
                    return Finding(
                        .error, .developmentEra, offset: 8, field: "version", expected: "0 or 1", found: "\(version)",
                        note: "this looks like an unversioned development-era file: the u64 at offset 8 is an entry count, and \(grouped(version)) entries of \(entrySize) bytes\(crc > 0 ? " and a CRC" : "") fill the file from offset 16; no release reads it")
                }
                return Finding(
                    .error, .developmentEra, offset: 8, field: "version", expected: "0 or 1", found: "\(version)",
                    note: "a key length byte (0x60) at offset 16 suggests an unversioned development-era file; no release reads it")
            }
            return nil
        }
        if version == 1, size >= 28 {
            let count = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) }
            let (m237, o1) = count.multipliedReportingOverflow(by: 237)
            let (m234, o2) = count.multipliedReportingOverflow(by: 234)
            if !o1 && !o2 && count > 0 && UInt64(size) == m234 + 28 && UInt64(size) != m237 + 28
                && (0..<Int(count)).allSatisfy({ bytes[24 + 234 * $0] == 0x60 })
            {
                return Finding(
                    .error, .developmentEra, offset: 16, field: "count", expected: "\(grouped(count)) entries of 237 bytes and a CRC",
                    found: "\(grouped(count)) entries of 234 bytes and a CRC",
                    note: "a version 1 header over bool entries with a CRC: a development-era layout; no release reads it")
            }
        }
        return nil
    }
}
