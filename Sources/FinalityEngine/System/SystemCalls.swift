import FoundationEssentials
import Glibc
import SystemPackage

/// What `stat` says about a file, in the words the write path uses.
public struct FileStatus: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var mode: UInt32
    public var linkCount: Int
    public var uid: UInt32
    public var gid: UInt32
    public var size: Int64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        mode = UInt32(st.st_mode)
        linkCount = Int(st.st_nlink)
        uid = UInt32(st.st_uid)
        gid = UInt32(st.st_gid)
        size = Int64(st.st_size)
    }

    public var identity: FileIdentity { FileIdentity(device: device, inode: inode) }
    public var permissions: UInt32 { mode & 0o7777 }
    public var isRegular: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    public var isSymlink: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFLNK) }
}

/// A file as the kernel knows it: two paths name the same file when these are equal
/// (compare files this way, never by path text: links and bind mounts defeat text).
public struct FileIdentity: Hashable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64
    public var description: String { "device \(device) inode \(inode)" }
}

/// The one layer through which the engine's write path, interlocks, audit log and
/// backups make system calls: swift-system's `FileDescriptor`, `FilePath` and typed
/// `Errno`, EINTR retried in one place, and (test builds only) the fault-injection hook
/// in front of each call (`FaultInjection`).
public enum Sys {
    /// The calls that a test can make fail, by the name it gives them.
    public enum Call: String, Sendable, CaseIterable {
        case open, read, write, fsync, rename, unlink, mkdir, fchown, fchmod, setxattr, removexattr, ftruncate, fallocate, lock
    }

    /// Runs `body` until it stops failing with EINTR (a signal interrupted the call).
    @inline(__always)
    static func retrying<T>(_ call: Call, _ path: String, _ body: () -> (T, Int32)) throws(Errno) -> T {
        while true {
            if let injected = FaultInjection.fault(call, path) {
                if injected == .interrupted { continue }
                throw injected
            }
            let (value, err) = body()
            if err == 0 { return value }
            if err == EINTR { continue }
            throw Errno(rawValue: err)
        }
    }

    public static func open(
        _ path: String, _ mode: FileDescriptor.AccessMode, _ options: FileDescriptor.OpenOptions,
        permissions: FilePermissions? = nil
    ) throws(Errno) -> FileDescriptor {
        // Close-on-exec always: a descriptor on the safety file that leaked into a child
        // (a shell, tmux) would make that child look like a process holding the file open.
        let options = options.union(.closeOnExec)
        return try retrying(.open, path) {
            do {
                return (try FileDescriptor.open(FilePath(path), mode, options: options, permissions: permissions, retryOnInterrupt: false), 0)
            } catch let e as Errno {
                return (FileDescriptor(rawValue: -1), e.rawValue)
            } catch {
                return (FileDescriptor(rawValue: -1), EIO)
            }
        }
    }

    /// Writes every byte (a short write continues where it stopped).
    public static func writeAll(_ fd: FileDescriptor, _ bytes: [UInt8], path: String) throws(Errno) {
        var done = 0
        while done < bytes.count {
            let n: Int = try retrying(.write, path) {
                let r = bytes.withUnsafeBytes { Glibc.write(fd.rawValue, $0.baseAddress! + done, $0.count - done) }
                return (r, r < 0 ? errno : 0)
            }
            done += n
        }
    }

    public static func fsync(_ fd: FileDescriptor, path: String) throws(Errno) {
        try retrying(.fsync, path) { () -> ((), Int32) in ((), Glibc.fsync(fd.rawValue) == 0 ? 0 : errno) }
    }

    public static func fsyncDirectory(_ dir: String) throws(Errno) {
        let d = try open(dir, .readOnly, [.directory, .closeOnExec])
        defer { try? d.close() }
        try fsync(d, path: dir)
    }

    public static func rename(_ from: String, _ to: String) throws(Errno) {
        try retrying(.rename, to) { () -> ((), Int32) in ((), Glibc.rename(from, to) == 0 ? 0 : errno) }
    }

    public static func unlink(_ path: String) throws(Errno) {
        try retrying(.unlink, path) { () -> ((), Int32) in ((), Glibc.unlink(path) == 0 ? 0 : errno) }
    }

    public static func mkdir(_ path: String, _ mode: mode_t) throws(Errno) {
        try retrying(.mkdir, path) { () -> ((), Int32) in ((), Glibc.mkdir(path, mode) == 0 ? 0 : errno) }
    }

    public static func fchown(_ fd: FileDescriptor, uid: UInt32, gid: UInt32, path: String) throws(Errno) {
        try retrying(.fchown, path) { () -> ((), Int32) in ((), Glibc.fchown(fd.rawValue, uid, gid) == 0 ? 0 : errno) }
    }

    public static func fchmod(_ fd: FileDescriptor, _ mode: UInt32, path: String) throws(Errno) {
        try retrying(.fchmod, path) { () -> ((), Int32) in ((), Glibc.fchmod(fd.rawValue, mode_t(mode)) == 0 ? 0 : errno) }
    }

    public static func ftruncate(_ fd: FileDescriptor, _ size: Int64, path: String) throws(Errno) {
        try retrying(.ftruncate, path) { () -> ((), Int32) in ((), Glibc.ftruncate(fd.rawValue, off_t(size)) == 0 ? 0 : errno) }
    }

    /// Reserves `length` bytes past `offset` without changing the size (FALLOC_FL_KEEP_SIZE),
    /// so that a later append there cannot fail for lack of space. EOPNOTSUPP: the file
    /// system cannot reserve; the caller goes on without the reservation.
    public static func reserve(_ fd: FileDescriptor, offset: Int64, length: Int64, path: String) throws(Errno) {
        try retrying(.fallocate, path) { () -> ((), Int32) in
            ((), LinuxCalls.fallocate(fd.rawValue, 1 /* FALLOC_FL_KEEP_SIZE */, offset, length) == 0 ? 0 : errno)
        }
    }

    // Linux's open-file-description lock commands (fcntl.h, _GNU_SOURCE; not imported).
    static let F_OFD_GETLK: Int32 = 36
    static let F_OFD_SETLK: Int32 = 37

    /// Takes an exclusive open-file-description write lock on the whole file, without
    /// waiting: unlike a classic POSIX lock it is not dropped when this process closes
    /// another descriptor of the file. EAGAIN/EACCES: someone holds a lock.
    public static func lockExclusive(_ fd: FileDescriptor, path: String) throws(Errno) {
        try retrying(.lock, path) { () -> ((), Int32) in
            var fl = Glibc.flock()
            fl.l_type = Int16(F_WRLCK)
            fl.l_whence = Int16(SEEK_SET)
            return ((), fcntl(fd.rawValue, F_OFD_SETLK, &fl) == 0 ? 0 : errno)
        }
    }

    /// `flock(LOCK_EX | LOCK_NB)`: serializes finality processes on a directory.
    public static func flockExclusive(_ fd: FileDescriptor, path: String) throws(Errno) {
        try retrying(.lock, path) { () -> ((), Int32) in ((), flock(fd.rawValue, LOCK_EX | LOCK_NB) == 0 ? 0 : errno) }
    }

    /// Who holds a lock that would conflict with a write lock on the whole file:
    /// nil when nobody; (type, pid) otherwise (pid 0: not reported, another PID namespace
    /// or an open file description). F_OFD_GETLK, or F_GETLK on kernels without it.
    public static func lockHolder(_ fd: FileDescriptor) throws(Errno) -> (write: Bool, pid: Int32)? {
        var fl = Glibc.flock()
        fl.l_type = Int16(F_WRLCK)
        fl.l_whence = Int16(SEEK_SET)
        var rc = fcntl(fd.rawValue, F_OFD_GETLK, &fl)
        if rc != 0 && errno == EINVAL {
            fl = Glibc.flock()
            fl.l_type = Int16(F_WRLCK)
            fl.l_whence = Int16(SEEK_SET)
            rc = fcntl(fd.rawValue, F_GETLK, &fl)
        }
        guard rc == 0 else { throw Errno(rawValue: errno) }
        if Int32(fl.l_type) == F_UNLCK { return nil }
        return (Int32(fl.l_type) == F_WRLCK, fl.l_pid)
    }

    /// Whether this process may write `path` (`access(W_OK)`: permissions, read-only mounts,
    /// immutable files), and why not.
    public static func writable(_ path: String) -> Errno? {
        access(path, W_OK) == 0 ? nil : Errno(rawValue: errno)
    }

    public static func fstat(_ fd: FileDescriptor) throws(Errno) -> FileStatus {
        var st = stat()
        guard Glibc.fstat(fd.rawValue, &st) == 0 else { throw Errno(rawValue: errno) }
        return FileStatus(st)
    }

    /// `lstat` (the link itself) or `stat` (what it points at).
    public static func status(_ path: String, followLinks: Bool) throws(Errno) -> FileStatus {
        var st = stat()
        let rc: Int32
        if followLinks { rc = stat(path, &st) } else { rc = lstat(path, &st) }
        guard rc == 0 else { throw Errno(rawValue: errno) }
        return FileStatus(st)
    }

    public static func identity(_ path: String) -> FileIdentity? { try? status(path, followLinks: true).identity }

    public static func readLink(_ path: String) throws(Errno) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = Glibc.readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { throw Errno(rawValue: errno) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func directoryEntries(_ path: String) throws(Errno) -> [String] {
        guard let d = opendir(path) else { throw Errno(rawValue: errno) }
        defer { closedir(d) }
        var out = [String]()
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    /// Reads from the current offset to the end.
    public static func readToEnd(_ fd: FileDescriptor, path: String, sizeHint: Int = 0) throws(Errno) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(sizeHint)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n: Int = try retrying(.read, path) {
                let r = buffer.withUnsafeMutableBytes { Glibc.read(fd.rawValue, $0.baseAddress, $0.count) }
                return (r, r < 0 ? errno : 0)
            }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// The one whole-file reader: opens (following links unless told not to), refuses a
    /// directory, reads everything.
    public static func readFile(_ path: String, followLinks: Bool = true) throws(Errno) -> [UInt8] {
        let fd = try open(path, .readOnly, followLinks ? [.closeOnExec] : [.closeOnExec, .noFollow])
        defer { try? fd.close() }
        let st = try fstat(fd)
        if st.isDirectory { throw Errno.isDirectory }
        return try readToEnd(fd, path: path, sizeHint: Int(st.size))
    }

    // MARK: extended attributes (ACLs are `system.posix_acl_access`, SELinux labels `security.selinux`)

    public static func listXattrs(_ fd: FileDescriptor) throws(Errno) -> [String] {
        var size = LinuxCalls.flistxattr(fd.rawValue, nil, 0)
        guard size >= 0 else { throw Errno(rawValue: errno) }
        if size == 0 { return [] }
        var buffer = [CChar](repeating: 0, count: size)
        size = LinuxCalls.flistxattr(fd.rawValue, &buffer, buffer.count)
        guard size >= 0 else { throw Errno(rawValue: errno) }
        return buffer[0..<size].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    public static func getXattr(_ fd: FileDescriptor, _ name: String) throws(Errno) -> [UInt8] {
        var size = LinuxCalls.fgetxattr(fd.rawValue, name, nil, 0)
        guard size >= 0 else { throw Errno(rawValue: errno) }
        var buffer = [UInt8](repeating: 0, count: size)
        size = buffer.withUnsafeMutableBytes { LinuxCalls.fgetxattr(fd.rawValue, name, $0.baseAddress, $0.count) }
        guard size >= 0 else { throw Errno(rawValue: errno) }
        return Array(buffer[0..<size])
    }

    public static func setXattr(_ fd: FileDescriptor, _ name: String, _ value: [UInt8], path: String) throws(Errno) {
        try retrying(.setxattr, path) { () -> ((), Int32) in
            let rc = value.withUnsafeBytes { LinuxCalls.fsetxattr(fd.rawValue, name, $0.baseAddress, $0.count, 0) }
            return ((), rc == 0 ? 0 : errno)
        }
    }

    public static func removeXattr(_ fd: FileDescriptor, _ name: String, path: String) throws(Errno) {
        try retrying(.removexattr, path) { () -> ((), Int32) in ((), LinuxCalls.fremovexattr(fd.rawValue, name) == 0 ? 0 : errno) }
    }

    /// Every extended attribute and its value.
    public static func xattrs(_ fd: FileDescriptor) throws(Errno) -> [String: [UInt8]] {
        var out = [String: [UInt8]]()
        for name in try listXattrs(fd) { out[name] = try getXattr(fd, name) }
        return out
    }
}

/// glibc calls that the Glibc module does not import (`<sys/xattr.h>`, and `fallocate`
/// behind _GNU_SOURCE), looked up once in the C library. Missing (another libc): ENOTSUP.
enum LinuxCalls {
    static func symbol<T>(_ name: String, as: T.Type) -> T? {
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(p, to: T.self)
    }

    typealias ListFn = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int
    typealias GetFn = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias SetFn = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias PathSetFn = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias RemoveFn = @convention(c) (Int32, UnsafePointer<CChar>) -> Int32
    typealias FallocateFn = @convention(c) (Int32, Int32, Int64, Int64) -> Int32

    nonisolated(unsafe) static let listFn = symbol("flistxattr", as: ListFn.self)
    nonisolated(unsafe) static let getFn = symbol("fgetxattr", as: GetFn.self)
    nonisolated(unsafe) static let setFn = symbol("fsetxattr", as: SetFn.self)
    nonisolated(unsafe) static let pathSetFn = symbol("setxattr", as: PathSetFn.self)
    nonisolated(unsafe) static let removeFn = symbol("fremovexattr", as: RemoveFn.self)
    nonisolated(unsafe) static let fallocateFn = symbol("fallocate64", as: FallocateFn.self) ?? symbol("fallocate", as: FallocateFn.self)

    static func unsupported<T: BinaryInteger>() -> T {
        errno = ENOTSUP
        return -1
    }

    static func flistxattr(_ fd: Int32, _ list: UnsafeMutablePointer<CChar>?, _ size: Int) -> Int {
        listFn.map { $0(fd, list, size) } ?? unsupported()
    }

    static func fgetxattr(_ fd: Int32, _ name: String, _ value: UnsafeMutableRawPointer?, _ size: Int) -> Int {
        getFn.map { f in name.withCString { f(fd, $0, value, size) } } ?? unsupported()
    }

    static func fsetxattr(_ fd: Int32, _ name: String, _ value: UnsafeRawPointer?, _ size: Int, _ flags: Int32) -> Int32 {
        setFn.map { f in name.withCString { f(fd, $0, value, size, flags) } } ?? unsupported()
    }

    static func setxattr(_ path: String, _ name: String, _ value: UnsafeRawPointer?, _ size: Int, _ flags: Int32) -> Int32 {
        pathSetFn.map { f in path.withCString { p in name.withCString { f(p, $0, value, size, flags) } } } ?? unsupported()
    }

    static func fremovexattr(_ fd: Int32, _ name: String) -> Int32 {
        removeFn.map { f in name.withCString { f(fd, $0) } } ?? unsupported()
    }

    static func fallocate(_ fd: Int32, _ mode: Int32, _ offset: Int64, _ length: Int64) -> Int32 {
        fallocateFn.map { $0(fd, mode, offset, length) } ?? unsupported()
    }
}

extension Sys {
    /// Sets an extended attribute by path (tests and tools; the write path uses descriptors).
    public static func setXattr(atPath path: String, _ name: String, _ value: [UInt8]) throws(Errno) {
        let rc = value.withUnsafeBytes { LinuxCalls.setxattr(path, name, $0.baseAddress, $0.count, 0) }
        guard rc == 0 else { throw Errno(rawValue: errno) }
    }
}
