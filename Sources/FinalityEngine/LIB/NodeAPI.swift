import FinalityFormat
import Foundation

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

    /// The vote for this key (keys compare by bytes, never by text).
    public func vote(for key: BLSPublicKey) -> TrackedVote? {
        votes.first { $0.publicKey == key } ?? votes.first { $0.publicKeyText == key.text }
    }

    /// The vote whose key text is exactly this (for keys that do not parse).
    public func vote(forText text: String) -> TrackedVote? {
        votes.first { $0.publicKeyText == text }
            ?? (try? BLSPublicKey(text: text)).flatMap { k in votes.first { $0.publicKey == k } }
    }
}

public enum NodeAPI {
    public static let getInfoPath = "/v1/chain/get_info"
    public static let getFinalizerInfoPath = "/v1/chain/get_finalizer_info"

    /// LIB from `get_info`, with its provenance.
    public static func lib(_ url: String, timeoutSeconds: Double) throws(EngineError) -> (NodeInfo, LIBReading) {
        let (response, endpoint) = try post(url, getInfoPath, timeoutSeconds: timeoutSeconds)
        let info: NodeInfo
        do { info = try parseInfo(response.body, url: url + getInfoPath) } catch { throw .usage(error.description) }
        var details = ["POST \(endpoint.basePath)\(getInfoPath): HTTP \(response.status) in \(response.elapsedMilliseconds) ms"]
        details.append("last_irreversible_block_num \(info.lib.number), last_irreversible_block_time \(info.libTimeText)")
        if let head = info.headBlockNumber {
            details.append("head block \(head) (\(head >= info.lib.number ? "\(head - info.lib.number) blocks past LIB" : "behind LIB?"))")
        }
        if let v = info.serverVersion { details.append("server version \(v)") }
        var warnings = [String]()
        if let head = info.headBlockNumber, head < info.lib.number {
            warnings.append("head block \(head) is below LIB \(info.lib.number)")
        }
        return (info, LIBReading(lib: info.lib, source: .api(url: url), chainID: info.chainID, details: details, warnings: warnings))
    }

    /// Each key's last tracked vote and the finalizer policies.
    public static func finalizerInfo(_ url: String, timeoutSeconds: Double) throws(EngineError) -> FinalizerInfo {
        let (response, _) = try post(url, getFinalizerInfoPath, timeoutSeconds: timeoutSeconds)
        do {
            var info = try parseFinalizerInfo(response.body, url: url + getFinalizerInfoPath)
            info.source = .api(url: url)
            info.elapsedMilliseconds = response.elapsedMilliseconds
            return info
        } catch { throw .usage(error.description) }
    }

    static func post(_ url: String, _ path: String, timeoutSeconds: Double) throws(EngineError)
        -> (HTTPClient.Response, HTTPClient.Endpoint)
    {
        let endpoint: HTTPClient.Endpoint
        do { endpoint = try .parse(url) } catch { throw .usage(error.description) }
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else { throw .usage("--api-timeout must be a positive number of seconds") }
        let response: HTTPClient.Response
        do {
            response = try HTTPClient.post(endpoint, path: path, body: Array("{}".utf8), timeoutSeconds: timeoutSeconds)
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

    /// Spring's error body: `{"code":500,"message":"…","error":{"what":"…"}}`.
    static func nodeErrorText(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
        let text = [object["message"] as? String, (object["error"] as? [String: Any])?["what"] as? String]
            .compactMap { $0 }.joined(separator: ": ")
        return text.isEmpty ? nil : text
    }

    // MARK: - Parsing

    struct Fields {
        let object: [String: Any]
        let url: String

        func fail(_ field: String, _ message: String) -> NodeAPIError { NodeAPIError(url: url, field: field, message: message) }

        func has(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

        func string(_ key: String) throws(NodeAPIError) -> String {
            guard let v = object[key] else { throw fail(key, "missing") }
            guard let s = v as? String else { throw fail(key, "expected a string, found \(v)") }
            return s
        }

        func optionalString(_ key: String) -> String? { object[key] as? String }

        func u32(_ key: String) throws(NodeAPIError) -> UInt32 {
            guard let v = object[key] else { throw fail(key, "missing") }
            if let n = v as? NSNumber, !isJSONBool(v), let u = UInt32(exactly: n.doubleValue) {
                return u
            }
            if let s = v as? String, let u = UInt32(s) { return u }
            throw fail(key, "expected a block number (0…4294967295), found \(v)")
        }

        func optionalU32(_ key: String) throws(NodeAPIError) -> UInt32? { has(key) ? try u32(key) : nil }

        func u64(_ key: String) throws(NodeAPIError) -> UInt64? {
            guard has(key), let v = object[key] else { return nil }
            if let n = v as? NSNumber, !isJSONBool(v), let u = UInt64(exactly: n.doubleValue) { return u }
            if let s = v as? String, let u = UInt64(s) { return u }
            throw fail(key, "expected an unsigned number, found \(v)")
        }

        func bool(_ key: String) throws(NodeAPIError) -> Bool {
            guard let v = object[key] else { throw fail(key, "missing") }
            if isJSONBool(v), let b = v as? Bool { return b }
            throw fail(key, "expected true or false, found \(v)")
        }

        func id(_ key: String) throws(NodeAPIError) -> Bytes32 {
            let s = try string(key)
            guard s.utf8.count == 64, let id = Bytes32(hex: s) else { throw fail(key, "expected 64 hex digits, found \"\(s.prefix(80))\"") }
            return id
        }

        /// `YYYY-MM-DDTHH:MM:SS.mmm`, UTC without a zone (a trailing Z is tolerated), on a slot.
        func time(_ key: String) throws(NodeAPIError) -> (BlockTimestamp, String) {
            let s = try string(key)
            guard isNodeTime(s), let t = BlockTimestamp(iso8601: s) else {
                if isNodeTime(s), BlockTimestamp(iso8601: s, roundDown: true) != nil {
                    throw fail(key, "\"\(s)\" is not on a block slot boundary (a multiple of 500 ms)")
                }
                throw fail(key, "expected a UTC time YYYY-MM-DDTHH:MM:SS.mmm, found \"\(s.prefix(80))\"")
            }
            return (t, s)
        }
    }

    /// JSONSerialization gives numbers and booleans as NSNumber, and `is Bool` holds for
    /// both on Linux: only the boolean's type encoding tells them apart.
    static func isJSONBool(_ v: Any) -> Bool {
        if let n = v as? NSNumber { return String(cString: n.objCType) == "c" }
        return v is Bool
    }

    static func isNodeTime(_ s: String) -> Bool {
        let u = Array(s.utf8)
        let n = u.last == UInt8(ascii: "Z") ? u.count - 1 : u.count
        return n == 23 && u[10] == UInt8(ascii: "T") && u[19] == UInt8(ascii: ".")
    }

    static func object(_ body: [UInt8], url: String) throws(NodeAPIError) -> [String: Any] {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(body)) } catch {
            let snippet = String(decoding: body.prefix(60), as: UTF8.self)
            throw NodeAPIError(url: url, field: nil, message: "the answer is not JSON (\(body.count) bytes: \"\(snippet)\")")
        }
        guard let o = parsed as? [String: Any] else {
            throw NodeAPIError(url: url, field: nil, message: "the answer is JSON but not an object")
        }
        return o
    }

    /// Parses and checks a `get_info` answer: the LIB id's first 4 bytes must equal
    /// `last_irreversible_block_num`; the time must parse and sit on a slot.
    public static func parseInfo(_ body: [UInt8], url: String) throws(NodeAPIError) -> NodeInfo {
        let f = Fields(object: try object(body, url: url), url: url)
        let chainID = try f.id("chain_id")
        let number = try f.u32("last_irreversible_block_num")
        let id = try f.id("last_irreversible_block_id")
        guard id.blockNumber == number else {
            throw f.fail(
                "last_irreversible_block_id",
                "its first 4 bytes say block \(id.blockNumber), but last_irreversible_block_num is \(number): the node's answer is inconsistent")
        }
        guard f.has("last_irreversible_block_time") else {
            throw f.fail(
                "last_irreversible_block_time",
                "missing (nodes older than Leap 3.1 do not report it): give the LIB by hand with --lib-id and --lib-time")
        }
        let (time, text) = try f.time("last_irreversible_block_time")
        var headID: Bytes32?
        if f.has("head_block_id") { headID = try f.id("head_block_id") }
        return NodeInfo(
            chainID: chainID, lib: LIB(blockID: id, timestamp: time), headBlockNumber: try f.optionalU32("head_block_num"),
            headBlockID: headID, serverVersion: f.optionalString("server_version_string"), libTimeText: text)
    }

    /// Parses a `get_finalizer_info` answer. A vote that fails a check is kept with its
    /// problems; a vote missing a field makes the whole answer unusable.
    public static func parseFinalizerInfo(_ body: [UInt8], url: String) throws(NodeAPIError) -> FinalizerInfo {
        let top = try object(body, url: url)
        func policy(_ key: String) throws(NodeAPIError) -> FinalizerPolicyInfo? {
            guard let v = top[key], !(v is NSNull) else { return nil }
            guard let o = v as? [String: Any] else { throw NodeAPIError(url: url, field: key, message: "expected an object or null") }
            let f = Fields(object: o, url: url)
            guard let list = o["finalizers"] as? [Any] else {
                throw NodeAPIError(url: url, field: key + ".finalizers", message: "missing or not a list")
            }
            var finalizers = [FinalizerPolicyInfo.Finalizer]()
            for (i, item) in list.enumerated() {
                guard let fo = item as? [String: Any] else {
                    throw NodeAPIError(url: url, field: "\(key).finalizers[\(i)]", message: "expected an object")
                }
                let ff = Fields(object: fo, url: url + " \(key).finalizers[\(i)]")
                let text = try ff.string("public_key")
                finalizers.append(
                    .init(description: ff.optionalString("description"), weight: try ff.u64("weight"), publicKeyText: text,
                          publicKey: try? BLSPublicKey(text: text)))
            }
            return FinalizerPolicyInfo(generation: try f.optionalU32("generation"), threshold: try f.u64("threshold"), finalizers: finalizers)
        }
        let active = try policy("active_finalizer_policy")
        let pending = try policy("pending_finalizer_policy")
        guard let list = top["last_tracked_votes"] as? [Any] else {
            throw NodeAPIError(url: url, field: "last_tracked_votes", message: "missing or not a list (is this a Spring node?)")
        }
        var votes = [TrackedVote]()
        for (i, item) in list.enumerated() {
            guard let o = item as? [String: Any] else {
                throw NodeAPIError(url: url, field: "last_tracked_votes[\(i)]", message: "expected an object")
            }
            let f = Fields(object: o, url: url + " last_tracked_votes[\(i)]")
            let text = try f.string("public_key")
            let number = try f.u32("voted_for_block_num")
            let id = try f.id("voted_for_block_id")
            let (time, _) = try f.time("voted_for_block_timestamp")
            var problems = [String]()
            if id.blockNumber != number {
                problems.append("voted_for_block_id says block \(id.blockNumber), voted_for_block_num says \(number)")
            }
            var key: BLSPublicKey?
            do { key = try BLSPublicKey(text: text) } catch { problems.append("public_key does not parse: \(error)") }
            votes.append(
                TrackedVote(
                    publicKeyText: text, publicKey: key, description: f.optionalString("description"), blockNumber: number,
                    blockID: id, timestamp: time, isStrong: try f.bool("is_vote_strong"),
                    policyGeneration: try f.optionalU32("finalizer_policy_generation"), problems: problems))
        }
        return FinalizerInfo(source: .api(url: url), activePolicy: active, pendingPolicy: pending, votes: votes, elapsedMilliseconds: 0)
    }
}
