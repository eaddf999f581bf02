import FinalityFormat

/// `chain_config_v0` as packed in a genesis state: 68 bytes.
public struct ChainConfig: Hashable, Sendable {
    public var maxBlockNetUsage: UInt64 = 1_048_576
    public var targetBlockNetUsagePct: UInt32 = 1000
    public var maxTransactionNetUsage: UInt32 = 524_288
    public var basePerTransactionNetUsage: UInt32 = 12
    public var netUsageLeeway: UInt32 = 500
    public var contextFreeDiscountNetUsageNum: UInt32 = 20
    public var contextFreeDiscountNetUsageDen: UInt32 = 100
    public var maxBlockCPUUsage: UInt32 = 200_000
    public var targetBlockCPUUsagePct: UInt32 = 1000
    public var maxTransactionCPUUsage: UInt32 = 150_000
    public var minTransactionCPUUsage: UInt32 = 100
    public var maxTransactionLifetime: UInt32 = 3600
    public var deferredTrxExpirationWindow: UInt32 = 600
    public var maxTransactionDelay: UInt32 = 3_888_000
    public var maxInlineActionSize: UInt32 = 524_288
    public var maxInlineActionDepth: UInt16 = 4
    public var maxAuthorityDepth: UInt16 = 6

    /// nodeos's defaults (`config.hpp`).
    public init() {}

    public static let byteCount = 68

    func encode(_ w: inout ByteWriter) {
        w.u64(maxBlockNetUsage)
        for v in [
            targetBlockNetUsagePct, maxTransactionNetUsage, basePerTransactionNetUsage, netUsageLeeway,
            contextFreeDiscountNetUsageNum, contextFreeDiscountNetUsageDen, maxBlockCPUUsage, targetBlockCPUUsagePct,
            maxTransactionCPUUsage, minTransactionCPUUsage, maxTransactionLifetime, deferredTrxExpirationWindow,
            maxTransactionDelay, maxInlineActionSize,
        ] { w.u32(v) }
        w.u16(maxInlineActionDepth)
        w.u16(maxAuthorityDepth)
    }

    static func decode(_ r: inout FieldReader) throws(DecodeFailure) -> ChainConfig {
        var c = ChainConfig()
        let f = "genesis_state.initial_configuration"
        c.maxBlockNetUsage = try r.u64(f + ".max_block_net_usage")
        c.targetBlockNetUsagePct = try r.u32(f + ".target_block_net_usage_pct")
        c.maxTransactionNetUsage = try r.u32(f + ".max_transaction_net_usage")
        c.basePerTransactionNetUsage = try r.u32(f + ".base_per_transaction_net_usage")
        c.netUsageLeeway = try r.u32(f + ".net_usage_leeway")
        c.contextFreeDiscountNetUsageNum = try r.u32(f + ".context_free_discount_net_usage_num")
        c.contextFreeDiscountNetUsageDen = try r.u32(f + ".context_free_discount_net_usage_den")
        c.maxBlockCPUUsage = try r.u32(f + ".max_block_cpu_usage")
        c.targetBlockCPUUsagePct = try r.u32(f + ".target_block_cpu_usage_pct")
        c.maxTransactionCPUUsage = try r.u32(f + ".max_transaction_cpu_usage")
        c.minTransactionCPUUsage = try r.u32(f + ".min_transaction_cpu_usage")
        c.maxTransactionLifetime = try r.u32(f + ".max_transaction_lifetime")
        c.deferredTrxExpirationWindow = try r.u32(f + ".deferred_trx_expiration_window")
        c.maxTransactionDelay = try r.u32(f + ".max_transaction_delay")
        c.maxInlineActionSize = try r.u32(f + ".max_inline_action_size")
        c.maxInlineActionDepth = try r.u16(f + ".max_inline_action_depth")
        c.maxAuthorityDepth = try r.u16(f + ".max_authority_depth")
        return c
    }
}

/// `genesis_state`, packed as `initial_timestamp ‖ initial_key ‖ initial_configuration`.
public struct GenesisState: Hashable, Sendable {
    /// Microseconds since the Unix epoch (`fc::time_point`).
    public var initialTimestampMicroseconds: Int64
    public var initialKey: ChainPublicKey
    public var initialConfiguration: ChainConfig

    public init(initialTimestampMicroseconds: Int64, initialKey: ChainPublicKey, initialConfiguration: ChainConfig = ChainConfig()) {
        self.initialTimestampMicroseconds = initialTimestampMicroseconds
        self.initialKey = initialKey
        self.initialConfiguration = initialConfiguration
    }

    /// A genesis like a test network's: 2018-06-01T12:00:00Z and a fixed K1 key.
    public static let example = GenesisState(
        initialTimestampMicroseconds: 1_527_854_400_000_000,
        initialKey: .k1([0x02] + Array(SHA256.hash(data: Array("finality example genesis key".utf8)))))

    public var packed: [UInt8] {
        var w = ByteWriter(capacity: 120)
        encode(&w)
        return w.bytes
    }

    /// `genesis_state::compute_chain_id`: sha256 of the packed genesis state.
    public var chainID: Bytes32 { Bytes32(Array(SHA256.hash(data: packed))) }

    /// The initial time as a block timestamp (rounded down to its slot).
    public var initialTime: BlockTimestamp? { BlockTimestamp(unixMilliseconds: initialTimestampMicroseconds / 1000) }

    func encode(_ w: inout ByteWriter) {
        w.u64(UInt64(bitPattern: initialTimestampMicroseconds))
        initialKey.encode(&w)
        initialConfiguration.encode(&w)
    }

    static func decode(_ r: inout FieldReader) throws(DecodeFailure) -> GenesisState {
        let ts = Int64(bitPattern: try r.u64("genesis_state.initial_timestamp"))
        let key = try ChainPublicKey.decode(&r, "genesis_state.initial_key")
        let config = try ChainConfig.decode(&r)
        return GenesisState(initialTimestampMicroseconds: ts, initialKey: key, initialConfiguration: config)
    }
}
