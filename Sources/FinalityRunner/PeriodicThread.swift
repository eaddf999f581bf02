import FinalityEngine
import FoundationEssentials
import Glibc

/// A thread of its own that runs `body` every `interval` seconds (the time `body` took
/// counts) until stopped; `stop` ends it within a tenth of a second of the wait, or when
/// a `body` in flight returns. The Watch and Network screens' samplers run on one each, so
/// the program's loop never waits on a node API.
final class PeriodicThread: @unchecked Sendable {
    private let lock = Lock()
    private var stopped = false

    init(interval: Double, _ body: @escaping @Sendable () -> Void) {
        Threads.start { [self] in
            while !isStopped {
                let started = Date()
                body()
                var wait = interval - Date().timeIntervalSince(started)
                while wait > 0 && !isStopped {
                    usleep(useconds_t(min(wait, 0.1) * 1_000_000))
                    wait -= 0.1
                }
            }
        }
    }

    var isStopped: Bool { lock.withLock { stopped } }

    func stop() { lock.withLock { stopped = true } }
}
