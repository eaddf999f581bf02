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
    /// Last modification, whole seconds since 1970 (UTC).
    public var modified: Int64
    /// The nanoseconds of the last modification's second.
    public var modifiedNanoseconds: Int64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        mode = UInt32(st.st_mode)
        linkCount = Int(st.st_nlink)
        uid = UInt32(st.st_uid)
        gid = UInt32(st.st_gid)
        size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(st.st_mtim.tv_nsec)
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

/// The one layer through which the engine, the runner and the sample writers make system
/// calls (files, directories, descriptors, sockets): swift-system's `FileDescriptor`,
/// `FilePath` and typed `Errno`, EINTR retried in one place, and (test builds only) the
/// fault-injection hook in front of each call (`FaultInjection`). Nothing outside System/
/// calls the C library for these (`RawSystemCallTests` reads the sources).
public enum Sys {
    /// The calls that a test can make fail, by the name it gives them.
    public enum Call: String, Sendable, CaseIterable {
        case open, read, write, fsync, rename, link, unlink, mkdir, fchown, fchmod, setxattr, removexattr, ftruncate, fallocate, lock
        case close, pread, stat, lstat, fstat, access, readlink, opendir, realpath, getcwd, mkdtemp
        /// A node's API (`HTTPClient`).
        case getaddrinfo, socket, connect, getsockopt, poll, send, recv
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

    /// O_NOCTTY: opening a terminal device never makes it this process's controlling terminal.
    public static let noControllingTerminal = FileDescriptor.OpenOptions(rawValue: O_NOCTTY)

    /// Closes `fd`. EINTR is not retried: Linux releases the descriptor before it reports
    /// the signal (close(2)), and a second close could close a descriptor another thread
    /// has just been given. The descriptor is released whatever the outcome (an injected
    /// fault too), as Linux does.
    public static func close(_ fd: FileDescriptor, path: String) throws(Errno) {
        let injected = FaultInjection.fault(.close, path)
        let err = Glibc.close(fd.rawValue) == 0 ? 0 : errno
        if let injected, injected != .interrupted { throw injected }
        if err != 0 && err != EINTR { throw Errno(rawValue: err) }
    }

    /// One `read` into `buffer` at the descriptor's offset: the bytes read, 0 at the end.
    public static func read(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(Errno) -> Int {
        try retrying(.read, path) {
            let r = Glibc.read(fd.rawValue, buffer.baseAddress, buffer.count)
            return (r, r < 0 ? errno : 0)
        }
    }

    /// One `pread` into `buffer` at `offset` (the descriptor's offset does not move): the
    /// bytes read, 0 at the end.
    public static func pread(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws(Errno) -> Int {
        try retrying(.pread, path) {
            let r = Glibc.pread(fd.rawValue, buffer.baseAddress, buffer.count, off_t(offset))
            return (r, r < 0 ? errno : 0)
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

    /// Creates `path` (never an existing name, never through a link) holding `bytes`, mode
    /// 0644; with `durable`, made durable before it is closed. A partial file is removed.
    public static func createFile(_ path: String, _ bytes: [UInt8], durable: Bool) throws(Errno) {
        let fd = try open(path, .writeOnly, [.create, .exclusiveCreate, .noFollow], permissions: FilePermissions(rawValue: 0o644))
        do throws(Errno) {
            try writeAll(fd, bytes, path: path)
            if durable { try fsync(fd, path: path) }
        } catch {
            try? close(fd, path: path)
            try? unlink(path)
            throw error
        }
        try close(fd, path: path)
    }

    public static func fsync(_ fd: FileDescriptor, path: String) throws(Errno) {
        try retrying(.fsync, path) { () -> ((), Int32) in ((), Glibc.fsync(fd.rawValue) == 0 ? 0 : errno) }
    }

    public static func fsyncDirectory(_ dir: String) throws(Errno) {
        let d = try open(dir, .readOnly, [.directory, .closeOnExec])
        defer { try? close(d, path: dir) }
        try fsync(d, path: dir)
    }

    public static func rename(_ from: String, _ to: String) throws(Errno) {
        try retrying(.rename, to) { () -> ((), Int32) in ((), Glibc.rename(from, to) == 0 ? 0 : errno) }
    }

    /// A second name `to` for `from`; fails with EEXIST when `to` exists (never replaces it).
    public static func link(_ from: String, _ to: String) throws(Errno) {
        try retrying(.link, to) { () -> ((), Int32) in ((), Glibc.link(from, to) == 0 ? 0 : errno) }
    }

    public static func unlink(_ path: String) throws(Errno) {
        try retrying(.unlink, path) { () -> ((), Int32) in ((), Glibc.unlink(path) == 0 ? 0 : errno) }
    }

    public static func mkdir(_ path: String, _ mode: mode_t) throws(Errno) {
        try retrying(.mkdir, path) { () -> ((), Int32) in ((), Glibc.mkdir(path, mode) == 0 ? 0 : errno) }
    }

    /// A new directory named `prefix` and six characters no one can predict (mkdtemp:
    /// created exclusively, mode 0700), and its path.
    public static func makeTemporaryDirectory(_ prefix: String) throws(Errno) -> String {
        try retrying(.mkdtemp, prefix) {
            var template = Array((prefix + "XXXXXX").utf8CString)
            let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
                guard let p = Glibc.mkdtemp(buffer.baseAddress!) else { return nil }
                return String(cString: p)
            }
            return (made ?? "", made == nil ? errno : 0)
        }
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
    public static func lockHolder(_ fd: FileDescriptor, path: String? = nil) throws(Errno) -> (write: Bool, pid: Int32)? {
        let fl: Glibc.flock = try retrying(.lock, path ?? "fd \(fd.rawValue)") {
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
            return (fl, rc == 0 ? 0 : errno)
        }
        if Int32(fl.l_type) == F_UNLCK { return nil }
        return (Int32(fl.l_type) == F_WRLCK, fl.l_pid)
    }

    /// Whether this process may write `path` (`access(W_OK)`: permissions, read-only mounts,
    /// immutable files), and why not.
    public static func writable(_ path: String) -> Errno? {
        do {
            try retrying(.access, path) { () -> ((), Int32) in ((), Glibc.access(path, W_OK) == 0 ? 0 : errno) }
            return nil
        } catch {
            return error
        }
    }

    public static func fstat(_ fd: FileDescriptor, path: String? = nil) throws(Errno) -> FileStatus {
        try retrying(.fstat, path ?? "fd \(fd.rawValue)") {
            var st = Glibc.stat()
            let rc = Glibc.fstat(fd.rawValue, &st)
            return (FileStatus(st), rc == 0 ? 0 : errno)
        }
    }

    /// `lstat` (the link itself) or `stat` (what it points at).
    public static func status(_ path: String, followLinks: Bool) throws(Errno) -> FileStatus {
        try retrying(followLinks ? .stat : .lstat, path) {
            var st = Glibc.stat()
            let rc: Int32
            if followLinks { rc = stat(path, &st) } else { rc = lstat(path, &st) }
            return (FileStatus(st), rc == 0 ? 0 : errno)
        }
    }

    /// Whether `stat` finds something at `path` (following links: a dangling link or a loop
    /// is nothing).
    public static func exists(_ path: String) -> Bool { (try? status(path, followLinks: true)) != nil }

    public static func identity(_ path: String) -> FileIdentity? { try? status(path, followLinks: true).identity }

    public static func readLink(_ path: String) throws(Errno) -> String {
        try retrying(.readlink, path) {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = Glibc.readlink(path, &buffer, buffer.count - 1)
            guard n >= 0 else { return ("", errno) }
            return (String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self), 0)
        }
    }

    /// The path with every symlink, `.` and `..` resolved (realpath): the file exists.
    public static func realPath(_ path: String) throws(Errno) -> String {
        try retrying(.realpath, path) {
            guard let p = Glibc.realpath(path, nil) else { return ("", errno) }
            defer { free(p) }
            return (String(cString: p), 0)
        }
    }

    /// This process's working directory.
    public static func currentDirectory() throws(Errno) -> String {
        try retrying(.getcwd, ".") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            guard Glibc.getcwd(&buffer, buffer.count) != nil else { return ("", errno) }
            return (String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), 0)
        }
    }

    public static func directoryEntries(_ path: String) throws(Errno) -> [String] {
        let d: OpaquePointer? = try retrying(.opendir, path) {
            let d = opendir(path)
            return (d, d == nil ? errno : 0)
        }
        guard let d else { throw Errno.ioError }
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
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let n = try read(fd, into: buffer, path: path)
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }

    /// The one whole-file reader: opens (following links unless told not to), refuses a
    /// directory, reads everything.
    public static func readFile(_ path: String, followLinks: Bool = true) throws(Errno) -> [UInt8] {
        let fd = try open(path, .readOnly, followLinks ? [.closeOnExec] : [.closeOnExec, .noFollow])
        defer { try? close(fd, path: path) }
        let st = try fstat(fd, path: path)
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

extension Sys {
    // MARK: sockets (a node's API: `HTTPClient`)

    /// One address `getaddrinfo` gave for a host and port.
    public struct SocketAddress: Sendable {
        public var family: Int32
        var bytes: [UInt8]
    }

    /// Why a host name gave no address, in getaddrinfo's words.
    public struct ResolveFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The stream addresses of `host` (a name or a literal) at `port`, in getaddrinfo's
    /// order. A fault injected here reads as the system error it names.
    public static func addresses(host: String, port: UInt16) throws(ResolveFailure) -> [SocketAddress] {
        let what = "\(host):\(port)"
        while true {
            if let injected = FaultInjection.fault(.getaddrinfo, what) {
                if injected == .interrupted { continue }
                throw ResolveFailure(description: injected.description)
            }
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let rc = getaddrinfo(host, String(port), &hints, &list)
            let err = errno
            if rc == EAI_SYSTEM && err == EINTR { continue }
            guard rc == 0, let first = list else {
                throw ResolveFailure(description: rc == EAI_SYSTEM ? Errno(rawValue: err).description : String(cString: gai_strerror(rc)))
            }
            defer { freeaddrinfo(first) }
            var out = [SocketAddress]()
            var node: UnsafeMutablePointer<addrinfo>? = first
            while let ai = node {
                node = ai.pointee.ai_next
                guard let address = ai.pointee.ai_addr else { continue }
                out.append(SocketAddress(
                    family: ai.pointee.ai_family, bytes: Array(UnsafeRawBufferPointer(start: address, count: Int(ai.pointee.ai_addrlen)))))
            }
            return out
        }
    }

    /// A TCP socket for `family`, non-blocking and close-on-exec.
    public static func streamSocket(family: Int32, path: String) throws(Errno) -> FileDescriptor {
        try retrying(.socket, path) {
            let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            return (FileDescriptor(rawValue: fd), fd < 0 ? errno : 0)
        }
    }

    /// Starts connecting the non-blocking socket `fd` to `address`: true when connected at
    /// once; false when the connection goes on in the background (EINPROGRESS, and EINTR,
    /// after which the connection also continues asynchronously: POSIX connect(2)), to be
    /// awaited with `poll(POLLOUT)` and then `connectionError`.
    public static func connect(_ fd: FileDescriptor, to address: SocketAddress, path: String) throws(Errno) -> Bool {
        let injected = FaultInjection.fault(.connect, path)
        if let injected, injected != .interrupted { throw injected }
        let rc = address.bytes.withUnsafeBytes { raw in
            Glibc.connect(fd.rawValue, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if rc == 0 { return injected == nil }
        let err = errno
        if err == EINPROGRESS || err == EINTR { return false }
        throw Errno(rawValue: err)
    }

    /// How a connection started by `connect` ended (SO_ERROR): nil when it is established.
    public static func connectionError(_ fd: FileDescriptor, path: String) throws(Errno) -> Errno? {
        try retrying(.getsockopt, path) {
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            let rc = getsockopt(fd.rawValue, SOL_SOCKET, SO_ERROR, &soError, &length)
            return (soError == 0 ? nil : Errno(rawValue: soError), rc == 0 ? 0 : errno)
        }
    }

    /// Waits until `fd` is ready for `events` (POLLIN, POLLOUT; an error or a hang-up is
    /// ready too: the next call says what happened) or the monotonic clock reaches
    /// `deadline` (`monotonicNanoseconds`): false when it did. EINTR: waits again for the
    /// time left.
    public static func poll(_ fd: FileDescriptor, _ events: Int16, deadline: UInt64, path: String) throws(Errno) -> Bool {
        while true {
            if remainingMilliseconds(deadline) == 0 { return false }
            let ready: Int32 = try retrying(.poll, path) {
                var p = pollfd(fd: fd.rawValue, events: events, revents: 0)
                let r = Glibc.poll(&p, 1, remainingMilliseconds(deadline))
                return (r, r < 0 ? errno : 0)
            }
            if ready > 0 { return true }
        }
    }

    /// Sends what the socket takes of `bytes` (MSG_NOSIGNAL: a peer that closed is EPIPE,
    /// never SIGPIPE). EAGAIN is thrown: the caller polls and sends again.
    public static func send(_ fd: FileDescriptor, _ bytes: UnsafeRawBufferPointer, path: String) throws(Errno) -> Int {
        try retrying(.send, path) {
            let r = Glibc.send(fd.rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            return (r, r < 0 ? errno : 0)
        }
    }

    /// Receives what has come, into `buffer`: 0 when the peer closed. EAGAIN is thrown.
    public static func receive(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(Errno) -> Int {
        try retrying(.recv, path) {
            let r = Glibc.recv(fd.rawValue, buffer.baseAddress, buffer.count, 0)
            return (r, r < 0 ? errno : 0)
        }
    }

    /// CLOCK_MONOTONIC in nanoseconds (deadlines that a change of the wall clock cannot move).
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Milliseconds until `deadline`, rounded up; 0 once it has passed.
    static func remainingMilliseconds(_ deadline: UInt64) -> Int32 {
        let now = monotonicNanoseconds()
        guard deadline > now else { return 0 }
        return Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
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
