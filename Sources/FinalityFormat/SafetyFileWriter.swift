import BLS12381

/// The exact mirror of `SafetyFileReader`: a decoded file encodes to the same bytes.
public enum SafetyFileWriter {
    public static func encode(_ file: SafetyFile) -> [UInt8] {
        var w = ByteWriter(capacity: file.encodedSize + file.trailingBytes.count)
        switch file.format {
        case .savannaV1, .savannaV0:
            w.u64(SafetyFormat.savannaMagic)
            w.u64(file.format == .savannaV1 ? 1 : 0)
            w.u64(UInt64(file.entries.count))
            for e in file.entries {
                // A version 1 entry read in place and not changed: its bytes as they were.
                if file.format == .savannaV1, case .onDisk(let source, let o) = e.storage, !source.v0 {
                    w.append(source.raw(Int(o)))
                    continue
                }
                guard case .savanna(let s) = e.state else {
                    preconditionFailure("a HotStuff entry in a Savanna file")
                }
                // A padded key length read from disk is written back as it was.
                if let raw = e.keyLengthBytes { w.append(raw) } else { w.u8(0x60) }
                w.key(e.key)
                w.blockRef(s.lastVote)
                w.blockRef(s.lock)
                if file.format == .savannaV1 {
                    w.u32(s.otherBranchLatestTime.slot)
                } else {
                    w.u8((s.votesForkedSinceLatestStrongVote ?? (s.otherBranchLatestTime.slot != 0)) ? 1 : 0)
                }
            }
            if file.format == .savannaV1 {
                w.u32(CRC32.checksum(w.bytes))
            }
        case .hotStuff:
            w.u64(SafetyFormat.hotStuffMagic)
            w.varint(UInt64(file.entries.count))
            for e in file.entries {
                guard case .hotStuff(let h) = e.state else {
                    preconditionFailure("a Savanna entry in a HotStuff file")
                }
                w.append(hotStuffKeyBytes(e))
                w.u32(h.vheight.bheight)
                w.u8(h.vheight.pcounter)
                w.bytes32(h.bLock)
            }
        }
        w.append(file.trailingBytes)
        return w.bytes
    }

    /// The 144 bytes of a HotStuff key: as found on disk when the entry was read,
    /// otherwise the Jacobian form with Z = Montgomery one (as HotStuff wrote keys).
    static func hotStuffKeyBytes(_ e: SafetyEntry) -> [UInt8] {
        if let raw = e.hotStuffKeyBytes, raw.count == 144 { return raw }
        let bytes = e.key.bytes
        guard let j = bytes.withUnsafeBytes({ G1.jacobianMontgomeryLE(fromAffineLE: $0) }) else {
            preconditionFailure("a key with a coordinate not below p cannot be written in HotStuff form")
        }
        return j
    }
}

extension ByteWriter {
    mutating func key(_ k: BLSPublicKey) {
        bytes32(k.a)
        bytes32(k.b)
        bytes32(k.c)
    }

    mutating func blockRef(_ r: BlockRef) {
        bytes32(r.blockID)
        u32(r.timestamp.slot)
        bytes32(r.finalityDigest)
    }
}

extension SafetyFile {
    /// Version 0 to version 1 as nodeos converts on load: the bool becomes
    /// `other_branch_latest_time` (true: the last vote's time; false: 0), and entries
    /// are written sorted by key bytes (as nodeos's next save writes them).
    public func convertedToSavannaV1(sortedByKey: Bool = true) -> SafetyFile {
        precondition(format.isSavanna, "only Savanna files convert to version 1")
        var out = self
        out.format = .savannaV1
        out.entries = entries.map { e in
            guard case .savanna(var s) = e.state else { return e }
            if let forked = s.votesForkedSinceLatestStrongVote {
                s.otherBranchLatestTime = forked ? s.lastVote.timestamp : .zero
            }
            s.votesForkedSinceLatestStrongVote = nil
            // nodeos's save packs every key with the one-byte length 0x60.
            return SafetyEntry(key: e.key, state: .savanna(s))
        }
        if sortedByKey { out.entries.sort { $0.key < $1.key } }
        return out
    }
}
