import FinalityFormat
import Dispatch
import FoundationEssentials
import Glibc

/// The watch's only I/O: each node API asked in parallel (one slow node never delays the
/// others beyond its own timeout), and the safety file re-read read-only. Never writes,
/// never locks: safe while nodeos runs on the file, which is the point.
public enum WatchSampler {
    /// One refresh. `wanted` are the heights `WatchState.blockHeightsWanted` asks for.
    public static func sample(
        _ config: WatchConfig, wanted: [UInt32] = [], apiTimeout: Double,
        clock: () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) -> WatchSample {
        let results = Results(count: config.apis.count)
        let group = DispatchGroup()
        for (i, url) in config.apis.enumerated() {
            group.enter()
            let heights = i == 0 ? wanted : []
            Threads.start {
                results.set(i, node(url, heights: heights, timeout: apiTimeout))
                group.leave()
            }
        }
        let file = readFile(config.file)
        group.wait()
        return WatchSample(unixMilliseconds: clock(), nodes: results.all, file: file, change: config.change)
    }

    /// get_info, then (when it answered) get_finalizer_info and the wanted block ids.
    public static func node(_ url: String, heights: [UInt32] = [], timeout: Double) -> NodeSample {
        let info: Result<NodeInfo, WatchFailure>
        do { info = .success(try NodeAPI.info(url, timeoutSeconds: timeout)) } catch {
            return NodeSample(url: url, info: .failure(failure(error)))
        }
        let finalizers: Result<FinalizerInfo, WatchFailure>
        do { finalizers = .success(try NodeAPI.finalizerInfo(url, timeoutSeconds: timeout)) } catch {
            finalizers = .failure(failure(error))
        }
        var ids = [UInt32: Bytes32]()
        for h in heights.prefix(8) {
            if let b = try? NodeAPI.block(url, number: h, timeoutSeconds: timeout) { ids[h] = b.blockID }
        }
        return NodeSample(url: url, info: info, finalizers: finalizers, blockIDs: ids)
    }

    /// Everything a node said reaches the operator through here.
    static func failure(_ error: EngineError) -> WatchFailure {
        WatchFailure(untrusted(error.description))
    }

    /// The one place the watch passes text from a node API or the file to the operator.
    public static func untrusted(_ text: String) -> String {
        DisplayText.sanitize(text)
    }

    /// Reads and decodes the file; a read that fails a check is tried again (nodeos
    /// rewrites the file in place, without a lock: a read can see half a save, and its
    /// CRC then fails although nothing is damaged). Only `tries` failures in a row are
    /// reported, and the model calls it damage only when the next refresh fails too.
    public static func readFile(_ path: String, tries: Int = 5, pause: useconds_t = 20_000) -> FileSample {
        var last = ""
        for attempt in 1...max(1, tries) {
            let bytes: [UInt8]
            do { bytes = try FileBytes.read(path) } catch { return .missing(untrusted(error.description)) }
            let v = SafetyFileReader.verify(bytes, options: .init(checkKeys: false))
            if let file = v.file, v.errors.isEmpty { return .read(file, tries: attempt) }
            last = v.errors.first.map { untrusted($0.description) } ?? "does not decode"
            if attempt < tries { usleep(pause) }
        }
        return .unreadable(last, tries: max(1, tries))
    }

    final class Results: @unchecked Sendable {
        private let lock = Lock()
        private var items: [NodeSample?]

        init(count: Int) { items = Array(repeating: nil, count: count) }

        func set(_ i: Int, _ s: NodeSample) { lock.withLock { items[i] = s } }

        var all: [NodeSample] {
            lock.withLock { items.compactMap { $0 } }
        }
    }
}
