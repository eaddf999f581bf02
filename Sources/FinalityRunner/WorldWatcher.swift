import Dispatch
import FinalityEngine
import FinalityFormat
import FinalityInterface
import FoundationEssentials
import Glibc

/// The file and the node, watched while the screen is open (issue 20): inotify on the file
/// and its directory says at once that something happened, a look (`lstat`) at most every
/// `statSeconds` catches what inotify cannot see (another mount, an overflow), and the
/// process check (the interlocks, reading /proc) runs on a thread of its own every
/// `processSeconds`: `check` never waits for it, so keys are never held up.
final class WorldWatcher: @unchecked Sendable {
    let location: Location
    private let notifier: FileNotifier
    private let procRoot: String
    /// What the path was when the file shown was read (nil: nothing was there).
    private var baseline: PathLook?
    private var lastLook: Int64 = 0
    private let lock = Lock()
    private var latestAccess: WriteAccess?
    private var accessIsNew = false
    private let cancellation = Cancellation()

    static let statSeconds: Int64 = 2
    static let processSeconds: UInt32 = 3

    init(location: Location, procRoot: String, baseline: PathLook?) {
        self.location = location
        self.procRoot = procRoot
        self.baseline = baseline
        notifier = FileNotifier(path: location.file)
        let cancellation = cancellation
        Threads.start { [weak self] in
            while !cancellation.isCancelled {
                sleep(Self.processSeconds)
                guard !cancellation.isCancelled, let self else { return }
                let access = EngineEffects.writeAccess(self.location, procRoot: self.procRoot)
                self.lock.withLock {
                    if access != self.latestAccess {
                        self.latestAccess = access
                        self.accessIsNew = true
                    }
                }
            }
        }
    }

    deinit { cancellation.cancel() }

    func stop() { cancellation.cancel() }

    /// The file was read again: what it is now is what the screen shows.
    func rebase(_ look: PathLook?, access: WriteAccess) {
        baseline = look
        notifier.watchFile()
        lock.withLock {
            latestAccess = access
            accessIsNew = false
        }
    }

    /// What changed since the last look (never waits).
    func check(nowSeconds: Int64) -> (WorldCheck.FileChange?, WriteAccess?) {
        var change: WorldCheck.FileChange?
        let notified = notifier.drain()
        if notified || !notifier.available || nowSeconds - lastLook >= Self.statSeconds {
            lastLook = nowSeconds
            let now = PathLook.of(location.file)
            if now != baseline {
                change = Self.change(from: baseline, to: now, path: location.file)
                // Said once: the next look compares with what is there now (a reload rebases
                // again with what it read).
                baseline = now
                notifier.watchFile()
            }
        }
        let access: WriteAccess? = lock.withLock {
            guard accessIsNew else { return nil }
            accessIsNew = false
            return latestAccess
        }
        return (change, access)
    }

    static func change(from old: PathLook?, to new: PathLook?, path: String) -> WorldCheck.FileChange {
        guard let new else { return .gone }
        if new.isSymlink { return .linked((try? Sys.readLink(path)) ?? "?") }
        guard let old else { return .appeared }
        if old.sameFile != new.sameFile { return .replaced(PathLook.describe(path, new)) }
        return .changed
    }
}
