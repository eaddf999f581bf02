import FinalityEngine
import FinalityFormat
import Foundation

/// Paths tests make in the temporary directory (`<tmp>/<prefix>-<uuid><suffix>`), each
/// removed when the test process ends: tests clean up after themselves without each one
/// remembering to, and a path made once for several tests (a probe, a shared fixture)
/// lives as long as they run. Only paths named here are removed, and only under the
/// temporary directory: never anything else in /tmp.
public enum TemporaryPaths {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths = [String]()
    nonisolated(unsafe) private static var armed = false

    /// The temporary directory, without a trailing slash.
    public static var root: String {
        let t = FileManager.default.temporaryDirectory.path
        return t.count > 1 && t.hasSuffix("/") ? String(t.dropLast()) : t
    }

    /// A fresh name `<tmp>/<prefix>-<uuid><suffix>` (not created: a directory or a file,
    /// as the caller makes it), removed when the tests end.
    public static func name(_ prefix: String, suffix: String = "") -> String {
        let path = root + "/\(prefix)-\(UUID().uuidString)\(suffix)"
        register(path)
        return path
    }

    /// A fresh directory `<tmp>/<prefix>-<uuid>`, removed when the tests end.
    public static func directory(_ prefix: String) throws -> String {
        let path = name(prefix)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A path something else made (mkdtemp, the binary's demo dir): removed when the tests
    /// end, when it is directly under the temporary directory.
    public static func register(_ path: String) {
        guard isOurs(path) else { return }
        lock.lock()
        defer { lock.unlock() }
        paths.append(path)
        if !armed {
            armed = true
            atexit { TemporaryPaths.removeAll() }
        }
    }

    /// Removes `path` now (a test that wants its space back early); nil-safe and quiet.
    public static func remove(_ path: String) {
        guard isOurs(path) else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every registered path, removed (at exit).
    public static func removeAll() {
        lock.lock()
        let all = paths
        paths = []
        lock.unlock()
        for p in all { try? FileManager.default.removeItem(atPath: p) }
    }

    /// Directly under the temporary directory, and not the directory itself.
    static func isOurs(_ path: String) -> Bool {
        let r = root
        guard path.hasPrefix(r + "/") else { return false }
        let rest = path.dropFirst(r.count + 1)
        return !rest.isEmpty && !rest.contains("/") && rest != "." && rest != ".."
    }

    /// The top-level entry under the temporary directory that holds `path`
    /// (`/tmp/finality-demo-x/data` → `/tmp/finality-demo-x`), or nil.
    public static func topLevel(of path: String) -> String? {
        let r = root
        guard path.hasPrefix(r + "/") else { return nil }
        guard let first = path.dropFirst(r.count + 1).split(separator: "/").first else { return nil }
        return r + "/" + first
    }

    /// Registers the top-level entry holding `path` (a data dir the binary made).
    public static func registerTopLevel(of path: String) {
        if let top = topLevel(of: path) { register(top) }
    }
}

/// A fresh directory under the temp dir (`<tmp>/finality-<name>-<uuid>`), removed when the
/// tests end or by `remove()`.
public struct TempDir {
    public let path: String

    public init(_ name: String = "lib") {
        let base = TemporaryPaths.name("finality-\(name)")
        try! FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func write(_ name: String, _ bytes: [UInt8]) {
        _ = FileManager.default.createFile(atPath: file(name), contents: Data(bytes))
    }

    public func read(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: file(name)) ?? Data()) }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A file `safety.dat` in a fresh temporary directory.
public struct TempFile {
    public let path: String

    public init(_ bytes: [UInt8]) {
        let dir = TemporaryPaths.name("finality-watch")
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir + "/safety.dat"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    public func remove() { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
}

/// Data dirs laid out as nodeos lays them out, and what finality leaves beside the file.
public enum TestFiles {
    /// A fresh data dir: `<tmp>/<prefix>-<uuid>/data/finalizers/safety.dat` holding `file`,
    /// and an empty `state/`; `<tmp>/<prefix>-<uuid>` is removed when the tests end.
    public static func dataDir(_ file: SafetyFile, prefix: String = "finality-test") throws -> (dir: String, file: String) {
        let dir = TemporaryPaths.name(prefix) + "/data"
        try FileManager.default.createDirectory(atPath: dir + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        let path = dir + "/finalizers/safety.dat"
        try Data(SafetyFileWriter.encode(file)).write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    public static func read(_ path: String) -> [UInt8] { (try? FileBytes.read(path)) ?? [] }

    /// The backups finality made of `file`, oldest first.
    public static func backups(of file: String) -> [String] {
        let dir = RecoveryPaths.backupDirectory(for: file)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }
}

