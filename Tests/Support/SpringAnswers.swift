import FinalityEngine
import FinalityFormat
import FinalitySamples

/// Recorded answers shaped like Spring 1.x's, with ids from a made-up chain.
public enum SpringAnswers {
    public static let chainID = "73e4385a2708e6d7048834fbc1079f2fabb17b3c125b146af438971e90716c4d"
    public static let blocks = SignedBlock.chain(BlockChainSpec(firstBlockNumber: 371_440, count: 14))
    public static var lib: SignedBlock { blocks[11] }  // block 371,451
    public static var head: SignedBlock { blocks[13] }  // block 371,453

    public static func getInfo(
        libNumber: String? = nil, libID: String? = nil, libTime: String? = nil, chainID: String = chainID,
        dropTime: Bool = false
    ) -> String {
        let time = libTime ?? String(lib.header.timestamp.iso8601.dropLast())  // nodeos prints no zone
        return """
            {"server_version":"d133c641","chain_id":"\(chainID)","head_block_num":\(head.blockNumber),\
            "last_irreversible_block_num":\(libNumber ?? String(lib.blockNumber)),\
            "last_irreversible_block_id":"\(libID ?? lib.id.hex)","head_block_id":"\(head.id.hex)",\
            "head_block_time":"\(head.header.timestamp.iso8601.dropLast())","head_block_producer":"\(head.header.producer)",\
            "virtual_block_cpu_limit":200000000,"virtual_block_net_limit":1048576000,"block_cpu_limit":200000,\
            "block_net_limit":1048576,"server_version_string":"v1.0.3","fork_db_head_block_num":\(head.blockNumber),\
            "fork_db_head_block_id":"\(head.id.hex)","server_full_version_string":"v1.0.3-d133c6413ce8ce2e96096a0513ec25b4a8dbe837",\
            "total_cpu_weight":"140010000000","total_net_weight":"140010000000","earliest_available_block_num":1\
            \(dropTime ? "" : ",\"last_irreversible_block_time\":\"\(time)\"")}
            """
    }

    public static let keys: [BLSPublicKey] = (1...3).map { i in BLSPublicKey(bytes: (0..<96).map { UInt8(truncatingIfNeeded: $0 * 7 + i) }) }
    /// A real key text (upstream sample file): kept and found by its text whatever the parser says.
    public static let upstreamKeyText =
        "PUB_BLS_QMg8-wBVg6J1NJ1EivX4vwwOcL4GRX9RG5ebcfqNeza4kS_jjIbP4mKZ9upC3soRzyGeljRPKB8d-r_cVTnMg2QcXfXwmgSUAFoC4XGJfh2LS3IgBAyUvfwDmaLN4ioUrSb0aQ"

    public static func vote(_ text: String, _ block: SignedBlock, strong: Bool, number: UInt32? = nil) -> String {
        """
        {"description":"finalizer","public_key":"\(text)","is_vote_strong":\(strong),"finalizer_policy_generation":1,\
        "voted_for_block_id":"\(block.id.hex)","voted_for_block_num":\(number ?? block.blockNumber),\
        "voted_for_block_timestamp":"\(block.header.timestamp.iso8601.dropLast())"}
        """
    }

    public static var finalizerInfo: String {
        let finalizers = (keys.map(\.text) + [upstreamKeyText]).enumerated().map { i, t in
            #"{"description":"bp\#(i)","weight":1,"public_key":"\#(t)"}"#
        }.joined(separator: ",")
        let votes = [
            vote(keys[0].text, blocks[13], strong: true),
            vote(keys[1].text, blocks[12], strong: false),
            vote(keys[2].text, blocks[10], strong: true, number: 999),
            vote(upstreamKeyText, blocks[13], strong: true),
        ].joined(separator: ",")
        return """
            {"active_finalizer_policy":{"generation":1,"threshold":3,"finalizers":[\(finalizers)]},\
            "pending_finalizer_policy":null,"last_tracked_votes":[\(votes)]}
            """
    }
}
