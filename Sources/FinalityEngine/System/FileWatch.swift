import Glibc

/// What a path is on disk, closely enough to see any change to it: which file (device,
/// inode), what kind, its size and its modification and status-change times to the
/// nanosecond (`lstat`: a planted link is seen as a link). nil: nothing is there.
public struct PathLook: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var mode: UInt32
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var changedNanoseconds: Int64

    public var isSymlink: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFLNK) }
    public var isRegular: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    public var sameFile: FileIdentity { FileIdentity(device: device, inode: inode) }

    public static func of(_ path: String) -> PathLook? {
        var st = Glibc.stat()
        var rc: Int32
        repeat { rc = lstat(path, &st) } while rc != 0 && errno == EINTR
        guard rc == 0 else { return nil }
        return PathLook(
            device: UInt64(st.st_dev), inode: UInt64(st.st_ino), mode: UInt32(st.st_mode), size: Int64(st.st_size),
            modifiedNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            changedNanoseconds: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
    }

    /// What the path is, in words: "a symbolic link to X", "a directory", "another file
    /// (device 8 inode 1234, 1,450 bytes)".
    public static func describe(_ path: String, _ look: PathLook) -> String {
        if look.isSymlink {
            let target = (try? Sys.readLink(path)) ?? "?"
            return "a symbolic link to \(target)"
        }
        if look.isDirectory { return "a directory" }
        if !look.isRegular { return "not a regular file (mode \(String(look.mode, radix: 8)))" }
        return "another file (\(look.sameFile), \(look.size) bytes)"
    }
}

/// inotify on a file and on its directory (for the file's own name): says at once that
/// something happened there (written, its attributes changed, removed, renamed over,
/// a link planted). The caller then looks (`PathLook`) to know what. Linux only; without
/// inotify (no instance left) the caller's periodic look still sees every change.
public final class FileNotifier: @unchecked Sendable {
    private let fd: Int32
    private var fileWatch: Int32 = -1
    public let path: String
    private let name: [UInt8]

    public init(path: String) {
        self.path = path
        name = Array(PathText.name(path).utf8)
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return }
        let dirMask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE | IN_MODIFY)
        _ = inotify_add_watch(fd, PathText.directory(path), dirMask)
        watchFile()
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public var available: Bool { fd >= 0 }

    /// Watches the inode now at the path (after a replace, the new one).
    public func watchFile() {
        guard fd >= 0 else { return }
        if fileWatch >= 0 { _ = inotify_rm_watch(fd, fileWatch) }
        let mask = UInt32(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF) | UInt32(IN_DONT_FOLLOW)
        fileWatch = inotify_add_watch(fd, path, mask)
    }

    /// Whether anything happened to the file, or to its name in the directory, since the
    /// last call (never waits).
    public func drain() -> Bool {
        guard fd >= 0 else { return false }
        var happened = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let (wd, length) = buffer.withUnsafeBytes { raw -> (Int32, Int) in
                    let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (e.wd, Int(e.len))
                }
                if wd == fileWatch {
                    happened = true
                } else {
                    // A directory event: only for the file's own name.
                    let nameBytes = buffer[(offset + header)..<min(n, offset + header + length)].prefix { $0 != 0 }
                    if Array(nameBytes) == name { happened = true }
                }
                offset += header + length
            }
        }
        return happened
    }
}

/// Why this process may not write a file, in the words the operator needs: the cause, not
/// only the errno. nil when nothing stops a write.
public enum WriteObstacle {
    /// FS_IOC_GETFLAGS, FS_IMMUTABLE_FL and FS_APPEND_FL (linux/fs.h).
    static let getFlags: UInt = 0x8008_6601
    static let immutable: Int32 = 0x10
    static let appendOnly: Int32 = 0x20

    public static func of(_ path: String) -> String? {
        let directory = PathText.directory(path)
        guard let look = PathLook.of(path) else {
            // Missing: a repair creates it in the directory.
            return directoryObstacle(directory)
        }
        if look.isSymlink { return "the file is \(PathLook.describe(path, look)) (finality writes no file through a link)" }
        var vfs = statvfs()
        if statvfs(path, &vfs) == 0, vfs.f_flag & UInt(ST_RDONLY) != 0 {
            return "the file system holding the file is mounted read-only"
        }
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            var flags: Int32 = 0
            let rc = ioctl(fd, getFlags, &flags)
            Glibc.close(fd)
            if rc == 0, flags & immutable != 0 { return "the file has the immutable flag (lsattr shows i; chattr -i removes it)" }
            if rc == 0, flags & appendOnly != 0 { return "the file has the append-only flag (lsattr shows a; chattr -a removes it)" }
        }
        if Glibc.access(path, W_OK) != 0 {
            let uid = geteuid()
            var st = Glibc.stat()
            if Glibc.lstat(path, &st) == 0, st.st_uid != uid {
                return "the file belongs to \(Ownership.userName(UInt32(st.st_uid))), not to this user (\(Ownership.userName(UInt32(uid)))); mode \(String(UInt32(st.st_mode) & 0o777, radix: 8))"
            }
            return "the file is not writable by this user (mode \(String(UInt32(st.st_mode) & 0o777, radix: 8)))"
        }
        return directoryObstacle(directory)
    }

    /// The directory takes the temp file and the backup: it must be writable too.
    static func directoryObstacle(_ directory: String) -> String? {
        var vfs = statvfs()
        if statvfs(directory, &vfs) == 0, vfs.f_flag & UInt(ST_RDONLY) != 0 {
            return "the file system holding \(directory) is mounted read-only"
        }
        guard Glibc.access(directory, W_OK) != 0 else { return nil }
        if errno == ENOENT { return "the directory \(directory) does not exist" }
        var st = Glibc.stat()
        if stat(directory, &st) == 0, st.st_uid != geteuid() {
            return "the directory \(directory) belongs to \(Ownership.userName(UInt32(st.st_uid))), not to this user, and is not writable by it"
        }
        return "the directory \(directory) is not writable by this user"
    }
}
