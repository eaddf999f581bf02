import Dispatch
import FinalityFormat
import FoundationEssentials

/// The network view's only I/O: each node API asked in parallel (`get_info`, then
/// `get_finalizer_info`), each within its own timeout, so one API that stops answering
/// delays a refresh by at most the timeout and is listed as not answering.
public enum NetworkSampler {
    /// One refresh: the view built from every API that answered. Throws when none did
    /// (I/O, exit 3) or when they are on different chains (refused, exit 1).
    public static func refresh(
        apis: [String], configuredKeys: [BLSPublicKey]?, options: NetworkOptions = .init(), apiTimeout: Double,
        clock: () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) throws(EngineError) -> NetworkView {
        let results = sample(apis: apis, apiTimeout: apiTimeout)
        var answers = [NetworkAnswer]()
        var unanswered = [NetworkUnanswered]()
        for (url, r) in zip(apis, results) {
            switch r {
            case .success(let a): answers.append(a)
            case .failure(let e): unanswered.append(NetworkUnanswered(url: url, reason: e.description))
            }
        }
        return try NetworkView.build(
            answers, configuredKeys: configuredKeys, options: options, unixMilliseconds: clock(), unanswered: unanswered)
    }

    /// Each API's answers (in the order given).
    public static func sample(apis: [String], apiTimeout: Double) -> [Result<NetworkAnswer, EngineError>] {
        let answers = Box(count: apis.count)
        let group = DispatchGroup()
        for (i, url) in apis.enumerated() {
            group.enter()
            Threads.start {
                answers.set(i, node(url, timeout: apiTimeout))
                group.leave()
            }
        }
        group.wait()
        return answers.all
    }

    /// `get_info` then `get_finalizer_info` of one API.
    public static func node(_ url: String, timeout: Double) -> Result<NetworkAnswer, EngineError> {
        do {
            let info = try NodeAPI.info(url, timeoutSeconds: timeout)
            let finalizers = try finalizerInfo(url, timeoutSeconds: timeout)
            return .success(NetworkAnswer(url: url, info: info, finalizers: finalizers))
        } catch {
            return .failure(error)
        }
    }

    /// `NodeAPI.finalizerInfo`, read by the fast scanner when the answer has the plain shape
    /// (FinalizerInfoScanner.swift), else by the reference parser.
    static func finalizerInfo(_ url: String, timeoutSeconds: Double) throws(EngineError) -> FinalizerInfo {
        let (response, _) = try NodeAPI.post(url, NodeAPI.getFinalizerInfoPath, timeoutSeconds: timeoutSeconds)
        do {
            var info = try FinalizerInfoScanner.parse(response.body, url: url + NodeAPI.getFinalizerInfoPath)
            info.source = .api(url: url)
            info.elapsedMilliseconds = response.elapsedMilliseconds
            return info
        } catch { throw .usage(SafeText(error.description)) }
    }

    final class Box: @unchecked Sendable {
        private let lock = Lock()
        private var items: [Result<NetworkAnswer, EngineError>?]

        init(count: Int) { items = Array(repeating: nil, count: count) }

        func set(_ i: Int, _ r: Result<NetworkAnswer, EngineError>) { lock.withLock { items[i] = r } }

        var all: [Result<NetworkAnswer, EngineError>] {
            lock.withLock { items.map { $0 ?? .failure(.usage("no answer")) } }
        }
    }
}

extension NetworkSampler {
    /// A `get_finalizer_info` answer's bytes as the refresh reads them (the benchmark's entry).
    public static func parseFinalizerInfo(_ body: [UInt8], url: String) throws(NodeAPIError) -> FinalizerInfo {
        try FinalizerInfoScanner.parse(body, url: url)
    }
}
