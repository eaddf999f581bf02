import FinalityEngine
import FinalityFormat
import FinalityInterface
import FoundationEssentials
import Glibc

/// The Network screen's sampler: a `PeriodicThread` that refreshes the network view every
/// interval (`NetworkSampler.refresh`, the same as `finality network --watch`) and keeps the
/// newest until the core polls for it, so the program's loop never waits on a node API (a
/// silent one costs this thread its timeout, never a key).
final class NetworkSession: @unchecked Sendable {
    private let lock = Lock()
    private var latest: Result<NetworkView, EngineError>?
    private var takenAt: Int64?
    private var refreshes = 0
    private var thread: PeriodicThread?
    let config: NetworkConfig

    init(_ config: NetworkConfig) {
        self.config = config
        thread = PeriodicThread(interval: config.interval) { [self] in refreshOnce() }
    }

    private func refreshOnce() {
        let result = Result { () throws(EngineError) in
            try NetworkSampler.refresh(
                apis: config.apis, configuredKeys: config.configuredKeys, options: config.options, apiTimeout: config.apiTimeout)
        }
        let now = EngineEffects.nowMilliseconds()
        lock.withLock {
            latest = result
            takenAt = now
            refreshes += 1
        }
    }

    /// The newest refresh since the last poll (nil when none came since).
    func poll() -> NetworkPoll {
        lock.withLock {
            defer { latest = nil }
            return NetworkPoll(latest: latest, refreshes: refreshes, takenAt: takenAt)
        }
    }

    func stop() { thread?.stop() }
}
