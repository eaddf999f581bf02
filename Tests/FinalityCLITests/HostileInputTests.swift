import FinalityEngine
import Foundation
import Testing
import FinalityTestSupport

/// Inputs meant to hurt the tool or the host: each ends quickly, with an accurate message
/// and the documented exit code, and nothing from the input reaches the terminal raw.
@Suite("Hostile input never hurts the tool or the host")
struct HostileInputTests {
    static let root = PackagePaths.root
    static func fixture(_ name: String) -> String { root.appendingPathComponent("Fixtures/" + name).path }

    typealias Run = BuiltBinary.Result

    /// The real binary under `timeout 20` (a hang shows as status 124, never as a stuck
    /// suite), with raw argument bytes (a name that is not UTF-8 cannot be a Swift String).
    static func run(_ args: [[UInt8]]) -> Run { BuiltBinary.start(raw: args, timeout: 20).wait() }

    static func run(_ args: String...) -> Run { run(args.map { Array($0.utf8) }) }

    static func tempDir() throws -> String {
        let dir = TemporaryPaths.name("finality-hostile")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return dir
    }

    @Test("a FIFO is refused before it is opened: no wait for a writer")
    func fifo() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/safety.dat", 0o600) == 0)
        for command in ["verify", "list"] {
            let r = Self.run(command, dir + "/safety.dat")
            #expect(r.status == 3, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("safety.dat: cannot read: a FIFO (named pipe), not a regular file: refused without opening it"))
            #expect(r.seconds < 10)
        }
        // A data dir whose finalizers/safety.dat is a FIFO too.
        try FileManager.default.createDirectory(atPath: dir + "/data/finalizers", withIntermediateDirectories: true)
        #expect(mkfifo(dir + "/data/finalizers/safety.dat", 0o600) == 0)
        let r = Self.run("verify", dir + "/data")
        #expect(r.status == 3)
        #expect(r.stderr.contains("a FIFO (named pipe)"))
    }

    @Test("/dev/zero and /dev/urandom are devices: refused at once, nothing read")
    func devices() {
        for device in ["/dev/zero", "/dev/urandom"] {
            let r = Self.run("verify", device)
            #expect(r.status == 3, "\(device)")
            #expect(r.stderr.contains("\(device): cannot read: a character device, not a regular file: refused without opening it"))
            #expect(r.seconds < 10)
        }
    }

    @Test("a socket is refused")
    func socketFile() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/safety.dat"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        let r = Self.run("verify", path)
        #expect(r.status == 3)
        #expect(r.stderr.contains("a socket, not a regular file"))
    }

    @Test("a 2 GB sparse file gets spring's verdict (bad magic) from its first bytes, without reading it all")
    func sparse() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/safety.dat"
        let fd = open(path, O_CREAT | O_WRONLY, 0o600)
        #expect(ftruncate(fd, 2 << 30) == 0)
        close(fd)
        let r = Self.run("verify", path)
        // reader (issue 7): only what the header accounts for (nothing) plus 1 MiB is read;
        // all zeros is a bad magic, which is what nodeos says too.
        #expect(r.status == 1)
        #expect(r.stdout.contains("nodeos will REFUSE this file"))
        #expect(r.stdout.contains("2,147,483,648 bytes"))
        #expect(r.stdout.contains("sha256 not computed: finality read the first 1,048,576 of 2,147,483,648 bytes"))
        #expect(r.seconds < 10)
    }

    @Test("a large file whose header accounts for a few bytes gets spring's verdict without being read whole")
    func headerBoundsTheRead() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 64 MB of zeros: magic 0, so nothing beyond the header is worth reading.
        let zeros = dir + "/zeros.dat"
        var fd = open(zeros, O_CREAT | O_WRONLY, 0o600)
        #expect(ftruncate(fd, 64 << 20) == 0)
        close(fd)
        var r = Self.run("verify", zeros)
        #expect(r.status == 1)
        #expect(r.stdout.contains("nodeos will REFUSE this file"))
        #expect(r.stdout.contains("sha256 not computed: finality read the first 1,048,576 of 67,108,864 bytes"))
        // A valid one-entry v1 file followed by 64 MB: its count accounts for 269 bytes.
        let padded = dir + "/padded.dat"
        let one = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("last-vote-older-than-lock.dat")))
        #expect(FileManager.default.createFile(atPath: padded, contents: one))
        fd = open(padded, O_WRONLY, 0o600)
        #expect(ftruncate(fd, 64 << 20) == 0)
        close(fd)
        // reader (issue 7): nodeos loads it (it never reads past the CRC); the 64 MB after
        // the CRC are a trailing-bytes warning counted from the file's size, not read.
        r = Self.run("verify", padded)
        #expect(r.status == 0)
        #expect(r.stdout.contains("nodeos will load this file"))
        // The fixture is 265 bytes (24 + 237 + 4); its header accounts for 269.
        #expect(r.stdout.contains("found 67,108,599 more bytes"))
        #expect(r.stdout.contains("finality read 1,048,580 of them"))
        #expect(r.stdout.contains("sha256 not computed: finality read the first 1,048,845 of 67,108,864 bytes"))
    }

    @Test("a count of 2^64 - 1 ends at once with the count named")
    func hugeCount() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixture("v1-five-entries.dat"))))
        bytes.replaceSubrange(16..<24, with: [UInt8](repeating: 0xFF, count: 8))
        #expect(FileManager.default.createFile(atPath: dir + "/safety.dat", contents: Data(bytes)))
        let r = Self.run("verify", dir + "/safety.dat")
        #expect(r.status == 1)
        #expect(r.stdout.contains("count: expected at most 5"))
        #expect(r.stdout.contains("found 18,446,744,073,709,551,615 (needs more than 2^64 bytes)"))
        #expect(r.seconds < 10)
    }

    @Test("a symlink loop and a dangling symlink each get their own message")
    func symlinks() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(symlink(dir + "/b", dir + "/a") == 0)
        #expect(symlink(dir + "/a", dir + "/b") == 0)
        var r = Self.run("verify", dir + "/a")
        #expect(r.status == 3)
        #expect(r.stderr.contains("/a: cannot open: a symlink loop (too many levels of symbolic links)"))
        #expect(symlink(dir + "/nowhere", dir + "/dangling") == 0)
        r = Self.run("list", dir + "/dangling")
        #expect(r.status == 3)
        #expect(r.stderr.contains("/dangling: cannot open: a dangling symlink (its target does not exist)"))
    }

    @Test("a name that is not UTF-8 is named as such, with its bytes shown")
    func notUTF8Name() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let name = Array((dir + "/safety").utf8) + [0xFF, 0xFE] + Array(".dat".utf8)
        let fd = name.withUnsafeBufferPointer { p -> Int32 in
            var z = Array(p) + [0]
            return z.withUnsafeMutableBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o600) }
        }
        #expect(fd >= 0)
        close(fd)
        let r = Self.run([Array("verify".utf8), name])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/safety\\xFF\\xFE.dat: the name is not valid UTF-8 (bytes shown as \\xNN)"))
    }

    @Test("escape sequences in a file name are shown, never sent to the terminal")
    func escapeInName() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let evil = dir + "/evil\u{1B}]0;pwned\u{07}\u{1B}[2J.dat"
        try FileManager.default.copyItem(atPath: Self.fixture("wrong-key-length.dat"), toPath: evil)
        for command in ["verify", "list"] {
            let r = Self.run(command, evil)
            #expect(r.status == 1)
            #expect(!r.stdout.contains("\u{1B}"), "\(command) printed a raw ESC")
            #expect(!r.stderr.contains("\u{1B}"))
            #expect(r.stdout.contains("evil\\e]0;pwned\\x07\\e[2J.dat"))
        }
        let missing = Self.run("verify", dir + "/gone\u{1B}[2J.dat")
        #expect(missing.status == 3)
        #expect(!missing.stderr.contains("\u{1B}"))
        #expect(missing.stderr.contains("gone\\e[2J.dat"))
    }
}
