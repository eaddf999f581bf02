import FinalityEngine
import FinalityFormat
import FinalityInterface
import FoundationEssentials
import Glibc

/// The Watch screen's sampler: a thread of its own that samples every interval and keeps
/// the samples until the core polls for them, so the program's loop never waits on a
/// node API (a silent one costs this thread its timeout, never a key).
final class WatchSession: @unchecked Sendable {
    private let lock = Lock()
    private var samples: [WatchSample] = []
    private var wanted: [UInt32] = []
    private var thread: PeriodicThread?
    let config: WatchConfig

    /// `config.change` is filled from the audit log (the reset just applied), so the
    /// verdict can say "41 s after the reset".
    init(_ config: WatchConfig) {
        var c = config
        if c.change == nil, let key = c.keys?.first { c.change = WatchChange.lastRecorded(file: c.file, key: key) }
        self.config = c
        thread = PeriodicThread(interval: c.interval) { [self] in sampleOnce() }
    }

    private func sampleOnce() {
        let heights = lock.withLock { wanted }
        let sample = WatchSampler.sample(config, wanted: heights, apiTimeout: min(2, max(0.5, config.interval)))
        lock.withLock {
            samples.append(sample)
            // A screen that stopped polling (left without a tick) must not grow this.
            if samples.count > 120 { samples.removeFirst(samples.count - 120) }
        }
    }

    /// The samples since the last poll; `heights` for the next samples.
    func poll(wanted heights: [UInt32]) -> [WatchSample] {
        lock.withLock {
            wanted = heights
            defer { samples.removeAll() }
            return samples
        }
    }

    func stop() { thread?.stop() }
}

extension EngineEffects {
    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
