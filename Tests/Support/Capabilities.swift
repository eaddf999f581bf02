import Foundation

/// What this machine can do that some tests need, probed once. A test that needs one says
/// so at its top with `RequiredTools.require(_:_:)`: skipped with the reason outside CI,
/// failed under CI=true (CI runs as root on ext4, where all of these hold).
public enum Capabilities {
    /// Running as root (chown to the node's user, mount a small tmpfs, setpriv).
    public static var isRoot: Bool { geteuid() == 0 }

    /// chattr(1), if installed.
    public static let chattrPath: String? = RequiredTools.which("chattr")

    /// `chattr +i` works on the temp dir's file system (ext4 and friends, with
    /// CAP_LINUX_IMMUTABLE) and stops a write: probed once on a file of our own.
    public static let immutableFiles: Bool = {
        guard let chattr = chattrPath else { return false }
        let dir = TemporaryPaths.name("chattr-probe")
        guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let probe = dir + "/.chattr-probe"
        guard FileManager.default.createFile(atPath: probe, contents: Data()) else { return false }
        defer { runToEnd(chattr, ["-i", probe]); unlink(probe) }
        guard runToEnd(chattr, ["+i", probe]) == 0 else { return false }
        let fd = open(probe, O_WRONLY)
        if fd >= 0 { close(fd); return false }
        return true
    }()

    /// What `immutableFiles` needs, said when it is missing.
    public static let immutableFilesNeed = "chattr +i on the temp dir's file system (chattr installed, ext4 or similar, CAP_LINUX_IMMUTABLE)"

    /// `chattr FLAG PATH`: its exit status (-1 without chattr).
    @discardableResult
    public static func chattr(_ flag: String, _ path: String) -> Int32 {
        guard let c = chattrPath else { return -1 }
        return runToEnd(c, [flag, path])
    }
}
