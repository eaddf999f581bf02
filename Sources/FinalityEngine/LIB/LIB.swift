import FinalityFormat

/// The last irreversible block: what a reset moves a lock to.
public struct LIB: Hashable, Sendable, CustomStringConvertible {
    public var blockID: Bytes32
    public var timestamp: BlockTimestamp

    public init(blockID: Bytes32, timestamp: BlockTimestamp) {
        self.blockID = blockID
        self.timestamp = timestamp
    }

    /// The block number: the id's first 4 bytes, big-endian.
    public var number: UInt32 { blockID.blockNumber }

    public var description: String { "block \(grouped(number)) (\(blockID.hex)) at \(timestamp.iso8601)" }
}

/// Where a LIB value came from.
public enum LIBSource: Hashable, Sendable, CustomStringConvertible {
    /// `<data-dir>/blocks/blocks.log`: its last block.
    case blocksLog(path: String)
    /// A node's `POST /v1/chain/get_info`.
    case api(url: String)
    /// Typed by the operator (`--lib-id` with `--lib-time` or `--lib-slot`).
    case typed

    public var description: String {
        switch self {
        case .blocksLog(let path): "blocks.log \(path)"
        case .api(let url): "node API \(url)"
        case .typed: "typed by the operator"
        }
    }

    /// Stable machine name, used in `--json` and audit records.
    public var kind: String {
        switch self {
        case .blocksLog: "blocks-log"
        case .api: "api"
        case .typed: "typed"
        }
    }
}

/// One source's answer: the LIB, where it came from, and what else it said.
public struct LIBReading: Hashable, Sendable {
    public var lib: LIB
    public var source: LIBSource
    /// The chain this LIB belongs to, when the source says (API, blocks.log v3 preamble).
    public var chainID: Bytes32?
    /// Free-form provenance lines for the operator ("last entry at offset 0x…", "HTTP 200 in 12 ms").
    public var details: [String]
    /// Things the operator should weigh before trusting this value (an index that disagrees
    /// with the log, a previous entry that does not link); the value was still read.
    public var warnings: [String]

    public init(
        lib: LIB, source: LIBSource, chainID: Bytes32? = nil, details: [String] = [], warnings: [String] = []
    ) {
        self.lib = lib
        self.source = source
        self.chainID = chainID
        self.details = details
        self.warnings = warnings
    }
}

extension LIBRequest {
    /// The sources asked when the operator named none, the same for the interface, `report`,
    /// `list` and `show`: the data dir's blocks.log, and the node API when one is given.
    /// (No node API is asked unasked: a report does not poke a network on its own.)
    public static func defaults(for location: Location, api: String? = nil, timeoutSeconds: Double = 2) -> [LIBRequest] {
        var out = [LIBRequest]()
        if let blocks = location.blocksDir { out.append(.blocksDir(blocks)) }
        if let api, !api.isEmpty { out.append(.api(api, timeoutSeconds: timeoutSeconds)) }
        return out
    }
}

extension CaseReport {
    /// A LIB source that gave no reading, as the report lists it (the same line from the
    /// interface's `w` and from `finality report`).
    public static func libErrorLine(_ request: LIBRequest, _ error: EngineError) -> String {
        "\(request.option): \(error.description)"
    }
}
