import Dispatch
import FoundationEssentials
import Glibc

// What the engine, the runner and the executable took from full Foundation, written on
// Glibc and the standard library (issue 11): with FoundationEssentials only, the static
// release binary links no ICU (FoundationInternationalization and _FoundationICU, ~34 MB).
// Each one does what the Foundation call it replaces did, text for text.

/// A mutex: Foundation's `NSLock` (lock, unlock, withLock).
public final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Foundation's `Thread { … }.start()`: `body` on a thread of its own, so that a blocking
/// call (a node API's timeout) holds only that thread.
public enum Threads {
    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    public static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box)
        if started != 0 {
            // No thread to be had (EAGAIN): Dispatch's pool runs it rather than nobody.
            let body = Unmanaged<Body>.fromOpaque(box).takeRetainedValue()
            DispatchQueue.global().async { body.run() }
        }
    }
}
