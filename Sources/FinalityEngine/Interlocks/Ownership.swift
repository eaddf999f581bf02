import FoundationEssentials
import Glibc
import SystemPackage

/// The node must be able to start after every write: nodeos opens its safety file
/// read-write (`rb+`, spring `libraries/chain/finalizer.cpp`, `my_finalizers_t::load`
/// through `fc::datastream<fc::cfile>` opened with `cfile::update_rw_mode`), so the new
/// file must keep the owner, group, mode, ACLs and other extended attributes of the old one.
public enum Ownership {
    /// Who the file belongs to, and everything that must carry over to the new file.
    public struct Attributes: Hashable, Sendable {
        public var uid: UInt32
        public var gid: UInt32
        public var mode: UInt32
        public var xattrs: [String: [UInt8]]
    }

    public static func userName(_ uid: UInt32) -> String {
        if let pw = getpwuid(uid), let n = pw.pointee.pw_name { return "\(String(cString: n)) (uid \(uid))" }
        return "uid \(uid)"
    }

    public static func groupName(_ gid: UInt32) -> String {
        if let gr = getgrgid(gid), let n = gr.pointee.gr_name { return "\(String(cString: n)) (gid \(gid))" }
        return "gid \(gid)"
    }

    /// The groups this process may give a file it owns.
    static func myGroups() -> Set<UInt32> {
        var out: Set<UInt32> = [getegid()]
        let n = getgroups(0, nil)
        if n > 0 {
            var list = [gid_t](repeating: 0, count: Int(n))
            let m = getgroups(n, &list)
            if m > 0 { out.formUnion(list[0..<Int(m)].map { UInt32($0) }) }
        }
        return out
    }

    public static func read(_ fd: FileDescriptor) throws(Errno) -> Attributes {
        let st = try Sys.fstat(fd)
        var xattrs = [String: [UInt8]]()
        do { xattrs = try Sys.xattrs(fd) } catch {
            // A file system without extended attributes has none to keep.
            if error != .notSupported { throw error }
        }
        return Attributes(uid: st.uid, gid: st.gid, mode: st.permissions, xattrs: xattrs)
    }

    /// Why this process cannot give a new file these attributes, or nil when it can.
    public static func obstacle(_ a: Attributes, euid: UInt32 = geteuid(), groups: Set<UInt32>? = nil) -> String? {
        if euid == 0 { return nil }
        let me = userName(euid)
        if a.uid != euid {
            return "the file is owned by \(userName(a.uid)), group \(groupName(a.gid)); you are \(me): a new file would be owned by you, and nodeos (running as its owner) could fail to open it. Only root or \(userName(a.uid)) can replace it keeping its owner: run finality with sudo, or as that user"
        }
        if !(groups ?? myGroups()).contains(a.gid) {
            return "the file's group is \(groupName(a.gid)), which \(me) is not in: only root can give the new file that group; run finality with sudo"
        }
        // trusted.* needs CAP_SYS_ADMIN; security.* other than the SELinux label needs privileges too.
        let privileged = a.xattrs.keys.filter { $0.hasPrefix("trusted.") || ($0.hasPrefix("security.") && $0 != "security.selinux") }
        if !privileged.isEmpty {
            return "the file carries extended attributes only root can set (\(privileged.sorted().joined(separator: ", "))): run finality with sudo"
        }
        return nil
    }

    /// The `ownership` check: can the new file keep owner, group, mode and xattrs?
    public static func check(file: String) -> InterlockCheck {
        let checked = "owner, group, mode and extended attributes of \(file) kept by the new file"
        let a: Attributes
        do {
            let fd = try Sys.open(file, .readOnly, [.closeOnExec, .noFollow, .nonBlocking])
            defer { try? fd.close() }
            a = try read(fd)
        } catch {
            return InterlockCheck(name: "ownership", checked: checked, found: "cannot read them: \(error)", outcome: .cannotCheck)
        }
        let what = "\(userName(a.uid)), group \(groupName(a.gid)), mode \(String(a.mode, radix: 8)), \(a.xattrs.count) extended attribute\(a.xattrs.count == 1 ? "" : "s")\(a.xattrs.isEmpty ? "" : " (" + a.xattrs.keys.sorted().joined(separator: ", ") + ")")"
        if let why = obstacle(a) {
            return InterlockCheck(name: "ownership", checked: checked, found: "cannot keep them: " + why, outcome: .refused)
        }
        return InterlockCheck(name: "ownership", checked: checked, found: "kept: " + what, outcome: .clear,
            summary: "kept: \(userName(a.uid)) \(groupName(a.gid)) \(String(a.mode, radix: 8)), \(a.xattrs.count) xattr(s)")
    }

    /// Gives the temp file `fd` exactly the attributes `a`: owner and group first (chown
    /// clears set-id bits), then the mode, then every extended attribute, removing any the
    /// directory's default ACL gave it; then reads them back.
    static func copy(_ a: Attributes, to fd: FileDescriptor, path: String) throws(Errno) {
        let st = try Sys.fstat(fd)
        if st.uid != a.uid || st.gid != a.gid { try Sys.fchown(fd, uid: a.uid, gid: a.gid, path: path) }
        try Sys.fchmod(fd, a.mode, path: path)
        var now = [String: [UInt8]]()
        do { now = try Sys.xattrs(fd) } catch { if error != .notSupported { throw error } }
        for name in now.keys where a.xattrs[name] == nil { try Sys.removeXattr(fd, name, path: path) }
        for (name, value) in a.xattrs.sorted(by: { $0.key < $1.key }) where now[name] != value {
            try Sys.setXattr(fd, name, value, path: path)
        }
        let back = try read(fd)
        guard back == a else { throw Errno.notPermitted }
    }

    /// The user nodeos runs as, and where that came from: the running nodeos using the
    /// file, else the owner of the data dir's `state/` (what the last nodeos left).
    public static func nodeUser(dataDir: String?, nodes: [NodeosProcess]) -> (uid: UInt32, source: String)? {
        if let p = nodes.first, let uid = p.uid { return (uid, "nodeos pid \(p.pid) runs as \(userName(uid))") }
        if let d = dataDir, let st = try? Sys.status(d + "/state", followLinks: true) {
            return (st.uid, "\(d)/state is owned by \(userName(st.uid)) (the user the last nodeos ran as)")
        }
        return nil
    }

    /// Whether `uid` can open a file with these attributes read-write, by its mode bits.
    static func canOpenReadWrite(uid: UInt32, _ a: Attributes) -> Bool {
        if uid == 0 { return true }
        if a.uid == uid { return a.mode & 0o600 == 0o600 }
        var groups: Set<UInt32> = []
        if let pw = getpwuid(uid), let name = pw.pointee.pw_name {
            var n: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(n))
            if getgrouplist(name, pw.pointee.pw_gid, &list, &n) >= 0 { groups = Set(list[0..<Int(n)].map { UInt32($0) }) }
            groups.insert(pw.pointee.pw_gid)
        }
        if groups.contains(a.gid) { return a.mode & 0o060 == 0o060 }
        return a.mode & 0o006 == 0o006
    }

    /// The `node-user` check (a warning): can the user nodeos runs as open this file
    /// read-write? Also for `verify`.
    public static func nodeUserCheck(file: String, dataDir: String?, nodes: [NodeosProcess]) -> InterlockCheck {
        let checked = "the user nodeos runs as can open \(file) read-write"
        guard let fd = try? Sys.open(file, .readOnly, [.closeOnExec, .nonBlocking]), let a = try? read(fd) else {
            return InterlockCheck(name: "node-user", checked: checked, found: "cannot read the file's owner", outcome: .notChecked)
        }
        try? fd.close()
        guard let (uid, source) = nodeUser(dataDir: dataDir, nodes: nodes) else {
            return InterlockCheck(
                name: "node-user", checked: checked,
                found: "no running nodeos and no state/ beside the file tell which user nodeos runs as: not checked",
                outcome: .notChecked)
        }
        if canOpenReadWrite(uid: uid, a) {
            var found = "yes: \(source); the file is \(userName(a.uid)), group \(groupName(a.gid)), mode \(String(a.mode, radix: 8))"
            if a.xattrs["system.posix_acl_access"] != nil { found += " (it also has an ACL)" }
            return InterlockCheck(name: "node-user", checked: checked, found: found, outcome: .clear, summary: "nodeos's user (\(userName(uid))) can open it")
        }
        var found = "NO: \(source), but the file is \(userName(a.uid)), group \(groupName(a.gid)), mode \(String(a.mode, radix: 8)): nodeos opens it read-write at start-up and would fail"
        if a.xattrs["system.posix_acl_access"] != nil {
            found += " (unless its ACL grants it: check with getfacl)"
        }
        found += ". Fix: chown \(userName(uid).split(separator: " ").first ?? "") \(file)"
        return InterlockCheck(name: "node-user", checked: checked, found: found, outcome: .warning)
    }

    /// For `verify`: the node-user check of a file, with the running nodeos that use it.
    public static func nodeUserCheck(_ location: Location, procRoot: String = "/proc") -> InterlockCheck {
        let scan = Interlocks.scanProcesses(file: location.file, dataDir: location.dataDir, procRoot: procRoot)
        return nodeUserCheck(file: location.file, dataDir: location.dataDir, nodes: scan.nodesUsingFile)
    }
}
