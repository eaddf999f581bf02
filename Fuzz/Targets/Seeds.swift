// Seeds for the verify target, made by the project's own writer from documented inputs
// (real keys from format.md's vectors), so they stay valid when the BLS checks are real.
// `FINALITY_FUZZ_WRITE_SEEDS=DIR fuzz-verify` writes them and exits (libFuzzer calls
// LLVMFuzzerInitialize before anything else), which saves building a second program.
import Foundation
import FinalityFormat

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["FINALITY_FUZZ_WRITE_SEEDS"] else { return 0 }
    var written = 0
    for (name, bytes) in Seeds.all() {
        let url = URL(fileURLWithPath: dir).appendingPathComponent("seed-\(name).dat")
        if (try? Data(bytes).write(to: url)) != nil { written += 1 }
    }
    print("wrote \(written) seed files to \(dir)")
    exit(written > 0 ? 0 : 1)
}

enum Seeds {
    static let keyTexts = [
        "PUB_BLS_QMg8-wBVg6J1NJ1EivX4vwwOcL4GRX9RG5ebcfqNeza4kS_jjIbP4mKZ9upC3soRzyGeljRPKB8d-r_cVTnMg2QcXfXwmgSUAFoC4XGJfh2LS3IgBAyUvfwDmaLN4ioUrSb0aQ",
        "PUB_BLS_kkwuxSldAgJdE4VuDujHqJpvrqZrRHpFY-8oBaeyRg2FcmrSXcA05sxQDxfGr3cC_ubimD-pgXEvRnYOnMJg0yZlmE0WGXm_Fs3d9A9ObOcQsNOGvyYNp7fftOqeYnwOV2auSQ",
        "PUB_BLS_s4BZuXDpNWivBOI5kcxVrc1ePNrJ_QO8fX-7XN7mv7Sc5roSJAxvfVWDJ2hciN0Avxe3zMIlU1K23xnfrhpITWMptNGISk27vzHgvAN0luMOvm00cC4E0pCjzu9n-5IMKurYKg",
        "PUB_BLS_82P3oM1u0IEv64u9i4vSzvg1-QDl4Fb2n50Mp8Sk7Fr1Tz0MJypzL39nSd5VPFgFC9WqrjopRbBm1Pf0RkP018fo1k2rXaJY7Wtzd9RKlE8PoQ6XhDm4PyZlIupQg_gOuiMhcg",
    ]

    static func id(_ number: UInt32, fill: UInt8) -> Bytes32 {
        Bytes32([UInt8(number >> 24), UInt8(number >> 16 & 0xFF), UInt8(number >> 8 & 0xFF), UInt8(number & 0xFF)]
            + [UInt8](repeating: fill, count: 28))
    }

    static func ref(_ number: UInt32, _ slot: UInt32, fill: UInt8) -> BlockRef {
        BlockRef(blockID: id(number, fill: fill), timestamp: BlockTimestamp(slot: slot), finalityDigest: id(0, fill: fill ^ 0x5A))
    }

    static func all() -> [(String, [UInt8])] {
        let keys = keyTexts.map { try! BLSPublicKey(text: $0) }
        let slot: UInt32 = 1_535_760_001
        func savanna(_ k: Int, last: BlockRef, lock: BlockRef, other: UInt32 = 0, forked: Bool? = nil) -> SafetyEntry {
            SafetyEntry(
                key: keys[k],
                state: .savanna(SavannaSafety(lastVote: last, lock: lock, otherBranchLatestTime: BlockTimestamp(slot: other), votesForkedSinceLatestStrongVote: forked)))
        }
        let voted = savanna(0, last: ref(1000, slot, fill: 1), lock: ref(998, slot - 4, fill: 2))
        let neverVoted = savanna(1, last: .empty, lock: ref(998, slot - 4, fill: 2))
        let noLock = savanna(2, last: ref(1000, slot, fill: 1), lock: .empty)
        let weak = savanna(3, last: ref(1002, slot + 4, fill: 3), lock: ref(1000, slot, fill: 1), other: slot + 2)
        let behind = savanna(3, last: ref(900, slot - 400, fill: 4), lock: ref(1000, slot, fill: 1))
        let future = savanna(0, last: ref(1000, UInt32.max, fill: 1), lock: ref(998, UInt32.max - 4, fill: 2), other: UInt32.max)
        var out = [(String, [UInt8])]()
        func add(_ name: String, _ format: SafetyFormat, _ entries: [SafetyEntry], trailing: [UInt8] = []) {
            out.append((name, SafetyFileWriter.encode(SafetyFile(format: format, entries: entries, trailingBytes: trailing))))
        }
        add("v1-empty", .savannaV1, [])
        add("v1-one", .savannaV1, [voted])
        add("v1-four", .savannaV1, [voted, neverVoted, noLock, weak])
        add("v1-duplicate", .savannaV1, [voted, voted])
        add("v1-warnings", .savannaV1, [behind, future])
        add("v1-trailing", .savannaV1, [voted], trailing: [0, 1, 2, 3, 4])
        // spring loads these (format.md "Key length", "How nodeos reads and writes it").
        var padded = voted
        padded.keyLengthBytes = [0xE0, 0x80, 0x80, 0x80, 0x10]
        var padded2 = neverVoted
        padded2.keyLengthBytes = [0xE0, 0x00]
        add("v1-padded-lengths", .savannaV1, [padded, padded2, voted])
        let torsion = SafetyEntry(key: BLSPublicKey(bytes: [0] + [UInt8](repeating: 0, count: 47) + [2] + [UInt8](repeating: 0, count: 47)), state: voted.state)
        add("v1-torsion", .savannaV1, [torsion, weak])
        var countZero = SafetyFileWriter.encode(SafetyFile(format: .savannaV0, entries: [voted, weak]))
        countZero.replaceSubrange(16..<24, with: [UInt8](repeating: 0, count: 8))
        out.append(("v0-count-zero-with-entries", countZero))
        add("v0-empty", .savannaV0, [])
        add("v0-two", .savannaV0, [
            savanna(0, last: ref(1000, slot, fill: 1), lock: ref(998, slot - 4, fill: 2), forked: false),
            savanna(1, last: ref(1000, slot, fill: 1), lock: ref(998, slot - 4, fill: 2), other: slot, forked: true),
        ])
        // HotStuff: the raw 144-byte key as found on disk (here: x, y and Z = 1 in plain
        // form, which is not what HotStuff wrote, but exercises the layout).
        var w = ByteWriter()
        w.u64(SafetyFormat.hotStuffMagic)
        w.varint(2)
        for k in 0..<2 {
            w.append(keys[k].bytes)
            w.append([1] + [UInt8](repeating: 0, count: 47))
            w.u32(1000 + UInt32(k))
            w.u8(2)
            w.bytes32(id(998, fill: 7))
        }
        out.append(("hotstuff-two", w.bytes))
        out.append(("hotstuff-empty", [0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, 0]))
        // Development era: the other magic, and an unversioned file whose "version" is a count.
        var dev = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [voted]))
        dev[0] = 0x12
        out.append(("dev-magic", dev))
        var unversioned = ByteWriter()
        unversioned.u64(SafetyFormat.savannaMagic)
        unversioned.u64(1)
        let entry = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [voted]))
        unversioned.append(entry[24..<(24 + 237)])
        out.append(("dev-unversioned", unversioned.bytes))
        return out
    }
}
