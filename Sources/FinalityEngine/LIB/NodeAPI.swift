import FinalityFormat
import FoundationEssentials

/// What a node's API answered that the checks did not accept: the endpoint, the field
/// and why. Bad answers are bad input (exit 2); failing to get one is I/O (exit 3).
public struct NodeAPIError: Error, Hashable, Sendable, CustomStringConvertible {
    public var url: String
    public var field: String?
    public var message: String

    public var description: String {
        "\(url): " + (field.map { "\($0): " } ?? "") + message
    }
}

/// `POST /v1/chain/get_info`, as far as LIB goes.
public struct NodeInfo: Hashable, Sendable {
    public var chainID: Bytes32
    public var lib: LIB
    public var headBlockNumber: UInt32?
    public var headBlockID: Bytes32?
    public var serverVersion: String?
    /// The raw `last_irreversible_block_time` text, as the node sent it.
    public var libTimeText: String
    public var headBlockTime: BlockTimestamp?
}

/// A finalizer policy as `get_finalizer_info` shows it.
public struct FinalizerPolicyInfo: Hashable, Sendable {
    public struct Finalizer: Hashable, Sendable {
        public var description: String?
        public var weight: UInt64?
        /// The key as the node wrote it, and parsed when it parses.
        public var publicKeyText: String
        public var publicKey: BLSPublicKey?
    }

    public var generation: UInt32?
    public var threshold: UInt64?
    public var finalizers: [Finalizer]
}

/// The network's view of one key's last vote (`last_tracked_votes` of `get_finalizer_info`):
/// what the interface shows beside the file's entry for that key.
public struct TrackedVote: Hashable, Sendable {
    /// The key as the node wrote it (always kept: key text parsing may reject it).
    public var publicKeyText: String
    public var publicKey: BLSPublicKey?
    public var description: String?
    public var blockNumber: UInt32
    public var blockID: Bytes32
    public var timestamp: BlockTimestamp
    public var isStrong: Bool
    public var policyGeneration: UInt32?
    /// Checks this vote failed (id's number ≠ voted_for_block_num, key text not valid):
    /// the vote is kept and shown with them, never silently dropped.
    public var problems: [String]
}

/// `POST /v1/chain/get_finalizer_info`: the policies and each key's last tracked vote.
public struct FinalizerInfo: Hashable, Sendable {
    public var source: LIBSource
    public var activePolicy: FinalizerPolicyInfo?
    public var pendingPolicy: FinalizerPolicyInfo?
    public var votes: [TrackedVote]
    public var elapsedMilliseconds: Int

    /// Every tracked vote this answer gives for the key, in the answer's order (keys compare
    /// by bytes, never by text; a vote whose key text does not parse matches by text). A
    /// node lists each key once: spring keeps one last vote per key (plugins/chain_plugin/
    /// tracked_votes.cpp line 21, `std::map<bls_public_key, vote_info> last_votes`, and
    /// `get_last_vote_info` is one `find` in it), so more than one is a problem of that
    /// node's answer (`duplicates`), and every one of them is still evidence.
    public func votes(for key: BLSPublicKey) -> [TrackedVote] {
        votes.filter { $0.publicKey == key || ($0.publicKey == nil && $0.publicKeyText == key.text) }
    }

    /// The vote for this key: the newest when the answer lists the key more than once
    /// (by time, then block number), never just the first.
    public func vote(for key: BLSPublicKey) -> TrackedVote? {
        Self.newest(votes(for: key))
    }

    /// The vote whose key text is exactly this (for keys that do not parse); the newest
    /// when there are several.
    public func vote(forText text: String) -> TrackedVote? {
        if let k = try? BLSPublicKey(text: text) { return vote(for: k) }
        return Self.newest(votes.filter { $0.publicKeyText == text })
    }

    static func newest(_ votes: [TrackedVote]) -> TrackedVote? {
        votes.max { ($0.timestamp, $0.blockNumber) < ($1.timestamp, $1.blockNumber) }
    }

    /// Keys this answer lists more than once, in the order first listed, each with every
    /// vote given for it.
    public var duplicates: [(key: String, votes: [TrackedVote])] {
        var order = [String]()
        var byKey = [String: [TrackedVote]]()
        for v in votes {
            let id = v.publicKey?.text ?? v.publicKeyText
            if byKey[id] == nil { order.append(id) }
            byKey[id, default: []].append(v)
        }
        return order.compactMap { k in byKey[k]!.count > 1 ? (k, byKey[k]!) : nil }
    }
}

public enum NodeAPI {
    public static let getInfoPath = "/v1/chain/get_info"
    public static let getFinalizerInfoPath = "/v1/chain/get_finalizer_info"
    public static let getBlockInfoPath = "/v1/chain/get_block_info"

    /// `get_info` as it is, for a caller that wants head and LIB without the LIB report.
    public static func info(_ url: String, timeoutSeconds: Double) throws(EngineError) -> NodeInfo {
        let (response, _) = try post(url, getInfoPath, timeoutSeconds: timeoutSeconds)
        do { return try parseInfo(response.body, url: url + getInfoPath) } catch { throw .usage(SafeText(error.description)) }
    }

    /// LIB from `get_info`, with its provenance.
    public static func lib(_ url: String, timeoutSeconds: Double) throws(EngineError) -> (NodeInfo, LIBReading) {
        let (response, endpoint) = try post(url, getInfoPath, timeoutSeconds: timeoutSeconds)
        let info: NodeInfo
        do { info = try parseInfo(response.body, url: url + getInfoPath) } catch { throw .usage(SafeText(error.description)) }
        var details = ["POST \(endpoint.basePath)\(getInfoPath): HTTP \(response.status) in \(response.elapsedMilliseconds) ms"]
        details.append("last_irreversible_block_num \(info.lib.number), last_irreversible_block_time \(info.libTimeText)")
        if let head = info.headBlockNumber {
            details.append("head block \(grouped(head)) (\(head >= info.lib.number ? "\(grouped(head - info.lib.number)) blocks past LIB" : "behind LIB?"))")
        }
        if let v = info.serverVersion { details.append("server version \(v)") }
        var warnings = [String]()
        if let head = info.headBlockNumber, head < info.lib.number {
            warnings.append("head block \(grouped(head)) is below LIB \(grouped(info.lib.number))")
        }
        return (info, LIBReading(lib: info.lib, source: .api(url: url), chainID: info.chainID, details: details, warnings: warnings))
    }

    /// The block at a height on the node's current branch (`get_block_info`): its id and
    /// time. Reversible heights may change branch; the caller decides what to keep.
    public static func block(_ url: String, number: UInt32, timeoutSeconds: Double) throws(EngineError) -> BlockRef {
        let (response, _) = try post(url, getBlockInfoPath, body: "{\"block_num\":\(number)}", timeoutSeconds: timeoutSeconds)
        do { return try parseBlockInfo(response.body, number: number, url: url + getBlockInfoPath) } catch {
            throw .usage(SafeText(error.description))
        }
    }

    /// Each key's last tracked vote and the finalizer policies.
    public static func finalizerInfo(_ url: String, timeoutSeconds: Double) throws(EngineError) -> FinalizerInfo {
        let (response, _) = try post(url, getFinalizerInfoPath, timeoutSeconds: timeoutSeconds)
        do {
            var info = try parseFinalizerInfo(response.body, url: url + getFinalizerInfoPath)
            info.source = .api(url: url)
            info.elapsedMilliseconds = response.elapsedMilliseconds
            return info
        } catch { throw .usage(SafeText(error.description)) }
    }

    static func post(_ url: String, _ path: String, body: String = "{}", timeoutSeconds: Double) throws(EngineError)
        -> (HTTPClient.Response, HTTPClient.Endpoint)
    {
        let endpoint: HTTPClient.Endpoint
        do { endpoint = try .parse(url) } catch { throw .usage(SafeText(error.description)) }
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else { throw .usage("--api-timeout must be a positive number of seconds") }
        let response: HTTPClient.Response
        do {
            response = try HTTPClient.post(endpoint, path: path, body: Array(body.utf8), timeoutSeconds: timeoutSeconds)
        } catch {
            throw .io(path: url + path, operation: "POST", reason: error.description)
        }
        guard response.status == 200 else {
            throw .io(
                path: url + path, operation: "POST",
                reason: "HTTP \(response.status) \(response.reason)" + (nodeErrorText(response.body).map { ": \($0)" } ?? ""))
        }
        return (response, endpoint)
    }


    /// Spring's error body: `{"code":500,"message":"…","error":{"what":"…"}}`; anything
    /// else is shown as its first 200 bytes.
    static func nodeErrorText(_ body: [UInt8]) -> String? {
        struct ErrorAnswer: Decodable {
            struct Inner: Decodable { var what: String? }
            var message: String?
            var error: Inner?
        }
        guard let answer = try? JSONDecoder().decode(ErrorAnswer.self, from: Data(body)) else {
            let text = String(decoding: body.prefix(200), as: UTF8.self).trimmed(.whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
        let text = [answer.message, answer.error?.what].compactMap { $0 }.joined(separator: ": ")
        return text.isEmpty ? nil : text
    }

    // MARK: - Parsing

    /// Decodes a node's answer into `T` with the standard decoder; every failure becomes a
    /// `NodeAPIError` naming the field (`last_tracked_votes[2].voted_for_block_num`).
    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], url: String) throws(NodeAPIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let problem as NodeAnswerProblem {
            throw NodeAPIError(url: url, field: NodeAnswerProblem.path(problem.codingPath), message: problem.message)
        } catch let error as DecodingError {
            throw describe(error, body: body, url: url)
        } catch {
            throw NodeAPIError(url: url, field: nil, message: "\(error)")
        }
    }

    static func describe(_ error: DecodingError, body: [UInt8], url: String) -> NodeAPIError {
        func expected(_ type: Any.Type) -> String {
            switch type {
            case is String.Type: "expected a string"
            case is Bool.Type: "expected true or false"
            case is [Any].Type: "expected a list"
            default: String(describing: type).hasPrefix("Array") ? "expected a list" : "expected an object"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return NodeAPIError(url: url, field: NodeAnswerProblem.path(context.codingPath + [key]), message: "missing")
        case .valueNotFound(let type, let context):
            return NodeAPIError(
                url: url, field: NodeAnswerProblem.path(context.codingPath), message: "\(expected(type)), found null")
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                return NodeAPIError(url: url, field: nil, message: "the answer is JSON but not an object")
            }
            return NodeAPIError(url: url, field: NodeAnswerProblem.path(context.codingPath), message: expected(type))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let snippet = String(decoding: body.prefix(60), as: UTF8.self)
                return NodeAPIError(url: url, field: nil, message: "the answer is not JSON (\(body.count) bytes: \"\(snippet)\")")
            }
            return NodeAPIError(url: url, field: NodeAnswerProblem.path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return NodeAPIError(url: url, field: nil, message: "\(error)")
        }
    }

    /// Parses and checks a `get_info` answer: the LIB id's first 4 bytes must equal
    /// `last_irreversible_block_num`; the time must parse and sit on a slot.
    public static func parseInfo(_ body: [UInt8], url: String) throws(NodeAPIError) -> NodeInfo {
        let a = try decode(GetInfoAnswer.self, body, url: url)
        let number = a.lastIrreversibleBlockNum.value
        let id = a.lastIrreversibleBlockID.value
        guard id.blockNumber == number else {
            throw NodeAPIError(
                url: url, field: "last_irreversible_block_id",
                message: "its first 4 bytes say block \(grouped(id.blockNumber)), but last_irreversible_block_num is \(number): the node's answer is inconsistent")
        }
        guard let time = a.lastIrreversibleBlockTime else {
            throw NodeAPIError(
                url: url, field: "last_irreversible_block_time",
                message: "missing (nodes older than Leap 3.1 do not report it): give the LIB by hand with --lib-id and --lib-time")
        }
        if let headID = a.headBlockID?.value, let head = a.headBlockNum?.value, headID.blockNumber != head {
            throw NodeAPIError(
                url: url, field: "head_block_id",
                message: "its first 4 bytes say block \(grouped(headID.blockNumber)), but head_block_num is \(head): the node's answer is inconsistent")
        }
        return NodeInfo(
            chainID: a.chainID.value, lib: LIB(blockID: id, timestamp: time.value), headBlockNumber: a.headBlockNum?.value,
            headBlockID: a.headBlockID?.value, serverVersion: a.serverVersionString, libTimeText: time.text,
            headBlockTime: a.headBlockTime?.value)
    }

    /// Parses a `get_block_info` answer for the block at `number`: its id must say that
    /// number (first 4 bytes), and `block_num` too.
    public static func parseBlockInfo(_ body: [UInt8], number: UInt32, url: String) throws(NodeAPIError) -> BlockRef {
        let a = try decode(BlockInfoAnswer.self, body, url: url)
        guard a.id.value.blockNumber == number, a.blockNum.value == number else {
            throw NodeAPIError(
                url: url, field: "id",
                message: "asked for block \(number), the answer is block \(a.blockNum.value) with an id that says \(a.id.value.blockNumber)")
        }
        return BlockRef(blockID: a.id.value, timestamp: a.timestamp.value)
    }

    /// Parses a `get_finalizer_info` answer. A vote that fails a check is kept with its
    /// problems; a vote missing a field makes the whole answer unusable.
    public static func parseFinalizerInfo(_ body: [UInt8], url: String) throws(NodeAPIError) -> FinalizerInfo {
        let a = try decode(FinalizerInfoAnswer.self, body, url: url)
        guard let tracked = a.lastTrackedVotes else {
            throw NodeAPIError(url: url, field: "last_tracked_votes", message: "missing (is this a Spring node?)")
        }
        func policy(_ p: FinalizerInfoAnswer.Policy?) -> FinalizerPolicyInfo? {
            p.map { p in
                FinalizerPolicyInfo(
                    generation: p.generation?.value, threshold: p.threshold?.value,
                    finalizers: p.finalizers.map { f in
                        .init(description: f.description, weight: f.weight?.value, publicKeyText: f.publicKey,
                              publicKey: try? BLSPublicKey(text: f.publicKey))
                    })
            }
        }
        let votes = tracked.map { v in
            let number = v.votedForBlockNum.value
            let id = v.votedForBlockID.value
            var problems = [String]()
            if id.blockNumber != number {
                problems.append("voted_for_block_id says block \(id.blockNumber), voted_for_block_num says \(number)")
            }
            var key: BLSPublicKey?
            do { key = try BLSPublicKey(text: v.publicKey) } catch { problems.append("public_key does not parse: \(error)") }
            return TrackedVote(
                publicKeyText: v.publicKey, publicKey: key, description: v.description, blockNumber: number, blockID: id,
                timestamp: v.votedForBlockTimestamp.value, isStrong: v.isVoteStrong,
                policyGeneration: v.finalizerPolicyGeneration?.value, problems: problems)
        }
        return FinalizerInfo(
            source: .api(url: url), activePolicy: policy(a.activeFinalizerPolicy), pendingPolicy: policy(a.pendingFinalizerPolicy),
            votes: votes, elapsedMilliseconds: 0)
    }
}

// MARK: - The answers as nodeos sends them

/// `get_info`, the members this tool reads (spring `plugins/chain_plugin`,
/// `read_only::get_info_results`).
struct GetInfoAnswer: Decodable {
    var chainID: NodeHexID
    var lastIrreversibleBlockNum: NodeUnsigned<UInt32>
    var lastIrreversibleBlockID: NodeHexID
    var lastIrreversibleBlockTime: NodeBlockTime?
    var headBlockNum: NodeUnsigned<UInt32>?
    var headBlockID: NodeHexID?
    var headBlockTime: NodeBlockTime?
    var serverVersionString: String?

    enum CodingKeys: String, CodingKey {
        case chainID = "chain_id"
        case lastIrreversibleBlockNum = "last_irreversible_block_num"
        case lastIrreversibleBlockID = "last_irreversible_block_id"
        case lastIrreversibleBlockTime = "last_irreversible_block_time"
        case headBlockNum = "head_block_num"
        case headBlockID = "head_block_id"
        case headBlockTime = "head_block_time"
        case serverVersionString = "server_version_string"
    }
}

/// `get_block_info` (spring `read_only::get_block_info`): the members the watch reads.
struct BlockInfoAnswer: Decodable {
    var id: NodeHexID
    var blockNum: NodeUnsigned<UInt32>
    var timestamp: NodeBlockTime

    enum CodingKeys: String, CodingKey {
        case id, timestamp
        case blockNum = "block_num"
    }
}

/// `get_finalizer_info` (spring `plugins/chain_plugin/include/eosio/chain_plugin/tracked_votes.hpp`
/// and `chain_plugin.hpp`, `get_finalizer_info_result`).
struct FinalizerInfoAnswer: Decodable {
    struct Finalizer: Decodable {
        var description: String?
        var weight: NodeUnsigned<UInt64>?
        var publicKey: String

        enum CodingKeys: String, CodingKey {
            case description, weight
            case publicKey = "public_key"
        }
    }

    struct Policy: Decodable {
        var generation: NodeUnsigned<UInt32>?
        var threshold: NodeUnsigned<UInt64>?
        var finalizers: [Finalizer]
    }

    struct Vote: Decodable {
        var publicKey: String
        var description: String?
        var isVoteStrong: Bool
        var finalizerPolicyGeneration: NodeUnsigned<UInt32>?
        var votedForBlockNum: NodeUnsigned<UInt32>
        var votedForBlockID: NodeHexID
        var votedForBlockTimestamp: NodeBlockTime

        enum CodingKeys: String, CodingKey {
            case description
            case publicKey = "public_key"
            case isVoteStrong = "is_vote_strong"
            case finalizerPolicyGeneration = "finalizer_policy_generation"
            case votedForBlockNum = "voted_for_block_num"
            case votedForBlockID = "voted_for_block_id"
            case votedForBlockTimestamp = "voted_for_block_timestamp"
        }
    }

    var activeFinalizerPolicy: Policy?
    var pendingFinalizerPolicy: Policy?
    var lastTrackedVotes: [Vote]?

    enum CodingKeys: String, CodingKey {
        case activeFinalizerPolicy = "active_finalizer_policy"
        case pendingFinalizerPolicy = "pending_finalizer_policy"
        case lastTrackedVotes = "last_tracked_votes"
    }
}

/// A member of a node's answer that decoded as JSON but failed this tool's check; carries
/// the decoder's path so the message names the field.
struct NodeAnswerProblem: Error {
    var codingPath: [any CodingKey]
    var message: String

    /// `last_tracked_votes[2].voted_for_block_num`.
    static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for k in keys {
            if let i = k.intValue, k.stringValue.hasPrefix("Index") || k.stringValue == String(i) {
                out += "[\(i)]"
            } else {
                if !out.isEmpty { out += "." }
                out += k.stringValue
            }
        }
        return out
    }

    /// How the offending value looked, for the message ("found true", "found \"abc\"").
    static func found(_ c: any SingleValueDecodingContainer) -> String {
        if c.decodeNil() { return "null" }
        if let b = try? c.decode(Bool.self) { return b ? "true" : "false" }
        if let s = try? c.decode(String.self) { return "\"\(s.prefix(80))\"" }
        if let i = try? c.decode(Int64.self) { return String(i) }
        // Shown only: the value was already refused as an exact integer.
        if let d = try? c.decode(Double.self) { return "the number \(d)" }
        return "an object or a list"
    }
}

/// An unsigned integer read exactly as the node wrote it: a JSON number without fraction,
/// or a string of decimal digits (fc writes 64-bit values above 2^32 as strings, as in
/// `total_cpu_weight`). Never through a floating-point value.
struct NodeUnsigned<T: FixedWidthInteger & UnsignedInteger & Decodable & Sendable>: Decodable, Sendable {
    var value: T

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            // Checked first: a boolean is never a number, whatever the decoder would allow.
            throw NodeAnswerProblem(codingPath: decoder.codingPath, message: Self.expected + ", found \(b)")
        }
        if let v = try? c.decode(T.self) {
            value = v
            return
        }
        if let s = try? c.decode(String.self), !s.isEmpty, s.utf8.count <= 20,
           s.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let v = T(s, radix: 10)
        {
            value = v
            return
        }
        throw NodeAnswerProblem(codingPath: decoder.codingPath, message: Self.expected + ", found \(NodeAnswerProblem.found(c))")
    }

    static var expected: String {
        T.self == UInt32.self ? "expected a block number (0…4294967295)" : "expected an unsigned number (0…\(T.max))"
    }
}

/// A 32-byte id as 64 hex digits.
struct NodeHexID: Decodable, Sendable {
    var value: Bytes32

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let s = try? c.decode(String.self) else {
            throw NodeAnswerProblem(codingPath: decoder.codingPath, message: "expected 64 hex digits, found \(NodeAnswerProblem.found(c))")
        }
        guard s.utf8.count == 64, let id = Bytes32(hex: s) else {
            throw NodeAnswerProblem(codingPath: decoder.codingPath, message: "expected 64 hex digits, found \"\(s.prefix(80))\"")
        }
        value = id
    }
}

/// A block time as nodeos prints it: `YYYY-MM-DDTHH:MM:SS.mmm`, UTC without a zone (a
/// trailing Z is tolerated), on a slot boundary.
struct NodeBlockTime: Decodable, Sendable {
    var value: BlockTimestamp
    var text: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let s = try? c.decode(String.self) else {
            throw NodeAnswerProblem(
                codingPath: decoder.codingPath,
                message: "expected a UTC time YYYY-MM-DDTHH:MM:SS.mmm, found \(NodeAnswerProblem.found(c))")
        }
        guard Self.isNodeTime(s), let t = BlockTimestamp(iso8601: s) else {
            if Self.isNodeTime(s), BlockTimestamp(iso8601: s, roundDown: true) != nil {
                throw NodeAnswerProblem(
                    codingPath: decoder.codingPath, message: "\"\(s)\" is not on a block slot boundary (a multiple of 500 ms)")
            }
            throw NodeAnswerProblem(
                codingPath: decoder.codingPath, message: "expected a UTC time YYYY-MM-DDTHH:MM:SS.mmm, found \"\(s.prefix(80))\"")
        }
        value = t
        text = s
    }

    static func isNodeTime(_ s: String) -> Bool {
        let u = Array(s.utf8)
        let n = u.last == UInt8(ascii: "Z") ? u.count - 1 : u.count
        return n == 23 && u[10] == UInt8(ascii: "T") && u[19] == UInt8(ascii: ".")
    }
}
