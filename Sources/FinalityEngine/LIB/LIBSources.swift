import FinalityFormat

/// One entry point per LIB source. Each returns a reading with its provenance; none
/// merges anything: comparing readings is `LIBComparison`'s job.
public enum LIBSources {
    /// LIB = the last block of `<dir>/blocks.log` (a data dir holding `blocks/` works too).
    public static func fromBlocksDir(_ dir: String) throws(EngineError) -> LIBReading {
        // A name that is not UTF-8 cannot be opened by the text Swift decoded it to: said
        // as every command says it (its bytes shown), not as a missing directory.
        if SafetyFileInput.rawArgument(decodingTo: dir) != nil { throw SafetyFileInput.whyUnreadable(dir) }
        do { return try BlocksDirectory.read(dir).reading } catch { throw error.engineError }
    }

    /// LIB from a node's `POST /v1/chain/get_info`.
    public static func fromAPI(_ url: String, timeoutSeconds: Double) throws(EngineError) -> LIBReading {
        try NodeAPI.lib(url, timeoutSeconds: timeoutSeconds).1
    }

    /// The network's last tracked vote of each key, from a Spring node's
    /// `POST /v1/chain/get_finalizer_info`.
    public static func finalizerInfo(_ url: String, timeoutSeconds: Double) throws(EngineError) -> FinalizerInfo {
        try NodeAPI.finalizerInfo(url, timeoutSeconds: timeoutSeconds)
    }

    /// LIB typed by hand: an id with a time or a slot (exactly one of them). The time is
    /// UTC (`YYYY-MM-DDTHH:MM:SS[.mmm]`, optional `Z`) and must fall on a slot boundary.
    public static func typed(id: String?, time: String?, slot: UInt32?) throws(EngineError) -> LIBReading {
        guard let id else { throw .usage("--lib-time and --lib-slot need --lib-id (the LIB block id, 64 hex digits)") }
        let blockID = try parseTypedID(id)
        let timestamp: BlockTimestamp
        var details = ["block id typed: \(blockID.hex) (block \(blockID.blockNumber), its first 4 bytes)"]
        switch (time, slot) {
        case (let t?, nil):
            guard let ts = BlockTimestamp(iso8601: t) else {
                if BlockTimestamp(iso8601: t, roundDown: true) != nil {
                    throw .usage(
                        "--lib-time \(t) is not on a block slot boundary: block times are multiples of 500 ms (e.g. .000 or .500)")
                }
                throw .usage("--lib-time: not a UTC time YYYY-MM-DDTHH:MM:SS.mmm: \(t)")
            }
            timestamp = ts
            details.append("time typed: \(t) = slot \(ts.slot)")
        case (nil, let s?):
            timestamp = BlockTimestamp(slot: s)
            details.append("slot typed: \(s) = \(timestamp.iso8601)")
        case (nil, nil): throw .usage("--lib-id needs --lib-time or --lib-slot (the LIB block's time)")
        case (_?, _?): throw .usage("give --lib-time or --lib-slot, not both")
        }
        return LIBReading(lib: LIB(blockID: blockID, timestamp: timestamp), source: .typed, details: details)
    }

    static func parseTypedID(_ text: String) throws(EngineError) -> Bytes32 {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        if let bad = digits.firstIndex(where: { !$0.isHexDigit }) {
            let position = digits.distance(from: digits.startIndex, to: bad) + 1
            throw .usage("--lib-id: not hexadecimal: character \(position) is \"\(digits[bad])\" (expected 64 hex digits)")
        }
        guard digits.count == 64, let id = Bytes32(hex: String(digits)) else {
            throw .usage("--lib-id must be 64 hex digits (a 32-byte block id), found \(digits.count)")
        }
        guard id.blockNumber > 0 else {
            throw .usage("--lib-id \(id.hex) says block 0 (its first 4 bytes): not a block id")
        }
        return id
    }
}
