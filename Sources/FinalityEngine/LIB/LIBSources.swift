import FinalityFormat

/// One entry point per LIB source. Each returns a reading with its provenance; none
/// merges anything: comparing readings is `LIBComparison`'s job.
public enum LIBSources {
    /// LIB = the last block of `<dir>/blocks.log` (a data dir holding `blocks/` works too).
    public static func fromBlocksDir(_ dir: String) throws(EngineError) -> LIBReading {
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

    /// LIB typed by hand: an id with a time or a slot.
    public static func typed(id: String?, time: String?, slot: UInt32?) throws(EngineError) -> LIBReading {
        guard let id else { throw .usage("--lib-time and --lib-slot need --lib-id") }
        guard let blockID = Bytes32(hex: id) else { throw .usage("--lib-id must be 64 hex digits, found \(id.count) characters") }
        let timestamp: BlockTimestamp
        switch (time, slot) {
        case (let t?, nil):
            guard let ts = BlockTimestamp(iso8601: t) else { throw .usage("--lib-time: not a block time: \(t)") }
            timestamp = ts
        case (nil, let s?): timestamp = BlockTimestamp(slot: s)
        case (nil, nil): throw .usage("--lib-id needs --lib-time or --lib-slot")
        case (_?, _?): throw .usage("give --lib-time or --lib-slot, not both")
        }
        return LIBReading(lib: LIB(blockID: blockID, timestamp: timestamp), source: .typed)
    }
}
